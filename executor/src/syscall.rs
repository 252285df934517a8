//! System calls: how an M leaves its P while it runs code the scheduler
//! cannot interrupt, and how it gets a P back (Go: `entersyscall`,
//! `entersyscallblock`, `exitsyscall`, `exitsyscallfast`, `exitsyscall0`
//! in runtime/proc.go).
//!
//! *Rust*: Go preempts a goroutine anywhere (a signal, then a check at the
//! next function prologue); a Rust future runs until its `poll` returns.
//! So every poll is treated as a system call: its P waits in `PSYSCALL`,
//! where sysmon's `retake` can hand it to another M if the poll lasts. A
//! call that will block the thread (a gort `*_blocking` call, [`blocking`])
//! hands the P off at once, as `entersyscallblock` does.
//!
//! *Deviation*: Go's M takes its P back with a CAS (`exitsyscallfast`).
//! Here every poll is a system call, so the M side uses no atomic
//! read-modify-write at all: it raises its `busy` flag, checks that the P
//! is still its own, uses it (inside a poll: a spawn or a wake) or takes it
//! back (after the poll: a plain store of `PRUNNING`), and lowers the flag.
//! A taker (sysmon, a stop-the-world) does the CAS to `PTAKING`, then a
//! heavy fence (`membarrier`, gort-park's `barrier`), then waits for the
//! M's flag to be down, and gives up if the M stored `PRUNNING` meanwhile
//! ([`take_p`]).
//! The M's fence is a compiler fence; the taker's cost is paid only when a
//! poll has lasted a sysmon round.

use crate::m::{handoffp, stop_p_for_world};
use crate::p::{P, PGCSTOP, PIDLE, PRUNNING, PSYSCALL, PTAKING};
use crate::shared::Shared;
use crate::worker::{self, Worker};
use gort_park::hook::Hooks;
use gort_sync::{Ordering::*, SpinWait};

/// What the executor installs in gort-park on each of its threads.
pub(crate) static HOOKS: Hooks = Hooks {
    enter_blocking: || worker::with(|w| w.map_or((), entersyscallblock)),
    exit_blocking: || worker::with(|w| w.map_or((), exitsyscall)),
    preempt: crate::preempt::check,
};

/// Go: `runtime.entersyscallblock` ... `exitsyscall` around `f`: the
/// calling task's P (with the tasks queued on it) goes to another thread
/// at once, so a call that blocks the thread (a file read, a lock, a
/// `std::thread::sleep`, a long computation) stalls nothing but this task.
/// When `f` returns, the task takes a P again: its old one if nobody took
/// it, else an idle one, else it waits for one (as Go queues the goroutine).
/// Outside a gort runtime it just calls `f`.
///
/// gort's own `*_blocking` calls (channels, select, wait groups, join
/// handles) do this by themselves when they have to sleep. Use `blocking`
/// around other calls known to block. It costs a P hand-off: a thread
/// wake-up when other tasks wait (bounded by `Builder::max_threads`).
///
/// ```
/// let rt = gort_executor::Runtime::builder().procs(1).build().unwrap();
/// let (tx, rx) = std::sync::mpsc::channel();
/// // This task blocks its thread until the value below is sent...
/// let blocked = rt.spawn(async move { gort_executor::blocking(|| rx.recv().unwrap()) });
/// // ...and the only P goes on running the other tasks meanwhile.
/// let other = rt.spawn(async { 1 + 1 });
/// assert_eq!(other.join_blocking().unwrap(), 2);
/// tx.send(5).unwrap();
/// assert_eq!(blocked.join_blocking().unwrap(), 5);
/// ```
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    gort_park::hook::blocking(f)
}

