//! The receiving ends of a topic: [`Consumer`] (competing: each message to
//! one of them) and [`Subscription`] (fan-out: every message to each). Both
//! are one type, [`Inbox`], over a channel; they differ in which channel
//! and in what leaving the topic means.

use crate::recv::{RecvCtxFuture, RecvFuture};
use crate::stream::InboxStream;
use crate::topic::Topic;
use gort_chan::raw::RecvSide;
use gort_chan::{Receiver, RecvError, RecvTimeoutError, TryRecvError};
use gort_context::Context;
use gort_sync::{Arc, AtomicBool};
use std::fmt;
use std::time::Duration;

/// The receiving end of a topic. Use it through its two names,
/// [`Consumer`] and [`Subscription`]; `K` says which it is.
///
/// Every receive is cancel-safe and behaves as a gort-chan receive (Go's
/// `<-ch`): values arrive in the order they were published, and once the
/// topic is closed and drained, receives return [`RecvError`].
///
/// In [`select!`](gort_select::select!) and
/// [`select_blocking!`](gort_select::select_blocking!), pass it to a
/// `recv(..)` arm as you would a channel:
///
/// ```
/// use gort_mq::Broker;
/// let broker = Broker::new(8);
/// let jobs = broker.consumer("jobs");
/// let alerts = broker.subscribe("alerts");
/// broker.publish_blocking("alerts", "disk full").unwrap();
/// let got = gort_select::select_blocking! {
///     recv(jobs) -> job => format!("job {job:?}"),
///     recv(alerts) -> alert => format!("alert {}", alert.unwrap()),
/// };
/// assert_eq!(got, "alert disk full");
/// ```
pub struct Inbox<M, K: Kind> {
    // `Drop` leaves the topic before the fields drop: a subscription's
    // channel closes (with its last receiver) only after it left the list.
    topic: Arc<Topic<M>>,
    rx: Receiver<M>,
    kind: K,
}

/// A competing consumer of a topic: each message published to the topic
/// goes to exactly one of its consumers (clones included). Made by
/// [`Broker::consumer`](crate::Broker::consumer).
///
/// The queue is the topic's, not the consumer's: messages published while
/// no consumer exists wait in it (up to the topic's capacity, then
/// publishers wait), and a consumer that drops leaves them to the others.
pub type Consumer<M> = Inbox<M, Competing>;

/// A fan-out subscription to a topic: it gets every message published
/// after it subscribed, in its own channel. Made by
/// [`Broker::subscribe`](crate::Broker::subscribe); dropping it
/// unsubscribes (messages still in its channel are dropped).
///
/// A subscription that falls behind fills its channel, and then every
/// publish to the topic waits for it (back-pressure, never loss): a
/// subscriber must keep receiving or drop its subscription.
pub type Subscription<M> = Inbox<M, FanOut>;

/// Which receiving end an [`Inbox`] is: [`Competing`] or [`FanOut`]. Sealed.
pub trait Kind: sealed::Sealed + Unpin {
    /// The subscription's id in its topic's list; `None` for a consumer.
    #[doc(hidden)]
    fn subscription(&self) -> Option<u64>;

    /// The subscription's wanted flag; `None` for a consumer (the queue's
    /// flag is the topic's).
    #[doc(hidden)]
    fn wanted(&self) -> Option<&AtomicBool>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Competing {}
    impl Sealed for super::FanOut {}
}

/// The [`Kind`] of a [`Consumer`].
#[derive(Debug)]
pub struct Competing(());

/// The [`Kind`] of a [`Subscription`].
#[derive(Debug)]
pub struct FanOut {
    id: u64,
    wanted: Arc<AtomicBool>,
}

impl Kind for Competing {
    fn subscription(&self) -> Option<u64> {
        None
    }

    fn wanted(&self) -> Option<&AtomicBool> {
        None
    }
}

impl Kind for FanOut {
    fn subscription(&self) -> Option<u64> {
        Some(self.id)
    }

    fn wanted(&self) -> Option<&AtomicBool> {
        Some(&self.wanted)
    }
}

impl<M> Consumer<M> {
    pub(crate) fn new(topic: Arc<Topic<M>>) -> Self {
        topic.add_consumer();
        let rx = topic.queue_rx.clone();
        Self::with(topic, rx, Competing(()))
    }
}

impl<M> Subscription<M> {
    pub(crate) fn new(topic: Arc<Topic<M>>, clone: fn(&M) -> M) -> Self {
        let (id, rx, wanted) = topic.subscribe(clone);
        Self::with(topic, rx, FanOut { id, wanted })
    }
}

impl<M, K: Kind> Inbox<M, K> {
    fn with(topic: Arc<Topic<M>>, rx: Receiver<M>, kind: K) -> Self {
        Self { topic, rx, kind }
    }

    /// Tells the topic a value was taken from this end's channel (a
    /// waiting fan-out publisher may now have room).
    pub(crate) fn taken(&self) {
        self.topic.taken(self.kind.wanted());
    }

    /// [`taken`](Self::taken) after a receive that took a value; hands the
    /// outcome on.
    fn took<E>(&self, got: Result<M, E>) -> Result<M, E> {
        if got.is_ok() {
            self.taken();
        }
        got
    }

