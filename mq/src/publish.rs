//! A publish in progress, shared by `publish` and `publish_blocking`: the
//! attempts ([`Topic::offer`]) and what to wait for between them.
//!
//! A topic without subscriptions is a plain channel: a publish that finds
//! its queue full waits in the queue's send queue, as Go's `ch <- m` does.
//! A fan-out publish must reach every target at once or none, so it never
//! waits inside a channel: it registers as waiting, offers once more (the
//! room may have come in between), and then waits for the topic's wake-up
//! token, which every receive that takes a value sends while publishers
//! wait.

use crate::error::PublishError;
use crate::topic::{Offer, Topic};
use core::mem;
use core::ops::Deref;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::Stream;
use futures_sink::Sink;
use gort_chan::{RecvStream, SendError, SendSink};
use gort_sync::Arc;
use std::fmt;

/// What a publish does next.
pub(crate) enum Next<M> {
    Done(Result<(), PublishError<M>>),
    /// Wait in the queue's send queue with the message.
    Queue(M),
    /// Wait for the topic's wake-up token, then offer again.
    Room(M),
}

/// How a publish holds its topic: a count of its own (a publish by name,
/// whose topic may close and leave the map meanwhile), or a borrow of a
/// [`Publisher`](crate::Publisher)'s (no count traffic per publish).
pub(crate) enum Held<'a, M> {
    Counted(Arc<Topic<M>>),
    Borrowed(&'a Topic<M>),
}

impl<M> Deref for Held<'_, M> {
    type Target = Topic<M>;

    fn deref(&self) -> &Topic<M> {
        match self {
            Held::Counted(t) => t,
            Held::Borrowed(t) => t,
        }
    }
}

/// One publish's hold on its topic and its place among the waiting
/// publishers.
pub(crate) struct Publish<'a, M> {
    pub(crate) topic: Held<'a, M>,
    waiting: bool,
}

impl<'a, M> Publish<'a, M> {
    pub(crate) fn new(topic: Held<'a, M>) -> Self {
        Self {
            topic,
            waiting: false,
        }
    }

    /// Offers `m`.
    pub(crate) fn attempt(&mut self, m: M) -> Next<M> {
        let offer = self.topic.offer(m);
        self.next(offer)
    }

    /// What to do after `offer`: the first refusal for lack of room
    /// registers the publish as waiting and offers again before it waits.
    fn next(&mut self, mut offer: Offer<M>) -> Next<M> {
        loop {
            offer = match offer {
                Offer::Sent => {
                    self.leave(true);
                    return Next::Done(Ok(()));
                }
                Offer::Closed(m) => {
                    self.leave(true);
                    return Next::Done(Err(PublishError::Closed(m)));
                }
                Offer::QueueFull(m) => {
                    self.leave(true);
                    return Next::Queue(m);
                }
                Offer::NoRoom(m) if self.waiting => return Next::Room(m),
                Offer::NoRoom(m) => {
                    self.topic.wait_for_room();
                    self.waiting = true;
                    self.topic.offer(m)
                }
            }
        }
    }

    fn leave(&mut self, pass_on: bool) {
        if mem::take(&mut self.waiting) {
            self.topic.stop_waiting(pass_on);
        }
    }

    /// The blocking face, after a first `offer`: blocks the thread between
    /// attempts.
    pub(crate) fn run_blocking(mut self, offer: Offer<M>) -> Result<(), PublishError<M>> {
        let mut next = self.next(offer);
        loop {
            let m = match next {
                Next::Done(r) => return r,
                Next::Queue(m) => {
                    return self
                        .topic
                        .queue
                        .send_blocking(m)
                        .map_err(|SendError(m)| PublishError::Closed(m));
                }
                Next::Room(m) => {
                    // A closed token channel means a closed topic: the next
                    // offer says so.
                    let _ = self.topic.room_rx.recv_blocking();
                    m
                }
            };
            next = self.attempt(m);
        }
    }
}

impl<M> Drop for Publish<'_, M> {
    fn drop(&mut self) {
        self.leave(false);
    }
}

/// The future of [`Broker::publish`](crate::Broker::publish): `Ok(())`
/// once the message is in the queue and every subscription, or
/// `Err(PublishError::Closed(m))` if the topic or broker closed first.
///
/// Cancel-safe. Dropped before it completes, the message was either
/// delivered (on a topic without subscriptions a waiting consumer may take
/// it from the future, as from a channel send) or is dropped with the
/// future, never delivered later. A fan-out publish is all or nothing: it
/// never waits inside a channel, so dropped while waiting, it delivered to
/// no consumer and no subscription.
#[must_use = "futures do nothing unless polled"]
pub struct PublishFuture<'a, M> {
    publish: Publish<'a, M>,
    step: Step<M>,
    /// The wake-up token's stream, made the first time a fan-out publish
    /// waits for room.
    room: Option<Pin<Box<RecvStream<()>>>>,
}

enum Step<M> {
    /// Not polled yet: the executor's preemption check comes first.
    Start(M),
    Offer(M),
    Queue(Pin<Box<SendSink<M>>>),
    Room(M),
    Done,
}

impl<'a, M> PublishFuture<'a, M> {
    pub(crate) fn new(publish: Publish<'a, M>, m: M) -> Self {
        Self {
            publish,
            step: Step::Start(m),
            room: None,
        }
    }
}

// The message is never pinned: it moves between steps by value.
impl<M> Unpin for PublishFuture<'_, M> {}

impl<M> Future for PublishFuture<'_, M> {
    type Output = Result<(), PublishError<M>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            this.step = match mem::replace(&mut this.step, Step::Done) {
                Step::Start(m) => {
                    if gort_park::hook::preempt_check(cx) {
                        this.step = Step::Start(m);
                        return Poll::Pending;
                    }
                    Step::Offer(m)
                }
                Step::Offer(m) => match this.publish.attempt(m) {
                    Next::Done(r) => return Poll::Ready(r),
                    Next::Queue(m) => {
                        let mut sink = Box::pin(this.publish.topic.queue.sink());
                        sink.as_mut()
                            .start_send(m)
                            .expect("a new sink accepts a value");
                        Step::Queue(sink)
                    }
                    Next::Room(m) => Step::Room(m),
                },
                Step::Queue(mut sink) => match sink.as_mut().poll_flush(cx) {
                    Poll::Ready(r) => {
                        return Poll::Ready(r.map_err(|SendError(m)| PublishError::Closed(m)));
                    }
                    Poll::Pending => {
                        this.step = Step::Queue(sink);
                        return Poll::Pending;
                    }
                },
                Step::Room(m) => {
                    let topic = &this.publish.topic;
                    let room = this
                        .room
                        .get_or_insert_with(|| Box::pin(topic.room_rx.stream()));
                    match room.as_mut().poll_next(cx) {
                        // A token, or the end of a closed topic's tokens.
                        Poll::Ready(_) => Step::Offer(m),
                        Poll::Pending => {
                            this.step = Step::Room(m);
                            return Poll::Pending;
                        }
                    }
                }
                Step::Done => panic!("PublishFuture polled after it completed"),
            }
        }
    }
}

impl<M> fmt::Debug for PublishFuture<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let step = match self.step {
            Step::Start(_) | Step::Offer(_) => "start",
            Step::Queue(_) => "waiting in the queue",
            Step::Room(_) => "waiting for room",
            Step::Done => "done",
        };
        f.debug_struct("PublishFuture")
            .field("step", &step)
            .finish_non_exhaustive()
    }
}
