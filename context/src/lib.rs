//! Go's `context` package (go1.23), ported: cancellation that flows down a
//! tree of tasks and threads, deadlines, cancel causes, request-scoped
//! values and `AfterFunc`; `done()` is a gort receive-only channel, so a
//! context is one more arm in any `select!`.
//!
//! | Go | gort-context |
//! |---|---|
//! | `context.Background()`, `context.TODO()` | [`Context::background`], [`Context::todo`] |
//! | `ctx, cancel := context.WithCancel(parent)` | `let (ctx, cancel) = parent.with_cancel();` |
//! | `context.WithTimeout(parent, d)`, `WithDeadline(parent, t)` | [`Context::with_timeout`], [`Context::with_deadline`] |
//! | `WithCancelCause`, `WithTimeoutCause`, `WithDeadlineCause`, `context.Cause(ctx)` | `with_cancel_cause`, `with_timeout_cause`, `with_deadline_cause`, [`Context::cause`] |
//! | `context.WithValue(parent, key, v)`, `ctx.Value(key)` | `parent.with_value(&KEY, v)`, `ctx.value(&KEY)` ([`Key`]) |
//! | `context.WithoutCancel(parent)`, `context.AfterFunc(ctx, f)` | [`Context::without_cancel`], [`after_func`] |
//! | `<-ctx.Done()`, `ctx.Err()`, `ctx.Deadline()` | `ctx.done()` in a select arm or [`ctx.cancelled().await`](Context::cancelled), [`Context::err`], [`Context::deadline`] |
//!
//! # A request handler with a timeout, Go beside Rust
//!
//! ```go
//! func handle(parent context.Context) (int, error) {
//!     ctx, cancel := context.WithTimeout(parent, 20*time.Millisecond)
//!     defer cancel()
//!     results := make(chan int)
//!     for id := 0; id < 3; id++ {
//!         go worker(ctx, id, results)
//!     }
//!     select {
//!     case r := <-results:
//!         return r, nil
//!     case <-ctx.Done():
//!         return 0, ctx.Err()
//!     }
//! }
//!
//! func worker(ctx context.Context, id int, results chan<- int) {
//!     for { // slow work: one step every 5 ms, never finished in time
//!         select {
//!         case <-ctx.Done():
//!             return
//!         case <-time.After(5 * time.Millisecond):
//!         }
//!     }
//! }
//! ```
//!
//! ```
//! use gort_chan::Sender;
//! use gort_context::{Context, ContextError};
//! use gort_select::select;
//! use std::time::Duration;
//!
//! async fn handle(parent: &Context) -> Result<u32, ContextError> {
//!     let (ctx, cancel) = parent.with_timeout(Duration::from_millis(20));
//!     let (results_tx, results) = gort_chan::bounded(0);
//!     let mut workers = Vec::new();
//!     for id in 0..3 {
//!         workers.push(tokio::spawn(worker(ctx.clone(), id, results_tx.clone())));
//!     }
//!     let outcome = select! {
//!         recv(results) -> r => Ok(r.expect("a worker holds a sender")),
//!         recv(ctx.done()) -> _ => Err(ctx.err().expect("done means err is set")),
//!     };
//!     cancel.cancel(); // Go's `defer cancel()`: stops every worker
//!     for w in workers {
//!         w.await.unwrap();
//!     }
//!     outcome
//! }
//!
//! async fn worker(ctx: Context, _id: u32, _results: Sender<u32>) {
//!     loop {
//!         select! {
//!             recv(ctx.done()) -> _ => return,
//!             recv(gort_time::after(Duration::from_millis(5))) -> _ => {}
//!         }
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_multi_thread().build().unwrap().block_on(async {
//! let got = handle(&Context::background()).await;
//! assert_eq!(got, Err(ContextError::DeadlineExceeded));
//! # });
//! ```
//!
//! # Semantics (go1.23's)
//!
//! - Cancelling a context cancels every context derived from it, each
//!   exactly once, before `cancel` returns; the first cancellation's error
//!   and cause stay. [`Context::err`] is set before [`Context::done`]
//!   closes.
//! - A child leaves its parent's set when cancelled, so millions of
//!   short-lived children of one long-lived context cost nothing once done.
//! - `done()` is made on first use: a context nobody waits on allocates
//!   no channel (`cancelled().await` waits without one). Contexts that
//!   cannot be cancelled (`background`, `todo`, `without_cancel`, values
//!   over them) return a channel that is never ready. To check for
//!   cancellation in a loop, `err()` (one atomic load) is cheaper than
//!   `done().try_recv()` (which clones a receiver).
//! - A deadline cancels through a gort-time `after_func` timer;
//!   [`after_func`]'s function and the watcher of a [`CustomContext`]
//!   parent without an `after_func` of its own run on gort-time's runner
//!   threads (Go: goroutines).
//!
//! # Deviations from Go
//!
//! - No `nil` parent, key or `Done`: the types rule them out (Go panics).
//!   Keys are typed statics ([`Key`]), compared by address.
//! - A parent holds its cancelable children weakly: a subtree dropped
//!   without being cancelled is freed at once (Go's garbage collector
//!   frees it later; without one, a strong hold would leak it). An
//!   `after_func` registration is held strongly, as in Go.
//! - A `done()` channel outlives its context only as a closed channel:
//!   once every handle of a context is dropped uncancelled, a `done()`
//!   still held reports closed (Go's would block forever).
//! - `err` is an atomic (go1.25; go1.23 reads it under the lock).
//! - A cancel takes its node's children out under the lock and cancels
//!   them after unlocking, iteratively (Go recurses with the parent's lock
//!   held): the same outcome, no deep recursion.
//! - `Debug` output follows Go's `String` methods, with a value's type in
//!   place of its `String`, and the time left in place of the wall-clock
//!   deadline.
#![deny(unsafe_op_in_unsafe_fn)]

mod after_func;
mod cancel_ctx;
mod cancelled;
mod children;
mod context;
mod custom;
mod error;
mod funcs;
mod go;
mod key;
mod slab;

use gort_sync as sync;

pub use after_func::{AfterFuncStop, after_func};
pub use cancelled::Cancelled;
pub use context::Context;
pub use custom::{CustomContext, watchers_started};
pub use error::{Cause, ContextError};
pub use funcs::{CancelCauseFunc, CancelFunc};
pub use gort_chan::RecvOnly;
pub use key::Key;
