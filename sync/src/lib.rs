//! The synchronisation primitives every gort crate is built on: std's (and
//! atomic-waker's, crossbeam-utils'), or loom's when built with
//! `RUSTFLAGS="--cfg gort_loom"`. One switch for the whole workspace, so one
//! loom build puts every crate's protocol under the model checker.
//!
//! Besides re-exports it holds the few things whose std and loom forms
//! differ: an `UnsafeCell` with loom's `with`/`with_mut` shape, a waker slot,
//! the spin-wait step, process-wide lazily built values ([`global!`]), and
//! [`Liveness`], a use-after-free detector for loom models.
//!
//! Workspace-internal: no stable API, released together with the crates
//! that use it. The cfg is gort's own (`gort_loom`, not `loom`), so that
//! dependencies such as tokio do not switch to loom too.
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(not(gort_loom))]
pub use std::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{
        AtomicBool, AtomicI32, AtomicI64, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize,
        Ordering, fence,
    },
};
#[cfg(not(gort_loom))]
pub use std::{thread, thread_local};

#[cfg(gort_loom)]
pub use loom::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{
        AtomicBool, AtomicI32, AtomicI64, AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize,
        Ordering, fence,
    },
};
#[cfg(gort_loom)]
pub use loom::{thread, thread_local};

/// What [`global!`] expands to under loom.
#[cfg(gort_loom)]
#[doc(hidden)]
pub use loom::lazy_static as __lazy_static;

/// Declares a process-wide value, built on first use (`LazyLock`).
///
/// Under loom it is built once per model execution and leaked: loom drops its
/// statics when the model's closure returns, but runs the thread-local
/// destructors of spawned threads (which may use these values) after their
/// `join` has returned, so the values must outlive the statics.
#[cfg(not(gort_loom))]
#[macro_export]
macro_rules! global {
    ($(#[$m:meta])* static $name:ident: $t:ty = $init:expr;) => {
        $(#[$m])*
        static $name: ::std::sync::LazyLock<$t> = ::std::sync::LazyLock::new(|| $init);
    };
}

/// Declares a process-wide value, built on first use (`LazyLock`).
///
/// Under loom it is built once per model execution and leaked: loom drops its
/// statics when the model's closure returns, but runs the thread-local
/// destructors of spawned threads (which may use these values) after their
/// `join` has returned, so the values must outlive the statics.
#[cfg(gort_loom)]
#[macro_export]
macro_rules! global {
    ($(#[$m:meta])* static $name:ident: $t:ty = $init:expr;) => {
        $crate::__lazy_static! {
            $(#[$m])*
            static ref $name: &'static $t = ::std::boxed::Box::leak(::std::boxed::Box::new($init));
        }
    };
}

/// Locks `m`, ignoring poisoning: for data whose critical sections leave it
/// consistent at every point where they could panic.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An `UnsafeCell` whose accesses loom can check (tokio's `with`/`with_mut`
/// shape): an access not ordered with a conflicting one is a reported race
/// under loom.
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
    /// Runs `f` with a shared pointer to the contents (a read access).
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

    /// Runs `f` with a unique pointer to the contents (a write access).
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

    /// A shared pointer to the contents that outlives the access (loom sees
    /// a read now; later reads through the pointer are the caller's to
    /// order).
    #[inline(always)]
    pub fn get(&self) -> *const T {
        self.with(|p| p)
    }

    /// Records a write access (for loom) just before the contents are
    /// freed, so a read not ordered before the free is reported.
    #[inline(always)]
    pub fn will_free(&self) {
        self.with_mut(|_| ());
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

/// One step of a spin-wait: crossbeam's backoff (spin, then yield the
/// thread); under loom a yield, so the model schedules the awaited thread.
#[derive(Debug, Default)]
pub struct SpinWait {
    #[cfg(not(gort_loom))]
    backoff: crossbeam_utils::Backoff,
}

impl SpinWait {
    /// A fresh spin-wait.
    pub fn new() -> Self {
        Self::default()
    }

    /// Waits a little.
    pub fn snooze(&self) {
        #[cfg(not(gort_loom))]
        self.backoff.snooze();
        #[cfg(gort_loom)]
        loom::thread::yield_now();
    }
}

/// A use-after-free detector for memory that is freed while other threads
/// may still hold pointers to it.
///
/// Under loom, every use of the memory reads this cell and freeing it writes
/// it, so a free that does not happen after every use is reported by loom as
/// a causality violation. In normal builds it is a zero-sized no-op.
#[derive(Debug)]
pub struct Liveness {
    #[cfg(gort_loom)]
    cell: loom::cell::UnsafeCell<()>,
}

impl Default for Liveness {
    fn default() -> Self {
        Self::new()
    }
}

impl Liveness {
    /// A live object.
    pub fn new() -> Self {
        Self {
            #[cfg(gort_loom)]
            cell: loom::cell::UnsafeCell::new(()),
        }
    }

    /// Records a use.
    #[inline(always)]
    #[cfg_attr(gort_loom, track_caller)]
    pub fn used(&self) {
        #[cfg(gort_loom)]
        self.cell.with(|_| ());
    }

    /// Records the free: every recorded use must happen before this.
    #[cfg_attr(gort_loom, track_caller)]
    pub fn freed(&self) {
        #[cfg(gort_loom)]
        self.cell.with_mut(|_| ());
    }
}