/// Port of `entersyscall` (`reentersyscall`), at the start of a poll: the
/// M's P goes to `PSYSCALL` and is remembered as `oldp`.
pub(crate) fn enter_poll(w: &Worker) {
    w.in_poll.set(true);
    let Some(id) = w.p.take() else {
        return;
    };
    let p = w.shared.p(id);
    w.syscalltick.set(p.syscalltick.load(Relaxed));
    w.oldp.set(Some(id));
    reenter(w, p);
}

/// `PRUNNING` → `PSYSCALL` by the P's holder; then, as Go, the P goes at
/// once to a stop-the-world that is waiting (`entersyscall_gcwait`). The
/// light fence pairs with the stopper's heavy one: either it sees
/// `PSYSCALL`, or this M sees `gcwaiting`.
fn reenter(w: &Worker, p: &P) {
    p.status.store(PSYSCALL, Release);
    gort_park::barrier::light();
    if w.shared.gcwaiting.load(SeqCst) {
        entersyscall_gcwait(w, p);
    }
}

/// An M's `busy` flag, raised while it looks at or uses the P it left in
/// `PSYSCALL`; lowered when dropped (also when unwinding).
pub(crate) struct Busy<'a>(&'a Worker);

impl<'a> Busy<'a> {
    pub(crate) fn enter(w: &'a Worker) -> Self {
        w.m.busy.store(true, Relaxed);
        // Pairs with `take_p`'s heavy fence: either the taker sees the
        // flag up, or this M's loads below see the taker's CAS.
        gort_park::barrier::light();
        Busy(w)
    }

    /// Whether `p` is still in `PSYSCALL` for this M's poll (no taker has
    /// won its CAS, and no other M's poll has it since).
    pub(crate) fn still_ours(&self, p: &P) -> bool {
        p.status.load(SeqCst) == PSYSCALL && p.syscalltick.load(Relaxed) == self.0.syscalltick.get()
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.m.busy.store(false, Release);
    }
}

/// Takes P `id` from an M inside a poll, for sysmon's `retake` (`to` =
/// `PIDLE`) or a stop-the-world (`PGCSTOP`): the CAS from `PSYSCALL` to
/// `PTAKING`, then the heavy fence, then a wait until the polling M's
/// `busy` flag is down (it finishes a use of the P it began before seeing
/// the CAS). False if the CAS failed, or the M took the P back meanwhile
/// (it stored `PRUNNING` over `PTAKING` before lowering its flag; takers
/// are serialised, so nobody else can have put `PTAKING` back since). On
/// success the P is in status `to`, owned by the caller, its `syscalltick`
/// bumped (so the poll's M knows it lost it).
///
/// `mine`: the caller is the polling M itself, whose poll began at that
/// `syscalltick`; if the tick still matches after the CAS, nobody else
/// uses the P and the fence and the wait are skipped (otherwise the P was
/// retaken and is now another M's poll's, and this is a taker's move).
///
/// Must not be called under the scheduler lock: the M may need that lock
/// inside its busy section (a run queue overflowing to the global queue).
pub(crate) fn take_p(shared: &Shared, id: usize, to: u32, mine: Option<u32>) -> bool {
    let p = shared.p(id);
    let _one_taker = gort_sync::lock(&shared.taking);
    if p.status
        .compare_exchange(PSYSCALL, PTAKING, AcqRel, Relaxed)
        .is_err()
    {
        return false;
    }
    if mine != Some(p.syscalltick.load(Relaxed)) {
        gort_park::barrier::heavy();
        let holder = gort_sync::lock(&p.holder).clone();
        if let Some(m) = holder {
            let spin = SpinWait::new();
            while m.busy.load(Acquire) {
                spin.snooze();
            }
        }
        if p.status.load(Acquire) != PTAKING {
            return false; // its M came back first
        }
    }
    p.bump_syscalltick();
    p.status.store(to, Release);
    true
}

/// Port of `entersyscall_gcwait`.
fn entersyscall_gcwait(w: &Worker, p: &P) {
    let shared = &*w.shared;
    if shared.lock().stopwait > 0 && take_p(shared, p.id, PGCSTOP, Some(w.syscalltick.get())) {
        stop_p_for_world(shared, &mut shared.lock(), p.id);
    }
}

