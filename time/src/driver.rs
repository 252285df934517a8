//! Who runs the timer heap: by default one shared timer thread, started the
//! first time a timer enters the heap; an executor may install its own
//! [`Driver`] instead and run the timers from its scheduler, as Go's
//! scheduler does (`checkTimers` in `schedule`/`findRunnable`, and
//! `wakeNetPoller` to interrupt a sleeping poller).
//!
//! # Contract for an installed driver
//!
//! 1. Install it with [`install`] before any timer is used (once a driver,
//!    the built-in thread included, is in place, `install` fails).
//! 2. Call [`run_timers`] regularly (e.g. each time a worker looks for
//!    work): it runs every due timer and returns the next deadline.
//! 3. Never sleep past the deadline [`run_timers`] returned, and when
//!    [`Driver::wake`] is called with an earlier one, make a worker call
//!    [`run_timers`] by then (wake a sleeping worker if need be).
//!
//! ```
//! use gort_time::driver::{self, Driver};
//! use std::time::Instant;
//!
//! // The driver of a single-threaded event loop.
//! struct Loop;
//! impl Driver for Loop {
//!     fn wake(&self, _deadline: Instant) {
//!         // e.g. write to the loop's eventfd so that its poll returns
//!     }
//! }
//!
//! // At the executor's start-up, before any timer is used:
//! fn start_executor() -> Result<(), driver::InstallError> {
//!     driver::install(Box::new(Loop))
//! }
//!
//! // Each turn of the loop: run the due timers, learn when to come back.
//! fn loop_turn() -> Option<Instant> {
//!     driver::run_timers()
//! }
//! # let _ = (start_executor as fn() -> _, loop_turn());
//! ```

use crate::clock::{instant, nanotime};
use crate::heap::timers;
use std::fmt;
use std::time::Instant;

/// Something that runs gort's timer heap: it calls [`run_timers`] at or
/// after each deadline it is given. Go's counterpart is the scheduler with
/// its network poller.
pub trait Driver: Send + Sync + 'static {
    /// A timer now needs to run at `deadline`, earlier than any deadline
    /// [`run_timers`] returned before (Go: `wakeNetPoller`). Make sure
    /// [`run_timers`] is called at or after `deadline`, and not much later,
    /// by another thread or a later turn of a loop.
    ///
    /// Called from any thread, possibly with gort channel locks held (a
    /// receiver about to wait puts its timer in the heap under its channel's
    /// lock). So it must not block, must not call into gort, and in
    /// particular must never run the timers inline: [`run_timers`] sends on
    /// timer channels, which takes their locks.
    fn wake(&self, deadline: Instant);
}

/// [`install`] failed: a driver (perhaps the built-in timer thread) already
/// runs the timers. Holds the driver that was not installed.
pub struct InstallError(pub Box<dyn Driver>);

impl fmt::Debug for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InstallError(..)")
    }
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a timer driver is already installed")
    }
}

impl std::error::Error for InstallError {}

/// Makes `driver` run the process's timers instead of the built-in timer
/// thread. Fails if a driver is already in place (the built-in thread starts
/// the first time a timer needs the heap).
///
/// ```
/// use gort_time::driver::{Driver, install};
/// use std::time::Duration;
///
/// struct Nop;
/// impl Driver for Nop {
///     fn wake(&self, _: std::time::Instant) {}
/// }
/// // The first timer in the heap starts the built-in timer thread ...
/// gort_time::after_func(Duration::from_secs(3600), || {}).stop();
/// // ... after which no other driver can take over.
/// assert!(install(Box::new(Nop)).is_err());
/// ```
pub fn install(driver: Box<dyn Driver>) -> Result<(), InstallError> {
    imp::install(driver)
}

/// Runs every timer that is due (Go: `checkTimers`) and returns when the
/// heap next needs attention, or `None` if it is empty. Channel sends and
/// `Sleep` wake-ups happen on the calling thread; `after_func` functions go
/// to runner threads. A `Waker` that panics loses its own wake-up; the panic
/// is reported by the panic hook and does not reach the caller. Call it
/// holding no gort lock (never from [`Driver::wake`]).
///
/// ```
/// // Harmless to call at any time, from any thread.
/// let _next = gort_time::driver::run_timers();
/// ```
pub fn run_timers() -> Option<Instant> {
    let (next, _) = timers().check(nanotime());
    (next != 0).then(|| instant(next))
}

