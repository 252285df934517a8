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
//! | `go f()` | [`go()`]`(async { .. })`, [`go!`], [`Handle::spawn`] |
//! | `func main` | [`Runtime::block_on`] (the calling thread is `m0`) |
//! | `runtime.Gosched()` | [`yield_now`]`().await` |
//! | `runtime.GOMAXPROCS(n)` | [`set_procs`]`(n)`, [`Handle::set_procs`] |
//! | `runtime.NumGoroutine()` | [`num_goroutine`] |
//! | a system call (`entersyscallblock`) | [`blocking`]`(f)`; gort's `*_blocking` calls do it themselves |
//! | the preemption check in a function prologue | [`preempt_check`] (every gort await point calls it) |
//! | `GODEBUG=schedtrace=1000` | `GORTDEBUG=schedtrace=1000`, [`Runtime::metrics`] |
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
//!
//! # sysmon: blocking calls and long polls stall nothing else
//!
//! A task that blocks its thread (`std::thread::sleep`, a
//! `std::sync::Mutex`, a file read, a long computation, a gort
//! `*_blocking` call) stalls only that thread, with no `block_in_place`:
//!
//! - Every poll runs as a Go system call (`entersyscall` ... `exitsyscall`,
//!   without an atomic read-modify-write on the M's side). The sysmon thread
//!   (Go's `sysmon`: every 20 µs, backing off to 10 ms, asleep while every P
//!   is idle) retakes a P whose poll it sees at two looks in a row without
//!   using its P, and hands it, with its queue, to another M (`retake`,
//!   `handoffp`).
//! - [`blocking`]`(f)` and every gort `*_blocking` call that has to sleep
//!   hand the P off at once (`entersyscallblock`), through a hook this
//!   crate installs in gort-park on its threads.
//! - After the call (`exitsyscall`) the M takes its old P if it is still
//!   free, else an idle one, else waits for one (`exitsyscall0`).
//! - A G that runs 10 ms without giving up its time slice is asked to
//!   yield (`preemptone`); every gort await point checks on entry (Go's
//!   prologue check) and yields to the global queue. Other libraries call
//!   [`preempt_check`].
//! - `GORTDEBUG=schedtrace=N[,scheddetail=1]` prints Go's `SCHED` line every
//!   N ms; [`Runtime::metrics`] gives the same numbers to programs.
//!
//! The cost: an extra thread per blocked or retaken poll while it lasts
//! (bounded by [`Builder::max_threads`]), and a few plain loads and stores
//! per poll and per await point.
//!
//! Not yet: per-P timers (gort-time's timer thread serves timers on a
//! runtime as elsewhere).
#![deny(unsafe_op_in_unsafe_fn)]

mod gfree;
#[cfg(gort_loom)]
#[doc(hidden)]
pub mod loom_api;
mod m;
mod metrics;
mod note;
mod owned;
mod p;
mod pmask;
mod poller;
mod preempt;
mod procresize;
mod ready;
mod runq;
mod runtime;
mod schedtrace;
mod schedule;
mod shared;
mod steal_order;
mod syscall;
mod sysmon;
mod task;
mod worker;
mod yield_now;

pub use metrics::Metrics;
pub use preempt::preempt_check;
pub use runtime::{Builder, Handle, Runtime};
pub use syscall::blocking;
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

/// `go!(future)` is [`go()`]`(future)`, for a Go-like look.
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
