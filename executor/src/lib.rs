//! Go's goroutine scheduler (runtime/proc.go, go1.23) as a Rust async
//! executor: Gs are spawned futures, Ms are OS threads, Ps are the right to
//! run Gs, each with a 256-slot lock-free run queue and a `runnext` slot.
//!
//! ```
//! use gort_executor::{Runtime, go};
//!
//! let rt = Runtime::new();
//! let sum = rt.block_on(async {
//!     let (tx, rx) = gort_chan::bounded(0);
//!     for i in 0..10u64 {
//!         let tx = tx.clone();
//!         go!(async move { tx.send(i).await.unwrap() });
//!     }
//!     drop(tx);
//!     let mut sum = 0;
//!     while let Ok(v) = rx.recv().await {
//!         sum += v;
//!     }
//!     sum
//! });
//! assert_eq!(sum, 45);
//! ```
//!
//! # From Go to Rust
//!
//! | Go | gort-executor |
//! |---|---|
//! | `go f()` | [`go`]`(async { .. })`, [`go!`], [`Handle::spawn`] |
//! | `func main` | [`Runtime::block_on`] (the calling thread is `m0`) |
//! | `runtime.Gosched()` | [`yield_now`]`().await` |
//! | `runtime.GOMAXPROCS(n)` | [`set_procs`]`(n)`, [`Handle::set_procs`] |
//! | `runtime.NumGoroutine()` | [`num_goroutine`] |
//! | a goroutine's result via a channel | [`JoinHandle`] (or a channel) |
//! | a panicking goroutine crashes the program | [`JoinError::Panic`] |
//!
//! # How it schedules (Go's rules, Go's constants)
//!
//! - Waking a G (any `Waker::wake`, e.g. a gort channel handing it a
//!   value) is Go's `ready`: from a thread of the same runtime holding a P
//!   it goes to that P's `runnext` and runs as soon as the waker's G
//!   parks, inheriting its time slice; from any other thread it goes to
//!   the global queue. A wake during the G's own poll makes it run again
//!   after that poll: a G is never polled by two Ms at once, and a wake is
//!   never lost.
//! - An M with nothing to run looks in this order: the global queue 1 time
//!   in 61, its local queue, the global queue, then (as a *spinning* M,
//!   while fewer than half of the busy Ps have one) steals half of another
//!   P's queue, four passes in random order, `runnext` only on the last.
//!   Then it gives up its P, re-checks every queue (Go's "delicate dance"
//!   that makes a concurrent submission always find a spinning M or be
//!   found) and sleeps on a futex. An idle runtime uses no CPU.
//! - A full local queue moves its older half to the global queue. Finished
//!   Gs' memory is reused for new ones (Go's `gFree` lists, per P and
//!   global, 32 at a time, flushed above 64), per size class.
//! - *Rust*: there are no stacks to switch; "the scheduler runs on `g0`"
//!   means the M's own loop calls `poll`, and "the G parks" means its poll
//!   returned `Pending`.
//!
//! Not yet (the next issue): sysmon, handing off the P of an M blocked in a
//! blocking call, preemption of Gs that run longer than 10 ms, per-P timers.
//! Until then a task that blocks its thread (a `*_blocking` call, a long
//! computation) holds its P for that time, as with tokio.
#![deny(unsafe_op_in_unsafe_fn)]

mod gfree;
#[cfg(gort_loom)]
#[doc(hidden)]
pub mod loom_api;
mod m;
mod note;
mod owned;
mod p;
mod pmask;
mod procresize;
mod ready;
mod runq;
mod runtime;
mod schedule;
mod shared;
mod steal_order;
mod task;
mod worker;
mod yield_now;

pub use runtime::{Builder, Handle, Runtime};
pub use task::join::{JoinError, JoinHandle};
pub use yield_now::{YieldNow, yield_now};

use core::future::Future;

/// Go: the `go` statement: spawns `future` on the current runtime.
///
/// # Panics
/// Outside a gort runtime (not in a task or `Runtime::block_on`), saying so.
///
/// ```
/// let rt = gort_executor::Runtime::new();
/// let v = rt.block_on(async { gort_executor::go(async { 7 }).await.unwrap() });
/// assert_eq!(v, 7);
/// ```
pub fn go<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match Handle::try_current() {
        Some(h) => h.spawn(future),
        None => panic!(
            "gort-executor: go() called outside a gort runtime (not inside a task or \
             Runtime::block_on); use Runtime::spawn or Handle::spawn"
        ),
    }
}

/// `go!(future)` is [`go`]`(future)`, for a Go-like look.
///
/// ```
/// use gort_executor::{Runtime, go};
/// let rt = Runtime::new();
/// assert_eq!(rt.block_on(async { go!(async { 1 }).await.unwrap() }), 1);
/// ```
#[macro_export]
macro_rules! go {
    ($future:expr) => {
        $crate::go($future)
    };
}

/// Go: `runtime.GOMAXPROCS(n)` on the current runtime: returns the previous
/// P count; `0` only queries.
///
/// # Panics
/// Outside a gort runtime, saying so.
///
/// ```
/// let rt = gort_executor::Runtime::builder().procs(2).build().unwrap();
/// rt.block_on(async {
///     assert_eq!(gort_executor::set_procs(1), 2);
///     assert_eq!(gort_executor::set_procs(0), 1);
/// });
/// ```
pub fn set_procs(n: usize) -> usize {
    current("set_procs").set_procs(n)
}

/// Go: `runtime.NumGoroutine` on the current runtime: unfinished tasks,
/// plus the futures running in `block_on`.
///
/// # Panics
/// Outside a gort runtime, saying so.
///
/// ```
/// let rt = gort_executor::Runtime::new();
/// assert_eq!(rt.block_on(async { gort_executor::num_goroutine() }), 1);
/// ```
pub fn num_goroutine() -> usize {
    current("num_goroutine").num_goroutine()
}

fn current(what: &str) -> Handle {
    Handle::try_current().unwrap_or_else(|| {
        panic!("gort-executor: {what}() called outside a gort runtime (not inside a task or Runtime::block_on)")
    })
}
