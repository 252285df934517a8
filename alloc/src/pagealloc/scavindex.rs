//! Which chunks may hold pages worth returning to the OS: port of
//! `scavengeIndex`, `scavChunkData` and the parts of `atomicOffAddr` it
//! uses (runtime/mgcscavenge.go, runtime/mranges.go), with `sysInit` and
//! `sysGrow` of the index from runtime/mpagealloc_64bit.go.
//!
//! Everything is ported, including the generation logic (`gen`,
//! `nextGen`, `lastInUse`, the high-occupancy threshold): the
//! non-forced search only offers a chunk that stayed below
//! [`SCAV_CHUNK_HI_OCC_PAGES`] in-use pages in both the current and the
//! previous generation, and only finds memory freed before the last
//! [`ScavengeIndex::next_gen`]. In Go a generation is a GC cycle; this
//! allocator has no GC, so it is whatever period the caller chooses to
//! mark with `next_gen` (never calling it leaves only the forced search
//! useful).
//!
//! Deviations: the page allocator's owner holds it behind one lock, and
//! `find` runs under that lock too, so Go's atomics (`atomicScavChunkData`,
//! `atomicOffAddr`, the `min`/`max`/`minHeapIdx` atomics) are plain fields
//! with the same encodings and the same compare-and-swap outcomes a
//! single thread would see. `find` returns `None` where Go returns chunk 0.
//! A failed mapping reports `false` where Go throws.

use super::layout::{
    ARENA_BASE_OFFSET, ChunkIdx, HEAP_ADDR_BITS, LOG_PALLOC_CHUNK_PAGES, MIN_OFF_ADDR,
    PALLOC_CHUNK_BYTES, PALLOC_CHUNK_PAGES, align_down, align_up, chunk_base, chunk_index,
    chunk_page_index,
};
use crate::throw::check;
use crate::{PAGE_SIZE, os};

/// Go's `scavChunkHiOccFrac`.
const SCAV_CHUNK_HI_OCC_FRAC: f64 = 0.96875;
/// Go's `scavChunkHiOccPages`: a chunk with at least this many pages in use
/// during a generation is "dense" and left alone by the background search.
pub(super) const SCAV_CHUNK_HI_OCC_PAGES: u16 =
    (SCAV_CHUNK_HI_OCC_FRAC * PALLOC_CHUNK_PAGES as f64) as u16;

/// Go's `scavChunkHasFree`: the chunk may have free, unscavenged pages.
const SCAV_CHUNK_HAS_FREE: u8 = 1;
/// Go's `scavChunkMaxFlags`.
const SCAV_CHUNK_MAX_FLAGS: u32 = 6;
/// Go's `scavChunkFlagsMask`.
const SCAV_CHUNK_FLAGS_MASK: u8 = (1 << SCAV_CHUNK_MAX_FLAGS) - 1;
/// Go's `logScavChunkInUseMax`: bits to count 0..=512 pages.
const LOG_SCAV_CHUNK_IN_USE_MAX: u32 = LOG_PALLOC_CHUNK_PAGES as u32 + 1;
/// Go's `scavChunkInUseMask`.
const SCAV_CHUNK_IN_USE_MASK: u16 = (1 << LOG_SCAV_CHUNK_IN_USE_MAX) - 1;

/// Port of `scavChunkData`: per-chunk occupancy and generation. The zero
/// value describes a freshly grown chunk (all free, all scavenged).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) struct ScavChunkData {
    /// Pages allocated now (10 bits used).
    pub(super) in_use: u16,
    /// Pages allocated when the chunk last saw a new generation.
    pub(super) last_in_use: u16,
    /// The index's generation at the chunk's last update.
    pub(super) gen_: u32,
    /// Go's `scavChunkFlags` (6 bits).
    pub(super) flags: u8,
}

