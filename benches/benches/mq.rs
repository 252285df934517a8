//! Criterion benches of gort-mq against its peers: the workloads of the
//! gort-bench `mq` section (`benches/src/sections/mq.rs`), one criterion
//! group per workload, one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::mq::workloads());
}
