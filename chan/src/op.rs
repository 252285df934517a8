//! One channel operation that may have to wait: Go's `sudog` as its owner
//! sees it (the `mysg` of `chansend`/`chanrecv`, or one case's sudog in
//! `selectgo`), with the owner's bookkeeping around it.
//!
//! Every waiting operation of gort-chan is an [`Op`]: the futures, the
//! blocking paths, the stream, and each arm of a select. Its methods run
//! under the lock of its channel (a [`Guard`]), so the rules live here once:
//!
//! - `Idle` → `attempt` (Go's steps that need no waiting) → `Done`, or
//!   `enqueue` → `Queued` (a receive on a timer channel calls `block`);
//! - `Queued` → `observe` (the claim was seen done with this case: a peer
//!   completed it under the lock and let go) or `dequeue` (under the lock:
//!   removed, or completed by a peer, or unlinked by a peer that lost the
//!   claim) → `Done` or `Idle`; a receive calls `unblock`;
//! - a send op has its value back whenever it is not `Done(true)`;
//! - an abandoned op that had received a value gives it back
//!   ([`give_back`](Op::give_back), the only place that does), unless it is
//!   a timer value of a schedule that `stop`/`reset` ended.

use crate::error::{RecvError, SendError};
use crate::hchan::{Chan, Guard, Received, Sent};
use core::fmt;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::Waker;
use gort_park::{Claim, Sudog};

/// A send or receive that may wait (Go: a `sudog` and what its goroutine
/// knows of it). The channel is not stored: every owner has it at hand and
/// passes it in (a future borrows it, a stream owns its receiver, a select
/// case borrows it), and every owner dequeues its op before dropping it.
pub(crate) struct Op<T> {
    /// Linked into the channel's queue while `Queued`; its slot carries the
    /// value to send, or receives the value.
    sg: Sudog<T>,
    st: OpState<T>,
    _pin: PhantomPinned,
}

