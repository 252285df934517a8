//! `Runtime::metrics`: a snapshot of the scheduler's state and event
//! counts (Go has them spread over `runtime/metrics`, `NumGoroutine` and
//! the `schedtrace` line).

use crate::shared::Shared;
use gort_sync::Ordering::*;

/// A snapshot of a runtime's scheduler (see [`Handle::metrics`]). The
/// numbers are read without stopping anything, so they need not add up
/// exactly while the runtime is busy.
///
/// [`Handle::metrics`]: crate::Handle::metrics
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Unfinished tasks plus running `block_on` futures (Go:
    /// `NumGoroutine`).
    pub goroutines: usize,
    /// The number of Ps (Go: `GOMAXPROCS`).
    pub procs: usize,
    /// Ps on the idle list (Go: `sched.npidle`).
    pub idle_procs: usize,
    /// Threads the runtime started and that have not exited (Go: `mcount`),
    /// not counting sysmon and `block_on` callers.
    pub threads: usize,
    /// Of those, the ones asleep with nothing to do (Go: `sched.nmidle`).
    pub idle_threads: usize,
    /// Threads looking for work (Go: `sched.nmspinning`).
    pub spinning_threads: usize,
    /// Threads back from a blocking call, waiting for a P.
    pub syscall_waiters: usize,
    /// Tasks in the global run queue (Go: `sched.runqsize`).
    pub global_queue: usize,
    /// Tasks in each P's local run queue, `runnext` included.
    pub local_queues: Vec<usize>,
    /// Entries in each P's timer heap, stopped timers not yet swept
    /// included (Go: `len(pp.timers.heap)`).
    pub timers: Vec<usize>,
    /// Successful steals from other Ps' queues, since the start.
    pub steals: u64,
    /// Ps handed to another thread because their thread blocked or stayed
    /// inside one poll (Go: `retake`, `entersyscallblock`), since the start.
    pub handoffs: u64,
    /// Requests to a task to yield after 10 ms (Go: `preemptone`), since
    /// the start.
    pub preemptions: u64,
}

impl Metrics {
    pub(crate) fn of(shared: &Shared, goroutines: usize) -> Metrics {
        let s = shared.lock();
        let procs = shared.procs();
        Metrics {
            goroutines,
            procs,
            idle_procs: shared.npidle.load(Relaxed),
            threads: s.mcount,
            idle_threads: s.midle.len(),
            spinning_threads: shared.nmspinning.load(Relaxed),
            syscall_waiters: s.syscallwait.len(),
            global_queue: s.runq.len(),
            local_queues: (0..procs).map(|id| shared.p(id).runq.len()).collect(),
            timers: (0..procs).map(|id| shared.p(id).timers.len()).collect(),
            steals: shared.stats.steals.load(Relaxed),
            handoffs: shared.stats.handoffs.load(Relaxed),
            preemptions: shared.stats.preemptions.load(Relaxed),
        }
    }
}
