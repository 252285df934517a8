//! Port of `poolChain` (sync/poolqueue.go): an unbounded single-producer,
//! multi-consumer queue made of [`PoolDequeue`] rings, each twice the size of
//! the one before. The producer pushes to and pops from the newest ring (the
//! head); consumers pop from the oldest (the tail) and unlink a ring once it
//! is drained and a newer one exists.
//!
//! Deviation from Go: Go lets the garbage collector free an unlinked ring once
//! no thief still reads it. Here a ring is freed only with its chain (the
//! chain belongs to a pool generation, freed after a grace period: see
//! `generation.rs`), so no thief or backing-up producer can ever read a freed ring.
//! Rings double, so the unlinked ones together are smaller than the head
//! ring: memory stays within twice what Go holds.

use crate::dequeue::{DEQUEUE_LIMIT, PoolDequeue};
use crate::sync::{AtomicPtr, Ordering, UnsafeCell};
use core::ptr;

/// Go's `initSize` for the first ring (a power of two). The loom models use
/// 2, so that a model can make the chain grow in a few steps.
const INIT_SIZE: usize = if cfg!(gort_loom) { 2 } else { 8 };

/// Port of `poolChainElt` (sync/poolqueue.go).
struct Elt<T> {
    dequeue: PoolDequeue<T>,
    /// Written by the producer, only from null to non-null.
    next: AtomicPtr<Elt<T>>,
    /// Written by consumers, only from non-null to null.
    prev: AtomicPtr<Elt<T>>,
    /// The ring created before this one, fixed at creation (not in Go): the
    /// list the chain frees when it is dropped.
    older: *mut Elt<T>,
}

impl<T> Elt<T> {
    fn alloc(len: usize, prev: *mut Elt<T>) -> *mut Elt<T> {
        Box::into_raw(Box::new(Elt {
            dequeue: PoolDequeue::new(len, 0),
            next: AtomicPtr::new(ptr::null_mut()),
            prev: AtomicPtr::new(prev),
            older: prev,
        }))
    }
}

/// Port of `poolChain` (sync/poolqueue.go).
pub(crate) struct PoolChain<T> {
    /// Go's `head`: the ring to push to; the producer's alone.
    head: UnsafeCell<*mut Elt<T>>,
    /// Go's `tail`: the ring to steal from.
    tail: AtomicPtr<Elt<T>>,
}

// SAFETY: the chain owns its rings (raw pointers), which are `Send + Sync`
// for `T: Send`; `head` is touched only by the single producer.
unsafe impl<T: Send> Send for PoolChain<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for PoolChain<T> {}

impl<T> PoolChain<T> {
    /// An empty chain; the first ring is allocated by the first push.
    pub(crate) fn new() -> Self {
        Self {
            head: UnsafeCell::new(ptr::null_mut()),
            tail: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Port of `poolChain.pushHead` (sync/poolqueue.go).
    ///
    /// # Safety
    /// Only the chain's single producer calls `push_head` and `pop_head`,
    /// never two at once.
    pub(crate) unsafe fn push_head(&self, val: T) {
        // SAFETY: `head` is the producer's, and the caller is the producer.
        let mut d = self.head.with(|p| unsafe { *p });
        if d.is_null() {
            d = Elt::alloc(INIT_SIZE, ptr::null_mut());
            // SAFETY: as above.
            self.head.with_mut(|p| unsafe { *p = d });
            // Release publishes the new ring to consumers.
            self.tail.store(d, Ordering::Release);
        }
        // SAFETY: rings live as long as the chain; we are the producer.
        let val = match unsafe { (*d).dequeue.push_head(val) } {
            Ok(()) => return,
            Err(val) => val,
        };
        // The head ring is full: push to a new one, twice the size.
        // SAFETY: rings live as long as the chain.
        let len = (unsafe { (*d).dequeue.len() } * 2).min(DEQUEUE_LIMIT);
        let d2 = Elt::alloc(len, d);
        // SAFETY: `head` is the producer's.
        self.head.with_mut(|p| unsafe { *p = d2 });
        // SAFETY: rings live as long as the chain. Release publishes the
        // new ring to consumers that follow `next`.
        unsafe { (*d).next.store(d2, Ordering::Release) };
        // SAFETY: we are the producer; the new ring is empty and has room.
        let pushed = unsafe { (*d2).dequeue.push_head(val) };
        debug_assert!(pushed.is_ok(), "a fresh ring has room");
    }

    /// Port of `poolChain.popHead` (sync/poolqueue.go): the newest value.
    ///
    /// # Safety
    /// As for [`push_head`](Self::push_head).
    pub(crate) unsafe fn pop_head(&self) -> Option<T> {
        // SAFETY: `head` is the producer's, and the caller is the producer.
        let mut d = self.head.with(|p| unsafe { *p });
        while !d.is_null() {
            // SAFETY: rings live as long as the chain; we are the producer.
            if let Some(val) = unsafe { (*d).dequeue.pop_head() } {
                return Some(val);
            }
            // Older rings may still hold values: back up.
            // SAFETY: rings live as long as the chain.
            d = unsafe { (*d).prev.load(Ordering::Acquire) };
        }
        None
    }

    /// Port of `poolChain.popTail` (sync/poolqueue.go): the oldest value. Any
    /// number of threads may call it at once.
    pub(crate) fn pop_tail(&self) -> Option<T> {
        let mut d = self.tail.load(Ordering::Acquire);
        if d.is_null() {
            return None;
        }
        loop {
            // Load `next` before popping: if it was already set and the pop
            // fails, `d` is empty for good (the producer pushes only to the
            // newest ring), the only time it is safe to unlink it.
            // SAFETY: rings live as long as the chain.
            let d2 = unsafe { (*d).next.load(Ordering::Acquire) };
            // SAFETY: as above.
            if let Some(val) = unsafe { (*d).dequeue.pop_tail() } {
                return Some(val);
            }
            if d2.is_null() {
                // The only ring: empty now, but it may be pushed to later.
                return None;
            }
            // `d` is drained: unlink it so later pops skip it. The winner
            // also cuts `d2.prev`, so the producer stops backing up into it.
            if self
                .tail
                .compare_exchange(d, d2, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                // SAFETY: rings live as long as the chain.
                unsafe { (*d2).prev.store(ptr::null_mut(), Ordering::Release) };
            }
            d = d2;
        }
    }
}

impl<T> Drop for PoolChain<T> {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: nobody else can reach the rings.
        let mut d = self.head.with(|p| unsafe { *p });
        while !d.is_null() {
            // SAFETY: every ring was made by `Elt::alloc` and is reachable
            // once through the `older` links from the head.
            let elt = unsafe { Box::from_raw(d) };
            d = elt.older;
        }
    }
}
