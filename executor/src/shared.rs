//! The state of one runtime that every M shares: Go's `sched` struct (its
//! lock and what that lock guards), `allp`, `gomaxprocs` and `idlepMask`.

use crate::gfree::GlobalFree;
use crate::m::M;
use crate::note::Note;
use crate::owned::Owned;
use crate::p::P;
use crate::pmask::PMask;
use crate::poller::{PTimers, Poller};
use crate::runq::Overflow;
use crate::task::Notified;
use gort_park::{Mutex, MutexGuard};
use gort_sync::{Arc, AtomicBool, AtomicU64, AtomicUsize, Ordering::*, fence, thread};
use gort_time::per_p::TimerHeap;
use std::collections::VecDeque;
use std::sync::OnceLock;

/// Go: `_MaxGomaxprocs`.
pub(crate) const MAX_PROCS: usize = 1024;

/// What the builder configured.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) max_threads: usize,
    pub(crate) thread_name: String,
    /// `$GORTDEBUG` when the runtime was built (Go: `$GODEBUG`); read by
    /// sysmon, which loom models do not run.
    #[cfg_attr(gort_loom, allow(dead_code))]
    pub(crate) gortdebug: Option<String>,
}

pub(crate) struct Shared {
    /// Go: `sched.lock` (Go's runtime mutex, gort-park's port of it) and
    /// the fields it guards.
    sched: Mutex<Sched>,
    /// Go: `sched.runqsize`, readable without the lock.
    pub(crate) runqsize: AtomicUsize,
    /// Go: `sched.nmspinning`: Ms looking for work without having found any.
    pub(crate) nmspinning: AtomicUsize,
    /// Go: `sched.npidle`.
    pub(crate) npidle: AtomicUsize,
    /// Go: `sched.needspinning`: work was found that no P could take.
    pub(crate) needspinning: AtomicBool,
    /// Go: `sched.gcwaiting`: a stop-the-world is in progress.
    pub(crate) gcwaiting: AtomicBool,
    /// The runtime is shutting down (its `Runtime` was dropped).
    pub(crate) shutdown: AtomicBool,
    /// Go: `gomaxprocs`.
    pub(crate) gomaxprocs: AtomicUsize,
    /// Go: `allp`. A P, once made, lives as long as the runtime.
    allp: Box<[OnceLock<Box<P>>]>,
    /// Go: `idlepMask`.
    pub(crate) idlep: PMask,
    /// Go: `sched.goidgen`.
    pub(crate) goidgen: AtomicU64,
    /// Go: `sched.gFree`.
    pub(crate) gfree: GlobalFree,
    /// Go: `allgs`.
    pub(crate) owned: Owned,
    /// `block_on` futures running (Go counts `main` among its goroutines).
    pub(crate) main_gs: AtomicUsize,
    pub(crate) config: Config,
    /// Threads of the Ms, joined at shutdown.
    pub(crate) threads: gort_sync::Mutex<Vec<thread::JoinHandle<()>>>,
    /// `sched.syscallwait.len()`, readable without the lock.
    pub(crate) nsyscallwait: AtomicUsize,
    /// Go: `sched.sysmonwait`: sysmon sleeps until a P becomes busy.
    pub(crate) sysmonwait: AtomicBool,
    /// Go: `sched.sysmonnote`; set by the sysmon thread when it starts.
    pub(crate) sysmonnote: OnceLock<Note>,
    /// Counts for `Runtime::metrics`.
    pub(crate) stats: Stats,
    /// Held by whoever takes a P from a polling M (`syscall::take_p`): one
    /// taker at a time.
    pub(crate) taking: gort_sync::Mutex<()>,
    /// Go: `timerpMask`: Ps that may have timers.
    pub(crate) timerp: PMask,
    /// Go: `sched.lastpoll`, `sched.pollUntil` and the poller's sleep.
    pub(crate) poller: Poller,
    /// This `Shared`, for the wakers of the Ps' timer heaps.
    #[cfg(not(gort_loom))]
    me: OnceLock<std::sync::Weak<Shared>>,
}

/// Event counts, for `Runtime::metrics` (relaxed: statistics only).
#[derive(Default)]
pub(crate) struct Stats {
    /// Ps handed to another M by `retake` or `entersyscallblock`.
    pub(crate) handoffs: AtomicU64,
    /// Preemption requests (`preemptone`).
    pub(crate) preemptions: AtomicU64,
    /// Successful steals (`runqsteal`).
    pub(crate) steals: AtomicU64,
}

