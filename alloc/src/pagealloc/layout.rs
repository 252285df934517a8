//! Address-space geometry of the page allocator: chunks, the chunk map's
//! two index halves, and the radix tree's levels. Port of the constants and
//! index helpers of runtime/mpagealloc.go and runtime/mpagealloc_64bit.go
//! (plus `heapAddrBits`/`arenaBaseOffset` from runtime/malloc.go and the
//! alignment helpers of runtime/stubs.go).
//!
//! Deviation: Go's `offAddr` (runtime/mranges.go) views the address space
//! shifted by `arenaBaseOffset`, which is non-zero only on amd64 (to cover
//! the kernel half of the address space, never seen by a Linux process) and
//! AIX. We use Go's linux/arm64 configuration everywhere: 48 heap address
//! bits and an offset of zero, so an "offset address" is the plain address
//! and comparisons between them are plain `usize` comparisons.

use crate::{PAGE_SHIFT, PAGE_SIZE};

#[cfg(not(target_pointer_width = "64"))]
compile_error!("the page allocator is the 64-bit (48-bit address) configuration only");

/// Go's `heapAddrBits` on 64-bit Linux: heap addresses fit in 48 bits.
pub(super) const HEAP_ADDR_BITS: usize = 48;

/// Go's `arenaBaseOffset` (zero: see the module documentation).
pub(super) const ARENA_BASE_OFFSET: usize = 0;

/// Go's `minOffAddr`: the lowest address of the offset address space.
pub(super) const MIN_OFF_ADDR: usize = ARENA_BASE_OFFSET;

/// Go's `maxOffAddr`, returned by `maxSearchAddr()`: the highest address
/// the chunk map and the summaries can describe. As a search address it
/// means "no free page anywhere".
pub(super) const MAX_SEARCH_ADDR: usize = ((1 << HEAP_ADDR_BITS) - 1) + ARENA_BASE_OFFSET;

/// Go's `logPallocChunkPages`.
pub(super) const LOG_PALLOC_CHUNK_PAGES: usize = 9;
/// Go's `pallocChunkPages`: pages described by one bitmap chunk.
pub(super) const PALLOC_CHUNK_PAGES: usize = 1 << LOG_PALLOC_CHUNK_PAGES;
/// Go's `logPallocChunkBytes`.
pub(super) const LOG_PALLOC_CHUNK_BYTES: usize = LOG_PALLOC_CHUNK_PAGES + PAGE_SHIFT;
/// Go's `pallocChunkBytes` (4 MiB).
pub(crate) const PALLOC_CHUNK_BYTES: usize = PALLOC_CHUNK_PAGES * PAGE_SIZE;

/// Go's `summaryLevels` (mpagealloc_64bit.go): depth of the radix tree.
pub(super) const SUMMARY_LEVELS: usize = 5;
/// Go's `summaryLevelBits`: fan-out (log2) of every level below the root.
pub(super) const SUMMARY_LEVEL_BITS: usize = 3;
/// Go's `summaryL0Bits`: log2 of the number of root entries.
pub(super) const SUMMARY_L0_BITS: usize =
    HEAP_ADDR_BITS - LOG_PALLOC_CHUNK_BYTES - (SUMMARY_LEVELS - 1) * SUMMARY_LEVEL_BITS;

/// Go's `pallocChunksL1Bits` (mpagealloc_64bit.go).
pub(super) const PALLOC_CHUNKS_L1_BITS: usize = 13;
/// Go's `pallocChunksL2Bits`.
pub(super) const PALLOC_CHUNKS_L2_BITS: usize =
    HEAP_ADDR_BITS - LOG_PALLOC_CHUNK_BYTES - PALLOC_CHUNKS_L1_BITS;
/// Go's `pallocChunksL1Shift`.
const PALLOC_CHUNKS_L1_SHIFT: usize = PALLOC_CHUNKS_L2_BITS;

