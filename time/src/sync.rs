//! The primitives gort-time builds on: gort-park's loom/std switch, plus the
//! few atomics it does not re-export (DESIGN.md §4).

pub(crate) use gort_park::sync::{AtomicU64, AtomicUsize, Ordering, WakerCell};
pub(crate) use gort_park::{Mutex, MutexGuard};

#[cfg(not(gort_loom))]
pub(crate) use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU8};

#[cfg(gort_loom)]
pub(crate) use loom::sync::atomic::{AtomicI32, AtomicI64, AtomicU8};
