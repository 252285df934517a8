//! The synchronisation primitives the map is built on: std's and arc-swap's,
//! or loom's under `cfg(gort_loom)` (the house style of gort-park's `sync`).
//!
//! [`ArcCell`] is the one place where the read map's publication differs
//! between the two builds (the hazard slots of hazard.rs use this module's
//! atomics, and loom's statics and thread-locals under loom, so they are
//! modelled too). The real build uses `arc_swap::ArcSwap` plus a raw
//! mirror of the current pointer; loom cannot see inside arc-swap (it uses
//! std atomics and thread-locals), so the model build replaces it with a
//! mutex around an `Arc`, which has the same contract: `load` returns a handle
//! that keeps the loaded value alive, `swap` publishes a new one.

#[cfg(not(gort_loom))]
pub(crate) use std::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering},
};

#[cfg(gort_loom)]
pub(crate) use loom::sync::{
    Arc, Mutex, MutexGuard,
    atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering},
};

pub(crate) use cell::{ArcCell, ReadGuard};

#[cfg(not(gort_loom))]
mod cell {
    use super::{Arc, AtomicPtr, Ordering};
    use core::ops::Deref;

    /// An atomically replaceable `Arc<T>` whose loads write no shared memory
    /// (arc-swap's debt slots are per thread), plus a raw mirror of the
    /// current pointer for [`ArcCell::is_current`].
    pub(crate) struct ArcCell<T> {
        cell: arc_swap::ArcSwap<T>,
        /// The pointer `cell` holds, stored (SeqCst) *before* `cell` is, so a
        /// SeqCst load that sees an old pointer here is ordered before every
        /// load that sees the new one in `cell` (see `ReadOnly::retire`).
        mirror: AtomicPtr<T>,
    }

    /// A loaded `Arc<T>`: arc-swap's guard (a debt in a thread-local slot,
    /// no reference-count traffic in the common case).
    pub(crate) struct ReadGuard<T>(arc_swap::Guard<Arc<T>>);

    impl<T> ArcCell<T> {
        pub(crate) fn new(value: Arc<T>) -> Self {
            Self {
                mirror: AtomicPtr::new(Arc::as_ptr(&value).cast_mut()),
                cell: arc_swap::ArcSwap::new(value),
            }
        }

        #[inline(always)]
        pub(crate) fn load(&self) -> ReadGuard<T> {
            ReadGuard(self.cell.load())
        }

        /// Publishes `new`; returns the previous value. Callers serialise
        /// their swaps (the map's mutex).
        pub(crate) fn swap(&self, new: Arc<T>) -> Arc<T> {
            self.mirror
                .store(Arc::as_ptr(&new).cast_mut(), Ordering::SeqCst);
            self.cell.swap(new)
        }

        /// Whether `ptr` is the published value, as of a SeqCst load.
        #[inline(always)]
        pub(crate) fn is_current(&self, ptr: *const T) -> bool {
            core::ptr::eq(self.current(), ptr)
        }

        /// The published pointer, as of a SeqCst load (not a reference: the
        /// caller must protect it before dereferencing it).
        #[inline(always)]
        pub(crate) fn current(&self) -> *const T {
            self.mirror.load(Ordering::SeqCst)
        }
    }

    impl<T> ReadGuard<T> {
        pub(crate) fn as_ptr(&self) -> *const T {
            Arc::as_ptr(&self.0)
        }

        pub(crate) fn into_arc(self) -> Arc<T> {
            arc_swap::Guard::into_inner(self.0)
        }
    }

    impl<T> Deref for ReadGuard<T> {
        type Target = T;
        #[inline(always)]
        fn deref(&self) -> &T {
            &self.0
        }
    }
}

#[cfg(gort_loom)]
mod cell {
    use super::{Arc, Mutex};
    use core::ops::Deref;

    /// The model of `ArcSwap`: a mutex around an `Arc`.
    pub(crate) struct ArcCell<T> {
        cell: Mutex<Arc<T>>,
    }

    /// A loaded `Arc<T>` (a full clone in the model).
    pub(crate) struct ReadGuard<T>(Arc<T>);

    impl<T> ArcCell<T> {
        pub(crate) fn new(value: Arc<T>) -> Self {
            Self {
                cell: Mutex::new(value),
            }
        }

        pub(crate) fn load(&self) -> ReadGuard<T> {
            ReadGuard(self.cell.lock().unwrap().clone())
        }

        pub(crate) fn swap(&self, new: Arc<T>) -> Arc<T> {
            core::mem::replace(&mut *self.cell.lock().unwrap(), new)
        }

        pub(crate) fn is_current(&self, ptr: *const T) -> bool {
            core::ptr::eq(self.current(), ptr)
        }

        pub(crate) fn current(&self) -> *const T {
            Arc::as_ptr(&self.cell.lock().unwrap())
        }
    }

    impl<T> ReadGuard<T> {
        pub(crate) fn as_ptr(&self) -> *const T {
            Arc::as_ptr(&self.0)
        }

        pub(crate) fn into_arc(self) -> Arc<T> {
            self.0
        }
    }

    impl<T> Deref for ReadGuard<T> {
        type Target = T;
        fn deref(&self) -> &T {
            &self.0
        }
    }
}

/// An `UnsafeCell` whose accesses loom checks (tokio's `with`/`with_mut`
/// shape): a value slot read by a lock-free reader and freed without a
/// happens-before edge from that read is a reported race under loom.
pub(crate) struct UnsafeCell<T> {
    #[cfg(not(gort_loom))]
    inner: core::cell::UnsafeCell<T>,
    #[cfg(gort_loom)]
    inner: loom::cell::UnsafeCell<T>,
}

impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        Self {
            #[cfg(not(gort_loom))]
            inner: core::cell::UnsafeCell::new(value),
            #[cfg(gort_loom)]
            inner: loom::cell::UnsafeCell::new(value),
        }
    }

    pub(crate) fn into_inner(self) -> T {
        self.inner.into_inner()
    }

    /// A shared pointer to the contents (a read access for loom).
    #[inline(always)]
    pub(crate) fn get(&self) -> *const T {
        #[cfg(not(gort_loom))]
        {
            self.inner.get()
        }
        #[cfg(gort_loom)]
        {
            self.inner.with(|p| p)
        }
    }

    /// Records a write access (for loom) just before the contents are freed.
    #[inline(always)]
    pub(crate) fn will_free(&self) {
        #[cfg(gort_loom)]
        self.inner.with_mut(|_| ());
    }
}
