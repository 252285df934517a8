//! Criterion benches of gort-select against crossbeam-channel's `select!`,
//! flume's `Selector` and `tokio::select!`: the workloads of the gort-bench
//! `select` section (`benches/src/sections/select.rs`).

fn main() {
    gort_bench::criterion_main(gort_bench::sections::select::workloads());
}
