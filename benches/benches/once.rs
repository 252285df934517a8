//! Criterion benches of gort-once against its peers: the workloads of the
//! gort-bench `once` section (`benches/src/sections/once.rs`), one criterion
//! group per workload, one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::once::workloads());
}
