//! `OnceValues`: Go's `sync.OnceValues` (sync/oncefunc.go, go1.23), whose
//! pair of results is a `Result` in Rust.

use crate::OnceValue;
use core::fmt;

/// A fallible computation run at most once (Go: `sync.OnceValues`, whose
/// `(T, error)` pair is a [`Result`] here).
///
/// The first [`get`](Self::get) runs `f`; every call returns its result by
/// reference, `Ok(&T)` or `Err(&E)` (an error is kept, not retried, as in
/// Go). `f` is dropped once it has run; a panic in `f` is raised again, with
/// the same message, on every call.
///
/// ```
/// use gort_once::OnceValues;
///
/// let port: OnceValues<u16, std::num::ParseIntError> =
///     OnceValues::new(|| "8080".parse());
/// assert_eq!(port.get(), Ok(&8080));
///
/// let bad: OnceValues<u16, std::num::ParseIntError> = OnceValues::new(|| "x".parse());
/// assert!(bad.get().is_err());
/// assert!(bad.get().is_err(), "the error is kept");
/// ```
pub struct OnceValues<T, E, F = fn() -> Result<T, E>>(OnceValue<Result<T, E>, F>);

impl<T, E, F: FnOnce() -> Result<T, E>> OnceValues<T, E, F> {
    const_unless_loom! {
        /// Wraps `f`, which runs on the first [`get`](Self::get).
        ///
        /// ```
        /// let v = gort_once::OnceValues::new(|| Ok::<_, ()>(1));
        /// assert_eq!(v.get(), Ok(&1));
        /// ```
        pub fn new(f: F) -> Self {
            Self(OnceValue::new(f))
        }
    }
}

impl<T, E, F: FnOnce() -> Result<T, E>> OnceValues<T, E, F> {
    /// Runs `f` if it has not run yet, and returns its result (Go: the
    /// function `OnceValues` returns).
    ///
    /// # Panics
    ///
    /// If `f` panicked, with the same message on every call.
    ///
    /// ```
    /// let v = gort_once::OnceValues::new(|| Err::<u8, _>("unreachable host"));
    /// assert_eq!(v.get(), Err(&"unreachable host"));
    /// ```
    #[inline]
    #[track_caller]
    pub fn get(&self) -> Result<&T, &E> {
        self.0.get().as_ref()
    }
}

impl<T: fmt::Debug, E: fmt::Debug, F> fmt::Debug for OnceValues<T, E, F> {
    /// ```
    /// let v = gort_once::OnceValues::new(|| Ok::<_, ()>(1));
    /// v.get().unwrap();
    /// assert_eq!(format!("{v:?}"), "OnceValues(OnceValue(Ok(1)))");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceValues").field(&self.0).finish()
    }
}
