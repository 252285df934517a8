//! One channel operation that may have to wait: Go's `sudog` as its owner
//! sees it (the `mysg` of `chansend`/`chanrecv`, or one case's sudog in
//! `selectgo`), with the owner's bookkeeping around it.
//!
//! Every waiting operation of gort-chan is an [`Op`]: the futures, the
//! blocking paths, the stream, and each case of a select. Its methods run
//! under the lock of its channel (a [`Guard`]), so the rules live here once:
//!
//! - `Idle` → `attempt` (Go's steps that need no waiting) → `Done`, or
//!   `enqueue` → `Queued` (a receive on a timer channel calls `block`);
//! - `Queued` → `observe` (the claim was seen done with this case: a peer
//!   completed it under the lock and let go) or `dequeue` (under the lock:
//!   removed, or completed by a peer, or unlinked by a peer that lost the
//!   claim) → `Done` or `Idle`; a receive calls `unblock`;
//! - an abandoned op that had received a value gives it back
//!   ([`give_back`](Op::give_back), the only place that does), in hand-off
//!   order, unless it is a timer value of a schedule that `stop`/`reset`
//!   ended.
//!
//! The value always lives in the sudog's slot (as Go's `sudog.elem` points
//! at the goroutine's own variable): a send's value from the start until a
//! receiver takes it, a receive's value once it arrives, with the success
//! flag and the hand-off number beside it. The slot belongs to whoever the
//! sudog's state says: the owner while it is not queued, the winner of the
//! claim while it is.

use crate::error::{RecvError, SendError};
use crate::hchan::{Chan, Guard, Received, Sent};
use crate::wake::wake;
use core::fmt;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::Waker;
use gort_park::{Claim, Sudog};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

/// A send or receive that may wait (Go: a `sudog` and what its goroutine
/// knows of it). The channel is not stored: every owner has it at hand and
/// passes it in (a future borrows it, a stream owns its receiver, a select
/// case borrows it), and every owner dequeues its op before dropping it.
pub(crate) struct Op<T> {
    /// Linked into the channel's queue while `Queued`; its slot holds the
    /// value (see the module docs).
    sg: Sudog<T>,
    recv: bool,
    phase: Phase,
    _pin: PhantomPinned,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Idle,
    Queued,
    Done,
}

impl<T> Op<T> {
    /// A receive.
    pub(crate) fn new_recv() -> Self {
        Self::new(true, None)
    }

    /// A send of `value`.
    pub(crate) fn new_send(value: T) -> Self {
        Self::new(false, Some(value))
    }

    fn new(recv: bool, value: Option<T>) -> Self {
        Self {
            sg: Sudog::new(0, value),
            recv,
            phase: Phase::Idle,
            _pin: PhantomPinned,
        }
    }

    /// The sudog (shared: while it is queued, a completer may be writing
    /// its slot under the queue's lock), the direction and the phase.
    ///
    /// `&mut Op` while the sudog is queued is sound because `Op` is
    /// `!Unpin` (`PhantomPinned`): such references are not treated as
    /// unique, so the completer's accesses through its raw pointer do not
    /// conflict with them (the convention of intrusive waiter lists).
    fn parts(self: Pin<&mut Self>) -> (&Sudog<T>, bool, &mut Phase) {
        // SAFETY: `sg` is structurally pinned and only shared from here;
        // the other fields are not structurally pinned.
        let this = unsafe { self.get_unchecked_mut() };
        (&this.sg, this.recv, &mut this.phase)
    }

    /// The sudog for `set_case`, only while it is in no queue.
    fn idle_sudog(self: Pin<&mut Self>) -> Pin<&mut Sudog<T>> {
        assert_eq!(self.phase, Phase::Idle, "a channel operation queued twice");
        // SAFETY: `sg` is structurally pinned, handed out pinned, and not
        // queued, so nobody else reaches it.
        unsafe { self.map_unchecked_mut(|op| &mut op.sg) }
    }

    /// Whether this is a receive (else a send).
    #[inline]
    pub(crate) fn is_recv(&self) -> bool {
        self.recv
    }

    /// Whether the sudog is (or may still be) in its channel's queue.
    #[inline]
    pub(crate) fn is_queued(&self) -> bool {
        self.phase == Phase::Queued
    }

