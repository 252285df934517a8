//! sysmon: the M without a P that watches the others (Go: `sysmon`,
//! `retake`, runtime/proc.go). It wakes every 20 µs, backing off to 10 ms
//! while it finds nothing to do, and sleeps outright while every P is idle.
//! Each round it retakes Ps whose M has been inside one poll (Go: one system
//! call) for a whole round, and asks Gs that have run 10 ms to yield.

use crate::p::{PRUNNING, PSYSCALL};
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
}

/// Port of `retake` at time `now` (ns since the runtime started): the
/// number of Ps taken from Ms inside a poll.
///
/// *Deviation*: Go also retakes a P in `_Psyscall` whose time slice ran out
/// ("preemptone doesn't work, because there is no M wired to P"). Here a
/// P in `PSYSCALL` is an M inside a poll, which the preempt flag does reach,
/// so the time slice only preempts; the P is retaken by the system-call rule
/// alone (a poll seen at two looks, with work waiting or no other M free, or
/// for 10 ms).
pub(crate) fn retake(shared: &Arc<Shared>, ticks: &mut Vec<SysmonTick>, now: u64) -> u32 {
    let mut n = 0;
    let procs = shared.procs();
    if ticks.len() < procs {
        ticks.resize(procs, SysmonTick::default());
    }
    for (id, pd) in ticks.iter_mut().enumerate().take(procs) {
        let p = shared.p(id);
        let s = p.status.load(Acquire);
        if s == PRUNNING || s == PSYSCALL {
            let t = p.schedtick.load(Relaxed);
            if pd.schedtick != t {
                pd.schedtick = t;
                pd.schedwhen = now;
            } else if pd.schedwhen + FORCE_PREEMPT_NS <= now && preemptone(p) {
                shared.stats.preemptions.fetch_add(1, Relaxed);
            }
        }
        if s != PSYSCALL {
            continue;
        }
        let t = p.syscalltick.load(Relaxed);
        if pd.syscalltick != t {
            pd.syscalltick = t;
            pd.syscallwhen = now;
            continue;
        }
        if p.runq.is_empty()
            && shared.nmspinning.load(SeqCst) + shared.npidle.load(SeqCst) > 0
            && pd.syscallwhen + FORCE_PREEMPT_NS > now
        {
            continue;
        }
        if retake_p(shared, id) {
            n += 1;
        }
    }
    n
}

/// The heart of `retake` for one P: `CAS(_Psyscall, _Pidle)` (`take_p`),
/// then `handoffp`. Loses harmlessly to the M's own `exitsyscall` (or
/// anyone else's CAS).
pub(crate) fn retake_p(shared: &Arc<Shared>, id: usize) -> bool {
    if !crate::syscall::take_p(shared, id, crate::p::PIDLE, None) {
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
#[cfg(not(gort_loom))]
fn run(shared: &Arc<Shared>) {
    use std::time::{Duration, Instant};
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
                shared.sysmonwait.store(true, Relaxed);
                drop(s);
                note.sleep();
                s = shared.lock();
                shared.sysmonwait.store(false, Relaxed);
                note.clear();
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
