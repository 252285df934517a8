//! The clock timers run on (Go: `nanotime`): nanoseconds of the monotonic
//! clock since a process-wide base, plus one, so that every reading is
//! positive (Go's timer code uses `when == 0` for "not set").
//!
//! Deviation, for speed: Go's `nanotime` reads `CLOCK_MONOTONIC` and does
//! one multiply-add; `Instant::now()` reads the same clock but wraps it in
//! a `Timespec` whose subtraction and `Duration` conversion cost about
//! 3.5 ns more per reading here (a timer `reset` reads the clock once). So
//! on Linux the clock is read raw, and std's `Instant` — the same clock,
//! as its docs state — is used only to convert deadlines and fire times.
//! The base pairs one `Instant` with the raw readings just before and just
//! after it: its true raw value lies in between, up to [`Base::slack`]
//! nanoseconds (a few dozen) after `raw`. Each conversion rounds the way
//! that keeps timers from firing early:
//! - [`instant`] maps a reading to an `Instant` no earlier than the true
//!   one (a timer's value is never before its deadline);
//! - [`when_at`] maps a deadline to a reading no earlier than the true one
//!   (the clock reaches it only once the deadline has passed);
//! - [`deadline_of`] is the exact inverse of [`when_at`], for reporting
//!   a deadline back as it was given.
//!
//! Durations (`when(d)`, periods) stay exact: both ends are raw readings.
//! Elsewhere the raw reading is `Instant`'s own, with zero slack.
//!
//! Under `cfg(gort_loom)` the clock is a model-local counter that only
//! [`advance`] moves: loom has no real time, so models drive it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The largest `when` (Go: `maxWhen`), used when `now + d` overflows.
pub(crate) const MAX_WHEN: i64 = i64::MAX;

/// Where the clock starts, in both frames.
struct Base {
    /// The instant that `nanotime() == 1` stands for, give or take `slack`.
    instant: Instant,
    /// The raw reading taken just before `instant` (under loom the clock
    /// is a model counter and does not use it).
    #[cfg_attr(gort_loom, allow(dead_code))]
    raw: i64,
    /// The raw readings just before and just after `instant` were at most
    /// this far apart.
    slack: i64,
}

static BASE: OnceLock<Base> = OnceLock::new();

fn base() -> &'static Base {
    BASE.get_or_init(|| {
        // A preemption between the readings widens the slack (and so makes
        // deadlines that much late): keep the tightest of a few tries.
        let mut best: Option<Base> = None;
        for _ in 0..8 {
            let raw = raw_now();
            let instant = Instant::now();
            let slack = raw_now() - raw;
            if best.as_ref().is_none_or(|b| slack < b.slack) {
                best = Some(Base {
                    instant,
                    raw,
                    slack,
                });
            }
        }
        best.expect("eight tries")
    })
}

/// The monotonic clock in nanoseconds (Go: `nanotime1`).
#[cfg(target_os = "linux")]
#[inline]
#[allow(clippy::useless_conversion)] // `time_t` and `c_long` are `i32` on 32-bit targets
fn raw_now() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable `timespec`; `CLOCK_MONOTONIC`
    // always exists on Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    i64::from(ts.tv_sec) * 1_000_000_000 + i64::from(ts.tv_nsec)
}

/// The monotonic clock in nanoseconds since the first reading.
#[cfg(not(target_os = "linux"))]
#[inline]
fn raw_now() -> i64 {
    static ANCHOR: OnceLock<Instant> = OnceLock::new();
    let anchor = *ANCHOR.get_or_init(Instant::now);
    nanos(Instant::now().saturating_duration_since(anchor))
}

/// `d` in nanoseconds, saturated to `i64::MAX`.
pub(crate) fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// Go's `nanotime()`: the current time on the timer clock; always ≥ 1.
#[cfg(not(gort_loom))]
#[inline]
pub(crate) fn nanotime() -> i64 {
    // The clock is monotonic, so this is at least 1; `max` keeps `when == 0`
    // ("not set") unreachable even if a reading ever stepped back.
    (raw_now() - base().raw + 1).max(1)
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

/// The clock reading at `deadline`, never earlier than the true one (a
/// deadline before the base is long past: it maps to 1, the earliest
/// reading).
pub(crate) fn when_at(deadline: Instant) -> i64 {
    let base = base();
    match deadline.checked_duration_since(base.instant) {
        Some(since) => nanos(since).saturating_add(1 + base.slack),
        None => 1,
    }
}

/// The deadline that [`when_at`] mapped to `when` (its exact inverse).
pub(crate) fn deadline_of(when: i64) -> Instant {
    let slack = Duration::from_nanos(u64::try_from(base().slack).unwrap_or(0));
    let at = instant(when);
    at.checked_sub(slack).unwrap_or(at)
}

/// The `Instant` a clock reading stands for, never earlier than the true
/// one, so a timer value `instant(when)` is never earlier than the
/// deadline `when` came from. Saturates at about 292 years after the base.
pub(crate) fn instant(ns: i64) -> Instant {
    let base = base().instant;
    let since = Duration::from_nanos(u64::try_from(ns.saturating_sub(1)).unwrap_or(0));
    base.checked_add(since)
        .or_else(|| base.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(base)
}

#[cfg(all(test, not(gort_loom)))]
mod tests {
    use super::*;

    #[test]
    fn conversions_never_run_early_and_deadlines_round_trip() {
        let slack = Duration::from_nanos(u64::try_from(base().slack).unwrap());
        let d = Duration::from_nanos(1_234_567);
        let before = Instant::now();
        let w = when(d);
        let after = Instant::now();
        assert!(instant(w) >= before + d);
        assert!(instant(w) <= after + d + slack);
        assert_eq!(when_at(deadline_of(w)), w);
        let deadline = after + d;
        assert_eq!(deadline_of(when_at(deadline)), deadline);
        assert!(instant(when_at(deadline)) >= deadline);
        assert_eq!(when(Duration::MAX), MAX_WHEN);
        assert_eq!(when_at(base().instant), 1 + base().slack);
        assert_eq!(instant(1), base().instant);
        assert!(nanotime() >= 1);
    }
}
