//! A span: a run of heap pages holding objects of one size class, or one
//! large object. Port of `mspan` (runtime/mheap.go) with its allocation
//! bitmap scan from runtime/mbitmap.go.
//!
//! # Deviation: explicit frees instead of a sweeper
//!
//! Go learns which objects died by marking; a span's `allocBits` are
//! rebuilt from its mark bits when it is swept. Here a free is explicit and
//! may come from any thread at any time, so every span carries a second
//! bitmap, `freed`, which plays the mark bits' part inverted: a free sets
//! its object's bit there (one atomic `fetch_or`) and decrements the span's
//! `count`. The bitmap is merged into `alloc_bits` only by whoever holds
//! the span exclusively ([`MSpan::sweep`], Go's `mspan.sweep`), so the
//! owner's allocation path stays the unsynchronised scan Go has.
//!
//! # The `count` word
//!
//! `count` = [`HELD`] while a thread cache (or the central list sweeping
//! it) holds the span, plus the objects not available for a new holder:
//! the live objects (allocated, not freed) and, while held, the free slots
//! the holder reserved when it took the span (Go's `cacheSpan` counts the
//! whole span as allocated in the same way). When not held, `count` is
//! exactly the number of live objects. Whoever moves `count` to a value
//! that needs the central list to change acts on it (see
//! [`crate::central`]).

use core::ptr;
use gort_sync::{AtomicPtr, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering::*, UnsafeCell};

use crate::sizeclasses::{CLASS_TO_DIVMAGIC, MAX_OBJS_PER_SPAN};
use crate::throw::throw;

/// The `count` flag of a held span.
pub const HELD: usize = 1 << (usize::BITS - 1);

/// Words in a span's bitmaps: one bit per object, at most 1024 objects.
const BITMAP_WORDS: usize = MAX_OBJS_PER_SPAN / 64;

/// Which central list a span is on; guarded by that central's lock.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum List {
    /// Has a free slot (Go's partial span sets).
    Partial = 1,
    /// Every slot live (Go's full span sets).
    Full = 2,
}

impl List {
    /// The `MSpan::list` value of a span of `class` on this list (never 0).
    pub fn tag(self, class: u8) -> u32 {
        (class as u32) << 8 | self as u32
    }
}

/// What only the span's current holder touches: the allocation scan.
/// Port of the allocation half of `mspan`'s fields.
#[derive(Debug)]
pub struct Owned {
    /// Go's `freeindex`: every slot below it is allocated (until the next
    /// sweep); slots at or above it are free where `alloc_bits` is 0.
    pub freeindex: usize,
    /// Go's `allocCache`: the complement of `alloc_bits` from the 64-bit
    /// word holding `freeindex`, shifted so bit 0 is `freeindex`.
    pub alloc_cache: u64,
    /// Go's `allocCount`: objects allocated, as the holder knows it.
    pub alloc_count: usize,
    /// Go's `allocBits`: 1 = allocated at the last sweep.
    pub alloc_bits: [u64; BITMAP_WORDS],
    /// Objects the holder's own thread freed since the last sweep: the
    /// holder's twin of `MSpan::freed`, written without atomics (see
    /// [`MSpan::free_local`]).
    local_freed: [u64; BITMAP_WORDS],
    /// How many bits `local_freed` has: frees not yet taken off `count`.
    local_frees: usize,
}

