//! sysmon: the M without a P that watches the others (Go: `sysmon`,
//! `retake`, runtime/proc.go). It wakes every 20 µs, backing off to 10 ms
//! while it finds nothing to do, and sleeps outright while every P is idle.
//! Each round it retakes Ps whose M has been inside one poll (Go: one system
//! call) for a whole round, and asks Gs that have run 10 ms to yield.

// Only `retake_p` runs under loom (sysmon's thread does not).
#![cfg_attr(gort_loom, allow(dead_code))]
use crate::preempt::preemptone;
use crate::shared::Shared;
use gort_sync::{Arc, Ordering::*};

/// Go: `forcePreemptNS`: the time slice of a G (and of the Gs that inherit
/// it through `runnext`).
pub(crate) const FORCE_PREEMPT_NS: u64 = 10_000_000;

/// Go: `sysmontick`: what sysmon saw of one P at its last look.
#[derive(Clone, Copy, Default)]
pub(crate) struct SysmonTick {
    schedtick: u32,
    schedwhen: u64,
    syscalltick: u32,
    syscallwhen: u64,
    /// The polling M (its address) and its odd `seq`: the same at two
    /// looks means one system call that used no P for a whole round.
    phase: (usize, u32),
}

/// Port of `retake` at time `now` (ns since the runtime started): the
/// number of Ps taken from Ms inside a poll.
///
/// Go's two rules, with a poll as the system call:
/// - a G (or a chain of Gs inheriting its time slice) that has run 10 ms is
///   asked to yield (`preemptone`);
/// - a system call seen at two looks loses its P, if its P has work queued
///   or no other M is free, or after 10 ms regardless. Here the "system
///   call" is a phase of a poll that did not use the P: a blocked thread,
///   or a loop that never spawns nor wakes a task.
///
/// *Deviation*: a poll that keeps using its P (spawning, waking) is a
/// running G, not a system call: its P is retaken only once the poll has
/// lasted 10 ms (Go would preempt the G asynchronously then; a poll cannot
/// be interrupted, so the P goes on without it).
pub(crate) fn retake(shared: &Arc<Shared>, ticks: &mut Vec<SysmonTick>, now: u64) -> u32 {
    let mut n = 0;
    let procs = shared.procs();
    if ticks.len() < procs {
        ticks.resize(procs, SysmonTick::default());
    }
    for (id, pd) in ticks.iter_mut().enumerate().take(procs) {
        let p = shared.p(id);
        let Some(m) = p.polling_m() else {
            continue;
        };
        let t = p.schedtick.load(Relaxed);
        if pd.schedtick != t {
            pd.schedtick = t;
            pd.schedwhen = now;
        } else if pd.schedwhen + FORCE_PREEMPT_NS <= now && preemptone(p) {
            shared.stats.preemptions.fetch_add(1, Relaxed);
        }
        let seq = m.seq.load(Acquire);
        let phase = (Arc::as_ptr(&m) as usize, seq);
        let t = p.syscalltick.load(Relaxed);
        let same_poll = pd.syscalltick == t;
        let same_phase = pd.phase == phase;
        pd.phase = phase;
        if !same_poll {
            pd.syscalltick = t;
            pd.syscallwhen = now;
        }
        if seq % 2 == 0 || !same_poll {
            continue; // in scheduler code, using its P, or a new poll
        }
        let lasted = pd.syscallwhen + FORCE_PREEMPT_NS <= now;
        let work_waits =
            !p.runq.is_empty() || shared.nmspinning.load(SeqCst) + shared.npidle.load(SeqCst) == 0;
        let retake = if same_phase {
            work_waits || lasted
        } else {
            work_waits && lasted
        };
        if retake && retake_p(shared, id, Some(seq)) {
            n += 1;
        }
    }
    n
}

