//! The page heap: spans are carved out of pages, and pages out of arenas.
//! Port of `mheap` (runtime/mheap.go): `alloc`/`allocSpan`, `freeSpan`,
//! `grow`, with the page allocator of [`crate::pagealloc`].
//!
//! Deviations: there is one heap lock and no per-P page cache (Go's
//! `pageCache`, an optimisation for the same lock); span structures are
//! recycled at once (no GC can still be looking at them, though a stale
//! freer may: see [`crate::span::MSpan`]); memory is never zeroed here
//! (Rust's `alloc` does not promise zeroed memory, and `alloc_zeroed`
//! clears what it returns).

use crate::throw::check;
use std::sync::{Mutex, MutexGuard};

use crate::arena::{self, ArenaHints};
use crate::fixalloc::FixAlloc;
use crate::os;
use crate::pagealloc::PageAlloc;
use crate::scavenger;
use crate::span::MSpan;
use crate::{PAGE_SHIFT, PAGE_SIZE};

/// Go's `pallocChunkPages`: the heap grows by whole 4 MiB chunks.
const CHUNK_PAGES: usize = 512;

/// Everything the heap lock guards (Go's `mheap` fields under `h.lock`).
#[derive(Debug)]
pub(crate) struct Locked {
    /// Go's `pages`.
    pub(crate) pages: PageAlloc,
    /// Go's `spanalloc`.
    spanalloc: FixAlloc<MSpan>,
    /// Go's `arenaHints` and the arena metadata.
    hints: ArenaHints,
    /// Go's `curArena`: reserved but not yet mapped address space.
    cur_base: usize,
    /// See `cur_base`.
    cur_end: usize,
    /// Bytes of heap memory mapped (MemStats.HeapSys).
    pub(crate) sys: usize,
    /// Bytes in in-use spans (MemStats.HeapInuse).
    pub(crate) inuse: usize,
    /// Bytes of free pages returned to the OS (MemStats.HeapReleased).
    pub(crate) released: usize,
}

/// Port of `mheap`.
#[derive(Debug)]
pub(crate) struct MHeap {
    locked: Mutex<Locked>,
}

/// The one heap (Go's `mheap_`).
pub(crate) static HEAP: MHeap = MHeap::new();

impl MHeap {
    const fn new() -> Self {
        MHeap {
            locked: Mutex::new(Locked {
                pages: PageAlloc::new(),
                spanalloc: FixAlloc::new(false),
                hints: ArenaHints::new(),
                cur_base: 0,
                cur_end: 0,
                sys: 0,
                inuse: 0,
                released: 0,
            }),
        }
    }

    /// Takes the heap lock. Nothing panics while holding it, so poisoning
    /// cannot happen; it is ignored all the same.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Locked> {
        gort_sync::lock(&self.locked)
    }

    /// Port of `mheap.alloc` / `mheap.allocSpan` for a span of `npages`
    /// pages whose start is aligned to `align` bytes (a power of two; Go
    /// needs only page alignment, Rust layouts may ask for more). Returns
    /// null when memory is exhausted. The span is initialised for `class`
    /// (0 = one large object of `npages` pages) and mapped in the arena.
    pub(crate) fn alloc(
        &self,
        npages: usize,
        class: u8,
        elemsize: usize,
        align: usize,
    ) -> *mut MSpan {
        let extra = align.max(PAGE_SIZE) / PAGE_SIZE - 1;
        let Some(ask) = npages.checked_add(extra) else {
            return core::ptr::null_mut();
        };
        let mut h = self.lock();
        let (mut base, mut scav) = h.pages.alloc(ask);
        if base == 0 {
            if !h.grow(ask) {
                return core::ptr::null_mut();
            }
            (base, scav) = h.pages.alloc(ask);
            check!(
                base != 0,
                "gort-alloc: the heap grew, but no run of {ask} pages is free"
            );
        }
        if extra > 0 {
            // Give back the pages before the aligned start and after the
            // span's end: a run of npages + extra pages always holds an
            // aligned run of npages.
            let start = base.next_multiple_of(align);
            let head = (start - base) / PAGE_SIZE;
            if head > 0 {
                h.pages.free(base, head);
            }
            let tail = extra - head;
            if tail > 0 {
                h.pages.free(start + npages * PAGE_SIZE, tail);
            }
            // The trimmed pages lost their scavenged bits in `alloc`, so
            // counting all of `scav` as reused below matches the page
            // allocator's view.
            base = start;
        }
        // The allocated pages lost their scavenged bits, also if they go
        // straight back below.
        h.released -= scav.min(h.released);
        let s = h.spanalloc.alloc();
        if s.is_null() {
            h.pages.free(base, npages);
            return s;
        }
        h.inuse += npages * PAGE_SIZE;
        drop(h);
        // SAFETY: the structure is fresh from the span allocator.
        unsafe { (*s).init(base, npages, class, elemsize) };
        arena::set_spans(base, npages, s);
        s
    }

    /// Port of `mheap.freeSpan` / `freeSpanLocked`: the span's pages go
    /// back to the page allocator and its structure to the span allocator.
    ///
    /// # Safety
    /// Nobody holds or lists `s`, and none of its objects is live.
    pub(crate) unsafe fn free_span(&self, s: *mut MSpan) {
        // SAFETY: `s` came from `alloc` (the caller's promise).
        let (base, npages) = unsafe { ((*s).start(), (*s).npages()) };
        let mut h = self.lock();
        h.pages.free(base, npages);
        h.inuse -= npages * PAGE_SIZE;
        // SAFETY: unused, as promised.
        unsafe { h.spanalloc.free(s) };
        let over = scavenger::over_goal(&h);
        drop(h);
        scavenger::wake_if_needed(over);
    }
}

impl Locked {
    /// Port of `mheap.grow`: maps at least `npage` more pages (whole
    /// chunks) into the page allocator, from the current arena or a new
    /// one. Returns false when the OS refuses.
    fn grow(&mut self, npage: usize) -> bool {
        let Some(ask) = npage
            .checked_next_multiple_of(CHUNK_PAGES)
            .and_then(|p| p.checked_mul(PAGE_SIZE))
        else {
            return false;
        };
        if self.cur_end - self.cur_base < ask {
            let Some((v, size)) = self.hints.sys_alloc(ask) else {
                return false;
            };
            if v == self.cur_end {
                self.cur_end = v + size;
            } else {
                let rest = self.cur_end - self.cur_base;
                if rest != 0 && !self.map_pages(self.cur_base, rest) {
                    return false;
                }
                self.cur_base = v;
                self.cur_end = v + size;
            }
        }
        let v = self.cur_base;
        self.cur_base += ask;
        self.map_pages(v, ask)
    }

    /// The end of Go's `grow`: `sysMap` plus `pageAlloc.grow`. Fresh
    /// pages count as released until first allocated (Go's accounting).
    fn map_pages(&mut self, v: usize, size: usize) -> bool {
        // SAFETY: `[v, v+size)` lies in address space the arena reserved
        // for the heap and that nothing uses yet.
        if !unsafe { os::sys_map(v as *mut u8, size) } {
            return false;
        }
        if !self.pages.grow(v, size) {
            return false;
        }
        self.sys += size;
        self.released += size;
        true
    }
}

/// Pages needed for `size` bytes (Go's `size >> _PageShift` rounded up).
pub(crate) fn pages_for(size: usize) -> Option<usize> {
    Some(size.checked_add(PAGE_SIZE - 1)? >> PAGE_SHIFT)
}
