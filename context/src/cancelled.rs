//! Waiting for cancellation as a future.

use gort_chan::{RecvFuture, RecvOnly};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// The future of [`Context::cancelled`](crate::Context::cancelled):
/// completes when the context is cancelled, never for a context that
/// cannot be (Go: `<-ctx.Done()`).
///
/// Cancel-safe: dropping it leaves nothing behind (it is a receive on the
/// context's done channel, which never carries a value).
#[must_use = "futures do nothing unless polled"]
pub struct Cancelled<'a> {
    recv: Option<RecvFuture<'a, ()>>,
}

impl<'a> Cancelled<'a> {
    pub(crate) fn new(done: Option<&'a RecvOnly<()>>) -> Cancelled<'a> {
        Cancelled {
            recv: done.map(RecvOnly::recv),
        }
    }
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        // SAFETY: `recv` is structurally pinned: it is never moved out of
        // the pinned `Cancelled`, and `Cancelled` has no `Drop`.
        let recv = unsafe { self.map_unchecked_mut(|s| &mut s.recv) }.as_pin_mut();
        match recv {
            Some(recv) => recv.poll(cx).map(drop),
            None => Poll::Pending,
        }
    }
}

impl fmt::Debug for Cancelled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cancelled")
            .field("cancelable", &self.recv.is_some())
            .finish()
    }
}
