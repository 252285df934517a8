//! The primitives gort-time builds on: gort-park's loom/std switch, plus the
//! few atomics it does not re-export (DESIGN.md §4).

pub(crate) use gort_park::sync::{AtomicU64, AtomicUsize, Mutex, MutexGuard, Ordering, WakerCell};

#[cfg(not(gort_loom))]
pub(crate) use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU8};

#[cfg(gort_loom)]
pub(crate) use loom::sync::atomic::{AtomicI32, AtomicI64, AtomicU8};

/// Locks `m`. No user code runs under a gort-time lock, so a poisoned lock
/// can only come from a bug inside gort-time; every critical section leaves
/// its data consistent before anything that could panic, so carrying on is
/// sound.
#[inline]
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
