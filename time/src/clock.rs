//! The clock timers run on (Go: `nanotime`): nanoseconds since a process-wide
//! base `Instant`, plus one, so that every reading is positive (Go's timer
//! code uses `when == 0` for "not set").
//!
//! Under `cfg(gort_loom)` the clock is a model-local counter that only
//! [`advance`] moves: loom has no real time, so models drive it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The largest `when` (Go: `maxWhen`), used when `now + d` overflows.
pub(crate) const MAX_WHEN: i64 = i64::MAX;

static BASE: OnceLock<Instant> = OnceLock::new();

/// The instant that `nanotime() == 1` stands for.
fn base() -> Instant {
    *BASE.get_or_init(Instant::now)
}

/// `d` in nanoseconds, saturated to `i64::MAX`.
pub(crate) fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// Go's `nanotime()`: the current time on the timer clock; always ≥ 1.
#[cfg(not(gort_loom))]
#[inline]
pub(crate) fn nanotime() -> i64 {
    let base = base();
    nanos(Instant::now().saturating_duration_since(base)).saturating_add(1)
}

#[cfg(gort_loom)]
loom::lazy_static! {
    /// The model's clock.
    static ref MOCK_NOW: crate::sync::AtomicI64 = crate::sync::AtomicI64::new(1);
}

/// Go's `nanotime()`, under loom: the model's clock.
#[cfg(gort_loom)]
pub(crate) fn nanotime() -> i64 {
    MOCK_NOW.load(crate::sync::Ordering::SeqCst)
}

/// Moves the model's clock forward by `d` (loom only).
#[cfg(gort_loom)]
pub fn advance(d: Duration) {
    MOCK_NOW.fetch_add(nanos(d), crate::sync::Ordering::SeqCst);
}

/// Port of `when` (time/sleep.go): the clock reading `d` from now,
/// [`MAX_WHEN`] if that overflows. A zero duration means now.
pub(crate) fn when(d: Duration) -> i64 {
    let now = nanotime();
    if d.is_zero() {
        return now;
    }
    now.checked_add(nanos(d)).unwrap_or(MAX_WHEN)
}

/// The clock reading at `deadline` (a deadline before the base is long
/// past: it maps to 1, the earliest reading).
pub(crate) fn when_at(deadline: Instant) -> i64 {
    match deadline.checked_duration_since(base()) {
        Some(since) => nanos(since).saturating_add(1),
        None => 1,
    }
}

/// The `Instant` a clock reading stands for; exact, so a timer value
/// `instant(when)` is never earlier than the deadline `when` came from.
/// Saturates at about 292 years after the base.
pub(crate) fn instant(ns: i64) -> Instant {
    let base = base();
    let since = Duration::from_nanos(u64::try_from(ns.saturating_sub(1)).unwrap_or(0));
    base.checked_add(since)
        .or_else(|| base.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(base)
}

#[cfg(all(test, not(gort_loom)))]
mod tests {
    use super::*;

    #[test]
    fn round_trips_exactly() {
        let d = Duration::from_nanos(1_234_567);
        let before = Instant::now();
        let w = when(d);
        let after = Instant::now();
        assert!(instant(w) >= before + d);
        assert!(instant(w) <= after + d);
        assert_eq!(when_at(instant(w)), w);
        assert_eq!(when(Duration::MAX), MAX_WHEN);
        assert_eq!(when_at(base()), 1);
        assert_eq!(instant(1), base());
    }
}
