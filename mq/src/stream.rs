//! A consumer or subscription as a `Stream`.

use crate::inbox::{Inbox, Kind};
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::{FusedStream, Stream};
use gort_chan::RecvStream;
use std::fmt;

/// A [`Consumer`](crate::Consumer) or [`Subscription`](crate::Subscription)
/// as a [`Stream`] of its topic's messages, ending once the topic is
/// closed and drained. Made by [`Inbox::into_stream`];
/// [`into_inner`](Self::into_inner) gives the inbox back.
///
/// Between two polls the stream keeps its receive waiting in the channel
/// (gort-chan's `RecvStream`), so a message may be handed to it and wait
/// for its next poll; the inbox is inside the stream, so nothing else can
/// receive from it meanwhile. Dropping the stream (or `into_inner`) gives
/// such a message back to the channel, ahead of later ones.
pub struct InboxStream<M, K: Kind> {
    // Drops first: a message it holds goes back to the channel while the
    // inbox still keeps the channel (and, for a subscription, the topic's
    // list entry) alive.
    stream: Pin<Box<RecvStream<M>>>,
    inbox: Inbox<M, K>,
}

impl<M, K: Kind> InboxStream<M, K> {
    pub(crate) fn new(inbox: Inbox<M, K>) -> Self {
        Self {
            stream: Box::pin(inbox.rx().stream()),
            inbox,
        }
    }

    /// The inbox back; a message the stream was handed goes back to the
    /// channel first.
    pub fn into_inner(self) -> Inbox<M, K> {
        let InboxStream { stream, inbox } = self;
        drop(stream);
        inbox
    }
}

impl<M, K: Kind> Stream for InboxStream<M, K> {
    type Item = M;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<M>> {
        let this = &mut *self;
        let next = this.stream.as_mut().poll_next(cx);
        if let Poll::Ready(Some(_)) = next {
            this.inbox.taken();
        }
        next
    }
}

impl<M, K: Kind> FusedStream for InboxStream<M, K> {
    fn is_terminated(&self) -> bool {
        self.stream.is_terminated()
    }
}

impl<M, K: Kind> fmt::Debug for InboxStream<M, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InboxStream")
            .field("inbox", &self.inbox)
            .finish_non_exhaustive()
    }
}
