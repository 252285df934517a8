//! A timer hook that unwinds while a receiver queues on a timer channel
//! (here an installed driver whose `wake` panics; in a process out of
//! threads, the timer thread's spawn would) leaves no waiter behind: the
//! panic reaches the receiver, and the channel works on.
#![cfg(not(gort_loom))]

use gort_time::Timer;
use gort_time::driver::{Driver, install, run_timers};
use std::panic::catch_unwind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Panics on its first wake-up only.
struct PanicOnce(AtomicBool);

impl Driver for PanicOnce {
    fn wake(&self, _deadline: Instant) {
        if !self.0.swap(true, Ordering::SeqCst) {
            panic!("a driver that panics");
        }
    }
}

#[test]
fn a_panicking_hook_leaves_no_waiter_behind() {
    install(Box::new(PanicOnce(AtomicBool::new(false)))).expect("first driver");
    let timer = Timer::new(Duration::from_secs(3600));
    // The receiver queues, its timer goes to the heap, the driver panics.
    let waited = catch_unwind(|| timer.c().recv_timeout(Duration::from_secs(3600)));
    assert!(waited.is_err(), "the hook's panic reaches the receiver");
    // A reset to now sends the value at once: into the channel, since nobody
    // waits any more (before the fix it went to the unwound receiver's freed
    // waiter: a segmentation fault).
    timer.reset(Duration::ZERO);
    assert!(timer.c().try_recv().is_ok(), "the value was lost");
    assert!(!timer.stop(), "the value was received");
    // The heap is consistent: running it finds nothing due.
    run_timers();
}
