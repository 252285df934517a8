//! The page allocator: port of runtime/mpagealloc.go (go1.23).
//!
//! Heap pages (8 KiB) are tracked by a bitmap cut into 4 MiB chunks of 512
//! pages (`chunks`), and searched through a five-level radix tree of
//! summaries (`levels`, `sum`): every node records the free pages at the
//! start and end of its region and the longest free run inside. An
//! allocation is the lowest-addressed fit (address-ordered first fit),
//! helped by `search_addr`, below which nothing is free. The scavenger's
//! side (which free pages to give back to the OS) is in `scavenge` and
//! `scavindex`.
//!
//! Nothing here allocates through Rust's allocator: all metadata is
//! address space reserved and mapped through [`crate::os`], on the first
//! [`PageAlloc::grow`]. The allocator never touches the heap memory it
//! manages, only its own metadata.
//!
//! Deviations from Go that concern the whole module: Go throws when the
//! OS refuses metadata memory; here [`PageAlloc::grow`] returns `false`
//! with nothing changed. Go's `mheapLock` assertions become `&mut self`
//! (the owner keeps the allocator behind one lock). Go's `sysStat`
//! accounting is not kept (`mapped_bytes` says what metadata is mapped).
//! `findMappedAddr` always takes Go's test path (the `inUse` lookup),
//! since there is no heap arena map here to consult first.

mod bits;
mod chunks;
mod layout;
mod levels;
mod ranges;
mod scavenge;
mod scavindex;
mod sum;

#[cfg(test)]
mod tests;

use self::chunks::ChunkMap;
use self::layout::{
    ChunkIdx, HEAP_ADDR_BITS, LEVEL_BITS, LEVEL_LOG_PAGES, MAX_SEARCH_ADDR, MIN_OFF_ADDR,
    PALLOC_CHUNK_PAGES, SUMMARY_LEVELS, addrs_to_summary_range, align_down, align_up, chunk_base,
    chunk_index, chunk_page_index, level_index_to_off_addr, off_addr_to_level_index,
};
use self::levels::Summaries;
use self::ranges::{AddrRange, AddrRanges};
use self::scavindex::ScavengeIndex;
use self::sum::{FREE_CHUNK_SUM, PallocSum, merge_summaries};
use crate::PAGE_SIZE;
use crate::throw::{check, throw};

/// Go's `pallocChunkBytes` (4 MiB): [`PageAlloc::grow`] works in whole chunks.
pub(crate) use self::layout::PALLOC_CHUNK_BYTES;

/// The leaf level of the radix tree: one summary per chunk.
const LEAF: usize = SUMMARY_LEVELS - 1;

/// Port of `pageAlloc`: which heap pages are free, which are scavenged.
#[derive(Debug)]
pub(crate) struct PageAlloc {
    /// Go's `summary`: the radix tree, level 0 (coarsest) to the leaves.
    summary: Summaries,
    /// Go's `chunks`: per-chunk allocation and scavenged bitmaps.
    chunks: ChunkMap,
    /// Go's `searchAddr`: every heap page below it is allocated. It lies in
    /// `in_use` or equals [`MAX_SEARCH_ADDR`] ("nothing free").
    search_addr: usize,
    /// Go's `start` and `end`: the chunks `[start, end)` span all growth.
    start: ChunkIdx,
    end: ChunkIdx,
    /// Go's `inUse`: the address ranges passed to `grow`.
    in_use: AddrRanges,
    /// Go's `scav.index`.
    scav: ScavengeIndex,
}

// SAFETY: the raw pointers inside refer to mappings owned exclusively by
// this value (summaries, chunk bitmaps, scavenge index, range array); no
// thread-local state is involved, so moving it to another thread is sound.
// All access goes through `&mut self` (the owner's lock, Go's mheap.lock).
unsafe impl Send for PageAlloc {}

/// Go's `firstFree` in `pageAlloc.find`: the window `[base, bound]` in
/// which the first free page of the heap is known to lie.
struct FirstFree {
    base: usize,
    bound: usize,
}