impl ScavChunkData {
    /// Port of `unpackScavChunkData`.
    pub(super) fn unpack(sc: u64) -> ScavChunkData {
        ScavChunkData {
            in_use: sc as u16,
            last_in_use: (sc >> 16) as u16 & SCAV_CHUNK_IN_USE_MASK,
            gen_: (sc >> 32) as u32,
            flags: (sc >> (16 + LOG_SCAV_CHUNK_IN_USE_MAX)) as u8 & SCAV_CHUNK_FLAGS_MASK,
        }
    }

    /// Port of `scavChunkData.pack`.
    pub(super) fn pack(self) -> u64 {
        u64::from(self.in_use)
            | (u64::from(self.last_in_use) << 16)
            | (u64::from(self.flags) << (16 + LOG_SCAV_CHUNK_IN_USE_MAX))
            | (u64::from(self.gen_) << 32)
    }

    /// Port of `scavChunkFlags.isEmpty`: nothing left to scavenge.
    #[inline]
    pub(super) fn is_empty(self) -> bool {
        self.flags & SCAV_CHUNK_HAS_FREE == 0
    }

    /// Port of `scavChunkFlags.setEmpty`.
    #[inline]
    fn set_empty(&mut self) {
        self.flags &= !SCAV_CHUNK_HAS_FREE;
    }

    /// Port of `scavChunkFlags.setNonEmpty`.
    #[inline]
    fn set_non_empty(&mut self) {
        self.flags |= SCAV_CHUNK_HAS_FREE;
    }

    /// Port of `scavChunkData.shouldScavenge`: whether the search should
    /// look into this chunk in generation `curr_gen`.
    pub(super) fn should_scavenge(self, curr_gen: u32, force: bool) -> bool {
        if self.is_empty() {
            return false;
        }
        if force {
            return true;
        }
        if self.gen_ == curr_gen {
            // Dense in this generation or the previous one: skip.
            return self.in_use < SCAV_CHUNK_HI_OCC_PAGES
                && self.last_in_use < SCAV_CHUNK_HI_OCC_PAGES;
        }
        // Untouched since an older generation: `in_use` is current.
        self.in_use < SCAV_CHUNK_HI_OCC_PAGES
    }

    /// Port of `scavChunkData.alloc`.
    pub(super) fn alloc(&mut self, npages: usize, new_gen: u32) {
        check!(
            usize::from(self.in_use) + npages <= PALLOC_CHUNK_PAGES,
            "pagealloc: too many pages allocated in chunk? in_use={} npages={npages}",
            self.in_use
        );
        if self.gen_ != new_gen {
            self.last_in_use = self.in_use;
            self.gen_ = new_gen;
        }
        self.in_use += npages as u16;
        if usize::from(self.in_use) == PALLOC_CHUNK_PAGES {
            // A full chunk has nothing to offer the scavenger.
            self.set_empty();
        }
    }

    /// Port of `scavChunkData.free`.
    pub(super) fn free(&mut self, npages: usize, new_gen: u32) {
        check!(
            usize::from(self.in_use) >= npages,
            "pagealloc: allocated pages below zero? in_use={} npages={npages}",
            self.in_use
        );
        if self.gen_ != new_gen {
            self.last_in_use = self.in_use;
            self.gen_ = new_gen;
        }
        self.in_use -= npages as u16;
        // Freed pages are unscavenged: there is work again.
        self.set_non_empty();
    }
}

/// Port of `atomicOffAddr` without the atomics: an offset address, stored
/// negated when "marked" (raised by a free, not yet seen by a search).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct OffAddrCursor(i64);

impl OffAddrCursor {
    /// The cleared value (Go's `Clear` on a fresh box).
    const CLEARED: OffAddrCursor = OffAddrCursor((MIN_OFF_ADDR - ARENA_BASE_OFFSET) as i64);

    /// Port of `atomicOffAddr.Clear`: back to the minimum, unless marked.
    fn clear(&mut self) {
        if self.0 >= 0 {
            *self = Self::CLEARED;
        }
    }

