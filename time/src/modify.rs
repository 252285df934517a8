//! Changing a timer: Go's `timer.stop`, `timer.modify` (and `reset`),
//! `needsAdd` and `maybeAdd` (runtime/time.go, go1.23.12: synchronous
//! channels, with the `isSending` fix for Go issue 69312).
//!
//! Go's asynchronous-channel mode (`GODEBUG=asynctimerchan=1`) is not
//! ported: gort's timer channels are always go1.23's synchronous ones.

use crate::clock::nanotime;
use crate::heap::timers;
use crate::runner::Holder;
use crate::runtime_timer::{Action, Fields, HEAPED, MODIFIED, RuntimeTimer, ZOMBIE};
use crate::sync::Ordering;

impl RuntimeTimer {
    /// Port of `timer.stop`: stops the timer. A timer in the heap is only
    /// marked a zombie (it is removed lazily). True if the call stopped it
    /// before it ran; for a channel timer, also if its value had not been
    /// received: a send in flight is cancelled through `seq` (Go issue
    /// 69312) and a value waiting in the channel is drained. `holder` says
    /// whether the caller may hold channel locks (see [`Holder`]).
    pub(crate) fn stop(&self, holder: Holder) -> bool {
        let send = self.is_chan().then(|| self.send_lock.lock());
        let mut tl = self.lock();
        let mut zombie = None;
        if tl.state & HEAPED != 0 {
            tl.state |= MODIFIED;
            if tl.state & ZOMBIE == 0 {
                tl.state |= ZOMBIE;
                let ts = tl.heap().clone();
                ts.zombies.fetch_add(1, Ordering::SeqCst);
                zombie = Some(ts);
            }
        }
        let mut pending = tl.when > 0;
        tl.when = 0;
        if self.is_chan() {
            // Stop any send of the old schedule (see `fire`).
            self.bump_seq();
            // A send in flight is cancelled by the new `seq`: its value is
            // never received, so the timer counts as stopped.
            if tl.period == 0 && self.is_sending.load(Ordering::Relaxed) > 0 {
                pending = true;
            }
        }
        drop(tl);
        drop(send);
        if self.drain() {
            pending = true;
        }
        if let Some(ts) = zombie {
            ts.sweep_zombies(holder);
        }
        pending
    }

    /// Port of `timer.modify` (and `timer.reset`): reschedules the timer to
    /// fire at `when` and then every `period` nanoseconds (0: once). True if
    /// it was pending before (for a channel timer: also if its value had not
    /// been received). No value of the old schedule is received afterwards.
    pub(crate) fn modify(&self, when: i64, period: i64) -> bool {
        assert!(when > 0, "timer when must be positive");
        assert!(period >= 0, "timer period must be non-negative");
        let send = self.is_chan().then(|| self.send_lock.lock());
        let mut tl = self.lock();
        let old_period = tl.period;
        tl.period = period;

        let mut wake = None;
        let mut pending = tl.when > 0;
        tl.when = when;
        if tl.state & HEAPED != 0 {
            tl.state |= MODIFIED;
            // Marked for removal by a stop: running again.
            let revived = tl.state & ZOMBIE != 0;
            tl.state &= !ZOMBIE;
            let ts = tl.heap();
            if revived {
                ts.zombies.fetch_sub(1, Ordering::SeqCst);
            }
            // The heap entry is updated later (`adjust`, `clean_head`).
            let min = ts.min_when_modified.load(Ordering::SeqCst);
            if min == 0 || when < min {
                // Publish MODIFIED before lowering the bound (see `adjust`).
                tl.publish();
                ts.update_min_when_modified(when);
                wake = Some(ts.clone());
            }
        }
        let add = needs_add(&tl, self.is_chan());
        if self.is_chan() {
            self.bump_seq();
            if old_period == 0 && self.is_sending.load(Ordering::Relaxed) > 0 {
                pending = true;
            }
        }
        drop(tl);
        if self.drain() {
            pending = true;
        }
        drop(send);
        if add {
            if when <= nanotime() {
                self.run_if_due();
            }
            self.maybe_add(Holder::Free);
        }
        if let Some(ts) = wake {
            ts.wake(when);
        }
        pending
    }

    /// Port of `timer.maybeAdd`: puts the timer in the heap if it still
    /// needs to be there: the calling thread's P's heap on an executor that
    /// gives its Ps heaps (see [`per_p`](crate::per_p)), else the process
    /// heap. Takes the heap lock, then the timer lock (never the other way
    /// round); the caller holds neither, but may hold channel locks
    /// (`block`), which `holder` says.
    pub(crate) fn maybe_add(&self, holder: Holder) {
        let local = crate::per_p::local();
        let mut picked = None;
        if let Some(ts) = &local {
            let g = ts.lock(holder);
            if !g.retired {
                picked = Some((ts, g));
            }
        }
        let (ts, mut g) = picked.unwrap_or_else(|| (timers(), timers().lock(holder)));
        ts.clean_head(&mut g);
        let mut tl = self.lock();
        let mut wake = None;
        if needs_add(&tl, self.is_chan()) {
            tl.state |= HEAPED;
            tl.ts = Some(ts.clone());
            let when = tl.when;
            let wake_time = ts.wake_time();
            if wake_time == 0 || when < wake_time {
                wake = Some(when);
            }
            ts.add_heap(&mut g, self.arc(), when);
        }
        drop(tl);
        drop(g);
        if let Some(when) = wake {
            ts.wake(when);
        }
    }

    /// Go's `timerchandrain` on this timer's channel: removes the value
    /// waiting in it, if any. False for timers without a channel.
    ///
    /// Go reads `qcount` first and skips the lock when it is 0; gort's drain
    /// must also end the schedule for handed-off values (see
    /// `WeakChan::drain`), so it is skipped only when the timer sent nothing
    /// since the last drain ([`sent`](RuntimeTimer::sent)). The callers
    /// drain under the send lock (`modify`) or after a send-lock section
    /// that ended every send of the old schedule (`stop`), so a send that
    /// set the flag is seen.
    fn drain(&self) -> bool {
        match &self.action {
            Action::Send(chan) if self.sent.load(Ordering::Relaxed) => {
                self.sent.store(false, Ordering::Relaxed);
                chan.drain()
            }
            _ => false,
        }
    }

    /// `seq++`, with both the timer lock and the send lock held (so no RMW
    /// is needed: every writer holds both).
    fn bump_seq(&self) {
        let seq = self.seq.load(Ordering::Relaxed);
        self.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
    }
}

/// Port of `timer.needsAdd`: a running timer not yet in the heap belongs
/// there, except a channel timer nobody is blocked on (go1.23: such a timer
/// is run lazily by `maybe_run` when its channel is received from, which is
/// what lets an unreferenced timer be freed).
pub(crate) fn needs_add(tf: &Fields, is_chan: bool) -> bool {
    tf.state & HEAPED == 0 && tf.when > 0 && (!is_chan || tf.blocked > 0)
}