/// Port of `mspan`. Span structures are never returned to the OS (they come
/// from a [`crate::fixalloc::FixAlloc`] that does not zero them, as Go's
/// `spanalloc`), so a stale pointer to one always reads some span's fields:
/// every field another thread may read is atomic, and [`crate::central`]
/// revalidates what it reads under its lock. `Relaxed` suffices for the
/// shape fields: they are written before the span is published through a
/// lock or the arena's span map, which order them.
#[derive(Debug)]
#[repr(C)]
pub struct MSpan {
    /// The free-list link while the structure is unused (Go's `mlink`);
    /// first, as [`crate::fixalloc`] requires.
    pub(crate) link: AtomicPtr<u8>,
    /// Go's `startAddr`.
    start: AtomicUsize,
    /// Go's `npages`.
    npages: AtomicUsize,
    /// Go's `elemsize`; the span's bytes for a large span.
    elemsize: AtomicUsize,
    /// Go's `nelems`.
    nelems: AtomicUsize,
    /// Go's `divMul`: `obj_index` without a division.
    div_mul: AtomicU32,
    /// Go's `spanclass` (no scan bit: nothing here is scanned); 0 = large.
    class: AtomicU8,
    /// The central list the span is on: [`List::tag`] of its class and
    /// list, 0 on none. One word for both, written only under that class's
    /// central lock (or by `init`, when no list holds the span), so a stale
    /// freer that reads its own class's tag under its lock knows the span
    /// is on its lists, in the incarnation it checks next.
    pub(crate) list: AtomicU32,
    /// Central list links (Go ≤ 1.15's `mSpanList`; see [`crate::central`]).
    pub(crate) next: AtomicPtr<MSpan>,
    /// See `next`.
    pub(crate) prev: AtomicPtr<MSpan>,
    /// See the module docs.
    pub count: AtomicUsize,
    /// Objects freed since the last sweep (the module docs).
    freed: [AtomicU64; BITMAP_WORDS],
    /// The holder's state.
    owned: UnsafeCell<Owned>,
}

#[cfg(gort_loom)]
impl Default for MSpan {
    /// An unused span structure. Outside loom models the structures come
    /// zeroed from the span allocator instead (an all-zero `MSpan` is this).
    fn default() -> Self {
        MSpan {
            link: AtomicPtr::new(ptr::null_mut()),
            start: AtomicUsize::new(0),
            npages: AtomicUsize::new(0),
            elemsize: AtomicUsize::new(0),
            nelems: AtomicUsize::new(0),
            div_mul: AtomicU32::new(0),
            class: AtomicU8::new(0),
            list: AtomicU32::new(0),
            next: AtomicPtr::new(ptr::null_mut()),
            prev: AtomicPtr::new(ptr::null_mut()),
            count: AtomicUsize::new(0),
            freed: core::array::from_fn(|_| AtomicU64::new(0)),
            owned: UnsafeCell::new(Owned {
                freeindex: 0,
                alloc_cache: 0,
                alloc_count: 0,
                alloc_bits: [0; BITMAP_WORDS],
                local_freed: [0; BITMAP_WORDS],
                local_frees: 0,
            }),
        }
    }
}

// SAFETY: every field is atomic except `owned`, which only the span's one
// holder touches (`MSpan::owned`'s contract).
unsafe impl Sync for MSpan {}

impl MSpan {
    /// Port of `mspan.init` plus the small-object part of
    /// `mheap.initSpan`: `count` starts [`HELD`] with every slot reserved,
    /// because a new span goes straight to the cache that asked for it.
    /// A large span (`class` 0) holds one object, counted live.
    ///
    /// # Safety
    /// The structure is not in use: fresh from the span allocator (stale
    /// readers may still load its atomics, which is allowed).
    pub unsafe fn init(&self, start: usize, npages: usize, class: u8, elemsize: usize) {
        let bytes = npages * crate::PAGE_SIZE;
        let nelems = if class == 0 { 1 } else { bytes / elemsize };
        self.start.store(start, Relaxed);
        self.npages.store(npages, Relaxed);
        self.elemsize.store(elemsize, Relaxed);
        self.nelems.store(nelems, Relaxed);
        self.div_mul
            .store(CLASS_TO_DIVMAGIC[class as usize], Relaxed);
        self.list.store(0, Relaxed);
        self.next.store(ptr::null_mut(), Relaxed);
        self.prev.store(ptr::null_mut(), Relaxed);
        self.class.store(class, Relaxed);
        let count = if class == 0 { 1 } else { HELD | nelems };
        self.count.store(count, Relaxed);
        for w in &self.freed {
            w.store(0, Relaxed);
        }
        // SAFETY: nobody holds an unused span but its initialiser.
        let owned = unsafe { self.owned() };
        owned.freeindex = 0;
        owned.alloc_count = 0;
        owned.alloc_bits = [0; BITMAP_WORDS];
        owned.local_freed = [0; BITMAP_WORDS];
        owned.local_frees = 0;
        owned.refill_alloc_cache(0);
    }

    /// Go's `s.base()`.
    #[inline]
    pub fn start(&self) -> usize {
        self.start.load(Relaxed)
    }

