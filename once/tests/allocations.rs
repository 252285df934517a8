//! The allocation checks of Go's TestOnceFunc, TestOnceValue and
//! TestOnceValues: after the first call, a call allocates nothing.

use gort_once::{Once, OnceFunc, OnceValue, OnceValues};
use gort_testkit::{CountingAlloc, allocated_by};

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Go's `testing.AllocsPerRun(10, f)`, after one warm-up call.
fn allocs_per_run(f: impl Fn()) -> usize {
    f();
    let (counted, ()) = allocated_by(|| (0..10).for_each(|_| f())).expect("installed");
    counted.allocs / 10
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
