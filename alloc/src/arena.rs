//! Heap arenas: the heap's address space is reserved in 64 MiB arenas, and
//! each arena's metadata maps its pages to their spans. Port of the arena
//! part of runtime/malloc.go (`mheap.sysAlloc`, the arena hints,
//! `arenaIndex`) and runtime/mheap.go (`heapArena`, `spanOf`, `setSpans`),
//! for linux/amd64's constants.
//!
//! Deviations: a `heapArena` keeps only `spans` (its other fields serve the
//! GC); it comes from the OS directly rather than `persistentalloc`.

use crate::throw::check;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering::*};

use crate::os;
use crate::span::MSpan;
use crate::{PAGE_SHIFT, PAGE_SIZE};

/// Go's `logHeapArenaBytes` on 64-bit Linux.
const LOG_HEAP_ARENA_BYTES: usize = 26;
/// Go's `heapArenaBytes`: 64 MiB.
pub(crate) const HEAP_ARENA_BYTES: usize = 1 << LOG_HEAP_ARENA_BYTES;
/// Go's `pagesPerArena`.
const PAGES_PER_ARENA: usize = HEAP_ARENA_BYTES / PAGE_SIZE;
/// Go's `arenaL2Bits` (48-bit addresses, `arenaL1Bits` = 0 on amd64).
const ARENA_L2_BITS: usize = 48 - LOG_HEAP_ARENA_BYTES;
/// Go's `arenaBaseOffset` on amd64: addresses are offset so that the
/// canonical range maps onto `[0, 1 << 48)`.
const ARENA_BASE_OFFSET: usize = 0xffff_8000_0000_0000;
/// Go's first arena hint on amd64, `0x00c0 << 32`; later hints step by
/// `1 << 40` (Go's `mallocinit` builds 0x80 of them).
const FIRST_HINT: usize = 0x00c0 << 32;
/// See `FIRST_HINT`.
const HINT_STEP: usize = 1 << 40;
/// See `FIRST_HINT`.
const HINTS: usize = 0x80;

/// Port of `heapArena`: for each page of the arena, the span that holds
/// it (set for every page of an in-use span, as Go's `setSpans`).
#[repr(C)]
struct HeapArena {
    spans: [AtomicPtr<MSpan>; PAGES_PER_ARENA],
}

/// Go's `mheap.arenas` (the one L2 array) plus its arena hints. The L2
/// array is read without a lock by [`span_of`]; everything else is used
/// under the heap's lock.
pub(crate) static ARENAS: AtomicPtr<AtomicPtr<u8>> = AtomicPtr::new(ptr::null_mut());

/// The reservation state that lives under the heap's lock.
#[derive(Debug)]
pub(crate) struct ArenaHints {
    /// The hint being used (Go's `arenaHints` list, walked in order).
    next: usize,
    /// Where the next reservation at that hint goes: right after the last
    /// one, so the heap stays contiguous (Go advances `hint.addr`).
    addr: usize,
}

impl ArenaHints {
    /// An empty state: the L2 array is made on first use.
    pub(crate) const fn new() -> Self {
        ArenaHints {
            next: 0,
            addr: FIRST_HINT,
        }
    }

