//! Choosing free pages to return to the OS: port of the page allocator's
//! side of runtime/mgcscavenge.go (`pageAlloc.scavenge`/`scavengeOne`,
//! `fillAligned`, `pallocData.findScavengeCandidate`).
//!
//! Left to the caller, as the brief splits the work: pacing (Go's
//! `scavengerState`, `gcPaceScavenger`, the PI controller), the `sysUnused`
//! call itself, and the release statistics (`releasedBg`,
//! `releasedEager`, `heapReleased`).

use super::PageAlloc;
use super::bits::PallocData;
use super::layout::{
    PALLOC_CHUNK_PAGES, SUMMARY_LEVELS, align_down, align_up, chunk_base, chunk_index,
    chunk_page_index,
};
use crate::throw::{check, throw};
use crate::{PAGE_SIZE, os};

/// Go's `maxPagesPerPhysPage` (`maxPhysPageSize` = 512 KiB over 8 KiB
/// pages): the largest supported `minimum` of a scavenging run.
const MAX_PAGES_PER_PHYS_PAGE: usize = (512 << 10) / PAGE_SIZE;

/// Go's `physHugePageSize` on Linux: the transparent huge page size.
///
/// Deviation: Go reads it at startup from
/// `/sys/kernel/mm/transparent_hugepage/hpage_pmd_size`; here it is the
/// 2 MiB that file holds on x86-64 and 4 KiB-page arm64 kernels.
pub(super) const PHYS_HUGE_PAGE_SIZE: usize = 2 << 20;

/// Go's `minPages` in `scavengeOne`: the smallest run that can be
/// released, one physical page (at least one heap page). With 4 KiB
/// physical pages under 8 KiB heap pages this is 1.
const MIN_SCAVENGE_PAGES: usize = if os::PHYS_PAGE_SIZE / PAGE_SIZE < 1 {
    1
} else {
    os::PHYS_PAGE_SIZE / PAGE_SIZE
};

/// Port of `fillAligned`: `x` with every aligned group of `m` bits made
/// all ones if any bit of the group is set (`m` a power of two, at most
/// 64). Uses the "has a zero byte" bit trick, generalized to `m`-bit
/// groups, to flag empty groups and then inverts.
pub(super) fn fill_aligned(x: u64, m: usize) -> u64 {
    // Sets the top bit of each m-bit group that is entirely zero in `x`,
    // given `c` = every group's low m-1 bits set.
    let apply = |x: u64, c: u64| !((((x & c).wrapping_add(c)) | x) | c);
    let x = match m {
        1 => return x,
        2 => apply(x, 0x5555_5555_5555_5555),
        4 => apply(x, 0x7777_7777_7777_7777),
        8 => apply(x, 0x7f7f_7f7f_7f7f_7f7f),
        16 => apply(x, 0x7fff_7fff_7fff_7fff),
        32 => apply(x, 0x7fff_ffff_7fff_ffff),
        64 => apply(x, 0x7fff_ffff_ffff_ffff),
        _ => throw!("pagealloc: fillAligned: bad m value {m}"),
    };
    // Turn each flagged top bit into a whole flagged group, then invert so
    // that empty groups read as zeros and all others as ones.
    !((x.wrapping_sub(x >> (m - 1))) | x)
}

impl PallocData {
    /// Port of `pallocData.findScavengeCandidate`: the highest run of
    /// free, unscavenged pages at or below word `search_idx / 64`, as
    /// `(start, npages)`, `npages == 0` meaning none. Runs count in aligned
    /// groups of `minimum` pages (a power of two up to 64); `max` caps the
    /// size (rounded up to `minimum`; 0 means `minimum`), except that a run
    /// crossing a huge page boundary is widened down to that boundary when
    /// the whole huge page is free, so as not to break it up.
    ///
    /// Deviations: the huge page size is [`PHYS_HUGE_PAGE_SIZE`] (see its
    /// note); `max` is clamped to a chunk before rounding (same results).
    pub(super) fn find_scavenge_candidate(
        &self,
        search_idx: usize,
        minimum: usize,
        max: usize,
    ) -> (usize, usize) {
        self.find_scavenge_candidate_with(search_idx, minimum, max, PHYS_HUGE_PAGE_SIZE)
    }

