//! Waking the parties a channel operation completed (Go: `goready`), always
//! after the channel lock is released, so no `Waker` runs under a gort lock.
//!
//! A `Waker::wake` that panics must not strand the others: when one
//! operation completes several waiters (a close), each is already marked
//! done, so each must be woken. [`wake_all`] wakes them all, then resumes
//! the first panic.

use core::task::Waker;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

/// Wakes `waker`, if any. Call only after unlocking.
#[inline]
pub(crate) fn wake(waker: Option<Waker>) {
    if let Some(w) = waker {
        w.wake();
    }
}

/// Wakes every waker, even if some panic; then `after` runs (e.g. dropping
/// values taken out under the lock), and the first panic, if any, resumes.
/// Call only after unlocking.
pub(crate) fn wake_all(wakers: Vec<Waker>, after: impl FnOnce()) {
    let mut first_panic = None;
    for w in wakers {
        // The wakers are independent: a panic in one leaves the others as
        // they were, so unwind safety is not at stake.
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| w.wake())) {
            first_panic.get_or_insert(p);
        }
    }
    after();
    if let Some(p) = first_panic {
        resume_unwind(p);
    }
}
