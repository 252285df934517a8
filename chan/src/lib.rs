//! Go's channels, ported from go1.23's `runtime/chan.go`: bounded
//! multi-producer multi-consumer channels with Go's `hchan` algorithm, Go's
//! close semantics, and both an async and a thread-blocking face.
//!
//! | Go | gort-chan |
//! |---|---|
//! | `c := make(chan T, n)` | `let (tx, rx) = bounded::<T>(n)` |
//! | `c <- v` (in a goroutine) | `tx.send(v).await` |
//! | `v, ok := <-c` (in a goroutine) | `rx.recv().await` → `Ok(v)` / `Err(RecvError)` |
//! | the same, from an OS thread | `tx.send_blocking(v)`, `rx.recv_blocking()` |
//! | `select { case c <- v: ... default: ... }` | `tx.try_send(v)` |
//! | `select { case v := <-c: ... default: ... }` | `rx.try_recv()` |
//! | `close(c)` | `tx.close()` or `rx.close()` |
//! | `for v := range c` | `for v in &rx` |
//! | `len(c)`, `cap(c)` | `rx.len()`, `rx.capacity()` |
//! | a nil channel | `never()` |
//!
//! A goroutine is a task: Go's channel speed is reached on the async face.
//! The blocking face parks OS threads (after a short spin) and must not be
//! called from async code.
//!
//! # Semantics (Go's)
//!
//! - Capacity 0 is a rendezvous: a send completes only when a receiver has
//!   taken the value. `Ok` from any send means the value was buffered or
//!   handed to a receiver.
//! - A waiting receiver gets its value straight from the sender. A receiver
//!   that takes from a full buffer while senders wait moves the first waiting
//!   sender's value to the buffer's tail, so order is kept.
//! - Waiters are served first come, first served; values from one sender
//!   arrive in the order sent.
//! - `close` wakes every waiter: receivers drain what is buffered and then get
//!   `Err(RecvError)`.
//!
//! # Where Rust differs from Go
//!
//! - A send on a closed channel returns the value in `Err` (Go panics), and a
//!   second `close` returns `false` (Go panics).
//! - Dropping the last [`Sender`] closes the channel. Dropping the last
//!   [`Receiver`] closes it too, drops the buffered values at once, and every
//!   pending and later send fails with its value returned.
//! - [`Receiver::close`] lets the consumer shut the channel; buffered values
//!   can still be received.
//!
//! # Cancel-safety
//!
//! Every future is cancel-safe. A dropped [`SendFuture`] either completed or
//! its value is dropped with it (never half-sent, never delivered later);
//! note that a waiting send is completed by the receiver that takes its
//! value, so one dropped right after that delivered its value unseen. A
//! dropped [`RecvFuture`] leaves no waiter behind, and a value a sender had
//! already handed to it goes back to the channel, ahead of values sent later,
//! for another receiver: no value is lost and none is received twice. Such a
//! returned value waits at the head of the channel, outside the ring, so a
//! channel may briefly hold more than `capacity()` values.
//!
//! # Locks and wakers
//!
//! No `Waker::wake`, no value's `Drop` and no other user code runs while a
//! channel lock is held: wakers are woken, and values leaving the channel
//! are dropped, after unlocking. A `Waker` may be cloned or dropped under a
//! channel lock (a waiter registers its waker before it becomes visible to
//! the peers that complete it). When one operation wakes several waiters (a
//! close), every one is woken even if a waker panics; the first panic then
//! resumes in the caller. An operation that completes a waiting peer wakes
//! it after it completed itself: if that waker panics, the panic unwinds
//! out of the operation, and a value it had just received is dropped with
//! it (a `wake` that panics breaks every executor's assumptions; gort only
//! guarantees that nobody else is left waiting).
//!
//! # Example
//!
//! ```
//! use gort_chan::bounded;
//! # tokio::runtime::Builder::new_multi_thread().build().unwrap().block_on(async {
//! let (tx, rx) = bounded::<u64>(0);
//! // A thread and a task meet on the same channel.
//! let producer = std::thread::spawn(move || {
//!     for i in 1..=3 {
//!         tx.send_blocking(i).unwrap();
//!     }
//! });
//! let mut sum = 0;
//! while let Ok(v) = rx.recv().await {
//!     sum += v;
//! }
//! assert_eq!(sum, 6);
//! producer.join().unwrap();
//! # });
//! ```
#![deny(unsafe_op_in_unsafe_fn)]

mod close;
mod error;
mod handles;
mod hchan;
mod hook;
mod iter;
mod op;
#[doc(hidden)]
pub mod raw;
mod recv;
mod recv_only;
mod select;
mod send;
#[cfg(feature = "stream")]
mod sink;
mod stage;
#[cfg(feature = "stream")]
mod stream;
mod timer;
mod waiter;
mod wake;

use gort_sync as sync;

pub use error::{
    RecvError, RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError,
};
pub use handles::{Receiver, Sender, bounded, never};
pub use iter::{IntoIter, Iter, TryIter};
pub use recv::RecvFuture;
pub use recv_only::RecvOnly;
pub use send::SendFuture;
#[cfg(feature = "stream")]
pub use sink::SendSink;
#[cfg(feature = "stream")]
pub use stream::RecvStream;
