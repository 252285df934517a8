//! System calls: how an M leaves its P while it runs code the scheduler
//! cannot interrupt, and how it gets a P back (Go: `entersyscall`,
//! `entersyscallblock`, `exitsyscall`, `exitsyscallfast`, `exitsyscall0`
//! in runtime/proc.go).
//!
//! *Rust*: Go preempts a goroutine anywhere (a signal, then a check at the
//! next function prologue); a Rust future runs until its `poll` returns.
//! So every poll is treated as a system call: sysmon's `retake` can hand
//! the P to another M if the poll lasts. A call that will block the thread
//! (a gort `*_blocking` call, [`blocking`]) hands the P off at once, as
//! `entersyscallblock` does.
//!
//! *Deviation*: Go marks the P `_Psyscall` and the M takes it back with a
//! CAS (`exitsyscallfast`). Every poll here is a system call, so the M side
//! uses no atomic read-modify-write at all: the P stays `PRUNNING`, and the
//! M's own `seq` counter is odd while it is inside a poll and not using the
//! P (Go's `_Psyscall`). A use of the P from inside the poll (a spawn, a
//! wake) or the end of the poll makes `seq` even, then checks (after a
//! compiler-only fence) whether a taker claimed the odd phase. A taker
//! (sysmon, a stop-the-world) claims a phase, issues the heavy fence
//! (`membarrier`: gort-park's `barrier`), and owns the P if the M is still
//! in that phase ([`take_p`]). The M pays a few plain loads and stores per
//! poll; the taker pays the fence, only when a poll has lasted.

use crate::m::handoffp;
use crate::p::P;
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
/// M's `seq` turns odd (the P is "in a system call": its M will not touch
/// it without first checking that no taker claimed it). `p` is the M's P.
///
/// *Deviation*: `p.syscalltick` counts system calls as they begin, not as
/// they end (Go: `exitsyscall`): sysmon only compares it between two looks,
/// and the M has its P at hand here.
#[inline]
pub(crate) fn enter_poll(w: &Worker, p: Option<&P>) {
    w.in_poll.set(true);
    if let Some(p) = p {
        debug_assert_eq!(w.p_id(), Some(p.id), "entersyscall: not the M's P");
        p.bump_syscalltick();
        let s = w.m.seq.load(Relaxed);
        debug_assert!(s % 2 == 0, "entersyscall: already in a system call");
        w.m.cur_p.store(p.id, Relaxed);
        w.m.seq.store(s.wrapping_add(1), Release);
    }
}

/// Ends the M's odd phase (Go: the check of `exitsyscallfast`): true if it
/// still holds its P. If a taker claimed this phase, waits for the taker's
/// verdict (a few instructions away: the taker does not wait for the M).
#[inline]
pub(crate) fn settle(w: &Worker) -> bool {
    let m = &*w.m;
    let s = m.seq.load(Relaxed);
    if s % 2 == 0 {
        return w.p().is_some();
    }
    m.seq.store(s.wrapping_add(1), Relaxed);
    // Pairs with the taker's heavy fence: either the taker sees the even
    // `seq` (and gives up), or this load sees its claim.
    gort_park::barrier::light();
    if m.taken.load(SeqCst) != s {
        return true;
    }
    await_verdict(w, s)
}

/// A taker claimed the phase `s` that `settle` just ended: waits for its
/// verdict. True if the M keeps its P.
#[cold]
fn await_verdict(w: &Worker, s: u32) -> bool {
    let m = &*w.m;
    let spin = SpinWait::new();
    let verdict = loop {
        let v = m.verdict.load(Acquire);
        if v >> 1 == u64::from(s) {
            break v;
        }
        spin.snooze();
    };
    if verdict & 1 == 1 {
        w.set_p(None); // taken: the taker owns the P now
        gort_time::per_p::set_local(None);
        return false;
    }
    true
}

/// Takes the P back into the odd phase after a use inside the poll.
#[inline]
fn resume(w: &Worker) {
    let s = w.m.seq.load(Relaxed);
    w.m.seq.store(s.wrapping_add(1), Release);
}

impl Worker {
    /// This M's P, for a use that may come from inside a poll, where the P
    /// is in a system call: the M ends the odd phase and checks that no
    /// taker claimed the P (Go's `exitsyscallfast`, without a CAS); the
    /// guard enters the phase again when it drops. `None` if the M has no
    /// P, or lost it (then the caller acts as a thread outside the
    /// runtime).
    ///
    /// No user code may run while the guard lives: a gort `*_blocking`
    /// call in it would hand off the P in use (`entersyscallblock`).
    #[inline]
    pub(crate) fn use_p(&self) -> Option<UseP<'_>> {
        let p = self.p()?;
        let in_poll = self.in_poll.get();
        if in_poll && !settle(self) {
            return None;
        }
        Some(UseP {
            w: self,
            p,
            in_poll,
        })
    }

    /// Runs `f` with this M's P (see [`use_p`](Self::use_p)).
    #[inline]
    pub(crate) fn with_p<R>(&self, f: impl FnOnce(&P) -> R) -> Option<R> {
        self.use_p().map(|p| f(&p))
    }
}

