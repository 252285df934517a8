//! `futures_sink::Sink` for senders (feature `stream`), as flume's
//! `SendSink`: the async send of `Sender::send`, split into `start_send`
//! and `poll_flush` so that stream combinators can drive it.

use crate::error::SendError;
use crate::handles::Sender;
use crate::stage::{Sending, Stage};
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_sink::Sink;

/// A [`Sink`] of a channel's values, made by [`Sender::sink`] or
/// [`Sender::into_sink`]. It holds at most one value in flight: `start_send`
/// begins a send (Go's `ch <- v`) and `poll_ready`/`poll_flush` drive it to
/// completion, waiting while the buffer is full. `poll_close` flushes; it
/// does not close the channel (drop every sender, or call
/// [`Sender::close`]).
///
/// Cancel-safe like [`SendFuture`](crate::SendFuture): dropped with a value
/// in flight, the value was either delivered or is dropped with the sink,
/// never delivered later. A send that fails because the channel closed
/// reports `SendError(value)` from the next `poll_ready`/`poll_flush`.
///
/// ```
/// use futures_sink::Sink;
/// use std::pin::pin;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (tx, rx) = gort_chan::bounded(1);
/// let mut sink = pin!(tx.into_sink());
/// std::future::poll_fn(|cx| sink.as_mut().poll_ready(cx)).await.unwrap();
/// sink.as_mut().start_send(7).unwrap();
/// std::future::poll_fn(|cx| sink.as_mut().poll_flush(cx)).await.unwrap();
/// assert_eq!(rx.recv().await, Ok(7));
/// # });
/// ```
#[must_use = "sinks do nothing unless polled"]
pub struct SendSink<T> {
    tx: Sender<T>,
    /// The send in flight; `Done` when there is none.
    stage: Stage<T, Sending<T>>,
}

impl<T> Sender<T> {
    /// A sink sending to this channel (it holds a clone of this sender).
    pub fn sink(&self) -> SendSink<T> {
        self.clone().into_sink()
    }

    /// Turns this sender into a sink of the channel's values.
    pub fn into_sink(self) -> SendSink<T> {
        SendSink {
            tx: self,
            stage: Stage::Done,
        }
    }
}

impl<T> SendSink<T> {
    /// The sender this sink sends with.
    pub fn sender(&self) -> &Sender<T> {
        &self.tx
    }

    /// Drives the send in flight, if any, to completion.
    fn poll_flush_inner(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), SendError<T>>> {
        // SAFETY: `stage` is structurally pinned; `tx` is not.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let stage = unsafe { Pin::new_unchecked(&mut this.stage) };
        if stage.is_done() {
            return Poll::Ready(Ok(()));
        }
        // A completed stage is `Done` again: ready for the next value.
        stage.poll(&this.tx.chan, cx)
    }
}

impl<T> Sink<T> for SendSink<T> {
    type Error = SendError<T>;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.poll_flush_inner(cx)
    }

    /// Begins sending `item`.
    ///
    /// # Panics
    /// If a send is still in flight: call `poll_ready` first (the `Sink`
    /// contract).
    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Self::Error> {
        // SAFETY: as in `poll_flush_inner`.
        let mut stage = unsafe { self.map_unchecked_mut(|s| &mut s.stage) };
        assert!(
            stage.is_done(),
            "SendSink::start_send called before poll_ready returned Ready"
        );
        stage.set(Stage::Start(Sending(item)));
        Ok(())
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.poll_flush_inner(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.poll_flush_inner(cx)
    }
}

impl<T> Drop for SendSink<T> {
    fn drop(&mut self) {
        // SAFETY: `drop` runs on a pinned (or never pinned) sink, and
        // `stage` is structurally pinned.
        unsafe { Pin::new_unchecked(&mut self.stage) }.cancel(&self.tx.chan);
    }
}

impl<T> fmt::Debug for SendSink<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendSink")
            .field("tx", &self.tx)
            .field("in_flight", &!self.stage.is_done())
            .finish()
    }
}
