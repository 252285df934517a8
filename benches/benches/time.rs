//! Criterion benches of gort-time against tokio::time (and crossbeam-channel
//! for the thread form): the workloads of the gort-bench `time` section
//! (`benches/src/sections/time.rs`), one criterion group per workload, one
//! bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::time::workloads());
}