/// Go's `levelBits`: log2 of the entries per block at each level (the root
/// level is one block).
pub(super) const LEVEL_BITS: [usize; SUMMARY_LEVELS] = [
    SUMMARY_L0_BITS,
    SUMMARY_LEVEL_BITS,
    SUMMARY_LEVEL_BITS,
    SUMMARY_LEVEL_BITS,
    SUMMARY_LEVEL_BITS,
];

/// Go's `levelShift`: an address shifted right by this gives its entry
/// index at the level.
pub(super) const LEVEL_SHIFT: [usize; SUMMARY_LEVELS] = [
    HEAP_ADDR_BITS - SUMMARY_L0_BITS,
    HEAP_ADDR_BITS - SUMMARY_L0_BITS - SUMMARY_LEVEL_BITS,
    HEAP_ADDR_BITS - SUMMARY_L0_BITS - 2 * SUMMARY_LEVEL_BITS,
    HEAP_ADDR_BITS - SUMMARY_L0_BITS - 3 * SUMMARY_LEVEL_BITS,
    HEAP_ADDR_BITS - SUMMARY_L0_BITS - 4 * SUMMARY_LEVEL_BITS,
];

/// Go's `levelLogPages`: log2 of the pages one entry of the level covers.
pub(super) const LEVEL_LOG_PAGES: [usize; SUMMARY_LEVELS] = [
    LOG_PALLOC_CHUNK_PAGES + 4 * SUMMARY_LEVEL_BITS,
    LOG_PALLOC_CHUNK_PAGES + 3 * SUMMARY_LEVEL_BITS,
    LOG_PALLOC_CHUNK_PAGES + 2 * SUMMARY_LEVEL_BITS,
    LOG_PALLOC_CHUNK_PAGES + SUMMARY_LEVEL_BITS,
    LOG_PALLOC_CHUNK_PAGES,
];

// The geometry must add up exactly as in Go.
const _: () = {
    assert!(PAGE_SIZE == 8192);
    assert!(SUMMARY_L0_BITS == 14);
    assert!(LOG_PALLOC_CHUNK_BYTES == 22);
    assert!(LEVEL_SHIFT[SUMMARY_LEVELS - 1] == LOG_PALLOC_CHUNK_BYTES);
    assert!(LEVEL_LOG_PAGES[0] + PAGE_SHIFT == LEVEL_SHIFT[0]);
};

/// Go's `chunkIdx`: index of a chunk in the whole (offset) address space,
/// that is, an index into the leaf level of the radix tree.
pub(super) type ChunkIdx = usize;

/// Port of `chunkIndex` (runtime/mpagealloc.go): the chunk holding `p`.
#[inline]
pub(super) const fn chunk_index(p: usize) -> ChunkIdx {
    (p - ARENA_BASE_OFFSET) / PALLOC_CHUNK_BYTES
}

/// Port of `chunkBase`: the first address of chunk `ci`.
#[inline]
pub(super) const fn chunk_base(ci: ChunkIdx) -> usize {
    ci * PALLOC_CHUNK_BYTES + ARENA_BASE_OFFSET
}

/// Port of `chunkPageIndex`: the page of `p` counted from its chunk's start.
#[inline]
pub(super) const fn chunk_page_index(p: usize) -> usize {
    p % PALLOC_CHUNK_BYTES / PAGE_SIZE
}

/// Port of `chunkIdx.l1`: the chunk map's first-level index.
#[inline]
pub(super) const fn chunk_l1(ci: ChunkIdx) -> usize {
    ci >> PALLOC_CHUNKS_L1_SHIFT
}

/// Port of `chunkIdx.l2`: the chunk map's second-level index.
#[inline]
pub(super) const fn chunk_l2(ci: ChunkIdx) -> usize {
    ci & ((1 << PALLOC_CHUNKS_L2_BITS) - 1)
}

