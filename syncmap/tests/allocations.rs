//! Go's TestMapRangeNoAllocations (issue 62404) and
//! TestMapClearNoAllocations: `range` and `clear` on an empty map do not
//! allocate, and neither does a load of a settled key. Counted by a global
//! allocator, after one warm-up call (as Go's `testing.AllocsPerRun` does).

use gort_syncmap::SyncMap;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts this thread's calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations by this thread during `f`, after one warm-up call.
fn allocs_per_run(mut f: impl FnMut()) -> u64 {
    f();
    let before = ALLOCS.with(Cell::get);
    for _ in 0..10 {
        f();
    }
    (ALLOCS.with(Cell::get) - before) / 10
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