/// An M using its P (see [`Worker::use_p`]). Inside a poll, no taker can
/// take the P until this drops.
pub(crate) struct UseP<'a> {
    w: &'a Worker,
    p: &'a P,
    in_poll: bool,
}

impl core::ops::Deref for UseP<'_> {
    type Target = P;
    fn deref(&self) -> &P {
        self.p
    }
}

impl Drop for UseP<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.in_poll {
            resume(self.w);
        }
    }
}

/// Takes P `id` from its M if that M is inside a poll and not using the P
/// (its `seq` odd), for sysmon's `retake` (`to` = `PIDLE`) or a
/// stop-the-world (`PGCSTOP`). `phase`: take it only if the M is still in
/// that odd phase (sysmon's "the same system call at two looks"). True if
/// taken: the P is in status `to`, owned by the caller, and the M learns it
/// lost the P at its next `settle`.
///
/// The protocol (Go: `CAS(_Psyscall, _Pidle)`): claim the phase
/// (`m.taken = s`), heavy fence, re-read `m.seq`. Still `s`: the M has not
/// ended the phase before the fence, so its `settle` will see the claim;
/// the P is taken. Changed: the M may or may not have seen the claim; the
/// taker gives up. Either way the verdict goes to `m.verdict`, which an M
/// that saw the claim waits for. Takers are serialised (`sched.taking`).
pub(crate) fn take_p(shared: &Shared, id: usize, to: u32, phase: Option<u32>) -> bool {
    let _one_taker = gort_sync::lock(&shared.taking);
    let p = shared.p(id);
    let Some(m) = p.polling_m() else {
        return false;
    };
    let s = m.seq.load(Acquire);
    // `cur_p` is the P of phase `s` unless the phase has ended (then the
    // re-read of `seq` below fails): the holder may be stale.
    if s % 2 == 0 || phase.is_some_and(|ph| ph != s) || m.cur_p.load(Relaxed) != id {
        return false;
    }
    m.taken.store(s, Relaxed);
    gort_park::barrier::heavy();
    let commit = m.seq.load(SeqCst) == s;
    if commit {
        p.status.store(to, Release);
        p.bump_syscalltick();
        // The poll should end soon, so that its M finds a P again.
        m.preempt.store(true, Relaxed);
    }
    m.verdict
        .store(u64::from(s) << 1 | u64::from(commit), Release);
    commit
}

/// Port of `exitsyscall`'s fast path, at the end of a poll. True if the M
/// holds a P again; otherwise the caller goes on as Go's `exitsyscall0`
/// (the G, if runnable, goes to the global queue; the M looks for a P, or
/// sleeps).
#[inline]
pub(crate) fn exit_poll(w: &Worker) -> bool {
    w.in_poll.set(false);
    settle(w) || exitsyscallfast_pidle(w)
}

/// Port of `exitsyscallfast_pidle`: an idle P, if there is one.
fn exitsyscallfast_pidle(w: &Worker) -> bool {
    w.shared.npidle.load(SeqCst) != 0 && w.acquire_idle_p()
}

/// Port of `entersyscallblock` (`handoffp(releasep())`): the thread is about
/// to block inside a poll; its P goes to another M now, with its queue.
/// (Outside a poll, in scheduler code dropping a G, the M keeps its P: it
/// has no `exitsyscall` to come back through.)
fn entersyscallblock(w: &Worker) {
    if !w.in_poll.get() || !settle(w) {
        return; // not in a poll, or no P (taken, or `block_on` had none)
    }
    let id = w.releasep();
    w.shared.stats.handoffs.fetch_add(1, Relaxed);
    handoffp(&w.shared, id);
}

/// Port of `exitsyscall`, after a blocking call: takes an idle P (the old
/// one was handed off); inside a poll it is in a system call again. A G's
/// poll without one waits for one (`exitsyscall0`); `block_on`'s own
/// future goes on without a P, as it does whenever none is idle.
fn exitsyscall(w: &Worker) {
    if !w.in_poll.get() || w.p().is_some() {
        return; // not inside a poll, or never left its P
    }
    if exitsyscallfast_pidle(w) || (w.in_g.get() && exitsyscall0(w)) {
        enter_poll(w, w.p());
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
