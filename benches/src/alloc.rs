//! Counting the bytes a piece of code allocates (for "bytes per channel" and
//! "bytes per entry" tables). The `gort-bench` binary installs
//! [`CountingAlloc`]; counting is per thread and off unless a thread asks
//! for it, so the benchmarks themselves pay one thread-local read per
//! allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// A global allocator that forwards to `System` and counts, per thread, what
/// the thread allocates while [`allocated_by`] runs.
#[derive(Debug)]
pub struct CountingAlloc;

std::thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn note(bytes: usize) {
    if COUNTING.with(Cell::get) {
        BYTES.with(|b| b.set(b.get() + bytes));
        ALLOCS.with(|a| a.set(a.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counting touches only const-initialised thread-locals
// without destructors, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size.saturating_sub(layout.size()));
        // SAFETY: forwarded contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What [`allocated_by`] counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocated {
    /// Bytes requested.
    pub bytes: usize,
    /// Number of allocations.
    pub allocs: usize,
}

/// Runs `f` and counts what this thread allocated meanwhile; `None` when
/// [`CountingAlloc`] is not the global allocator.
pub fn allocated_by<R>(f: impl FnOnce() -> R) -> Option<(Allocated, R)> {
    let start = (BYTES.with(Cell::get), ALLOCS.with(Cell::get));
    COUNTING.with(|c| c.set(true));
    let probe = std::hint::black_box(Box::new(0u64));
    let installed = ALLOCS.with(Cell::get) > start.1;
    drop(probe);
    let start = (BYTES.with(Cell::get), ALLOCS.with(Cell::get));
    let r = f();
    COUNTING.with(|c| c.set(false));
    let end = (BYTES.with(Cell::get), ALLOCS.with(Cell::get));
    installed.then_some((
        Allocated {
            bytes: end.0 - start.0,
            allocs: end.1 - start.1,
        },
        r,
    ))
}
