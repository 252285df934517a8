//! Thread ids and pinning: gort-pool's stand-in for Go's Ps and
//! `procPin`/`procUnpin`, plus the grace period that replaces Go's
//! stop-the-world in `clear`.
//!
//! Each OS thread that uses a pool takes a small id (`pid`) from one
//! process-wide registry, lowest free first, and gives it back when the thread
//! exits. A pid is owned by exactly one live thread, which makes it the sole
//! producer of the pid's `poolChain` in every pool (the dequeue is
//! single-producer). Ids of exited threads are reused, so every per-pid array
//! stays as small as the largest number of threads alive at once.
//!
//! Each pid has a pin word, a counter that is odd while its thread is inside
//! a pool operation (Go: `procPin`, which holds off the stop-the-world).
//! [`synchronize`] waits until every operation that was pinned when it was
//! called has ended, which is the grace period after which `clear` frees the
//! memory it unlinked. A pin is a store to the pin word followed by the light
//! fence of `gort_park::barrier`; the clearer unlinks, issues the heavy fence, then
//! reads the pin words (the store-buffering pattern): either the clearer sees
//! the pin and waits, or the pinned thread sees the unlinked pointer gone.

use crate::live;
use crate::segments::{Place, Segments};
use crate::sync::{self, AtomicU64, AtomicUsize, Mutex, Ordering, SpinWait};
use core::cmp::Reverse;
use core::marker::PhantomData;
use crossbeam_utils::CachePadded;
use gort_park::barrier;
use std::collections::BinaryHeap;

/// A pid's pin word (Go: the `m.locks` that `procPin` raises).
struct Proc {
    /// Odd while the pid's thread is inside a pool operation; +1 at pin and
    /// at unpin, so any change means the pinned operation seen has ended.
    pin: AtomicU64,
}

/// The ids handed out and free.
struct Ids {
    /// One past the largest id ever handed out.
    next: usize,
    /// Released ids, smallest first.
    free: BinaryHeap<Reverse<usize>>,
}

/// The process-wide registry of pids.
struct Registry {
    procs: Segments<CachePadded<Proc>>,
    ids: Mutex<Ids>,
    /// `Ids::next`, readable without the lock: the bound of every walk over
    /// pids (Go: `localSize`, the number of Ps).
    len: AtomicUsize,
}

sync::global! {
    static REGISTRY: Registry = Registry {
        procs: Segments::new(),
        ids: Mutex::new(Ids { next: 0, free: BinaryHeap::new() }),
        len: AtomicUsize::new(0),
    };
}

/// One past the largest pid ever handed out: pids are `0..len()`.
pub(crate) fn len() -> usize {
    REGISTRY.len.load(Ordering::Acquire)
}

impl Registry {
    /// Takes the lowest free pid.
    fn acquire(&self) -> usize {
        let mut ids = sync::lock(&self.ids);
        match ids.free.pop() {
            Some(Reverse(pid)) => pid,
            None => {
                ids.next += 1;
                self.len.store(ids.next, Ordering::Release);
                ids.next - 1
            }
        }
    }

    /// Frees `pid` for the next thread.
    fn release(&self, pid: usize) {
        sync::lock(&self.ids).free.push(Reverse(pid));
    }
}

/// Port of what `poolCleanup` gets from stopping the world: waits until every
/// pool operation that was pinned when this was called has ended.
///
/// The caller has unlinked memory and then issued [`barrier::heavy`]; after
/// this returns, no thread still holds a pointer it loaded before the unlink.
pub(crate) fn synchronize() {
    // Any pin not counted in this `len` began after our fence (a pid is
    // registered before its first pin), so it sees the unlink.
    let n = len();
    for pid in 0..n {
        let Some(proc) = REGISTRY.procs.get(pid) else {
            continue;
        };
        // Acquire pairs with the release stores of pins and unpins: reading
        // any value past a pinned section's pin means that section happens
        // before our caller frees anything.
        let seen = proc.pin.load(Ordering::Acquire);
        if seen & 1 == 1 {
            let wait = SpinWait::default();
            while proc.pin.load(Ordering::Acquire) == seen {
                wait.snooze();
            }
        }
    }
}

