//! What gort's tests (and benchmarks) share: a counting global allocator
//! ([`alloc`]), wakers and polling helpers ([`waker`]), and values whose
//! drops are counted ([`tracked`]). A dev-dependency only; not published.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod alloc;
pub mod tracked;
pub mod waker;

pub use alloc::{Allocated, CountingAlloc, allocated_by, kept_by};
pub use tracked::{Tracked, Tracker};
pub use waker::{CountingWaker, Flag, counting_waker, poll_noop, poll_once};
