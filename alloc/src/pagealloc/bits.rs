//! One chunk's page bitmaps: which pages are allocated, which are
//! scavenged. Port of runtime/mpallocbits.go (`pageBits`, `pallocBits`,
//! `findBitRange64`, `pallocData`).
//!
//! Deviation throughout: Go reports "not found" as `^uint(0)`; the
//! searches here return `Option`. `find_bit_range64` keeps Go's contract
//! (a result of 64 or more means "none").

use super::layout::PALLOC_CHUNK_PAGES;
use super::sum::PallocSum;

const WORDS: usize = PALLOC_CHUNK_PAGES / 64;

/// Port of `pageBits`: one bit per page of a chunk.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[repr(transparent)]
pub(super) struct PageBits(pub(super) [u64; WORDS]);

impl PageBits {
    /// Port of `pageBits.get`: bit `i` (0 or 1).
    #[inline]
    pub(super) fn get(&self, i: usize) -> usize {
        ((self.0[i / 64] >> (i % 64)) & 1) as usize
    }

    /// Port of `pageBits.set`.
    #[inline]
    pub(super) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    /// Port of `pageBits.setRange`: sets bits `[i, i+n)`; `n > 0`.
    pub(super) fn set_range(&mut self, i: usize, n: usize) {
        if n == 1 {
            self.set(i);
            return;
        }
        let j = i + n - 1;
        if i / 64 == j / 64 {
            self.0[i / 64] |= low_mask(n) << (i % 64);
            return;
        }
        self.0[i / 64] |= !0u64 << (i % 64);
        for w in &mut self.0[i / 64 + 1..j / 64] {
            *w = !0;
        }
        self.0[j / 64] |= low_mask(j % 64 + 1);
    }

    /// Port of `pageBits.setAll`.
    #[inline]
    pub(super) fn set_all(&mut self) {
        self.0 = [!0; WORDS];
    }

    /// Port of `pageBits.clear`.
    #[inline]
    pub(super) fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }

    /// Port of `pageBits.clearRange`: clears bits `[i, i+n)`; `n > 0`.
    pub(super) fn clear_range(&mut self, i: usize, n: usize) {
        if n == 1 {
            self.clear(i);
            return;
        }
        let j = i + n - 1;
        if i / 64 == j / 64 {
            self.0[i / 64] &= !(low_mask(n) << (i % 64));
            return;
        }
        self.0[i / 64] &= !(!0u64 << (i % 64));
        for w in &mut self.0[i / 64 + 1..j / 64] {
            *w = 0;
        }
        self.0[j / 64] &= !low_mask(j % 64 + 1);
    }

    /// Port of `pageBits.clearAll`.
    #[inline]
    pub(super) fn clear_all(&mut self) {
        self.0 = [0; WORDS];
    }

    /// Port of `pageBits.popcntRange`: set bits in `[i, i+n)`; `n > 0`.
    pub(super) fn popcnt_range(&self, i: usize, n: usize) -> usize {
        if n == 1 {
            return self.get(i);
        }
        let j = i + n - 1;
        if i / 64 == j / 64 {
            return ((self.0[i / 64] >> (i % 64)) & low_mask(n)).count_ones() as usize;
        }
        let mut s = (self.0[i / 64] >> (i % 64)).count_ones() as usize;
        for w in &self.0[i / 64 + 1..j / 64] {
            s += w.count_ones() as usize;
        }
        s + (self.0[j / 64] & low_mask(j % 64 + 1)).count_ones() as usize
    }
}

/// The `n` low bits set, for `1 <= n <= 64` (Go relies on `1<<64 == 0`).
#[inline]
fn low_mask(n: usize) -> u64 {
    if n >= 64 { !0 } else { (1u64 << n) - 1 }
}

/// Port of `pallocBits`: a chunk's allocation bitmap, 1 = in use, 0 = free.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[repr(transparent)]
pub(super) struct PallocBits(pub(super) PageBits);