    /// Port of `atomicOffAddr.StoreMin`: lowers the value to `addr`
    /// (a marked value, being negative, is never replaced).
    fn store_min(&mut self, addr: usize) {
        let new = (addr - ARENA_BASE_OFFSET) as i64;
        if self.0 >= new {
            self.0 = new;
        }
    }

    /// Port of `atomicOffAddr.StoreUnmark`: replaces the marked
    /// `marked_addr` with `new_addr`, if it is still there.
    fn store_unmark(&mut self, marked_addr: usize, new_addr: usize) {
        if self.0 == -((marked_addr - ARENA_BASE_OFFSET) as i64) {
            self.0 = (new_addr - ARENA_BASE_OFFSET) as i64;
        }
    }

    /// Port of `atomicOffAddr.StoreMarked`.
    fn store_marked(&mut self, addr: usize) {
        self.0 = -((addr - ARENA_BASE_OFFSET) as i64);
    }

    /// Port of `atomicOffAddr.Load`: `(address, was marked)`.
    fn load(self) -> (usize, bool) {
        (
            self.0.unsigned_abs() as usize + ARENA_BASE_OFFSET,
            self.0 < 0,
        )
    }
}

/// Entries in the index: one per chunk of the address space.
const INDEX_ENTRIES: usize = (1 << HEAP_ADDR_BITS) / PALLOC_CHUNK_BYTES;
/// Bytes of one entry (Go's `unsafe.Sizeof(atomicScavChunkData{})`).
const SC_SIZE: usize = core::mem::size_of::<u64>();

/// Port of `scavengeIndex`.
#[derive(Debug)]
pub(super) struct ScavengeIndex {
    /// Packed [`ScavChunkData`] per chunk: a reservation for the whole
    /// address space of which `[min, max)` is mapped. Null before init.
    chunks: *mut u64,
    /// Go's `min` and `max`: the mapped entries.
    min: usize,
    max: usize,
    /// Go's `minHeapIdx`: the lowest chunk ever grown.
    min_heap_idx: usize,
    /// Go's `searchAddrBg`: highest page the generation-aware search may
    /// look at; raised only by `next_gen`.
    search_addr_bg: OffAddrCursor,
    /// Go's `searchAddrForce`: the same for the forced search; raised by
    /// every `free`.
    search_addr_force: OffAddrCursor,
    /// Go's `freeHWM`: highest page freed in this generation.
    free_hwm: usize,
    /// Go's `gen`.
    gen_: u32,
    /// Bytes of index mapped (Go adds them to `summaryMappedReady`).
    pub(super) mapped_ready: usize,
}

impl ScavengeIndex {
    /// Go's `init` minus the reservation (done by `sys_init` on first
    /// growth): both cursors cleared, no free high-water mark.
    pub(super) const fn new() -> ScavengeIndex {
        ScavengeIndex {
            chunks: core::ptr::null_mut(),
            min: 0,
            max: 0,
            min_heap_idx: 0,
            search_addr_bg: OffAddrCursor::CLEARED,
            search_addr_force: OffAddrCursor::CLEARED,
            free_hwm: MIN_OFF_ADDR,
            gen_: 0,
            mapped_ready: 0,
        }
    }

    /// Whether [`ScavengeIndex::sys_init`] has succeeded.
    #[inline]
    pub(super) fn is_init(&self) -> bool {
        !self.chunks.is_null()
    }

    /// Port of `scavengeIndex.sysInit` (64-bit): reserves one entry per
    /// chunk of the address space (512 MiB of address space). False if the
    /// kernel refused.
    pub(super) fn sys_init(&mut self) -> bool {
        let r = os::sys_reserve(0, INDEX_ENTRIES * SC_SIZE);
        if r.is_null() {
            return false;
        }
        self.chunks = r.cast();
        true
    }

