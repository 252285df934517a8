//! Go's `timers` (runtime/time.go, go1.23): the 4-ary min-heap of timers,
//! ordered by each entry's copy of `when`, and its heap primitives.
//!
//! Go keeps one heap per P. gort keeps one for the process (the timer
//! thread, or an installed [`Driver`](crate::driver::Driver), runs it),
//! plus one per P of each executor that makes its own (see
//! [`per_p`](crate::per_p)). A timer in a heap points to it (Go: `t.ts`).

use crate::runner::Holder;
use crate::runtime_timer::{Fields, HEAPED, MODIFIED, RuntimeTimer, ZOMBIE};
use crate::sync::{AtomicI64, AtomicUsize, Ordering};
use gort_park::{Mutex, MutexGuard};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// Go's `timerHeapN`: the heap is 4-ary.
const HEAP_N: usize = 4;

/// One heap entry (Go: `timerWhen`): the timer and the `when` it is sorted by.
pub(crate) struct TimerWhen {
    pub(crate) timer: Arc<RuntimeTimer>,
    pub(crate) when: i64,
}

/// What the heap lock guards.
pub(crate) struct Heap {
    /// Go: `heap`.
    pub(crate) entries: Vec<TimerWhen>,
    /// Timers taken out of the heap under the lock, dropped after unlocking
    /// (dropping one may drop a user's `after_func` closure).
    graveyard: Vec<Arc<RuntimeTimer>>,
    /// The heap's P was destroyed and its timers moved (Go: `timers.take`):
    /// timers are added to the process heap instead. (Go's `maybeAdd` pins
    /// its P with `acquirem`; a gort thread may still name a heap whose P a
    /// `set_procs` just destroyed.)
    pub(crate) retired: bool,
}

/// Who runs a heap when a timer needs it earlier than planned (Go:
/// `wakeNetPoller`). The process heap has none: its driver thread runs it.
pub trait HeapWaker: Send + Sync + 'static {
    /// The heap needs running at `when` (a reading of the timer clock).
    /// Called with no gort-time lock held, possibly under channel locks:
    /// it must not block on anything that waits for a gort lock.
    fn wake(&self, when: i64);
}

/// Go's `timers`.
pub(crate) struct Timers {
    /// Go: `mu`.
    mu: Mutex<Heap>,
    /// Go: `len`, the heap length at the last unlock.
    pub(crate) len: AtomicUsize,
    /// Go: `zombies`, entries marked [`ZOMBIE`].
    pub(crate) zombies: AtomicI64,
    /// Go: `minWhenHeap`, `heap[0].when`, or 0 for an empty heap.
    pub(crate) min_when_heap: AtomicI64,
    /// Go: `minWhenModified`, a lower bound on the `when` of [`MODIFIED`]
    /// timers, or 0 if there are none.
    pub(crate) min_when_modified: AtomicI64,
    /// Who runs this heap; `None` for the process heap.
    waker: Option<Box<dyn HeapWaker>>,
}

impl core::fmt::Debug for Timers {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Timers")
            .field("len", &self.len.load(Ordering::Relaxed))
            .field("zombies", &self.zombies.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The heap lock, held. Port of `timers.unlock` on drop: publishes `len`,
/// unlocks, then drops the graveyard.
pub(crate) struct HeapGuard<'a> {
    ts: &'a Timers,
    guard: Option<MutexGuard<'a, Heap>>,
    holder: Holder,
}

impl Timers {
    /// An empty heap run by `waker`'s owner (`None`: the process heap).
    pub(crate) fn new(waker: Option<Box<dyn HeapWaker>>) -> Self {
        Self {
            mu: Mutex::new(Heap {
                entries: Vec::new(),
                graveyard: Vec::new(),
                retired: false,
            }),
            len: AtomicUsize::new(0),
            zombies: AtomicI64::new(0),
            min_when_heap: AtomicI64::new(0),
            min_when_modified: AtomicI64::new(0),
            waker,
        }
    }