impl PallocBits {
    /// Port of `pallocBits.summarize`: the chunk's `(start, max, end)` free
    /// runs. Whole-word runs are gathered first; only if the longest of
    /// those is short does it look inside words, by repeatedly shrinking
    /// every interior zero run by the current maximum and seeing whether
    /// any survives.
    pub(super) fn summarize(&self) -> PallocSum {
        let b = &self.0.0;
        let mut start: Option<usize> = None;
        let mut most = 0usize;
        let mut cur = 0usize;
        for &x in b {
            if x == 0 {
                cur += 64;
                continue;
            }
            let t = x.trailing_zeros() as usize;
            let l = x.leading_zeros() as usize;
            // The run that crossed into this word ends here.
            cur += t;
            if start.is_none() {
                start = Some(cur);
            }
            most = most.max(cur);
            // A new run may continue into the next word.
            cur = l;
        }
        let Some(start) = start else {
            let n = 64 * WORDS;
            return PallocSum::pack(n, n, n);
        };
        most = most.max(cur);

        if most >= 64 - 2 {
            // No run strictly inside one word can be longer.
            return PallocSum::pack(start, most, cur);
        }
        // Every word has a one bit here; search the zero runs between ones.
        'words: for &word in b {
            // Drop the trailing zeros, already counted above.
            let mut x = word >> (word.trailing_zeros() & 63);
            if x & x.wrapping_add(1) == 0 {
                continue;
            }
            // `p`: how far every zero run must still shrink; `k`: the
            // shortest run of ones in `x`, which bounds a safe shift.
            let mut p = most;
            let mut k = 1usize;
            loop {
                while p > 0 {
                    if p <= k {
                        x |= x >> (p & 63);
                        if x & x.wrapping_add(1) == 0 {
                            continue 'words;
                        }
                        break;
                    }
                    x |= x >> (k & 63);
                    if x & x.wrapping_add(1) == 0 {
                        continue 'words;
                    }
                    p -= k;
                    k *= 2;
                }
                // A zero run survived: its remaining length adds to `most`.
                let ones = (!x).trailing_zeros();
                x >>= ones & 63;
                let zeros = x.trailing_zeros();
                x >>= zeros & 63;
                most += zeros as usize;
                if x & x.wrapping_add(1) == 0 {
                    continue 'words;
                }
                p = zeros as usize;
            }
        }
        PallocSum::pack(start, most, cur)
    }

    /// Port of `pallocBits.find`: the first run of `npages` free pages at
    /// or after word `search_idx / 64`, as `(start, new search index)`; the
    /// second value is the first free page seen, where the next search may
    /// begin. With `npages == 1` both are the same.
    pub(super) fn find(&self, npages: usize, search_idx: usize) -> Option<(usize, usize)> {
        if npages == 1 {
            let addr = self.find1(search_idx)?;
            Some((addr, addr))
        } else if npages <= 64 {
            self.find_small_n(npages, search_idx)
        } else {
            self.find_large_n(npages, search_idx)
        }
    }

    /// Port of `pallocBits.find1`: the first free page from word
    /// `search_idx / 64` on.
    pub(super) fn find1(&self, search_idx: usize) -> Option<usize> {
        for i in search_idx / 64..WORDS {
            let x = self.0.0[i];
            if !x == 0 {
                continue;
            }
            return Some(i * 64 + (!x).trailing_zeros() as usize);
        }
        None
    }

    /// Port of `pallocBits.findSmallN` (`npages <= 64`, so a fitting run
    /// spans at most one word boundary): tries the run ending the previous
    /// word plus this word's trailing zeros, then the inside of this word.
    pub(super) fn find_small_n(&self, npages: usize, search_idx: usize) -> Option<(usize, usize)> {
        let mut end = 0usize;
        let mut new_search_idx: Option<usize> = None;
        for i in search_idx / 64..WORDS {
            let bi = self.0.0[i];
            if !bi == 0 {
                end = 0;
                continue;
            }
            let nsi = *new_search_idx.get_or_insert(i * 64 + (!bi).trailing_zeros() as usize);
            let start = bi.trailing_zeros() as usize;
            if end + start >= npages {
                return Some((i * 64 - end, nsi));
            }
            let j = find_bit_range64(!bi, npages);
            if j < 64 {
                return Some((i * 64 + j, nsi));
            }
            end = bi.leading_zeros() as usize;
        }
        None
    }

    /// Port of `pallocBits.findLargeN` (`npages > 64`, so a fitting run
    /// spans at least one word boundary): extends a run word by word.
    pub(super) fn find_large_n(&self, npages: usize, search_idx: usize) -> Option<(usize, usize)> {
        let mut start = 0usize;
        let mut size = 0usize;
        let mut new_search_idx: Option<usize> = None;
        for i in search_idx / 64..WORDS {
            let x = self.0.0[i];
            if x == !0 {
                size = 0;
                continue;
            }
            let nsi = *new_search_idx.get_or_insert(i * 64 + (!x).trailing_zeros() as usize);
            if size == 0 {
                size = x.leading_zeros() as usize;
                start = i * 64 + 64 - size;
                continue;
            }
            let s = x.trailing_zeros() as usize;
            if s + size >= npages {
                return Some((start, nsi));
            }
            if s < 64 {
                size = x.leading_zeros() as usize;
                start = i * 64 + 64 - size;
                continue;
            }
            size += 64;
        }
        if size < npages {
            return None;
        }
        // Only reachable if a run reaching the chunk's end is long enough,
        // which the loop has already returned; kept to mirror Go.
        new_search_idx.map(|nsi| (start, nsi))
    }

    /// Port of `pallocBits.allocRange`: marks `[i, i+n)` in use.
    #[inline]
    pub(super) fn alloc_range(&mut self, i: usize, n: usize) {
        self.0.set_range(i, n);
    }

    /// Port of `pallocBits.allocAll`.
    #[inline]
    pub(super) fn alloc_all(&mut self) {
        self.0.set_all();
    }

    /// Port of `pallocBits.free1`.
    #[inline]
    pub(super) fn free1(&mut self, i: usize) {
        self.0.clear(i);
    }

    /// Port of `pallocBits.free`: marks `[i, i+n)` free.
    #[inline]
    pub(super) fn free(&mut self, i: usize, n: usize) {
        self.0.clear_range(i, n);
    }

    /// Port of `pallocBits.freeAll`.
    #[inline]
    pub(super) fn free_all(&mut self) {
        self.0.clear_all();
    }
}

