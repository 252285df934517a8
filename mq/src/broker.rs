//! The broker: topics by name in a [`SyncMap`] (the seed's "sync.Map
//! manages the topics"), each created on first use with `load_or_store`.

use crate::error::{PublishError, TryPublishError};
use crate::inbox::{Consumer, Subscription};
use crate::publish::{Held, Publish, PublishFuture};
use crate::publisher::Publisher;
use crate::topic::{Offer, Topic};
use gort_sync::Arc;
use gort_sync::{AtomicBool, Ordering, fence};
use gort_syncmap::SyncMap;
use std::fmt;

/// A message broker: named topics, each a bounded queue for competing
/// [`Consumer`]s plus one bounded channel per [`Subscription`]. Clones
/// share the same topics.
///
/// A message published to a topic goes to every live subscription (a clone
/// each) and to the queue when the topic has a live consumer or no live
/// subscription: messages wait in the queue for consumers that come later,
/// and a topic with subscriptions but no consumer fills no queue. A full queue
/// or subscription makes a publish wait (back-pressure, never loss).
/// Every published message is received exactly once per consumer group
/// and per subscription, or given back to its publisher in the error.
///
/// A topic lives until [`close_topic`](Self::close_topic) or
/// [`close`](Self::close): dropping its last handle does not remove it (its
/// queued messages wait for a later consumer, as in Go's map of channels).
///
/// In memory and at most once: a crashing process loses what is queued.
/// For durability, put a log (Kafka, NATS JetStream, a database) behind
/// it.
///
/// ```
/// use gort_mq::Broker;
/// let broker = Broker::new(16);
/// let worker = broker.consumer("jobs");
/// let audit = broker.subscribe("jobs");
/// broker.publish_blocking("jobs", "resize photo").unwrap();
/// assert_eq!(worker.recv_blocking(), Ok("resize photo"));
/// assert_eq!(audit.recv_blocking(), Ok("resize photo"));
/// ```
pub struct Broker<M> {
    inner: Arc<Inner<M>>,
}

struct Inner<M> {
    topics: SyncMap<String, TopicRef<M>>,
    capacity: usize,
    closed: AtomicBool,
}

/// The outcome of a first offer, with the topic when the publish must
/// wait.
enum Offered<M> {
    Done(Offer<M>),
    Wait(Offer<M>, Arc<Topic<M>>),
}

/// A topic as the map holds it: compared by identity, so that a creator
/// that lost a race with [`Broker::close`] deletes its own topic only.
struct TopicRef<M>(Arc<Topic<M>>);

