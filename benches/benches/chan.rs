//! Criterion benches of gort-chan against its peers: the workloads of the
//! gort-bench `chan` section (`benches/src/sections/chan`), one criterion
//! group per workload, one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::chan::workloads());
}
