//! Port of `poolDequeue` (sync/poolqueue.go): a lock-free, fixed-size ring
//! with one producer, which pushes and pops at the head, and any number of
//! consumers, which pop at the tail.
//!
//! `head_tail` packs the two 32-bit indexes in one 64-bit word, the head in
//! the high half, so the producer publishes a push with one `fetch_add` and
//! the carry out of the top is harmless. Slot `i % len` holds the value of
//! index `i`; the values live at indexes `tail..head`.
//!
//! Slot ownership (Go's invariant): a slot in `tail..head` belongs to the
//! consumers. A consumer that won it (by advancing `tail`) keeps it until it
//! clears the slot's `full` flag, with a release store, after moving the
//! value out; only then may the producer fill it again, which is why a push
//! reports "full" while that flag is still set.
//!
//! Deviations from Go: values are typed, so Go's `dequeueNil` sentinel and its
//! nil-typed "empty" marker become the `full` flag beside a `MaybeUninit<T>`;
//! Go's sequentially consistent atomics become the weakest orderings that
//! keep the protocol sound (each one is justified where it is used).

use crate::sync::{AtomicBool, AtomicU64, Ordering, UnsafeCell};
use core::mem::MaybeUninit;

/// Go's `dequeueBits`: the width of each packed index.
const DEQUEUE_BITS: u32 = 32;

/// Go's `dequeueLimit`: the largest ring. At most half the index space, so a
/// full ring is detected by the ring wrapping, never the index; Go divides by
/// 4 so it fits an `int` on 32-bit targets.
pub(crate) const DEQUEUE_LIMIT: usize = (1 << DEQUEUE_BITS) / 4;

