//! Go's `m`: an OS thread that runs the scheduler. Ms are started on demand
//! (`startm`, `newm`), sleep on their note when there is nothing to do
//! (`stopm`), and are woken with a P to run (`notewakeup(&mp.park)`).

use crate::note::Note;
use crate::shared::Shared;
use crate::worker::Worker;
use gort_sync::{
    Arc, AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::*, fence, lock, thread,
};

pub(crate) struct M {
    /// Go: `m.park`.
    pub(crate) park: Note,
    /// Go: `m.nextp`: the P handed over with the wake-up (id + 1; 0: none).
    nextp: AtomicUsize,
    /// `startm`'s `spinning` argument, handed over with the wake-up.
    spinning: AtomicBool,
    /// Odd while the M is inside a poll and not using its P (Go: the P in
    /// `_Psyscall`); see `syscall::take_p`. Written only by the M.
    pub(crate) seq: AtomicU32,
    /// The P of the current odd phase (written by the M before `seq` turns
    /// odd).
    pub(crate) cur_p: AtomicUsize,
    /// Go: `gp.preempt` of the G this M runs (set by sysmon's
    /// `preemptone` and by a taker of the M's P, cleared by `execute`); the
    /// thread's gort-park preemption flag.
    pub(crate) preempt: Arc<AtomicBool>,
    /// The odd `seq` a taker claimed (written only by takers).
    pub(crate) taken: AtomicU32,
    /// The taker's verdict on its claim: `seq << 1 | taken`.
    pub(crate) verdict: AtomicU64,
}

impl M {
    /// The calling thread's M.
    pub(crate) fn new() -> Arc<M> {
        Arc::new(M {
            park: Note::new(),
            nextp: AtomicUsize::new(0),
            spinning: AtomicBool::new(false),
            seq: AtomicU32::new(0),
            cur_p: AtomicUsize::new(usize::MAX),
            preempt: Arc::new(AtomicBool::new(false)),
            taken: AtomicU32::new(0),
            verdict: AtomicU64::new(0),
        })
    }

    /// Wakes this sleeping M with P `pp` (Go: `mp.nextp.set(pp);
    /// notewakeup(&mp.park)`).
    pub(crate) fn give(&self, pp: usize, spinning: bool) {
        self.spinning.store(spinning, Relaxed);
        self.nextp.store(pp + 1, Relaxed);
        self.park.wakeup();
    }
}

/// Port of `wakep`: starts a spinning M on an idle P, unless an M already
/// spins (it will find the new work, and wake another if it finds some).
///
/// *Deviation*: when no P is idle and `needspinning` is already set, it
/// returns at once, without claiming `nmspinning` or taking the scheduler
/// lock: `pidlegetSpinning` would only set `needspinning` again, and while
/// it is set every M that gives up its P either turns spinning first (a
/// non-spinning M, under the lock) or re-checks every queue after (a
/// spinning M), so the work is found. Go takes the lock; on a busy runtime
/// every `ready` and `Gosched` pays it.
pub(crate) fn wakep(shared: &Arc<Shared>) {
    fence(SeqCst); // the work was published before the counters are read
    if shared.nmspinning.load(SeqCst) != 0
        || (shared.npidle.load(SeqCst) == 0 && shared.needspinning.load(SeqCst))
        || shared
            .nmspinning
            .compare_exchange(0, 1, SeqCst, SeqCst)
            .is_err()
    {
        return;
    }
    let pp = {
        let mut s = shared.lock();
        let pp = shared.pidleget_spinning(&mut s);
        if pp.is_none() {
            // Under the lock, as Go: a waker whose work goes through the
            // global queue cannot see this M's count.
            shared.nmspinning.fetch_sub(1, SeqCst);
        }
        pp
    };
    if let Some(pp) = pp {
        startm(shared, pp, true);
    }
}

/// Port of `startm`: runs P `pp` on an idle M, or a new one. With `spinning`
/// the M starts looking for work (the caller counted it in nmspinning).
///
/// *Deviation*: where Go throws (the thread limit reached, or the thread
/// cannot be created) the P goes back to the idle list and the work waits
/// for an M that is already running.
pub(crate) fn startm(shared: &Arc<Shared>, pp: usize, spinning: bool) {
    let mut s = shared.lock();
    if let Some(m) = s.midle.pop() {
        drop(s);
        m.give(pp, spinning);
        return;
    }
    if shared.shutdown.load(Relaxed) || s.mcount >= shared.config.max_threads {
        return give_back(shared, &mut s, pp, spinning);
    }
    s.mcount += 1;
    drop(s);
    if newm(shared, pp, spinning).is_err() {
        let mut s = shared.lock();
        s.mcount -= 1;
        give_back(shared, &mut s, pp, spinning);
    }
}

/// Returns a P that found no M. Its queued Gs move to the global queue
/// first: nobody steals from an idle P.
fn give_back(shared: &Shared, s: &mut crate::shared::Sched, pp: usize, spinning: bool) {
    if shared.gcwaiting.load(Relaxed) {
        stop_p_for_world(shared, s, pp);
    } else {
        let (ring, next) = shared.p(pp).runq.drain();
        s.runq.extend(next.into_iter().chain(ring));
        shared.runqsize.store(s.runq.len(), Release);
        shared.pidleput(s, pp);
    }
    if spinning {
        shared.nmspinning.fetch_sub(1, SeqCst);
    }
}

