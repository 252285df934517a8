//! The radix tree's node value: three free-page counts packed in a `u64`.
//! Port of `pallocSum` and `mergeSummaries` (runtime/mpagealloc.go).

use super::layout::{
    LOG_PALLOC_CHUNK_PAGES, PALLOC_CHUNK_PAGES, SUMMARY_LEVEL_BITS, SUMMARY_LEVELS,
};

/// Go's `logMaxPackedValue`: each packed field has this many bits (21).
pub(super) const LOG_MAX_PACKED_VALUE: usize =
    LOG_PALLOC_CHUNK_PAGES + (SUMMARY_LEVELS - 1) * SUMMARY_LEVEL_BITS;
/// Go's `maxPackedValue`: the one count a field cannot hold; a summary in
/// which all three counts equal it is encoded as bit 63 alone.
pub(super) const MAX_PACKED_VALUE: usize = 1 << LOG_MAX_PACKED_VALUE;

const FIELD_MASK: u64 = (MAX_PACKED_VALUE as u64) - 1;
const ALL_FREE_BIT: u64 = 1 << 63;

// Go's `pageAlloc.init` throws if a root entry could cover more pages than a
// summary can count; here the check is done by the compiler.
const _: () = assert!(super::layout::LEVEL_LOG_PAGES[0] <= LOG_MAX_PACKED_VALUE);

/// Port of `pallocSum`: for some run of the address space, the number of
/// free pages at its `start`, the longest free run anywhere in it (`max`),
/// and the number of free pages at its `end`. Zero means "nothing free".
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[repr(transparent)]
pub(super) struct PallocSum(u64);

/// Go's `freeChunkSum`: the summary of one entirely free chunk.
pub(super) const FREE_CHUNK_SUM: PallocSum =
    PallocSum::pack(PALLOC_CHUNK_PAGES, PALLOC_CHUNK_PAGES, PALLOC_CHUNK_PAGES);

impl PallocSum {
    /// The summary of a region without any free page.
    pub(super) const ZERO: PallocSum = PallocSum(0);

    /// Port of `packPallocSum`. A `max` of [`MAX_PACKED_VALUE`] can only
    /// come with equal `start` and `end` (the region is entirely free), which
    /// is stored as the lone top bit.
    #[inline]
    pub(super) const fn pack(start: usize, max: usize, end: usize) -> PallocSum {
        if max == MAX_PACKED_VALUE {
            return PallocSum(ALL_FREE_BIT);
        }
        PallocSum(
            (start as u64 & FIELD_MASK)
                | ((max as u64 & FIELD_MASK) << LOG_MAX_PACKED_VALUE)
                | ((end as u64 & FIELD_MASK) << (2 * LOG_MAX_PACKED_VALUE)),
        )
    }

    /// Port of `pallocSum.start`.
    #[inline]
    pub(super) const fn start(self) -> usize {
        if self.0 & ALL_FREE_BIT != 0 {
            return MAX_PACKED_VALUE;
        }
        (self.0 & FIELD_MASK) as usize
    }

    /// Port of `pallocSum.max`.
    #[inline]
    pub(super) const fn max(self) -> usize {
        if self.0 & ALL_FREE_BIT != 0 {
            return MAX_PACKED_VALUE;
        }
        ((self.0 >> LOG_MAX_PACKED_VALUE) & FIELD_MASK) as usize
    }

    /// Port of `pallocSum.end`.
    #[inline]
    pub(super) const fn end(self) -> usize {
        if self.0 & ALL_FREE_BIT != 0 {
            return MAX_PACKED_VALUE;
        }
        ((self.0 >> (2 * LOG_MAX_PACKED_VALUE)) & FIELD_MASK) as usize
    }

    /// Port of `pallocSum.unpack`: `(start, max, end)`.
    #[inline]
    pub(super) const fn unpack(self) -> (usize, usize, usize) {
        (self.start(), self.max(), self.end())
    }

    /// Whether the region has no free page (Go compares with 0).
    #[inline]
    pub(super) const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

/// Port of `mergeSummaries`: the summary of consecutive regions, each of
/// at most `1 << log_max_pages_per_sum` pages, described by `sums`.
///
/// Deviation: none (`sums` must be non-empty, as in Go).
pub(super) fn merge_summaries(sums: &[PallocSum], log_max_pages_per_sum: usize) -> PallocSum {
    let full = 1usize << log_max_pages_per_sum;
    let (mut start, mut most, mut end) = sums[0].unpack();
    for (i, s) in sums.iter().enumerate().skip(1) {
        let (si, mi, ei) = s.unpack();
        // The running start only grows while everything merged so far is
        // free.
        if start == i << log_max_pages_per_sum {
            start += si;
        }
        // The longest run is either the old one, the one inside sums[i], or
        // the one bridging the boundary.
        most = most.max(end + si).max(mi);
        // A fully free sums[i] extends the trailing run; otherwise its own
        // trailing run replaces it.
        if ei == full {
            end += full;
        } else {
            end = ei;
        }
    }
    PallocSum::pack(start, most, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_roundtrip() {
        for &(s, m, e) in &[
            (0, 0, 0),
            (1, 2, 3),
            (512, 512, 512),
            (MAX_PACKED_VALUE - 1, 7, 0),
        ] {
            assert_eq!(PallocSum::pack(s, m, e).unpack(), (s, m, e));
        }
        let all = PallocSum::pack(MAX_PACKED_VALUE, MAX_PACKED_VALUE, MAX_PACKED_VALUE);
        assert_eq!(all, PallocSum(1 << 63));
        assert_eq!(
            all.unpack(),
            (MAX_PACKED_VALUE, MAX_PACKED_VALUE, MAX_PACKED_VALUE)
        );
        assert!(PallocSum::pack(0, 0, 0).is_zero());
        assert_eq!(FREE_CHUNK_SUM.unpack(), (512, 512, 512));
    }

    #[test]
    fn merge() {
        let log = LOG_PALLOC_CHUNK_PAGES;
        let free = FREE_CHUNK_SUM;
        // Eight free chunks make a free level-3 entry.
        assert_eq!(
            merge_summaries(&[free; 8], log).unpack(),
            (4096, 4096, 4096)
        );
        // A run bridging two chunks.
        let a = PallocSum::pack(3, 10, 100);
        let b = PallocSum::pack(200, 200, 0);
        assert_eq!(merge_summaries(&[a, b], log).unpack(), (3, 300, 0));
        // Free prefix extends start; a full chunk at the end extends end.
        assert_eq!(
            merge_summaries(&[free, a, free], log).unpack(),
            (515, 612, 612)
        );
        // Eight free root-sized entries would overflow a field: the all-free
        // encoding takes over.
        let l = LOG_MAX_PACKED_VALUE - 3;
        let big = PallocSum::pack(1 << l, 1 << l, 1 << l);
        assert_eq!(merge_summaries(&[big; 8], l), PallocSum(1 << 63));
    }
}
