//! The timer channel's side of go1.23's `hchan.timer`: Go's
//! `maybeRunChan`, `blockTimerChan` and `unblockTimerChan`
//! (runtime/time.go), called by gort-chan (and gort-select) on the receive
//! paths of a timer channel.

use crate::modify::needs_add;
use crate::runner::Holder;
use crate::runtime_timer::{HEAPED, RuntimeTimer, ZOMBIE};
use crate::sync::Ordering;
use gort_chan::raw::TimerHook;

impl TimerHook for RuntimeTimer {
    fn maybe_run(&self) {
        self.maybe_run_chan();
    }

    /// Port of `blockTimerChan`: a receiver is about to wait on the channel
    /// (the caller holds the channel's lock, and maybe other channels'), so
    /// the timer must be in the heap to fire. Lock order: channel → timer,
    /// released, then heap → timer in `maybe_add`.
    fn block(&self) {
        let mut tl = self.lock();
        tl.blocked += 1;
        // The first receiver after the last one left: the timer may still be
        // in the heap as a zombie; revive it if it is still pending.
        if tl.state & HEAPED != 0 && tl.state & ZOMBIE != 0 && tl.when > 0 {
            tl.state &= !ZOMBIE;
            tl.heap().zombies.fetch_sub(1, Ordering::SeqCst);
        }
        let add = needs_add(&tl, true);
        drop(tl);
        if add {
            self.maybe_add(Holder::Hook);
        }
    }

    /// Port of `unblockTimerChan`: a receiver that `block` counted stopped
    /// waiting. When it was the last one, the timer is marked for removal
    /// from the heap, keeping `when` so it still fires on time if received
    /// from later (lazily, through `maybe_run`).
    fn unblock(&self) {
        let mut tl = self.lock();
        assert!(
            tl.blocked > 0,
            "timer data corruption: unblock without block"
        );
        tl.blocked -= 1;
        let mut zombie = None;
        if tl.blocked == 0 && tl.state & HEAPED != 0 && tl.state & ZOMBIE == 0 {
            tl.state |= ZOMBIE;
            let ts = tl.heap().clone();
            ts.zombies.fetch_add(1, Ordering::SeqCst);
            zombie = Some(ts);
        }
        drop(tl);
        if let Some(ts) = zombie {
            ts.sweep_zombies(Holder::Hook);
        }
    }
}
