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

/// Polls `fut` once; if it waits, blocks until the timer thread wakes it
/// (by then the timer's value was handed to its waiter) and returns true.
/// False if the value was there at once (the timer was already due).
fn handed_over<F: Future + ?Sized>(fut: Pin<&mut F>) -> bool {
    let flag = Arc::new(Flag::default());
    if poll_once(fut, &Waker::from(flag.clone())).is_ready() {
        return false;
    }
    flag.wait();
    true
}

/// Runs `$body` with `$timer` and `$fut` (made by `$make`) once the timer
/// thread handed the timer's value to `$fut`. On a slow machine a short
/// timer may be due before `$fut` is first polled: longer ones are tried.
macro_rules! with_handoff {
    (|$timer:ident, $fut:ident| $make:expr => $body:block) => {{
        let mut d = Duration::from_millis(1);
        loop {
            let $timer = Timer::new(d);
            let mut $fut = Box::pin($make);
            if handed_over($fut.as_mut()) {
                $body;
                break;
            }
            d *= 10;
        }
    }};
}

/// The receive future holds v0 (not yet returned); `reset(0)` returns false
/// (v0 was handed over) and fires v1 at once. Dropping the future must not
/// bring v0 back: only v1 is received.
#[test]
fn value_handed_to_a_dropped_recv_future_is_stale_after_reset() {
    with_handoff!(|timer, recv| timer.c().recv() => {
        let reset_at = Instant::now();
        // v1 is due at once: the reset sends it before returning.
        assert!(!timer.reset(Duration::ZERO), "v0 was handed over");
        drop(recv); // holding v0
        let v1 = timer.c().try_recv().expect("v1, the new schedule's value");
        assert!(v1 >= reset_at, "received a value of the earlier schedule");
        assert!(timer.c().try_recv().is_err(), "two values in a timer channel");
    });
}

/// The same with `stop`: the dropped future's v0 is not received afterwards.
#[test]
fn value_handed_to_a_dropped_recv_future_is_stale_after_stop() {
    with_handoff!(|timer, recv| timer.c().recv() => {
        assert!(!timer.stop(), "v0 was handed over");
        drop(recv);
        assert!(timer.c().try_recv().is_err(), "a value after stop returned");
        assert!(!timer.stop(), "stopped already");
    });
}

/// A reset to a later time: v0 is not received, and the new schedule is
/// pending.
#[test]
fn value_handed_to_a_dropped_recv_future_is_stale_after_a_later_reset() {
    with_handoff!(|timer, recv| timer.c().recv() => {
        assert!(!timer.reset(Duration::from_secs(3600)), "v0 was handed over");
        drop(recv);
        assert!(timer.c().try_recv().is_err(), "a value of the earlier schedule");
        assert!(timer.stop(), "the new schedule is pending");
    });
}

/// The same through a `select!` arm.
#[test]
fn value_handed_to_a_dropped_select_arm_is_stale_after_reset() {
    let (_tx, idle) = gort_chan::bounded::<()>(0);
    with_handoff!(|timer, sel| async {
        select! {
            recv(timer.c()) -> v => v.ok(),
            recv(idle) -> _ => None,
        }
    } => {
        let reset_at = Instant::now();
        assert!(!timer.reset(Duration::ZERO), "v0 was handed over");
        drop(sel);
        let v1 = timer.c().try_recv().expect("v1, the new schedule's value");
        assert!(v1 >= reset_at, "received a value of the earlier schedule");
        assert!(timer.c().try_recv().is_err(), "two values in a timer channel");
    });
}

/// Without a stop or reset in between, a value handed to a dropped future
/// is not lost: the next receive gets it (gort-chan's cancel-safety rule).
#[test]
fn value_handed_to_a_dropped_recv_future_comes_back_otherwise() {
    let start = Instant::now();
    with_handoff!(|timer, recv| timer.c().recv() => {
        drop(recv);
        let v0 = timer.c().try_recv().expect("the value came back");
        assert!(v0 > start);
        assert!(!timer.stop(), "its value was received");
    });
}
