//! Criterion benches of gort-executor against tokio and async-executor: the
//! workloads of the gort-bench `executor` section
//! (`benches/src/sections/executor.rs`), one criterion group per workload,
//! one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::executor::workloads());
}