    /// Receives the next message, waiting asynchronously (Go: `<-ch`).
    /// `Err(RecvError)` once the topic is closed and drained.
    ///
    /// Cancel-safe: a dropped receive takes no message.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let broker = gort_mq::Broker::new(4);
    /// let c = broker.consumer("orders");
    /// broker.publish("orders", 7).await.unwrap();
    /// assert_eq!(c.recv().await, Ok(7));
    /// # });
    /// ```
    pub fn recv(&self) -> RecvFuture<'_, M> {
        RecvFuture::new(self.rx.recv(), &self.topic, self.kind.wanted())
    }

    /// Receives the next message, blocking the thread (see gort-chan's
    /// `recv_blocking` for where that may be called).
    ///
    /// ```
    /// let broker = gort_mq::Broker::new(4);
    /// let s = broker.subscribe("ticks");
    /// broker.publish_blocking("ticks", 1).unwrap();
    /// assert_eq!(s.recv_blocking(), Ok(1));
    /// ```
    pub fn recv_blocking(&self) -> Result<M, RecvError> {
        self.took(self.rx.recv_blocking())
    }

    /// Receives a message if one is waiting.
    ///
    /// ```
    /// use gort_mq::TryRecvError;
    /// let broker = gort_mq::Broker::new(4);
    /// let c = broker.consumer("q");
    /// assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
    /// broker.close_topic("q");
    /// assert_eq!(c.try_recv(), Err::<u8, _>(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&self) -> Result<M, TryRecvError> {
        self.took(self.rx.try_recv())
    }

    /// Receives the next message, blocking the thread up to `timeout`.
    ///
    /// ```
    /// use gort_mq::RecvTimeoutError;
    /// use std::time::Duration;
    /// let broker = gort_mq::Broker::<u8>::new(4);
    /// let c = broker.consumer("q");
    /// assert_eq!(c.recv_timeout(Duration::from_millis(1)), Err(RecvTimeoutError::Timeout));
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Result<M, RecvTimeoutError> {
        self.took(self.rx.recv_timeout(timeout))
    }

    /// Receives the next message unless `ctx` is cancelled first (Go:
    /// `select { case m := <-ch: ...; case <-ctx.Done(): ... }`).
    ///
    /// A context found cancelled when the future is first polled wins over
    /// a waiting message; after that, whichever completes first. Cancel-safe.
    ///
    /// ```
    /// use gort_mq::RecvCtxError;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let broker = gort_mq::Broker::<u8>::new(4);
    /// let c = broker.consumer("q");
    /// let (ctx, cancel) = gort_context::Context::background().with_cancel();
    /// cancel.cancel();
    /// assert_eq!(
    ///     c.recv_ctx(&ctx).await,
    ///     Err(RecvCtxError::Context(gort_context::ContextError::Canceled))
    /// );
    /// # });
    /// ```
    pub fn recv_ctx<'a>(&'a self, ctx: &'a Context) -> RecvCtxFuture<'a, M> {
        RecvCtxFuture::new(self.recv(), ctx)
    }

    /// [`recv_ctx`](Self::recv_ctx), blocking the thread.
    ///
    /// ```
    /// use std::time::Duration;
    /// let broker = gort_mq::Broker::<u8>::new(4);
    /// let c = broker.consumer("q");
    /// let (ctx, _cancel) =
    ///     gort_context::Context::background().with_timeout(Duration::from_millis(1));
    /// assert!(c.recv_ctx_blocking(&ctx).is_err());
    /// ```
    pub fn recv_ctx_blocking(&self, ctx: &Context) -> Result<M, crate::RecvCtxError> {
        if let Some(e) = ctx.err() {
            return Err(crate::RecvCtxError::Context(e));
        }
        let done = ctx.done();
        gort_select::select_blocking! {
            recv(self) -> m => m.map_err(|_| crate::RecvCtxError::Closed),
            recv(done) -> _ => Err(crate::RecvCtxError::Context(
                ctx.err().expect("a context's done channel closes after its error is set"),
            )),
        }
    }

    /// This end as a [`Stream`](futures_core::Stream) of the topic's
    /// messages, until the topic is closed and drained (see
    /// [`InboxStream`]).
    ///
    /// ```
    /// use futures_core::Stream;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let broker = gort_mq::Broker::new(4);
    /// let mut s = broker.subscribe("t").into_stream();
    /// broker.publish("t", 1).await.unwrap();
    /// broker.close_topic("t");
    /// let next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut s).poll_next(cx)).await;
    /// assert_eq!(next, Some(1));
    /// let end = std::future::poll_fn(|cx| std::pin::Pin::new(&mut s).poll_next(cx)).await;
    /// assert_eq!(end, None);
    /// # });
    /// ```
    pub fn into_stream(self) -> InboxStream<M, K> {
        InboxStream::new(self)
    }

    /// The channel's receiver, for the stream (which keeps the books
    /// through [`taken`](Self::taken)).
    pub(crate) fn rx(&self) -> &Receiver<M> {
        &self.rx
    }

    /// Messages waiting in this end's channel (for a consumer: the topic's
    /// queue, shared with the other consumers).
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Whether no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    /// Whether the topic was closed (messages may still be waiting).
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }
}

impl<M, K: Kind> RecvSide<M> for Inbox<M, K> {
    fn receiver(&self) -> &Receiver<M> {
        &self.rx
    }

    fn received(&self) {
        self.taken();
    }
}

impl<M> Clone for Consumer<M> {
    /// Another competing consumer of the same topic.
    fn clone(&self) -> Self {
        Self::new(self.topic.clone())
    }
}

impl<M, K: Kind> Drop for Inbox<M, K> {
    fn drop(&mut self) {
        match self.kind.subscription() {
            Some(id) => self.topic.unsubscribe(id),
            None => self.topic.remove_consumer(),
        }
    }
}

impl<M, K: Kind> fmt::Debug for Inbox<M, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.kind.subscription() {
            Some(_) => "Subscription",
            None => "Consumer",
        };
        f.debug_struct(name)
            .field("len", &self.len())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