    /// Port of `scavengeIndex.grow`: records the new lowest heap chunk and
    /// maps the entries for `[base, limit)`.
    ///
    /// Deviation: Go lowers `minHeapIdx` before mapping; here it is lowered
    /// only once the mapping succeeded, so a failure changes nothing that
    /// `find` reads.
    pub(super) fn grow(&mut self, base: usize, limit: usize) -> bool {
        if !self.sys_grow(base, limit) {
            return false;
        }
        let base_idx = chunk_index(base);
        if self.min_heap_idx == 0 || base_idx < self.min_heap_idx {
            self.min_heap_idx = base_idx;
        }
        true
    }

    /// Port of `scavengeIndex.sysGrow` (64-bit): keeps one contiguous
    /// mapped run of entries from the lowest to the highest grown chunk,
    /// rounded out to OS pages, mapping only what is not mapped yet.
    fn sys_grow(&mut self, base: usize, limit: usize) -> bool {
        check!(
            base % PALLOC_CHUNK_BYTES == 0 && limit % PALLOC_CHUNK_BYTES == 0,
            "pagealloc: sysGrow bounds not aligned to pallocChunkBytes: [{base:#x}, {limit:#x})"
        );
        let per_page = os::PHYS_PAGE_SIZE / SC_SIZE;
        let (have_min, have_max) = (self.min, self.max);
        let mut need_min = align_down(chunk_index(base), per_page);
        let mut need_max = align_up(chunk_index(limit), per_page);
        // Stay contiguous: bridge any gap to what is already mapped.
        if need_max < have_min {
            need_max = have_min;
        }
        if have_max != 0 && need_min > have_max {
            need_min = have_max;
        }
        let at = |i: usize| self.chunks as usize + i * SC_SIZE;
        let have = super::ranges::AddrRange::new(at(have_min), at(have_max));
        let need = super::ranges::AddrRange::new(at(need_min), at(need_max)).subtract(have);
        if need.size() != 0 {
            // SAFETY: `need` lies in the index's reservation and, having had
            // the mapped run subtracted, holds no live entry.
            if !unsafe { os::sys_map(need.base as *mut u8, need.size()) } {
                return false;
            }
            self.mapped_ready += need.size();
            if have_max == 0 || need_min < have_min {
                self.min = need_min;
            }
            if need_max > have_max {
                self.max = need_max;
            }
        }
        true
    }

    /// Go's `chunks[ci].load()`.
    #[inline]
    pub(super) fn load(&self, ci: ChunkIdx) -> ScavChunkData {
        check!(
            self.min <= ci && ci < self.max,
            "pagealloc: scavenge index entry {ci:#x} not mapped"
        );
        // SAFETY: entries `[min, max)` of the reservation are mapped.
        ScavChunkData::unpack(unsafe { self.chunks.add(ci).read() })
    }

    /// Go's `chunks[ci].store(sc)`.
    #[inline]
    fn store(&mut self, ci: ChunkIdx, sc: ScavChunkData) {
        check!(
            self.min <= ci && ci < self.max,
            "pagealloc: scavenge index entry {ci:#x} not mapped"
        );
        // SAFETY: as in `load`; `&mut self` makes the write exclusive.
        unsafe { self.chunks.add(ci).write(sc.pack()) }
    }

    /// Port of `scavengeIndex.find`: the highest chunk that may hold pages
    /// to scavenge, and the page in it to search down from. `force` uses the
    /// forced cursor and ignores density.
    pub(super) fn find(&mut self, force: bool) -> Option<(ChunkIdx, usize)> {
        let mut cursor = if force {
            self.search_addr_force
        } else {
            self.search_addr_bg
        };
        let (search_addr, marked) = cursor.load();
        if search_addr == MIN_OFF_ADDR {
            return None;
        }
        let gen_ = self.gen_;
        let min = self.min_heap_idx;
        let start = chunk_index(search_addr);
        let mut found = None;
        // Chunk 0 never holds heap memory, so `min >= 1` and `i` never
        // wraps below zero.
        let mut i = start;
        while i >= min {
            if self.load(i).should_scavenge(gen_, force) {
                if i == start {
                    // Still working on the cursor's own chunk.
                    return Some((i, chunk_page_index(search_addr)));
                }
                let new_search_addr = chunk_base(i) + PALLOC_CHUNK_BYTES - PAGE_SIZE;
                if marked {
                    // First search since a raise: take it back down.
                    cursor.store_unmark(search_addr, new_search_addr);
                } else {
                    cursor.store_min(new_search_addr);
                }
                found = Some((i, PALLOC_CHUNK_PAGES - 1));
                break;
            }
            i -= 1;
        }
        if found.is_none() {
            // The heap is exhausted for now.
            cursor.clear();
        }
        if force {
            self.search_addr_force = cursor;
        } else {
            self.search_addr_bg = cursor;
        }
        found
    }

