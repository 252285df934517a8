//! Sending: Go's `chansend` (runtime/chan.go), for threads, tasks and
//! non-blocking callers.

use crate::error::{SendError, SendTimeoutError, TrySendError};
use crate::hchan::{Chan, Sent};
use crate::op::Op;
use crate::stage::{Sending, Stage};
use crate::waiter::Waiter;
use crate::wake::wake;
use core::fmt;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll};
use std::time::Instant;

impl<T> Chan<T> {
    /// Go's `chansend(c, ep, block = false)`, i.e. `selectnbsend`.
    ///
    /// Lock-free fast failure first (Go's step 2): if the channel is full and
    /// open, no send can proceed. `full` is read before `closed`, the order
    /// Go's comment allows: `closed` is published before `ready` (see
    /// `Chan::publish`), so a `ready` written by a close is seen with its
    /// `closed`, and "full, then not closed" proves a moment when the channel
    /// was open and full.
    pub(crate) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        if self.full() && !self.is_closed() {
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
        let g = loop {
            let mut g = self.lock();
            value = match g.send(self.cap(), value) {
                Sent::Done(waker) => {
                    drop(g);
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
                break g;
            }
            drop(g);
            spun = true;
            gort_park::spin_until(|| {
                (self.buffered() <= self.cap() / 2 || self.is_closed()).then_some(())
            });
        };
        // Only now, about to wait, does the thread need a waiting operation.
        let mut w = pin!(Waiter::new(Op::new_send(value)));
        if !w.as_mut().block(self, g, deadline) {
            let v = w
                .op()
                .take_unsent()
                .expect("a timed-out send keeps its value");
            return Err(SendTimeoutError::Timeout(v));
        }
        w.op()
            .take_sent()
            .expect("a send that stopped waiting is done")
            // Woken by close: Go panics "send on closed channel".
            .map_err(|SendError(v)| SendTimeoutError::Closed(v))
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
    stage: Stage<T, Sending<T>>,
}

impl<'a, T> SendFuture<'a, T> {
    pub(crate) fn new(chan: &'a Chan<T>, value: T) -> Self {
        Self {
            chan,
            stage: Stage::Start(Sending(value)),
        }
    }
}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `stage` is structurally pinned; `chan` is not.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        unsafe { Pin::new_unchecked(&mut this.stage) }.poll(this.chan, cx)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: `drop` runs on a pinned (or never pinned) future, and
        // `stage` is structurally pinned.
        unsafe { Pin::new_unchecked(&mut self.stage) }.cancel(self.chan);
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture")
            .field("queued", &self.stage.is_queued())
            .field("done", &self.stage.is_done())
            .finish()
    }
}