    /// Asks whoever runs this heap to run it by `when` (Go:
    /// `wakeNetPoller`). Call it holding no gort-time lock.
    pub(crate) fn wake(&self, when: i64) {
        match &self.waker {
            Some(w) => w.wake(when),
            None => crate::driver::wake(when),
        }
    }

    /// Port of `timers.lock`.
    #[inline]
    pub(crate) fn lock(&self, holder: Holder) -> HeapGuard<'_> {
        HeapGuard {
            ts: self,
            guard: Some(self.mu.lock()),
            holder,
        }
    }

    /// Port of `timers.addHeap`: appends `t` (which the caller checked
    /// belongs in the heap, marked [`HEAPED`] and pointed at this heap) and
    /// sifts it up.
    pub(crate) fn add_heap(&self, h: &mut Heap, t: Arc<RuntimeTimer>, when: i64) {
        h.entries.push(TimerWhen { timer: t, when });
        let i = h.entries.len() - 1;
        let top = self.sift_up(h, i);
        if top == 0 {
            self.update_min_when_heap(h);
        }
    }

    /// Port of `timers.take`: moves every live timer of `src` (whose P is
    /// being destroyed) into this heap and drops its zombies; with
    /// `retire`, later adds to `src` go to the process heap. Returns the
    /// earliest `when` moved (0: none), for the caller to pass to
    /// [`wake`](Self::wake) once it holds no lock.
    ///
    /// Deviation: Go relies on the stopped world and locks nothing; here
    /// threads outside the executor may stop or reset these timers at any
    /// moment, so both heaps (`src` first: only one take runs at a time)
    /// and each timer are locked. The executor calls it under its scheduler
    /// lock, so the zombies it drops are disposed of as under a channel
    /// lock: an `after_func` closure is never dropped here.
    pub(crate) fn take(self: &Arc<Self>, src: &Timers, retire: bool) -> i64 {
        let mut sg = src.lock(Holder::Hook);
        sg.retired |= retire;
        if sg.entries.is_empty() {
            return 0;
        }
        let mut dg = self.lock(Holder::Free);
        let mut earliest = 0;
        for tw in core::mem::take(&mut sg.entries) {
            let t = tw.timer;
            let mut tl = t.lock();
            if tl.state & ZOMBIE != 0 {
                tl.state &= !(HEAPED | ZOMBIE | MODIFIED);
                tl.ts = None;
                drop(tl);
                sg.graveyard.push(t);
                continue;
            }
            tl.state &= !MODIFIED;
            tl.ts = Some(self.clone());
            let when = tl.when;
            drop(tl);
            if earliest == 0 || when < earliest {
                earliest = when;
            }
            self.add_heap(&mut dg, t, when);
        }
        src.zombies.store(0, Ordering::SeqCst);
        src.min_when_heap.store(0, Ordering::SeqCst);
        src.min_when_modified.store(0, Ordering::SeqCst);
        earliest
    }

    /// Lets a retired heap take timers again (its P was made anew).
    pub(crate) fn revive(&self) {
        self.lock(Holder::Free).retired = false;
    }

    /// Port of `timers.deleteMin`: removes `heap[0]`.
    pub(crate) fn delete_min(&self, h: &mut Heap) {
        let last = h.entries.len() - 1;
        h.entries.swap(0, last);
        let removed = h.entries.pop().expect("deleteMin on a non-empty heap");
        h.graveyard.push(removed.timer);
        if last > 0 {
            self.sift_down(h, 0);
        }
        self.update_min_when_heap(h);
        if last == 0 {
            // No timers at all: no modified ones either.
            self.min_when_modified.store(0, Ordering::SeqCst);
        }
    }

    /// Removes the entry at `i` by moving the last one into its place; the
    /// caller restores the heap order (Go's removals in `cleanHead` and
    /// `adjust`).
    pub(crate) fn swap_remove(&self, h: &mut Heap, i: usize) {
        let removed = h.entries.swap_remove(i);
        h.graveyard.push(removed.timer);
    }