    /// [`PallocData::find_scavenge_candidate`] for a given huge page size
    /// (Go's code reads the global; tests vary it).
    pub(super) fn find_scavenge_candidate_with(
        &self,
        search_idx: usize,
        minimum: usize,
        max: usize,
        phys_huge_page_size: usize,
    ) -> (usize, usize) {
        check!(
            minimum.is_power_of_two(),
            "pagealloc: findScavengeCandidate: min must be a non-zero power of 2, got {minimum}"
        );
        check!(
            minimum <= MAX_PAGES_PER_PHYS_PAGE,
            "pagealloc: findScavengeCandidate: min too large: {minimum}"
        );
        // A run never exceeds a chunk, so clamping `max` to one changes no
        // result and keeps the rounding from overflowing (Go's callers never
        // pass more than about 2^51; ours may pass `usize::MAX`).
        let max = if max == 0 {
            minimum
        } else {
            align_up(max.min(PALLOC_CHUNK_PAGES), minimum)
        };

        // Bits set = in use or already scavenged, i.e. not a candidate.
        let word = |i: usize| fill_aligned(self.scavenged.0[i] | self.bits.0.0[i], minimum);

        // Skip whole words without candidates, downward.
        let mut i = search_idx / 64;
        loop {
            if word(i) != !0 {
                break;
            }
            if i == 0 {
                return (0, 0);
            }
            i -= 1;
        }
        // The run's top is in word `i`; find how far down it reaches.
        let x = word(i);
        let z1 = (!x).leading_zeros() as usize;
        let end = i * 64 + (64 - z1);
        let run = if x << z1 != 0 {
            // It stops inside this word.
            (x << z1).leading_zeros() as usize
        } else {
            // It reaches the bottom of the word and may go on below.
            let mut run = 64 - z1;
            for j in (0..i).rev() {
                let x = word(j);
                run += x.leading_zeros() as usize;
                if x != 0 {
                    break;
                }
            }
            run
        };

        let mut size = run.min(max);
        let mut start = end - size;

        // A huge page always fits in a chunk; avoid breaking a free one.
        // (Go: larger than both the heap page and the OS page.)
        if phys_huge_page_size > PAGE_SIZE.max(os::PHYS_PAGE_SIZE) {
            let pages_per_huge_page = phys_huge_page_size / PAGE_SIZE;
            let huge_page_above = align_up(start, pages_per_huge_page);
            if huge_page_above <= end {
                let huge_page_below = align_down(start, pages_per_huge_page);
                if huge_page_below >= end - run {
                    // The whole huge page below `start` is part of the run:
                    // take all of it.
                    size += start - huge_page_below;
                    start = huge_page_below;
                }
            }
        }
        (start, size)
    }
}

impl PageAlloc {
    /// The first, locked half of Go's `scavengeOne`, driven by the loop of
    /// `pageAlloc.scavenge`: picks, highest address first, a run of free
    /// and unscavenged pages, marks it allocated so that nobody takes it
    /// while the caller (without the lock) releases it with `sys_unused`,
    /// and returns `(base address, npages)`. `None` when nothing is left
    /// to scavenge.
    ///
    /// `force` is Go's flag: `false` searches as Go's background
    /// scavenger does (only memory freed before the last
    /// [`PageAlloc::next_gen`], only chunks not densely used in the
    /// current and previous generation); `true` finds every free,
    /// unscavenged page.
    ///
    /// The run holds about `max_pages` pages: fewer if the run found is
    /// shorter, more (up to the enclosing 2 MiB huge page) if taking only
    /// `max_pages` would break up a free huge page, as in Go. The caller
    /// must pass the returned `npages` to [`PageAlloc::scavenge_end`].
    ///
    /// Deviation: Go's `scavenge(nbytes, shouldStop, force)` loops until
    /// `nbytes` are released; here each call returns one run and the
    /// caller loops.
    pub(crate) fn scavenge_begin(
        &mut self,
        max_pages: usize,
        force: bool,
    ) -> Option<(usize, usize)> {
        const LEAF: usize = SUMMARY_LEVELS - 1;
        loop {
            let (ci, search_idx) = self.scav.find(force)?;
            // SAFETY: the index only offers chunks with free pages, which
            // were grown, so their leaf summary is mapped.
            if unsafe { self.summary.get(LEAF, ci) }.max() >= MIN_SCAVENGE_PAGES {
                let (base, npages) = self.chunks.get(ci).find_scavenge_candidate(
                    search_idx,
                    MIN_SCAVENGE_PAGES,
                    max_pages,
                );
                if npages != 0 {
                    let addr = chunk_base(ci) + base * PAGE_SIZE;
                    // Take the pages out of circulation, touching only the
                    // bitmap and the summaries (not the index's counts).
                    self.chunks.get_mut(ci).alloc_range(base, npages);
                    self.update(addr, npages, true, true);
                    return Some((addr, npages));
                }
            }
            // Nothing (more) in this chunk for now.
            self.scav.set_empty(ci);
        }
    }

