//! A `Waker` whose `wake` panics loses at most its own wake-up: the timer
//! thread survives it, and every other timer keeps working.
#![cfg(not(gort_loom))]

use gort_time::{after, sleep};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Wake, Waker};
use std::time::Duration;

/// Records that it was woken, then panics.
#[derive(Default)]
struct Bomb {
    woken: AtomicBool,
}

impl Wake for Bomb {
    fn wake(self: Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        panic!("a waker that panics");
    }
}

#[test]
fn a_panicking_waker_does_not_kill_the_timer_thread() {
    let bomb = Arc::new(Bomb::default());
    let waker = Waker::from(bomb.clone());
    // A sleep that is still pending when first polled (on a slow machine a
    // short one may already be due: try longer ones), so that the timer
    // thread is the one that wakes it.
    let mut nap = Duration::from_millis(5);
    let _sleep = loop {
        let mut s = Box::pin(sleep(nap));
        if s.as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
        {
            break s;
        }
        nap *= 10;
    };
    // The timer thread fires the sleep and runs the panicking wake.
    while !bomb.woken.load(Ordering::SeqCst) {
        std::thread::yield_now();
    }
    // Timers still fire: this one needs the timer thread (the receiver
    // blocks, which puts the timer in the heap). The generous bound only
    // keeps a regression from hanging the test run.
    let fired = after(Duration::from_millis(1)).recv_timeout(Duration::from_secs(60));
    assert!(fired.is_ok(), "the timer thread died with the waker");
}
