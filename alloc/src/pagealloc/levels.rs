//! The radix tree's storage: one array of [`PallocSum`] per level, each
//! reserved (address space only) for the whole 48-bit address space and
//! mapped piecewise as the heap grows. Port of `pageAlloc.summary` with
//! `sysInit` and `sysGrow` of runtime/mpagealloc_64bit.go.
//!
//! Deviations: Go throws when the reservation or a mapping fails; here both
//! report `false` (see [`Summaries::sys_grow`] for why a half-done growth is
//! harmless). Go's slices carry `len` for bounds checks; here `len` is kept
//! beside a raw base pointer and checked by every accessor.

use crate::throw::check;
use core::mem;

use super::layout::{
    HEAP_ADDR_BITS, LEVEL_SHIFT, SUMMARY_LEVELS, addrs_to_summary_range, align_down, align_up,
    block_align_summary_range,
};
use super::ranges::{AddrRange, AddrRanges};
use super::sum::PallocSum;
use crate::os;

/// Go's `pallocSumBytes`.
const PALLOC_SUM_BYTES: usize = mem::size_of::<PallocSum>();

/// Go's `pageAlloc.summary` (and `summaryMappedReady`).
#[derive(Debug)]
pub(super) struct Summaries {
    /// Start of each level's reservation; null before [`Summaries::sys_init`].
    base: [*mut PallocSum; SUMMARY_LEVELS],
    /// Go's slice lengths: one past the highest entry any growth needed.
    /// Entries below it may still be unmapped if the heap is discontiguous.
    len: [usize; SUMMARY_LEVELS],
    /// Go's `summaryMappedReady`: bytes of summaries mapped so far.
    pub(super) mapped_ready: usize,
}

impl Summaries {
    pub(super) const fn new() -> Summaries {
        Summaries {
            base: [core::ptr::null_mut(); SUMMARY_LEVELS],
            len: [0; SUMMARY_LEVELS],
            mapped_ready: 0,
        }
    }

    /// Whether [`Summaries::sys_init`] has succeeded.
    #[inline]
    pub(super) fn is_init(&self) -> bool {
        !self.base[0].is_null()
    }

    /// Bytes reserved for `level`: one summary per entry, whole OS pages.
    fn reserved_bytes(level: usize) -> usize {
        let entries = 1usize << (HEAP_ADDR_BITS - LEVEL_SHIFT[level]);
        align_up(entries * PALLOC_SUM_BYTES, os::PHYS_PAGE_SIZE)
    }

    /// Port of `pageAlloc.sysInit` (64-bit): reserves, without committing,
    /// every level for the whole address space (about 585 MiB of address
    /// space in all). False if the kernel refused; then nothing is held.
    pub(super) fn sys_init(&mut self) -> bool {
        for l in 0..SUMMARY_LEVELS {
            let r = os::sys_reserve(0, Self::reserved_bytes(l));
            if r.is_null() {
                self.release();
                return false;
            }
            self.base[l] = r.cast();
        }
        true
    }

    /// Unmaps all reservations (mapped parts included).
    fn release(&mut self) {
        for l in 0..SUMMARY_LEVELS {
            if !self.base[l].is_null() {
                // SAFETY: the range is exactly the reservation made in
                // `sys_init`; nothing refers to it once its owner lets go.
                unsafe { os::sys_free(self.base[l].cast(), Self::reserved_bytes(l)) };
                self.base[l] = core::ptr::null_mut();
            }
        }
        self.len = [0; SUMMARY_LEVELS];
    }

    /// Go's `addrRangeToSummaryRange` (a closure in `sysGrow`): the
    /// block-aligned entries of `level` covering `r`.
    fn addr_range_to_summary_range(level: usize, r: AddrRange) -> (usize, usize) {
        let (lo, hi) = addrs_to_summary_range(level, r.base, r.limit);
        block_align_summary_range(level, lo, hi)
    }

    /// Go's `summaryRangeToSumAddrRange`: the OS pages of the level's array
    /// that hold entries `[lo, hi)`.
    fn summary_range_to_sum_addr_range(&self, level: usize, lo: usize, hi: usize) -> AddrRange {
        let base = self.base[level] as usize;
        AddrRange::new(
            base + align_down(lo * PALLOC_SUM_BYTES, os::PHYS_PAGE_SIZE),
            base + align_up(hi * PALLOC_SUM_BYTES, os::PHYS_PAGE_SIZE),
        )
    }

    /// Go's `addrRangeToSumAddrRange`: the OS pages of the level's array
    /// holding the summaries of the heap range `r`.
    fn addr_range_to_sum_addr_range(&self, level: usize, r: AddrRange) -> AddrRange {
        let (lo, hi) = Self::addr_range_to_summary_range(level, r);
        self.summary_range_to_sum_addr_range(level, lo, hi)
    }

