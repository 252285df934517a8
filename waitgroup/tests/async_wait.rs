//! The async face: `wait()` on tokio, and a `wait()` future dropped at every
//! point of its life, after which the group must be as good as new (no
//! leftover registration, no leftover semaphore unit).

use gort_testkit::CountingWaker;
use gort_waitgroup::{WaitFuture, WaitGroup};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};

fn poll_once(fut: Pin<&mut WaitFuture<'_>>, waker: &Arc<CountingWaker>) -> Poll<()> {
    gort_testkit::poll_once(fut, &Waker::from(waker.clone()))
}

fn state(wg: &WaitGroup) -> String {
    format!("{wg:?}")
}

/// After whatever happened before, the group is reusable: a new round holds
/// a fresh wait until its `done`, then releases it.
fn assert_reusable(wg: &WaitGroup) {
    assert_eq!(state(wg), "WaitGroup { counter: 0, waiters: 0 }");
    wg.add(1);
    let waker = Arc::new(CountingWaker::default());
    let mut w = pin!(wg.wait());
    assert!(
        poll_once(w.as_mut(), &waker).is_pending(),
        "a wait returned early"
    );
    wg.done();
    assert_eq!(waker.count(), 1);
    assert!(poll_once(w.as_mut(), &waker).is_ready());
    assert_eq!(state(wg), "WaitGroup { counter: 0, waiters: 0 }");
}

#[test]
fn dropped_before_first_poll() {
    let wg = WaitGroup::new();
    wg.add(1);
    drop(wg.wait());
    assert_eq!(state(&wg), "WaitGroup { counter: 1, waiters: 0 }");
    wg.done();
    assert_reusable(&wg);
}

#[test]
fn ready_at_once_on_zero_counter_then_dropped() {
    let wg = WaitGroup::new();
    let waker = Arc::new(CountingWaker::default());
    {
        let mut w = pin!(wg.wait());
        assert!(poll_once(w.as_mut(), &waker).is_ready());
        assert!(
            poll_once(w.as_mut(), &waker).is_ready(),
            "ready stays ready"
        );
    }
    assert_reusable(&wg);
}

/// Where a registered (polled, pending) future is dropped.
#[derive(Debug, Clone, Copy)]
enum DropPoint {
    /// Before the counter reaches zero.
    Registered,
    /// After the last `done` handed it its unit, before it was polled again.
    Released,
    /// After it completed.
    Completed,
}

#[test]
fn dropped_after_registering() {
    for point in [
        DropPoint::Registered,
        DropPoint::Released,
        DropPoint::Completed,
    ] {
        let wg = WaitGroup::new();
        wg.add(1);
        let waker = Arc::new(CountingWaker::default());
        {
            let mut w = pin!(wg.wait());
            assert!(poll_once(w.as_mut(), &waker).is_pending());
            assert_eq!(state(&wg), "WaitGroup { counter: 1, waiters: 1 }");
            if let DropPoint::Released | DropPoint::Completed = point {
                wg.done(); // hands this waiter its unit
                assert_eq!(waker.count(), 1, "{point:?}");
            }
            if let DropPoint::Completed = point {
                assert!(poll_once(w.as_mut(), &waker).is_ready());
            }
        }
        if let DropPoint::Registered = point {
            assert_eq!(state(&wg), "WaitGroup { counter: 1, waiters: 0 }");
            wg.done();
            assert_eq!(waker.count(), 0, "nobody to wake");
        }
        assert_reusable(&wg);
    }
}

/// Two waiters; one is dropped after the release, the other still gets its
/// own unit, and nothing is left over.
#[test]
fn one_of_two_released_waiters_dropped() {
    for drop_first in [true, false] {
        let wg = WaitGroup::new();
        wg.add(1);
        let (wa, wb) = (
            Arc::new(CountingWaker::default()),
            Arc::new(CountingWaker::default()),
        );
        let mut a = Box::pin(wg.wait());
        let mut b = Box::pin(wg.wait());
        assert!(poll_once(a.as_mut(), &wa).is_pending());
        assert!(poll_once(b.as_mut(), &wb).is_pending());
        assert_eq!(state(&wg), "WaitGroup { counter: 1, waiters: 2 }");
        wg.done();
        let (dropped, mut kept, kept_waker) = if drop_first { (a, b, wb) } else { (b, a, wa) };
        drop(dropped);
        assert!(poll_once(kept.as_mut(), &kept_waker).is_ready());
        drop(kept);
        assert_reusable(&wg);
    }
}

