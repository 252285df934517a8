//! The central free lists, one per size class. Port of `mcentral`
//! (runtime/mcentral.go): `cacheSpan`, `uncacheSpan`, `grow`, plus the
//! free-side work that Go's sweeper does.
//!
//! # Deviations, and the protocol they need
//!
//! Go keeps each class's spans in four lock-free span sets (partial/full ×
//! swept/unswept) and learns about freed objects when the sweeper visits a
//! span once per GC cycle. Here frees are explicit and lock-free
//! ([`crate::span`]): a free marks its object and decrements the span's
//! `count`. Two transitions of an unheld span then need the lists, and the
//! free that causes one does the work, under this central's lock:
//!
//! - `count` went from `nelems` to `nelems - 1`: the span is on the full
//!   list and gained a free slot; it moves to the partial list (what Go's
//!   `sweep` does for a full span with freed objects);
//! - `count` went from 1 to 0: the span is empty; it leaves its list and
//!   its pages return to the heap (Go's sweep frees an empty span).
//!
//! Because spans must leave the middle of a list, the lists are Go ≤ 1.15's
//! doubly linked `mSpanList`s under one lock per class, not span sets.
//!
//! Every action re-checks the span under the lock (its class, `count`,
//! and list), because between the decrement and the lock the span may have
//! been taken by a cache, freed, or even reused for another span: span
//! structures are never unmapped, so a stale pointer reads some span's
//! atomics, and each action is right for whatever state it finds (moving
//! a full span that gained a slot, releasing an unheld empty span on a
//! list), whoever's free led to it. A free that leaves `count` with
//! [`HELD`] set does nothing more: the holder accounts for it when it
//! gives the span back (`uncache_span`).

use crate::throw::throw;
use core::ptr;
use gort_sync::{Mutex, MutexGuard, Ordering::*};

#[cfg(not(gort_loom))]
use crate::PAGE_SIZE;
#[cfg(not(gort_loom))]
use crate::heap::HEAP;
#[cfg(not(gort_loom))]
use crate::sizeclasses::NUM_SIZE_CLASSES;
use crate::sizeclasses::{CLASS_TO_ALLOCNPAGES, CLASS_TO_SIZE};
use crate::span::{HELD, List, MSpan};

/// The two lists of one class, threaded through the spans' `next`/`prev`.
#[derive(Debug)]
struct Lists {
    /// The class of the spans listed (for their `list` tags).
    class: u8,
    /// Spans with at least one free slot (`count < nelems`).
    partial: *mut MSpan,
    /// Spans with every slot live.
    full: *mut MSpan,
}

// SAFETY: the lists hold raw pointers to span structures, which live for
// the whole program; the mutex serialises every access.
unsafe impl Send for Lists {}

/// Port of `mcentral`.
#[derive(Debug)]
pub struct MCentral {
    class: u8,
    lists: Mutex<Lists>,
    /// Under loom, the spans released to the (modelled) heap.
    #[cfg(gort_loom)]
    released: Mutex<Vec<usize>>,
}

/// Go's `mheap.central`: one central per size class (index 0 unused).
#[cfg(not(gort_loom))]
pub(crate) static CENTRAL: [MCentral; NUM_SIZE_CLASSES] = {
    let mut c = [const { MCentral::new(0) }; NUM_SIZE_CLASSES];
    let mut i = 0;
    while i < NUM_SIZE_CLASSES {
        c[i] = MCentral::new(i as u8);
        i += 1;
    }
    c
};

impl MCentral {
    #[cfg(not(gort_loom))]
    const fn new(class: u8) -> Self {
        MCentral {
            class,
            lists: Mutex::new(Lists::new(class)),
        }
    }

