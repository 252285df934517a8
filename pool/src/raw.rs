//! The internal queues, exposed for gort-pool's own tests and models (Go's
//! `export_test.go`: `NewPoolDequeue`, `NewPoolChain`). Not a stable API.
//!
//! The single-producer rule is enforced by the types: a queue has one
//! producer handle (pushes and pops at the head, through `&mut self`) and any
//! number of cloned stealer handles (pop at the tail).

use crate::chain::PoolChain;
use crate::dequeue::PoolDequeue;
use crate::registry;
use crate::sync::Arc;
use core::fmt;

/// How many thread ids have been handed out: one past the largest (ids of
/// exited threads are reused, lowest first).
pub fn thread_ids() -> usize {
    registry::len()
}

/// A fixed-size ring of `len` slots (a power of two) whose indexes start at
/// `start` (Go's `NewPoolDequeue` starts at `2^32 - 500`, to cross the index
/// wrap-around).
pub fn dequeue<T: Send>(len: usize, start: u32) -> (DequeueProducer<T>, DequeueStealer<T>) {
    let d = Arc::new(PoolDequeue::new(len, start));
    (DequeueProducer(d.clone()), DequeueStealer(d))
}

/// The producer of a [`dequeue`].
pub struct DequeueProducer<T>(Arc<PoolDequeue<T>>);

impl<T: Send> DequeueProducer<T> {
    /// Go's `PushHead`: gives `v` back if the ring is full.
    pub fn push_head(&mut self, v: T) -> Result<(), T> {
        // SAFETY: the only producer handle, borrowed mutably.
        unsafe { self.0.push_head(v) }
    }

    /// Go's `PopHead`.
    pub fn pop_head(&mut self) -> Option<T> {
        // SAFETY: as above.
        unsafe { self.0.pop_head() }
    }
}

/// A consumer of a [`dequeue`].
pub struct DequeueStealer<T>(Arc<PoolDequeue<T>>);

impl<T: Send> DequeueStealer<T> {
    /// Go's `PopTail`.
    pub fn pop_tail(&self) -> Option<T> {
        self.0.pop_tail()
    }
}

impl<T> Clone for DequeueStealer<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

/// An unbounded chain of rings (Go's `NewPoolChain`).
pub fn chain<T: Send>() -> (ChainProducer<T>, ChainStealer<T>) {
    let c = Arc::new(PoolChain::new());
    (ChainProducer(c.clone()), ChainStealer(c))
}

/// The producer of a [`chain`].
pub struct ChainProducer<T>(Arc<PoolChain<T>>);

impl<T: Send> ChainProducer<T> {
    /// Go's `PushHead` (always succeeds).
    pub fn push_head(&mut self, v: T) {
        // SAFETY: the only producer handle, borrowed mutably.
        unsafe { self.0.push_head(v) }
    }

    /// Go's `PopHead`.
    pub fn pop_head(&mut self) -> Option<T> {
        // SAFETY: as above.
        unsafe { self.0.pop_head() }
    }
}

/// A consumer of a [`chain`].
pub struct ChainStealer<T>(Arc<PoolChain<T>>);

impl<T: Send> ChainStealer<T> {
    /// Go's `PopTail`.
    pub fn pop_tail(&self) -> Option<T> {
        self.0.pop_tail()
    }
}

impl<T> Clone for ChainStealer<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

macro_rules! opaque_debug {
    ($($t:ident),*) => {$(
        impl<T> fmt::Debug for $t<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}
opaque_debug!(DequeueProducer, DequeueStealer, ChainProducer, ChainStealer);
