//! Go's network poller in the one role it has here, timers (runtime/proc.go,
//! go1.23): `sched.lastpoll` and `sched.pollUntil`, the blocking
//! `netpoll(delay)` of `findRunnable` (here a timed sleep of one idle M until
//! the earliest timer of any P), `netpollBreak`, `wakeNetPoller` and
//! `checkTimersNoP`. gort has no I/O to poll: the poller only sleeps.

use crate::m::{M, wakep};
use crate::shared::Shared;
use crate::worker::Worker;
use gort_sync::{Arc, AtomicI64, Mutex, Ordering::*, lock};
use gort_time::per_p::{HeapWaker, nanotime};

pub(crate) struct Poller {
    /// Go: `sched.lastpoll`: 0 while an M sleeps in the poller, else when
    /// the last sleep ended.
    lastpoll: AtomicI64,
    /// Go: `sched.pollUntil`: when the sleeping M wakes up (0: not known
    /// yet, or nobody sleeps).
    poll_until: AtomicI64,
    /// The M asleep in the poller, and a break that came before it slept
    /// (Go: the eventfd that `netpollBreak` writes stays readable).
    sleeper: Mutex<Sleeper>,
}

#[derive(Default)]
struct Sleeper {
    m: Option<Arc<M>>,
    broken: bool,
}

impl Poller {
    /// Go: `sched.lastpoll.Store(nanotime())` in `schedinit`.
    pub(crate) fn new() -> Self {
        Poller {
            lastpoll: AtomicI64::new(nanotime()),
            poll_until: AtomicI64::new(0),
            sleeper: Mutex::new(Sleeper::default()),
        }
    }

    /// Port of `netpollBreak`: ends the poller's sleep, or the next one if
    /// nobody sleeps yet.
    pub(crate) fn brk(&self) {
        let mut s = lock(&self.sleeper);
        match &s.m {
            Some(m) => m.park.wakeup(),
            None => s.broken = true,
        }
    }
}

/// Port of `wakeNetPoller`: a timer must run at `when`. If an M sleeps in
/// the poller past `when`, wake it; if none sleeps, start one looking for
/// work (`wakep`), which will end up polling.
pub(crate) fn wake_net_poller(shared: &Arc<Shared>, when: i64) {
    let poller = &shared.poller;
    if poller.lastpoll.load(SeqCst) == 0 {
        let until = poller.poll_until.load(SeqCst);
        if until == 0 || until > when {
            poller.brk();
        }
    } else {
        wakep(shared);
    }
}

/// The end of `findRunnable` for an M that found nothing and holds no P:
/// if a timer is pending (`poll_until != 0`) and no other M sleeps in the
/// poller, sleep there until `poll_until` or a `netpollBreak` (Go:
/// `netpoll(delay)`), and return true; the caller then takes an idle P and
/// looks for work again. Otherwise make sure the poller wakes by
/// `poll_until` and return false (the caller stops).
pub(crate) fn netpoll(w: &Worker, poll_until: i64) -> bool {
    let poller = &w.shared.poller;
    if poll_until == 0 {
        return false;
    }
    // `block_on`'s M sleeps on its own future instead; an M that finds
    // another in the poller makes sure it wakes in time.
    if w.is_main || poller.lastpoll.swap(0, SeqCst) == 0 {
        wake_net_poller(&w.shared, poll_until);
        return false;
    }
    poller.poll_until.store(poll_until, SeqCst);
    let sleep = {
        let mut s = lock(&poller.sleeper);
        if core::mem::take(&mut s.broken) {
            false
        } else {
            s.m = Some(w.m.clone());
            true
        }
    };
    if sleep {
        let delay = poll_until - nanotime();
        if delay > 0 && !w.shared.shutdown.load(Acquire) {
            w.m.park
                .sleep_for(std::time::Duration::from_nanos(delay as u64));
        }
        *lock(&poller.sleeper) = Sleeper::default();
        w.m.park.clear();
    }
    poller.poll_until.store(0, SeqCst);
    poller.lastpoll.store(nanotime(), SeqCst);
    true
}

/// Port of `checkTimersNoP`: the earlier of `poll_until` and the next
/// timer of every P that may have timers.
pub(crate) fn check_timers_no_p(shared: &Shared, mut poll_until: i64) -> i64 {
    for id in 0..shared.procs() {
        if shared.timerp.read(id) {
            poll_until = earlier(poll_until, shared.p(id).timers.wake_time());
        }
    }
    poll_until
}

/// The earlier of two `when`s, where 0 means none.
pub(crate) fn earlier(a: i64, b: i64) -> i64 {
    if b != 0 && (a == 0 || b < a) { b } else { a }
}

/// What a P's timer heap calls when a timer needs it earlier than planned:
/// the P may have timers now (Go: `timerpMask`), and the poller must wake
/// by `when`.
///
/// A P's heap may get a timer while the P is idle, from an M whose P was
/// retaken during its poll (Go's `maybeAdd` pins its P; a poll cannot), so
/// the waker sets the P's mask bit itself.
pub(crate) struct PTimers {
    #[cfg(not(gort_loom))]
    pub(crate) shared: std::sync::Weak<Shared>,
    pub(crate) id: usize,
}

impl HeapWaker for PTimers {
    fn wake(&self, when: i64) {
        // Loom models run no timers.
        #[cfg(not(gort_loom))]
        if let Some(shared) = self.shared.upgrade() {
            shared.timerp.set(self.id);
            wake_net_poller(&shared, when);
        }
        #[cfg(gort_loom)]
        let _ = (when, self.id);
    }
}