/// The owner's side of an [`Op`]; not structurally pinned.
struct OpState<T> {
    recv: bool,
    phase: Phase,
    /// A send's value while it is not in the sudog (before queueing, after
    /// losing or a close); a receive's value once `Done` with success; a
    /// stale timer value after [`Op::give_back`] refused it (dropped with
    /// the op, after unlocking).
    value: Option<T>,
    /// Once `Done`: whether a value moved (false: the channel was closed).
    success: bool,
    /// Once `Done` through a handoff: the stamp the sender left (a timer
    /// channel's schedule; 0 otherwise).
    stamp: u64,
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
            sg: Sudog::new(0, None),
            st: OpState {
                recv,
                phase: Phase::Idle,
                value,
                success: false,
                stamp: 0,
            },
            _pin: PhantomPinned,
        }
    }

    fn parts(self: Pin<&mut Self>) -> (Pin<&mut Sudog<T>>, &mut OpState<T>) {
        // SAFETY: `sg` is structurally pinned and handed out pinned; `st` is
        // not structurally pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let sg = unsafe { Pin::new_unchecked(&mut this.sg) };
        (sg, &mut this.st)
    }

    /// Whether this is a receive (else a send).
    #[inline]
    pub(crate) fn is_recv(&self) -> bool {
        self.st.recv
    }

    /// Whether the sudog is (or may still be) in its channel's queue.
    #[inline]
    pub(crate) fn is_queued(&self) -> bool {
        self.st.phase == Phase::Queued
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
        let (_, st) = self.parts();
        debug_assert_eq!(st.phase, Phase::Idle);
        let state = g.state_of(chan);
        if st.recv {
            match state.recv(chan.cap()) {
                Received::Value(v, waker) => {
                    st.finish(true, Some(v), 0);
                    Some(waker)
                }
                // Go's `rclose`: a receive on a closed channel completes.
                Received::Closed => {
                    st.finish(false, None, 0);
                    Some(None)
                }
                Received::Blocked => None,
            }
        } else {
            let v = st.value.take().expect("a send op holds its value");
            match state.send(chan.cap(), v, 0) {
                Sent::Done(waker) => {
                    st.finish(true, None, 0);
                    Some(waker)
                }
                // Go's `sclose` panics; gort keeps the value for the owner.
                Sent::Closed(v) => {
                    st.finish(false, Some(v), 0);
                    Some(None)
                }
                Sent::Blocked(v) => {
                    st.value = Some(v);
                    None
                }
            }
        }
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
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        g: &mut impl Guard<T>,
        claim: &Claim,
        case: usize,
    ) {
        let (mut sg, st) = self.parts();
        debug_assert_eq!(st.phase, Phase::Idle);
        sg.as_mut().set_case(case);
        let state = g.state_of(chan);
        if st.recv {
            // SAFETY: `sg` is pinned in this op, and it and `claim` outlive
            // its stay in the queue (the caller's contract); we hold the
            // channel lock.
            unsafe { state.recvq.enqueue(&sg, claim) };
            if let Some(t) = chan.timer() {
                t.block();
            }
        } else {
            let v = st.value.take().expect("a send op holds its value");
            // SAFETY: not queued, so the slot is ours.
            let old = unsafe { sg.put_elem(v) };
            debug_assert!(old.is_none());
            // SAFETY: as for the receive queue above.
            unsafe { state.sendq.enqueue(&sg, claim) };
        }
        st.phase = Phase::Queued;
    }

    /// Records the outcome a peer left, once the claim was seen done with
    /// this op's case; no lock needed (the completer finished under the
    /// lock and no longer touches the sudog).
    ///
    /// # Safety
    /// The claim this op was queued with is done, with this op's case.
    pub(crate) unsafe fn observe(self: Pin<&mut Self>, chan: &Chan<T>) {
        let (sg, st) = self.parts();
        debug_assert_eq!(st.phase, Phase::Queued);
        st.left_queue(chan);
        // SAFETY: the claim is done with our case: the completer dequeued
        // the sudog and is done with its slot (the caller's contract).
        unsafe { st.record(&sg) };
    }

    /// Takes the op out of its queue if it is still there, with the lock
    /// held (Go: `dequeueSudoG` in `selectgo`'s pass 3, or a timed-out
    /// wait). If a peer completed it, its outcome is recorded (`Done`);
    /// otherwise the op is `Idle` again, and a send has its value back (even
    /// when a peer that lost the claim unlinked it). `won`: the claim is
    /// known to be done with this op's case (a completion that closed the
    /// channel moved nothing, so only the claim tells it apart). No-op
    /// unless queued.
    pub(crate) fn dequeue(self: Pin<&mut Self>, chan: &Chan<T>, g: &mut impl Guard<T>, won: bool) {
        let (sg, st) = self.parts();
        if st.phase != Phase::Queued {
            return;
        }
        let state = g.state_of(chan);
        let q = if st.recv {
            &mut state.recvq
        } else {
            &mut state.sendq
        };
        // SAFETY: `sg` was enqueued in `q`, whose lock we hold.
        let removed = unsafe { q.remove(&sg) };
        debug_assert!(!(removed && won), "a completed op was still queued");
        st.left_queue(chan);
        // SAFETY: the sudog is out of the queue: removed now, or dequeued by
        // a peer, which finished with it under the lock we hold. Its slot is
        // ours. Only a peer that won the claim moves a value, so a set
        // success flag means a completion.
        unsafe {
            if !removed && (won || sg.success()) {
                st.record(&sg);
            } else {
                st.phase = Phase::Idle;
                if !st.recv {
                    st.value = sg.take_elem();
                }
            }
        }
    }

    /// The op is being abandoned after it completed (a dropped future or
    /// select): a value it received and nobody took goes back to the
    /// channel, ahead of later values (gort-chan's cancel-safety rule),
    /// unless it is a timer value whose schedule `stop`/`reset` ended
    /// ([`TimerHook::keep_returned`](crate::raw::TimerHook::keep_returned));
    /// such a value stays in the op and is dropped with it. With the lock
    /// held; returns the waker of a receiver the value went to.
    pub(crate) fn give_back(
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        g: &mut impl Guard<T>,
    ) -> Option<Waker> {
        let (_, st) = self.parts();
        if !(st.recv && st.phase == Phase::Done && st.success) {
            return None;
        }
        st.phase = Phase::Idle;
        let v = st.value.take()?;
        if chan.timer().is_some_and(|t| !t.keep_returned(st.stamp)) {
            st.value = Some(v);
            return None;
        }
        g.state_of(chan).give_back(v, st.stamp)
    }

    /// The outcome of a receive op that is done; taking it makes the op
    /// idle again.
    pub(crate) fn take_recv(self: Pin<&mut Self>) -> Option<Result<T, RecvError>> {
        let (_, st) = self.parts();
        if !st.recv || st.phase != Phase::Done {
            return None;
        }
        st.phase = Phase::Idle;
        Some(if st.success {
            Ok(st
                .value
                .take()
                .expect("a completed receive holds its value"))
        } else {
            Err(RecvError)
        })
    }

    /// The outcome of a send op that is done (`Err` gives the value back:
    /// the channel was closed); taking it makes the op idle again.
    pub(crate) fn take_sent(self: Pin<&mut Self>) -> Option<Result<(), SendError<T>>> {
        let (_, st) = self.parts();
        if st.recv || st.phase != Phase::Done {
            return None;
        }
        st.phase = Phase::Idle;
        Some(if st.success {
            Ok(())
        } else {
            Err(SendError(
                st.value
                    .take()
                    .expect("a send failed by close keeps its value"),
            ))
        })
    }

    /// The value of a send op that did not complete (it lost a select, or
    /// never ran).
    pub(crate) fn take_unsent(self: Pin<&mut Self>) -> Option<T> {
        let (_, st) = self.parts();
        if st.recv || st.phase != Phase::Idle {
            return None;
        }
        st.value.take()
    }
}

impl<T> OpState<T> {
    /// The op completed in place (no peer involved).
    #[inline]
    fn finish(&mut self, success: bool, value: Option<T>, stamp: u64) {
        self.phase = Phase::Done;
        self.success = success;
        self.value = value;
        self.stamp = stamp;
    }

    /// The op left its channel's queue (Go: `unblockTimerChan` for a
    /// receive on a timer channel).
    #[inline]
    fn left_queue(&self, chan: &Chan<T>) {
        if self.recv {
            if let Some(t) = chan.timer() {
                t.unblock();
            }
        }
    }

    /// Records the outcome a completer left in `sg`.
    ///
    /// # Safety
    /// The sudog is out of every queue and its completer is done with it.
    #[inline]
    unsafe fn record(&mut self, sg: &Sudog<T>) {
        // SAFETY: the slot is ours (the caller's contract).
        unsafe {
            let success = sg.success();
            let value = if self.recv || !success {
                sg.take_elem()
            } else {
                None
            };
            self.finish(success, value, sg.stamp());
        }
    }
}

impl<T> Drop for Op<T> {
    /// Every owner dequeues its op before dropping it. If one ever did not,
    /// the channel would keep a pointer to freed memory: stop the process
    /// rather than let that happen.
    fn drop(&mut self) {
        if self.st.phase == Phase::Queued {
            eprintln!("gort-chan: a waiting operation was dropped while queued (a gort-chan bug)");
            std::process::abort();
        }
    }
}

impl<T> fmt::Debug for Op<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Op")
            .field("kind", &if self.st.recv { "recv" } else { "send" })
            .field("phase", &self.st.phase)
            .finish()
    }
}
