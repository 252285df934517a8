//! Go's `sync.Map` (go1.23, the read/dirty design of `sync/map.go`), ported.
#![deny(unsafe_op_in_unsafe_fn)]

mod entry;
mod hashed;
#[cfg(not(gort_loom))]
mod hazard;
mod locked;
mod map;
mod reclaim;
mod sync;

pub use map::SyncMap;
mod set;
mod traits;

pub use set::SyncSet;