    /// Go's `s.npages`.
    #[inline]
    pub fn npages(&self) -> usize {
        self.npages.load(Relaxed)
    }

    /// Go's `s.elemsize`.
    #[inline]
    pub fn elemsize(&self) -> usize {
        self.elemsize.load(Relaxed)
    }

    /// Go's `s.nelems`.
    #[inline]
    pub fn nelems(&self) -> usize {
        self.nelems.load(Relaxed)
    }

    /// Go's `s.spanclass.sizeclass()`: 0 for a large span.
    #[inline]
    pub fn class(&self) -> u8 {
        self.class.load(Relaxed)
    }

    /// The holder's state.
    ///
    /// # Safety
    /// The caller holds the span: its cache has it in `alloc`, or its
    /// central took it off its lists under the lock and set [`HELD`], or it
    /// is new and not yet published.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn owned(&self) -> &mut Owned {
        // SAFETY: only the holder calls this (the caller's promise), and
        // there is one holder at a time (under loom the access is checked
        // against the others').
        self.owned.with_mut(|o| unsafe { &mut *o })
    }

    /// Port of `mspan.objIndex`: the index of the object holding `p`.
    #[inline]
    pub fn obj_index(&self, p: usize) -> usize {
        let offset = (p - self.start()) as u64;
        ((offset * self.div_mul.load(Relaxed) as u64) >> 32) as usize
    }

    /// Records the free of object `i` in `freed` (the first half of a
    /// small free; the caller then decrements `count`). Release ordering:
    /// whoever sweeps after seeing the bit also sees the object's last
    /// writes done before the free.
    pub(crate) fn mark_freed(&self, i: usize) {
        let bit = 1u64 << (i % 64);
        let old = self.freed[i / 64].fetch_or(bit, Release);
        if cfg!(debug_assertions) && old & bit != 0 {
            throw!("object {i} of the span at {:#x} freed twice", self.start());
        }
    }

    /// Port of `mspan.sweep` for explicit frees: every slot below
    /// `freeindex` becomes allocated in `alloc_bits`, then every slot freed
    /// since the last sweep becomes free; the scan restarts at 0. Returns
    /// the number of free slots.
    ///
    /// # Safety
    /// As [`MSpan::owned`].
    pub(crate) unsafe fn sweep(&self) -> usize {
        // SAFETY: the caller holds the span.
        let o = unsafe { self.owned() };
        let nelems = self.nelems();
        let words = nelems.div_ceil(64);
        let mut live = 0;
        for w in 0..words {
            let below = o.freeindex.saturating_sub(w * 64).min(64);
            let taken = if below == 64 {
                u64::MAX
            } else {
                (1u64 << below) - 1
            };
            let freed = self.freed[w].swap(0, Acquire) | o.local_freed[w];
            o.local_freed[w] = 0;
            let bits = (o.alloc_bits[w] | taken) & !freed;
            o.alloc_bits[w] = bits & valid_mask(nelems, w);
            live += o.alloc_bits[w].count_ones() as usize;
        }
        self.take_local_frees(o);
        o.freeindex = 0;
        o.alloc_count = live;
        o.refill_alloc_cache(0);
        nelems - live
    }

    /// Takes the holder's own frees off `count`, once their bits are merged.
    fn take_local_frees(&self, o: &mut Owned) {
        if o.local_frees > 0 {
            self.count.fetch_sub(o.local_frees, Relaxed);
            o.local_frees = 0;
        }
    }

    /// The free of object `i` by the thread whose cache holds the span: no
    /// atomic operation, since only the holder reads its own record, and
    /// the holder's next sweep (or its `flush_local`, when it gives the
    /// span back) applies it. Go has no twin: its frees are the sweeper's.
    ///
    /// # Safety
    /// As [`MSpan::owned`]; `i` is a live object of the span.
    pub unsafe fn free_local(&self, i: usize) {
        // SAFETY: the caller holds the span.
        let o = unsafe { self.owned() };
        let bit = 1u64 << (i % 64);
        if cfg!(debug_assertions) && o.local_freed[i / 64] & bit != 0 {
            throw!("object {i} of the span at {:#x} freed twice", self.start());
        }
        o.local_freed[i / 64] |= bit;
        o.local_frees += 1;
    }

    /// Before the holder gives the span back: its own frees join the
    /// shared `freed` bitmap (for the next holder's sweep). Returns how
    /// many there were, not yet taken off `count` (the caller does).
    ///
    /// # Safety
    /// As [`MSpan::owned`].
    pub(crate) unsafe fn flush_local(&self) -> usize {
        // SAFETY: the caller holds the span.
        let o = unsafe { self.owned() };
        if o.local_frees == 0 {
            return 0;
        }
        for (shared, local) in self.freed.iter().zip(&mut o.local_freed) {
            if *local != 0 {
                shared.fetch_or(*local, Release);
                *local = 0;
            }
        }
        core::mem::take(&mut o.local_frees)
    }
}

