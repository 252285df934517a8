//! `DoneGuard`: Go's `defer wg.Done()`, as a value.

use crate::WaitGroup;
use core::fmt;

/// Calls [`WaitGroup::done`] when dropped; made by [`WaitGroup::guard`].
///
/// The drop also happens when a panic unwinds through the guard's owner, and
/// then it never panics: a `done` that would drive the counter negative is
/// skipped, because a second panic during unwinding aborts the process.
///
/// ```
/// use gort_waitgroup::WaitGroup;
///
/// let wg = WaitGroup::new();
/// let guard = wg.guard();
/// assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 1, waiters: 0 }");
/// drop(guard);
/// assert_eq!(format!("{wg:?}"), "WaitGroup { counter: 0, waiters: 0 }");
/// ```
#[must_use = "dropping the guard calls `done` at once"]
pub struct DoneGuard {
    wg: WaitGroup,
}

impl DoneGuard {
    pub(crate) fn new(wg: WaitGroup) -> Self {
        Self { wg }
    }
}

impl Drop for DoneGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.wg.inner.done_unwinding();
        } else {
            self.wg.done();
        }
    }
}

impl fmt::Debug for DoneGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DoneGuard").field("wg", &self.wg).finish()
    }
}
