//! The allocation checks of Go's TestOnceFunc, TestOnceValue and
//! TestOnceValues: after the first call, a call allocates nothing.

use gort_once::{Once, OnceFunc, OnceValue, OnceValues};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts the allocations made by the current thread.
struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System` unchanged; the counter is a const-initialised
// thread-local without a destructor, safe to touch from the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Go's `testing.AllocsPerRun(10, f)`, after one warm-up call.
fn allocs_per_run(f: impl Fn()) -> usize {
    f();
    let before = ALLOCS.with(Cell::get);
    for _ in 0..10 {
        f();
    }
    ALLOCS.with(Cell::get) - before
}

#[test]
fn later_calls_do_not_allocate() {
    let once = Once::new();
    assert_eq!(allocs_per_run(|| once.call_once(|| {})), 0);

    let f = OnceFunc::new(|| {});
    assert_eq!(allocs_per_run(|| f.call()), 0);

    let v = OnceValue::new(|| 1);
    assert_eq!(allocs_per_run(|| assert_eq!(*v.get(), 1)), 0);

    let vs = OnceValues::new(|| Ok::<_, ()>((1, 2)));
    assert_eq!(allocs_per_run(|| assert_eq!(vs.get(), Ok(&(1, 2)))), 0);
}
