//! Pool generations and their reclamation: Go's `Pool.local` and
//! `Pool.victim` arrays, and `poolCleanup` made safe to run while other
//! threads use the pool.
//!
//! A generation ([`Gen`]) is one array of per-thread locals. A pool points to
//! two: the primary (Go's `local`) and the victim (Go's `victim`). `clear`
//! ([`Generations::rotate`]) makes the primary the victim and frees the old
//! victim with every value in it, as Go's `poolCleanup` does at each GC.
//!
//! Go runs `poolCleanup` with the world stopped, when no goroutine is pinned.
//! Here `clear` races owners in `pushHead`, thieves in `popTail` and getters
//! reading the victim, so freeing waits out a grace period:
//!
//! 1. Every pool operation pins its thread (`registry::Handle::pin`: a store
//!    to the thread's pin word, then the light fence of `gort_park::barrier`) before
//!    it loads a generation pointer, and uses what it loaded only until it
//!    unpins.
//! 2. `rotate` unlinks the old victim (no pointer of the pool leads to it any
//!    more), issues the heavy fence, then waits for every pin word it sees
//!    odd to change (`registry::synchronize`).
//! 3. Then it frees the old victim. A thread that pinned before the fence
//!    was seen and waited for; one that pinned after it loads the new
//!    pointers and never sees the old victim (the fence pair orders the pin
//!    store and the unlink: store buffering cannot hide both).
//!
//! The wait is short: a pinned section runs no user code and never blocks. It
//! allocates at most (a ring, a bucket of locals), and a thread that is
//! descheduled while pinned delays `clear`, never other operations.
//!
//! Writers into the old primary are harmless: a `put` pinned before the
//! rotation may still land its value in what is now the victim, where it is
//! found by later gets or dropped by the next `clear`.

use crate::live::{self, Entry};
use crate::local::Local;
use crate::registry::{self, Pin};
use crate::segments::{Place, Segments};
use crate::sync::{self, AtomicBool, AtomicPtr, Liveness, Mutex, Ordering};
use core::ops::Deref;
use core::ptr;
use crossbeam_utils::CachePadded;
use gort_park::barrier;

/// One generation of a pool's per-thread locals (Go's `[P]poolLocal`).
pub(crate) struct Gen<T> {
    /// The locals, indexed by pid; a thread's local is made on its first put.
    locals: Segments<CachePadded<Local<T>>>,
    /// Go's `victimSize = 0`: a full walk of this generation as the victim
    /// found nothing, so later gets skip it.
    drained: AtomicBool,
    /// This generation's index in the live list (`live.rs`).
    live_index: usize,
    /// Use-after-free detector for the loom models.
    liveness: Liveness,
}

impl<T> Gen<T> {
    /// A new, registered, unpublished generation.
    fn create() -> *mut Gen<T> {
        live::list().register(|live_index| {
            let g = Box::into_raw(Box::new(Gen {
                locals: Segments::new(),
                drained: AtomicBool::new(false),
                live_index,
                liveness: Liveness::new(),
            }));
            // SAFETY: `flush_pid::<T>` is called with this `Gen<T>` only while
            // it is registered, and `destroy` unregisters it before freeing.
            (g, unsafe { Entry::new(g as *const (), flush_pid::<T>) })
        })
    }

    /// Unregisters and frees `g`, dropping every value in it.
    ///
    /// # Safety
    /// `g` came from [`create`](Self::create), is freed once, and no thread
    /// can still reach it: unpublished, or unlinked and a grace period past.
    unsafe fn destroy(g: *mut Gen<T>) {
        // SAFETY: alive until the `Box::from_raw` below (contract).
        let generation = unsafe { &*g };
        live::list().unregister(generation.live_index);
        generation.liveness.freed();
        // SAFETY: made by `Box::into_raw` in `create`; unreachable (contract).
        drop(unsafe { Box::from_raw(g) });
    }

    /// The local of `pid`, if that thread has one in this generation.
    #[inline]
    pub(crate) fn local(&self, pid: usize) -> Option<&Local<T>> {
        self.locals.get(pid).map(|l| &**l)
    }

    /// The local at `place` (the caller's pid), if it has one.
    #[inline]
    pub(crate) fn local_at(&self, place: Place) -> Option<&Local<T>> {
        self.locals.get_at(place).map(|l| &**l)
    }

    /// The local at `place` (the caller's pid), made if needed (Go allocates
    /// all of them in `pinSlow`).
    #[inline]
    pub(crate) fn local_or_alloc(&self, place: Place) -> &Local<T> {
        self.locals
            .get_or_alloc_at(place, || CachePadded::new(Local::new()))
    }

    /// Whether a get found this generation empty as the victim.
    #[inline]
    pub(crate) fn is_drained(&self) -> bool {
        self.drained.load(Ordering::Relaxed)
    }

    /// Lets later gets skip this generation as the victim (a hint: a value
    /// that lands here afterwards waits for the next `clear` to drop it).
    pub(crate) fn mark_drained(&self) {
        self.drained.store(true, Ordering::Relaxed);
    }
}