    /// The part of Go's `chansend`/`chanrecv` that needs no waiting, with
    /// the lock held (also `selectgo`'s pass 1 for one case): completes the
    /// op if it can and returns the waker of the peer it completed (to wake
    /// after unlocking); `None` if it would have to wait.
    #[inline]
    pub(crate) fn attempt(
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        g: &mut impl Guard<T>,
    ) -> Option<Option<Waker>> {
        let (sg, recv, phase) = self.parts();
        // A real check: the hidden `raw` surface lets safe code reuse a case.
        assert_eq!(*phase, Phase::Idle, "a channel operation started twice");
        let state = g.state_of(chan);
        // In every unsafe block below the op is not queued, so its slot is
        // the owner's, and the owner is this `&mut` call.
        let peer = if recv {
            match state.recv(chan.cap()) {
                Received::Value(v, waker) => {
                    // SAFETY: see above.
                    unsafe {
                        sg.put_elem(v);
                        sg.set_success(true);
                    }
                    waker
                }
                // Go's `rclose`: a receive on a closed channel completes.
                Received::Closed => {
                    // SAFETY: see above.
                    unsafe { sg.set_success(false) };
                    None
                }
                Received::Blocked => return None,
            }
        } else {
            // SAFETY: see above.
            let v = unsafe { sg.take_elem() }.expect("a send op holds its value");
            match state.send(chan.cap(), v) {
                Sent::Done(waker) => {
                    // SAFETY: see above.
                    unsafe { sg.set_success(true) };
                    waker
                }
                // Go's `sclose` panics; gort keeps the value for the owner.
                Sent::Closed(v) => {
                    // SAFETY: see above.
                    unsafe {
                        sg.put_elem(v);
                        sg.set_success(false);
                    }
                    None
                }
                Sent::Blocked(v) => {
                    // SAFETY: see above.
                    unsafe { sg.put_elem(v) };
                    return None;
                }
            }
        };
        *phase = Phase::Done;
        Some(peer)
    }

