//! A party waiting on one channel operation: Go's goroutine blocked in
//! `chansend`/`chanrecv`, with its `selectDone`/`param` (the [`Claim`]) and
//! its `mysg` (the [`Op`]). A thread keeps its `Waiter` pinned on its stack,
//! a future inside itself (built only once it has to wait: see
//! [`Stage`](crate::stage::Stage)); either way waiting allocates nothing.
//!
//! The channel is passed to every method (see [`Op`]); an owner that may be
//! dropped while waiting (a future, a stream) calls [`Waiter::cancel`] from
//! its `Drop`.

use crate::hchan::{Chan, Locked};
use crate::op::Op;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::{Context, Poll};
use gort_park::Claim;
use std::time::Instant;

pub(crate) struct Waiter<T> {
    claim: Claim,
    op: Op<T>,
    _pin: PhantomPinned,
}

impl<T> Waiter<T> {
    pub(crate) fn new(op: Op<T>) -> Self {
        Self {
            claim: Claim::new(),
            op,
            _pin: PhantomPinned,
        }
    }

    fn parts(self: Pin<&mut Self>) -> (&Claim, Pin<&mut Op<T>>) {
        // SAFETY: both fields are structurally pinned: `claim` is only used
        // through shared references, `op` is handed out pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        (&this.claim, unsafe { Pin::new_unchecked(&mut this.op) })
    }

    /// The operation, to read its outcome.
    pub(crate) fn op(self: Pin<&mut Self>) -> Pin<&mut Op<T>> {
        self.parts().1
    }

    /// Whether the operation waits in its channel's queue.
    pub(crate) fn is_queued(&self) -> bool {
        self.op.is_queued()
    }

    /// A later poll of an async operation that [`park`](Self::park)
    /// queued: `Ready` once a peer completed it (then take its outcome from
    /// [`op`](Self::op)). Only the claim is looked at: the peer that
    /// completes the op does the work under the lock.
    #[inline]
    pub(crate) fn poll_queued(
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let (claim, op) = self.parts();
        debug_assert!(op.is_queued());
        // Usually polled because the completer woke us: then the claim is
        // done and registering the waker again would be wasted work.
        if claim.done().is_none() {
            claim.register(cx.waker());
        }
        if claim.settled().is_none() {
            return Poll::Pending;
        }
        // SAFETY: the claim is done, and this op is its only case.
        unsafe { op.observe(chan) };
        Poll::Ready(())
    }

    /// Registers the task's waker and queues the op (the caller found it
    /// would block, under `g`, the lock of `chan`). Go: `gopark` of a
    /// goroutine in `chansend`/`chanrecv`.
    pub(crate) fn park(
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        mut g: Locked<'_, T>,
        cx: &Context<'_>,
    ) {
        let (claim, op) = self.parts();
        // SAFETY: the op is not queued (its owner found it would block), and
        // it is queued just below; so the waker is registered before the
        // sudog becomes visible to completers.
        unsafe { claim.rearm_with(cx.waker()) };
        // SAFETY: `claim` lives beside `op` in this pinned waiter, whose
        // owner cancels it (dequeuing the op) before dropping it, and holds
        // the channel for at least as long.
        unsafe { op.enqueue(chan, &mut g, claim, 0) };
    }

    /// Queues the op (the caller found it would block, under `g`, the lock
    /// of `chan`) and blocks the thread until a peer completes it (`true`)
    /// or `deadline` passes (`false`: the op is idle again). Go: `gopark` of
    /// a goroutine, for an OS thread. A completion that beats the deadline
    /// wins.
    pub(crate) fn block(
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        mut g: Locked<'_, T>,
        deadline: Option<Instant>,
    ) -> bool {
        let (claim, mut op) = self.parts();
        claim.rearm();
        // SAFETY: as in `poll`; this frame dequeues the op before returning.
        // The thread registers itself when it parks.
        unsafe { op.as_mut().enqueue(chan, &mut g, claim, 0) };
        drop(g);
        if claim.wait(deadline).is_some() {
            // SAFETY: the claim is done, and this op is its only case.
            unsafe { op.observe(chan) };
            return true;
        }
        let mut g = chan.lock();
        // With the lock held the claim is settled: a completer finishes
        // under it.
        let won = claim.done().is_some();
        op.dequeue(chan, &mut g, won);
        won
    }

    /// A pending future (or stream) on `chan` is dropped: leave no waiter
    /// behind, and give back a value a sender already handed over.
    #[inline]
    pub(crate) fn cancel(self: Pin<&mut Self>, chan: &Chan<T>) {
        let (claim, op) = self.parts();
        if op.is_queued() {
            op.abandon(chan, || claim.done().is_some());
        }
    }
}
