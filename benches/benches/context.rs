//! Criterion benches of gort-context against its peer: the workloads of
//! the gort-bench `context` section (`benches/src/sections/context.rs`),
//! one criterion group per workload, one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::context::workloads());
}
