//! gort: Go's concurrency runtime, ported to Rust (go1.23).
//!
//! Each piece of Go's machinery is a crate of its own, ported function by
//! function; this crate re-exports them, each as a module behind a cargo
//! feature of the same name (all on by default), plus a [`prelude`] and
//! `#[gort::main]`. Depend on a single crate (`gort-chan`, `gort-context`,
//! ...) when that is all you need: the facade adds nothing else.
//!
//! | Go | gort |
//! |---|---|
//! | `func main() { .. }` | `#[gort::main] async fn main() { .. }` |
//! | `go f()` | `go!(f())` ([`executor::go()`]) |
//! | `ch := make(chan int, 8)` | `let (tx, rx) = bounded::<i32>(8);` |
//! | `ch <- v`, `v, ok := <-ch` | `tx.send(v).await`, `rx.recv().await` (`_blocking` on threads) |
//! | `close(ch)` | `tx.close()` (or drop every sender) |
//! | `for v := range ch` | `while let Ok(v) = rx.recv().await` (`rx.iter()` on threads) |
//! | `select { case v := <-ch: .. default: .. }` | `select! { recv(rx) -> v => .., default => .. }` |
//! | `time.After(d)`, `time.NewTicker(d)` | `after(d)`, `Ticker::new(d)` |
//! | `var wg sync.WaitGroup` | `let wg = WaitGroup::new();` |
//! | `sync.Once`, `sync.Map`, `sync.Pool` | `Once`, `SyncMap`, `Pool` |
//! | `map[K]V` | `HMap<K, V>` |
//! | `ctx, cancel := context.WithTimeout(ctx, d)` | `let (ctx, cancel) = ctx.with_timeout(d);` |
//! | topics in a `sync.Map`, channels as queues | `Broker`: `publish`, `consumer`, `subscribe` ([`mq`]) |
//!
//! # Example: a worker pool
//!
//! ```
//! use gort::prelude::*;
//!
//! #[gort::main]
//! async fn main() {
//!     let (jobs_tx, jobs) = bounded::<u64>(16);
//!     let (results_tx, results) = bounded::<u64>(16);
//!     let wg = WaitGroup::new();
//!     for _ in 0..3 {
//!         let (jobs, results_tx, done) = (jobs.clone(), results_tx.clone(), wg.guard());
//!         go!(async move {
//!             let _done = done; // Go: defer wg.Done()
//!             while let Ok(j) = jobs.recv().await {
//!                 results_tx.send(j * 2).await.unwrap();
//!             }
//!         });
//!     }
//!     drop(results_tx);
//!     for j in 1..=5 {
//!         jobs_tx.send(j).await.unwrap();
//!     }
//!     jobs_tx.close(); // Go: close(jobs)
//!     wg.wait().await;
//!     let mut sum = 0;
//!     while let Ok(r) = results.recv().await {
//!         sum += r;
//!     }
//!     assert_eq!(sum, 30);
//! }
//! ```

#[cfg(feature = "chan")]
pub use gort_chan as chan;
#[cfg(feature = "context")]
pub use gort_context as context;
#[cfg(feature = "executor")]
pub use gort_executor as executor;
#[cfg(feature = "hmap")]
pub use gort_hmap as hmap;
#[cfg(feature = "mq")]
pub use gort_mq as mq;
#[cfg(feature = "once")]
pub use gort_once as once;
#[cfg(feature = "pool")]
pub use gort_pool as pool;
#[cfg(feature = "select")]
pub use gort_select as select;
#[cfg(feature = "syncmap")]
pub use gort_syncmap as syncmap;
#[cfg(feature = "time")]
pub use gort_time as time;
#[cfg(feature = "waitgroup")]
pub use gort_waitgroup as waitgroup;

/// Runs `async fn main` as the main goroutine of a gort runtime (see
/// `gort-macros`).
///
/// `main` may return a value, as Go's cannot:
///
/// ```
/// #[gort::main]
/// async fn main() -> Result<(), std::num::ParseIntError> {
///     let h = gort::go!(async { "42".parse::<u32>() });
///     assert_eq!(h.await.unwrap()?, 42);
///     Ok(())
/// }
/// ```
///
/// It needs `async fn main`, and takes no arguments (build a
/// [`executor::Runtime`] by hand to choose `procs` and the rest):
///
/// ```compile_fail
/// #[gort::main]
/// fn main() {}
/// ```
///
/// ```compile_fail
/// #[gort::main(procs = 2)]
/// async fn main() {}
/// ```
#[cfg(feature = "executor")]
pub use gort_macros::main;

/// `go!(future)`: spawns `future` on the current gort runtime (Go's `go`
/// statement; see [`executor::go()`]).
#[cfg(feature = "executor")]
pub use gort_executor::go;

/// The names a Go program reaches for, from every enabled crate.
pub mod prelude {
    #[cfg(feature = "chan")]
    pub use gort_chan::{Receiver, RecvOnly, Sender, bounded, never};
    #[cfg(feature = "context")]
    pub use gort_context::{Context, Key};
    #[cfg(feature = "executor")]
    pub use gort_executor::{go, yield_now};
    #[cfg(feature = "hmap")]
    pub use gort_hmap::{HMap, HSet};
    #[cfg(feature = "mq")]
    pub use gort_mq::Broker;
    #[cfg(feature = "once")]
    pub use gort_once::{Once, OnceFunc, OnceValue, OnceValues};
    #[cfg(feature = "pool")]
    pub use gort_pool::Pool;
    #[cfg(feature = "select")]
    pub use gort_select::{Select, select, select_blocking};
    #[cfg(feature = "syncmap")]
    pub use gort_syncmap::{SyncMap, SyncSet};
    #[cfg(feature = "time")]
    pub use gort_time::{Ticker, Timer, after, sleep, tick};
    #[cfg(feature = "waitgroup")]
    pub use gort_waitgroup::WaitGroup;
}
