//! The read map's cell: an atomically replaceable `Arc`, the one place
//! where the map's std and loom builds differ beyond gort-sync's switch.
//!
//! The real build uses `arc_swap::ArcSwap` plus a raw mirror of the current
//! pointer; loom cannot see inside arc-swap (it uses std atomics and
//! thread-locals), so the model build replaces it with a mutex around an
//! `Arc`, which has the same contract: `load` returns a handle that keeps
//! the loaded value alive, `swap` publishes a new one. (The hazard slots of
//! hazard.rs use gort-sync's atomics, and loom's statics and thread-locals
//! under loom, so they are modelled too.)

pub(crate) use cell::{ArcCell, ReadGuard};

#[cfg(not(gort_loom))]
mod cell {
    use crate::sync::{Arc, AtomicPtr, Ordering};
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
    use crate::sync::{Arc, Mutex};
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