    /// The second, relocked half of Go's `scavengeOne`: after the caller's
    /// `sys_unused`, frees `[base, base + npages pages)` as returned by
    /// [`PageAlloc::scavenge_begin`] again and marks it scavenged.
    pub(crate) fn scavenge_end(&mut self, base: usize, npages: usize) {
        let ci = chunk_index(base);
        let first = chunk_page_index(base);
        check!(
            npages > 0 && first + npages <= PALLOC_CHUNK_PAGES,
            "pagealloc: scavenge_end({base:#x}, {npages}) does not lie in one chunk"
        );
        if base < self.search_addr {
            self.search_addr = base;
        }
        self.chunks.get_mut(ci).bits.free(first, npages);
        self.update(base, npages, true, false);
        self.chunks.get_mut(ci).scavenged.set_range(first, npages);
    }

    /// Port of `scavengeIndex.nextGen` (called by Go's GC at the end of
    /// each mark phase): starts a new scavenging generation for the
    /// non-forced search.
    pub(crate) fn next_gen(&mut self) {
        self.scav.next_gen();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pagealloc::bits::PageBits;
    use crate::pagealloc::bits::tests::{Rng, make_bits};

    const P: usize = PALLOC_CHUNK_PAGES;

    fn fill_aligned_slow(x: u64, m: usize) -> u64 {
        if m == 1 {
            return x;
        }
        let mut out = 0u64;
        for i in (0..64).step_by(m) {
            let group = if m == 64 { !0 } else { ((1u64 << m) - 1) << i };
            if x & group != 0 {
                out |= group;
            }
        }
        out
    }

    // TestFillAligned
    #[test]
    fn fill_aligned_matches_reference() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut m = 1;
        while m <= 64 {
            let fixed = [
                0x0000000000000000u64,
                0x00000000ffffffff,
                0xffffffff00000000,
                0x8000000000000001,
                0xf00000000000000f,
                0xf00000010050000f,
                0xffffffffffffffff,
                0x0000000000000001,
                0x0000000000000002,
                0x0000000000000008,
                1u64 << (m - 1),
                if m < 64 { 1u64 << m } else { 0 },
                0xb02b9effcf137016,
                0x3975a076a9fbff18,
                0x0f8c88ec3b81506e,
                0x60f14d80ef2fa0e6,
            ];
            for x in fixed {
                assert_eq!(fill_aligned(x, m), fill_aligned_slow(x, m), "{x:#x}, {m}");
            }
            for _ in 0..1000 {
                let x = rng.next();
                assert_eq!(fill_aligned(x, m), fill_aligned_slow(x, m), "{x:#x}, {m}");
                if m > 1 {
                    // Whole groups left zero or filled at random.
                    let mut val = 0u64;
                    for n in (0..64).step_by(m) {
                        if rng.next() % 2 == 0 {
                            let mask = if m == 64 { !0 } else { (1u64 << m) - 1 };
                            val |= (rng.next() & mask) << n;
                        }
                    }
                    assert_eq!(
                        fill_aligned(val, m),
                        fill_aligned_slow(val, m),
                        "{val:#x}, {m}"
                    );
                }
            }
            m *= 2;
        }
        assert_eq!(fill_aligned(0x0100a3, 8), 0xff00ff);
    }

    fn make_data(alloc: &[(usize, usize)], scavenged: &[(usize, usize)]) -> PallocData {
        PallocData {
            bits: make_bits(alloc),
            scavenged: PageBits(make_bits(scavenged).0.0),
        }
    }

    struct Case {
        name: String,
        alloc: Vec<(usize, usize)>,
        scav: Vec<(usize, usize)>,
        min: usize,
        max: usize,
        want: (usize, usize),
    }

    fn case(
        name: &str,
        alloc: &[(usize, usize)],
        scav: &[(usize, usize)],
        min: usize,
        max: usize,
        want: (usize, usize),
    ) -> Case {
        Case {
            name: name.into(),
            alloc: alloc.to_vec(),
            scav: scav.to_vec(),
            min,
            max,
            want,
        }
    }

