//! loom models of the WaitGroup protocol: `done`s racing a blocking wait
//! (with the finished parties' writes visible after it), a `wait()` future
//! dropped while the last `done` races it (the group must then be reusable,
//! with no stray semaphore unit), and an async and a blocking waiter
//! released together.
//!
//! (loom models SeqCst accesses as AcqRel; gort-park's `Sema` adds the
//! fences under `cfg(gort_loom)` that its Dekker pairs need, so the models
//! with a blocking waiter run.)
//!
//! Also: an `add` that would overflow the counter racing a valid `done`
//! (the `done` must not see a counter made negative by the refused add),
//! and two adds that overflow only together racing a `done`.
//!
//! Not covered: the misuse checks (they catch races by chance, which loom
//! would find but Go does not promise), and async
//! executors (futures are polled by hand with a no-op waker; the blocking
//! waiter's thread waker is modelled).
#![cfg(gort_loom)]

use gort_sync::{AtomicUsize, Ordering};
use gort_testkit::poll_noop;
use gort_waitgroup::WaitGroup;
use loom::thread;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// The group is back to zero with nobody registered, and reusable: a new
/// round's wait stays pending until its `done`.
fn assert_reusable(wg: &WaitGroup) {
    assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 0, waiters: 0 }");
    wg.add(1);
    let mut fut = pin!(wg.wait());
    assert!(
        poll_noop(fut.as_mut()).is_pending(),
        "a wait returned early"
    );
    wg.done();
    assert!(poll_noop(fut.as_mut()).is_ready());
}

/// Two parties finish while the main thread waits; the wait returns only
/// after both, and sees what they wrote.
#[test]
fn done_races_wait_blocking() {
    loom::model(|| {
        let wg = WaitGroup::new();
        let data = Arc::new(AtomicUsize::new(0));
        wg.add(2);
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let (wg, data) = (wg.clone(), data.clone());
                thread::spawn(move || {
                    data.fetch_add(1, Ordering::Relaxed);
                    wg.done();
                })
            })
            .collect();
        wg.wait_blocking();
        assert_eq!(data.load(Ordering::Relaxed), 2);
        for w in workers {
            w.join().unwrap();
        }
    });
}

/// A `wait()` future is polled (registering it), then dropped while the
/// last `done` races the drop. Afterwards the group is reused: a new wait
/// must stay pending until the new round's `done`.
#[test]
fn dropped_wait_races_done_then_reuse() {
    loom::model(|| {
        let wg = WaitGroup::new();
        wg.add(1);
        let w = wg.clone();
        let worker = thread::spawn(move || w.done());
        {
            let mut fut = pin!(wg.wait());
            let _ = poll_noop(fut.as_mut());
        }
        worker.join().unwrap();
        assert_reusable(&wg);
    });
}

/// A blocking waiter and an async one that is dropped after one poll, with
/// the `done` racing both: the blocking waiter is always released and no
/// unit is left over.
#[test]
fn dropped_wait_beside_blocking_waiter() {
    loom::model(|| {
        let wg = WaitGroup::new();
        wg.add(1);
        let w = wg.clone();
        let waiter = thread::spawn(move || w.wait_blocking());
        let w = wg.clone();
        let dropper = thread::spawn(move || {
            let mut fut = pin!(w.wait());
            let _ = poll_noop(fut.as_mut());
        });
        wg.done();
        waiter.join().unwrap();
        dropper.join().unwrap();
        assert_reusable(&wg);
    });
}

/// Two `wait()` futures are each polled once and dropped while the last
/// `done` races both drops: whatever each drop finds (still registered, or
/// owed a unit), nothing is left behind.
#[test]
fn two_dropped_waits_race_done() {
    loom::model(|| {
        let wg = WaitGroup::new();
        wg.add(1);
        let droppers: Vec<_> = (0..2)
            .map(|_| {
                let w = wg.clone();
                thread::spawn(move || {
                    let mut fut = pin!(w.wait());
                    let _ = poll_noop(fut.as_mut());
                })
            })
            .collect();
        wg.done();
        for d in droppers {
            d.join().unwrap();
        }
        assert_reusable(&wg);
    });
}

/// An `add(i32::MAX)` racing a valid `done` on a counter of 2: the add
/// would overflow in either order, so it is refused, and the `done` never
/// sees a counter made negative by it (with an add taken back after the
/// fact, a `done` in between saw `i32::MIN + 1 - 1` and panicked "negative
/// WaitGroup counter").
#[test]
fn refused_overflow_races_a_valid_done() {
    loom::model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(2);
        let adder = {
            let wg = wg.clone();
            thread::spawn(move || std::panic::catch_unwind(|| wg.add(i32::MAX as isize)).is_err())
        };
        wg.done();
        assert!(adder.join().unwrap(), "the add overflows in either order");
        assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 1, waiters: 0 }");
    });
}

/// Two adds of 2^30 on a counter of 1 each fit alone but not together, and
/// race a valid `done`: exactly one add is refused (or taken back), the
/// `done` never panics, and the counter ends at 2^30 whatever the order.
#[test]
fn adds_that_overflow_together_race_a_done() {
    loom::model(|| {
        const HALF: isize = 1 << 30;
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let adders: Vec<_> = (0..2)
            .map(|_| {
                let wg = wg.clone();
                thread::spawn(move || std::panic::catch_unwind(|| wg.add(HALF)).is_ok())
            })
            .collect();
        wg.done();
        let added = adders
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|&ok| ok)
            .count();
        assert_eq!(added, 1, "exactly one add fits");
        assert_eq!(
            format!("{wg:?}"),
            format!("WaitGroup {{ counter: {HALF}, waiters: 0 }}")
        );
    });
}
