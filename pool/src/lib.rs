//! Go's `sync.Pool`, ported from go1.23 (sync/pool.go, sync/poolqueue.go).
#![deny(unsafe_op_in_unsafe_fn)]

mod barrier;
mod chain;
mod dequeue;
mod generation;
mod live;
mod local;
mod pool;
#[doc(hidden)]
pub mod raw;
mod registry;
mod segments;
mod sync;

pub use pool::Pool;