impl MSpan {
    /// Makes the slots freed since the span was taken reusable by its
    /// holder, once its scan found no free slot (Go has no twin: its
    /// holder never sees frees before the next sweep). Sweeping here saves
    /// giving the span back and taking it again, and keeps a span that
    /// its holder empties from going back to the heap at every turn.
    /// Returns whether a slot was found.
    ///
    /// # Safety
    /// As [`MSpan::owned`]; every reserved slot has been allocated
    /// (`alloc_count == nelems`).
    pub unsafe fn reclaim(&self) -> bool {
        // SAFETY: the caller holds the span.
        let local = unsafe { self.owned() }.local_frees;
        let live = (self.count.load(Acquire) & !HELD) - local;
        if live == self.nelems() {
            return false;
        }
        // SAFETY: the caller holds the span.
        let free = unsafe { self.sweep() };
        // `count` is now HELD + live with nothing reserved (the sweep took
        // the local frees off): reserve what it found, as `cache_span` does.
        self.count.fetch_add(free, Relaxed);
        free > 0
    }
}

/// The bits of word `w` that name real objects (the tail of the last
/// word is not part of the span).
fn valid_mask(nelems: usize, w: usize) -> u64 {
    let n = nelems.saturating_sub(w * 64).min(64);
    if n == 64 { u64::MAX } else { (1u64 << n) - 1 }
}

impl Owned {
    /// Port of `mspan.refillAllocCache`: loads the complement of the 64
    /// allocation bits of word `word` (Go passes the byte offset).
    fn refill_alloc_cache(&mut self, word: usize) {
        self.alloc_cache = !self.alloc_bits[word];
    }

    /// Port of `nextFreeFast` (runtime/malloc.go): the next free slot if
    /// the cached 64 bits have one and taking it does not need a refill.
    #[inline]
    pub fn next_free_fast(&mut self, nelems: usize) -> Option<usize> {
        let bit = self.alloc_cache.trailing_zeros() as usize;
        if bit < 64 {
            let result = self.freeindex + bit;
            if result < nelems {
                let next = result + 1;
                if next % 64 == 0 && next != nelems {
                    return None;
                }
                self.alloc_cache = self.alloc_cache.checked_shr(bit as u32 + 1).unwrap_or(0);
                self.freeindex = next;
                self.alloc_count += 1;
                return Some(result);
            }
        }
        None
    }

    /// Port of `mspan.nextFreeIndex` (runtime/mbitmap.go): the next free
    /// slot at or after `freeindex`, or `nelems` when there is none. Does
    /// not count the allocation (the caller does, as Go's `nextFree`).
    pub fn next_free_index(&mut self, nelems: usize) -> usize {
        let mut free = self.freeindex;
        if free >= nelems {
            return nelems;
        }
        let mut bit = self.alloc_cache.trailing_zeros() as usize;
        while bit == 64 {
            free = (free + 64) & !63;
            if free >= nelems {
                self.freeindex = nelems;
                return nelems;
            }
            self.refill_alloc_cache(free / 64);
            bit = self.alloc_cache.trailing_zeros() as usize;
        }
        let result = free + bit;
        if result >= nelems {
            self.freeindex = nelems;
            return nelems;
        }
        self.alloc_cache = self.alloc_cache.checked_shr(bit as u32 + 1).unwrap_or(0);
        let next = result + 1;
        if next % 64 == 0 && next != nelems {
            self.refill_alloc_cache(next / 64);
        }
        self.freeindex = next;
        result
    }
}
