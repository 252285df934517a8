//! Go's `sync.WaitGroup`, ported from go1.23 (sync/waitgroup.go), with an
//! async face ([`WaitGroup::wait`]) and a thread-blocking one
//! ([`WaitGroup::wait_blocking`]).
//!
//! | Go | gort-waitgroup |
//! |---|---|
//! | `var wg sync.WaitGroup` | `let wg = WaitGroup::new();` (clones share the group) |
//! | `wg.Add(n)`, `wg.Done()` | `wg.add(n)`, `wg.done()` |
//! | `wg.Add(1); defer wg.Done()` | `let _done = wg.guard();` |
//! | `wg.Wait()` | `wg.wait().await`, or `wg.wait_blocking()` in a thread |
//!
//! # How it works (Go's algorithm)
//!
//! One 64-bit atomic holds the counter (high 32 bits) and the number of
//! registered waiters (low 32 bits). `add` is a single atomic add; the `add`
//! that brings the counter to zero with waiters registered resets the word
//! and releases one unit of a semaphore (gort-park's [`Sema`], Go's
//! `runtime_Semrelease`) per waiter. A wait returns at once on a zero
//! counter; otherwise it registers with a compare-and-swap and sleeps on the
//! semaphore. The misuse checks are Go's, with Go's panic messages.
//!
//! # Deviations from Go, and why
//!
//! - A `WaitGroup` is a shared handle ([`Clone`]); Go's is a value that must
//!   not be copied and is passed by pointer.
//! - A wait can give up (a dropped [`WaitFuture`]); Go's cannot. The dropped
//!   future takes its registration back, or, when the counter has just
//!   reached zero, consumes the unit released for it, so no unit is left in
//!   the semaphore to release a later wait early.
//! - Overflow is reported: a delta outside `i32` or a counter passing
//!   `i32::MAX` panics with "sync: WaitGroup counter overflow" and leaves the
//!   counter unchanged (Go truncates or wraps). `add(0)` does nothing.
//! - [`DoneGuard`] (Go: `defer wg.Done()`) never panics while unwinding.
//! - gort-park's semaphore hands a released unit straight to the longest
//!   waiter (Go's `handoff` mode); for a `WaitGroup`, whose waiters are all
//!   released together, this changes nothing observable.
//! - Go 1.25's `WaitGroup.Go` is not included: gort's crates do not spawn;
//!   [`WaitGroup::guard`] moved into the spawned task does the same job with
//!   any executor or with threads.
//!
//! # Example
//!
//! ```
//! use gort_waitgroup::WaitGroup;
//!
//! # tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap().block_on(async {
//! let wg = WaitGroup::new();
//! let results = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
//! for i in 0..4 {
//!     let guard = wg.guard();
//!     let results = results.clone();
//!     tokio::spawn(async move {
//!         let _guard = guard;
//!         results.lock().unwrap().push(i * i);
//!     });
//! }
//! wg.wait().await;
//! let mut got = results.lock().unwrap().clone();
//! got.sort();
//! assert_eq!(got, [0, 1, 4, 9]);
//! # });
//! ```
//!
//! [`Sema`]: gort_park::Sema
#![deny(unsafe_op_in_unsafe_fn)]

mod guard;
mod state;
mod wait;
mod waitgroup;

pub use guard::DoneGuard;
pub use wait::WaitFuture;
pub use waitgroup::WaitGroup;
