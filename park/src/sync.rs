//! The synchronisation primitives gort builds on: std's, or loom's under
//! `cfg(gort_loom)` (DESIGN.md §4).
//!
//! Every gort crate that waits goes through this module, so one
//! `RUSTFLAGS="--cfg gort_loom"` build puts the whole protocol under the model
//! checker. The module is public but hidden: it is a workspace-internal surface.

#[cfg(not(gort_loom))]
pub use std::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence},
};
#[cfg(not(gort_loom))]
pub use std::thread;

#[cfg(gort_loom)]
pub use loom::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence},
};
#[cfg(gort_loom)]
pub use loom::thread;

/// An `UnsafeCell` whose accesses loom can check (tokio's `with`/`with_mut` shape).
#[derive(Debug)]
pub struct UnsafeCell<T: ?Sized> {
    #[cfg(not(gort_loom))]
    inner: core::cell::UnsafeCell<T>,
    #[cfg(gort_loom)]
    inner: loom::cell::UnsafeCell<T>,
}

impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    #[cfg(not(gort_loom))]
    pub const fn new(value: T) -> Self {
        Self {
            inner: core::cell::UnsafeCell::new(value),
        }
    }

    /// Wraps `value`.
    #[cfg(gort_loom)]
    pub fn new(value: T) -> Self {
        Self {
            inner: loom::cell::UnsafeCell::new(value),
        }
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    /// Runs `f` with a shared pointer to the contents.
    #[inline(always)]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        #[cfg(not(gort_loom))]
        {
            f(self.inner.get())
        }
        #[cfg(gort_loom)]
        {
            self.inner.with(f)
        }
    }

    /// Runs `f` with a unique pointer to the contents.
    #[inline(always)]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(not(gort_loom))]
        {
            f(self.inner.get())
        }
        #[cfg(gort_loom)]
        {
            self.inner.with_mut(f)
        }
    }
}

/// A waker slot that one party registers into and another takes from
/// (`atomic_waker::AtomicWaker`, or loom's model of it).
#[derive(Debug, Default)]
pub struct WakerCell {
    #[cfg(not(gort_loom))]
    inner: atomic_waker::AtomicWaker,
    #[cfg(gort_loom)]
    inner: loom::future::AtomicWaker,
}

impl WakerCell {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores a clone of `waker` unless an equivalent one is already stored.
    #[inline]
    pub fn register(&self, waker: &core::task::Waker) {
        #[cfg(not(gort_loom))]
        self.inner.register(waker);
        #[cfg(gort_loom)]
        self.inner.register_by_ref(waker);
    }

    /// Takes the stored waker, if any.
    #[inline]
    pub fn take(&self) -> Option<core::task::Waker> {
        #[cfg(not(gort_loom))]
        {
            self.inner.take()
        }
        #[cfg(gort_loom)]
        {
            self.inner.take_waker()
        }
    }
}

/// A spin-wait hint; under loom a yield, so the model can make progress.
#[inline(always)]
pub fn spin_loop() {
    #[cfg(not(gort_loom))]
    core::hint::spin_loop();
    #[cfg(gort_loom)]
    loom::thread::yield_now();
}