/// One of two registered waiters is dropped before the release: the count
/// goes back to one, and the `done` releases exactly the other one.
#[test]
fn one_of_two_waiters_dropped_before_release() {
    let wg = WaitGroup::new();
    wg.add(1);
    let (wa, wb) = (
        Arc::new(CountingWaker::default()),
        Arc::new(CountingWaker::default()),
    );
    let mut a = Box::pin(wg.wait());
    let mut b = Box::pin(wg.wait());
    assert!(poll_once(a.as_mut(), &wa).is_pending());
    assert!(poll_once(b.as_mut(), &wb).is_pending());
    drop(a);
    assert_eq!(state(&wg), "WaitGroup { counter: 1, waiters: 1 }");
    wg.done();
    assert_eq!(wb.count(), 1);
    assert!(poll_once(b.as_mut(), &wb).is_ready());
    drop(b);
    assert_reusable(&wg);
}

/// The reuse check, deterministically: the next round starts after the
/// release but before the released future returns.
#[test]
fn reuse_before_wait_returned_panics() {
    let wg = WaitGroup::new();
    wg.add(1);
    let waker = Arc::new(CountingWaker::default());
    let mut w = Box::pin(wg.wait());
    assert!(poll_once(w.as_mut(), &waker).is_pending());
    wg.done();
    wg.add(1); // misuse: the wait above has not returned
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = poll_once(w.as_mut(), &waker);
    }))
    .expect_err("should panic");
    assert_eq!(
        err.downcast_ref::<&str>().copied(),
        Some("sync: WaitGroup is reused before previous Wait has returned")
    );
}

/// Go's tests on a multi-threaded tokio runtime: tasks finish, the waiter
/// sees all their work; repeated on one group.
#[test]
fn tasks_on_tokio() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let wg = WaitGroup::new();
        for _ in 0..100 {
            let n = Arc::new(AtomicUsize::new(0));
            for _ in 0..8 {
                let guard = wg.guard();
                let n = n.clone();
                tokio::spawn(async move {
                    tokio::task::yield_now().await;
                    n.fetch_add(1, Ordering::Relaxed);
                    drop(guard);
                });
            }
            wg.wait().await;
            assert_eq!(n.load(Ordering::Relaxed), 8);
        }
    });
}

/// Rounds of workers on threads while extra async waiters are dropped at
/// arbitrary points (each polled a round-dependent number of times, racing
/// the workers): a stray unit or registration would let a later round's
/// wait return before its workers finished.
#[test]
fn dropped_waits_race_done_then_group_is_reused() {
    let wg = WaitGroup::new();
    let waker = Arc::new(CountingWaker::default());
    for round in 0..300usize {
        let finished = Arc::new(AtomicUsize::new(0));
        let workers = 3;
        wg.add(workers as isize);
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (wg, finished) = (wg.clone(), finished.clone());
                std::thread::spawn(move || {
                    finished.fetch_add(1, Ordering::SeqCst);
                    wg.done();
                })
            })
            .collect();
        for extra in 0..2 {
            let mut w = Box::pin(wg.wait());
            for _ in 0..(round + extra) % 4 {
                if poll_once(w.as_mut(), &waker).is_ready() {
                    assert_eq!(finished.load(Ordering::SeqCst), workers);
                    break;
                }
            }
        }
        wg.wait_blocking();
        assert_eq!(
            finished.load(Ordering::SeqCst),
            workers,
            "a wait returned early"
        );
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(state(&wg), "WaitGroup { counter: 0, waiters: 0 }");
    }
    assert_reusable(&wg);
}

#[test]
fn futures_and_handles_are_send_and_sync() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<WaitGroup>();
    sync::<WaitGroup>();
    send::<WaitFuture<'static>>();
    send::<gort_waitgroup::DoneGuard>();
}
