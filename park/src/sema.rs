//! A counting semaphore with a FIFO wait queue: Go's `semacquire1` and
//! `semrelease1` (runtime/sema.go), for one address.
//!
//! Deviations from Go, and why:
//! - One semaphore owns its queue (Go hashes addresses into a 251-entry table
//!   of treaps); gort's users each embed their own `Sema`.
//! - A release always hands its unit straight to the first waiter (Go's
//!   `handoff = true` mode). Go's default lets a woken waiter race new
//!   arrivals for the unit and sleep again; with direct handoff a unit is
//!   always either in the counter or owned by exactly one waiter, which is
//!   what makes a dropped [`Acquire`] future able to give its unit back.

use crate::claim::Claim;
use crate::mutex::Mutex;
use crate::sudog::Sudog;
use crate::sync::{AtomicUsize, Ordering};
use crate::waitq::WaitQ;
use core::fmt;
use core::future::Future;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::{Context, Poll};

/// A counting semaphore (Go: the runtime semaphore behind `sync.WaitGroup`
/// and `sync.Mutex`).
///
/// ```
/// use gort_park::Sema;
///
/// let sema = Sema::new(0);
/// assert!(!sema.try_acquire());
/// sema.release();
/// sema.acquire_blocking();
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// sema.release();
/// sema.acquire().await;
/// # });
/// ```
pub struct Sema {
    /// Units available (Go: `*addr`).
    count: AtomicUsize,
    /// Parties queued or about to queue (Go: `semaRoot.nwait`); lets
    /// `release` skip the lock when nobody waits.
    nwait: AtomicUsize,
    /// Waiting parties, under their lock (Go: `semaRoot.lock`, a runtime
    /// mutex).
    queue: Mutex<WaitQ<()>>,
}

impl Sema {
    /// A semaphore holding `count` units.
    pub fn new(count: usize) -> Self {
        Self {
            count: AtomicUsize::new(count),
            nwait: AtomicUsize::new(0),
            queue: Mutex::new(WaitQ::new()),
        }
    }

    /// Takes a unit if one is available (Go: `cansemacquire`).
    #[inline]
    pub fn try_acquire(&self) -> bool {
        let mut v = self.count.load(Ordering::SeqCst);
        loop {
            if v == 0 {
                return false;
            }
            match self
                .count
                .compare_exchange_weak(v, v - 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return true,
                Err(now) => v = now,
            }
        }
    }

    /// The slow path of Go's `semacquire1` up to parking: counts the caller as
    /// a waiter, re-checks the counter, and queues `sg` if it is still empty.
    /// Returns true if a unit was taken instead.
    ///
    /// # Safety
    /// As [`WaitQ::enqueue`] for `sg` and `claim`.
    unsafe fn enqueue_or_acquire(&self, sg: &Sudog<()>, claim: &Claim) -> bool {
        let mut q = self.queue.lock();
        self.nwait.fetch_add(1, Ordering::SeqCst);
        loom_seq_cst_fence();
        if self.try_acquire() {
            self.nwait.fetch_sub(1, Ordering::SeqCst);
            return true;
        }
        // SAFETY: forwarded from the caller.
        unsafe { q.enqueue(sg, claim) };
        false
    }

    /// Takes a unit, blocking the thread until one is released (Go:
    /// `semacquire`). Do not call it from async code.
    pub fn acquire_blocking(&self) {
        if self.try_acquire() {
            return;
        }
        let claim = core::pin::pin!(Claim::new());
        let sg = core::pin::pin!(Sudog::new(0, None));
        // SAFETY: both are pinned on this stack frame, which returns only
        // after the claim is done, i.e. after `sg` left the queue.
        if unsafe { self.enqueue_or_acquire(&sg, &claim) } {
            return;
        }
        // A release hands us its unit directly (see the module docs).
        claim.wait(None);
    }

    /// Takes a unit, waiting asynchronously (Go: `semacquire`).
    ///
    /// Cancel-safe: dropping the future before it completes takes nothing,
    /// and a unit handed to it just before the drop is released again.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            sema: self,
            claim: Claim::new(),
            sg: Sudog::new(0, None),
            queued: false,
            _pin: PhantomPinned,
        }
    }

    /// Adds a unit, handing it to the longest waiter if there is one (Go:
    /// `semrelease1` with `handoff`).
    pub fn release(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
        loom_seq_cst_fence();
        // Must be read after the add, or a waiter between its `nwait`
        // increment and its re-check could sleep with our unit unseen.
        if self.nwait.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut q = self.queue.lock();
        if self.nwait.load(Ordering::SeqCst) == 0 || !self.try_acquire() {
            // Another party already consumed the unit.
            return;
        }
        let waker = match q.dequeue() {
            Some(w) => {
                self.nwait.fetch_sub(1, Ordering::SeqCst);
                w.complete(true)
            }
            None => {
                // Only possible if every queued sudog was gone; put it back.
                self.count.fetch_add(1, Ordering::SeqCst);
                None
            }
        };
        drop(q);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Units currently available.
    pub fn available(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

/// The Dekker pairs above (`nwait` then `count` in `acquire`, `count` then
/// `nwait` in `release`) rely on sequentially consistent read-modify-writes,
/// which loom models as acquire/release only; under loom a fence restores
/// the order the hardware gives (an x86 or Arm SeqCst RMW is a full fence).
#[inline(always)]
fn loom_seq_cst_fence() {
    #[cfg(gort_loom)]
    crate::sync::fence(Ordering::SeqCst);
}

impl Default for Sema {
    fn default() -> Self {
        Self::new(0)
    }
}

impl fmt::Debug for Sema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sema")
            .field("count", &self.count.load(Ordering::Relaxed))
            .field("nwait", &self.nwait.load(Ordering::Relaxed))
            .finish()
    }
}

/// The future of [`Sema::acquire`].
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a> {
    sema: &'a Sema,
    claim: Claim,
    sg: Sudog<()>,
    /// Whether `sg` was queued (and not yet seen completed).
    queued: bool,
    _pin: PhantomPinned,
}

impl Future for Acquire<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: we never move out of `self`; `claim` and `sg` stay pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if this.queued {
            // Already handed a unit: no need to register the waker again.
            if this.claim.done().is_none() {
                this.claim.register(cx.waker());
            }
            return match this.claim.settled() {
                Some(_) => {
                    this.queued = false;
                    Poll::Ready(())
                }
                None => Poll::Pending,
            };
        }
        // Go: the preemption check in `semacquire1`'s prologue.
        if crate::hook::preempt_check(cx) {
            return Poll::Pending;
        }
        if this.sema.try_acquire() {
            return Poll::Ready(());
        }
        this.claim.register(cx.waker());
        // SAFETY: `self` is pinned, so `sg` and `claim` stay put; `Drop`
        // removes `sg` from the queue if it is still there.
        if unsafe { this.sema.enqueue_or_acquire(&this.sg, &this.claim) } {
            return Poll::Ready(());
        }
        this.queued = true;
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if !self.queued {
            return;
        }
        let mut q = self.sema.queue.lock();
        // SAFETY: `sg` was queued in this semaphore's queue.
        if unsafe { q.remove(&self.sg) } {
            self.sema.nwait.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        drop(q);
        // Dequeued, so a release handed us a unit we will not use: pass it on.
        debug_assert!(self.claim.done().is_some());
        self.sema.release();
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("queued", &self.queued)
            .finish_non_exhaustive()
    }
}