    /// Port of `scavengeIndex.alloc`: `npages` of chunk `ci` were
    /// allocated.
    pub(super) fn alloc(&mut self, ci: ChunkIdx, npages: usize) {
        let mut sc = self.load(ci);
        sc.alloc(npages, self.gen_);
        self.store(ci, sc);
    }

    /// Port of `scavengeIndex.free`: pages `[page, page+npages)` of chunk
    /// `ci` were freed; raises the forced cursor (marked) and the free
    /// high-water mark to the last of them.
    pub(super) fn free(&mut self, ci: ChunkIdx, page: usize, npages: usize) {
        let mut sc = self.load(ci);
        sc.free(npages, self.gen_);
        self.store(ci, sc);

        let addr = chunk_base(ci) + (page + npages - 1) * PAGE_SIZE;
        if self.free_hwm < addr {
            self.free_hwm = addr;
        }
        let (search_addr, _) = self.search_addr_force.load();
        if search_addr < addr {
            self.search_addr_force.store_marked(addr);
        }
    }

    /// Port of `scavengeIndex.nextGen`: starts a new generation; what was
    /// freed in the last one becomes visible to the non-forced search.
    pub(super) fn next_gen(&mut self) {
        self.gen_ = self.gen_.wrapping_add(1);
        let (search_addr, _) = self.search_addr_bg.load();
        if search_addr < self.free_hwm {
            self.search_addr_bg.store_marked(self.free_hwm);
        }
        self.free_hwm = MIN_OFF_ADDR;
    }

    /// Port of `scavengeIndex.setEmpty`: the scavenger found nothing (more)
    /// in `ci`; skip it until something there is freed.
    pub(super) fn set_empty(&mut self, ci: ChunkIdx) {
        let mut sc = self.load(ci);
        sc.set_empty();
        self.store(ci, sc);
    }

    /// Test support: Go's `ResetSearchAddrs` (export_test.go).
    #[cfg(test)]
    pub(super) fn reset_search_addrs(&mut self) {
        for c in [&mut self.search_addr_bg, &mut self.search_addr_force] {
            let (addr, marked) = c.load();
            if marked {
                c.store_unmark(addr, addr);
            }
            c.clear();
        }
        self.free_hwm = MIN_OFF_ADDR;
    }
}