    // TestPallocDataFindScavengeCandidate
    #[test]
    fn find_scavenge_candidate_cases() {
        let mut cases = vec![
            case(
                "MixedMin1",
                &[(0, 40), (42, P - 42)],
                &[(0, 41), (42, P - 42)],
                1,
                P,
                (41, 1),
            ),
            case(
                "MultiMin1",
                &[(0, 63), (65, 20), (87, P - 87)],
                &[(86, 1)],
                1,
                P,
                (85, 1),
            ),
        ];
        let mut m = 1;
        while m <= 64 {
            let s = |n: &str| format!("{n}Min{m}");
            cases.push(case(&s("AllFree"), &[], &[], m, P, (0, P)));
            cases.push(case(&s("AllScavenged"), &[], &[(0, P)], m, P, (0, 0)));
            cases.push(case(
                &s("NoneFree"),
                &[(0, P)],
                &[(P / 2, P / 2)],
                m,
                P,
                (0, 0),
            ));
            cases.push(case(&s("StartFree"), &[(m, P - m)], &[], m, P, (0, m)));
            cases.push(case(&s("EndFree"), &[(0, P - m)], &[], m, P, (P - m, m)));
            cases.push(case(
                &s("Straddle64"),
                &[(0, 64 - m), (64 + m, P - (64 + m))],
                &[],
                m,
                2 * m,
                (64 - m, 2 * m),
            ));
            cases.push(case(
                &s("BottomEdge64WithFull"),
                &[(64, 64), (128 + 3 * m, P - (128 + 3 * m))],
                &[(1, 10)],
                m,
                3 * m,
                (128, 3 * m),
            ));
            cases.push(case(
                &s("BottomEdge64WithPocket"),
                &[(64, 62), (127, 1), (128 + 3 * m, P - (128 + 3 * m))],
                &[(1, 10)],
                m,
                3 * m,
                (128, 3 * m),
            ));
            cases.push(case(&s("Max0"), &[], &[(0, P - m)], m, 0, (P - m, m)));
            if m <= 8 {
                cases.push(case(
                    &s("OneFree"),
                    &[(0, 40), (40 + m, P - (40 + m))],
                    &[],
                    m,
                    P,
                    (40, m),
                ));
                cases.push(case(
                    &s("OneScavenged"),
                    &[(0, 40), (40 + m, P - (40 + m))],
                    &[(40, 1)],
                    m,
                    P,
                    (0, 0),
                ));
            }
            if m > 1 {
                cases.push(case(
                    &s("MaxUnaligned"),
                    &[],
                    &[(0, P - (m * 2 - 1))],
                    m,
                    m - 2,
                    (P - m, m),
                ));
                cases.push(case(
                    &s("SkipSmall"),
                    &[(0, 64 - m), (64, 5), (70, 11), (82, P - 82)],
                    &[],
                    m,
                    m,
                    (64 - m, m),
                ));
                cases.push(case(
                    &s("SkipMisaligned"),
                    &[(0, 64 - m), (64, 63), (127 + m, P - (127 + m))],
                    &[],
                    m,
                    m,
                    (64 - m, m),
                ));
                cases.push(case(
                    &s("MaxLessThan"),
                    &[],
                    &[(0, P - m)],
                    m,
                    1,
                    (P - m, m),
                ));
            }
            m *= 2;
        }
        // Go's test expectations assume huge page preservation does not
        // change these (its cases are laid out so); run them with it off and
        // with it at our 2 MiB.
        for hp in [0, PHYS_HUGE_PAGE_SIZE] {
            for c in &cases {
                let d = make_data(&c.alloc, &c.scav);
                let got = d.find_scavenge_candidate_with(P - 1, c.min, c.max, hp);
                if !(got.1 == 0 && c.want.1 == 0) {
                    assert_eq!(got, c.want, "{} (huge page {hp})", c.name);
                }
            }
        }

        // Huge page preservation, as Go tests it for bits < pallocChunkPages.
        let bits = PHYS_HUGE_PAGE_SIZE / PAGE_SIZE;
        assert_eq!(bits, 256);
        let hp = [
            case(
                "PreserveHugePageBottom",
                &[(bits + 2, P - (bits + 2))],
                &[],
                1,
                3,
                (0, bits + 2),
            ),
            case(
                "PreserveHugePageTop",
                &[(0, P - bits)],
                &[],
                1,
                1,
                (P - bits, bits),
            ),
        ];
        for c in &hp {
            let d = make_data(&c.alloc, &c.scav);
            assert_eq!(
                d.find_scavenge_candidate(P - 1, c.min, c.max),
                c.want,
                "{}",
                c.name
            );
        }
    }
}
