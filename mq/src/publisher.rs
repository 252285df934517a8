//! A handle that publishes to one topic without looking it up each time.

use crate::error::{PublishError, TryPublishError};
use crate::publish::{Held, Publish, PublishFuture};
use crate::topic::{Offer, Topic};
use gort_sync::Arc;
use std::fmt;

/// Publishes to one topic, resolved once (made by
/// [`Broker::publisher`](crate::Broker::publisher)): the same publishes as
/// the broker's, without the map lookup per message. Clones publish to the
/// same topic.
///
/// Like a [`Consumer`](crate::Consumer), it stays with its topic: once that
/// topic is closed, its publishes fail with `Closed`, even if a new topic
/// of the same name exists.
///
/// ```
/// let broker = gort_mq::Broker::new(8);
/// let c = broker.consumer("metrics");
/// let p = broker.publisher("metrics");
/// for i in 0..3 {
///     p.publish_blocking(i).unwrap();
/// }
/// assert_eq!(broker.len("metrics"), 3);
/// broker.close_topic("metrics");
/// assert!(p.try_publish(9).is_err(), "the handle stays with the closed topic");
/// assert_eq!(c.recv_blocking(), Ok(0));
/// ```
pub struct Publisher<M> {
    topic: Arc<Topic<M>>,
}

impl<M> Publisher<M> {
    pub(crate) fn new(topic: Arc<Topic<M>>) -> Self {
        Self { topic }
    }

    /// As [`Broker::publish`](crate::Broker::publish), to this topic.
    pub fn publish(&self, m: M) -> PublishFuture<'_, M> {
        PublishFuture::new(Publish::new(Held::Borrowed(&self.topic)), m)
    }

    /// As [`Broker::publish_blocking`](crate::Broker::publish_blocking), to
    /// this topic.
    pub fn publish_blocking(&self, m: M) -> Result<(), PublishError<M>> {
        match self.topic.offer(m) {
            Offer::Sent => Ok(()),
            Offer::Closed(m) => Err(PublishError::Closed(m)),
            waits => Publish::new(Held::Borrowed(&self.topic)).run_blocking(waits),
        }
    }

    /// As [`Broker::try_publish`](crate::Broker::try_publish), to this
    /// topic.
    pub fn try_publish(&self, m: M) -> Result<(), TryPublishError<M>> {
        self.topic.offer(m).into_try()
    }

    /// Whether the topic was closed.
    pub fn is_closed(&self) -> bool {
        self.topic.is_closed()
    }
}

impl<M> Clone for Publisher<M> {
    fn clone(&self) -> Self {
        Self {
            topic: self.topic.clone(),
        }
    }
}

impl<M> fmt::Debug for Publisher<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publisher")
            .field("closed", &self.topic.is_closed())
            .finish_non_exhaustive()
    }
}
