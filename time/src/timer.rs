//! `Timer`, `after` and `after_func`: Go's `time.NewTimer`, `time.After`,
//! `time.AfterFunc`, `Timer.Stop` and `Timer.Reset` (time/sleep.go, go1.23).

use crate::clock::{instant, when};
use crate::runner::Holder;
use crate::runtime_timer::{Action, RuntimeTimer};
use gort_chan::{Receiver, RecvOnly, never};
use gort_park::Mutex;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A single event: the time it fired is delivered on [`c`](Self::c) once `d`
/// has passed (Go: `*time.Timer`). Made by [`Timer::new`] or
/// [`after_func`].
///
/// The channel is go1.23's synchronous timer channel: it reports length and
/// capacity 0, and its value is produced when a receiver takes it, so after
/// [`stop`](Self::stop) or [`reset`](Self::reset) returns, no value of the
/// earlier schedule is ever received. The value is the time the timer was
/// due, never earlier than the deadline, even when it is received late.
///
/// Dropping the `Timer` does not stop it: the channel (if a clone of it is
/// kept) still receives, and an `after_func` function still runs. A timer
/// nobody can receive from any more costs nothing after it is dropped (no
/// thread, no heap entry), as in go1.23.
///
/// ```
/// use gort_time::Timer;
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// let timer = Timer::new(Duration::from_millis(5));
/// let fired = timer.c().recv_blocking().unwrap();
/// assert!(fired >= start + Duration::from_millis(5));
/// assert!(!timer.stop()); // already received: nothing to stop
/// ```
pub struct Timer {
    t: Arc<RuntimeTimer>,
    c: RecvOnly<Instant>,
}

/// Makes a channel timer (Go's `newTimer` with a channel of capacity 1):
/// the channel owns the timer, which holds it weakly.
pub(crate) fn chan_timer(when: i64, period: i64) -> (Arc<RuntimeTimer>, Receiver<Instant>) {
    // Go's `newTimer` calls `modify`, which adds nothing to the heap for a
    // channel timer nobody waits on yet: the fields set here are all.
    gort_chan::raw::timer_channel(1, |chan| {
        RuntimeTimer::new(Action::Send(chan), when, period)
    })
}

impl Timer {
    /// A timer that delivers the time on its channel after at least `d`
    /// (Go: `time.NewTimer`). `Duration::ZERO` fires at once.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let timer = gort_time::Timer::new(std::time::Duration::from_millis(1));
    /// timer.c().recv().await.unwrap();
    /// # });
    /// ```
    pub fn new(d: Duration) -> Timer {
        let (t, c) = chan_timer(when(d), 0);
        Timer { t, c: c.into() }
    }

    /// The channel the time is delivered on (Go: `t.C`, a `<-chan Time`:
    /// receive-only, so no holder can close it). For a timer made by
    /// [`after_func`] it never delivers anything (Go: a nil channel).
    ///
    /// ```
    /// let timer = gort_time::Timer::new(std::time::Duration::ZERO);
    /// let c = timer.c().clone(); // keeps the timer working after `timer` is dropped
    /// drop(timer);
    /// assert!(c.recv_blocking().is_ok());
    /// ```
    pub fn c(&self) -> &RecvOnly<Instant> {
        &self.c
    }

    /// Stops the timer (Go: `Timer.Stop`). Returns true if this call stopped
    /// it, false if it had already fired or been stopped.
    ///
    /// For a channel timer, "fired" means its value was received: `stop`
    /// returns true whenever the value has not been received, even past the
    /// deadline, and afterwards a receive blocks rather than see a stale
    /// value. For an [`after_func`] timer, false means the function has
    /// already been started (stop does not wait for it to finish).
    ///
    /// ```
    /// use gort_time::Timer;
    /// use std::time::Duration;
    ///
    /// let timer = Timer::new(Duration::ZERO);
    /// assert!(timer.stop()); // due, but not received: stopped
    /// assert!(timer.c().try_recv().is_err());
    /// assert!(!timer.stop());
    /// ```
    pub fn stop(&self) -> bool {
        self.t.stop(Holder::Free)
    }

    /// Changes the timer to fire after `d` from now (Go: `Timer.Reset`).
    /// Returns true if the timer was pending (for a channel timer: its value
    /// had not been received), false if it had fired or been stopped. After
    /// `reset` returns, no value of the earlier schedule is received.
    ///
    /// A reset [`after_func`] timer whose function already ran runs it again.
    ///
    /// ```
    /// use gort_time::Timer;
    /// use std::time::Duration;
    ///
    /// let timer = Timer::new(Duration::from_secs(3600));
    /// assert!(timer.reset(Duration::ZERO));
    /// timer.c().recv_blocking().unwrap();
    /// assert!(!timer.reset(Duration::from_secs(3600)));
    /// ```
    pub fn reset(&self, d: Duration) -> bool {
        self.t.modify(when(d), 0)
    }

    /// The runtime timer (test hooks).
    pub(crate) fn runtime(&self) -> &RuntimeTimer {
        &self.t
    }
}

// A panic never leaves a timer inconsistent: its locks are released with
// the state whole (no poisoning), and a panicking waker or hook is contained
// or undone (see run.rs and gort-chan).
impl UnwindSafe for Timer {}
impl RefUnwindSafe for Timer {}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = self.t.lock().when;
        f.debug_struct("Timer")
            .field("deadline", &(when > 0).then(|| instant(when)))
            .field("after_func", &!self.t.is_chan())
            .finish()
    }
}

/// A channel that delivers the time once `d` has passed (Go: `time.After`,
/// i.e. `NewTimer(d).C`). Nothing needs stopping: an unreceived `after`
/// channel costs nothing once dropped.
///
/// ```
/// use std::time::{Duration, Instant};
/// let start = Instant::now();
/// let fired = gort_time::after(Duration::from_millis(2)).recv_blocking().unwrap();
/// assert!(fired >= start + Duration::from_millis(2));
/// ```
pub fn after(d: Duration) -> RecvOnly<Instant> {
    Timer::new(d).c
}

/// Calls `f` on a thread of its own once `d` has passed (Go:
/// `time.AfterFunc`). The returned [`Timer`] can [`stop`](Timer::stop) the
/// call, or [`reset`](Timer::reset) it (after `f` ran, that schedules it
/// again). Its [`c`](Timer::c) never delivers.
///
/// `f` never runs on the timer thread. Unlike Go's goroutines, two runs of
/// one `f` never overlap (an `FnMut` cannot run twice at once): a run due
/// while the previous one is still going waits for it.
///
/// ```
/// use std::sync::mpsc;
/// use std::time::Duration;
///
/// let (tx, rx) = mpsc::channel();
/// let _timer = gort_time::after_func(Duration::from_millis(1), move || tx.send("ran").unwrap());
/// assert_eq!(rx.recv().unwrap(), "ran");
/// ```
pub fn after_func(d: Duration, f: impl FnMut() + Send + 'static) -> Timer {
    let t = RuntimeTimer::new(Action::Call(Mutex::new(Box::new(f))), when(d), 0);
    if d.is_zero() {
        t.run_if_due();
    }
    // Go's `newTimer` → `modify` → `needsAdd` → `maybeAdd`.
    t.maybe_add(Holder::Free);
    Timer {
        t,
        c: never().into(),
    }
}
