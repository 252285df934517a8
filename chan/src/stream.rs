//! `futures_core::Stream` for receivers (feature `stream`).

use crate::handles::Receiver;
use crate::stage::Stage;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::{FusedStream, Stream};

/// A [`Stream`] of a channel's values; ends when the channel is closed and
/// drained. From [`Receiver::stream`] or [`Receiver::into_stream`].
///
/// Cancel-safe like [`RecvFuture`](crate::RecvFuture): dropping the stream
/// between items loses nothing, and a value handed to it while it was
/// waiting goes back to the channel.
///
/// ```
/// use futures_core::Stream;
/// use std::pin::pin;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (tx, rx) = gort_chan::bounded(2);
/// tx.send(1).await.unwrap();
/// drop(tx);
/// let mut s = pin!(rx.into_stream());
/// let next = std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await;
/// assert_eq!(next, Some(1));
/// # });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct RecvStream<T> {
    rx: Receiver<T>,
    /// The receive in progress; restarted after each item.
    stage: Stage<T, ()>,
    terminated: bool,
}

impl<T> Receiver<T> {
    /// A stream over this channel's values (it holds a clone of this
    /// receiver).
    pub fn stream(&self) -> RecvStream<T> {
        self.clone().into_stream()
    }

    /// Turns this receiver into a stream of the channel's values.
    pub fn into_stream(self) -> RecvStream<T> {
        RecvStream {
            rx: self,
            stage: Stage::Start(()),
            terminated: false,
        }
    }
}

impl<T> Stream for RecvStream<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: `stage` is structurally pinned; the other fields are not.
        let this = unsafe { self.get_unchecked_mut() };
        if this.terminated {
            return Poll::Ready(None);
        }
        let Some(chan) = this.rx.chan.as_deref() else {
            return Poll::Pending;
        };
        // SAFETY: see above.
        let mut stage = unsafe { Pin::new_unchecked(&mut this.stage) };
        let item = core::task::ready!(stage.as_mut().poll(chan, cx)).ok();
        stage.set(Stage::Start(()));
        this.terminated = item.is_none();
        Poll::Ready(item)
    }
}

impl<T> FusedStream for RecvStream<T> {
    fn is_terminated(&self) -> bool {
        self.terminated
    }
}

impl<T> Drop for RecvStream<T> {
    fn drop(&mut self) {
        if let Some(chan) = self.rx.chan.as_deref() {
            // SAFETY: `drop` runs on a pinned (or never pinned) stream, and
            // `stage` is structurally pinned.
            unsafe { Pin::new_unchecked(&mut self.stage) }.cancel(chan);
        }
    }
}

impl<T> fmt::Debug for RecvStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvStream")
            .field("rx", &self.rx)
            .field("terminated", &self.terminated)
            .finish()
    }
}
