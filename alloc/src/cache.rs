//! The per-thread cache of spans, one per size class. Port of `mcache`
//! (runtime/mcache.go): `nextFree`, `refill`, `releaseAll`.
//!
//! Deviations: Go has one `mcache` per P; a Rust allocator has no P, so
//! each thread gets its own, made on the thread's first small allocation
//! and released by a pthread key destructor when the thread exits. The
//! thread-local slot is a `const`-initialised `Cell` without a destructor,
//! so reaching it never allocates and never fails, even while other
//! thread-local destructors run; after the cache is released, each
//! allocation of the thread (still running destructors) gets a cache of
//! its own for that call, as Go uses `mcache0` while no P exists. Go counts allocations per refill;
//! here each cache keeps per-class counters that [`crate::stats`] sums
//! (Go stops the world to flush them instead).

use core::cell::Cell;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering::*};
use gort_sync::lock;
use std::sync::Mutex;

use crate::central::CENTRAL;
use crate::fixalloc::FixAlloc;
use crate::sizeclasses::NUM_SIZE_CLASSES;
use crate::span::MSpan;

/// Counters a cache keeps for [`crate::stats`]; each is written only by
/// the cache's thread (a load and a store, no read-modify-write) and read
/// by anyone.
#[derive(Debug)]
pub(crate) struct Counters {
    /// Small objects allocated, per class.
    pub(crate) mallocs: [AtomicU64; NUM_SIZE_CLASSES],
    /// Small objects freed, per class (counted by the freeing thread).
    pub(crate) frees: [AtomicU64; NUM_SIZE_CLASSES],
    /// Large objects allocated.
    pub(crate) large_mallocs: AtomicU64,
    /// Large objects freed.
    pub(crate) large_frees: AtomicU64,
    /// Bytes of large objects allocated.
    pub(crate) large_alloc_bytes: AtomicU64,
    /// Bytes of large objects freed.
    pub(crate) large_free_bytes: AtomicU64,
}

impl Counters {
    const fn new() -> Self {
        Counters {
            mallocs: [const { AtomicU64::new(0) }; NUM_SIZE_CLASSES],
            frees: [const { AtomicU64::new(0) }; NUM_SIZE_CLASSES],
            large_mallocs: AtomicU64::new(0),
            large_frees: AtomicU64::new(0),
            large_alloc_bytes: AtomicU64::new(0),
            large_free_bytes: AtomicU64::new(0),
        }
    }

    /// Adds `n` to a counter only this thread writes.
    #[inline]
    pub(crate) fn bump(c: &AtomicU64, n: u64) {
        c.store(c.load(Relaxed) + n, Relaxed);
    }

    /// Adds every counter of `other` to `self` (both under the registry
    /// lock, so plain load-and-store adds are exact).
    fn absorb(&self, other: &Counters) {
        let pairs = self
            .mallocs
            .iter()
            .zip(&other.mallocs)
            .chain(self.frees.iter().zip(&other.frees));
        let large = [
            (&self.large_mallocs, &other.large_mallocs),
            (&self.large_frees, &other.large_frees),
            (&self.large_alloc_bytes, &other.large_alloc_bytes),
            (&self.large_free_bytes, &other.large_free_bytes),
        ];
        for (a, b) in pairs.chain(large) {
            Counters::bump(a, b.load(Relaxed));
        }
    }
}

/// Port of `mcache`.
#[derive(Debug)]
#[repr(C)]
pub(crate) struct MCache {
    /// The free-list link of [`FixAlloc`] (first, as it requires).
    link: AtomicPtr<u8>,
    /// Go's `alloc`: the span each class allocates from, or null.
    alloc: [Cell<*mut MSpan>; NUM_SIZE_CLASSES],
    /// The next cache in the registry (for [`crate::stats`]).
    next: AtomicPtr<MCache>,
    /// See [`Counters`].
    pub(crate) counters: Counters,
}

// SAFETY: `alloc` is used only by the cache's owner: its thread, or
// whoever holds the shared cache's lock; every other field is atomic.
unsafe impl Sync for MCache {}

impl MCache {
    const fn new() -> Self {
        MCache {
            link: AtomicPtr::new(ptr::null_mut()),
            alloc: [const { Cell::new(ptr::null_mut()) }; NUM_SIZE_CLASSES],
            next: AtomicPtr::new(ptr::null_mut()),
            counters: Counters::new(),
        }
    }

