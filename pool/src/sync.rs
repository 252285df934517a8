//! The synchronisation primitives the pool is built on: std's, or loom's under
//! `cfg(gort_loom)` (DESIGN.md §4), so one `RUSTFLAGS="--cfg gort_loom"` build
//! puts the whole protocol under the model checker.
//!
//! Besides re-exports this module holds the few things whose std and loom
//! forms differ: an `UnsafeCell` with loom's `with`/`with_mut` shape, the
//! `global!` and `thread_local!` declarations (loom needs per-execution
//! statics and thread-locals), the spin-wait step, and `Liveness`, the
//! use-after-free detector the loom models rely on.

#[cfg(not(gort_loom))]
pub(crate) use std::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering},
};
#[cfg(not(gort_loom))]
pub(crate) use std::thread_local;

#[cfg(gort_loom)]
pub(crate) use loom::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering},
};
#[cfg(gort_loom)]
pub(crate) use loom::thread_local;

#[cfg(gort_loom)]
pub(crate) use loom::sync::Arc;
/// `Arc` for the hidden test surface ([`crate::raw`]): loom's under the model,
/// so the model sees the handles' synchronisation.
#[cfg(not(gort_loom))]
pub(crate) use std::sync::Arc;

/// Declares a process-wide value, built on first use (`LazyLock`).
///
/// Under loom it is built once per model execution and leaked: loom drops its
/// statics when the model's closure returns, but runs the thread-local
/// destructors of spawned threads (which use these values) after their
/// `join` has returned, so the values must outlive the statics.
#[cfg(not(gort_loom))]
macro_rules! global {
    ($(#[$m:meta])* static $name:ident: $t:ty = $init:expr;) => {
        $(#[$m])*
        static $name: std::sync::LazyLock<$t> = std::sync::LazyLock::new(|| $init);
    };
}
#[cfg(gort_loom)]
macro_rules! global {
    ($(#[$m:meta])* static $name:ident: $t:ty = $init:expr;) => {
        loom::lazy_static! {
            $(#[$m])*
            static ref $name: &'static $t = Box::leak(Box::new($init));
        }
    };
}
pub(crate) use global;

/// Locks `m`, ignoring poisoning: every critical section in this crate leaves
/// its data consistent at every point where it could panic.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An `UnsafeCell` whose accesses loom can check (tokio's `with`/`with_mut` shape).
#[derive(Debug)]
pub(crate) struct UnsafeCell<T> {
    #[cfg(not(gort_loom))]
    inner: core::cell::UnsafeCell<T>,
    #[cfg(gort_loom)]
    inner: loom::cell::UnsafeCell<T>,
}

impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    pub(crate) fn new(value: T) -> Self {
        Self {
            #[cfg(not(gort_loom))]
            inner: core::cell::UnsafeCell::new(value),
            #[cfg(gort_loom)]
            inner: loom::cell::UnsafeCell::new(value),
        }
    }

    /// Runs `f` with a shared pointer to the contents.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
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
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
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

/// One step of a spin-wait: crossbeam's backoff (spin, then yield the
/// thread); under loom a yield, so the model schedules the awaited thread.
#[derive(Debug, Default)]
pub(crate) struct SpinWait {
    #[cfg(not(gort_loom))]
    backoff: crossbeam_utils::Backoff,
}

impl SpinWait {
    /// Waits a little.
    pub(crate) fn snooze(&self) {
        #[cfg(not(gort_loom))]
        self.backoff.snooze();
        #[cfg(gort_loom)]
        loom::thread::yield_now();
    }
}

/// A use-after-free detector for memory that is freed while other threads may
/// still hold pointers to it (the pool's generations, see `generation.rs`).
///
/// Under loom, every use of the memory reads this cell and freeing it writes
/// it, so a free that does not happen after every use is reported by loom as
/// a causality violation. In normal builds it is a zero-sized no-op.
#[derive(Debug)]
pub(crate) struct Liveness {
    #[cfg(gort_loom)]
    cell: loom::cell::UnsafeCell<()>,
}

impl Liveness {
    /// A live object.
    pub(crate) fn new() -> Self {
        Self {
            #[cfg(gort_loom)]
            cell: loom::cell::UnsafeCell::new(()),
        }
    }

    /// Records a use.
    #[inline(always)]
    #[cfg_attr(gort_loom, track_caller)]
    pub(crate) fn used(&self) {
        #[cfg(gort_loom)]
        self.cell.with(|_| ());
    }

    /// Records the free: every recorded use must happen before this.
    #[cfg_attr(gort_loom, track_caller)]
    pub(crate) fn freed(&self) {
        #[cfg(gort_loom)]
        self.cell.with_mut(|_| ());
    }
}
