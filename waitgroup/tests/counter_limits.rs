//! The counter's limits and the guard's unwinding rule.

use gort_waitgroup::WaitGroup;
use std::panic::{AssertUnwindSafe, catch_unwind};

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("should panic");
    err.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| err.downcast_ref::<String>().cloned())
        .expect("a string panic")
}

const OVERFLOW: &str = "sync: WaitGroup counter overflow";
const NEGATIVE: &str = "sync: negative WaitGroup counter";

#[test]
fn overflow_panics_and_leaves_counter_unchanged() {
    let wg = WaitGroup::new();
    wg.add(i32::MAX as isize);
    assert_eq!(panic_message(|| wg.add(1)), OVERFLOW);
    assert_eq!(
        format!("{wg:?}"),
        format!("WaitGroup {{ counter: {}, waiters: 0 }}", i32::MAX)
    );
    assert_eq!(panic_message(|| drop(wg.guard())), OVERFLOW);
    wg.add(-(i32::MAX as isize));
    wg.wait_blocking();
}

#[test]
fn deltas_outside_i32_are_rejected_without_touching_the_counter() {
    let wg = WaitGroup::new();
    wg.add(5);
    assert_eq!(panic_message(|| wg.add(isize::MAX)), OVERFLOW);
    assert_eq!(panic_message(|| wg.add(i32::MAX as isize + 1)), OVERFLOW);
    assert_eq!(panic_message(|| wg.add(isize::MIN)), NEGATIVE);
    assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 5, waiters: 0 }");
    wg.add(-5);
    wg.wait_blocking();
}

#[test]
fn add_zero_does_nothing() {
    let wg = WaitGroup::new();
    wg.add(0);
    wg.wait_blocking();
    wg.add(3);
    wg.add(0);
    assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 3, waiters: 0 }");
}

#[test]
fn negative_delta_panics() {
    let wg = WaitGroup::new();
    wg.add(2);
    assert_eq!(panic_message(|| wg.add(-3)), NEGATIVE);
}

/// A guard dropped by a panic releases the waiter, and the panic reaches the
/// thread's joiner unchanged.
#[test]
fn guard_calls_done_while_unwinding() {
    let wg = WaitGroup::new();
    let guard = wg.guard();
    let worker = std::thread::spawn(move || {
        let _guard = guard;
        panic!("worker failed");
    });
    wg.wait_blocking();
    let err = worker.join().expect_err("the worker panicked");
    assert_eq!(err.downcast_ref::<&str>(), Some(&"worker failed"));
}

/// A guard whose `done` would make the counter negative skips it while
/// unwinding (a second panic would abort the test process), and the group
/// stays usable.
#[test]
fn guard_never_panics_while_unwinding() {
    let wg = WaitGroup::new();
    let err = catch_unwind(AssertUnwindSafe(|| {
        let _guard = wg.guard();
        wg.done(); // the guard's done is now one too many
        panic!("boom");
    }))
    .expect_err("the closure panicked");
    assert_eq!(err.downcast_ref::<&str>(), Some(&"boom"));
    assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 0, waiters: 0 }");
    wg.add(1);
    wg.done();
    wg.wait_blocking();
}

/// The same extra `done` outside unwinding is a contract violation and
/// panics with Go's message.
#[test]
fn guard_outside_unwinding_reports_negative_counter() {
    let wg = WaitGroup::new();
    let guard = wg.guard();
    wg.done();
    assert_eq!(panic_message(|| drop(guard)), NEGATIVE);
}

/// A guard dropped while unwinding that brings the counter to zero releases
/// the waiters registered on it.
#[test]
fn unwinding_guard_releases_waiters() {
    let wg = WaitGroup::new();
    let guard = wg.guard();
    let w = wg.clone();
    let waiter = std::thread::spawn(move || w.wait_blocking());
    // Let the waiter register (no sleep: spin until the state shows it).
    while format!("{wg:?}") != "WaitGroup { counter: 1, waiters: 1 }" {
        std::thread::yield_now();
    }
    let _ = catch_unwind(AssertUnwindSafe(move || {
        let _guard = guard;
        panic!("unwind");
    }));
    waiter.join().unwrap();
}
