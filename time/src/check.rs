//! Running the heap: Go's `cleanHead`, `adjust`, `check` and `run`
//! (runtime/time.go, go1.23).

use crate::heap::{Heap, HeapGuard, Timers, bad_timer};
use crate::run::Firing;
use crate::runner::Holder;
use crate::runtime_timer::{HEAPED, MODIFIED, RuntimeTimer, ZOMBIE};
use crate::sync::Ordering;
use std::sync::Arc;

/// A due timer that [`Timers::run`] took off the head of the heap (or
/// rescheduled, for a ticker), to be fired with the heap unlocked (Go:
/// `unlockAndRun` after `ts.unlock`).
type Due = (Arc<RuntimeTimer>, Firing);

impl Timers {
    /// Port of `timers.cleanHead`: removes zombies from the tail of the heap
    /// (no re-sorting needed) and settles the head until it is neither a
    /// zombie nor modified.
    ///
    /// Deviation: when removing the last entry empties the heap, Go leaves
    /// `minWhenHeap` stale until the next `check` (which its scheduler runs
    /// constantly); gort's timer thread sleeps until `wake_time`, so it is
    /// cleared here.
    pub(crate) fn clean_head(&self, h: &mut Heap) {
        loop {
            let Some(tail) = h.entries.last() else {
                return;
            };
            if tail.timer.astate.load(Ordering::SeqCst) & ZOMBIE != 0 {
                let t = tail.timer.clone();
                let mut tl = t.lock();
                if tl.state & ZOMBIE != 0 {
                    tl.state &= !(HEAPED | ZOMBIE | MODIFIED);
                    tl.ts = None;
                    self.zombies.fetch_sub(1, Ordering::SeqCst);
                    let last = h.entries.len() - 1;
                    self.swap_remove(h, last);
                    if h.entries.is_empty() {
                        self.update_min_when_heap(h);
                        self.min_when_modified.store(0, Ordering::SeqCst);
                    }
                }
                continue;
            }
            let head = &h.entries[0].timer;
            if head.astate.load(Ordering::SeqCst) & (MODIFIED | ZOMBIE) == 0 {
                return;
            }
            let t = head.clone();
            let mut tl = t.lock();
            if !self.update_heap(h, &t, &mut tl) {
                return;
            }
        }
    }

    /// Port of `timers.adjust`: puts modified timers in their place and
    /// removes zombies. Unless `force`, does nothing before the earliest
    /// modified `when` is due.
    ///
    /// Keeps `wake_time` exact throughout, as Go does: (1) fold
    /// `min_when_modified` into `min_when_heap`, (2) clear
    /// `min_when_modified`, (3) scan, (4) recompute `min_when_heap`. A
    /// concurrent `modify` publishes [`MODIFIED`] in `astate` before it
    /// lowers `min_when_modified` (all `SeqCst`), so an update that step (2)
    /// overwrites is seen by the scan in step (3).
    pub(crate) fn adjust(&self, h: &mut Heap, now: i64, force: bool) {
        if !force {
            let first = self.min_when_modified.load(Ordering::SeqCst);
            if first == 0 || first > now {
                return;
            }
        }
        self.min_when_heap.store(self.wake_time(), Ordering::SeqCst);
        self.min_when_modified.store(0, Ordering::SeqCst);

        let mut changed = false;
        let mut i = 0;
        while i < h.entries.len() {
            let tw = &h.entries[i];
            if tw.timer.astate.load(Ordering::SeqCst) & (MODIFIED | ZOMBIE) == 0 {
                i += 1;
                continue;
            }
            let t = tw.timer.clone();
            let mut tl = t.lock();
            if tl.state & HEAPED == 0 {
                bad_timer();
            }
            if tl.state & ZOMBIE != 0 {
                self.zombies.fetch_sub(1, Ordering::SeqCst);
                tl.state &= !(HEAPED | ZOMBIE | MODIFIED);
                tl.ts = None;
                self.swap_remove(h, i);
                changed = true;
                // The entry moved into slot `i` is looked at next.
                continue;
            }
            if tl.state & MODIFIED != 0 {
                h.entries[i].when = tl.when;
                tl.state &= !MODIFIED;
                changed = true;
            }
            i += 1;
        }
        if changed {
            self.init_heap(h);
        }
        self.update_min_when_heap(h);
    }

    /// Port of `timers.check`: runs every due timer. Returns when the heap
    /// next needs attention (0: empty) and whether any timer ran.
    ///
    /// Deviation: Go returns the head's `when` and leaves modified timers to
    /// `wakeTime`, which its scheduler also consults; gort returns
    /// `wake_time()` after the run, which covers both, because the timer
    /// thread sleeps until exactly this value.
    pub(crate) fn check(&self, now: i64) -> (i64, bool) {
        let next = self.wake_time();
        if next == 0 {
            return (0, false);
        }
        if !self.too_many_zombies() && now < next {
            return (next, false);
        }
        let mut ran = false;
        let mut g = self.lock(Holder::Free);
        if !g.entries.is_empty() {
            self.adjust(&mut g, now, false);
            while let Some((t, firing)) = self.run(&mut g, now) {
                drop(g);
                t.fire(firing);
                drop(t);
                g = self.lock(Holder::Free);
                ran = true;
            }
            if self.too_many_zombies() {
                self.adjust(&mut g, now, true);
            }
        }
        drop(g);
        (self.wake_time(), ran)
    }

    /// Go's condition for a forced `adjust`: more than a quarter of the
    /// heap are zombies.
    fn too_many_zombies(&self) -> bool {
        let zombies = self.zombies.load(Ordering::SeqCst);
        if zombies < 0 {
            bad_timer();
        }
        zombies as usize > self.len.load(Ordering::SeqCst) / 4
    }

    /// Deviation from Go (whose scheduler runs `check`, with its forced
    /// `adjust`, many times a second): the timer thread sleeps until the
    /// next deadline, so whoever makes a zombie (`stop`, `unblock`, a dropped
    /// `Sleep`) and thereby pushes the zombies past a quarter of the heap
    /// sweeps them with Go's forced `adjust`. Each sweep removes more than a
    /// quarter of the entries it scans, so it is amortised O(1) per zombie.
    pub(crate) fn sweep_zombies(&self, holder: Holder) {
        if !self.too_many_zombies() {
            return;
        }
        let mut g = self.lock(holder);
        if self.zombies.load(Ordering::SeqCst) as usize > g.entries.len() / 4 {
            // A forced adjust does not look at the time.
            self.adjust(&mut g, 0, true);
        }
    }

    /// Port of `timers.run`: looks at the head; if it is due, takes it out
    /// of the heap (or reschedules a ticker) and returns it to be fired.
    /// `None` if the heap is empty (Go: -1) or its head is not due yet (Go:
    /// the head's `when`; `check` reports `wake_time` instead).
    fn run(&self, h: &mut HeapGuard<'_>, now: i64) -> Option<Due> {
        loop {
            let tw = h.entries.first()?;
            if tw.timer.astate.load(Ordering::SeqCst) & (MODIFIED | ZOMBIE) == 0 && tw.when > now {
                return None;
            }
            let t = tw.timer.clone();
            let mut tl = t.lock();
            if self.update_heap(h, &t, &mut tl) {
                continue;
            }
            if tl.state & HEAPED == 0 || tl.state & MODIFIED != 0 {
                bad_timer();
            }
            if tl.when > now {
                return None;
            }
            let firing = t.prepare_run(&mut tl, Some((self, h)), now);
            drop(tl);
            return Some((t, firing));
        }
    }
}