    /// Port of `timer.updateHeap`: applies `t`'s pending state change to the
    /// heap, where `t` is `heap[0]` and both locks are held. A zombie leaves
    /// the heap; a modified timer is re-sorted. True if anything changed.
    pub(crate) fn update_heap(&self, h: &mut Heap, t: &RuntimeTimer, tf: &mut Fields) -> bool {
        if !h
            .entries
            .first()
            .is_some_and(|e| core::ptr::eq(Arc::as_ptr(&e.timer), t))
        {
            bad_timer();
        }
        if tf.state & ZOMBIE != 0 {
            tf.state &= !(HEAPED | ZOMBIE | MODIFIED);
            tf.ts = None;
            self.zombies.fetch_sub(1, Ordering::SeqCst);
            self.delete_min(h);
            return true;
        }
        if tf.state & MODIFIED != 0 {
            tf.state &= !MODIFIED;
            h.entries[0].when = tf.when;
            self.sift_down(h, 0);
            self.update_min_when_heap(h);
            return true;
        }
        false
    }

    /// Port of `timers.updateMinWhenHeap`.
    pub(crate) fn update_min_when_heap(&self, h: &Heap) {
        let min = h.entries.first().map_or(0, |e| e.when);
        self.min_when_heap.store(min, Ordering::SeqCst);
    }

    /// Port of `timers.updateMinWhenModified`: lowers the bound to `when`.
    pub(crate) fn update_min_when_modified(&self, when: i64) {
        let mut old = self.min_when_modified.load(Ordering::SeqCst);
        loop {
            if old != 0 && old < when {
                return;
            }
            match self.min_when_modified.compare_exchange(
                old,
                when,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return,
                Err(now) => old = now,
            }
        }
    }

    /// Port of `timers.wakeTime`: when the heap next needs attention, or 0
    /// if it is empty. Reads `min_when_modified` first (see `adjust`).
    #[inline]
    pub(crate) fn wake_time(&self) -> i64 {
        let next = self.min_when_modified.load(Ordering::SeqCst);
        let when = self.min_when_heap.load(Ordering::SeqCst);
        if when == 0 || (next != 0 && next < when) {
            next
        } else {
            when
        }
    }

    /// Port of `timers.siftUp`; returns the entry's final index.
    pub(crate) fn sift_up(&self, h: &mut Heap, mut i: usize) -> usize {
        let heap = &mut h.entries;
        if i >= heap.len() {
            bad_timer();
        }
        let when = heap[i].when;
        if when <= 0 {
            bad_timer();
        }
        while i > 0 {
            let p = (i - 1) / HEAP_N;
            if when >= heap[p].when {
                break;
            }
            heap.swap(i, p);
            i = p;
        }
        i
    }

    /// Port of `timers.siftDown`.
    pub(crate) fn sift_down(&self, h: &mut Heap, mut i: usize) {
        let heap = &mut h.entries;
        let n = heap.len();
        if i >= n {
            bad_timer();
        }
        if i * HEAP_N + 1 >= n {
            return;
        }
        let when = heap[i].when;
        if when <= 0 {
            bad_timer();
        }
        loop {
            let left = i * HEAP_N + 1;
            if left >= n {
                break;
            }
            let mut w = when;
            let mut c = None;
            for (j, tw) in heap[left..n.min(left + HEAP_N)].iter().enumerate() {
                if tw.when < w {
                    w = tw.when;
                    c = Some(left + j);
                }
            }
            let Some(c) = c else { break };
            heap.swap(i, c);
            i = c;
        }
    }

    /// Port of `timers.initHeap`: restores heap order in O(n).
    pub(crate) fn init_heap(&self, h: &mut Heap) {
        let n = h.entries.len();
        if n <= 1 {
            return;
        }
        for i in (0..=(n - 2) / HEAP_N).rev() {
            self.sift_down(h, i);
        }
    }
}