    /// A central of `class` for a loom model (its heap is modelled).
    #[cfg(gort_loom)]
    pub fn new(class: u8) -> Self {
        MCentral {
            class,
            lists: Mutex::new(Lists::new(class)),
            released: Mutex::new(Vec::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Lists> {
        gort_sync::lock(&self.lists)
    }

    /// Port of `mcentral.cacheSpan`: a span with a free slot for a thread
    /// cache, now held by it, its scan set to the first free slot. Null
    /// when memory is exhausted.
    pub fn cache_span(&self) -> *mut MSpan {
        let mut l = self.lock();
        let s = l.partial;
        if s.is_null() {
            drop(l);
            return self.grow();
        }
        // SAFETY: spans on a list are live structures; the lock guards
        // the links.
        let span = unsafe { &*s };
        l.remove(span);
        span.count.fetch_add(HELD, Relaxed);
        drop(l);
        // SAFETY: the span left the lists under the lock and is marked
        // held: this thread is its only holder.
        let free = unsafe { span.sweep() };
        if cfg!(debug_assertions) && free == 0 {
            throw!("a partial span of class {} had no free slot", self.class);
        }
        span.count.fetch_add(free, Relaxed);
        s
    }

    /// Port of `mcentral.uncacheSpan`: the holder gives the span back. The
    /// slots it reserved and did not use are returned; a span left without
    /// live objects goes back to the heap at once, any other goes on the
    /// list that fits it.
    ///
    /// # Safety
    /// The caller holds `s`, a span of this class, and stops using it.
    pub unsafe fn uncache_span(&self, s: *mut MSpan) {
        // SAFETY: the caller holds the span.
        let span = unsafe { &*s };
        // SAFETY: the caller holds the span.
        let unused = span.nelems() - unsafe { span.owned() }.alloc_count;
        // SAFETY: the caller holds the span.
        let unused = unused + unsafe { span.flush_local() };
        let mut l = self.lock();
        let live = span.count.fetch_sub(HELD + unused, AcqRel) - HELD - unused;
        if live == 0 {
            drop(l);
            // SAFETY: unheld, on no list, no live object: nobody else can
            // reach it any more.
            unsafe { self.release(s) };
        } else if live < span.nelems() {
            l.push(span, List::Partial);
        } else {
            l.push(span, List::Full);
        }
    }

    /// Port of `mcentral.grow`: a new span from the heap, already held.
    #[cfg(not(gort_loom))]
    fn grow(&self) -> *mut MSpan {
        let class = self.class as usize;
        let npages = CLASS_TO_ALLOCNPAGES[class] as usize;
        let size = CLASS_TO_SIZE[class] as usize;
        HEAP.alloc(npages, self.class, size, PAGE_SIZE)
    }

    /// `grow` in a loom model: a new structure at a made-up address.
    #[cfg(gort_loom)]
    fn grow(&self) -> *mut MSpan {
        use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        let class = self.class as usize;
        let npages = CLASS_TO_ALLOCNPAGES[class] as usize;
        let s: &'static MSpan = Box::leak(Box::default());
        let start = NEXT.fetch_add(1, Relaxed) << 24;
        // SAFETY: a new structure nobody else sees.
        unsafe { s.init(start, npages, self.class, CLASS_TO_SIZE[class] as usize) };
        ptr::from_ref(s).cast_mut()
    }

    /// Gives an empty span's pages back to the heap (Go: `mheap.freeSpan`).
    ///
    /// # Safety
    /// Nobody holds or lists `s`, and none of its objects is live.
    #[cfg(not(gort_loom))]
    unsafe fn release(&self, s: *mut MSpan) {
        // SAFETY: the caller's promise.
        unsafe { HEAP.free_span(s) };
    }

    /// `release` in a loom model: recorded for the model to check.
    #[cfg(gort_loom)]
    unsafe fn release(&self, s: *mut MSpan) {
        gort_sync::lock(&self.released).push(s as usize);
    }

    /// The spans released so far (loom models only).
    #[cfg(gort_loom)]
    pub fn released(&self) -> Vec<usize> {
        gort_sync::lock(&self.released).clone()
    }

    /// The spans on the partial and the full list (loom models only).
    #[cfg(gort_loom)]
    pub fn listed(&self) -> (Vec<usize>, Vec<usize>) {
        let l = self.lock();
        let walk = |mut s: *mut MSpan| {
            let mut out = Vec::new();
            while !s.is_null() {
                out.push(s as usize);
                // SAFETY: listed spans are live; the lock is held.
                s = unsafe { (*s).next.load(Relaxed) };
            }
            out
        };
        (walk(l.partial), walk(l.full))
    }

    /// The small-object free: marks object `p` of span `s` freed and does
    /// the list work it causes (module docs).
    ///
    /// # Safety
    /// `p` is a live object of this class in span `s` (from `span_of`),
    /// allocated by this allocator and not freed since.
    pub unsafe fn free(&self, s: *const MSpan, p: usize) {
        // SAFETY: `s` holds the live object `p`, so it is an in-use span.
        let span = unsafe { &*s };
        let nelems = span.nelems();
        span.mark_freed(span.obj_index(p));
        let prev = span.count.fetch_sub(1, AcqRel);
        if prev & HELD != 0 || (prev != 1 && prev != nelems) {
            return;
        }
        let mut l = self.lock();
        // From here `span` may be any incarnation of the structure: only a
        // tag of this class proves it is on this central's lists, and then
        // it stays there, and the same incarnation, while the lock is held.
        let tag = span.list.load(Relaxed);
        let on = if tag == List::Full.tag(self.class) {
            List::Full
        } else if tag == List::Partial.tag(self.class) {
            List::Partial
        } else {
            return;
        };
        let count = span.count.load(Acquire);
        if count == 0 {
            l.remove(span);
            drop(l);
            // SAFETY: unheld (a listed span is not held), now on no list,
            // no live object.
            unsafe { self.release(s.cast_mut()) };
        } else if on == List::Full && count < span.nelems() {
            l.remove(span);
            l.push(span, List::Partial);
        }
    }
}

impl Lists {
    const fn new(class: u8) -> Self {
        Lists {
            class,
            partial: ptr::null_mut(),
            full: ptr::null_mut(),
        }
    }

    fn head(&mut self, which: List) -> &mut *mut MSpan {
        match which {
            List::Partial => &mut self.partial,
            List::Full => &mut self.full,
        }
    }

    /// Port of `mSpanList.insert`.
    fn push(&mut self, s: &MSpan, which: List) {
        let head = self.head(which);
        let first = *head;
        s.prev.store(ptr::null_mut(), Relaxed);
        s.next.store(first, Relaxed);
        if !first.is_null() {
            // SAFETY: listed spans are live structures; the lock is held.
            unsafe { (*first).prev.store(ptr::from_ref(s).cast_mut(), Relaxed) };
        }
        *head = ptr::from_ref(s).cast_mut();
        s.list.store(which.tag(self.class), Relaxed);
    }

    /// Port of `mSpanList.remove`.
    fn remove(&mut self, s: &MSpan) {
        let which = if s.list.load(Relaxed) == List::Full.tag(self.class) {
            List::Full
        } else {
            List::Partial
        };
        let (prev, next) = (s.prev.load(Relaxed), s.next.load(Relaxed));
        if prev.is_null() {
            *self.head(which) = next;
        } else {
            // SAFETY: listed spans are live structures; the lock is held.
            unsafe { (*prev).next.store(next, Relaxed) };
        }
        if !next.is_null() {
            // SAFETY: as above.
            unsafe { (*next).prev.store(prev, Relaxed) };
        }
        s.list.store(0, Relaxed);
    }
}