    /// Port of `pageAlloc.sysGrow` (64-bit): maps, at every level, the pages
    /// of summaries that the new heap range `[base, limit)` (chunk aligned,
    /// not yet in `in_use`) needs and that its neighbours in `in_use` have
    /// not mapped already. Mapping never touches a page holding summaries of
    /// an existing range, because a fresh mapping would zero it.
    ///
    /// Returns false if a mapping failed. The pages mapped before the
    /// failure hold no data and belong to no range in `in_use`, so a later
    /// growth may map them again harmlessly; `len` is only raised once all
    /// mappings succeeded.
    ///
    /// Deviation: the scavenge index grows separately (Go calls its
    /// `sysGrow` from here and again from `grow`; the second is a no-op).
    pub(super) fn sys_grow(&mut self, base: usize, limit: usize, in_use: &AddrRanges) -> bool {
        use super::layout::PALLOC_CHUNK_BYTES;
        check!(
            base % PALLOC_CHUNK_BYTES == 0 && limit % PALLOC_CHUNK_BYTES == 0,
            "pagealloc: sysGrow bounds not aligned to pallocChunkBytes: [{base:#x}, {limit:#x})"
        );
        let grown = AddrRange::new(base, limit);
        let ranges = in_use.ranges();
        // Where the new range will go in `in_use`: its neighbours are the
        // ranges at `succ - 1` and `succ`.
        let succ = in_use.find_succ(base);
        let mut new_len = self.len;
        for (l, len) in new_len.iter_mut().enumerate() {
            let (lo, hi) = Self::addr_range_to_summary_range(l, grown);
            *len = (*len).max(hi);
            let mut need = self.summary_range_to_sum_addr_range(l, lo, hi);
            if succ > 0 {
                need = need.subtract(self.addr_range_to_sum_addr_range(l, ranges[succ - 1]));
            }
            if succ < ranges.len() {
                need = need.subtract(self.addr_range_to_sum_addr_range(l, ranges[succ]));
            }
            if need.size() == 0 {
                continue;
            }
            // SAFETY: `need` lies inside level `l`'s reservation and, as
            // argued above, holds no live summary.
            if !unsafe { os::sys_map(need.base as *mut u8, need.size()) } {
                return false;
            }
            self.mapped_ready += need.size();
        }
        self.len = new_len;
        true
    }

    /// Reads entry `i` of `level` (`p.summary[level][i]`).
    ///
    /// # Safety
    /// The entry is mapped: it lies in the block-aligned summary range of a
    /// heap range that was grown (for instance, it summarizes grown memory,
    /// or shares a block with an entry that does).
    #[inline]
    pub(super) unsafe fn get(&self, level: usize, i: usize) -> PallocSum {
        check!(
            i < self.len[level],
            "pagealloc: summary[{level}][{i}] out of range"
        );
        // SAFETY: in bounds of the reservation (checked against `len`) and
        // mapped (the caller's promise).
        unsafe { self.base[level].add(i).read() }
    }

    /// Writes entry `i` of `level`.
    ///
    /// # Safety
    /// As for [`Summaries::get`].
    #[inline]
    pub(super) unsafe fn set(&mut self, level: usize, i: usize, v: PallocSum) {
        check!(
            i < self.len[level],
            "pagealloc: summary[{level}][{i}] out of range"
        );
        // SAFETY: as in `get`; `&mut self` makes the write exclusive.
        unsafe { self.base[level].add(i).write(v) }
    }

    /// Entries `[lo, hi)` of `level` as a slice (`p.summary[level][lo:hi]`).
    ///
    /// # Safety
    /// Every entry of the range is mapped (see [`Summaries::get`]); whole
    /// blocks of a grown range are.
    #[inline]
    pub(super) unsafe fn block(&self, level: usize, lo: usize, hi: usize) -> &[PallocSum] {
        check!(
            lo <= hi && hi <= self.len[level],
            "pagealloc: summary[{level}][{lo}:{hi}] out of range"
        );
        // SAFETY: in bounds and mapped (the caller's promise); the slice
        // borrows `self`, so no write can alias it.
        unsafe { core::slice::from_raw_parts(self.base[level].add(lo), hi - lo) }
    }

    /// Mutable [`Summaries::block`].
    ///
    /// # Safety
    /// As for [`Summaries::block`].
    #[inline]
    pub(super) unsafe fn block_mut(
        &mut self,
        level: usize,
        lo: usize,
        hi: usize,
    ) -> &mut [PallocSum] {
        check!(
            lo <= hi && hi <= self.len[level],
            "pagealloc: summary[{level}][{lo}:{hi}] out of range"
        );
        // SAFETY: as in `block`; `&mut self` makes the slice exclusive.
        unsafe { core::slice::from_raw_parts_mut(self.base[level].add(lo), hi - lo) }
    }
}

impl Drop for Summaries {
    fn drop(&mut self) {
        self.release();
    }
}
