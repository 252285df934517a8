//! `OnceFunc`: Go's `sync.OnceFunc` (sync/oncefunc.go, go1.23).

use crate::OnceValue;
use core::fmt;

/// A function that runs at most once, however often it is called (Go:
/// `sync.OnceFunc`).
///
/// The first [`call`](Self::call) runs `f` (other callers block until it
/// finishes); later calls do nothing. `f` is dropped once it has run. If `f`
/// panics, every call panics with the same message (the first with `f`'s own
/// payload).
///
/// ```
/// use gort_once::OnceFunc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// static CALLS: AtomicUsize = AtomicUsize::new(0);
/// static INIT: OnceFunc = OnceFunc::new(|| {
///     CALLS.fetch_add(1, Ordering::Relaxed);
/// });
///
/// INIT.call();
/// INIT.call();
/// assert_eq!(CALLS.load(Ordering::Relaxed), 1);
/// ```
pub struct OnceFunc<F = fn()>(OnceValue<(), F>);

impl<F: FnOnce()> OnceFunc<F> {
    const_unless_loom! {
        /// Wraps `f`, which runs on the first [`call`](Self::call).
        ///
        /// ```
        /// let f = gort_once::OnceFunc::new(|| println!("once"));
        /// f.call();
        /// ```
        pub fn new(f: F) -> Self {
            Self(OnceValue::new(f))
        }
    }
}

impl<F: FnOnce()> OnceFunc<F> {
    /// Runs `f` if it has not run yet (Go: the function `OnceFunc` returns).
    ///
    /// # Panics
    ///
    /// If `f` panicked, with the same message on every call.
    ///
    /// ```
    /// let mut n = 0;
    /// let f = gort_once::OnceFunc::new(|| n += 1);
    /// f.call();
    /// f.call();
    /// drop(f);
    /// assert_eq!(n, 1);
    /// ```
    #[inline]
    #[track_caller]
    pub fn call(&self) {
        self.0.get();
    }
}

impl<F> fmt::Debug for OnceFunc<F> {
    /// ```
    /// let f = gort_once::OnceFunc::new(|| {});
    /// f.call();
    /// assert_eq!(format!("{f:?}"), "OnceFunc(OnceValue(()))");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceFunc").field(&self.0).finish()
    }
}