/// Port of `findBitRange64`: the index of the lowest run of `n` (> 0)
/// consecutive one bits in `c`, or a value `>= 64` if there is none. Each
/// round trims the top of every run of ones, at most doubling the shift,
/// so that only runs that were at least `n` long keep a bit at their start.
pub(super) fn find_bit_range64(mut c: u64, n: usize) -> usize {
    let mut p = n - 1;
    let mut k = 1usize;
    while p > 0 {
        if p <= k {
            c &= c >> (p & 63);
            break;
        }
        c &= c >> (k & 63);
        if c == 0 {
            return 64;
        }
        p -= k;
        k *= 2;
    }
    c.trailing_zeros() as usize
}

/// Port of `pallocData`: a chunk's allocation bitmap together with its
/// scavenged bitmap (1 = the page was returned to the OS).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
#[repr(C)]
pub(super) struct PallocData {
    /// Go's embedded `pallocBits`.
    pub(super) bits: PallocBits,
    /// Go's `scavenged`.
    pub(super) scavenged: PageBits,
}

impl PallocData {
    /// Port of `pallocData.allocRange`: marks `[i, i+n)` in use; in-use
    /// pages are never counted as scavenged.
    #[inline]
    pub(super) fn alloc_range(&mut self, i: usize, n: usize) {
        self.bits.alloc_range(i, n);
        self.scavenged.clear_range(i, n);
    }

