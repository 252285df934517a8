//! Timer heaps owned by an executor's Ps (Go: `p.timers`), for
//! gort-executor (hidden and unstable: its API moves with the executor's).
//!
//! Go keeps a timer heap per P: `maybeAdd` puts a timer in the heap of the
//! P its goroutine runs on, the scheduler runs its own P's heap
//! (`checkTimers` in `schedule`/`findRunnable`) and those of other Ps when
//! it steals (`stealWork`), an idle M sleeps in the poller until the
//! earliest timer of any P (`wakeNetPoller` interrupts it), and a P that
//! `procresize` destroys hands its timers to the caller's P
//! (`timers.take`). An executor gets the same here: it makes a
//! [`TimerHeap`] per P, tells gort-time which one the calling thread's P
//! owns ([`set_local`]), and runs the heaps. Threads of no executor use the
//! process heap, run by the built-in timer thread (or the installed
//! [`Driver`](crate::driver::Driver)).

use crate::clock;
use crate::heap::{Timers, timers};
use std::sync::Arc;

pub use crate::heap::HeapWaker;

/// One P's timer heap (Go: `p.timers`). `Clone` shares the heap.
#[derive(Clone, Debug)]
pub struct TimerHeap(Arc<Timers>);

impl TimerHeap {
    /// An empty heap; `waker` is told when a timer needs it earlier than
    /// its current [`wake_time`](Self::wake_time) (Go: `wakeNetPoller`).
    pub fn new(waker: impl HeapWaker) -> Self {
        TimerHeap(Arc::new(Timers::new(Some(Box::new(waker)))))
    }

    /// Port of `timers.check` (Go's `checkTimers`): runs the due timers on
    /// the calling thread (channel sends and task wake-ups; `after_func`
    /// functions go to runner threads). Returns when the heap next needs
    /// running (0: empty) and whether a timer ran. Call it holding no lock.
    #[inline]
    pub fn check(&self) -> (i64, bool) {
        if cfg!(gort_loom) {
            return (0, false); // inert under loom: see `set_local`
        }
        let next = self.0.wake_time();
        if next == 0 {
            return (0, false);
        }
        self.check_slow()
    }

    fn check_slow(&self) -> (i64, bool) {
        self.0.check(clock::nanotime())
    }

    /// Port of `timers.wakeTime`: when the heap next needs running (0:
    /// empty), without running it.
    #[inline]
    pub fn wake_time(&self) -> i64 {
        if cfg!(gort_loom) {
            return 0;
        }
        self.0.wake_time()
    }

    /// Entries in the heap, zombies included (Go: `timers.len`).
    #[inline]
    pub fn len(&self) -> usize {
        if cfg!(gort_loom) {
            return 0;
        }
        self.0.len.load(crate::sync::Ordering::SeqCst)
    }

    /// Whether [`len`](Self::len) is 0.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Port of `timers.take`: moves `src`'s timers here (its P is being
    /// destroyed) and retires `src`: until [`revive`](Self::revive)d, timers
    /// added to it go to the process heap. Returns the earliest deadline
    /// moved (0: none); pass it to [`wake`](Self::wake) once no lock is held.
    /// Runs no user code (stopped `after_func` timers it drops go to a
    /// runner thread), so it may be called under an executor's locks.
    pub fn take(&self, src: &TimerHeap) -> i64 {
        if cfg!(gort_loom) {
            return 0;
        }
        self.0.take(&src.0, true)
    }

    /// The P of a retired heap was made again: it takes timers again.
    pub fn revive(&self) {
        if !cfg!(gort_loom) {
            self.0.revive();
        }
    }

    /// Tells this heap's waker that it must run by `when`.
    pub fn wake(&self, when: i64) {
        self.0.wake(when);
    }

    /// Moves the heap's timers to the process heap and retires it, for an
    /// executor that shuts down: the timer thread runs them from now on.
    pub fn retire_to_process(&self) {
        let earliest = timers().take(&self.0, true);
        if earliest != 0 {
            timers().wake(earliest);
        }
    }
}

/// Go's `nanotime()`: the clock of every `when` in this module.
pub fn nanotime() -> i64 {
    clock::nanotime()
}

/// Makes `heap` the calling thread's heap (Go: `getg().m.p.ptr().timers`):
/// timers this thread schedules go there. `None`: the process heap.
pub fn set_local(heap: Option<&TimerHeap>) {
    imp::set(heap.map(|h| &h.0));
}

/// The calling thread's heap, if an executor set one.
pub(crate) fn local() -> Option<Arc<Timers>> {
    imp::get()
}

#[cfg(not(gort_loom))]
mod imp {
    use crate::heap::Timers;
    use std::cell::RefCell;
    use std::sync::Arc;

    std::thread_local! {
        static LOCAL: RefCell<Option<Arc<Timers>>> = const { RefCell::new(None) };
    }

    pub(super) fn set(heap: Option<&Arc<Timers>>) {
        let _ = LOCAL.try_with(|l| {
            let same = match (&*l.borrow(), heap) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            };
            if !same {
                // Dropped after the borrow ends.
                let _old = l.replace(heap.cloned());
            }
        });
    }

    pub(super) fn get() -> Option<Arc<Timers>> {
        LOCAL.try_with(|l| l.borrow().clone()).ok().flatten()
    }
}

/// Under loom every timer uses the process heap: models run their threads
/// on one OS thread, so a thread-local would leak between them. The Ps'
/// heaps then stay empty, and their methods touch nothing (so executor
/// models explore no extra branches).
#[cfg(gort_loom)]
mod imp {
    use crate::heap::Timers;
    use std::sync::Arc;

    pub(super) fn set(_heap: Option<&Arc<Timers>>) {}

    pub(super) fn get() -> Option<Arc<Timers>> {
        None
    }
}
