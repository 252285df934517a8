//! `Sleep`: Go's `time.Sleep` (runtime `timeSleep` and `resetForSleep`,
//! runtime/time.go, go1.23) as a future.

use crate::clock::{deadline_of, nanotime, when, when_at};
use crate::runner::Holder;
use crate::runtime_timer::{Action, RuntimeTimer};
use crate::sync::WakerCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Waits until `d` has passed (Go: `time.Sleep(d)`, for a task). A zero `d`
/// completes at once. Cancel-safe: dropping it leaves nothing behind.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::{Duration, Instant};
/// let start = Instant::now();
/// gort_time::sleep(Duration::from_millis(2)).await;
/// assert!(start.elapsed() >= Duration::from_millis(2));
/// # });
/// ```
pub fn sleep(d: Duration) -> Sleep {
    Sleep::at(when(d))
}

/// Waits until `deadline` (at once if it has passed). Cancel-safe, as
/// [`sleep`].
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::{Duration, Instant};
/// let deadline = Instant::now() + Duration::from_millis(2);
/// gort_time::sleep_until(deadline).await;
/// assert!(Instant::now() >= deadline);
/// # });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::at(when_at(deadline))
}

/// The future of [`sleep`] and [`sleep_until`]: completes once its deadline
/// has passed, never earlier.
///
/// Cheap: it is three words, allocates nothing until a poll finds the
/// deadline still ahead, then allocates one timer (no channel) that the
/// timer heap holds until it fires or the `Sleep` is dropped. It may be
/// [`reset`](Self::reset) and polled again, reusing that timer. It is
/// `Unpin`, `Send` and `Sync`.
///
/// Cancel-safe: dropping it before it completes stops its timer and drops
/// the task's waker at once; the heap entry is swept lazily, as Go sweeps
/// stopped timers. It may be dropped anywhere, even under gort channel
/// locks (gort-select embeds one for its `default(d)` arm).
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    /// The deadline on the timer clock.
    when: i64,
    /// Go's `gp.timer`, made on the first poll that has to wait.
    timer: Option<Arc<RuntimeTimer>>,
    /// The `when` the timer is scheduled for; 0 if it is not.
    armed: i64,
}

impl Sleep {
    fn at(when: i64) -> Sleep {
        Sleep {
            when,
            timer: None,
            armed: 0,
        }
    }

    /// The deadline.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(gort_time::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        deadline_of(self.when)
    }

    /// Whether the deadline has passed.
    ///
    /// ```
    /// assert!(gort_time::sleep(std::time::Duration::ZERO).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        nanotime() >= self.when
    }

    /// Moves the deadline (earlier or later), whether or not the sleep had
    /// completed; poll it again to wait for the new one.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use std::time::{Duration, Instant};
    /// let mut s = gort_time::sleep(Duration::from_secs(3600));
    /// let deadline = Instant::now() + Duration::from_millis(1);
    /// s.reset(deadline);
    /// (&mut s).await;
    /// assert!(Instant::now() >= deadline);
    /// # });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.when = when_at(deadline);
    }

    fn waker_slot(t: &RuntimeTimer) -> &WakerCell {
        match &t.action {
            Action::Wake(slot) => slot,
            _ => unreachable!("a Sleep's timer wakes a task"),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    /// Port of `timeSleep` + `resetForSleep`: ready once the clock reaches
    /// the deadline; otherwise the waker is registered and the timer
    /// scheduled (once per deadline). The timer's firing is only a wake-up:
    /// readiness is always decided by the clock, so a stale firing can never
    /// complete a reset sleep early.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Go: the preemption check in `timeSleep`'s prologue (first poll).
        if this.timer.is_none() && gort_park::hook::preempt_check(cx) {
            return Poll::Pending;
        }
        if nanotime() >= this.when {
            return Poll::Ready(());
        }
        let t = this
            .timer
            .get_or_insert_with(|| RuntimeTimer::new(Action::Wake(WakerCell::new()), 0, 0));
        Self::waker_slot(t).register(cx.waker());
        if this.armed != this.when {
            this.armed = this.when;
            t.modify(this.when, 0);
        }
        // The timer may have fired between the first check and the
        // registration, waking nobody: look at the clock again.
        if nanotime() >= this.when {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(t) = self.timer.take() {
            // Release the task now; the heap entry may linger as a zombie.
            drop(Self::waker_slot(&t).take());
            if self.armed != 0 {
                // gort-select embeds a `Sleep` and may drop it under
                // channel locks.
                t.stop(Holder::Hook);
            }
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline())
            .field("armed", &(self.armed != 0))
            .finish()
    }
}