impl Drop for ScavengeIndex {
    fn drop(&mut self) {
        if !self.chunks.is_null() {
            // SAFETY: the whole reservation made in `sys_init`, released
            // with its owner.
            unsafe { os::sys_free(self.chunks.cast(), INDEX_ENTRIES * SC_SIZE) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pagealloc::layout::chunk_base;

    const BASE: ChunkIdx = 0xc000;
    const P: usize = PALLOC_CHUNK_PAGES;

    fn page_base(ci: ChunkIdx, page: usize) -> usize {
        chunk_base(ci) + page * PAGE_SIZE
    }

    /// Go's `ScavengeIndex.AllocRange`/`FreeRange` over `[base, limit)`.
    fn for_range(base: usize, limit: usize, mut f: impl FnMut(ChunkIdx, usize, usize)) {
        let (sc, ec) = (chunk_index(base), chunk_index(limit - 1));
        let (si, ei) = (chunk_page_index(base), chunk_page_index(limit - 1));
        if sc == ec {
            f(sc, si, ei + 1 - si);
        } else {
            f(sc, si, P - si);
            for c in sc + 1..ec {
                f(c, 0, P);
            }
            f(ec, 0, ei + 1);
        }
    }

    struct Harness {
        si: ScavengeIndex,
        force: bool,
    }

    impl Harness {
        /// Go's `setup`: 64 chunks, all dense last generation and empty.
        fn new(force: bool) -> Harness {
            let mut si = ScavengeIndex::new();
            assert!(si.sys_init());
            assert!(si.grow(chunk_base(BASE), chunk_base(BASE + 64)));
            let mut h = Harness { si, force };
            for_range(page_base(BASE, 0), page_base(BASE + 64, 0), |c, _, n| {
                h.si.alloc(c, n)
            });
            h.si.next_gen();
            for_range(page_base(BASE, 0), page_base(BASE + 64, 0), |c, p, n| {
                h.si.free(c, p, n)
            });
            for ci in BASE..BASE + 64 {
                h.si.set_empty(ci);
            }
            h.si.reset_search_addrs();
            h
        }

        fn mark(&mut self, base: usize, limit: usize) {
            for_range(base, limit, |c, _, n| self.si.alloc(c, n));
            for_range(base, limit, |c, p, n| self.si.free(c, p, n));
        }

        /// Expects `(ci, page)`, or nothing when `ci == 0`.
        fn find(&mut self, ci: ChunkIdx, page: usize) {
            let got = self.si.find(self.force);
            let want = (ci != 0).then_some((ci, page));
            assert_eq!(got, want, "force={}", self.force);
            if let Some((c, _)) = got {
                self.si.set_empty(c);
            }
        }
    }

    type Mark = fn(&mut Harness);
    type Find = fn(&mut Harness);

    fn cases() -> Vec<(&'static str, Mark, Find)> {
        vec![
            ("Uninitialized", |_| {}, |_| {}),
            (
                "OnePage",
                |h| h.mark(page_base(BASE, 3), page_base(BASE, 4)),
                |h| h.find(BASE, 3),
            ),
            (
                "FirstPage",
                |h| h.mark(page_base(BASE, 0), page_base(BASE, 1)),
                |h| h.find(BASE, 0),
            ),
            (
                "SeveralPages",
                |h| h.mark(page_base(BASE, 9), page_base(BASE, 14)),
                |h| h.find(BASE, 13),
            ),
            (
                "WholeChunk",
                |h| h.mark(page_base(BASE, 0), page_base(BASE + 1, 0)),
                |h| h.find(BASE, P - 1),
            ),
            (
                "LastPage",
                |h| h.mark(page_base(BASE, P - 1), page_base(BASE + 1, 0)),
                |h| h.find(BASE, P - 1),
            ),
            (
                "TwoChunks",
                |h| h.mark(page_base(BASE, 128), page_base(BASE + 1, 128)),
                |h| {
                    h.find(BASE + 1, 127);
                    h.find(BASE, P - 1);
                },
            ),
            (
                "TwoChunksOffset",
                |h| h.mark(page_base(BASE + 7, 128), page_base(BASE + 8, 129)),
                |h| {
                    h.find(BASE + 8, 128);
                    h.find(BASE + 7, P - 1);
                },
            ),
            (
                "SevenChunksOffset",
                |h| h.mark(page_base(BASE + 6, 11), page_base(BASE + 13, 15)),
                |h| {
                    h.find(BASE + 13, 14);
                    for i in (BASE + 6..=BASE + 12).rev() {
                        h.find(i, P - 1);
                    }
                },
            ),
            (
                "ThirtyTwoChunks",
                |h| h.mark(page_base(BASE, 0), page_base(BASE + 32, 0)),
                |h| {
                    for i in (BASE..BASE + 32).rev() {
                        h.find(i, P - 1);
                    }
                },
            ),
            (
                "ThirtyTwoChunksOffset",
                |h| h.mark(page_base(BASE + 3, 0), page_base(BASE + 35, 0)),
                |h| {
                    for i in (BASE + 3..BASE + 35).rev() {
                        h.find(i, P - 1);
                    }
                },
            ),
            (
                "Mark",
                |h| {
                    for i in BASE..BASE + 32 {
                        h.mark(page_base(i, 0), page_base(i + 1, 0));
                    }
                },
                |h| {
                    for i in (BASE..BASE + 32).rev() {
                        h.find(i, P - 1);
                    }
                },
            ),
            (
                "MarkIdempotentOneChunk",
                |h| {
                    h.mark(page_base(BASE, 0), page_base(BASE + 1, 0));
                    h.mark(page_base(BASE, 0), page_base(BASE + 1, 0));
                },
                |h| h.find(BASE, P - 1),
            ),
            (
                "MarkIdempotentThirtyTwoChunks",
                |h| {
                    h.mark(page_base(BASE, 0), page_base(BASE + 32, 0));
                    h.mark(page_base(BASE, 0), page_base(BASE + 32, 0));
                },
                |h| {
                    for i in (BASE..BASE + 32).rev() {
                        h.find(i, P - 1);
                    }
                },
            ),
            (
                "MarkIdempotentThirtyTwoChunksOffset",
                |h| {
                    h.mark(page_base(BASE + 4, 0), page_base(BASE + 31, 0));
                    h.mark(page_base(BASE + 5, 0), page_base(BASE + 36, 0));
                },
                |h| {
                    for i in (BASE + 4..BASE + 36).rev() {
                        h.find(i, P - 1);
                    }
                },
            ),
        ]
    }

    // TestScavengeIndex
    #[test]
    fn scavenge_index_cases() {
        for (name, mark, find) in cases() {
            eprintln!("Bg/{name}");
            let mut h = Harness::new(false);
            mark(&mut h);
            h.find(0, 0); // nothing visible before the next generation
            h.si.next_gen();
            find(&mut h);
            h.find(0, 0); // exhausted

            eprintln!("Force/{name}");
            let mut h = Harness::new(true);
            mark(&mut h);
            find(&mut h);
            h.find(0, 0);
        }
    }

    // TestScavengeIndex: MarkInterleaved
    #[test]
    fn scavenge_index_mark_interleaved() {
        for force in [false, true] {
            let mut h = Harness::new(force);
            for i in BASE..BASE + 32 {
                h.mark(page_base(i, 0), page_base(i + 1, 0));
                if !force {
                    h.si.next_gen();
                }
                h.find(i, P - 1);
            }
            h.find(0, 0);
        }
    }

    // TestScavChunkDataPack
    #[test]
    fn chunk_data_pack() {
        for sc in [
            ScavChunkData {
                gen_: 1918237402,
                in_use: 512,
                last_in_use: 512,
                flags: 0b11,
            },
            ScavChunkData {
                gen_: !0,
                in_use: 12,
                last_in_use: 0,
                flags: 0,
            },
        ] {
            assert_eq!(ScavChunkData::unpack(sc.pack()), sc);
        }
    }

    #[test]
    fn density_threshold() {
        assert_eq!(SCAV_CHUNK_HI_OCC_PAGES, 496);
        let mut sc = ScavChunkData::default();
        sc.alloc(500, 0);
        sc.free(2, 0);
        // Dense (498 pages) in this generation: only a forced search looks.
        assert!(!sc.should_scavenge(0, false) && sc.should_scavenge(0, true));
        // Next generation: 490 now, but the last generation was dense.
        sc.free(8, 1);
        assert_eq!((sc.in_use, sc.last_in_use), (490, 498));
        assert!(!sc.should_scavenge(1, false));
        // One generation later, untouched, occupancy 490 counts alone.
        assert!(sc.should_scavenge(2, false));
        sc.alloc(10, 2);
        sc.set_empty();
        assert!(!sc.should_scavenge(2, true));
    }
}