/// Asks the driver to run the heap by `when` (a clock reading).
pub(crate) fn wake(when: i64) {
    imp::wake(when)
}

/// How many built-in timer threads were started: 0 before the first timer
/// needed the heap, then 1 for good.
pub(crate) fn threads_started() -> usize {
    imp::threads_started()
}

#[cfg(not(gort_loom))]
mod imp {
    use super::{Driver, InstallError};
    use crate::clock::{instant, nanotime};
    use crate::heap::timers;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex, OnceLock};
    use std::time::Duration;

    /// The driver in place, once there is one.
    static DRIVER: OnceLock<Active> = OnceLock::new();
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    static THREAD: TimerThread = TimerThread {
        sleep: Mutex::new(Sleep {
            until: AWAKE,
            woken: false,
        }),
        cv: Condvar::new(),
    };

    enum Active {
        Thread,
        Installed(Box<dyn Driver>),
    }

    pub(super) fn install(driver: Box<dyn Driver>) -> Result<(), InstallError> {
        let mut offered = Some(driver);
        DRIVER.get_or_init(|| Active::Installed(offered.take().expect("taken once")));
        match offered {
            None => Ok(()),
            Some(driver) => Err(InstallError(driver)),
        }
    }

    pub(super) fn wake(when: i64) {
        let active = DRIVER.get_or_init(|| {
            STARTED.fetch_add(1, Ordering::Relaxed);
            std::thread::Builder::new()
                .name("gort-timer".into())
                .spawn(|| THREAD.run())
                .expect("failed to spawn the timer thread");
            Active::Thread
        });
        match active {
            Active::Thread => THREAD.wake(when),
            Active::Installed(driver) => driver.wake(instant(when)),
        }
    }

    pub(super) fn threads_started() -> usize {
        STARTED.load(Ordering::Relaxed)
    }

    /// `Sleep::until` while the thread is running the heap.
    const AWAKE: i64 = 0;
    /// `Sleep::until` while the heap is empty.
    const FOREVER: i64 = i64::MAX;

    /// The built-in driver: one thread that runs the heap and sleeps until
    /// its next deadline (Go: an M blocked in `netpoll` until `pollUntil`).
    struct TimerThread {
        sleep: Mutex<Sleep>,
        cv: Condvar,
    }

    struct Sleep {
        /// What the thread sleeps until, or [`AWAKE`].
        until: i64,
        /// A wake-up arrived since the thread last ran the heap.
        woken: bool,
    }

    impl TimerThread {
        /// Go's `wakeNetPoller`: interrupts the sleep if `when` is earlier
        /// than its end; a wake-up while the heap runs makes the thread run
        /// it again (its next deadline may predate the new timer).
        fn wake(&self, when: i64) {
            let mut s = self.sleep.lock().unwrap_or_else(|e| e.into_inner());
            if s.until == AWAKE {
                s.woken = true;
            } else if when < s.until {
                s.woken = true;
                self.cv.notify_one();
            }
        }

        fn run(&self) -> ! {
            loop {
                let (next, _) = timers().check(nanotime());
                let mut s = self.sleep.lock().unwrap_or_else(|e| e.into_inner());
                s.until = if next == 0 { FOREVER } else { next };
                while !s.woken {
                    let now = nanotime();
                    if s.until == FOREVER {
                        s = self.cv.wait(s).unwrap_or_else(|e| e.into_inner());
                    } else if now < s.until {
                        let nap = Duration::from_nanos((s.until - now) as u64);
                        s = self
                            .cv
                            .wait_timeout(s, nap)
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                    } else {
                        break;
                    }
                }
                s.until = AWAKE;
                s.woken = false;
            }
        }
    }
}

/// Under loom there is no timer thread: models call [`run_timers`].
#[cfg(gort_loom)]
mod imp {
    use super::{Driver, InstallError};

    pub(super) fn install(driver: Box<dyn Driver>) -> Result<(), InstallError> {
        Err(InstallError(driver))
    }

    pub(super) fn wake(_when: i64) {}

    pub(super) fn threads_started() -> usize {
        0
    }
}
