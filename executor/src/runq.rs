//! A P's local run queue: Go's `runq` ring of 256 Gs plus the `runnext`
//! slot (runtime/proc.go: `runqput`, `runqputslow`, `runqget`, `runqgrab`,
//! `runqsteal`, `runqempty`). Single producer (the P's owner), many
//! consumers (the owner and thieves).
//!
//! *Rust*: the slots are `AtomicPtr`s read with relaxed loads: Go's thief
//! may read a slot the owner is overwriting and throws the value away when
//! its CAS on `head` fails; in Rust such a racing plain read would be
//! undefined behaviour, an atomic one is not. Under loom the ring has 4
//! slots so the models reach the wrap and the overflow.

use crate::task::{Notified, TaskPtr};
use core::ptr::{NonNull, null_mut};
use gort_sync::{AtomicPtr, AtomicU32, Ordering::*};

/// Go: `len(p.runq)`.
#[cfg(not(gort_loom))]
pub(crate) const RUNQ_SIZE: u32 = 256;
#[cfg(gort_loom)]
pub(crate) const RUNQ_SIZE: u32 = 4;

/// The local run queue. Every G in it holds one reference.
pub(crate) struct RunQ {
    /// Next slot to consume; advanced by CAS (owner and thieves).
    head: AtomicU32,
    /// Next slot to fill; written only by the owner.
    tail: AtomicU32,
    slots: Box<[AtomicPtr<crate::task::Header>]>,
    /// Go: `runnext`, the G readied last, run before the ring.
    runnext: AtomicPtr<crate::task::Header>,
}

/// Where an overflowing `put` sends half the ring: the global queue.
pub(crate) trait Overflow {
    /// Go: `globrunqputbatch` under `sched.lock`.
    fn put_batch(&self, batch: Vec<Notified>);
}

fn ptr_of(g: Notified) -> *mut crate::task::Header {
    g.into_raw().0.as_ptr()
}

/// # Safety
/// `p` came from `ptr_of` and its reference is now the caller's.
unsafe fn from_ptr(p: *mut crate::task::Header) -> Notified {
    // SAFETY: non-null, and the reference moves to the caller.
    unsafe { Notified::from_raw(TaskPtr(NonNull::new_unchecked(p))) }
}

impl RunQ {
    pub(crate) fn new() -> Self {
        RunQ {
            head: AtomicU32::new(0),
            tail: AtomicU32::new(0),
            slots: (0..RUNQ_SIZE).map(|_| AtomicPtr::new(null_mut())).collect(),
            runnext: AtomicPtr::new(null_mut()),
        }
    }

    fn slot(&self, i: u32) -> &AtomicPtr<crate::task::Header> {
        &self.slots[(i % RUNQ_SIZE) as usize]
    }

    /// Port of `runqput`: with `next`, `g` goes to `runnext` and the G it
    /// kicks out goes to the tail; a full ring moves half of itself to
    /// `global` (`runqputslow`). Owner only.
    ///
    /// *Deviation*: the `runnext` CAS loop is a swap (the same atomic
    /// exchange, without the retry).
    pub(crate) fn put(&self, g: Notified, next: bool, global: &impl Overflow) {
        let mut g = g;
        if next {
            let old = self.runnext.swap(ptr_of(g), AcqRel);
            if old.is_null() {
                return;
            }
            // SAFETY: the swap took `old`'s reference out of runnext.
            g = unsafe { from_ptr(old) };
        }
        loop {
            let h = self.head.load(Acquire);
            let t = self.tail.load(Relaxed);
            if t.wrapping_sub(h) < RUNQ_SIZE {
                self.slot(t).store(ptr_of(g), Relaxed);
                self.tail.store(t.wrapping_add(1), Release);
                return;
            }
            match self.put_slow(g, h, t, global) {
                Ok(()) => return,
                Err(back) => g = back,
            }
        }
    }

    /// Port of `runqputslow`: moves the oldest half of a full ring plus `g`
    /// to the global queue. `Err(g)` if a consumer raced the claim (the
    /// ring is no longer full).
    fn put_slow(
        &self,
        g: Notified,
        h: u32,
        t: u32,
        global: &impl Overflow,
    ) -> Result<(), Notified> {
        let n = t.wrapping_sub(h) / 2;
        assert_eq!(n, RUNQ_SIZE / 2, "runqputslow: queue is not full");
        let claimed: Vec<_> = (0..n)
            .map(|i| self.slot(h.wrapping_add(i)).load(Relaxed))
            .collect();
        if self
            .head
            .compare_exchange(h, h.wrapping_add(n), Release, Relaxed)
            .is_err()
        {
            return Err(g);
        }
        let mut batch: Vec<Notified> = claimed
            .into_iter()
            // SAFETY: the CAS claimed these slots and their references.
            .map(|p| unsafe { from_ptr(p) })
            .collect();
        batch.push(g);
        global.put_batch(batch);
        Ok(())
    }

