//! Receiving: Go's `chanrecv` (runtime/chan.go), for threads, tasks and
//! non-blocking callers.

use crate::error::{RecvError, RecvTimeoutError, TryRecvError};
use crate::hchan::{Chan, Received};
use crate::op::Op;
use crate::stage::Stage;
use crate::waiter::Waiter;
use crate::wake::wake;
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
    /// close. (`closed` is published before `count`: see `Chan::publish`.)
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
        let g = loop {
            let mut g = self.lock();
            match g.recv(self.cap()) {
                Received::Value(v, waker) => {
                    drop(g);
                    wake(waker);
                    return Ok(v);
                }
                Received::Closed => return Err(RecvTimeoutError::Closed),
                Received::Blocked => {}
            }
            // As in `send_blocking`: an empty buffer usually fills within
            // microseconds; an unbuffered receive must queue for a sender.
            if self.cap() == 0 || spun || self.timer().is_some() {
                break g;
            }
            drop(g);
            spun = true;
            gort_park::spin_until(|| (!self.empty() || self.is_closed()).then_some(()));
        };
        // Only now, about to wait, does the thread need a waiting operation.
        let mut w = pin!(Waiter::new(Op::new_recv()));
        if !w.as_mut().block(self, g, deadline) {
            return Err(RecvTimeoutError::Timeout);
        }
        w.op()
            .take_recv()
            .expect("a receive that stopped waiting is done")
            .map_err(|RecvError| RecvTimeoutError::Closed)
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
    stage: Stage<T, ()>,
}

impl<'a, T> RecvFuture<'a, T> {
    pub(crate) fn new(chan: Option<&'a Chan<T>>) -> Self {
        Self {
            chan,
            stage: Stage::Start(()),
        }
    }
}

impl<T> Future for RecvFuture<'_, T> {
    type Output = Result<T, RecvError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `stage` is structurally pinned; `chan` is not.
        let this = unsafe { self.get_unchecked_mut() };
        let Some(chan) = this.chan else {
            return Poll::Pending;
        };
        // SAFETY: see above.
        unsafe { Pin::new_unchecked(&mut this.stage) }.poll(chan, cx)
    }
}

impl<T> Drop for RecvFuture<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if let Some(chan) = self.chan {
            // SAFETY: `drop` runs on a pinned (or never pinned) future, and
            // `stage` is structurally pinned.
            unsafe { Pin::new_unchecked(&mut self.stage) }.cancel(chan);
        }
    }
}

impl<T> fmt::Debug for RecvFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvFuture")
            .field("never", &self.chan.is_none())
            .field("queued", &self.stage.is_queued())
            .field("done", &self.stage.is_done())
            .finish()
    }
}
