//! Criterion benches of gort-syncmap against its peers: the workloads of the
//! gort-bench `syncmap` section (`benches/src/sections/syncmap`), Go's
//! sync/map_bench_test.go cases plus five mixes at 1 and 2 threads, one
//! criterion group per workload, one bench per implementation.

fn main() {
    gort_bench::criterion_main(gort_bench::sections::syncmap::workloads());
}