impl<M> Clone for TopicRef<M> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<M> PartialEq for TopicRef<M> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<M> Broker<M> {
    /// A broker whose topics each hold up to `capacity_per_topic` messages
    /// in their queue and in each subscription.
    ///
    /// # Panics
    /// If `capacity_per_topic` is 0: a fan-out publish needs room in every
    /// subscription at once, which an unbuffered channel never has.
    ///
    /// ```
    /// let broker = gort_mq::Broker::<String>::new(1024);
    /// assert!(broker.topics().is_empty());
    /// ```
    pub fn new(capacity_per_topic: usize) -> Self {
        assert!(
            capacity_per_topic > 0,
            "Broker::new: capacity_per_topic must be at least 1 (a fan-out publish needs room in every subscription at once)"
        );
        Self {
            inner: Arc::new(Inner {
                topics: SyncMap::new(),
                capacity: capacity_per_topic,
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// The topic named `name`, created if missing (Go: `LoadOrStore`). A
    /// closed broker hands out a closed topic that it does not keep.
    fn topic(&self, name: &str) -> Arc<Topic<M>> {
        let inner = &*self.inner;
        if let Some(t) = inner.topics.load(name) {
            return t.0;
        }
        if inner.closed.load(Ordering::Acquire) {
            return Arc::new(Topic::new_closed(inner.capacity));
        }
        let fresh = TopicRef(Arc::new(Topic::new(inner.capacity)));
        let (t, loaded) = inner.topics.load_or_store(name.to_owned(), fresh);
        if !loaded {
            // Either `close` sees this topic in the map, or this sees
            // `closed` (both sides fence between their store and load).
            fence(Ordering::SeqCst);
            if inner.closed.load(Ordering::Relaxed) {
                inner.topics.compare_and_delete(name, &t);
                t.0.close();
            }
        }
        t.0
    }

    /// One offer of `m` to the topic named `name` if it exists, made
    /// inside the map's lookup: a reference to the topic (its count is a
    /// cache line every publisher would write) is taken only when the
    /// publish must wait. `Err(m)` if there is no such topic.
    fn offer_existing(&self, name: &str, m: M) -> Result<Offered<M>, M> {
        let mut m = Some(m);
        let offered = self.inner.topics.load_with(name, |t| {
            match t.0.offer(m.take().expect("offered once")) {
                offer @ (Offer::Sent | Offer::Closed(_)) => Offered::Done(offer),
                offer => Offered::Wait(offer, t.0.clone()),
            }
        });
        offered.ok_or_else(|| m.take().expect("not offered: the topic is missing"))
    }

    /// Publishes `m` to `topic`, blocking the thread while the queue or a
    /// subscription is full (see gort-chan's `send_blocking` for where
    /// that may be called).
    ///
    /// ```
    /// let broker = gort_mq::Broker::new(4);
    /// broker.publish_blocking("later", "waits for a consumer").unwrap();
    /// assert_eq!(broker.len("later"), 1);
    /// assert_eq!(broker.consumer("later").try_recv(), Ok("waits for a consumer"));
    /// ```
    pub fn publish_blocking(&self, topic: &str, m: M) -> Result<(), PublishError<M>> {
        let (offer, t) = match self.offer_existing(topic, m) {
            Ok(Offered::Done(offer)) => (offer, None),
            Ok(Offered::Wait(offer, t)) => (offer, Some(t)),
            Err(m) => {
                let t = self.topic(topic);
                (t.offer(m), Some(t))
            }
        };
        match offer {
            Offer::Sent => Ok(()),
            Offer::Closed(m) => Err(PublishError::Closed(m)),
            waits => {
                let t = t.expect("a refused offer keeps its topic");
                Publish::new(Held::Counted(t)).run_blocking(waits)
            }
        }
    }
    /// Publishes `m` to `topic` if that needs no waiting.
    ///
    /// ```
    /// use gort_mq::TryPublishError;
    /// let broker = gort_mq::Broker::new(1);
    /// broker.try_publish("t", 1).unwrap();
    /// assert_eq!(broker.try_publish("t", 2), Err(TryPublishError::Full(2)));
    /// ```
    pub fn try_publish(&self, topic: &str, m: M) -> Result<(), TryPublishError<M>> {
        match self.offer_existing(topic, m) {
            Ok(Offered::Done(offer) | Offered::Wait(offer, _)) => offer,
            Err(m) => self.topic(topic).offer(m),
        }
        .into_try()
    }

    /// A handle publishing to `topic` (created if missing) without a
    /// lookup per message; see [`Publisher`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let broker = gort_mq::Broker::new(4);
    /// let s = broker.subscribe("t");
    /// let p = broker.publisher("t");
    /// p.publish('a').await.unwrap();
    /// assert_eq!(s.recv().await, Ok('a'));
    /// # });
    /// ```
    pub fn publisher(&self, topic: &str) -> Publisher<M> {
        Publisher::new(self.topic(topic))
    }

    /// A competing consumer of `topic` (created if missing): each message
    /// goes to exactly one of the topic's consumers.
    ///
    /// ```
    /// let broker = gort_mq::Broker::new(4);
    /// let (a, b) = (broker.consumer("jobs"), broker.consumer("jobs"));
    /// broker.publish_blocking("jobs", 1).unwrap();
    /// assert_eq!(a.try_recv().ok().or(b.try_recv().ok()), Some(1));
    /// assert!(a.try_recv().is_err() && b.try_recv().is_err());
    /// ```
    pub fn consumer(&self, topic: &str) -> Consumer<M> {
        Consumer::new(self.topic(topic))
    }

    /// A fan-out subscription to `topic` (created if missing): it gets
    /// every message published after this call, each subscription its own
    /// clone.
    ///
    /// ```
    /// let broker = gort_mq::Broker::new(4);
    /// let (a, b) = (broker.subscribe("news"), broker.subscribe("news"));
    /// broker.publish_blocking("news", "hello".to_string()).unwrap();
    /// assert_eq!(a.recv_blocking().as_deref(), Ok("hello"));
    /// assert_eq!(b.recv_blocking().as_deref(), Ok("hello"));
    /// ```
    pub fn subscribe(&self, topic: &str) -> Subscription<M>
    where
        M: Clone,
    {
        Subscription::new(self.topic(topic), M::clone)
    }

    /// Closes `topic`: it leaves [`topics`](Self::topics) at once; its
    /// consumers and subscriptions receive what was queued, then end;
    /// publishers waiting on it get their message back. A later publish to
    /// the same name creates a new topic. True if this call closed an open
    /// topic.
    ///
    /// Messages queued on a topic without consumers are dropped with it.
    ///
    /// ```
    /// let broker = gort_mq::Broker::new(4);
    /// let c = broker.consumer("t");
    /// broker.publish_blocking("t", 1).unwrap();
    /// assert!(broker.close_topic("t"));
    /// assert!(!broker.close_topic("t"));
    /// assert_eq!(c.recv_blocking(), Ok(1));
    /// assert!(c.recv_blocking().is_err());
    /// ```
    pub fn close_topic(&self, topic: &str) -> bool {
        match self.inner.topics.load_and_delete(topic) {
            Some(t) => t.0.close(),
            None => false,
        }
    }

    /// Closes every topic, as [`close_topic`](Self::close_topic), and
    /// refuses new ones: later publishes fail, later consumers and
    /// subscriptions are closed from the start.
    ///
    /// ```
    /// let broker = gort_mq::Broker::new(4);
    /// let s = broker.subscribe("a");
    /// broker.close();
    /// assert!(s.recv_blocking().is_err());
    /// assert!(broker.publish_blocking("b", 1).is_err());
    /// assert!(broker.topics().is_empty());
    /// ```
    pub fn close(&self) {
        let inner = &*self.inner;
        inner.closed.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        for name in self.topics() {
            self.close_topic(&name);
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// The names of the open topics, sorted.
    ///
    /// ```
    /// let broker = gort_mq::Broker::<u8>::new(4);
    /// let _b = broker.consumer("b");
    /// let _a = broker.subscribe("a");
    /// assert_eq!(broker.topics(), ["a", "b"]);
    /// ```
    pub fn topics(&self) -> Vec<String> {
        let mut names = Vec::new();
        self.inner.topics.range(|name, _| {
            names.push(name.clone());
            true
        });
        names.sort_unstable();
        names
    }

    /// Messages waiting in `topic`'s queue for a consumer (0 for a topic
    /// that does not exist; subscriptions' channels are not counted).
    ///
    /// ```
    /// let broker = gort_mq::Broker::new(4);
    /// broker.try_publish("t", 'x').unwrap();
    /// assert_eq!((broker.len("t"), broker.len("other")), (1, 0));
    /// ```
    pub fn len(&self, topic: &str) -> usize {
        self.inner
            .topics
            .load_with(topic, |t| t.0.queue.len())
            .unwrap_or(0)
    }

    /// The capacity of each topic's queue and of each subscription.
    pub fn capacity_per_topic(&self) -> usize {
        self.inner.capacity
    }
}

impl<M: 'static> Broker<M> {
    /// Publishes `m` to `topic`, waiting asynchronously while the queue or
    /// a subscription is full. The topic is created if missing.
    ///
    /// On a topic without subscriptions it waits in the queue like a
    /// channel send, and stays there if a subscription comes meanwhile; a
    /// fan-out publish takes the topic's targets anew each time it tries.
    /// Cancel-safe, and all or nothing on fan-out: see [`PublishFuture`].
    ///
    /// The future holds its own reference to the topic, so it can outlive
    /// the borrow of the broker (e.g. be spawned).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let broker = gort_mq::Broker::new(4);
    /// let c = broker.consumer("t");
    /// broker.publish("t", 1).await.unwrap();
    /// assert_eq!(c.recv().await, Ok(1));
    /// # });
    /// ```
    pub fn publish(&self, topic: &str, m: M) -> PublishFuture<'static, M> {
        PublishFuture::new(Publish::new(Held::Counted(self.topic(topic))), m)
    }
}

impl<M> Clone for Broker<M> {
    /// Another handle to the same topics.
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<M> fmt::Debug for Broker<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broker")
            .field("capacity_per_topic", &self.inner.capacity)
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