/// Ownership of one pid by the current thread (Go: a P held by an M). At most
/// one `Handle` per pid exists; it lives in a thread-local, or for one call
/// when the thread-local is gone (see [`with_handle`]).
pub(crate) struct Handle {
    pid: usize,
    /// Where this pid's element is in every per-pid array.
    place: Place,
    proc: &'static Proc,
    /// The process-wide state the handle's drop needs, held so that the drop
    /// never looks up a static (under loom, statics are gone by then).
    registry: &'static Registry,
    live: &'static live::List,
    /// A pid belongs to one thread: not `Send`, not `Sync`.
    _thread: PhantomData<*const ()>,
}

impl Handle {
    /// Takes the lowest free pid.
    fn acquire() -> Handle {
        // The fence mode is fixed before this thread's first pin.
        barrier::init();
        let registry: &'static Registry = &REGISTRY;
        let pid = registry.acquire();
        let place = Place::of(pid);
        let proc = registry.procs.get_or_alloc_at(place, || {
            CachePadded::new(Proc {
                pin: AtomicU64::new(0),
            })
        });
        Handle {
            pid,
            place,
            proc,
            registry,
            live: live::list(),
            _thread: PhantomData,
        }
    }

    /// The pid this thread owns.
    #[inline]
    pub(crate) fn pid(&self) -> usize {
        self.pid
    }

    /// Where this pid's element is in a per-pid array.
    #[inline]
    pub(crate) fn place(&self) -> Place {
        self.place
    }

    /// Port of `runtime_procPin`: marks this thread as inside a pool
    /// operation until the returned guard is dropped.
    ///
    /// While pinned, a thread must not run user code (a constructor, a
    /// `T::drop`, an allocator hook aside), must not block, and must not pin
    /// again: `clear` waits for pinned threads.
    #[inline]
    pub(crate) fn pin(&self) -> Pin<'_> {
        // Only this thread writes the word: a relaxed read is exact.
        let count = self.proc.pin.load(Ordering::Relaxed);
        debug_assert!(count & 1 == 0, "gort-pool: pinned twice");
        // Release, like the unpin: a clearer that reads this value (or any
        // later one) must also see the end of this thread's earlier pinned
        // sections; a relaxed store here would let a clearer that waited for
        // an odd value to change read the *next* pin and skip the unpin.
        self.proc.pin.store(count + 1, Ordering::Release);
        // Orders the store above before every load of a pool's generation
        // pointers: see the module docs.
        barrier::light();
        Pin {
            proc: self.proc,
            count: count + 1,
            _handle: PhantomData,
        }
    }
}

impl Drop for Handle {
    /// The thread is exiting (or a borrowed pid is done): its private values
    /// are flushed to its shared chains, where others can steal them, and the
    /// pid is freed for the next thread.
    fn drop(&mut self) {
        // SAFETY: this handle owns `pid`, and it is not pinned (pins borrow
        // the handle).
        unsafe { self.live.flush(self.pid) };
        self.registry.release(self.pid);
    }
}

/// Proof that the current thread is pinned (Go: between `procPin` and
/// `procUnpin`); unpins when dropped.
pub(crate) struct Pin<'h> {
    proc: &'static Proc,
    count: u64,
    _handle: PhantomData<&'h Handle>,
}

impl Drop for Pin<'_> {
    /// Port of `runtime_procUnpin`.
    #[inline]
    fn drop(&mut self) {
        // Release: everything done while pinned happens before a clearer
        // that reads this value frees memory.
        self.proc.pin.store(self.count + 1, Ordering::Release);
    }
}

sync::thread_local! {
    static HANDLE: Handle = Handle::acquire();
}

/// Runs `f` with the current thread's pid.
///
/// A thread's handle is made on its first pool operation and dropped when the
/// thread exits. A pool operation that runs after that (from another
/// thread-local's destructor) borrows a free pid for the one call and then
/// releases it as an exiting thread would, so nothing it put is stranded.
#[inline]
pub(crate) fn with_handle<R>(f: impl FnOnce(&Handle) -> R) -> R {
    // The handle is borrowed outside `try_with`, so that `f` (which may own
    // the value being put) is not moved into an `Option` for the fallback.
    match HANDLE.try_with(|h| h as *const Handle) {
        // SAFETY: the thread-local lives until this thread's exit, which
        // cannot begin during this call on this thread.
        Ok(h) => f(unsafe { &*h }),
        Err(_) => with_borrowed_handle(f),
    }
}

#[cold]
fn with_borrowed_handle<R>(f: impl FnOnce(&Handle) -> R) -> R {
    let h = Handle::acquire();
    f(&h)
}
