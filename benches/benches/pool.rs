//! Criterion benches of gort-pool against its peers: the workloads of the
//! gort-bench `pool` section (`benches/src/sections/pool.rs`), one criterion
//! group per workload, one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::pool::workloads());
}