/// Go's `badTimer`: the heap's invariants are broken. Unreachable unless
/// gort-time has a bug (Go blames racy user code, which Rust rules out).
#[cold]
pub(crate) fn bad_timer() -> ! {
    panic!("timer data corruption");
}

impl Deref for HeapGuard<'_> {
    type Target = Heap;

    #[inline]
    fn deref(&self) -> &Heap {
        self.guard.as_ref().expect("held until drop")
    }
}

impl DerefMut for HeapGuard<'_> {
    #[inline]
    fn deref_mut(&mut self) -> &mut Heap {
        self.guard.as_mut().expect("held until drop")
    }
}

impl Drop for HeapGuard<'_> {
    fn drop(&mut self) {
        let Some(mut guard) = self.guard.take() else {
            return;
        };
        // Go: publish the length at unlock, so it never shows a transient value.
        self.ts.len.store(guard.entries.len(), Ordering::SeqCst);
        let dead = core::mem::take(&mut guard.graveyard);
        drop(guard);
        if !dead.is_empty() {
            crate::runner::dispose(dead, self.holder);
        }
    }
}

#[cfg(not(gort_loom))]
static TIMERS: std::sync::LazyLock<Arc<Timers>> =
    std::sync::LazyLock::new(|| Arc::new(Timers::new(None)));

#[cfg(gort_loom)]
loom::lazy_static! {
    static ref TIMERS: Arc<Timers> = Arc::new(Timers::new(None));
}

/// The process's timer heap, run by the timer thread or the installed
/// driver.
#[inline]
pub(crate) fn timers() -> &'static Arc<Timers> {
    &TIMERS
}

#[cfg(all(test, not(gort_loom)))]
mod tests {
    use super::*;
    use crate::runtime_timer::Action;

    fn fresh() -> Timers {
        Timers::new(None)
    }

    fn timer() -> Arc<RuntimeTimer> {
        RuntimeTimer::new(Action::Wake(Default::default()), 0, 0)
    }

    /// The 4-ary order: every entry is at least its parent, checked after
    /// random inserts and removals (Go's `timers.verify`).
    fn verify(h: &Heap) {
        for i in 1..h.entries.len() {
            let p = (i - 1) / HEAP_N;
            assert!(h.entries[i].when >= h.entries[p].when, "bad heap at {i}");
        }
    }

    #[test]
    fn heap_sorts_like_a_priority_queue() {
        let ts = fresh();
        let mut g = ts.lock(Holder::Free);
        let mut rng = fastrand::Rng::with_seed(7);
        let mut expected = Vec::new();
        for _ in 0..2000 {
            let when = rng.i64(1..1_000);
            expected.push(when);
            ts.add_heap(&mut g, timer(), when);
            verify(&g);
            assert_eq!(ts.min_when_heap.load(Ordering::SeqCst), g.entries[0].when);
        }
        expected.sort_unstable();
        let mut got = Vec::new();
        while !g.entries.is_empty() {
            got.push(g.entries[0].when);
            ts.delete_min(&mut g);
            verify(&g);
        }
        assert_eq!(got, expected);
        assert_eq!(ts.min_when_heap.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn init_heap_restores_order() {
        let ts = fresh();
        let mut g = ts.lock(Holder::Free);
        let mut rng = fastrand::Rng::with_seed(11);
        for n in [0, 1, 2, 5, 17, 100] {
            g.entries.clear();
            for _ in 0..n {
                g.entries.push(TimerWhen {
                    timer: timer(),
                    when: rng.i64(1..50),
                });
            }
            ts.init_heap(&mut g);
            verify(&g);
        }
    }

    #[test]
    fn min_when_modified_only_lowers() {
        let ts = fresh();
        ts.update_min_when_modified(50);
        ts.update_min_when_modified(70);
        assert_eq!(ts.min_when_modified.load(Ordering::SeqCst), 50);
        ts.update_min_when_modified(20);
        assert_eq!(ts.wake_time(), 20);
        ts.min_when_heap.store(10, Ordering::SeqCst);
        assert_eq!(ts.wake_time(), 10);
    }
}
