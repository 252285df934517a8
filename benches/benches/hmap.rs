//! Criterion benches of gort-hmap against its peers: the workloads of the
//! gort-bench `hmap` section (`benches/src/sections/hmap.rs`): inserting 1M
//! `u64` keys from empty, lookups that hit and miss, removals, iteration,
//! and string keys, against std's `HashMap` (SipHash and ahash) and
//! hashbrown with ahash; one criterion group per workload, one bench per
//! implementation. Then the section's tables, printed as markdown: memory
//! per entry at 1M entries, and the latency of single inserts while growing
//! to 4M entries (with griddle as a further peer).

#[global_allocator]
static ALLOC: gort_bench::alloc::CountingAlloc = gort_bench::alloc::CountingAlloc;

fn main() {
    gort_bench::criterion_main(gort_bench::sections::hmap::workloads());
    if std::env::args().any(|a| a == "--bench") {
        for table in gort_bench::sections::hmap::tables() {
            println!("{}", table.markdown());
        }
    }
}
