//! Receiving: Go's `chanrecv` (runtime/chan.go), for threads, tasks and
//! non-blocking callers.

use crate::error::{RecvError, RecvTimeoutError, TryRecvError};
use crate::hchan::{Chan, Received, wake};
use crate::waiter::Waiter;
use core::fmt;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use std::time::Instant;

impl<T> Chan<T> {
    /// Go's `chanrecv(c, ep, block = false)`, i.e. `selectnbrecv`.
    ///
    /// Lock-free fast path (Go's step 2), in Go's order: empty, then closed,
    /// then empty again. If the channel is empty and open, nothing can be
    /// received; if it is closed, a second emptiness check (acquire loads
    /// after the acquire load of `closed`) catches a value sent before the
    /// close.
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        self.maybe_run_timer();
        if self.empty() {
            if !self.is_closed() {
                return Err(TryRecvError::Empty);
            }
            if self.empty() {
                return Err(TryRecvError::Closed);
            }
        }
        let mut st = self.lock();
        match st.recv(self.cap()) {
            Received::Value(v, waker) => {
                drop(st);
                wake(waker);
                Ok(v)
            }
            Received::Closed => Err(TryRecvError::Closed),
            Received::Blocked => Err(TryRecvError::Empty),
        }
    }

    /// Go's `chanrecv(c, ep, block = true)` for an OS thread, optionally
    /// giving up at `deadline`.
    pub(crate) fn recv_blocking(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        self.maybe_run_timer();
        let mut spun = false;
        let mut st = loop {
            let mut st = self.lock();
            match st.recv(self.cap()) {
                Received::Value(v, waker) => {
                    drop(st);
                    wake(waker);
                    return Ok(v);
                }
                Received::Closed => return Err(RecvTimeoutError::Closed),
                Received::Blocked => {}
            }
            // As in `send_blocking`: an empty buffer usually fills within
            // microseconds; an unbuffered receive must queue for a sender.
            if self.cap() == 0 || spun || self.timer().is_some() {
                break st;
            }
            drop(st);
            spun = true;
            gort_park::spin_until(|| (!self.empty() || self.is_closed()).then_some(()));
        };
        let mut waiter = pin!(Waiter::new());
        // SAFETY: we hold the lock; `waiter` is pinned on this frame, which
        // returns only after completion or cancellation below.
        unsafe { waiter.as_mut().enqueue(&mut st.recvq, None, None) };
        self.block_timer(true);
        drop(st);
        let outcome = match waiter.as_mut().wait(deadline) {
            Some(success) => Some(success),
            None => {
                let mut st = self.lock();
                // SAFETY: we hold the lock of the queue we enqueued in.
                unsafe { waiter.as_mut().cancel(&mut st.recvq) }
            }
        };
        self.block_timer(false);
        // A completion that beat the timeout wins: the value is ours.
        let success = outcome.ok_or(RecvTimeoutError::Timeout)?;
        if success {
            Ok(waiter
                .take_elem()
                .expect("a completed receiver holds its value"))
        } else {
            Err(RecvTimeoutError::Closed)
        }
    }

    /// One poll of an async receive.
    pub(crate) fn poll_recv(
        &self,
        mut waiter: Pin<&mut Waiter<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, RecvError>> {
        if waiter.is_queued() {
            let Some(success) = waiter.as_mut().poll_done(cx.waker()) else {
                return Poll::Pending;
            };
            self.block_timer(false);
            return Poll::Ready(if success {
                Ok(waiter
                    .take_elem()
                    .expect("a completed receiver holds its value"))
            } else {
                Err(RecvError)
            });
        }
        self.maybe_run_timer();
        let mut st = self.lock();
        match st.recv(self.cap()) {
            Received::Value(v, waker) => {
                drop(st);
                wake(waker);
                Poll::Ready(Ok(v))
            }
            Received::Closed => Poll::Ready(Err(RecvError)),
            Received::Blocked => {
                // SAFETY: we hold the lock; the owner of `waiter` is pinned
                // and calls `cancel_recv` when dropped.
                unsafe { waiter.enqueue(&mut st.recvq, None, Some(cx.waker())) };
                self.block_timer(true);
                Poll::Pending
            }
        }
    }

    /// Drop of a pending async receive: leave no waiter behind, and if a
    /// sender already handed it a value, give that value back to the channel
    /// (to a waiting receiver, or to the head of the channel), so it is
    /// neither lost nor received twice.
    pub(crate) fn cancel_recv(&self, mut waiter: Pin<&mut Waiter<T>>) {
        if !waiter.is_queued() {
            return;
        }
        let mut st = self.lock();
        self.block_timer(false);
        // SAFETY: we hold the lock of the queue the waiter is in.
        if unsafe { waiter.as_mut().cancel(&mut st.recvq) } != Some(true) {
            return;
        }
        let v = waiter
            .take_elem()
            .expect("a completed receiver holds its value");
        if self.timer().is_some_and(|t| !t.keep_returned()) {
            // A value of an earlier timer schedule: dropped after unlocking,
            // not given back (`TimerHook::keep_returned`).
            drop(st);
            drop(v);
            return;
        }
        let waker = st.give_back(v);
        drop(st);
        wake(waker);
    }
}

/// The future of [`Receiver::recv`](crate::Receiver::recv).
///
/// Cancel-safe: dropped before it completes, it leaves no waiter behind, and
/// a value a sender had already handed to it goes back to the channel, ahead
/// of values sent later, for another receiver. No value is lost or received
/// twice.
#[must_use = "futures do nothing unless polled"]
pub struct RecvFuture<'a, T> {
    /// `None` for [`never`](crate::never): never ready.
    chan: Option<&'a Chan<T>>,
    waiter: Waiter<T>,
    done: bool,
}

impl<'a, T> RecvFuture<'a, T> {
    pub(crate) fn new(chan: Option<&'a Chan<T>>) -> Self {
        Self {
            chan,
            waiter: Waiter::new(),
            done: false,
        }
    }
}

impl<T> Future for RecvFuture<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `waiter` is structurally pinned; the other fields are not.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(!this.done, "`RecvFuture` polled after it completed");
        let Some(chan) = this.chan else {
            return Poll::Pending;
        };
        // SAFETY: see above.
        let waiter = unsafe { Pin::new_unchecked(&mut this.waiter) };
        let out = chan.poll_recv(waiter, cx);
        this.done = out.is_ready();
        out
    }
}

impl<T> Drop for RecvFuture<'_, T> {
    fn drop(&mut self) {
        if let Some(chan) = self.chan {
            // SAFETY: `waiter` is structurally pinned.
            chan.cancel_recv(unsafe { Pin::new_unchecked(&mut self.waiter) });
        }
    }
}

impl<T> fmt::Debug for RecvFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvFuture")
            .field("never", &self.chan.is_none())
            .field("queued", &self.waiter.is_queued())
            .field("done", &self.done)
            .finish()
    }
}
