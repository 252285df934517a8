//! Introspection for gort's own tests (hidden, unstable): what the heap and
//! the threads look like, and, under loom, the model's clock.

use crate::heap::timers;
use crate::sync::Ordering;
use crate::{Ticker, Timer};

/// Entries in the timer heap (zombies included), as of the last unlock.
pub fn heap_len() -> usize {
    timers().len.load(Ordering::SeqCst)
}

/// Built-in timer threads started so far (0 or 1).
pub fn timer_threads() -> usize {
    crate::driver::threads_started()
}

/// `after_func` runner threads started so far.
pub fn runner_threads() -> usize {
    crate::runner::threads_started()
}

/// Receivers blocked on the timer's channel (Go: `t.blocked`).
pub fn timer_blocked(t: &Timer) -> u32 {
    t.runtime().lock().blocked
}

/// Receivers blocked on the ticker's channel (Go: `t.blocked`).
pub fn ticker_blocked(t: &Ticker) -> u32 {
    t.runtime().lock().blocked
}

/// Moves the model's clock forward (loom only: loom has no real time).
#[cfg(gort_loom)]
pub use crate::clock::advance;
