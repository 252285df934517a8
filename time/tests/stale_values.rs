//! go1.23's guarantee, with gort's abandoned receives: after `stop` or
//! `reset` returns, no value of the earlier schedule is ever received, even
//! one a sender had already handed to a receive future (or a select arm)
//! that is dropped afterwards.
#![cfg(not(gort_loom))]

use gort_select::select;
use gort_testkit::{Flag, poll_once};
use gort_time::Timer;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Waker;
use std::time::{Duration, Instant};

/// Polls `fut` once with a fresh flag waker, expecting it to wait, then
/// blocks until the timer thread wakes it: by then the timer's value was
/// handed to the future's waiter.
fn wait_for_handoff<F: Future + ?Sized>(mut fut: Pin<&mut F>) {
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    flag.wait();
}

/// The receive future holds v0 (not yet returned); `reset(0)` returns false
/// (v0 was handed over) and fires v1 at once. Dropping the future must not
/// bring v0 back: only v1 is received.
#[test]
fn value_handed_to_a_dropped_recv_future_is_stale_after_reset() {
    let timer = Timer::new(Duration::from_millis(1));
    let reset_at;
    {
        let mut recv = Box::pin(timer.c().recv());
        wait_for_handoff(recv.as_mut());
        reset_at = Instant::now();
        // v1 is due at once: the reset sends it before returning. The
        // future holding v0 is dropped here.
        assert!(!timer.reset(Duration::ZERO), "v0 was handed over");
    }
    let v1 = timer.c().try_recv().expect("v1, the new schedule's value");
    assert!(v1 >= reset_at, "received a value of the earlier schedule");
    assert!(
        timer.c().try_recv().is_err(),
        "two values in a timer channel"
    );
}

/// The same with `stop`: the dropped future's v0 is not received afterwards.
#[test]
fn value_handed_to_a_dropped_recv_future_is_stale_after_stop() {
    let timer = Timer::new(Duration::from_millis(1));
    {
        let mut recv = Box::pin(timer.c().recv());
        wait_for_handoff(recv.as_mut());
        assert!(!timer.stop(), "v0 was handed over");
    }
    assert!(timer.c().try_recv().is_err(), "a value after stop returned");
}

/// The same through a `select!` arm.
#[test]
fn value_handed_to_a_dropped_select_arm_is_stale_after_reset() {
    let timer = Timer::new(Duration::from_millis(1));
    let (_tx, idle) = gort_chan::bounded::<()>(0);
    let reset_at;
    {
        let mut sel = Box::pin(async {
            select! {
                recv(timer.c()) -> v => v.ok(),
                recv(idle) -> _ => None,
            }
        });
        wait_for_handoff(sel.as_mut());
        reset_at = Instant::now();
        assert!(!timer.reset(Duration::ZERO), "v0 was handed over");
    }
    let v1 = timer.c().try_recv().expect("v1, the new schedule's value");
    assert!(v1 >= reset_at, "received a value of the earlier schedule");
    assert!(
        timer.c().try_recv().is_err(),
        "two values in a timer channel"
    );
}

/// Without a stop or reset in between, a value handed to a dropped future
/// is not lost: the next receive gets it (gort-chan's cancel-safety rule).
#[test]
fn value_handed_to_a_dropped_recv_future_comes_back_otherwise() {
    let start = Instant::now();
    let timer = Timer::new(Duration::from_millis(1));
    {
        let mut recv = Box::pin(timer.c().recv());
        wait_for_handoff(recv.as_mut());
    }
    let v0 = timer.c().try_recv().expect("the value came back");
    assert!(v0 >= start + Duration::from_millis(1));
    assert!(!timer.stop(), "its value was received");
}
