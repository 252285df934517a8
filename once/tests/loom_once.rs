//! loom models of the Once protocol: two blocking callers racing (one runs,
//! both return after it finished and see its write), an async initialiser
//! dropped before it finishes racing a blocking caller (who then runs its
//! own), a woken waiter dropped before it acts (the turn passes on, nobody
//! is stranded), and two `OnceValue` getters (its `valid` fast path racing
//! the run).
//!
//! Not covered: panicking initialisers. A panic finishes the run from a
//! destructor during unwinding, which locks the Once's mutex; loom's mutex
//! wraps a std mutex that then poisons, and loom unwraps it, so the model
//! would abort. The panic path differs from a normal finish only in who
//! calls `finish`, and is covered by `tests/async_once.rs` and
//! `tests/go_once.rs` (also under AddressSanitizer). Also not covered: async
//! executors (futures are polled by hand with a no-op waker; blocking
//! callers use the modelled thread waker), and spinning.
#![cfg(gort_loom)]

use gort_once::Once;
use gort_sync::{AtomicUsize, Ordering};
use gort_testkit::poll_noop;
use loom::thread;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

/// A future that is pending on its first poll and ready on the second.
fn yield_once() -> impl Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |_| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            Poll::Pending
        }
    })
}

#[test]
fn two_blocking_callers() {
    loom::model(|| {
        let once = Arc::new(Once::new());
        let data = Arc::new(AtomicUsize::new(0));
        let runs = Arc::new(AtomicUsize::new(0));
        let callers: Vec<_> = (0..2)
            .map(|i| {
                let (once, data, runs) = (once.clone(), data.clone(), runs.clone());
                thread::spawn(move || {
                    once.call_once(|| {
                        runs.fetch_add(1, Ordering::Relaxed);
                        data.store(i + 1, Ordering::Relaxed);
                    });
                    assert_ne!(
                        data.load(Ordering::Relaxed),
                        0,
                        "returned before f finished"
                    );
                })
            })
            .collect();
        for c in callers {
            c.join().unwrap();
        }
        assert_eq!(runs.load(Ordering::Relaxed), 1);
    });
}

/// The async caller polls once (running its initialiser, or queued, or
/// finding the Once done) and is dropped; its initialiser never finishes.
/// The blocking caller therefore always runs its own `f`, exactly once.
#[test]
fn dropped_async_initialiser_races_blocking_caller() {
    loom::model(|| {
        let once = Arc::new(Once::new());
        let b_runs = Arc::new(AtomicUsize::new(0));
        let (o, r) = (once.clone(), b_runs.clone());
        let blocking = thread::spawn(move || {
            o.call_once(|| {
                r.fetch_add(1, Ordering::Relaxed);
            });
        });
        {
            let mut fut = pin!(once.call_once_async(yield_once));
            let _ = poll_noop(fut.as_mut());
        }
        blocking.join().unwrap();
        assert!(once.is_done());
        assert_eq!(b_runs.load(Ordering::Relaxed), 1);
    });
}

/// Runner A (async, pending) is dropped while B (async) and C (blocking)
/// wait; B is dropped after at most one poll. C must always return, and the
/// Once is then done by C (nobody else finishes an initialiser).
#[test]
fn woken_waiter_dropped_passes_the_turn() {
    loom::model(|| {
        let once = Arc::new(Once::new());
        let mut a = Box::pin(once.call_once_async(yield_once));
        assert!(poll_noop(a.as_mut()).is_pending()); // A runs
        let o = once.clone();
        let b = thread::spawn(move || {
            let mut fb = pin!(o.call_once_async(yield_once));
            let _ = poll_noop(fb.as_mut());
        });
        let o = once.clone();
        let c = thread::spawn(move || {
            let mut ran = false;
            o.call_once(|| ran = true);
            ran
        });
        drop(a);
        b.join().unwrap();
        assert!(c.join().unwrap(), "C ran its own initialiser");
        assert!(once.is_done());
    });
}

/// Two threads `get` a `OnceValue` (the fast-path `valid` flag racing the
/// run): `f` runs once and both see its value.
#[test]
fn once_value_two_getters() {
    loom::model(|| {
        let runs = Arc::new(AtomicUsize::new(0));
        let r = runs.clone();
        let value = Arc::new(gort_once::OnceValue::new(move || {
            r.fetch_add(1, Ordering::Relaxed);
            vec![7u8]
        }));
        let v = value.clone();
        let other = thread::spawn(move || assert_eq!(v.get(), &[7]));
        assert_eq!(value.get(), &[7]);
        other.join().unwrap();
        assert_eq!(runs.load(Ordering::Relaxed), 1);
    });
}
