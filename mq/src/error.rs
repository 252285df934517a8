//! Errors: a refused publish gives its message back.

use gort_context::ContextError;
use std::error::Error;
use std::fmt;

/// A publish that could not complete: the topic or the broker is closed.
/// The message comes back (Go's send on a closed channel panics; here the
/// publisher keeps its message, as with gort-chan's `SendError`).
///
/// ```
/// use gort_mq::{Broker, PublishError};
/// let broker = Broker::new(1);
/// broker.close();
/// let err = broker.publish_blocking("t", "hello").unwrap_err();
/// assert_eq!(err, PublishError::Closed("hello"));
/// assert_eq!(err.into_inner(), "hello");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PublishError<M> {
    /// The topic or the broker is closed.
    Closed(M),
}

/// A [`try_publish`](crate::Broker::try_publish) that could not complete
/// now; the message comes back.
///
/// ```
/// use gort_mq::{Broker, TryPublishError};
/// let broker = Broker::new(1);
/// let _c = broker.consumer("t");
/// broker.try_publish("t", 1).unwrap();
/// assert_eq!(broker.try_publish("t", 2), Err(TryPublishError::Full(2)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TryPublishError<M> {
    /// The queue or a subscription is full (a publish would wait).
    Full(M),
    /// The topic or the broker is closed.
    Closed(M),
}

/// Why [`recv_ctx`](crate::Inbox::recv_ctx) returned without a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecvCtxError {
    /// The topic was closed and drained.
    Closed,
    /// The context was cancelled or its deadline passed.
    Context(ContextError),
}

impl<M> PublishError<M> {
    /// The message that was not published.
    pub fn into_inner(self) -> M {
        match self {
            Self::Closed(m) => m,
        }
    }
}

impl<M> TryPublishError<M> {
    /// The message that was not published.
    pub fn into_inner(self) -> M {
        match self {
            Self::Full(m) | Self::Closed(m) => m,
        }
    }

    /// Whether the queue or a subscription was full (a publish would have
    /// waited).
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// Whether the topic or the broker was closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed(_))
    }
}

impl<M> From<PublishError<M>> for TryPublishError<M> {
    fn from(e: PublishError<M>) -> Self {
        Self::Closed(e.into_inner())
    }
}

impl<M> fmt::Debug for PublishError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Closed(..)")
    }
}

impl<M> fmt::Debug for TryPublishError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<M> fmt::Display for PublishError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("publishing on a closed topic")
    }
}

impl<M> fmt::Display for TryPublishError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("publishing on a full topic"),
            Self::Closed(_) => f.write_str("publishing on a closed topic"),
        }
    }
}

impl fmt::Display for RecvCtxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("receiving from a closed and empty topic"),
            Self::Context(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<M> Error for PublishError<M> {}
impl<M> Error for TryPublishError<M> {}

impl Error for RecvCtxError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            Self::Closed => None,
            Self::Context(e) => Some(e),
        }
    }
}
