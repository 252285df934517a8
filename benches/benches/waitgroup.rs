//! Criterion benches of gort-waitgroup against its peers: the workloads of
//! the gort-bench `waitgroup` section (`benches/src/sections/waitgroup.rs`),
//! one criterion group per workload, one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::waitgroup::workloads());
}