/// Port of `exitsyscall`'s fast path, at the end of a poll. True if the M
/// holds a P again; otherwise the caller goes on as Go's `exitsyscall0`
/// (the G, if runnable, goes to the global queue; the M looks for a P, or
/// sleeps).
pub(crate) fn exit_poll(w: &Worker) -> bool {
    w.in_poll.set(false);
    let oldp = w.oldp.take();
    w.p.get().is_some() || exitsyscallfast(w, oldp)
}

/// Port of `exitsyscallfast`: the old P if it is still in `PSYSCALL` for
/// this M (under its `busy` flag: a plain store of `PRUNNING`, see
/// [`take_p`]), else an idle one (`exitsyscallfast_pidle`).
///
/// *Deviation*: Go also takes the old P when it is in `_Psyscall` for
/// another M's system call (it was retaken and handed on); here that would
/// be a taker's move, and the M looks for an idle P instead.
fn exitsyscallfast(w: &Worker, oldp: Option<usize>) -> bool {
    if let Some(id) = oldp {
        let p = w.shared.p(id);
        let busy = Busy::enter(w);
        if busy.still_ours(p) {
            p.status.store(PRUNNING, Relaxed);
            drop(busy);
            w.p.set(Some(id));
            p.bump_syscalltick();
            return true;
        }
    }
    w.shared.npidle.load(SeqCst) != 0 && w.acquire_idle_p()
}

/// Port of `entersyscallblock` (`handoffp(releasep())`): the thread is about
/// to block inside a poll; its P goes to another M now, with its queue.
/// (Outside a poll, in scheduler code dropping a G, the M keeps its P: it
/// has no `exitsyscall` to come back through.)
fn entersyscallblock(w: &Worker) {
    if !w.in_poll.get() {
        return;
    }
    let Some(id) = w.oldp.take() else {
        return; // no P (retaken, or `block_on` found none idle)
    };
    if !take_p(&w.shared, id, PIDLE, Some(w.syscalltick.get())) {
        return; // already retaken
    }
    w.shared.stats.handoffs.fetch_add(1, Relaxed);
    handoffp(&w.shared, id);
}

/// Port of `exitsyscall`, after a blocking call: takes an idle P (the old
/// one was handed off); inside a poll it goes back to `PSYSCALL`. A G's
/// poll without one waits for one (`exitsyscall0`); `block_on`'s own
/// future goes on without a P, as it does whenever none is idle.
fn exitsyscall(w: &Worker) {
    if !w.in_poll.get() || w.oldp.get().is_some() {
        return; // not inside a poll, or never left its P
    }
    if exitsyscallfast(w, None) || (w.in_g.get() && exitsyscall0(w)) {
        enter_poll(w);
    }
}

/// Port of `exitsyscall0`: no P is idle. Go queues the G on the global run
/// queue and stops the M; the M that dequeues the G runs it. A poll cannot
/// move to another thread, so here the M itself waits in
/// `sched.syscallwait`, which the scheduler serves as it serves the global
/// queue (one time in 61, and whenever a P would go idle). False if woken
/// without a P (shutdown).
fn exitsyscall0(w: &Worker) -> bool {
    let shared = &*w.shared;
    {
        let mut s = shared.lock();
        let idle = if shared.gcwaiting.load(Relaxed) {
            None
        } else {
            shared.pidleget(&mut s)
        };
        if let Some(id) = idle {
            drop(s);
            w.acquirep(id);
            return true;
        }
        if shared.shutdown.load(Relaxed) {
            return false;
        }
        s.syscallwait.push_back(w.m.clone());
        shared.nsyscallwait.store(s.syscallwait.len(), SeqCst);
    }
    crate::m::wait_for_p(w)
}
