//! One party blocked on one queue of a channel: the sudog and claim it owns
//! (Go: the `mysg` of `chansend`/`chanrecv`, with `gp.param`).
//!
//! A thread keeps its `Waiter` pinned on its stack, a future keeps it pinned
//! inside itself; either way waiting allocates nothing.

use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::Waker;
use gort_park::{Claim, Sudog, WaitQ};
use std::time::Instant;

pub(crate) struct Waiter<T> {
    claim: Claim,
    sg: Sudog<T>,
    /// Whether `sg` may be in a queue: set by `enqueue`, cleared once the
    /// owner saw the claim done or removed `sg` itself under the lock.
    queued: bool,
    _pin: PhantomPinned,
}

impl<T> Waiter<T> {
    pub(crate) fn new() -> Self {
        Self {
            claim: Claim::new(),
            sg: Sudog::new(0, None),
            queued: false,
            _pin: PhantomPinned,
        }
    }

    fn parts(self: Pin<&mut Self>) -> (&Claim, &Sudog<T>, &mut bool) {
        // SAFETY: `claim` and `sg` are only ever used through shared
        // references, so they stay pinned; `queued` is not structurally
        // pinned.
        let this = unsafe { self.get_unchecked_mut() };
        (&this.claim, &this.sg, &mut this.queued)
    }

    /// Whether the waiter is (or may still be) queued.
    pub(crate) fn is_queued(&self) -> bool {
        self.queued
    }

    /// Queues the waiter with `elem` (the value to send, or `None` for a
    /// receive), to be woken through `waker` (Go: `enqueue` + `gopark`). A
    /// thread passes `None`: [`wait`](Self::wait) registers it only when it
    /// stops spinning, so a quick completer has nobody to wake.
    ///
    /// # Safety
    /// The caller holds the lock of the channel that owns `q`, and before the
    /// waiter is dropped it either sees completion ([`poll_done`] or [`wait`]
    /// returning `Some`) or calls [`cancel`] with the same queue.
    ///
    /// [`poll_done`]: Self::poll_done
    /// [`wait`]: Self::wait
    /// [`cancel`]: Self::cancel
    pub(crate) unsafe fn enqueue(
        self: Pin<&mut Self>,
        q: &mut WaitQ<T>,
        elem: Option<T>,
        waker: Option<&Waker>,
    ) {
        let (claim, sg, queued) = self.parts();
        debug_assert!(!*queued);
        claim.rearm();
        // SAFETY: `sg` is not queued, so the slot is ours.
        let old = unsafe { elem.map(|v| sg.put_elem(v)) };
        debug_assert!(old.flatten().is_none());
        // Register before the sudog becomes visible to completers.
        if let Some(waker) = waker {
            claim.register(waker);
        }
        // SAFETY: `sg` and `claim` are pinned inside `self`, which the
        // caller keeps alive until completion or `cancel` (see above), and
        // we hold the lock of `q`.
        unsafe { q.enqueue(sg, claim) };
        *queued = true;
    }

    /// Re-poll of a queued waiter: `Some(success)` once a peer completed it,
    /// after which the waiter is no longer queued.
    pub(crate) fn poll_done(self: Pin<&mut Self>, waker: &Waker) -> Option<bool> {
        let (claim, sg, queued) = self.parts();
        debug_assert!(*queued);
        // Usually polled because the completer woke us: then the claim is
        // done and registering the waker again would be wasted work.
        if claim.done().is_none() {
            claim.register(waker);
        }
        claim.settled()?;
        *queued = false;
        // SAFETY: the claim is done, so the sudog left its queue and its
        // slot is ours again.
        Some(unsafe { sg.success() })
    }

    /// Blocks the thread until completed (`Some(success)`) or until
    /// `deadline` passes (`None`; the waiter is then still queued and must be
    /// cancelled).
    pub(crate) fn wait(self: Pin<&mut Self>, deadline: Option<Instant>) -> Option<bool> {
        let (claim, sg, queued) = self.parts();
        debug_assert!(*queued);
        claim.wait(deadline)?;
        *queued = false;
        // SAFETY: as in `poll_done`.
        Some(unsafe { sg.success() })
    }

    /// Gives up waiting: removes the sudog from `q` if it is still there
    /// (`None`), or reports the completion that beat us (`Some(success)`).
    ///
    /// # Safety
    /// The caller holds the lock of the channel that owns `q`, the queue this
    /// waiter was enqueued in.
    pub(crate) unsafe fn cancel(self: Pin<&mut Self>, q: &mut WaitQ<T>) -> Option<bool> {
        let (claim, sg, queued) = self.parts();
        debug_assert!(*queued);
        *queued = false;
        // SAFETY: `sg` was enqueued in `q` and we hold its lock.
        if unsafe { q.remove(sg) } {
            return None;
        }
        // Dequeued by a completer, which finished under the lock we hold.
        debug_assert!(claim.done().is_some());
        // SAFETY: the claim is done; the slot is ours.
        Some(unsafe { sg.success() })
    }

    /// Takes the value out of the slot of a waiter that is not queued.
    pub(crate) fn take_elem(self: Pin<&mut Self>) -> Option<T> {
        let (_, sg, queued) = self.parts();
        assert!(!*queued, "taking the value of a queued waiter");
        // SAFETY: not queued, so nobody else touches the slot.
        unsafe { sg.take_elem() }
    }
}
