//! Sending: Go's `chansend` (runtime/chan.go), for threads, tasks and
//! non-blocking callers.

use crate::error::{SendError, SendTimeoutError, TrySendError};
use crate::hchan::{Chan, Sent, wake};
use crate::waiter::Waiter;
use core::fmt;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use std::time::Instant;

impl<T> Chan<T> {
    /// Go's `chansend(c, ep, block = false)`, i.e. `selectnbsend`.
    ///
    /// Lock-free fast failure first (Go's step 2): if the channel is open and
    /// full, no send can proceed. A closed channel never becomes "not ready
    /// to send" again, so reading `closed` and then `full` proves there was a
    /// moment when it was open and full.
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        if !self.is_closed() && self.full() {
            return Err(TrySendError::Full(value));
        }
        let mut st = self.lock();
        match st.send(self.cap(), value) {
            Sent::Done(waker) => {
                drop(st);
                wake(waker);
                Ok(())
            }
            Sent::Closed(v) => Err(TrySendError::Closed(v)),
            Sent::Blocked(v) => Err(TrySendError::Full(v)),
        }
    }

    /// Go's `chansend(c, ep, block = true)` for an OS thread, optionally
    /// giving up at `deadline`.
    ///
    /// Deviation: where Go panics on a closed channel, the value comes back.
    pub(crate) fn send_blocking(
        &self,
        value: T,
        deadline: Option<Instant>,
    ) -> Result<(), SendTimeoutError<T>> {
        let mut value = value;
        let mut spun = false;
        let mut st = loop {
            let mut st = self.lock();
            value = match st.send(self.cap(), value) {
                Sent::Done(waker) => {
                    drop(st);
                    wake(waker);
                    return Ok(());
                }
                Sent::Closed(v) => return Err(SendTimeoutError::Closed(v)),
                Sent::Blocked(v) => v,
            };
            // A full buffer usually drains within microseconds: wait for room
            // without the lock before queueing (parking an OS thread costs far
            // more). Wait for half the buffer to drain, so sender and receiver
            // work in batches instead of fighting over every slot. An
            // unbuffered send must queue for a receiver to find it.
            if self.cap() == 0 || spun {
                break st;
            }
            drop(st);
            spun = true;
            gort_park::spin_until(|| {
                (self.buffered() <= self.cap() / 2 || self.is_closed()).then_some(())
            });
        };
        let mut waiter = pin!(Waiter::new());
        // SAFETY: we hold the lock; `waiter` is pinned on this frame, which
        // returns only after completion or cancellation below.
        unsafe { waiter.as_mut().enqueue(&mut st.sendq, Some(value), None) };
        drop(st);
        let outcome = match waiter.as_mut().wait(deadline) {
            Some(success) => success,
            None => {
                let mut st = self.lock();
                // SAFETY: we hold the lock of the queue we enqueued in.
                let outcome = unsafe { waiter.as_mut().cancel(&mut st.sendq) };
                drop(st);
                match outcome {
                    Some(success) => success,
                    None => {
                        let v = waiter
                            .take_elem()
                            .expect("a cancelled sender keeps its value");
                        return Err(SendTimeoutError::Timeout(v));
                    }
                }
            }
        };
        if outcome {
            Ok(())
        } else {
            // Woken by close: Go panics "send on closed channel".
            let v = waiter
                .take_elem()
                .expect("a sender woken by close keeps its value");
            Err(SendTimeoutError::Closed(v))
        }
    }

    /// One poll of an async send. `value` is `Some` until the send is
    /// attempted; after that the waiter holds it.
    pub(crate) fn poll_send(
        &self,
        value: &mut Option<T>,
        mut waiter: Pin<&mut Waiter<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        if waiter.is_queued() {
            return match waiter.as_mut().poll_done(cx.waker()) {
                None => Poll::Pending,
                Some(true) => Poll::Ready(Ok(())),
                Some(false) => Poll::Ready(Err(SendError(
                    waiter
                        .take_elem()
                        .expect("a sender woken by close keeps its value"),
                ))),
            };
        }
        let v = value
            .take()
            .expect("`SendFuture` polled after it completed");
        let mut st = self.lock();
        match st.send(self.cap(), v) {
            Sent::Done(waker) => {
                drop(st);
                wake(waker);
                Poll::Ready(Ok(()))
            }
            Sent::Closed(v) => Poll::Ready(Err(SendError(v))),
            Sent::Blocked(v) => {
                // SAFETY: we hold the lock; the future owning `waiter` is
                // pinned and cancels it in `Drop` if it is still queued.
                unsafe { waiter.enqueue(&mut st.sendq, Some(v), Some(cx.waker())) };
                Poll::Pending
            }
        }
    }

    /// Drop of a pending async send: leave no waiter behind. The value, if
    /// not delivered, is dropped with the waiter after the lock is released.
    pub(crate) fn cancel_send(&self, waiter: Pin<&mut Waiter<T>>) {
        if waiter.is_queued() {
            let mut st = self.lock();
            // SAFETY: we hold the lock of the queue the waiter is in.
            unsafe { waiter.cancel(&mut st.sendq) };
        }
    }
}

/// The future of [`Sender::send`](crate::Sender::send).
///
/// Cancel-safe: dropped before it completes, it leaves no waiter behind and
/// its value is either dropped with it or was already delivered, never
/// delivered later and never half-sent. A future that is waiting is
/// completed by the receiver that takes its value (Go's direct handoff), so a
/// future dropped after that moment but before it was polled again did
/// deliver its value even though its owner never saw `Ready`. To act on
/// exactly one of several operations, use gort-select's `select!`, which
/// commits exactly one case.
#[must_use = "futures do nothing unless polled"]
pub struct SendFuture<'a, T> {
    chan: &'a Chan<T>,
    value: Option<T>,
    waiter: Waiter<T>,
}

impl<'a, T> SendFuture<'a, T> {
    pub(crate) fn new(chan: &'a Chan<T>, value: T) -> Self {
        Self {
            chan,
            value: Some(value),
            waiter: Waiter::new(),
        }
    }

    fn project(self: Pin<&mut Self>) -> (&'a Chan<T>, &mut Option<T>, Pin<&mut Waiter<T>>) {
        // SAFETY: `waiter` is structurally pinned (never moved out of a
        // pinned `self`); `chan` and `value` are not.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let waiter = unsafe { Pin::new_unchecked(&mut this.waiter) };
        (this.chan, &mut this.value, waiter)
    }
}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (chan, value, waiter) = self.project();
        chan.poll_send(value, waiter, cx)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        // SAFETY: `drop` runs on a pinned (or never pinned) future, and
        // `waiter` is structurally pinned.
        let waiter = unsafe { Pin::new_unchecked(&mut self.waiter) };
        self.chan.cancel_send(waiter);
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture")
            .field("started", &self.value.is_none())
            .field("queued", &self.waiter.is_queued())
            .finish_non_exhaustive()
    }
}
