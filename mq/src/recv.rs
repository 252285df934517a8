//! The receive futures of [`Consumer`](crate::Consumer) and
//! [`Subscription`](crate::Subscription): gort-chan's, plus the word back
//! to the topic when a message was taken.

use crate::error::RecvCtxError;
use crate::topic::Topic;
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};
use gort_chan::RecvError;
use gort_context::{Cancelled, Context};
use gort_sync::AtomicBool;
use std::fmt;
use std::mem;

/// The future of [`Inbox::recv`](crate::Inbox::recv): the next message, or
/// `Err(RecvError)` once the topic is closed and drained. Cancel-safe.
#[must_use = "futures do nothing unless polled"]
pub struct RecvFuture<'a, M> {
    recv: gort_chan::RecvFuture<'a, M>,
    topic: &'a Topic<M>,
    /// The channel's wanted flag (see `Topic::taken`).
    wanted: Option<&'a AtomicBool>,
}

impl<'a, M> RecvFuture<'a, M> {
    pub(crate) fn new(
        recv: gort_chan::RecvFuture<'a, M>,
        topic: &'a Topic<M>,
        wanted: Option<&'a AtomicBool>,
    ) -> Self {
        Self {
            recv,
            topic,
            wanted,
        }
    }
}

impl<M> Future for RecvFuture<'_, M> {
    type Output = Result<M, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // SAFETY: `recv` is structurally pinned: never moved out of the
        // pinned future; the other fields are plain references.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let got = unsafe { Pin::new_unchecked(&mut this.recv) }.poll(cx);
        if let Poll::Ready(Ok(_)) = got {
            this.topic.taken(this.wanted);
        }
        got
    }
}

impl<M> fmt::Debug for RecvFuture<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvFuture")
            .field("recv", &self.recv)
            .finish()
    }
}

/// The future of [`Inbox::recv_ctx`](crate::Inbox::recv_ctx). Cancel-safe.
#[must_use = "futures do nothing unless polled"]
pub struct RecvCtxFuture<'a, M> {
    /// The receive; dropped (leaving the channel's wait queue) when the
    /// context ends the future, so a finished future holds no message.
    recv: Option<RecvFuture<'a, M>>,
    cancelled: Cancelled<'a>,
    ctx: &'a Context,
    polled: bool,
}

impl<'a, M> RecvCtxFuture<'a, M> {
    pub(crate) fn new(recv: RecvFuture<'a, M>, ctx: &'a Context) -> Self {
        Self {
            recv: Some(recv),
            cancelled: ctx.cancelled(),
            ctx,
            polled: false,
        }
    }

    fn context_error(&self) -> RecvCtxError {
        RecvCtxError::Context(
            self.ctx
                .err()
                .expect("a context reports its error before it is done"),
        )
    }
}

impl<M> Future for RecvCtxFuture<'_, M> {
    type Output = Result<M, RecvCtxError>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        // SAFETY: `recv` and `cancelled` are structurally pinned: never
        // moved out of the pinned future (`recv` is dropped in place); the
        // other fields are plain data.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let mut recv = unsafe { Pin::new_unchecked(&mut this.recv) };
        let Some(pending) = recv.as_mut().as_pin_mut() else {
            panic!("RecvCtxFuture polled after it completed");
        };
        let first = !mem::replace(&mut this.polled, true);
        if !(first && this.ctx.err().is_some()) {
            if let Poll::Ready(got) = pending.poll(cx) {
                recv.set(None);
                return Poll::Ready(got.map_err(|_| RecvCtxError::Closed));
            }
            // SAFETY: see above.
            if unsafe { Pin::new_unchecked(&mut this.cancelled) }
                .poll(cx)
                .is_pending()
            {
                return Poll::Pending;
            }
        }
        recv.set(None);
        Poll::Ready(Err(this.context_error()))
    }
}

impl<M> fmt::Debug for RecvCtxFuture<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvCtxFuture")
            .field("recv", &self.recv)
            .field("cancelled", &self.cancelled)
            .finish_non_exhaustive()
    }
}
