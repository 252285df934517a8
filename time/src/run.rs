//! Running one timer: Go's `timer.unlockAndRun` (runtime/time.go, go1.23.12,
//! with the `isSending` fix for Go issue 69312) split in its two halves, and
//! `timer.maybeRunChan`.

use crate::clock::{MAX_WHEN, instant, nanotime};
use crate::heap::{Heap, Timers};
use crate::modify::needs_add;
use crate::runtime_timer::{Action, Fields, HEAPED, MODIFIED, RuntimeTimer, ZOMBIE};
use crate::sync::Ordering;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A timer that is due, with what its run needs (Go's locals `f`, `arg`,
/// `seq`, `delay` in `unlockAndRun`), taken while it was locked.
#[derive(Debug)]
pub(crate) struct Firing {
    /// The schedule this run belongs to (Go: `seq`).
    seq: u64,
    /// The fire time: the `when` that came due (Go passes `delay = now -
    /// when`, and `sendTime` subtracts it from the current time).
    when: i64,
    /// Whether this run counted itself in `is_sending`.
    sending: bool,
}

impl RuntimeTimer {
    /// First half of Go's `unlockAndRun`, with the timer locked (and, when it
    /// is in the heap, the heap locked and the timer at its head): computes
    /// the next `when` (0 for a one-shot; for a ticker, the first multiple of
    /// the period after `now`, so missed ticks are dropped), updates the
    /// heap, and for a one-shot channel timer announces the send in
    /// `is_sending` (Go issue 69312). The caller then unlocks the timer and
    /// the heap and calls [`fire`](Self::fire).
    pub(crate) fn prepare_run(
        &self,
        tf: &mut Fields,
        heap: Option<(&Timers, &mut Heap)>,
        now: i64,
    ) -> Firing {
        if tf.state & (MODIFIED | ZOMBIE) != 0 {
            crate::heap::bad_timer();
        }
        let seq = self.seq.load(Ordering::Relaxed);
        let when = tf.when;
        let delay = now - when;
        let next = if tf.period > 0 {
            // Go: when + period*(1 + delay/period), maxWhen on overflow.
            (1 + delay / tf.period)
                .checked_mul(tf.period)
                .and_then(|step| when.checked_add(step))
                .unwrap_or(MAX_WHEN)
        } else {
            0
        };
        tf.when = next;
        if tf.state & HEAPED != 0 {
            let Some((ts, h)) = heap else {
                crate::heap::bad_timer();
            };
            tf.state |= MODIFIED;
            if next == 0 {
                tf.state |= ZOMBIE;
                ts.zombies.fetch_add(1, Ordering::SeqCst);
            }
            ts.update_heap(h, self, tf);
        }
        let sending = self.is_chan() && tf.period == 0;
        if sending && self.is_sending.fetch_add(1, Ordering::Relaxed) < 0 {
            panic!("too many concurrent timer firings");
        }
        Firing { seq, when, sending }
    }

    /// Second half of Go's `unlockAndRun`, with no lock held: a channel
    /// timer sends under its send lock, unless `stop` or `modify` changed
    /// the schedule since (`seq`); an `after_func` timer goes to a runner
    /// thread; a `Sleep`'s timer wakes its task.
    ///
    /// A waker that panics (of the receiver the value is handed to, or of
    /// the sleeping task) loses its own wake-up and nothing else (see
    /// [`contain_panic`]).
    pub(crate) fn fire(&self, firing: Firing) {
        match &self.action {
            Action::Send(chan) => {
                let _send = self.send_lock.lock();
                if firing.sending && self.is_sending.fetch_sub(1, Ordering::Relaxed) <= 0 {
                    panic!("mismatched isSending updates");
                }
                if self.seq.load(Ordering::Relaxed) != firing.seq {
                    return;
                }
                // Go's `sendTime`: a non-blocking send of the fire time.
                // Flagged first: a drain that sees the flag clear must find
                // nothing, and the send lock orders this before any drain
                // that follows.
                self.sent.store(true, Ordering::Relaxed);
                contain_panic(|| {
                    chan.send_nonblocking(instant(firing.when));
                });
            }
            Action::Call(_) => crate::runner::spawn_call(self.arc()),
            Action::Wake(waker) => {
                if let Some(w) = waker.take() {
                    contain_panic(|| w.wake());
                }
            }
        }
    }

    /// Port of `timer.maybeRunChan`: if this channel timer is due and not in
    /// the heap (nobody was blocked on it), send its value now. Called
    /// before a receive looks at the channel, with no lock held.
    pub(crate) fn maybe_run_chan(&self) {
        if self.astate.load(Ordering::SeqCst) & HEAPED != 0 {
            // The heap is in charge of sending.
            return;
        }
        self.run_due(|_| true);
    }

    /// Runs a timer that is about to be put in the heap right here if it is
    /// already due (its send, wake-up, or the dispatch of its function); a
    /// ticker then still goes to the heap for its next tick. The caller
    /// holds no lock.
    ///
    /// Deviation (used by `after_func` and `modify`): Go puts even a due
    /// timer in the heap, and its scheduler runs it at its next check on the
    /// same P, with no thread switch; gort's heap is run by another thread,
    /// so a due timer is run as `maybeRunChan` runs a due channel timer.
    /// (Not under channel locks, in `block`: a send takes another channel's
    /// lock.)
    pub(crate) fn run_if_due(&self) {
        let is_chan = self.is_chan();
        self.run_due(|tf| needs_add(tf, is_chan));
    }

    /// Runs the timer on the calling thread if it is due and not in the heap
    /// and `wanted` agrees (checked under the timer lock); the caller holds
    /// no lock. The body of Go's `maybeRunChan`.
    fn run_due(&self, wanted: impl FnOnce(&Fields) -> bool) {
        let mut tl = self.lock();
        let now = nanotime();
        if tl.state & HEAPED != 0 || tl.when == 0 || tl.when > now || !wanted(&tl) {
            return;
        }
        let firing = self.prepare_run(&mut tl, None, now);
        drop(tl);
        self.fire(firing);
    }
}

/// Runs `wake`, a call that ends in foreign code (a `Waker`), and stops a
/// panic there: it is reported by the panic hook, as on any thread, and the
/// timer thread (or whoever runs the heap) goes on with the other timers.
/// Go's scheduler never runs foreign code when it readies a goroutine.
fn contain_panic(wake: impl FnOnce()) {
    // Only the panicking waker's own wake-up is lost; the timer's state was
    // settled before the call.
    let _ = catch_unwind(AssertUnwindSafe(wake));
}