/// The heart of `retake` for one P: take it from its polling M (Go:
/// `CAS(_Psyscall, _Pidle)`, here `take_p`), then `handoffp`. Loses
/// harmlessly to the M ending the phase first. `phase`: only if the M is
/// still in that odd `seq`.
pub(crate) fn retake_p(shared: &Arc<Shared>, id: usize, phase: Option<u32>) -> bool {
    if !crate::syscall::take_p(shared, id, crate::p::PIDLE, phase) {
        return false;
    }
    shared.stats.handoffs.fetch_add(1, Relaxed);
    crate::m::handoffp(shared, id);
    true
}

/// Starts the runtime's sysmon thread (Go: `newm(sysmon, nil, -1)` in
/// `main`). It holds no P and is not counted against `max_threads`.
#[cfg(not(gort_loom))]
pub(crate) fn start(shared: &Arc<Shared>) -> std::io::Result<()> {
    let arc = shared.clone();
    let handle = std::thread::Builder::new()
        .name(format!("{}-sysmon", shared.config.thread_name))
        .spawn(move || run(&arc))?;
    gort_sync::lock(&shared.threads).push(handle);
    Ok(())
}

/// Port of `sysmon`'s loop.
///
/// *Deviation*: Go resets the pacing to 20 µs when a system call wakes
/// sysmon from its deep sleep ("it may need to do it again shortly");
/// here the first P leaving the idle list wakes it, which happens at every
/// burst of work, so the pacing is kept (as Go keeps it when a timer wakes
/// sysmon): a runtime that idles between short bursts would otherwise pay
/// 50 wake-ups of sysmon per burst.
///
/// Before its first tick, sysmon chooses gort-park's fence mode
/// ([`gort_park::barrier::init`]): on Linux that registers the process for
/// `membarrier`, which waits for an RCU grace period (~11 ms here, once
/// per process). Paid here, off every worker, it makes each gort lock's
/// unlock a plain store from the start (else a locked exchange until some
/// thread first sleeps on a lock, which would then pay the wait itself).
#[cfg(not(gort_loom))]
fn run(shared: &Arc<Shared>) {
    use std::time::{Duration, Instant};
    gort_park::barrier::init();
    let note = shared.sysmonnote.get_or_init(crate::note::Note::new);
    let start = Instant::now();
    let trace = crate::schedtrace::Trace::from_env(&shared.config);
    let mut ticks = Vec::new();
    let mut lasttrace = 0u64;
    let mut idle = 0u32; // rounds in a row that retook nothing
    let mut delay = 0u32; // µs
    loop {
        if idle == 0 {
            delay = 20;
        } else if idle > 50 {
            delay *= 2;
        }
        delay = delay.min(10_000);
        std::thread::park_timeout(Duration::from_micros(u64::from(delay)));
        if shared.shutdown.load(Acquire) {
            return;
        }
        if !trace.on()
            && (shared.gcwaiting.load(SeqCst) || shared.npidle.load(SeqCst) == shared.procs())
        {
            let mut s = shared.lock();
            if !shared.shutdown.load(Relaxed)
                && (shared.gcwaiting.load(SeqCst) || shared.npidle.load(SeqCst) == shared.procs())
            {
                // Go: at most `forcegcperiod / 2`, and not past the next
                // timer (`timeSleepUntil`).
                let mut sleep = Duration::from_secs(60);
                let next = crate::poller::check_timers_no_p(shared, 0);
                if next != 0 {
                    let now = gort_time::per_p::nanotime();
                    sleep = sleep.min(Duration::from_nanos(next.saturating_sub(now).max(0) as u64));
                }
                if !sleep.is_zero() {
                    shared.sysmonwait.store(true, Relaxed);
                    drop(s);
                    note.sleep_for(sleep);
                    s = shared.lock();
                    shared.sysmonwait.store(false, Relaxed);
                    note.clear();
                }
            }
            drop(s);
            if shared.shutdown.load(Acquire) {
                return;
            }
        }
        let now = start.elapsed().as_nanos() as u64;
        if retake(shared, &mut ticks, now) != 0 {
            idle = 0;
        } else {
            idle += 1;
        }
        if trace.due(now, &mut lasttrace) {
            trace.print(shared, now);
        }
    }
}