/// Port of `newm` + `mstart`: a thread that acquires `pp` and schedules.
fn newm(shared: &Arc<Shared>, pp: usize, spinning: bool) -> std::io::Result<()> {
    let arc = shared.clone();
    let mut threads = lock(&shared.threads);
    let handle = thread::Builder::new()
        .name(shared.config.thread_name.clone())
        .spawn(move || mstart(arc, pp, spinning))?;
    threads.push(handle);
    Ok(())
}

/// Port of `mstart1` and the M's life: schedule until shutdown.
fn mstart(shared: Arc<Shared>, pp: usize, spinning: bool) {
    let _exit = MExit(&shared);
    let w = Worker::new(shared.clone(), M::new(), false);
    let _entered = w.enter();
    w.acquirep(pp);
    w.spinning.set(spinning);
    crate::schedule::schedule(&w);
}

/// Go's `mexit` bookkeeping: the M leaves `mcount` when its thread ends,
/// also by a panic (a runtime bug: Go would crash), or `Runtime::drop`,
/// which waits for `mcount` to reach 0, would wait forever.
struct MExit<'a>(&'a Shared);

impl Drop for MExit<'_> {
    fn drop(&mut self) {
        self.0.lock().mcount -= 1;
    }
}

/// Port of `stopm`: the M (holding no P) sleeps on the idle list until
/// `startm` hands it a P. False if it was woken for shutdown instead.
pub(crate) fn stopm(w: &Worker) -> bool {
    debug_assert!(w.p().is_none() && !w.spinning.get());
    let shared = &*w.shared;
    {
        let mut s = shared.lock();
        if shared.shutdown.load(Relaxed) {
            return false;
        }
        s.midle.push(w.m.clone());
    }
    wait_for_p(w)
}

/// Sleeps until another M hands this one a P ([`M::give`]) and acquires
/// it. False if woken without one (shutdown).
pub(crate) fn wait_for_p(w: &Worker) -> bool {
    w.m.park.sleep();
    w.m.park.clear();
    let pp = w.m.nextp.swap(0, Relaxed);
    if pp == 0 {
        return false; // shutdown
    }
    w.acquirep(pp - 1);
    w.spinning.set(w.m.spinning.load(Relaxed));
    true
}

/// Go: `mp.becomeSpinning`.
pub(crate) fn become_spinning(w: &Worker) {
    w.spinning.set(true);
    w.shared.nmspinning.fetch_add(1, SeqCst);
    w.shared.needspinning.store(false, SeqCst);
}

/// Drops this M's spinning state (Go: `mp.spinning = false;
/// sched.nmspinning.Add(-1)`).
pub(crate) fn drop_spinning(w: &Worker) {
    w.spinning.set(false);
    let prev = w.shared.nmspinning.fetch_sub(1, SeqCst);
    assert!(prev > 0, "findrunnable: negative nmspinning");
}

/// Port of `resetspinning`: a spinning M found work; if it was the last
/// spinner, another starts looking (there may be more work).
pub(crate) fn resetspinning(w: &Worker) {
    drop_spinning(w);
    wakep(&w.shared);
}

/// Port of `gcstopm`: a stop-the-world is in progress; hand it this M's P.
pub(crate) fn gcstopm(w: &Worker) {
    if w.spinning.get() {
        drop_spinning(w);
    }
    let id = w.releasep();
    stop_p_for_world(&w.shared, &mut w.shared.lock(), id);
}

/// Counts P `id` as stopped for the stop-the-world in progress.
pub(crate) fn stop_p_for_world(shared: &Shared, s: &mut crate::shared::Sched, id: usize) {
    shared.p(id).set_status(None, crate::p::PGCSTOP);
    s.stopwait -= 1;
    if s.stopwait == 0 {
        if let Some(note) = &s.stopnote {
            note.wakeup();
        }
    }
}

/// Port of `handoffp`, for an M that gives up its P while it may still
/// have work (a `block_on` caller returning): starts an M for it if there
/// is work it would find, else makes it idle.
///
/// *Deviation*: an M waiting for a P after a blocking call (Go's G queued
/// by `exitsyscall0`) gets it first.
pub(crate) fn handoffp(shared: &Arc<Shared>, pp: usize) {
    if shared.nsyscallwait.load(SeqCst) != 0 && shared.give_to_waiter(&mut shared.lock(), pp) {
        return;
    }
    let p = shared.p(pp);
    if !p.runq.is_empty() || shared.runqsize.load(Acquire) != 0 {
        return startm(shared, pp, false);
    }
    if shared.nmspinning.load(SeqCst) + shared.npidle.load(SeqCst) == 0
        && shared
            .nmspinning
            .compare_exchange(0, 1, SeqCst, SeqCst)
            .is_ok()
    {
        shared.needspinning.store(false, SeqCst);
        return startm(shared, pp, true);
    }
    let mut s = shared.lock();
    if shared.gcwaiting.load(Relaxed) {
        return stop_p_for_world(shared, &mut s, pp);
    }
    if !s.runq.is_empty() {
        drop(s);
        return startm(shared, pp, false);
    }
    // The idle P's timers still need an M: the poller's.
    let when = p.timers.wake_time();
    shared.pidleput(&mut s, pp);
    drop(s);
    if when != 0 {
        crate::poller::wake_net_poller(shared, when);
    }
}
