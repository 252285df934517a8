//! Changing the number of Ps: Go's `GOMAXPROCS` → `stopTheWorldGC` →
//! `procresize` → `startTheWorld` (runtime/proc.go, debug.go).

use crate::m::{startm, stop_p_for_world, wakep};
use crate::note::Note;
use crate::p::{PDEAD, PGCSTOP, PIDLE, PRUNNING};
use crate::shared::{MAX_PROCS, Sched, Shared};
use crate::worker::{self, Worker};
use gort_park::MutexGuard;
use gort_sync::{Arc, Ordering::*, SpinWait};

/// Port of `GOMAXPROCS(n)`: returns the previous P count; `n == 0` only
/// queries. Values above Go's `_MaxGomaxprocs` (1024) are clamped.
///
/// The world is stopped while the Ps change: a P whose M is inside a poll
/// is taken at once (as Go takes Ps in system calls); an M in scheduler
/// code gives its P up at its next look for work.
pub(crate) fn set_procs(shared: &Arc<Shared>, n: usize) -> usize {
    let old = shared.procs();
    if n == 0 || n == old {
        return old;
    }
    worker::with(|w| {
        let w = w.filter(|w| w.runs(shared));
        if let Some(w) = w {
            // From inside a poll: end the system call first, so that the P
            // (if it is still this M's) is held in scheduler terms while the
            // world stops; the rest of the poll keeps it (no retake).
            crate::syscall::settle(w);
        }
        match stop_the_world(shared, w) {
            Some(old) => {
                start_the_world(shared, w, n.min(MAX_PROCS));
                old
            }
            None => old, // the runtime is shutting down
        }
    })
}

/// Port of `stopTheWorldWithSema`: returns with every P stopped (or held
/// by the caller) and `gcwaiting` set. Go's `worldsema` is the
/// `stw_active` flag: a caller that finds another stop in progress first
/// gives that stop its own P (as the M would at its next schedule), then
/// waits its turn. `None` if the runtime is shutting down (its Ms exit
/// instead of stopping).
fn stop_the_world(shared: &Shared, w: Option<&Worker>) -> Option<usize> {
    let spin = SpinWait::new();
    let mut s = loop {
        let mut s = shared.lock();
        if shared.shutdown.load(Relaxed) {
            return None;
        }
        if !s.stw_active {
            break s;
        }
        if let Some(w) = w.filter(|w| w.p().is_some() && shared.gcwaiting.load(Relaxed)) {
            if w.spinning.get() {
                crate::m::drop_spinning(w);
            }
            let id = w.releasep();
            stop_p_for_world(shared, &mut s, id);
        }
        drop(s);
        spin.snooze();
    };
    s.stw_active = true;
    let old = shared.procs();
    s.stopwait = old;
    shared.gcwaiting.store(true, SeqCst);
    if let Some(id) = w.and_then(Worker::p_id) {
        shared.p(id).set_status(Some(PRUNNING), PGCSTOP);
        s.stopwait -= 1;
    }
    while let Some(id) = shared.pidleget(&mut s) {
        shared.p(id).set_status(Some(PIDLE), PGCSTOP);
        s.stopwait -= 1;
    }
    drop(s);
    let mut s = take_polling_ps(shared, old);
    if shared.shutdown.load(Relaxed) {
        return None;
    }
    // Go: wait for the remaining Ps to stop, every 100 µs asking again.
    // Here "again" also retries the take: an M that was using its P inside
    // a poll at the first attempt (a spawn, a wake) is back in its
    // system-call phase a moment later, and its poll may go on for long.
    while s.stopwait > 0 {
        let note = std::sync::Arc::new(Note::new());
        s.stopnote = Some(note.clone());
        drop(s);
        let woken = note.sleep_for(std::time::Duration::from_micros(100));
        s = shared.lock();
        s.stopnote = None;
        if shared.shutdown.load(Relaxed) {
            return None; // woken by the shutdown: the Ms exited instead
        }
        if !woken && s.stopwait > 0 {
            drop(s);
            s = take_polling_ps(shared, old);
        }
    }
    Some(old)
}