/// Go: the fields of `sched` that `sched.lock` guards.
#[derive(Default)]
pub(crate) struct Sched {
    /// Go: `sched.runq`.
    pub(crate) runq: VecDeque<Notified>,
    /// Go: `sched.pidle` (a LIFO of P ids).
    pub(crate) pidle: Vec<usize>,
    /// Go: `sched.midle`.
    pub(crate) midle: Vec<Arc<M>>,
    /// Go: `mcount()`: Ms started and not exited (block_on's threads are
    /// not counted: they belong to the caller).
    pub(crate) mcount: usize,
    /// Go: `sched.stopwait` and `sched.stopnote`.
    pub(crate) stopwait: usize,
    pub(crate) stopnote: Option<std::sync::Arc<Note>>,
    /// A stop-the-world owner exists (Go: `worldsema` is held).
    pub(crate) stw_active: bool,
    /// Ms back from a blocking call that found no idle P, in arrival order
    /// (Go queues their Gs on `sched.runq`; see `exitsyscall0`).
    pub(crate) syscallwait: VecDeque<Arc<M>>,
}

impl Shared {
    pub(crate) fn new(procs: usize, config: Config) -> Arc<Shared> {
        let shared = Arc::new(Shared {
            sched: Mutex::new(Sched::default()),
            runqsize: AtomicUsize::new(0),
            nmspinning: AtomicUsize::new(0),
            npidle: AtomicUsize::new(0),
            needspinning: AtomicBool::new(false),
            gcwaiting: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            gomaxprocs: AtomicUsize::new(0),
            allp: (0..MAX_PROCS).map(|_| OnceLock::new()).collect(),
            idlep: PMask::new(),
            goidgen: AtomicU64::new(0),
            gfree: GlobalFree::default(),
            owned: Owned::new(procs),
            main_gs: AtomicUsize::new(0),
            config,
            threads: gort_sync::Mutex::new(Vec::new()),
            nsyscallwait: AtomicUsize::new(0),
            sysmonwait: AtomicBool::new(false),
            sysmonnote: OnceLock::new(),
            stats: Stats::default(),
            taking: gort_sync::Mutex::new(()),
            timerp: PMask::new(),
            poller: Poller::new(),
            #[cfg(not(gort_loom))]
            me: OnceLock::new(),
        });
        #[cfg(not(gort_loom))]
        let _ = shared.me.set(Arc::downgrade(&shared));
        shared
    }