    /// Port of `pallocData.allocAll`.
    #[inline]
    pub(super) fn alloc_all(&mut self) {
        self.bits.alloc_all();
        self.scavenged.clear_all();
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::pagealloc::sum::PallocSum;

    const P: usize = PALLOC_CHUNK_PAGES;

    /// Go's `makePallocBits`: the given `(start, n)` ranges set.
    pub(in crate::pagealloc) fn make_bits(ranges: &[(usize, usize)]) -> PallocBits {
        let mut b = PallocBits::default();
        for &(i, n) in ranges {
            if n != 0 {
                b.alloc_range(i, n);
            }
        }
        b
    }

    fn inverted(mut b: PallocBits) -> PallocBits {
        for w in &mut b.0.0 {
            *w = !*w;
        }
        b
    }

    /// A tiny deterministic generator (xorshift64*), enough for bitmaps.
    pub(in crate::pagealloc) struct Rng(pub(in crate::pagealloc) u64);
    impl Rng {
        pub(in crate::pagealloc) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// Go's `SummarizeSlow`: the reference by counting bit by bit.
    fn summarize_slow(b: &PallocBits) -> PallocSum {
        let n = P;
        let mut start = 0;
        while start < n && b.0.get(start) == 0 {
            start += 1;
        }
        let mut end = 0;
        while end < n && b.0.get(n - end - 1) == 0 {
            end += 1;
        }
        let (mut run, mut most) = (0, 0);
        for i in 0..n {
            if b.0.get(i) == 0 {
                run += 1;
            } else {
                run = 0;
            }
            most = most.max(run);
        }
        PallocSum::pack(start, most, end)
    }

    // TestPallocBitsAllocRange
    #[test]
    fn alloc_range_cases() {
        let check = |i: usize, n: usize, want: &[(usize, u64)]| {
            let mut w = PallocBits::default();
            for &(k, v) in want {
                w.0.0[k] = v;
            }
            assert_eq!(make_bits(&[(i, n)]), w, "allocRange({i}, {n})");
        };
        check(0, 1, &[(0, 1)]);
        check(P - 1, 1, &[(P / 64 - 1, 1 << 63)]);
        check(129, 5, &[(2, 0x3e)]);
        check(128, 128, &[(2, !0), (3, !0)]);
        check(
            0,
            321,
            &[(0, !0), (1, !0), (2, !0), (3, !0), (4, !0), (5, 1)],
        );
        check(
            P - (64 * 3 + 1),
            64 * 3 + 1,
            &[
                (P / 64 - 1, !0),
                (P / 64 - 2, !0),
                (P / 64 - 3, !0),
                (P / 64 - 4, 1 << 63),
            ],
        );
        let all: Vec<(usize, u64)> = (0..P / 64).map(|k| (k, !0)).collect();
        check(0, P, &all);
    }

    // TestMallocBitsPopcntRange
    #[test]
    fn popcnt_range() {
        type Case = (&'static [(usize, usize)], &'static [(usize, usize, usize)]);
        let cases: &[Case] = &[
            (
                &[],
                &[
                    (0, 1, 0),
                    (5, 3, 0),
                    (2, 11, 0),
                    (P / 4 + 1, P / 2, 0),
                    (0, P, 0),
                ],
            ),
            (
                &[(0, P)],
                &[
                    (0, 1, 1),
                    (5, 3, 3),
                    (2, 11, 11),
                    (P / 4 + 1, P / 2, P / 2),
                    (0, P, P),
                ],
            ),
            (
                &[(P / 2, P / 2)],
                &[
                    (0, 1, 0),
                    (5, 3, 0),
                    (2, 11, 0),
                    (P / 2 - 1, 1, 0),
                    (P / 2, 1, 1),
                    (P / 2 + 10, 1, 1),
                    (P / 2 - 1, 2, 1),
                    (P / 4, P / 4, 0),
                    (P / 4, P / 4 + 1, 1),
                    (P / 4 + 1, P / 2, P / 4 + 1),
                    (0, P, P / 2),
                ],
            ),
            (
                &[(0, 111)],
                &[
                    (0, 1, 1),
                    (5, 3, 3),
                    (2, 11, 11),
                    (110, 2, 1),
                    (99, 50, 12),
                    (110, 1, 1),
                    (111, 1, 0),
                    (99, 1, 1),
                    (120, 1, 0),
                    (P / 2, P / 2, 0),
                    (0, P, 111),
                ],
            ),
            (
                &[
                    (1, 3),
                    (5, 1),
                    (7, 1),
                    (10, 2),
                    (13, 1),
                    (15, 4),
                    (21, 1),
                    (23, 1),
                    (26, 2),
                    (30, 5),
                    (36, 2),
                    (40, 3),
                    (44, 6),
                    (51, 1),
                    (53, 2),
                    (58, 3),
                    (63, 1),
                    (67, 2),
                    (71, 10),
                    (84, 1),
                    (89, 7),
                    (99, 2),
                    (103, 1),
                    (107, 2),
                    (111, 1),
                    (113, 1),
                    (115, 1),
                    (118, 1),
                    (120, 2),
                    (125, 5),
                ],
                &[
                    (0, 11, 6),
                    (0, 64, 39),
                    (13, 64, 40),
                    (64, 64, 34),
                    (0, 128, 73),
                    (1, 128, 74),
                    (0, P, 75),
                ],
            ),
        ];
        for (init, checks) in cases {
            let b = make_bits(init);
            for &(i, n, want) in *checks {
                assert_eq!(b.0.popcnt_range(i, n), want, "popcnt({i}, {n}) of {init:?}");
            }
        }
    }

    // TestPallocBitsSummarizeRandom
    #[test]
    fn summarize_random() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut b = PallocBits::default();
        for round in 0..1000 {
            for w in &mut b.0.0 {
                // Mix dense and sparse words so interior runs get long.
                *w = match round % 3 {
                    0 => rng.next(),
                    1 => rng.next() & rng.next() & rng.next(),
                    _ => rng.next() | rng.next(),
                };
            }
            assert_eq!(b.summarize(), summarize_slow(&b), "{:x?}", b.0.0);
        }
    }

    // TestPallocBitsSummarize
    #[test]
    fn summarize_cases() {
        type Case = (&'static [(usize, usize)], (usize, usize, usize));
        let cases: &[Case] = &[
            (&[], (0, 0, 0)),
            (&[(0, 10)], (10, 10, 0)),
            (&[(P - 40, 40)], (0, 40, 40)),
            (&[(0, 11), (P - 23, 23)], (11, 23, 23)),
            (&[(0, 4), (50, 100), (P - 4, 4)], (4, 100, 4)),
            (&[(1, 20), (35, 241), (P - 50, 30)], (0, 241, 0)),
            (&[(35, 2), (40, 5), (100, 5)], (0, 5, 0)),
            (&[(2, 1)], (0, 1, 0)),
            (&[(0, P)], (P, P, P)),
        ];
        for &(free, (s, m, e)) in cases {
            // The ranges list free pages; the bitmap marks in-use ones.
            let b = inverted(make_bits(free));
            assert_eq!(b.summarize().unpack(), (s, m, e), "free {free:?}");
        }
    }

    // TestPallocBitsAlloc
    #[test]
    fn find_and_alloc() {
        const NONE: usize = usize::MAX;
        type Case = (
            &'static [(usize, usize)],
            usize,
            &'static [usize],
            &'static [(usize, usize)],
        );
        let cases: &[Case] = &[
            (&[], 1, &[0, 1, 2, 3, 4, 5], &[(0, 6)]),
            (&[], 2, &[0, 2, 4, 6, 8, 10], &[(0, 12)]),
            (&[], 5, &[0, 5, 10, 15, 20], &[(0, 25)]),
            (&[], 64, &[0, 64, 128], &[(0, 192)]),
            (&[], 65, &[0, 65, 130], &[(0, 195)]),
            (
                &[(0, 32), (64, 32), (100, P - 100)],
                64,
                &[NONE],
                &[(0, 32), (64, 32), (100, P - 100)],
            ),
            (&[(0, P)], 1, &[NONE, NONE], &[(0, P)]),
            (&[(0, P)], 2, &[NONE, NONE], &[(0, P)]),
            (&[(0, P)], 5, &[NONE, NONE], &[(0, P)]),
            (&[(0, P)], 65, &[NONE, NONE], &[(0, P)]),
            (
                &[(0, P / 2 - 3), (P / 2 - 2, P / 2 + 2)],
                1,
                &[P / 2 - 3, NONE],
                &[(0, P)],
            ),
            (
                &[(0, P / 2 - 3), (P / 2 - 1, P / 2 + 1)],
                2,
                &[P / 2 - 3, NONE],
                &[(0, P)],
            ),
            (
                &[(0, P / 2 - 3), (P / 2 + 2, P / 2 - 2)],
                5,
                &[P / 2 - 3, NONE],
                &[(0, P)],
            ),
            (
                &[(0, P / 2 - 31), (P / 2 + 34, P / 2 - 34)],
                65,
                &[P / 2 - 31, NONE],
                &[(0, P)],
            ),
            (&[(0, 185), (331, 1)], 161, &[332], &[(0, 185), (331, 162)]),
        ];
        for &(before, npages, hits, after) in cases {
            let mut b = make_bits(before);
            for (k, &want) in hits.iter().enumerate() {
                let got = b.find(npages, 0).map_or(NONE, |(a, _)| a);
                assert_eq!(got, want, "find #{k} of {npages} in {before:?}");
                if got != NONE {
                    b.alloc_range(got, npages);
                }
            }
            assert_eq!(b, make_bits(after));
        }
    }

    #[test]
    fn find_search_idx() {
        // The second result is the first free page seen from the hint on.
        let b = make_bits(&[(0, 70), (72, 30)]);
        assert_eq!(b.find(1, 0), Some((70, 70)));
        assert_eq!(b.find(2, 0), Some((70, 70)));
        assert_eq!(b.find(3, 0), Some((102, 70)));
        assert_eq!(b.find(100, 0), Some((102, 70)));
        assert_eq!(b.find(1, 64), Some((70, 70)));
        assert_eq!(b.find(1, 128), Some((128, 128)));
        // The free tail is pages [102, 512): 410 pages.
        assert_eq!(b.find(P - 102, 0), Some((102, 70)));
        assert_eq!(b.find(P - 101, 0), None);
    }

    // TestPallocBitsFree
    #[test]
    fn free_cases() {
        type Case = (
            &'static [(usize, usize)],
            usize,
            &'static [usize],
            &'static [(usize, usize)],
        );
        let cases: &[Case] = &[
            (
                &[(0, 32), (64, 32), (100, 1)],
                1,
                &[32],
                &[(0, 33), (64, 32), (100, 1)],
            ),
            (&[], 1, &[0, 1, 2, 3, 4, 5], &[(0, 6)]),
            (&[], 2, &[0, 2, 4, 6, 8, 10], &[(0, 12)]),
            (&[], 5, &[0, 5, 10, 15, 20], &[(0, 25)]),
            (&[], 64, &[0, 64, 128], &[(0, 192)]),
            (&[], 65, &[0, 65, 130], &[(0, 195)]),
        ];
        for &(before_inv, npages, frees, after_inv) in cases {
            let mut b = inverted(make_bits(before_inv));
            for &i in frees {
                if npages == 1 {
                    b.free1(i);
                } else {
                    b.free(i, npages);
                }
            }
            assert_eq!(b, inverted(make_bits(after_inv)));
        }
    }

    // TestFindBitRange64
    #[test]
    fn bit_range64() {
        for n in 1..=64 {
            assert_eq!(find_bit_range64(!0, n), 0);
            assert!(find_bit_range64(0, n) >= 64);
        }
        assert_eq!(find_bit_range64(0x8000000000000000, 1), 63);
        assert_eq!(find_bit_range64(0xc000010001010000, 2), 62);
        assert_eq!(find_bit_range64(0xc000010001030000, 2), 16);
        assert_eq!(find_bit_range64(0xe000030001030000, 3), 61);
        assert_eq!(find_bit_range64(0xe000030001070000, 3), 16);
        assert_eq!(find_bit_range64(0xffff03ff01070000, 16), 48);
        assert_eq!(find_bit_range64(0xffff03ff0107ffff, 16), 0);
        assert!(find_bit_range64(0x0fff03ff01079fff, 16) >= 64);
    }
}
