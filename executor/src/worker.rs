//! The calling thread's M, if it is one: Go's `getg().m` (the thread-local
//! that tells the scheduler code which M and P it runs on).

use crate::m::M;
use crate::p::{P, PIDLE, PRUNNING};
use crate::shared::Shared;
use crate::steal_order::StealOrder;
use core::cell::{Cell, RefCell};
use core::ptr::{NonNull, null};
use gort_sync::{Arc, Ordering::*};

/// An M's view of itself while it runs the scheduler.
pub(crate) struct Worker {
    pub(crate) shared: Arc<Shared>,
    pub(crate) m: Arc<M>,
    /// Go: `m.p`. Ps are boxed in `shared.allp` and live as long as the
    /// runtime (`shared`), so the address is kept rather than the index.
    p: Cell<Option<NonNull<P>>>,
    /// The M is polling a G (not `block_on`'s own future): coming back
    /// from a blocking call it must wait for a P (Go: `exitsyscall0`).
    pub(crate) in_g: Cell<bool>,
    /// The M is inside a poll (of a G or of `block_on`'s future).
    pub(crate) in_poll: Cell<bool>,
    /// Go: `m.spinning`.
    pub(crate) spinning: Cell<bool>,
    /// The G being polled called `yield_now` (Go: `Gosched`).
    pub(crate) yielded: Cell<bool>,
    /// This M is a `block_on` caller (Go's `m0` running `main`).
    pub(crate) is_main: bool,
    /// Go: `stealOrder`, kept per M and rebuilt when the P count changes.
    pub(crate) steal_order: RefCell<StealOrder>,
    /// Go: `cheaprand`'s state under loom (deterministic there).
    #[cfg(gort_loom)]
    rand: Cell<u32>,
}

#[cfg(not(gort_loom))]
std::thread_local! {
    static CURRENT: Cell<*const Worker> = const { Cell::new(null()) };
}
#[cfg(gort_loom)]
loom::thread_local! {
    static CURRENT: Cell<*const Worker> = Cell::new(null());
}

impl Worker {
    pub(crate) fn new(shared: Arc<Shared>, m: Arc<M>, is_main: bool) -> Self {
        Worker {
            shared,
            m,
            p: Cell::new(None),
            in_g: Cell::new(false),
            in_poll: Cell::new(false),
            spinning: Cell::new(false),
            yielded: Cell::new(false),
            is_main,
            steal_order: RefCell::new(StealOrder::default()),
            #[cfg(gort_loom)]
            rand: Cell::new(0),
        }
    }

    /// Go: `getg().m.p.ptr()`.
    #[inline]
    pub(crate) fn p(&self) -> Option<&P> {
        // SAFETY: `set_p` stored the address of a P of `self.shared`, which
        // `self` keeps alive, and Ps are never freed before their runtime.
        self.p.get().map(|p| unsafe { p.as_ref() })
    }

    /// The id of the M's P (Go: `getg().m.p.ptr().id`).
    pub(crate) fn p_id(&self) -> Option<usize> {
        self.p().map(|p| p.id)
    }

    /// Go: `m.p.set(pp)` (`None`: `m.p = 0`).
    pub(crate) fn set_p(&self, id: Option<usize>) {
        self.p.set(id.map(|id| NonNull::from(self.shared.p(id))));
    }

    /// Port of `acquirep` (`wirep`): the P must be idle and unowned.
    pub(crate) fn acquirep(&self, id: usize) {
        assert!(self.p.get().is_none(), "acquirep: already in go");
        let p = self.shared.p(id);
        p.set_status(Some(PIDLE), PRUNNING);
        self.hold(p);
        self.set_p(Some(id));
    }

    /// Go: `pp.m.set(mp)`; timers this thread schedules go to `p`'s heap.
    pub(crate) fn hold(&self, p: &P) {
        *gort_sync::lock(&p.holder) = Some(self.m.clone());
        gort_time::per_p::set_local(Some(&p.timers));
    }

    /// Takes an idle P, unless the world is being stopped (Go: the
    /// `pidleget` of `exitsyscall`'s slow path). False if none was taken.
    pub(crate) fn acquire_idle_p(&self) -> bool {
        let id = {
            let mut s = self.shared.lock();
            if self.shared.gcwaiting.load(Relaxed) {
                None
            } else {
                self.shared.pidleget(&mut s)
            }
        };
        id.map(|id| self.acquirep(id)).is_some()
    }

    /// Port of `releasep`.
    pub(crate) fn releasep(&self) -> usize {
        let id = self.p_id().expect("releasep: invalid arg");
        self.p.set(None);
        self.shared.p(id).set_status(Some(PRUNNING), PIDLE);
        gort_time::per_p::set_local(None);
        id
    }

    /// Whether this is an M of `shared`'s runtime.
    #[inline]
    pub(crate) fn runs(&self, shared: &Shared) -> bool {
        core::ptr::eq(&*self.shared, shared)
    }

    /// Go: `cheaprand`.
    pub(crate) fn cheaprand(&self) -> u32 {
        #[cfg(not(gort_loom))]
        {
            fastrand::u32(..)
        }
        #[cfg(gort_loom)]
        {
            let r = self.rand.get().wrapping_add(1);
            self.rand.set(r);
            r
        }
    }

    /// Makes this the calling thread's M until the guard drops.
    pub(crate) fn enter(&self) -> Entered {
        let prev = CURRENT.with(|c| c.replace(self));
        assert!(
            prev.is_null(),
            "gort-executor: a thread entered a runtime twice"
        );
        gort_park::hook::install(Some(&crate::syscall::HOOKS), Some(self.m.preempt.clone()));
        Entered(())
    }
}

/// Clears the thread's M when dropped.
pub(crate) struct Entered(());

impl Drop for Entered {
    fn drop(&mut self) {
        gort_park::hook::install(None, None);
        gort_time::per_p::set_local(None);
        CURRENT.with(|c| c.set(null()));
    }
}

/// Runs `f` with the calling thread's M, if it is one (of any runtime).
#[inline]
pub(crate) fn with<R>(f: impl FnOnce(Option<&Worker>) -> R) -> R {
    let w = CURRENT.try_with(Cell::get).unwrap_or(null());
    // SAFETY: a non-null pointer was set by `enter` on this thread and is
    // cleared before the Worker it points to goes away.
    f(unsafe { w.as_ref() })
}

/// Runs `f` with the calling thread's M if it is one of `shared`'s.
#[inline]
pub(crate) fn with_own<R>(shared: &Shared, f: impl FnOnce(&Worker) -> R) -> Option<R> {
    with(|w| w.filter(|w| w.runs(shared)).map(f))
}

/// Runs `f` with the calling thread's P (see [`Worker::with_p`]), if it is
/// one of `shared`'s Ms and has a P.
#[inline]
pub(crate) fn with_own_p<R>(shared: &Shared, f: impl FnOnce(&P) -> R) -> Option<R> {
    with_own(shared, |w| w.with_p(f)).flatten()
}
