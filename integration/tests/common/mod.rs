//! Helpers shared by the test files.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// A value received from a timer set for `d` at `start` (read before the
/// timer was made) must not be earlier than `start + d`, nor later than the
/// moment it was received.
#[track_caller]
pub fn assert_fired_in_time(value: Instant, start: Instant, d: Duration) {
    assert!(
        value >= start + d,
        "fired early: {:?} before the deadline",
        (start + d) - value
    );
    assert!(value <= Instant::now(), "a fire time from the future");
}

/// A multi-threaded tokio runtime.
pub fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap()
}

/// Spins (yielding) until `cond` holds: synchronisation on an observable
/// state, never on elapsed time.
pub fn wait_until(mut cond: impl FnMut() -> bool) {
    while !cond() {
        std::thread::yield_now();
    }
}

pub const MS: Duration = Duration::from_millis(1);
pub const HOUR: Duration = Duration::from_secs(3600);