    /// Whether this cache holds `s` as its span of `class` (then a free
    /// into it is the holder's, [`MSpan::free_local`]).
    #[inline]
    pub(crate) fn holds(&self, class: u8, s: *const MSpan) -> bool {
        ptr::eq(self.alloc[class as usize].get(), s)
    }

    /// The next cache in the registry.
    pub(crate) fn next(&self) -> *const MCache {
        self.next.load(Relaxed)
    }

    /// Go's `mallocgc` small-object path through `nextFreeFast` and
    /// `nextFree`: an object of `class`, or null when memory is exhausted.
    #[inline]
    pub(crate) fn alloc(&self, class: u8) -> *mut u8 {
        let slot = &self.alloc[class as usize];
        let s = slot.get();
        if !s.is_null() {
            // SAFETY: this cache holds its spans.
            let span = unsafe { &*s };
            // SAFETY: as above.
            if let Some(i) = unsafe { span.owned() }.next_free_fast(span.nelems()) {
                Counters::bump(&self.counters.mallocs[class as usize], 1);
                return (span.start() + i * span.elemsize()) as *mut u8;
            }
        }
        self.next_free(class)
    }

    /// Port of `mcache.nextFree`.
    #[cold]
    fn next_free(&self, class: u8) -> *mut u8 {
        let slot = &self.alloc[class as usize];
        let mut s = slot.get();
        loop {
            if !s.is_null() {
                // SAFETY: this cache holds its spans.
                let span = unsafe { &*s };
                // SAFETY: as above.
                let o = unsafe { span.owned() };
                let i = o.next_free_index(span.nelems());
                if i < span.nelems() {
                    o.alloc_count += 1;
                    Counters::bump(&self.counters.mallocs[class as usize], 1);
                    return (span.start() + i * span.elemsize()) as *mut u8;
                }
                // SAFETY: this cache holds the span, and the scan just
                // used up every slot it reserved.
                if unsafe { span.reclaim() } {
                    continue;
                }
            }
            s = self.refill(class);
            if s.is_null() {
                return ptr::null_mut();
            }
        }
    }

    /// Port of `mcache.refill`: gives the class's exhausted span back and
    /// takes one with a free slot.
    fn refill(&self, class: u8) -> *mut MSpan {
        let slot = &self.alloc[class as usize];
        let old = slot.replace(ptr::null_mut());
        if !old.is_null() {
            // SAFETY: this cache held `old` and forgets it.
            unsafe { CENTRAL[class as usize].uncache_span(old) };
        }
        let s = CENTRAL[class as usize].cache_span();
        // An allocation nested in this one (the C library allocating for
        // the scavenger's thread, when this allocator serves `malloc`) may
        // have refilled the slot meanwhile: give that span back.
        let nested = slot.replace(s);
        if !nested.is_null() {
            // SAFETY: this cache held `nested` and forgets it.
            unsafe { CENTRAL[class as usize].uncache_span(nested) };
        }
        s
    }

    /// Port of `mcache.releaseAll`: every held span goes back to its
    /// central list.
    fn release_all(&self) {
        for (class, slot) in self.alloc.iter().enumerate() {
            let s = slot.replace(ptr::null_mut());
            if !s.is_null() {
                // SAFETY: this cache held `s` and forgets it.
                unsafe { CENTRAL[class].uncache_span(s) };
            }
        }
    }
}

thread_local! {
    /// The thread's cache: null before its first use, [`RELEASED`] after
    /// its thread-exit release.
    static CACHE: Cell<*const MCache> = const { Cell::new(ptr::null()) };
}

/// The `CACHE` value of a thread whose cache was released.
const RELEASED: *const MCache = ptr::dangling();

/// Caches made so far, for [`crate::stats`], with the counters of
/// released ones folded into `retired`.
#[derive(Debug)]
pub(crate) struct Registry {
    alloc: FixAlloc<MCache>,
    /// The first live cache; linked through `MCache::next`.
    pub(crate) head: *const MCache,
}

// SAFETY: raw pointers to caches that live for the whole program; the
// mutex serialises every access.
unsafe impl Send for Registry {}

/// See [`Registry`].
pub(crate) static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    alloc: FixAlloc::new(true),
    head: ptr::null(),
});