    /// Queues the op as case `case` of the party whose claim is `claim`
    /// (Go: `c.recvq.enqueue(mysg)` or `c.sendq.enqueue(mysg)`, plus
    /// `blockTimerChan` for a receive).
    ///
    /// # Safety
    /// The op and `claim` stay alive and in place until the op has left the
    /// queue of `chan`, through [`observe`](Self::observe) or
    /// [`dequeue`](Self::dequeue) (an op dropped while queued aborts the
    /// process), and `chan` outlives the op.
    pub(crate) unsafe fn enqueue(
        mut self: Pin<&mut Self>,
        chan: &Chan<T>,
        g: &mut impl Guard<T>,
        claim: &Claim,
        case: usize,
    ) {
        self.as_mut().idle_sudog().set_case(case);
        let (sg, recv, phase) = self.parts();
        let state = g.state_of(chan);
        let q = if recv {
            &mut state.recvq
        } else {
            &mut state.sendq
        };
        // SAFETY: `sg` is pinned in this op, and it and `claim` outlive its
        // stay in the queue (the caller's contract); we hold the channel
        // lock. A send's value is in the slot already.
        unsafe { q.enqueue(sg, claim) };
        *phase = Phase::Queued;
        if !recv {
            return;
        }
        let Some(t) = chan.timer() else { return };
        // The timer's `block` may unwind (it can start the timer thread, or
        // call an installed driver). Then the enqueue is undone here, under
        // the lock still held, so the owner is left with an idle op that no
        // peer can reach, and the panic goes on.
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| t.block())) {
            // SAFETY: enqueued in `q` just above, under the lock we hold.
            unsafe { q.remove(sg) };
            *phase = Phase::Idle;
            t.unblock();
            resume_unwind(panic);
        }
    }

    /// The op left its channel's queue (Go: `unblockTimerChan` for a
    /// receive on a timer channel).
    #[inline]
    fn left_queue(recv: bool, chan: &Chan<T>) {
        if recv {
            if let Some(t) = chan.timer() {
                t.unblock();
            }
        }
    }

    /// Records that a peer completed the op, once the claim was seen done
    /// with this op's case; no lock needed (the completer finished under
    /// the lock, left the outcome in the slot, and no longer touches it).
    ///
    /// # Safety
    /// The claim this op was queued with is done, with this op's case.
    pub(crate) unsafe fn observe(self: Pin<&mut Self>, chan: &Chan<T>) {
        let (_, recv, phase) = self.parts();
        debug_assert_eq!(*phase, Phase::Queued);
        Self::left_queue(recv, chan);
        *phase = Phase::Done;
    }

    /// Takes the op out of its queue if it is still there, with the lock
    /// held (Go: `dequeueSudoG` in `selectgo`'s pass 3, or a timed-out
    /// wait). If a peer completed it, the op is `Done`; otherwise it is
    /// `Idle` again, a send with its value still in the slot (a peer that
    /// lost the claim and unlinked it did not touch the slot). `won`: the
    /// claim is known to be done with this op's case (a completion by a
    /// close moved nothing, so only the claim tells it apart). No-op unless
    /// queued.
    pub(crate) fn dequeue(self: Pin<&mut Self>, chan: &Chan<T>, g: &mut impl Guard<T>, won: bool) {
        let (sg, recv, phase) = self.parts();
        if *phase != Phase::Queued {
            return;
        }
        let state = g.state_of(chan);
        let q = if recv {
            &mut state.recvq
        } else {
            &mut state.sendq
        };
        // SAFETY: `sg` was enqueued in `q`, whose lock we hold.
        let removed = unsafe { q.remove(sg) };
        debug_assert!(!(removed && won), "a completed op was still queued");
        Self::left_queue(recv, chan);
        // Only a peer that won the claim moves a value, so a set success
        // flag on a sudog that was not still queued means a completion.
        // SAFETY: out of the queue (removed now, or dequeued by a peer that finished under our lock).
        let success = unsafe { sg.success() };
        let completed = !removed && (won || success);
        *phase = if completed { Phase::Done } else { Phase::Idle };
    }

    /// The op is being abandoned after it completed (a dropped future or
    /// select): a value it received and nobody took goes back to the
    /// channel, ahead of later values (gort-chan's cancel-safety rule),
    /// unless it is a timer value whose schedule `stop`/`reset` ended; such a
    /// value stays in the slot and is dropped with the op, after unlocking.
    /// With the lock held; returns the waker of a receiver the value went
    /// to.
    pub(crate) fn give_back(
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        g: &mut impl Guard<T>,
    ) -> Option<Waker> {
        let (sg, recv, phase) = self.parts();
        if !(recv && *phase == Phase::Done) {
            return None;
        }
        *phase = Phase::Idle;
        // SAFETY: the op is not queued: its slot is ours. The stamp is the
        // hand-off number its completer left.
        let (value, handoff) = unsafe { (sg.take_elem()?, sg.stamp()) };
        match g.state_of(chan).give_back(value, handoff) {
            Ok(waker) => waker,
            Err(stale) => {
                // SAFETY: as above.
                unsafe { sg.put_elem(stale) };
                None
            }
        }
    }

    /// The owner drops the op (a future, a stream, a leaked select's case):
    /// [`dequeue`](Self::dequeue), then [`give_back`](Self::give_back), then
    /// wake the receiver the value went to. `won` is asked with the lock
    /// held, when the claim is settled. No-op unless queued.
    pub(crate) fn abandon(mut self: Pin<&mut Self>, chan: &Chan<T>, won: impl FnOnce() -> bool) {
        if !self.is_queued() {
            return;
        }
        let mut g = chan.lock();
        self.as_mut().dequeue(chan, &mut g, won());
        let waker = self.give_back(chan, &mut g);
        drop(g);
        wake(waker);
    }

    /// The outcome of a receive op that is done; taking it makes the op
    /// idle again.
    pub(crate) fn take_recv(self: Pin<&mut Self>) -> Option<Result<T, RecvError>> {
        let (sg, recv, phase) = self.parts();
        if !recv || *phase != Phase::Done {
            return None;
        }
        *phase = Phase::Idle;
        // SAFETY: the op is not queued: its slot is ours.
        Some(match unsafe { sg.take_elem() } {
            Some(v) => Ok(v),
            None => Err(RecvError),
        })
    }

    /// The outcome of a send op that is done (`Err` gives the value back:
    /// the channel was closed); taking it makes the op idle again.
    pub(crate) fn take_sent(self: Pin<&mut Self>) -> Option<Result<(), SendError<T>>> {
        let (sg, recv, phase) = self.parts();
        if recv || *phase != Phase::Done {
            return None;
        }
        *phase = Phase::Idle;
        // SAFETY: the op is not queued: its slot is ours. A send that
        // succeeded has an empty slot; one failed by a close kept its value.
        Some(match unsafe { sg.take_elem() } {
            None => Ok(()),
            Some(v) => Err(SendError(v)),
        })
    }

    /// The value of a send op that did not complete (it lost a select, or
    /// never ran).
    pub(crate) fn take_unsent(self: Pin<&mut Self>) -> Option<T> {
        let (sg, recv, phase) = self.parts();
        if recv || *phase != Phase::Idle {
            return None;
        }
        // SAFETY: the op is not queued: its slot is ours.
        unsafe { sg.take_elem() }
    }
}

impl<T> Drop for Op<T> {
    /// Every owner dequeues its op before dropping it. If one ever did not,
    /// the channel would keep a pointer to freed memory: stop the process
    /// rather than let that happen.
    fn drop(&mut self) {
        if self.phase == Phase::Queued {
            eprintln!("gort-chan: a waiting operation was dropped while queued (a gort-chan bug)");
            std::process::abort();
        }
    }
}

impl<T> fmt::Debug for Op<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Op")
            .field("kind", &if self.recv { "recv" } else { "send" })
            .field("phase", &self.phase)
            .finish()
    }
}