impl FirstFree {
    /// Go's `foundFree`: free memory exists in `[addr, addr+size)`; narrow
    /// the window to it if it lies inside, ignore it if it lies outside.
    fn found(&mut self, addr: usize, size: usize) {
        let last = addr + (size - 1);
        if self.base <= addr && last <= self.bound {
            self.base = addr;
            self.bound = last;
        } else if !(last < self.base || self.bound < addr) {
            throw!(
                "pagealloc: range partially overlaps: addr={addr:#x} size={size:#x} base={:#x} bound={:#x}",
                self.base,
                self.bound
            );
        }
    }
}

impl Default for PageAlloc {
    fn default() -> Self {
        Self::new()
    }
}

impl PageAlloc {
    /// An empty page allocator, usable in a `static`. Go's `pageAlloc.init`
    /// is split: this part allocates nothing; the reservations of
    /// `sysInit` happen on the first [`PageAlloc::grow`].
    pub(crate) const fn new() -> PageAlloc {
        PageAlloc {
            summary: Summaries::new(),
            chunks: ChunkMap::new(),
            search_addr: MAX_SEARCH_ADDR,
            start: 0,
            end: 0,
            in_use: AddrRanges::new(),
            scav: ScavengeIndex::new(),
        }
    }

    /// Port of `pageAlloc.grow` (with `sysGrow`): `[base, base+size)` is
    /// new heap memory, free and scavenged (fresh from the OS). Go rounds
    /// the range out to whole chunks (4 MiB); callers pass aligned ranges.
    /// The range must not overlap earlier growth and must lie in the 48-bit
    /// address space, above the first chunk (invariant violations).
    ///
    /// Returns false if metadata memory could not be reserved or mapped;
    /// then the allocator's state is unchanged (Go throws instead).
    ///
    /// Deviations: the first call also does `sysInit`'s reservations (Go's
    /// `init`); every fallible step runs before any state changes; the
    /// summaries are updated for the whole rounded range (Go passes the
    /// unrounded size, the same for aligned input).
    pub(crate) fn grow(&mut self, base: usize, size: usize) -> bool {
        let limit = align_up(base + size, PALLOC_CHUNK_BYTES);
        let base = align_down(base, PALLOC_CHUNK_BYTES);
        check!(
            base != 0 && base < limit && limit <= 1 << HEAP_ADDR_BITS,
            "pagealloc: bad growth [{base:#x}, {limit:#x})"
        );
        let succ = self.in_use.find_succ(base);
        let ranges = self.in_use.ranges();
        check!(
            (succ == 0 || ranges[succ - 1].limit <= base)
                && (succ == ranges.len() || limit <= ranges[succ].base),
            "pagealloc: growth [{base:#x}, {limit:#x}) overlaps the heap"
        );

        // Everything that can fail, first.
        if !self.summary.is_init() && !self.summary.sys_init() {
            return false;
        }
        if !self.scav.is_init() && !self.scav.sys_init() {
            return false;
        }
        if !self.summary.sys_grow(base, limit, &self.in_use) {
            return false;
        }
        if !self.scav.grow(base, limit) {
            return false;
        }
        if !self.in_use.reserve_one() {
            return false;
        }
        let (first, last) = (chunk_index(base), chunk_index(limit));
        for c in first..last {
            if !self.chunks.ensure(c) {
                return false;
            }
        }

        // Chunk 0 is never heap, so `start == 0` means "no growth yet".
        if self.start == 0 || first < self.start {
            self.start = first;
        }
        if last > self.end {
            self.end = last;
        }
        self.in_use.add(AddrRange::new(base, limit));
        // Like a free: new memory below the search address moves it down.
        if base < self.search_addr {
            self.search_addr = base;
        }
        // New memory comes from the OS: free (zero bits) and scavenged.
        for c in first..last {
            self.chunks
                .get_mut(c)
                .scavenged
                .set_range(0, PALLOC_CHUNK_PAGES);
        }
        self.update(base, (limit - base) / PAGE_SIZE, true, false);
        true
    }

