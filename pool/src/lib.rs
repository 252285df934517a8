//! Go's `sync.Pool`, ported from go1.23 (sync/pool.go, sync/poolqueue.go):
//! a cache of reusable values shared by any number of threads, with a cache
//! per thread, lock-free stealing between threads, and Go's two-step aging
//! through a victim cache.
//!
//! | Go (`sync.Pool`) | gort-pool |
//! |---|---|
//! | `sync.Pool{New: f}` | `Pool::new(f)` |
//! | `p.Get()` | `p.get()` (`try_get()`: Go's `Get` without `New`) |
//! | `p.Put(x)` | `p.put(x)` |
//! | `x := p.Get(); defer p.Put(x)` | `let x = p.get_guard();` |
//! | a GC cycle's `poolCleanup` | `p.clear()` |
//!
//! ```
//! use gort_pool::Pool;
//! use std::io::Write;
//!
//! static BUFFERS: std::sync::LazyLock<Pool<Vec<u8>>> =
//!     std::sync::LazyLock::new(|| Pool::new(|| Vec::with_capacity(1024)));
//!
//! fn log_line(key: &str, value: u32) -> String {
//!     let mut buf = BUFFERS.get();
//!     buf.clear(); // pooled buffers keep their old contents
//!     write!(buf, "{key}={value}").unwrap();
//!     let line = String::from_utf8_lossy(&buf).into_owned();
//!     BUFFERS.put(buf);
//!     line
//! }
//!
//! let lines: Vec<String> = std::thread::scope(|s| {
//!     let workers: Vec<_> = (0..4).map(|i| s.spawn(move || log_line("worker", i))).collect();
//!     workers.into_iter().map(|w| w.join().unwrap()).collect()
//! });
//! assert_eq!(lines[3], "worker=3");
//! ```
//!
//! # How it works (Go's design)
//!
//! Every thread that uses a pool has its own *local* in it (Go: one per P):
//! a private slot for one value and a `poolChain`, a lock-free list of ring
//! buffers (`poolDequeue`, head and tail packed in one 64-bit word, rings
//! doubling from 8 slots up to 2^30). The owner thread pushes and pops at
//! the head of its chain; other threads steal at the tail.
//!
//! - [`Pool::put`] fills the private slot if it is empty, else pushes on the
//!   head of the thread's chain.
//! - [`Pool::get`] takes the private value, else pops the thread's own head
//!   (the value it put last), else steals from the other threads' tails
//!   (starting with the next thread), else takes from the victim cache, else
//!   calls the constructor.
//! - [`Pool::clear`] is Go's GC hook, `poolCleanup`: the current caches
//!   become the victim cache and the previous victim cache is dropped.
//!
//! In the common case `get` and `put` touch only the calling thread's own
//! cache lines and run no locked instruction (on Linux; see below).
//!
//! # When to call `clear`
//!
//! Go empties every pool at each garbage collection, so an idle pool frees
//! its values within two GC cycles. Rust has no collector: a pool keeps what
//! it was given until [`Pool::clear`] or its drop, and its memory is bounded
//! by what was put and not taken back. Where the number of values in use at
//! once is bounded (each `get` is followed by a `put`), the pool never holds
//! more than that peak and needs no `clear`. Where a burst may leave many
//! values behind, call `clear` now and then, for example from a maintenance
//! thread:
//!
//! ```no_run
//! # use gort_pool::Pool;
//! # use std::{sync::Arc, thread, time::Duration};
//! let pool: Arc<Pool<Vec<u8>>> = Arc::new(Pool::default());
//! let p = Arc::downgrade(&pool);
//! thread::spawn(move || {
//!     while let Some(pool) = p.upgrade() {
//!         pool.clear(); // values idle for two periods are dropped
//!         drop(pool);
//!         thread::sleep(Duration::from_secs(5));
//!     }
//! });
//! ```
//!
//! No age-based rotation is built in. Reading a clock (`Instant::now`) costs
//! about 45 ns where a `get` + `put` pair costs 3 to 10 ns (measured on the
//! project's machine), so checking an age on every operation would multiply
//! the cost of the pool; checking it every N operations would make some unlucky
//! `get` or `put` run the `clear` itself, with its barrier and the drops of
//! every aged value (about 0.3 ms for 1000 pooled 4 KiB buffers). A timer
//! thread, as above, keeps that cost off the hot path.
//!
//! # `clear` while other threads use the pool
//!
//! Go runs `poolCleanup` with the world stopped. Here `clear` runs while
//! other threads push, pop and steal, and it frees memory they may be
//! reading, so it waits out a grace period: each pool operation marks its
//! thread *pinned* (a per-thread counter) for its few instructions, and
//! `clear` unlinks the old victim cache, issues a barrier, and waits until
//! every operation it saw pinned has ended before freeing it. On Linux the
//! barrier is `membarrier(2)`, which lets the pinned side use no fence at
//! all (elsewhere both sides use `fence(SeqCst)`). Pinned code runs no user
//! code and never blocks; the constructor and values' `Drop` always run
//! outside, so both may use the pool again.
//!
//! Each OS thread using pools takes a small id, the lowest free one, and
//! gives it back when it exits; a thread's local in every pool goes with
//! its id, so the per-thread arrays stay as small as the largest number of
//! threads alive at once, and exited threads' locals are reused. An
//! exiting thread moves its private value into its shared chain, where
//! other threads can steal it.
//!
//! # Deviations from Go
//!
//! - Locals are per OS thread (a reused id), not per P, and live in arrays
//!   that grow without moving (Go reallocates, dropping the contents, when
//!   GOMAXPROCS changes).
//! - `clear` is an explicit, per-pool call that waits for in-flight
//!   operations (Go: a stop-the-world hook over all pools).
//! - Go's `Get` allocates the P's local; here a get never allocates. A get
//!   whose thread has no local in the victim cache still searches the other
//!   threads' victim chains (Go gives up).
//! - Go marks an empty victim by zeroing `victimSize`; here the flag lives in
//!   the victim generation itself, so it can never hide a newer victim.
//! - Drained rings of a chain are kept until their generation is freed (Go
//!   lets its GC free them); rings double, so they hold less than the head
//!   ring.
//! - Values are typed: no `nil` (Go's `Put(nil)` is a no-op, a nil `*Pool`
//!   panics), no `dequeueNil` sentinel, and no race-detector mode (Go drops a
//!   quarter of the puts under `-race`).
//! - [`Pool::try_get`] is Go's `Get` on a pool without `New`; a pool always
//!   has a constructor for [`Pool::get`].
//! - A pool must not be used from a child process created by `fork` while
//!   other threads of the parent were inside a pool operation (as with
//!   locks).
#![deny(unsafe_op_in_unsafe_fn)]

mod chain;
mod dequeue;
mod generation;
mod guard;
mod live;
mod local;
mod pool;
#[doc(hidden)]
pub mod raw;
mod registry;
mod segments;
use gort_sync as sync;

pub use guard::PoolGuard;
pub use pool::Pool;
