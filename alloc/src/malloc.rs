//! The allocator's entry points. Port of `mallocgc`'s size dispatch
//! (runtime/malloc.go: small objects through the cache, large ones
//! straight from the heap, Go's `mcache.allocLarge`) and of the free side
//! that Go's sweeper does.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr;

use crate::PAGE_SIZE;
use crate::arena::span_of;
use crate::cache::{Counters, with_cache};
use crate::central::CENTRAL;
use crate::heap::{HEAP, pages_for};
use crate::sizeclasses::class_for;
use crate::span::MSpan;

/// Go's memory allocator as a Rust global allocator.
///
/// ```
/// use gort_alloc::GoAlloc;
///
/// #[global_allocator]
/// static ALLOC: GoAlloc = GoAlloc::new();
///
/// let v: Vec<u64> = (0..1000).collect();
/// assert_eq!(v.iter().sum::<u64>(), 499_500);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct GoAlloc(());

impl GoAlloc {
    /// The allocator; all instances share one heap.
    pub const fn new() -> Self {
        GoAlloc(())
    }
}

// SAFETY: `alloc` returns null or a block of at least `layout.size()`
// bytes aligned to `layout.align()` that no other live allocation
// overlaps (a slot of a span of a class whose size is a multiple of the
// alignment, or a large span starting at an aligned address); `dealloc`
// takes back only such blocks, by the same layout.
unsafe impl GlobalAlloc for GoAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match class_for(layout.size(), layout.align()) {
            Some(class) => with_cache(|c| c.alloc(class)),
            None => alloc_large(layout),
        }
    }

    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        let class = class_for(layout.size(), layout.align()).unwrap_or(0);
        // SAFETY: `p` is a live block of this allocator, allocated with
        // `layout` (the caller's contract), so of this class.
        unsafe { free_in(span_of(p as usize), class, p) };
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = class_for(layout.size(), layout.align());
        if old.is_some() && old == class_for(new_size, layout.align()) {
            // Same size class: the slot already holds `new_size` bytes.
            return p;
        }
        // SAFETY: the caller guarantees a valid layout for `new_size`.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `new_layout` has a non-zero size (the caller's contract).
        let q = unsafe { self.alloc(new_layout) };
        if !q.is_null() {
            // SAFETY: both blocks are live, distinct, and hold at least the
            // copied bytes.
            unsafe { ptr::copy_nonoverlapping(p, q, layout.size().min(new_size)) };
            // SAFETY: `p` was allocated with `layout` (the caller's contract).
            unsafe { self.dealloc(p, layout) };
        }
        q
    }
}

/// Port of `mcache.allocLarge`: a span of its own for one object.
#[cold]
fn alloc_large(layout: Layout) -> *mut u8 {
    let Some(npages) = pages_for(layout.size()) else {
        return ptr::null_mut();
    };
    let s = HEAP.alloc(npages, 0, npages * PAGE_SIZE, layout.align());
    if s.is_null() {
        return ptr::null_mut();
    }
    with_cache(|c| {
        Counters::bump(&c.counters.large_mallocs, 1);
        Counters::bump(&c.counters.large_alloc_bytes, (npages * PAGE_SIZE) as u64);
    });
    // SAFETY: `s` is the new span, owned by this call until returned.
    unsafe { (*s).start() as *mut u8 }
}

/// Frees `p`, an object of `class` (0 = large) in span `s`: Go's sweeper
/// freeing one object (see [`crate::central`]), or `mheap.freeSpan` for a
/// large object.
///
/// # Safety
/// `p` is a live block of this allocator, in span `s` of class `class`.
#[inline]
unsafe fn free_in(s: *const MSpan, class: u8, p: *mut u8) {
    if class != 0 {
        let local = with_cache(|c| {
            Counters::bump(&c.counters.frees[class as usize], 1);
            let local = c.holds(class, s);
            if local {
                // SAFETY: this thread's cache holds `s`, and `p` is live in it.
                unsafe { (*s).free_local((*s).obj_index(p as usize)) };
            }
            local
        });
        if !local {
            // SAFETY: `p` is a live object of this class in span `s`.
            unsafe { CENTRAL[class as usize].free(s, p as usize) };
        }
        return;
    }
    // SAFETY: `s` is the large span holding only `p`, which its one owner
    // frees.
    let bytes = unsafe { (*s).npages() } * PAGE_SIZE;
    // SAFETY: a large span is never held or listed.
    unsafe { HEAP.free_span(s.cast_mut()) };
    with_cache(|c| {
        Counters::bump(&c.counters.large_frees, 1);
        Counters::bump(&c.counters.large_free_bytes, bytes as u64);
    });
}

/// The entry points of the C allocator interface (`malloc`, `free`, ...),
/// which know a block only by its address. Not a stable API: it exists for
/// the workspace's `LD_PRELOAD` library, which runs the test suite on this
/// allocator.
#[doc(hidden)]
pub mod raw {
    use super::{free_in, span_of};
    use crate::PAGE_SIZE;

    /// `free(p)`: frees a block by its address alone (the span knows its
    /// class).
    ///
    /// # Safety
    /// `p` is a live block returned by this allocator.
    pub unsafe fn free(p: *mut u8) {
        let s = span_of(p as usize);
        // SAFETY: `p` is live, so `s` is its in-use span.
        let class = unsafe { (*s).class() };
        // SAFETY: as promised, and `class` is the span's.
        unsafe { free_in(s, class, p) };
    }

    /// `malloc_usable_size(p)`: the bytes the block at `p` can hold.
    ///
    /// # Safety
    /// `p` is a live block returned by this allocator.
    pub unsafe fn usable_size(p: *mut u8) -> usize {
        // SAFETY: `p` is live, so its span is in use.
        let s = unsafe { &*span_of(p as usize) };
        if s.class() == 0 {
            s.start() + s.npages() * PAGE_SIZE - p as usize
        } else {
            s.elemsize()
        }
    }
}