    /// Port of `mheap.sysAlloc`: reserves at least `n` bytes of fresh
    /// address space in whole arenas, at the first hint the kernel grants,
    /// and makes their metadata. Returns `(base, size)` or `None` when the
    /// address space or the OS is exhausted. The range stays Reserved;
    /// the caller maps it.
    pub(crate) fn sys_alloc(&mut self, n: usize) -> Option<(usize, usize)> {
        let l2 = self.l2()?;
        let n = n.checked_next_multiple_of(HEAP_ARENA_BYTES)?;
        let base = loop {
            if self.next >= HINTS {
                // Go falls back to letting the kernel choose; an unaligned
                // answer is then trimmed to arenas, as here.
                break self.reserve_anywhere(n)?;
            }
            let hint = self.addr;
            let v = os::sys_reserve(hint, n);
            if v as usize == hint {
                self.addr = hint + n;
                break hint;
            }
            if !v.is_null() {
                // SAFETY: the kernel just gave us this range; unused.
                unsafe { os::sys_free(v, n) };
            }
            self.next += 1;
            self.addr = FIRST_HINT + self.next * HINT_STEP;
        };
        for a in (base..base + n).step_by(HEAP_ARENA_BYTES) {
            let meta = os::sys_alloc(size_of::<HeapArena>());
            if meta.is_null() {
                return None;
            }
            // SAFETY: `l2` has 1 << ARENA_L2_BITS slots and `arena_index`
            // is below that for every 48-bit address.
            unsafe { (*l2.add(arena_index(a))).store(meta, Release) };
        }
        Some((base, n))
    }

    /// Go's fallback after the hints: any `n` + one arena of address space,
    /// trimmed to an arena-aligned `n`.
    fn reserve_anywhere(&mut self, n: usize) -> Option<usize> {
        let v = os::sys_reserve(0, n + HEAP_ARENA_BYTES) as usize;
        if v == 0 {
            return None;
        }
        let base = v.next_multiple_of(HEAP_ARENA_BYTES);
        let end = v + n + HEAP_ARENA_BYTES;
        // SAFETY: both trimmed ends are ours and unused.
        unsafe {
            if base > v {
                os::sys_free(v as *mut u8, base - v);
            }
            if end > base + n {
                os::sys_free((base + n) as *mut u8, end - (base + n));
            }
        }
        Some(base)
    }

    /// The L2 array, made on first use (Go makes it in `mallocinit`).
    fn l2(&mut self) -> Option<*mut AtomicPtr<u8>> {
        let l2 = ARENAS.load(Acquire);
        if !l2.is_null() {
            return Some(l2);
        }
        let bytes = (1usize << ARENA_L2_BITS) * size_of::<usize>();
        let l2 = os::sys_alloc(bytes).cast::<AtomicPtr<u8>>();
        if l2.is_null() {
            return None;
        }
        ARENAS.store(l2, Release);
        Some(l2)
    }
}

/// Port of `arenaIndex`.
fn arena_index(p: usize) -> usize {
    p.wrapping_sub(ARENA_BASE_OFFSET) >> LOG_HEAP_ARENA_BYTES & ((1 << ARENA_L2_BITS) - 1)
}

/// The `spans` slot of the page holding `p`, whose arena must exist.
#[inline]
fn slot(p: usize) -> &'static AtomicPtr<MSpan> {
    let l2 = ARENAS.load(Acquire);
    check!(
        !l2.is_null(),
        "gort-alloc: a pointer this allocator never returned was freed"
    );
    // SAFETY: `arena_index` is within the L2 array's 1 << ARENA_L2_BITS
    // slots, which live for the whole program.
    let meta = unsafe { (*l2.add(arena_index(p))).load(Acquire) };
    check!(
        !meta.is_null(),
        "gort-alloc: a pointer this allocator never returned was freed"
    );
    let arena = meta.cast::<HeapArena>();
    // SAFETY: arena metadata is never freed; the page index is below
    // PAGES_PER_ARENA.
    unsafe { &(*arena).spans[(p >> PAGE_SHIFT) % PAGES_PER_ARENA] }
}

/// Port of `spanOf` for a pointer into an in-use span.
#[inline]
pub(crate) fn span_of(p: usize) -> *const MSpan {
    slot(p).load(Relaxed)
}

/// Port of `mheap.setSpans`: every page of `[base, base + npages pages)`
/// maps to `s`.
pub(crate) fn set_spans(base: usize, npages: usize, s: *mut MSpan) {
    for i in 0..npages {
        slot(base + i * PAGE_SIZE).store(s, Relaxed);
    }
}
