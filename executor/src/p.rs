//! Go's `p`: a processor, the right to run Gs. An M runs Gs only while it
//! holds a P (`acquirep`/`releasep`); a P's run queue and free lists are its
//! holder's alone (thieves only take from the run queue, lock-free).

use crate::gfree::LocalFree;
use crate::m::M;
use crate::runq::RunQ;
use gort_sync::{Arc, AtomicBool, AtomicU32, Mutex, Ordering::*, UnsafeCell};

/// Go: `_Pidle`: on the idle list, or handed to an M that will acquire it.
pub(crate) const PIDLE: u32 = 0;
/// Go: `_Prunning`: held by an M running scheduler code.
pub(crate) const PRUNNING: u32 = 1;
/// Go: `_Psyscall`: its M is inside a poll (*Rust*: every poll is treated
/// as a system call, since none can be interrupted). The M uses the P from
/// inside the poll, and takes it back after, only under its `busy` flag
/// (see `syscall::take_p` for the protocol); sysmon's `retake` and a
/// stop-the-world take it with a CAS from `PSYSCALL`.
pub(crate) const PSYSCALL: u32 = 2;
/// *Rust*: a taker (`syscall::take_p`) has won the CAS from `PSYSCALL`
/// and waits for the polling M to let go; then it sets the final status.
pub(crate) const PTAKING: u32 = 5;
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
    /// retakes of it; a stuck poll is one whose tick sysmon sees twice.
    pub(crate) syscalltick: AtomicU32,
    /// Go: `gp.preempt` of the G running on this P (set by sysmon's
    /// `preemptone`, cleared by `execute`).
    pub(crate) preempt: AtomicBool,
    /// Go: `p.m`: the M that last acquired the P (read by `take_p`).
    pub(crate) holder: Mutex<Option<Arc<M>>>,
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
    pub(crate) fn new(id: usize) -> Self {
        P {
            id,
            status: AtomicU32::new(PGCSTOP),
            runq: RunQ::new(),
            schedtick: AtomicU32::new(0),
            syscalltick: AtomicU32::new(0),
            preempt: AtomicBool::new(false),
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

    /// Whether an M runs on it (in scheduler code or inside a poll).
    pub(crate) fn is_running(&self) -> bool {
        matches!(self.status.load(Relaxed), PRUNNING | PSYSCALL)
    }

    /// Go: `p.syscalltick++` (only the P's owner or a retaker writes it).
    pub(crate) fn bump_syscalltick(&self) {
        let t = self.syscalltick.load(Relaxed);
        self.syscalltick.store(t.wrapping_add(1), Relaxed);
    }
}
