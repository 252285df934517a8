//! Go's TestMapRangeNoAllocations (issue 62404) and
//! TestMapClearNoAllocations: `range` and `clear` on an empty map do not
//! allocate, and neither does a load of a settled key. Counted by a global
//! allocator, after one warm-up call (as Go's `testing.AllocsPerRun` does).

use gort_syncmap::SyncMap;
use gort_testkit::{CountingAlloc, allocated_by};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Allocations by this thread during `f`, after one warm-up call.
fn allocs_per_run(mut f: impl FnMut()) -> usize {
    f();
    let (counted, ()) = allocated_by(|| (0..10).for_each(|_| f())).expect("installed");
    counted.allocs / 10
}

#[test]
fn range_on_empty_map_does_not_allocate() {
    let m: SyncMap<u64, u64> = SyncMap::new();
    assert_eq!(allocs_per_run(|| m.range(|_, _| true)), 0);
}

#[test]
fn clear_on_empty_map_does_not_allocate() {
    let m: SyncMap<u64, u64> = SyncMap::new();
    assert_eq!(allocs_per_run(|| m.clear()), 0);
}

#[test]
fn load_of_settled_key_does_not_allocate() {
    let m: SyncMap<u64, u64> = SyncMap::new();
    m.store(1, 1);
    m.range(|_, _| true); // promote the dirty map
    assert_eq!(allocs_per_run(|| assert_eq!(m.load(&1), Some(1))), 0);
    assert_eq!(allocs_per_run(|| assert_eq!(m.load(&2), None)), 0);
}
