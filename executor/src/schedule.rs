//! The scheduler loop every M runs between polls (Go's `g0` stack):
//! `schedule`, `findRunnable`, `stealWork`, `execute` (runtime/proc.go).
//!
//! *Rust*: Go switches stacks between goroutines; a future has no stack, so
//! "running a G" is one `poll` call made by the M's own loop, and "the G
//! parks" is that poll returning `Pending`.

use crate::m::{become_spinning, drop_spinning, gcstopm, resetspinning, stopm, wakep};
use crate::poller::{check_timers_no_p, earlier, netpoll};
use crate::shared::Shared;
use crate::syscall::{enter_poll, exit_poll};
use crate::task::{Notified, Ran};
use crate::worker::Worker;
use gort_sync::{Ordering::*, fence};

/// Go: `stealTries`.
const STEAL_TRIES: usize = 4;

/// Port of `schedule`: finds a runnable G and runs it, until the M must
/// stop (shutdown; for a `block_on` M, when it has nothing to run).
pub(crate) fn schedule(w: &Worker) {
    while let Some((g, inherit_time)) = find_runnable(w) {
        if w.spinning.get() {
            resetspinning(w);
        }
        execute(w, g, inherit_time);
    }
}

/// Port of `execute` and of how the G's run ends: `park_m` (the poll
/// returned `Pending`), `goexit0` (it finished), `goschedImpl` (it called
/// `yield_now`, or was preempted: to the global queue), or `goyield` (it
/// woke itself during the poll: to the local tail). Without `inherit_time`
/// the G starts a new time slice (`schedtick` counts it). The poll runs as
/// a system call (`entersyscall` ... `exitsyscall`, see `syscall.rs`): if
/// the P was retaken meanwhile and no other is idle, the G goes to the
/// global queue and the M has no P (Go: `exitsyscall0`).
pub(crate) fn execute(w: &Worker, g: Notified, inherit_time: bool) {
    let p = w.p().expect("execute: no P");
    if !inherit_time {
        p.schedtick
            .store(p.schedtick.load(Relaxed).wrapping_add(1), Relaxed);
    }
    if w.m.preempt.load(Relaxed) {
        w.m.preempt.store(false, Relaxed);
    }
    w.in_g.set(true);
    enter_poll(w, Some(p));
    let ran = g.run();
    exit_poll(w);
    w.in_g.set(false);
    let yielded = w.yielded.replace(false);
    match (ran, w.p()) {
        // Freed here, if these were the last references: `gfput` on the P.
        (Ran::Done(refs), _) => drop(refs),
        (Ran::Finished(refs), _) => drop(refs),
        (Ran::Again(g), Some(p)) if !yielded => p.runq.put(g, false, &*w.shared),
        (Ran::Again(g), _) => {
            w.shared.globrunqput([g]);
            wakep(&w.shared);
        }
    }
}

/// What `steal_work` found.
enum Stolen {
    /// A G, and whether it inherits the time slice.
    G(Notified, bool),
    /// A stop-the-world began, or another P's timers ran: start over (Go:
    /// `newWork`).
    NewWork,
    Nothing,
}

