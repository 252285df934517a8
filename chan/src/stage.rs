//! An async send or receive as its future (or stream) holds it: Go's
//! goroutine inside `chansend`/`chanrecv` with `block == true`.
//!
//! A future starts with only what it was given (a send's value, or nothing
//! for a receive). Its first poll runs the steps that need no waiting under
//! the channel lock, straight on the channel's state; only if it must wait
//! does it build its [`Waiter`] (Go's `mysg`, acquired just before `gopark`),
//! in place, already pinned. So the common case (a buffered channel with
//! room, or a value ready) never writes or reads a waiting operation: a
//! future stays two words plus the value until it has to wait.

use crate::error::{RecvError, SendError};
use crate::hchan::{Chan, Received, Sent, State};
use crate::op::Op;
use crate::waiter::Waiter;
use crate::wake::wake;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

/// What an async operation starts with, and how it runs without waiting.
pub(crate) trait Start<T>: Sized {
    /// The operation's outcome.
    type Output;
    /// A receive (which runs a timer channel's timer first).
    const RECV: bool;
    /// Go's steps of `chansend`/`chanrecv` that need no waiting, with the
    /// lock held: the outcome and the waker of the peer it completed (to
    /// wake after unlocking), or the op to queue if it must wait.
    fn attempt(self, cap: usize, st: &mut State<T>)
    -> Result<(Self::Output, Option<Waker>), Op<T>>;
    /// The outcome of a queued op that a peer completed.
    fn take(op: Pin<&mut Op<T>>) -> Option<Self::Output>;
}

/// A receive starts with nothing.
impl<T> Start<T> for () {
    type Output = Result<T, RecvError>;
    const RECV: bool = true;

    #[inline(always)]
    fn attempt(
        self,
        cap: usize,
        st: &mut State<T>,
    ) -> Result<(Self::Output, Option<Waker>), Op<T>> {
        match st.recv(cap) {
            Received::Value(v, peer) => Ok((Ok(v), peer)),
            // Go's `rclose`: a receive on a closed channel completes.
            Received::Closed => Ok((Err(RecvError), None)),
            Received::Blocked => Err(Op::new_recv()),
        }
    }

    fn take(op: Pin<&mut Op<T>>) -> Option<Self::Output> {
        op.take_recv()
    }
}

/// A send starts with its value.
pub(crate) struct Sending<T>(pub(crate) T);

impl<T> Start<T> for Sending<T> {
    type Output = Result<(), SendError<T>>;
    const RECV: bool = false;

    #[inline(always)]
    fn attempt(
        self,
        cap: usize,
        st: &mut State<T>,
    ) -> Result<(Self::Output, Option<Waker>), Op<T>> {
        match st.send(cap, self.0) {
            Sent::Done(peer) => Ok((Ok(()), peer)),
            // Go's `sclose` panics; gort gives the value back.
            Sent::Closed(v) => Ok((Err(SendError(v)), None)),
            Sent::Blocked(v) => Err(Op::new_send(v)),
        }
    }

    fn take(op: Pin<&mut Op<T>>) -> Option<Self::Output> {
        op.take_sent()
    }
}

/// The stages of one async operation. Only `Waiting` is structurally
/// pinned: it is built in place and left only by being dropped in place.
pub(crate) enum Stage<T, S> {
    /// Not polled yet.
    Start(S),
    /// Queued by the first poll; a peer completes it.
    Waiting(Waiter<T>),
    /// Completed (or taken apart): polling again is a contract violation.
    Done,
}

impl<T, S: Start<T>> Stage<T, S> {
    /// One poll on `chan` (Go: `chansend`/`chanrecv` in a goroutine).
    ///
    /// The first poll checks for preemption (Go's prologue check), runs a
    /// timer channel's timer, then tries the operation under the lock; if it
    /// would block, it builds the waiter, registers the task's waker and
    /// queues it (Go: `gopark`). Later polls only look at the claim: the
    /// peer that completes the op does the work under the lock.
    #[inline]
    pub(crate) fn poll(
        self: Pin<&mut Self>,
        chan: &Chan<T>,
        cx: &mut Context<'_>,
    ) -> Poll<S::Output> {
        // SAFETY: `Waiting` is only reached pinned (below) and only left by
        // dropping it in place (`*this = Done`); `Start` is not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            Stage::Start(_) => {}
            Stage::Waiting(w) => {
                // SAFETY: see above.
                let mut w = unsafe { Pin::new_unchecked(w) };
                core::task::ready!(w.as_mut().poll_queued(chan, cx));
                let out = S::take(w.op()).expect("a completed operation has an outcome");
                *this = Stage::Done;
                return Poll::Ready(out);
            }
            Stage::Done => panic!("a channel future polled after it completed"),
        }
        if gort_park::hook::preempt_check(cx) {
            return Poll::Pending;
        }
        if S::RECV {
            chan.maybe_run_timer();
        }
        let Stage::Start(start) = this else {
            unreachable!("matched above")
        };
        // Moved out by hand: `mem::replace` would copy the whole stage (the
        // size of a waiter) for a value of at most a `T`.
        // SAFETY: read once, then `Done` (which holds nothing) is written
        // over it without dropping it, so the value is owned exactly once.
        let start = unsafe {
            let start = core::ptr::read(start);
            core::ptr::write(this, Stage::Done);
            start
        };
        let mut g = chan.lock();
        match start.attempt(chan.cap(), &mut g) {
            Ok((out, peer)) => {
                drop(g);
                wake(peer);
                Poll::Ready(out)
            }
            Err(op) => {
                *this = Stage::Waiting(Waiter::new(op));
                let Stage::Waiting(w) = this else {
                    unreachable!("just stored")
                };
                // SAFETY: built in place just now, pinned from here on (see
                // above).
                unsafe { Pin::new_unchecked(w) }.park(chan, g, cx);
                Poll::Pending
            }
        }
    }
}

impl<T, S> Stage<T, S> {
    /// Whether the operation waits in its channel's queue.
    pub(crate) fn is_queued(&self) -> bool {
        matches!(self, Stage::Waiting(w) if w.is_queued())
    }

    /// Whether the operation completed.
    pub(crate) fn is_done(&self) -> bool {
        matches!(self, Stage::Done)
    }

    /// The owner is dropped (or restarts): leave no waiter behind, and give
    /// back a value a sender already handed over (see [`Waiter::cancel`]).
    pub(crate) fn cancel(self: Pin<&mut Self>, chan: &Chan<T>) {
        // SAFETY: as in `poll`.
        if let Stage::Waiting(w) = unsafe { self.get_unchecked_mut() } {
            // SAFETY: as in `poll`.
            unsafe { Pin::new_unchecked(w) }.cancel(chan);
        }
    }
}
