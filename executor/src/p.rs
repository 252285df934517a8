//! Go's `p`: a processor, the right to run Gs. An M runs Gs only while it
//! holds a P (`acquirep`/`releasep`); a P's run queue and free lists are its
//! holder's alone (thieves only take from the run queue, lock-free).

use crate::gfree::LocalFree;
use crate::m::M;
use crate::runq::RunQ;
use gort_sync::{Arc, AtomicU32, Mutex, Ordering::*, UnsafeCell};
use gort_time::per_p::TimerHeap;

/// Go: `_Pidle`: on the idle list, or handed to an M that will acquire it.
pub(crate) const PIDLE: u32 = 0;
/// Go: `_Prunning`: held by an M. (Go's `_Psyscall`, a P whose M is in a
/// system call, is here a `PRUNNING` P whose M's `seq` is odd: see
/// `syscall.rs`.)
pub(crate) const PRUNNING: u32 = 1;
/// Go: `_Pgcstop`: halted by a stop-the-world.
pub(crate) const PGCSTOP: u32 = 3;
/// Go: `_Pdead`: beyond the current P count (kept for reuse).
pub(crate) const PDEAD: u32 = 4;

pub(crate) struct P {
    pub(crate) id: usize,
    /// Go: `p.status`.
    pub(crate) status: AtomicU32,
    /// Go: `runqhead`, `runqtail`, `runq`, `runnext`.
    pub(crate) runq: RunQ,
    /// Go: `p.schedtick`: Gs started without inheriting a time slice.
    pub(crate) schedtick: AtomicU32,
    /// Go: `p.syscalltick`: polls (system calls) ended on this P, and
    /// retakes of it.
    pub(crate) syscalltick: AtomicU32,
    /// Go: `p.m`: the M that last acquired the P (read by `take_p`).
    pub(crate) holder: Mutex<Option<Arc<M>>>,
    /// Go: `p.timers`: the timers scheduled by Gs running on this P.
    pub(crate) timers: TimerHeap,
    /// The holder's private state.
    local: UnsafeCell<Local>,
}

/// What only the P's holder touches.
#[derive(Default)]
pub(crate) struct Local {
    /// Go: `p.gFree`.
    pub(crate) gfree: LocalFree,
    /// Go: `goidcache`, `goidcacheend`.
    pub(crate) goidcache: u64,
    pub(crate) goidcacheend: u64,
}

// SAFETY: `local` is only touched by the P's holder (see `with_local`);
// everything else is atomic.
unsafe impl Sync for P {}

impl P {
    /// Go: `p.init` (a new P starts stopped, as Go's do in `procresize`).
    pub(crate) fn new(id: usize, timers: TimerHeap) -> Self {
        P {
            timers,
            id,
            status: AtomicU32::new(PGCSTOP),
            runq: RunQ::new(),
            schedtick: AtomicU32::new(0),
            syscalltick: AtomicU32::new(0),
            holder: Mutex::new(None),
            local: UnsafeCell::new(Local::default()),
        }
    }

    /// The holder's private state.
    ///
    /// # Safety
    /// The caller holds the P (it acquired it, and nobody else can until it
    /// releases it), or the world is stopped and the P is not running; `f`
    /// does not call `with_local` again.
    pub(crate) unsafe fn with_local<R>(&self, f: impl FnOnce(&mut Local) -> R) -> R {
        // SAFETY: per the contract the caller is the only accessor, and
        // handing a P over (scheduler lock, or an M's note) orders the
        // accesses of successive holders.
        self.local.with_mut(|l| f(unsafe { &mut *l }))
    }

    /// A status transition that only the P's holder (or the stopped
    /// world's owner) makes.
    pub(crate) fn set_status(&self, from: Option<u32>, to: u32) {
        let old = self.status.swap(to, AcqRel);
        if let Some(from) = from {
            assert_eq!(
                old, from,
                "gort-executor: P {} in status {old}, expected {from}",
                self.id
            );
        }
    }

    pub(crate) fn is_running(&self) -> bool {
        self.status.load(Relaxed) == PRUNNING
    }

    /// The M holding this P, if it holds it (Go: `pp.m`).
    pub(crate) fn polling_m(&self) -> Option<Arc<M>> {
        if self.status.load(Acquire) != PRUNNING {
            return None;
        }
        gort_sync::lock(&self.holder).clone()
    }

    /// Go: `p.syscalltick++` (only the P's owner writes it).
    pub(crate) fn bump_syscalltick(&self) {
        let t = self.syscalltick.load(Relaxed);
        self.syscalltick.store(t.wrapping_add(1), Relaxed);
    }
}