/// Takes every P whose M is inside a poll and not using it (Go: the CAS
/// of `_Psyscall` Ps) and asks every running G to yield (Go:
/// `preemptall`); counts the taken Ps as stopped. Called without the
/// scheduler lock (`take_p` takes its own, which a polling M never holds
/// while it takes this one); returns with it.
fn take_polling_ps(shared: &Shared, procs: usize) -> MutexGuard<'_, Sched> {
    let mut taken = 0;
    for id in 0..procs {
        crate::preempt::preemptone(shared.p(id));
        if crate::syscall::take_p(shared, id, PGCSTOP, None) {
            taken += 1;
        }
    }
    let mut s = shared.lock();
    s.stopwait -= taken;
    s
}

/// Port of `startTheWorldWithSema`: `procresize`, then an M for every P
/// that has work, then `wakep`.
fn start_the_world(shared: &Arc<Shared>, w: Option<&Worker>, n: usize) {
    let runnable = {
        let mut s = shared.lock();
        // A runtime shutting down keeps its Ps: its drop drains them.
        let n = if shared.shutdown.load(Relaxed) {
            shared.procs()
        } else {
            n
        };
        let runnable = procresize(shared, &mut s, w, n);
        shared.gcwaiting.store(false, SeqCst);
        s.stw_active = false;
        // Ms that came back from blocking calls meanwhile (Go: their Gs,
        // queued on the global queue, are found by the Ms started below).
        while !s.syscallwait.is_empty() {
            let Some(id) = shared.pidleget(&mut s) else {
                break;
            };
            shared.give_to_waiter(&mut s, id);
        }
        shared.wake_sysmon(&mut s);
        runnable
    };
    for id in runnable {
        startm(shared, id, false);
    }
    wakep(shared);
}

/// Port of `procresize`, with the world stopped and the scheduler lock
/// held: makes Ps up to `n`, destroys those from `n` on (their queues go
/// to the head of the global queue, `runnext` first, their free lists to
/// the global ones), keeps the caller's P if it survives (else gives it
/// P 0), and makes the others idle. Returns the Ps that have work, for the
/// caller to start Ms on. Also used to make a runtime's first Ps.
pub(crate) fn procresize(
    shared: &Shared,
    s: &mut Sched,
    w: Option<&Worker>,
    n: usize,
) -> Vec<usize> {
    let old = shared.procs();
    for id in old..n {
        let p = shared.make_p(id);
        p.set_status(None, PGCSTOP);
        p.timers.revive();
        if !cfg!(gort_loom) {
            shared.timerp.set(id);
        }
    }
    // Go: `destroy` moves a dead P's timers to the caller's P; P 0 when
    // the caller is not an M of the runtime.
    let heir = w.and_then(Worker::p_id).filter(|&id| id < n).unwrap_or(0);
    for id in n..old {
        let p = shared.p(id);
        let earliest = shared.p(heir).timers.take(&p.timers);
        if earliest != 0 {
            shared.timerp.set(heir);
        }
        let (ring, next) = p.runq.drain();
        for g in ring.into_iter().rev() {
            s.runq.push_front(g);
        }
        if let Some(g) = next {
            s.runq.push_front(g);
        }
        // SAFETY: the world is stopped: nobody holds P `id`.
        unsafe { p.with_local(|l| shared.gfree.purge(&mut l.gfree)) };
        p.set_status(None, PDEAD);
    }
    shared.runqsize.store(s.runq.len(), Release);

    let mut current = w.and_then(Worker::p_id);
    if let (Some(w), Some(id)) = (w, current) {
        if id >= n {
            w.set_p(Some(0));
            w.hold(shared.p(0));
            current = Some(0);
        }
        shared
            .p(current.expect("set above"))
            .set_status(None, PRUNNING);
    }
    let mut runnable = Vec::new();
    for id in (0..n).rev() {
        if Some(id) == current {
            continue;
        }
        let p = shared.p(id);
        p.set_status(None, PIDLE);
        if p.runq.is_empty() {
            shared.pidleput(s, id);
        } else {
            runnable.push(id);
        }
    }
    shared.gomaxprocs.store(n, Release);
    runnable
}