/// The live-list flush of one pid of a `Gen<T>` (see `live.rs`).
///
/// # Safety
/// `g` is a registered `Gen<T>`; the caller owns `pid` and is not pinned.
unsafe fn flush_pid<T>(g: *const (), pid: usize) {
    // SAFETY: registered, hence alive (contract).
    let generation = unsafe { &*g.cast::<Gen<T>>() };
    generation.liveness.used();
    if let Some(local) = generation.local(pid) {
        // SAFETY: the caller owns `pid` and runs nothing else on it.
        unsafe { local.flush_private() };
    }
}

/// A generation loaded by a pinned thread, usable until the pin ends.
pub(crate) struct Pinned<'p, T> {
    generation: &'p Gen<T>,
}

impl<T> Deref for Pinned<'_, T> {
    type Target = Gen<T>;

    #[inline]
    fn deref(&self) -> &Gen<T> {
        self.generation
    }
}

impl<T> Drop for Pinned<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // The last use, for the loom models' use-after-free check.
        self.generation.liveness.used();
    }
}

/// A pool's two generation pointers (Go's `Pool.local` and `Pool.victim`).
pub(crate) struct Generations<T> {
    /// Go's `local`: where puts go. Null until the first put after a clear.
    primary: AtomicPtr<Gen<T>>,
    /// Go's `victim`: the primary before the last clear.
    victim: AtomicPtr<Gen<T>>,
    /// Serialises rotations (Go's are serialised by stopping the world).
    rotating: Mutex<()>,
}

// SAFETY: the generations own values of type `T`, which move between threads
// (`T: Send`); all shared access goes through the pinning protocol above.
unsafe impl<T: Send> Send for Generations<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Generations<T> {}

impl<T> Generations<T> {
    /// No generations yet.
    pub(crate) fn new() -> Self {
        Self {
            primary: AtomicPtr::new(ptr::null_mut()),
            victim: AtomicPtr::new(ptr::null_mut()),
            rotating: Mutex::new(()),
        }
    }

    #[inline]
    fn load<'p>(slot: &AtomicPtr<Gen<T>>, _pin: &'p Pin<'_>) -> Option<Pinned<'p, T>> {
        // Acquire pairs with the release CAS that published the generation.
        // This load follows the pin's fence: see the module docs.
        let g = slot.load(Ordering::Acquire);
        // SAFETY: loaded while pinned, so it is not freed before the pin
        // ends (step 3 of the module docs), which `'p` enforces.
        let generation = unsafe { g.as_ref() }?;
        generation.liveness.used();
        Some(Pinned { generation })
    }

    /// The primary generation, if any (Go: `p.local` in `pin`).
    #[inline]
    pub(crate) fn primary<'p>(&self, pin: &'p Pin<'_>) -> Option<Pinned<'p, T>> {
        Self::load(&self.primary, pin)
    }

    /// The victim generation, if any (Go: `p.victim` in `getSlow`).
    #[inline]
    pub(crate) fn victim<'p>(&self, pin: &'p Pin<'_>) -> Option<Pinned<'p, T>> {
        Self::load(&self.victim, pin)
    }

    /// Port of `pinSlow` (sync/pool.go), called unpinned: makes a primary
    /// generation if there is none. Go also registers the pool in `allPools`
    /// here; the new generation joins the live list instead.
    #[cold]
    pub(crate) fn install_primary(&self) {
        let fresh = Gen::create();
        if self
            .primary
            .compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // Another thread installed one first.
            // SAFETY: `fresh` was never published.
            unsafe { Gen::destroy(fresh) };
        }
    }

    /// Port of `poolCleanup` (sync/pool.go) for one pool: the primary becomes
    /// the victim and the old victim is dropped, after the grace period of
    /// the module docs. Values are dropped on the calling thread, unpinned
    /// and with no lock held.
    pub(crate) fn rotate(&self) {
        let old = {
            let _one_at_a_time = sync::lock(&self.rotating);
            let primary = self.primary.load(Ordering::Acquire);
            // Victim first: a reader that finds the primary already null
            // finds it here (the live-list flush relies on seeing it).
            let old = self.victim.swap(primary, Ordering::AcqRel);
            if !primary.is_null() {
                // Only rotations make a non-null primary null, and they are
                // serialised: the primary is still `primary`.
                self.primary.store(ptr::null_mut(), Ordering::Release);
            }
            old
        };
        if old.is_null() {
            return;
        }
        // Pairs with the light fence of every pin: see the module docs.
        barrier::heavy();
        registry::synchronize();
        // SAFETY: unlinked above, and every thread that could have loaded it
        // has unpinned since.
        unsafe { Gen::destroy(old) };
    }
}

impl<T> Drop for Generations<T> {
    fn drop(&mut self) {
        for slot in [&self.primary, &self.victim] {
            let g = slot.load(Ordering::Relaxed);
            if !g.is_null() {
                // SAFETY: `&mut self`: no operation on the pool is running,
                // so no thread is pinned on it.
                unsafe { Gen::destroy(g) };
            }
        }
    }
}
