//! `Ticker` and `tick`: Go's `time.NewTicker`, `time.Tick`, `Ticker.Stop`
//! and `Ticker.Reset` (time/tick.go, go1.23).

use crate::clock::{instant, nanos, when};
use crate::runner::Holder;
use crate::runtime_timer::RuntimeTimer;
use crate::timer::chan_timer;
use gort_chan::{RecvOnly, never};
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Delivers the time on [`c`](Self::c) every period (Go: `*time.Ticker`).
/// A receiver too slow for the ticks misses some: ticks are dropped, never
/// queued, and the next one comes on the period's grid.
///
/// The channel is go1.23's synchronous timer channel (length and capacity
/// 0; after [`stop`](Self::stop) or [`reset`](Self::reset) returns, no tick
/// of the earlier schedule is received). Each value is the time the tick was
/// due, never earlier.
///
/// ```
/// use gort_time::Ticker;
/// use std::time::{Duration, Instant};
///
/// let period = Duration::from_millis(2);
/// let start = Instant::now();
/// let ticker = Ticker::new(period);
/// let first = ticker.c().recv_blocking().unwrap();
/// let second = ticker.c().recv_blocking().unwrap();
/// assert!(first >= start + period && second >= first + period);
/// ticker.stop();
/// ```
pub struct Ticker {
    t: Arc<RuntimeTimer>,
    c: RecvOnly<Instant>,
}

impl Ticker {
    /// A ticker with period `d`; the first tick comes after `d` (Go:
    /// `time.NewTicker`).
    ///
    /// # Panics
    ///
    /// If `d` is zero (Go: "non-positive interval for NewTicker").
    ///
    /// ```
    /// let ticker = gort_time::Ticker::new(std::time::Duration::from_millis(1));
    /// assert!(ticker.c().recv_blocking().is_ok());
    /// ```
    pub fn new(d: Duration) -> Ticker {
        assert!(!d.is_zero(), "non-positive interval for NewTicker");
        let (t, c) = chan_timer(when(d), nanos(d));
        Ticker { t, c: c.into() }
    }

    /// The channel the ticks are delivered on (Go: `t.C`, receive-only).
    ///
    /// ```
    /// let ticker = gort_time::Ticker::new(std::time::Duration::from_secs(1));
    /// assert_eq!(ticker.c().capacity(), 0); // a synchronous timer channel
    /// ```
    pub fn c(&self) -> &RecvOnly<Instant> {
        &self.c
    }

    /// Turns the ticker off (Go: `Ticker.Stop`): no tick is received after
    /// this returns. The channel is not closed.
    ///
    /// ```
    /// let ticker = gort_time::Ticker::new(std::time::Duration::from_nanos(1));
    /// ticker.stop();
    /// assert!(ticker.c().try_recv().is_err());
    /// ```
    pub fn stop(&self) {
        self.t.stop(Holder::Free);
    }

    /// Stops the ticker and restarts it with period `d`; the next tick comes
    /// after `d` (Go: `Ticker.Reset`). No tick of the earlier schedule is
    /// received after this returns.
    ///
    /// # Panics
    ///
    /// If `d` is zero (Go: "non-positive interval for Ticker.Reset").
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let ticker = gort_time::Ticker::new(Duration::from_secs(3600));
    /// let reset_at = Instant::now();
    /// ticker.reset(Duration::from_millis(1));
    /// assert!(ticker.c().recv_blocking().unwrap() >= reset_at + Duration::from_millis(1));
    /// ```
    pub fn reset(&self, d: Duration) {
        assert!(!d.is_zero(), "non-positive interval for Ticker.Reset");
        self.t.modify(when(d), nanos(d));
    }

    /// The runtime timer (test hooks).
    pub(crate) fn runtime(&self) -> &RuntimeTimer {
        &self.t
    }
}

// As `Timer`'s (timer.rs).
impl UnwindSafe for Ticker {}
impl RefUnwindSafe for Ticker {}

impl fmt::Debug for Ticker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (when, period) = {
            let tl = self.t.lock();
            (tl.when, tl.period)
        };
        f.debug_struct("Ticker")
            .field("next", &(when > 0).then(|| instant(when)))
            .field("period", &Duration::from_nanos(period as u64))
            .finish()
    }
}

/// A channel of ticks every `d` (Go: `time.Tick`, i.e. `NewTicker(d).C`);
/// for a zero `d`, a channel that never delivers (Go returns nil). Nothing
/// needs stopping: a dropped `tick` channel costs nothing.
///
/// ```
/// use std::time::Duration;
/// let ticks = gort_time::tick(Duration::from_millis(1));
/// for _ in 0..3 {
///     ticks.recv_blocking().unwrap();
/// }
/// assert!(gort_time::tick(Duration::ZERO).same_channel(&gort_chan::never().into()));
/// ```
pub fn tick(d: Duration) -> RecvOnly<Instant> {
    if d.is_zero() {
        return never().into();
    }
    Ticker::new(d).c
}