/// The counters of released caches.
pub(crate) static RETIRED: Counters = Counters::new();

/// The pthread key whose destructor releases a thread's cache (0 = not
/// made yet; the key itself is stored plus one).
static KEY: AtomicUsize = AtomicUsize::new(0);

/// Runs `f` with the calling thread's cache.
#[inline]
pub(crate) fn with_cache<R>(f: impl FnOnce(&MCache) -> R) -> R {
    let c = CACHE.try_with(Cell::get).unwrap_or(RELEASED);
    if !c.is_null() && c != RELEASED {
        // SAFETY: a thread's cache lives until its thread-exit release,
        // which sets `CACHE` to RELEASED first.
        return f(unsafe { &*c });
    }
    with_cache_slow(c, f)
}

#[cold]
fn with_cache_slow<R>(c: *const MCache, f: impl FnOnce(&MCache) -> R) -> R {
    if c.is_null() {
        if let Some(c) = make_cache() {
            // SAFETY: just made for this thread; it lives until its release.
            return f(unsafe { &*c });
        }
    }
    // No cache of its own (released at thread exit, or none could be
    // made): a cache for this one call, given back at once. Slow (a span
    // taken and returned per allocation), but it takes no lock a nested
    // allocation could need.
    let temp = MCache::new();
    let r = f(&temp);
    temp.release_all();
    let _r = lock(&REGISTRY);
    RETIRED.absorb(&temp.counters);
    r
}

/// Makes and registers the calling thread's cache, or `None` if it cannot
/// (then the thread uses the shared one).
fn make_cache() -> Option<*const MCache> {
    let key = key()?;
    let c = {
        let mut r = lock(&REGISTRY);
        let c = r.alloc.alloc();
        if c.is_null() {
            return None;
        }
        // SAFETY: fresh, zeroed cache (a valid empty MCache); linked in
        // under the registry lock.
        unsafe { (*c).next.store(r.head.cast_mut(), Relaxed) };
        r.head = c;
        c
    };
    // SAFETY: `key` is a live key; glibc's own malloc may serve this call,
    // never this allocator.
    if unsafe { libc::pthread_setspecific(key, c.cast()) } != 0 {
        // Without the destructor the cache would never be released: give
        // it back unused (the thread uses the shared cache).
        release(c.cast());
        return None;
    }
    CACHE.with(|slot| slot.set(c));
    Some(c)
}

/// The key whose destructor releases caches, made on first use.
fn key() -> Option<libc::pthread_key_t> {
    let k = KEY.load(Acquire);
    if k != 0 {
        return Some((k - 1) as libc::pthread_key_t);
    }
    let mut key: libc::pthread_key_t = 0;
    // SAFETY: `key` is a valid out-pointer; the destructor has the C ABI.
    if unsafe { libc::pthread_key_create(&mut key, Some(release)) } != 0 {
        return None;
    }
    match KEY.compare_exchange(0, key as usize + 1, AcqRel, Acquire) {
        Ok(_) => Some(key),
        Err(winner) => {
            // SAFETY: our key was never used.
            unsafe { libc::pthread_key_delete(key) };
            Some((winner - 1) as libc::pthread_key_t)
        }
    }
}

/// The thread-exit destructor: the cache's spans go back to the central
/// lists, its counters to [`RETIRED`], the structure to the registry.
extern "C" fn release(p: *mut libc::c_void) {
    let c = p.cast::<MCache>().cast_const();
    let _ = CACHE.try_with(|slot| slot.set(RELEASED));
    // SAFETY: the destructor runs once, for the thread that owned `c`, and
    // the thread no longer reaches `c` (its slot says RELEASED).
    let cache = unsafe { &*c };
    cache.release_all();
    let mut r = lock(&REGISTRY);
    RETIRED.absorb(&cache.counters);
    let next = cache.next.load(Relaxed);
    if r.head == c {
        r.head = next;
    } else {
        let mut at = r.head;
        loop {
            // SAFETY: every cache on the registry list is live; the lock
            // is held; `c` is on the list, so the walk ends at it.
            let after = unsafe { &(*at).next };
            if after.load(Relaxed).cast_const() == c {
                after.store(next, Relaxed);
                break;
            }
            at = after.load(Relaxed);
        }
    }
    // SAFETY: unlinked and unused from now on.
    unsafe { r.alloc.free(c.cast_mut()) };
}