/// One ring slot (Go's `eface`).
struct Slot<T> {
    /// Go's `typ != nil`: the slot holds a value that nobody has finished
    /// taking. Cleared last by the consumer that took it.
    full: AtomicBool,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// Port of `poolDequeue` (sync/poolqueue.go).
pub(crate) struct PoolDequeue<T> {
    /// Go's `headTail`: head (next slot to fill) in the high 32 bits, tail
    /// (oldest value) in the low 32 bits.
    head_tail: AtomicU64,
    /// Go's `vals`; its length is a power of two.
    vals: Box<[Slot<T>]>,
}

// SAFETY: values move between threads through the ring (so `T: Send`), and
// every access to a slot's value is made exclusive by the ownership protocol
// in the module docs; no `&T` is ever shared.
unsafe impl<T: Send> Send for PoolDequeue<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for PoolDequeue<T> {}

/// Port of `unpack` (sync/poolqueue.go): `(head, tail)`.
fn unpack(ptrs: u64) -> (u32, u32) {
    ((ptrs >> DEQUEUE_BITS) as u32, ptrs as u32)
}

/// Port of `pack` (sync/poolqueue.go).
fn pack(head: u32, tail: u32) -> u64 {
    (u64::from(head) << DEQUEUE_BITS) | u64::from(tail)
}

impl<T> PoolDequeue<T> {
    /// An empty ring of `len` slots (a power of two, at most
    /// [`DEQUEUE_LIMIT`]) whose indexes start at `start`. Go starts at 0 and
    /// its tests near `2^32 - 500`, to cross the index wrap-around.
    pub(crate) fn new(len: usize, start: u32) -> Self {
        assert!(
            len.is_power_of_two() && len <= DEQUEUE_LIMIT,
            "gort-pool: a ring's length must be a power of two up to 2^30, not {len}"
        );
        let vals = (0..len)
            .map(|_| Slot {
                full: AtomicBool::new(false),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Self {
            head_tail: AtomicU64::new(pack(start, start)),
            vals,
        }
    }

    /// The number of slots.
    pub(crate) fn len(&self) -> usize {
        self.vals.len()
    }

    fn slot(&self, index: u32) -> &Slot<T> {
        // `len` is a power of two no larger than 2^30, so the mask fits u32.
        &self.vals[(index & (self.vals.len() as u32 - 1)) as usize]
    }

    /// Port of `pushHead` (sync/poolqueue.go): adds `val` at the head, or
    /// gives it back if the ring is full.
    ///
    /// # Safety
    /// Only the ring's single producer calls `push_head` and `pop_head`, never
    /// two at once.
    pub(crate) unsafe fn push_head(&self, val: T) -> Result<(), T> {
        // Relaxed: only consumers move `tail`, and only forward; a stale tail
        // makes the ring look fuller, never emptier. Our own last RMW on the
        // word bounds how stale it can be (read-read coherence), so
        // `head - tail <= len` holds for the pair we read.
        let (head, tail) = unpack(self.head_tail.load(Ordering::Relaxed));
        if tail.wrapping_add(self.vals.len() as u32) == head {
            return Err(val);
        }
        let slot = self.slot(head);
        // Acquire pairs with the release store of the consumer that last
        // emptied this slot: its read of the old value happens before our
        // write. Still set: that consumer is not done, so the ring is full.
        if slot.full.load(Ordering::Acquire) {
            return Err(val);
        }
        // SAFETY: the slot is outside `tail..head` and released, so it is the
        // producer's, and the caller is the only producer.
        slot.value.with_mut(|p| unsafe { (*p).write(val) });
        slot.full.store(true, Ordering::Relaxed);
        // Release publishes the value (and `full`) to the consumers, whose
        // acquire CAS reads this add or a later RMW in its release sequence.
        self.head_tail
            .fetch_add(1 << DEQUEUE_BITS, Ordering::Release);
        Ok(())
    }

    /// Port of `popHead` (sync/poolqueue.go): removes the newest value.
    ///
    /// # Safety
    /// As for [`push_head`](Self::push_head).
    pub(crate) unsafe fn pop_head(&self) -> Option<T> {
        // Relaxed: the values at the head were written by this thread (or by
        // a previous producer, whose hand-over synchronised with us), and the
        // CAS alone decides who owns the slot.
        let mut ptrs = self.head_tail.load(Ordering::Relaxed);
        let head = loop {
            let (head, tail) = unpack(ptrs);
            if tail == head {
                return None;
            }
            // Take the slot back before reading it, confirming the tail.
            let head = head.wrapping_sub(1);
            match self.head_tail.compare_exchange_weak(
                ptrs,
                pack(head, tail),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => break head,
                Err(now) => ptrs = now,
            }
        };
        let slot = self.slot(head);
        // SAFETY: the CAS moved the slot out of `tail..head` while it held a
        // value pushed by the producer, and no consumer can win it any more.
        let val = slot.value.with(|p| unsafe { (*p).assume_init_read() });
        // No consumer is racing for this slot, so a plain-strength store.
        slot.full.store(false, Ordering::Relaxed);
        Some(val)
    }

    /// Port of `popTail` (sync/poolqueue.go): removes the oldest value. Any
    /// number of threads may call it at once.
    pub(crate) fn pop_tail(&self) -> Option<T> {
        // Acquire (here and on the CAS) synchronises with the producer's
        // release add that published the slot we may win.
        let mut ptrs = self.head_tail.load(Ordering::Acquire);
        let tail = loop {
            let (head, tail) = unpack(ptrs);
            if tail == head {
                return None;
            }
            match self.head_tail.compare_exchange_weak(
                ptrs,
                pack(head, tail.wrapping_add(1)),
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => break tail,
                Err(now) => ptrs = now,
            }
        };
        let slot = self.slot(tail);
        // SAFETY: winning the CAS made this consumer the slot's owner until
        // it clears `full`; the value was published by the producer's add.
        let val = slot.value.with(|p| unsafe { (*p).assume_init_read() });
        // Hand the slot back to the producer, after the read above.
        slot.full.store(false, Ordering::Release);
        Some(val)
    }
}

impl<T> Drop for PoolDequeue<T> {
    fn drop(&mut self) {
        // With `&mut self` no pop is half done, so exactly the slots in
        // `tail..head` hold values. A panicking `T::drop` leaks the rest.
        let (head, mut tail) = unpack(self.head_tail.load(Ordering::Relaxed));
        while tail != head {
            let slot = self.slot(tail);
            // SAFETY: the slot holds an initialised value that nobody else
            // can reach any more; it is dropped once, then skipped.
            slot.value.with_mut(|p| unsafe { (*p).assume_init_drop() });
            tail = tail.wrapping_add(1);
        }
    }
}
