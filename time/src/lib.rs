//! Go's timers, ported from go1.23 (runtime/time.go with the fix for Go
//! issue 69312 from go1.23.2+, and package time's sleep.go and tick.go):
//! timer channels, tickers, `after_func` and an async sleep, all driven by
//! one 4-ary timer heap.
//!
//! | Go | gort-time |
//! |---|---|
//! | `t := time.NewTimer(d)`; `<-t.C` | `let t = Timer::new(d)`; `t.c().recv().await` |
//! | `t.Stop()`, `t.Reset(d)` | `t.stop()`, `t.reset(d)` (both `&self`) |
//! | `<-time.After(d)` | `after(d).recv().await` |
//! | `time.NewTicker(d)`, `time.Tick(d)` | `Ticker::new(d)`, `tick(d)` |
//! | `time.AfterFunc(d, f)` | `after_func(d, f)` |
//! | `time.Sleep(d)` (in a goroutine) | `sleep(d).await`, `sleep_until(deadline).await` |
//!
//! Channels are gort-chan [`RecvOnly`](gort_chan::RecvOnly) views (Go's
//! `<-chan Time`: nobody but the timer may close them) of the
//! [`Instant`](std::time::Instant) the timer fired at: use them in gort-select
//! arms, await them, or block on them from a thread.
//!
//! # Semantics (go1.23's)
//!
//! - **Synchronous timer channels.** A timer's channel reports length and
//!   capacity 0; its value is produced when a receiver takes it (through
//!   go1.23's `hchan.timer` hook in gort-chan). So after `stop` or `reset`
//!   returns, no value of the earlier schedule is ever received, and
//!   `stop`/`reset` return true whenever the value has not been received,
//!   even past the deadline (with the fix for Go issue 69312: also when the
//!   timer thread was just about to send it).
//! - **Never early.** A timer fires, and a `Sleep` completes, only once the
//!   clock has reached the deadline. A timer's value is the time it was due
//!   (Go subtracts the delay of a lazily received value; here it is exact),
//!   so it is never earlier than the deadline, even when received late.
//! - **Tickers drop ticks** a slow receiver misses; the next tick stays on
//!   the period's grid.
//! - **No thread per timer.** One timer thread, started the first time a
//!   timer enters the heap, sleeps until the earliest deadline. A channel
//!   timer enters the heap only while a receiver waits on it; otherwise it
//!   is run when received from. An unreferenced timer costs nothing, so
//!   nothing ever needs stopping to free memory (go1.23's rule). An executor
//!   may run the heap itself: see [`driver`].
//! - **`after_func`** runs `f` on a thread of its own (Go: its own
//!   goroutine), never on the timer thread. Runner threads are reused.
//!
//! # Deviations from Go, and why
//!
//! - One heap for the process (a thread outside any executor has no P),
//!   besides one per P on an executor that makes them (gort-executor
//!   does, through the hidden `per_p` module). Go's `t.ts` is kept.
//! - Go's scheduler runs `checkTimers`, which sweeps stopped timers
//!   ("zombies") out of the heap, many times a second; gort's timer thread
//!   sleeps until the next deadline. So whoever makes a zombie and pushes
//!   the zombies past a quarter of the heap sweeps them (Go's forced
//!   `adjust`, amortised O(1) per zombie). See `check.rs`.
//! - A timer already due when a caller holding no lock adds it to the heap
//!   runs at once on that thread (as `maybeRunChan` does for channel
//!   timers): Go's scheduler would run it at its next check on the same P,
//!   with no thread switch; gort's timer thread is another thread.
//! - Two runs of one `after_func` function never overlap (Go's may): an
//!   `FnMut` cannot run twice at once. Runner threads stand in for
//!   goroutines: reused, and woken one at a time (Go: one spinning M).
//! - `GODEBUG=asynctimerchan=1` (the pre-1.23 buffered timer channels) is
//!   not ported. There is no zero `Timer` to misuse, so Go's "Stop called on
//!   uninitialized Timer" panics cannot happen.
//! - `sleep` is a future; threads use `std::thread::sleep`.
//!
//! # Locks
//!
//! One hierarchy, Go's: channel lock → heap lock → timer lock, and a timer's
//! send lock → its timer lock, send lock → channel lock. The channel hooks
//! run under channel locks (several at once in a select) and only ever take
//! heap and timer locks below them; nothing holding a heap or timer lock
//! takes a channel or send lock. No user code and no waker runs under any
//! gort-time lock. Details in `runtime_timer.rs`.
//!
//! # Example
//!
//! ```
//! use gort_time::{Ticker, Timer, after_func, sleep};
//! use std::time::Duration;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let ticker = Ticker::new(Duration::from_millis(1));
//! let deadline = Timer::new(Duration::from_millis(5));
//! let mut ticks = 0;
//! loop {
//!     if deadline.c().try_recv().is_ok() {
//!         break;
//!     }
//!     ticker.c().recv().await.unwrap();
//!     ticks += 1;
//! }
//! assert!(ticks >= 1);
//! ticker.stop();
//!
//! let call = after_func(Duration::from_secs(3600), || unreachable!());
//! assert!(call.stop()); // stopped before it ran
//! sleep(Duration::from_millis(1)).await;
//! # });
//! ```
#![deny(unsafe_op_in_unsafe_fn)]

mod chan_hook;
mod check;
mod clock;
pub mod driver;
mod heap;
mod modify;
#[doc(hidden)]
pub mod per_p;
#[doc(hidden)]
pub mod raw;
mod run;
mod runner;
mod runtime_timer;
mod sleep;
use gort_sync as sync;
mod ticker;
mod timer;

pub use sleep::{Sleep, sleep, sleep_until};
pub use ticker::{Ticker, tick};
pub use timer::{Timer, after, after_func};