    /// Go: `lock(&sched.lock)`. No user code runs under it: nothing that
    /// could drop a G's last reference happens while it is held.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Sched> {
        self.sched.lock()
    }

    /// Go: `allp[id]`.
    pub(crate) fn p(&self, id: usize) -> &P {
        self.allp[id]
            .get()
            .expect("gort-executor: P used before procresize made it")
    }

    /// Every P made so far, including those beyond the current count.
    pub(crate) fn made_ps(&self) -> impl Iterator<Item = &P> {
        self.allp.iter().map_while(|p| p.get().map(|p| &**p))
    }

    /// Makes P `id` if it does not exist yet (under the world stop).
    pub(crate) fn make_p(&self, id: usize) -> &P {
        self.allp[id].get_or_init(|| {
            let waker = PTimers {
                #[cfg(not(gort_loom))]
                shared: self.me.get().cloned().unwrap_or_default(),
                id,
            };
            Box::new(P::new(id, TimerHeap::new(waker)))
        })
    }

    pub(crate) fn procs(&self) -> usize {
        self.gomaxprocs.load(Acquire)
    }

    /// Go: `globrunqput` and `globrunqputbatch` (at the tail). After
    /// shutdown nobody will run them: they are dropped, outside the lock.
    pub(crate) fn globrunqput(&self, gs: impl IntoIterator<Item = Notified>) {
        let refused = {
            let mut s = self.lock();
            if self.shutdown.load(Relaxed) {
                Some(gs)
            } else {
                s.runq.extend(gs);
                self.runqsize.store(s.runq.len(), Release);
                None
            }
        };
        drop(refused);
    }

    /// Port of `globrunqget`: takes a fair share of the global queue (at
    /// most `max` when non-zero, at most half a local queue), returns the
    /// first and puts the rest on `p`'s local queue, which is empty (the
    /// caller just found it so, and only its holder adds to it).
    pub(crate) fn globrunqget(&self, s: &mut Sched, p: &P, max: usize) -> Option<Notified> {
        let size = s.runq.len();
        if size == 0 {
            return None;
        }
        let mut n = (size / self.procs().max(1) + 1).min(size);
        if max > 0 {
            n = n.min(max);
        }
        n = n.min(crate::runq::RUNQ_SIZE as usize / 2);
        let g = s.runq.pop_front();
        for _ in 1..n {
            let g1 = s.runq.pop_front().expect("counted above");
            p.runq.put(g1, false, &NoOverflow);
        }
        self.runqsize.store(s.runq.len(), Release);
        g
    }

    /// Port of `pidleput`: P `id` (with an empty run queue) goes idle.
    ///
    /// *Deviation*: an M waiting for a P after a blocking call gets it
    /// instead (in Go that M's G would be on the global queue, which the M
    /// giving up the P has just checked).
    pub(crate) fn pidleput(&self, s: &mut Sched, id: usize) {
        let p = self.p(id);
        debug_assert!(p.runq.is_empty(), "pidleput: P has non-empty run queue");
        p.set_status(None, crate::p::PIDLE);
        if self.give_to_waiter(s, id) {
            return;
        }
        if !cfg!(gort_loom) && p.timers.is_empty() {
            // Clear, then look again: a timer added meanwhile (by an M
            // whose poll outlived its P) sets the bit after its heap
            // insert, so one of the two is seen.
            self.timerp.clear(id);
            fence(SeqCst);
            if !p.timers.is_empty() {
                self.timerp.set(id);
            }
        }
        self.idlep.set(id);
        s.pidle.push(id);
        self.npidle.fetch_add(1, SeqCst);
    }

    /// Port of `pidleget`.
    ///
    /// *Deviation*: wakes sysmon if it sleeps because every P was idle (Go
    /// wakes it only when an M leaves a system call, or at its next timer;
    /// here work also arrives from threads outside the runtime, and a P
    /// taken from the idle list is how every such burst starts).
    pub(crate) fn pidleget(&self, s: &mut Sched) -> Option<usize> {
        let id = s.pidle.pop()?;
        if !cfg!(gort_loom) {
            // Loom models run no timers.
            self.timerp.set(id);
        }
        self.idlep.clear(id);
        self.npidle.fetch_sub(1, SeqCst);
        self.wake_sysmon(s);
        Some(id)
    }

    /// Hands the unowned P `id` to the first M waiting in
    /// `sched.syscallwait`, unless the world is stopping. False if none.
    pub(crate) fn give_to_waiter(&self, s: &mut Sched, id: usize) -> bool {
        if self.gcwaiting.load(Relaxed) {
            return false;
        }
        let Some(m) = s.syscallwait.pop_front() else {
            return false;
        };
        self.nsyscallwait.store(s.syscallwait.len(), SeqCst);
        m.give(id, false);
        true
    }

    /// Go: `if sched.sysmonwait.Load() { sched.sysmonwait.Store(false);
    /// notewakeup(&sched.sysmonnote) }`, under the scheduler lock.
    pub(crate) fn wake_sysmon(&self, _s: &mut Sched) {
        if self.sysmonwait.load(Relaxed) {
            self.sysmonwait.store(false, Relaxed);
            if let Some(note) = self.sysmonnote.get() {
                note.wakeup();
            }
        }
    }

    /// Port of `pidlegetSpinning`: as `pidleget`, but when no P is idle it
    /// tells the Ms about to drop their P to spin instead (see the delicate
    /// dance in `find_runnable`).
    pub(crate) fn pidleget_spinning(&self, s: &mut Sched) -> Option<usize> {
        let p = self.pidleget(s);
        if p.is_none() {
            self.needspinning.store(true, SeqCst);
        }
        p
    }
}

/// The global queue takes a full local queue's overflow (`runqputslow`).
impl Overflow for Shared {
    fn put_batch(&self, batch: Vec<Notified>) {
        self.globrunqput(batch);
    }
}

/// The local queue `globrunqget` fills is empty, so it cannot overflow.
struct NoOverflow;

impl Overflow for NoOverflow {
    fn put_batch(&self, _: Vec<Notified>) {
        unreachable!("globrunqget: local run queue overflowed");
    }
}
