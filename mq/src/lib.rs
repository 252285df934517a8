//! A multi-producer multi-consumer message queue built the way a Go
//! programmer builds one: topics in a `sync.Map` ([gort-syncmap]), and the
//! queues are channels ([gort-chan]).
//!
//! A [`Broker`] holds named topics, created on first use. Each topic has
//! one bounded queue shared by its competing [`Consumer`]s (each message
//! to exactly one of them) and one bounded channel per fan-out
//! [`Subscription`] (every message to each). Publishing waits while a
//! queue or subscription is full: back-pressure, never loss. Consumers and
//! subscriptions receive with `recv().await`, `recv_blocking()`,
//! `try_recv()`, `recv_ctx(&ctx)` (a [gort-context] `Context`), as a
//! `Stream` (`into_stream()`), and in `select!` like any channel.
//!
//! ```
//! use gort_mq::Broker;
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let broker = Broker::new(64);
//! let workers = [broker.consumer("orders"), broker.consumer("orders")];
//! let billing = broker.subscribe("orders");
//! let shipping = broker.subscribe("orders");
//!
//! for id in 0..10 {
//!     broker.publish("orders", id).await.unwrap();
//! }
//! broker.close_topic("orders");
//!
//! // The two workers share the queue: each order goes to one of them.
//! let mut handled = Vec::new();
//! for w in &workers {
//!     while let Ok(id) = w.recv().await {
//!         handled.push(id);
//!     }
//! }
//! handled.sort();
//! assert_eq!(handled, (0..10).collect::<Vec<_>>());
//! // Each subscription sees every order.
//! for s in [&billing, &shipping] {
//!     let mut seen = Vec::new();
//!     while let Ok(id) = s.recv().await {
//!         seen.push(id);
//!     }
//!     assert_eq!(seen, (0..10).collect::<Vec<_>>());
//! }
//! # });
//! ```
//!
//! # Go beside Rust
//!
//! The Go program this crate packages (topics in a `sync.Map`, channels as
//! queues) and its gort twin:
//!
//! | Go | gort-mq |
//! |---|---|
//! | `var topics sync.Map` | `let broker = Broker::new(cap);` |
//! | `v, _ := topics.LoadOrStore(name, make(chan M, cap))` | done by every call naming a topic |
//! | `ch <- m` | `broker.publish(name, m).await` / `publish_blocking` |
//! | `select { case ch <- m: default: }` | `broker.try_publish(name, m)` |
//! | `for _, s := range subs { s <- m }` | a publish to a topic with subscriptions (all or nothing) |
//! | `m, ok := <-ch` | `consumer.recv().await` (`Err` once closed and drained) |
//! | `select { case m := <-ch: case <-ctx.Done(): }` | `consumer.recv_ctx(&ctx).await` |
//! | `close(ch)`; `topics.Delete(name)` | `broker.close_topic(name)` |
//!
//! # Semantics
//!
//! - **Where a message goes.** To every live subscription (a clone each),
//!   and to the queue when the topic has a live consumer or no live
//!   subscription: messages wait in the queue for consumers that come
//!   later, and a topic with subscriptions but no consumer fills no queue
//!   (messages published while it had neither wait in the queue). A
//!   publish waiting in a full queue stays there; a fan-out publish takes
//!   the topic's targets anew each time it tries.
//! - **Exactly once or returned.** Every published message is received
//!   exactly once per consumer group and per subscription, or given back to
//!   its publisher in [`PublishError`]/[`TryPublishError`]. A publish to a
//!   topic with subscriptions is all or nothing: it waits until every
//!   target has room, then delivers to all of them under the topic's lock;
//!   cancelled while waiting, it delivered to none.
//! - **Order.** Messages from one publisher arrive in publish order at each
//!   consumer group and subscription (each is a FIFO channel).
//! - **Back-pressure.** A full queue or a full subscription makes
//!   publishers wait, so one slow subscriber slows every publisher of its
//!   topic. Drop a subscription you stop reading.
//! - **Closing.** [`Broker::close_topic`] closes a topic's channels:
//!   consumers and subscribers drain what was queued, then their receives
//!   return `Err`; waiting publishers get their message back; the name is
//!   free for a new topic. [`Broker::close`] does that for every topic and
//!   refuses new ones.
//! - **In memory, at most once.** Nothing survives the process. Queued
//!   messages of a topic nobody consumes are dropped when it closes.
//!
//! # Costs
//!
//! A topic without subscriptions is one gort channel: a publish is a map
//! lookup plus a channel send. A [`Publisher`] handle
//! ([`Broker::publisher`]) skips the lookup: publishing through it costs
//! what a channel send costs. A topic with subscriptions takes its lock
//! for each publish and checks every subscription's channel before it
//! sends to each (one clone per subscription); a receive tells waiting
//! fan-out publishers through a one-slot wake-up channel, only while some
//! are waiting.
//!
//! Follows Go 1.23's `sync.Map` and channel semantics (through gort-syncmap
//! and gort-chan).
//!
//! [gort-syncmap]: gort_syncmap
//! [gort-chan]: gort_chan
//! [gort-context]: gort_context
#![deny(unsafe_op_in_unsafe_fn)]

mod broker;
mod error;
mod inbox;
mod publish;
mod publisher;
mod recv;
mod stream;
mod topic;

pub use broker::Broker;
pub use error::{PublishError, RecvCtxError, TryPublishError};
pub use gort_chan::{RecvError, RecvTimeoutError, TryRecvError};
pub use inbox::{Competing, Consumer, FanOut, Inbox, Kind, Subscription};
pub use publish::PublishFuture;
pub use publisher::Publisher;
pub use recv::{RecvCtxFuture, RecvFuture};
pub use stream::InboxStream;