/// Port of `offAddrToLevelIndex`: the entry of `level` that covers `addr`.
#[inline]
pub(super) const fn off_addr_to_level_index(level: usize, addr: usize) -> usize {
    (addr - ARENA_BASE_OFFSET) >> LEVEL_SHIFT[level]
}

/// Port of `levelIndexToOffAddr`: the first address covered by entry `idx`
/// of `level`.
#[inline]
pub(super) const fn level_index_to_off_addr(level: usize, idx: usize) -> usize {
    (idx << LEVEL_SHIFT[level]) + ARENA_BASE_OFFSET
}

/// Port of `addrsToSummaryRange`: the entries `[lo, hi)` of `level` that
/// cover the addresses `[base, limit)`. The exclusive limit is made
/// inclusive before shifting so that a limit on an entry boundary does not
/// pull in one entry too many.
#[inline]
pub(super) const fn addrs_to_summary_range(
    level: usize,
    base: usize,
    limit: usize,
) -> (usize, usize) {
    let lo = (base - ARENA_BASE_OFFSET) >> LEVEL_SHIFT[level];
    let hi = (((limit - 1) - ARENA_BASE_OFFSET) >> LEVEL_SHIFT[level]) + 1;
    (lo, hi)
}

/// Port of `blockAlignSummaryRange`: widens `[lo, hi)` to whole blocks
/// (`1 << LEVEL_BITS[level]` entries) of `level`.
#[inline]
pub(super) const fn block_align_summary_range(
    level: usize,
    lo: usize,
    hi: usize,
) -> (usize, usize) {
    let e = 1 << LEVEL_BITS[level];
    (align_down(lo, e), align_up(hi, e))
}

/// Port of `alignUp` (runtime/stubs.go); `a` is a power of two.
#[inline]
pub(super) const fn align_up(n: usize, a: usize) -> usize {
    (n + a - 1) & !(a - 1)
}

/// Port of `alignDown` (runtime/stubs.go); `a` is a power of two.
#[inline]
pub(super) const fn align_down(n: usize, a: usize) -> usize {
    n & !(a - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_matches_go() {
        assert_eq!(PALLOC_CHUNK_BYTES, 4 << 20);
        assert_eq!(LEVEL_SHIFT, [34, 31, 28, 25, 22]);
        assert_eq!(LEVEL_LOG_PAGES, [21, 18, 15, 12, 9]);
        assert_eq!(PALLOC_CHUNKS_L2_BITS, 13);
        // Every level covers the whole 48-bit space.
        for l in 0..SUMMARY_LEVELS {
            assert_eq!(
                LEVEL_SHIFT[l] + LEVEL_BITS[..=l].iter().sum::<usize>(),
                HEAP_ADDR_BITS
            );
        }
    }

    #[test]
    fn index_math() {
        let ci = 0xc000;
        let base = chunk_base(ci);
        assert_eq!(base, 0x30_0000_0000);
        assert_eq!(chunk_index(base + PALLOC_CHUNK_BYTES - 1), ci);
        assert_eq!(chunk_page_index(base + 7 * PAGE_SIZE + 5), 7);
        assert_eq!((chunk_l1(ci) << PALLOC_CHUNKS_L2_BITS) | chunk_l2(ci), ci);
        assert_eq!(
            addrs_to_summary_range(4, base, base + PALLOC_CHUNK_BYTES),
            (ci, ci + 1)
        );
        assert_eq!(
            addrs_to_summary_range(3, base, base + PALLOC_CHUNK_BYTES),
            (ci >> 3, (ci >> 3) + 1)
        );
        assert_eq!(block_align_summary_range(4, ci + 1, ci + 2), (ci, ci + 8));
        assert_eq!(block_align_summary_range(0, 3, 4), (0, 1 << 14));
        assert_eq!(level_index_to_off_addr(4, ci), base);
        assert_eq!(off_addr_to_level_index(2, base), base >> 28);
    }
}