    /// Port of `runqget`: `runnext` first (the G inherits the time slice:
    /// `true`), then the ring's head. Owner only.
    pub(crate) fn get(&self) -> Option<(Notified, bool)> {
        let next = self.runnext.load(Relaxed);
        // A failed CAS means a thief took it: no retry (Go's rule).
        if !next.is_null()
            && self
                .runnext
                .compare_exchange(next, null_mut(), AcqRel, Relaxed)
                .is_ok()
        {
            // SAFETY: the CAS took the reference out of runnext.
            return Some((unsafe { from_ptr(next) }, true));
        }
        loop {
            let h = self.head.load(Acquire);
            let t = self.tail.load(Relaxed);
            if t == h {
                return None;
            }
            let g = self.slot(h).load(Relaxed);
            if self
                .head
                .compare_exchange(h, h.wrapping_add(1), Release, Relaxed)
                .is_ok()
            {
                // SAFETY: the CAS claimed the slot.
                return Some((unsafe { from_ptr(g) }, false));
            }
        }
    }

    /// Port of `runqgrab`: claims the older half (rounded up) of the ring,
    /// or on the last steal pass `runnext`, and returns the pointers in
    /// order. `victim_running` says the victim P is running (Go then waits
    /// 3 µs before taking its `runnext`: it has likely just readied that G
    /// and is about to block).
    fn grab(
        &self,
        out: &mut Vec<*mut crate::task::Header>,
        steal_next: bool,
        victim_running: bool,
    ) {
        loop {
            let h = self.head.load(Acquire);
            let t = self.tail.load(Acquire);
            let avail = t.wrapping_sub(h);
            let n = avail - avail / 2;
            if n == 0 {
                if steal_next {
                    let next = self.runnext.load(Acquire);
                    if !next.is_null() {
                        if victim_running {
                            usleep3();
                        }
                        if self
                            .runnext
                            .compare_exchange(next, null_mut(), AcqRel, Relaxed)
                            .is_err()
                        {
                            continue;
                        }
                        out.push(next);
                    }
                }
                return;
            }
            if n > RUNQ_SIZE / 2 {
                continue; // torn read of head and tail
            }
            out.clear();
            out.extend((0..n).map(|i| self.slot(h.wrapping_add(i)).load(Relaxed)));
            if self
                .head
                .compare_exchange(h, h.wrapping_add(n), Release, Relaxed)
                .is_ok()
            {
                return;
            }
            out.clear();
        }
    }

    /// Port of `runqsteal`: steals half of `victim`'s Gs into this (the
    /// thief's own, empty-enough) queue and returns one to run now.
    pub(crate) fn steal_from(
        &self,
        victim: &RunQ,
        steal_next: bool,
        victim_running: bool,
    ) -> Option<Notified> {
        let mut grabbed = Vec::new();
        victim.grab(&mut grabbed, steal_next, victim_running);
        let last = grabbed.pop()?;
        if !grabbed.is_empty() {
            let h = self.head.load(Acquire);
            let t = self.tail.load(Relaxed);
            let n = grabbed.len() as u32;
            assert!(
                t.wrapping_sub(h) + n < RUNQ_SIZE,
                "runqsteal: runq overflow"
            );
            for (i, g) in grabbed.into_iter().enumerate() {
                self.slot(t.wrapping_add(i as u32)).store(g, Relaxed);
            }
            self.tail.store(t.wrapping_add(n), Release);
        }
        // SAFETY: `grab`'s CAS claimed it.
        Some(unsafe { from_ptr(last) })
    }

    /// Go: `runqtail - runqhead` (plus `runnext`), as `schedtrace` and
    /// metrics read it: a snapshot, racy while others push and steal.
    pub(crate) fn len(&self) -> usize {
        let h = self.head.load(Acquire);
        let t = self.tail.load(Acquire);
        let next = !self.runnext.load(Acquire).is_null();
        (t.wrapping_sub(h) as usize).min(RUNQ_SIZE as usize) + usize::from(next)
    }

    /// Port of `runqempty`: never reports empty spuriously, even while the
    /// owner kicks `runnext` into the ring and takes it back.
    pub(crate) fn is_empty(&self) -> bool {
        loop {
            let h = self.head.load(Acquire);
            let t = self.tail.load(Acquire);
            let next = self.runnext.load(Acquire);
            if self.tail.load(Acquire) == t {
                return h == t && next.is_null();
            }
        }
    }

    /// Empties the queue: the ring's Gs in order, and `runnext` (Go: the
    /// loop of `p.destroy`). Owner only, or with the owner stopped.
    pub(crate) fn drain(&self) -> (Vec<Notified>, Option<Notified>) {
        let next = self.runnext.swap(null_mut(), AcqRel);
        let mut ring = Vec::new();
        while let Some((g, _)) = self.get() {
            ring.push(g);
        }
        // SAFETY: the swap took runnext's reference.
        (ring, (!next.is_null()).then(|| unsafe { from_ptr(next) }))
    }
}

/// Go's `usleep(3)` before stealing a running P's `runnext`; a yield under
/// loom.
fn usleep3() {
    #[cfg(not(gort_loom))]
    std::thread::sleep(std::time::Duration::from_micros(3));
    #[cfg(gort_loom)]
    gort_sync::thread::yield_now();
}

impl Drop for RunQ {
    fn drop(&mut self) {
        drop(self.drain());
    }
}