/// Port of `findRunnable`: a G to run, with whether it inherits the time
/// slice. Blocks (in `stopm`) when there is nothing; `None` when the M must
/// stop: shutdown, or a `block_on` M that ran out of work (it drops its P
/// and sleeps until its own future is woken).
///
/// The order is Go's: stop for the world, the P's due timers
/// (`checkTimers`), 1 in 61 from the global queue, local, global, steal
/// (as a spinning M; other Ps' timers on the last pass), then give up the
/// P and, if spinning, re-check every queue and every P's timers after
/// dropping the spinning state. With a timer pending and no M asleep in
/// the poller, the M sleeps there until the timer is due (`netpoll`), else
/// it stops.
pub(crate) fn find_runnable(w: &Worker) -> Option<(Notified, bool)> {
    let shared = &*w.shared;
    'top: loop {
        if shared.shutdown.load(Acquire) {
            return None;
        }
        if w.p().is_none() {
            // The P went to a stop-the-world during the last poll (a
            // `set_procs` waiting for another): take an idle one, or sleep.
            if !w.acquire_idle_p() && (w.is_main || !stopm(w)) {
                return None;
            }
            continue 'top;
        }
        if shared.gcwaiting.load(Acquire) {
            gcstopm(w);
            if w.is_main || !stopm(w) {
                return None;
            }
            continue 'top;
        }
        let p = w.p().expect("findrunnable: no P");
        // Timers this P's Gs scheduled; any that ran readied their Gs here.
        let (mut poll_until, _) = p.timers.check();

        // Fairness: without it two Gs readying each other through runnext
        // would starve the global queue (and the Ms back from blocking
        // calls, whose Gs Go would have queued there).
        let fair = p.schedtick.load(Relaxed) % 61 == 0;
        if fair && shared.nsyscallwait.load(SeqCst) != 0 && give_p_to_waiter(w) {
            if w.is_main || !stopm(w) {
                return None;
            }
            continue 'top;
        }
        if fair && shared.runqsize.load(Acquire) > 0 {
            let mut s = shared.lock();
            if let Some(g) = shared.globrunqget(&mut s, p, 1) {
                return Some((g, false));
            }
        }

        if let Some(got) = p.runq.get() {
            return Some(got);
        }

        if shared.nsyscallwait.load(SeqCst) != 0 && give_p_to_waiter(w) {
            if w.is_main || !stopm(w) {
                return None;
            }
            continue 'top;
        }

        if shared.runqsize.load(Acquire) != 0 {
            let mut s = shared.lock();
            if let Some(g) = shared.globrunqget(&mut s, p, 0) {
                return Some((g, false));
            }
        }

        // Spin only while fewer than half the busy Ps have spinning Ms.
        let procs = shared.procs();
        if w.spinning.get()
            || 2 * shared.nmspinning.load(SeqCst) < procs.saturating_sub(shared.npidle.load(SeqCst))
        {
            if !w.spinning.get() {
                become_spinning(w);
            }
            match steal_work(w, &mut poll_until) {
                Stolen::G(g, inherit_time) => return Some((g, inherit_time)),
                Stolen::NewWork => continue 'top,
                Stolen::Nothing => {}
            }
        }

        // Nothing found: give up the P.
        {
            let mut s = shared.lock();
            if shared.gcwaiting.load(Relaxed) {
                continue 'top;
            }
            if let Some(g) = shared.globrunqget(&mut s, p, 0) {
                return Some((g, false));
            }
            if !w.spinning.get() && shared.needspinning.load(SeqCst) {
                become_spinning(w);
                continue 'top;
            }
            let id = w.releasep();
            shared.pidleput(&mut s, id);
        }

        // The delicate dance: work submitted before nmspinning dropped is
        // seen here; work submitted after sees nmspinning == 0 and wakes
        // an M itself (`wakep`). Either way nothing is stranded.
        let was_spinning = w.spinning.get();
        if was_spinning {
            drop_spinning(w);
            fence(SeqCst);
            {
                let mut s = shared.lock();
                if !s.runq.is_empty() {
                    if let Some(id) = shared.pidleget_spinning(&mut s) {
                        let g = shared.globrunqget(&mut s, shared.p(id), 0);
                        drop(s);
                        w.acquirep(id);
                        become_spinning(w);
                        return Some((g.expect("global runq empty with non-zero runqsize"), false));
                    }
                }
            }
            if let Some(id) = check_runqs_no_p(shared, procs) {
                w.acquirep(id);
                become_spinning(w);
                continue 'top;
            }
            // Timers added or due while this M stopped spinning.
            poll_until = check_timers_no_p(shared, poll_until);
        }

        if netpoll(w, poll_until) {
            // Woken by the earliest timer or a break: take an idle P and
            // look again.
            if w.acquire_idle_p() && was_spinning {
                become_spinning(w);
            }
            continue 'top;
        }
        if w.is_main || !stopm(w) {
            return None;
        }
    }
}

/// Gives this M's P to the first M waiting for one after a blocking call
/// (in Go, running that M's G from the global queue). False if none waits
/// (or the world is stopping).
fn give_p_to_waiter(w: &Worker) -> bool {
    let shared = &*w.shared;
    let mut s = shared.lock();
    if s.syscallwait.is_empty() || shared.gcwaiting.load(Relaxed) {
        return false;
    }
    if w.spinning.get() {
        drop_spinning(w);
    }
    let id = w.releasep();
    shared.give_to_waiter(&mut s, id)
}

/// Port of `checkRunqsNoP`: an idle P for this M if some non-idle P has
/// work in its run queue.
fn check_runqs_no_p(shared: &Shared, procs: usize) -> Option<usize> {
    for id in 0..procs {
        if !shared.idlep.read(id) && !shared.p(id).runq.is_empty() {
            let mut s = shared.lock();
            return shared.pidleget_spinning(&mut s);
        }
    }
    None
}

/// Port of `stealWork`: four passes over every other P in random order,
/// taking half of a run queue; on the last pass first the P's due timers
/// (idle Ps' too: Go's timer stealing), then its `runnext`. Lowers
/// `poll_until` to the earliest timer seen.
fn steal_work(w: &Worker, poll_until: &mut i64) -> Stolen {
    let shared = &*w.shared;
    let me = w.p().expect("stealWork: no P");
    let procs = shared.procs() as u32;
    let mut order = w.steal_order.borrow_mut();
    if order.count() != procs {
        order.reset(procs);
    }
    let mut ran_timer = false;
    for i in 0..STEAL_TRIES {
        let last = i == STEAL_TRIES - 1;
        for id in order.start(w.cheaprand()) {
            if shared.gcwaiting.load(Acquire) || shared.shutdown.load(Relaxed) {
                return Stolen::NewWork;
            }
            if id == me.id {
                continue;
            }
            let victim = shared.p(id);
            if last && shared.timerp.read(id) {
                let (next, ran) = victim.timers.check();
                *poll_until = earlier(*poll_until, next);
                if ran {
                    // The timers readied their Gs on this P.
                    if let Some((g, inherit_time)) = me.runq.get() {
                        return Stolen::G(g, inherit_time);
                    }
                    ran_timer = true;
                }
            }
            if shared.idlep.read(id) {
                continue;
            }
            if let Some(g) = me.runq.steal_from(&victim.runq, last, victim.is_running()) {
                shared.stats.steals.fetch_add(1, Relaxed);
                return Stolen::G(g, false);
            }
        }
    }
    if ran_timer {
        Stolen::NewWork
    } else {
        Stolen::Nothing
    }
}
