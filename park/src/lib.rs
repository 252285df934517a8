//! How a thread or a task waits in gort: Go's `sudog`, `waitq` and runtime
//! semaphore, ported from go1.23 (runtime/runtime2.go, chan.go, select.go,
//! sema.go).
//!
//! | Go (runtime) | gort-park |
//! |---|---|
//! | `sudog` | [`Sudog`] |
//! | `g.selectDone` and `g.param` | [`Claim`] |
//! | `waitq` | [`WaitQ`] |
//! | `semacquire1`, `semrelease1` | [`Sema`] |
//! | the runtime `mutex` (`lock2`, `unlock2`) | [`Mutex`] |
//! | `gopark`/`goready` for an M | `Claim::wait`, [`park_until`] |
//!
//! One waiter type serves both worlds. A [`Sudog`] is a waiting operation; its
//! owner's [`Claim`] holds a [`Waker`](core::task::Waker) that either wakes an
//! async task or unparks an OS thread (`Claim::wait` registers one after a
//! short spin).
//! A [`WaitQ`] is Go's FIFO of sudogs, with removal of an arbitrary waiter (for
//! dropped futures and timeouts) and Go's select rule: a sudog is handed over
//! only to whoever wins its owner's claim (Go's `selectDone`).
//!
//! # The rules that replace Go's
//!
//! Go writes a woken sudog's fields after unlocking because a parked goroutine
//! cannot vanish. A Rust waiter can (a dropped future, a timeout that
//! returns), so here:
//! - every write to another party's sudog or claim happens under the lock of
//!   the queue that held it, and the completer publishes the outcome last;
//! - the owner's waker is taken under that lock and woken after unlocking, so
//!   no user code (a `Waker` implementation) runs under a gort lock;
//! - an owner that gives up takes the lock, removes its sudog if it is still
//!   queued, and otherwise finds the outcome already published.
//!
//! Waiting allocates nothing: sudogs and claims live on the blocked thread's
//! stack or inside the pinned future (Go keeps a per-P sudog cache instead).
//!
//! # Example
//!
//! A value handed from one thread to another through a queue guarded by a
//! mutex, the way gort-chan's unbuffered channel does it:
//!
//! ```
//! use gort_park::{Claim, Sudog, WaitQ};
//! use std::pin::pin;
//! use std::sync::Mutex;
//!
//! let queue: Mutex<WaitQ<String>> = Mutex::new(WaitQ::new());
//! std::thread::scope(|s| {
//!     let q = &queue;
//!     let receiver = s.spawn(move || {
//!         let claim = pin!(Claim::new());
//!         let sg = pin!(Sudog::new(0, None));
//!         // SAFETY: claim and sudog stay pinned here until the claim is done.
//!         unsafe { q.lock().unwrap().enqueue(&sg, &claim) };
//!         claim.wait(None);
//!         // SAFETY: the claim is done: the sudog is ours again.
//!         unsafe { sg.take_elem() }
//!     });
//!     loop {
//!         // Complete under the lock, wake after unlocking.
//!         let waker = match queue.lock().unwrap().dequeue() {
//!             Some(mut w) => {
//!                 w.put_elem("hello".to_string());
//!                 w.complete(true)
//!             }
//!             None => {
//!                 std::thread::yield_now();
//!                 continue;
//!             }
//!         };
//!         if let Some(w) = waker {
//!             w.wake();
//!         }
//!         break;
//!     }
//!     assert_eq!(receiver.join().unwrap().as_deref(), Some("hello"));
//! });
//! ```
#![deny(unsafe_op_in_unsafe_fn)]

use gort_sync as sync;

pub mod barrier;
mod claim;
pub mod hook;
mod mutex;
mod sema;
mod sudog;
mod thread;
mod waitq;

pub use claim::Claim;
pub use mutex::{Mutex, MutexGuard};
pub use sema::{Acquire, Sema};
pub use sudog::Sudog;
pub use thread::{park_until, spin_until, with_current_waker};
pub use waitq::{Claimed, WaitQ};