    /// Port of `pageAlloc.update`: brings the summaries in line with the
    /// bitmaps after pages `[base, base + npages pages)` changed. `contig`
    /// says they changed as one allocation (`alloc`) or one free, so chunks
    /// strictly inside the range are known to be entirely full or free.
    fn update(&mut self, base: usize, npages: usize, contig: bool, alloc: bool) {
        // Inclusive bounds.
        let limit = base + npages * PAGE_SIZE - 1;
        let (sc, ec) = (chunk_index(base), chunk_index(limit));

        // The range lies in grown memory, whose block-aligned summaries are
        // mapped at every level: that is the SAFETY argument of every
        // summary access below.
        if sc == ec {
            // SAFETY: chunk `sc` is grown (see above).
            let x = unsafe { self.summary.get(LEAF, sc) };
            let y = self.chunks.get(sc).bits.summarize();
            if x == y {
                return;
            }
            // SAFETY: as above.
            unsafe { self.summary.set(LEAF, sc, y) };
        } else if contig {
            let s = self.chunks.get(sc).bits.summarize();
            // SAFETY: chunk `sc` is grown (see above).
            unsafe { self.summary.set(LEAF, sc, s) };
            let whole = if alloc {
                PallocSum::ZERO
            } else {
                FREE_CHUNK_SUM
            };
            // SAFETY: chunks `(sc, ec)` lie inside the grown range.
            unsafe { self.summary.block_mut(LEAF, sc + 1, ec) }.fill(whole);
            let s = self.chunks.get(ec).bits.summarize();
            // SAFETY: chunk `ec` is grown (see above).
            unsafe { self.summary.set(LEAF, ec, s) };
        } else {
            for c in sc..=ec {
                let s = self.chunks.get(c).bits.summarize();
                // SAFETY: chunk `c` is grown (see above).
                unsafe { self.summary.set(LEAF, c, s) };
            }
        }

        // Propagate upward while anything changes.
        for l in (0..LEAF).rev() {
            let mut changed = false;
            let log_entries_per_block = LEVEL_BITS[l + 1];
            let log_max_pages = LEVEL_LOG_PAGES[l + 1];
            let (lo, hi) = addrs_to_summary_range(l, base, limit + 1);
            for i in lo..hi {
                // SAFETY: the children of a summary of grown memory form one
                // mapped block.
                let children = unsafe {
                    self.summary.block(
                        l + 1,
                        i << log_entries_per_block,
                        (i + 1) << log_entries_per_block,
                    )
                };
                let sum = merge_summaries(children, log_max_pages);
                // SAFETY: as above.
                if unsafe { self.summary.get(l, i) } != sum {
                    changed = true;
                    // SAFETY: as above.
                    unsafe { self.summary.set(l, i, sum) };
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Port of `pageAlloc.allocRange`: marks `[base, base + npages pages)`
    /// allocated (and no longer scavenged), tells the scavenge index, and
    /// updates the summaries. Returns how many of its bytes were scavenged.
    fn alloc_range(&mut self, base: usize, npages: usize) -> usize {
        let limit = base + npages * PAGE_SIZE - 1;
        let (sc, ec) = (chunk_index(base), chunk_index(limit));
        let (si, ei) = (chunk_page_index(base), chunk_page_index(limit));
        let mut scav = 0;
        if sc == ec {
            let chunk = self.chunks.get_mut(sc);
            scav += chunk.scavenged.popcnt_range(si, ei + 1 - si);
            chunk.alloc_range(si, ei + 1 - si);
            self.scav.alloc(sc, ei + 1 - si);
        } else {
            let chunk = self.chunks.get_mut(sc);
            scav += chunk.scavenged.popcnt_range(si, PALLOC_CHUNK_PAGES - si);
            chunk.alloc_range(si, PALLOC_CHUNK_PAGES - si);
            self.scav.alloc(sc, PALLOC_CHUNK_PAGES - si);
            for c in sc + 1..ec {
                let chunk = self.chunks.get_mut(c);
                scav += chunk.scavenged.popcnt_range(0, PALLOC_CHUNK_PAGES);
                chunk.alloc_all();
                self.scav.alloc(c, PALLOC_CHUNK_PAGES);
            }
            let chunk = self.chunks.get_mut(ec);
            scav += chunk.scavenged.popcnt_range(0, ei + 1);
            chunk.alloc_range(0, ei + 1);
            self.scav.alloc(ec, ei + 1);
        }
        self.update(base, npages, true, true);
        scav * PAGE_SIZE
    }

    /// Port of `pageAlloc.findMappedAddr`: the lowest grown address at or
    /// above `addr`, or [`MAX_SEARCH_ADDR`] if none. Always uses the
    /// `inUse` lookup (Go's test path; Go first consults the heap arenas).
    fn find_mapped_addr(&self, addr: usize) -> usize {
        self.in_use
            .find_addr_greater_equal(addr)
            .unwrap_or(MAX_SEARCH_ADDR)
    }

    /// Port of `pageAlloc.find`, the slow path: walks the radix tree from
    /// the root, at each level scanning one block of entries for either a
    /// run of `npages` across entries (done) or an entry holding one (go
    /// down into it); finally searches the chunk's bitmap. Returns the
    /// run's address (0 if none) and a candidate search address, the
    /// lowest grown address in the narrowest window proven to hold the
    /// first free page (meaningless when the address is 0).
    fn find(&self, npages: usize) -> (usize, usize) {
        // `i`: first entry of the block examined at the current level.
        let mut i = 0usize;
        let mut first_free = FirstFree {
            base: MIN_OFF_ADDR,
            bound: MAX_SEARCH_ADDR,
        };
        // The summary that sent us down a level, for the panic message.
        let mut last_sum = PallocSum::ZERO;
        let mut last_sum_idx: Option<usize> = None;

        'next_level: for l in 0..SUMMARY_LEVELS {
            let entries_per_block = 1usize << LEVEL_BITS[l];
            let log_max_pages = LEVEL_LOG_PAGES[l];
            i <<= LEVEL_BITS[l];
            // SAFETY: level 0 is mapped whole (it is one block), and a
            // deeper block is only reached through a non-zero parent, which
            // summarizes grown memory whose child block is mapped.
            let entries = unsafe { self.summary.block(l, i, i + entries_per_block) };

            // Entries before the search address's one are known full.
            let mut j0 = 0;
            let search_idx = off_addr_to_level_index(l, self.search_addr);
            if search_idx & !(entries_per_block - 1) == i {
                j0 = search_idx & (entries_per_block - 1);
            }

            // The current candidate run: first page (relative to the block)
            // and length.
            let (mut base, mut size) = (0usize, 0usize);
            for (j, &sum) in entries.iter().enumerate().skip(j0) {
                if sum.is_zero() {
                    size = 0;
                    continue;
                }
                first_free.found(
                    level_index_to_off_addr(l, i + j),
                    (1usize << log_max_pages) * PAGE_SIZE,
                );

                let s = sum.start();
                if size + s >= npages {
                    if size == 0 {
                        base = j << log_max_pages;
                    }
                    size += s;
                    break;
                }
                if sum.max() >= npages {
                    // The run lies inside this entry: descend.
                    i += j;
                    last_sum_idx = Some(i);
                    last_sum = sum;
                    continue 'next_level;
                }
                if size == 0 || s < 1 << log_max_pages {
                    // Start a new run from this entry's free tail.
                    size = sum.end();
                    base = ((j + 1) << log_max_pages) - size;
                    continue;
                }
                // Entirely free: the run goes on.
                size += 1 << log_max_pages;
            }
            if size >= npages {
                let addr = level_index_to_off_addr(l, i) + base * PAGE_SIZE;
                return (addr, self.find_mapped_addr(first_free.base));
            }
            if l == 0 {
                // The whole heap was searched.
                return (0, MAX_SEARCH_ADDR);
            }
            throw!(
                "pagealloc: bad summary data: summary[{}][{last_sum_idx:?}] = {:?} promised {npages} pages; \
                 level {l} block at {i} holds {entries:?} (j0 = {j0}, search_addr = {:#x})",
                l - 1,
                last_sum.unpack(),
                self.search_addr
            );
        }

        // Every level sent us down: the leaf entry `i` (a chunk) has a long
        // enough run inside.
        let ci = i;
        let Some((j, search_idx)) = self.chunks.get(ci).bits.find(npages, 0) else {
            // SAFETY: chunk `ci` has a non-zero summary, so it was grown.
            let sum = unsafe { self.summary.get(LEAF, ci) };
            throw!(
                "pagealloc: bad summary data: summary[{LEAF}][{ci}] = {:?}, npages = {npages}",
                sum.unpack()
            );
        };
        let addr = chunk_base(ci) + j * PAGE_SIZE;
        // The bitmap search may narrow the window further.
        let search_addr = chunk_base(ci) + search_idx * PAGE_SIZE;
        first_free.found(search_addr, chunk_base(ci + 1) - search_addr);
        (addr, self.find_mapped_addr(first_free.base))
    }

    /// Port of `pageAlloc.alloc`: allocates the lowest-addressed run of
    /// `npages` (> 0) free pages. Returns its address and how many of its
    /// bytes were scavenged (the caller must make them usable again), or
    /// `(0, 0)` if no run fits.
    ///
    /// Deviation: `npages == 0` is rejected (panics); Go's callers never
    /// pass it, and the range arithmetic would underflow.
    pub(crate) fn alloc(&mut self, npages: usize) -> (usize, usize) {
        check!(npages > 0, "pagealloc: alloc of 0 pages");
        // A search address past all growth means no free memory at all.
        if chunk_index(self.search_addr) >= self.end {
            return (0, 0);
        }

        // Fast path: try the search address's own chunk if it can fit.
        let mut found = None;
        if PALLOC_CHUNK_PAGES - chunk_page_index(self.search_addr) >= npages {
            let i = chunk_index(self.search_addr);
            // SAFETY: the search address lies in grown memory (it is not
            // the maximum, checked above), so its chunk's summary is mapped.
            let max = unsafe { self.summary.get(LEAF, i) }.max();
            if max >= npages {
                let Some((j, search_idx)) = self
                    .chunks
                    .get(i)
                    .bits
                    .find(npages, chunk_page_index(self.search_addr))
                else {
                    throw!(
                        "pagealloc: bad summary data: max = {max}, npages = {npages}, search_addr = {:#x}",
                        self.search_addr
                    );
                };
                found = Some((
                    chunk_base(i) + j * PAGE_SIZE,
                    chunk_base(i) + search_idx * PAGE_SIZE,
                ));
            }
        }
        let (addr, search_addr) = match found {
            Some(f) => f,
            None => {
                let (addr, search_addr) = self.find(npages);
                if addr == 0 {
                    if npages == 1 {
                        // Not even one page: the heap is full.
                        self.search_addr = MAX_SEARCH_ADDR;
                    }
                    return (0, 0);
                }
                (addr, search_addr)
            }
        };
        let scav = self.alloc_range(addr, npages);
        // Everything below the better search address is now known taken.
        if self.search_addr < search_addr {
            self.search_addr = search_addr;
        }
        (addr, scav)
    }

    /// Port of `pageAlloc.free`: returns the `npages` pages at `base`
    /// (allocated by [`PageAlloc::alloc`]) to the free pool.
    pub(crate) fn free(&mut self, base: usize, npages: usize) {
        if base < self.search_addr {
            self.search_addr = base;
        }
        let limit = base + npages * PAGE_SIZE - 1;
        if npages == 1 {
            let i = chunk_index(base);
            let pi = chunk_page_index(base);
            self.chunks.get_mut(i).bits.free1(pi);
            self.scav.free(i, pi, 1);
        } else {
            let (sc, ec) = (chunk_index(base), chunk_index(limit));
            let (si, ei) = (chunk_page_index(base), chunk_page_index(limit));
            if sc == ec {
                self.chunks.get_mut(sc).bits.free(si, ei + 1 - si);
                self.scav.free(sc, si, ei + 1 - si);
            } else {
                self.chunks
                    .get_mut(sc)
                    .bits
                    .free(si, PALLOC_CHUNK_PAGES - si);
                self.scav.free(sc, si, PALLOC_CHUNK_PAGES - si);
                for c in sc + 1..ec {
                    self.chunks.get_mut(c).bits.free_all();
                    self.scav.free(c, 0, PALLOC_CHUNK_PAGES);
                }
                self.chunks.get_mut(ec).bits.free(0, ei + 1);
                self.scav.free(ec, 0, ei + 1);
            }
        }
        self.update(base, npages, true, false);
    }

    #[cfg(test)]
    /// Bytes of metadata mapped so far (Go's `summaryMappedReady`, which
    /// also counts the scavenge index), plus the chunk bitmaps.
    pub(crate) fn mapped_bytes(&self) -> usize {
        self.summary.mapped_ready + self.scav.mapped_ready + self.chunks.mapped_bytes()
    }

    #[cfg(test)]
    /// Bytes of address space handed to [`PageAlloc::grow`] so far.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.in_use.total_bytes()
    }
}
