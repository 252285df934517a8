//! A pooled value that goes back to its pool when dropped (Go's
//! `defer pool.Put(x)` after a `Get`).

use crate::pool::Pool;
use core::fmt;
use core::mem::ManuallyDrop;
use core::ops::{Deref, DerefMut};

/// A value taken from a [`Pool`] by [`Pool::get_guard`]: it derefs to the
/// value and puts it back into the pool when dropped (also when unwinding),
/// as Go code writes `x := p.Get(); defer p.Put(x)`. [`PoolGuard::take`]
/// keeps the value instead.
///
/// ```
/// use gort_pool::Pool;
///
/// let buffers: Pool<Vec<u8>> = Pool::new(Vec::new);
/// {
///     let mut buf = buffers.get_guard();
///     buf.clear();
///     buf.extend_from_slice(b"scratch");
/// } // back in the pool here
/// assert_eq!(buffers.try_get().as_deref(), Some(&b"scratch"[..]));
/// ```
#[must_use = "dropping the guard at once puts the value straight back"]
pub struct PoolGuard<'a, T: Send> {
    pool: &'a Pool<T>,
    /// Always initialised, except inside `take` and `drop`.
    value: ManuallyDrop<T>,
}

impl<T: Send> Pool<T> {
    /// [`get`](Pool::get), with the value put back when the returned guard
    /// is dropped (Go: `Get` plus a deferred `Put`).
    #[inline]
    pub fn get_guard(&self) -> PoolGuard<'_, T> {
        PoolGuard {
            pool: self,
            value: ManuallyDrop::new(self.get()),
        }
    }
}

impl<T: Send> PoolGuard<'_, T> {
    /// Keeps the value: it does not go back to the pool.
    ///
    /// ```
    /// let pool = gort_pool::Pool::new(|| 7);
    /// let v = pool.get_guard().take();
    /// assert_eq!(v, 7);
    /// assert_eq!(pool.try_get(), None);
    /// ```
    pub fn take(self) -> T {
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so `value` is read exactly once.
        unsafe { ManuallyDrop::take(&mut this.value) }
    }
}

impl<T: Send> Deref for PoolGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Send> DerefMut for PoolGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: Send> Drop for PoolGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: `drop` runs once, and `take` (the only other reader)
        // keeps the guard from being dropped.
        let value = unsafe { ManuallyDrop::take(&mut self.value) };
        self.pool.put(value);
    }
}

impl<T: Send + fmt::Debug> fmt::Debug for PoolGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PoolGuard").field(&*self.value).finish()
    }
}
