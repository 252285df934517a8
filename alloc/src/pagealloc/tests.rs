//! Tests of the whole page allocator, re-expressing runtime/mpagealloc_test.go
//! and the pageAlloc part of runtime/mgcscavenge_test.go. The heap addresses
//! are fake (chunk 0xc000 and up): the allocator only maps its metadata.

use super::bits::PallocBits;
use super::*;

/// Go's `BaseChunkIdx` on 64-bit platforms.
const BASE: ChunkIdx = 0xc000;
const P: usize = PALLOC_CHUNK_PAGES;
const PS: usize = PAGE_SIZE;
/// Heap pages per transparent huge page.
const PHYS_HUGE_PAGES: usize = scavenge::PHYS_HUGE_PAGE_SIZE / PAGE_SIZE;

/// Go's `PageBase`.
fn page_base(ci: ChunkIdx, page: usize) -> usize {
    chunk_base(ci) + page * PAGE_SIZE
}

type Ranges = &'static [(usize, usize)];
type Layout = &'static [(ChunkIdx, Ranges)];

/// Go's `NewPageAlloc`: grows each listed chunk separately, then sets its
/// allocated pages (`chunks`) and scavenged pages (`scav`, or none).
fn new_page_alloc(
    chunks: &[(ChunkIdx, Ranges)],
    scav: Option<&[(ChunkIdx, Ranges)]>,
) -> Box<PageAlloc> {
    let mut p = Box::new(PageAlloc::new());
    for &(ci, alloc) in chunks {
        let addr = chunk_base(ci);
        assert!(p.grow(addr, PALLOC_CHUNK_BYTES));
        let chunk = p.chunks.get_mut(ci);
        // Forget that grown memory is scavenged.
        chunk.scavenged.clear_range(0, P);
        // Make the index see every page as once used and now free.
        p.scav.alloc(ci, P);
        p.scav.free(ci, 0, P);
        if let Some(scav) = scav {
            for &(c, rs) in scav {
                if c == ci {
                    for &(i, n) in rs.iter().filter(|r| r.1 != 0) {
                        p.chunks.get_mut(ci).scavenged.set_range(i, n);
                    }
                }
            }
        }
        for &(i, n) in alloc.iter().filter(|r| r.1 != 0) {
            p.chunks.get_mut(ci).alloc_range(i, n);
            p.scav.alloc(ci, n);
        }
        p.update(addr, P, false, false);
    }
    check_summaries(&p);
    p
}

/// Go's `checkPageAlloc`: same bounds, same bitmaps in every chunk.
fn check_page_alloc(want: &PageAlloc, got: &PageAlloc) {
    assert_eq!((got.start, got.end), (want.start, want.end), "bounds");
    for ci in got.start..got.end {
        let (g, w) = (got.chunks.try_get(ci), want.chunks.try_get(ci));
        match (g, w) {
            (None, None) => {}
            (Some(g), Some(w)) => {
                assert_eq!(g.bits, w.bits, "allocation bits of chunk {ci:#x}");
                assert_eq!(g.scavenged, w.scavenged, "scavenged bits of chunk {ci:#x}");
            }
            _ => panic!("chunk {ci:#x} nilness mismatch"),
        }
    }
    check_summaries(got);
}

/// Beyond Go's check: every summary of grown memory agrees with the
/// bitmaps (leaves) or with its children (inner levels).
fn check_summaries(p: &PageAlloc) {
    for r in p.in_use.ranges() {
        for ci in chunk_index(r.base)..chunk_index(r.limit) {
            // SAFETY: the chunk was grown.
            let s = unsafe { p.summary.get(LEAF, ci) };
            assert_eq!(
                s,
                p.chunks.get(ci).bits.summarize(),
                "leaf summary of chunk {ci:#x}"
            );
        }
        for l in (0..LEAF).rev() {
            let (lo, hi) = addrs_to_summary_range(l, r.base, r.limit);
            for i in lo..hi {
                let b = LEVEL_BITS[l + 1];
                // SAFETY: summaries of grown memory and their child blocks
                // are mapped.
                let (s, children) = unsafe {
                    (
                        p.summary.get(l, i),
                        p.summary.block(l + 1, i << b, (i + 1) << b),
                    )
                };
                assert_eq!(
                    s,
                    merge_summaries(children, LEVEL_LOG_PAGES[l + 1]),
                    "summary[{l}][{i}]"
                );
            }
        }
    }
}

fn in_use(p: &PageAlloc) -> Vec<(usize, usize)> {
    p.in_use
        .ranges()
        .iter()
        .map(|r| (r.base, r.limit))
        .collect()
}

// TestPageAllocGrow
#[test]
fn grow_cases() {
    let r = |a: ChunkIdx, b: ChunkIdx| (page_base(a, 0), page_base(b, 0));
    type Case = (&'static str, Vec<ChunkIdx>, Vec<(usize, usize)>);
    let cases: Vec<Case> = vec![
        ("One", vec![BASE], vec![r(BASE, BASE + 1)]),
        ("Contiguous2", vec![BASE, BASE + 1], vec![r(BASE, BASE + 2)]),
        (
            "Contiguous5",
            (0..5).map(|i| BASE + i).collect(),
            vec![r(BASE, BASE + 5)],
        ),
        (
            "Discontiguous",
            vec![BASE, BASE + 2, BASE + 4],
            vec![
                r(BASE, BASE + 1),
                r(BASE + 2, BASE + 3),
                r(BASE + 4, BASE + 5),
            ],
        ),
        (
            "Mixed",
            vec![BASE, BASE + 1, BASE + 2, BASE + 4],
            vec![r(BASE, BASE + 3), r(BASE + 4, BASE + 5)],
        ),
        (
            "WildlyDiscontiguous",
            vec![BASE, BASE + 1, BASE + 0x10, BASE + 0x21],
            vec![
                r(BASE, BASE + 2),
                r(BASE + 0x10, BASE + 0x11),
                r(BASE + 0x21, BASE + 0x22),
            ],
        ),
        (
            "ManyDiscontiguous",
            (0..=32).map(|i| BASE + 2 * i).collect(),
            (0..=32)
                .map(|i| r(BASE + 2 * i, BASE + 2 * i + 1))
                .collect(),
        ),
        (
            "ExtremelyDiscontiguous",
            vec![BASE, BASE + 0x100000],
            vec![r(BASE, BASE + 1), r(BASE + 0x100000, BASE + 0x100001)],
        ),
        // Growth out of address order, closing gaps from both sides.
        (
            "Unordered",
            vec![BASE + 4, BASE, BASE + 2, BASE + 1, BASE + 8, BASE + 3],
            vec![r(BASE, BASE + 5), r(BASE + 8, BASE + 9)],
        ),
    ];
    for (name, chunks, want) in cases {
        let layout: Vec<(ChunkIdx, Ranges)> = chunks.iter().map(|&c| (c, &[][..])).collect();
        let p = new_page_alloc(&layout, None);
        assert_eq!(in_use(&p), want, "{name}");
        assert_eq!(p.heap_bytes(), chunks.len() * PALLOC_CHUNK_BYTES, "{name}");
        // Everything grown is free and scavenged.
        let mut q = Box::new(PageAlloc::new());
        for &c in &chunks {
            assert!(q.grow(chunk_base(c), PALLOC_CHUNK_BYTES));
        }
        check_summaries(&q);
        for &c in &chunks {
            assert_eq!(q.chunks.get(c).bits, PallocBits::default());
            assert_eq!(q.chunks.get(c).scavenged.popcnt_range(0, P), P);
        }
        assert_eq!(
            q.search_addr,
            chunk_base(*chunks.iter().min().unwrap()),
            "{name}"
        );
    }
}

#[test]
fn grow_multi_chunk_range_and_metadata() {
    let mut p = Box::new(PageAlloc::new());
    assert_eq!(p.alloc(1), (0, 0), "nothing before the first growth");
    assert!(p.scavenge_begin(1, true).is_none());
    // 64 chunks (256 MiB) at once, then a distant range.
    assert!(p.grow(chunk_base(BASE), 64 * PALLOC_CHUNK_BYTES));
    assert!(p.grow(chunk_base(BASE + 0x10000), 2 * PALLOC_CHUNK_BYTES));
    assert_eq!((p.start, p.end), (BASE, BASE + 0x10002));
    check_summaries(&p);
    assert!(p.mapped_bytes() > 0);
    // One 66-chunk request cannot span the gap; 64 chunks fit in the first.
    assert_eq!(p.alloc(66 * P), (0, 0));
    assert_eq!(p.alloc(64 * P), (page_base(BASE, 0), 64 * P * PS));
    assert_eq!(p.alloc(2 * P), (page_base(BASE + 0x10000, 0), 2 * P * PS));
    assert_eq!(p.alloc(1), (0, 0));
    assert_eq!(p.search_addr, MAX_SEARCH_ADDR);
    check_summaries(&p);
}

#[test]
#[should_panic(expected = "overlaps")]
fn grow_overlap_panics() {
    let mut p = Box::new(PageAlloc::new());
    assert!(p.grow(chunk_base(BASE), 4 * PALLOC_CHUNK_BYTES));
    p.grow(chunk_base(BASE + 3), PALLOC_CHUNK_BYTES);
}

struct AllocCase {
    name: &'static str,
    before: Layout,
    scav: Layout,
    /// `(npages, base, scavenged bytes)`
    hits: Vec<(usize, usize, usize)>,
    after: Layout,
}

// TestPageAllocAlloc
#[test]
fn alloc_cases() {
    const BIG: ChunkIdx = 0x100000;
    const SMALL: ChunkIdx = 0x503;
    // Align the base so that its leaf summary ends an OS page of summaries.
    const SUMS_PER_PHYS_PAGE: ChunkIdx = crate::os::PHYS_PAGE_SIZE / 8;
    const B2: ChunkIdx = BASE & !(SUMS_PER_PHYS_PAGE - 1);
    let cases = vec![
        AllocCase {
            name: "AllFree1",
            before: &[(BASE, &[])],
            scav: &[(BASE, &[(0, 1), (2, 2)])],
            hits: vec![
                (1, page_base(BASE, 0), PS),
                (1, page_base(BASE, 1), 0),
                (1, page_base(BASE, 2), PS),
                (1, page_base(BASE, 3), PS),
                (1, page_base(BASE, 4), 0),
            ],
            after: &[(BASE, &[(0, 5)])],
        },
        AllocCase {
            name: "ManyArena1",
            before: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P - 1)]),
            ],
            scav: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
            ],
            hits: vec![(1, page_base(BASE + 2, P - 1), PS)],
            after: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
            ],
        },
        AllocCase {
            name: "NotContiguous1",
            before: &[(BASE, &[(0, P)]), (BASE + 0xff, &[(0, 0)])],
            scav: &[(BASE, &[(0, P)]), (BASE + 0xff, &[(0, P)])],
            hits: vec![(1, page_base(BASE + 0xff, 0), PS)],
            after: &[(BASE, &[(0, P)]), (BASE + 0xff, &[(0, 1)])],
        },
        AllocCase {
            name: "AllFree2",
            before: &[(BASE, &[])],
            scav: &[(BASE, &[(0, 3), (7, 1)])],
            hits: vec![
                (2, page_base(BASE, 0), 2 * PS),
                (2, page_base(BASE, 2), PS),
                (2, page_base(BASE, 4), 0),
                (2, page_base(BASE, 6), PS),
                (2, page_base(BASE, 8), 0),
            ],
            after: &[(BASE, &[(0, 10)])],
        },
        AllocCase {
            name: "Straddle2",
            before: &[(BASE, &[(0, P - 1)]), (BASE + 1, &[(1, P - 1)])],
            scav: &[(BASE, &[(P - 1, 1)]), (BASE + 1, &[])],
            hits: vec![(2, page_base(BASE, P - 1), PS)],
            after: &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P)])],
        },
        AllocCase {
            name: "AllFree5",
            before: &[(BASE, &[])],
            scav: &[(BASE, &[(0, 8), (9, 1), (17, 5)])],
            hits: vec![
                (5, page_base(BASE, 0), 5 * PS),
                (5, page_base(BASE, 5), 4 * PS),
                (5, page_base(BASE, 10), 0),
                (5, page_base(BASE, 15), 3 * PS),
                (5, page_base(BASE, 20), 2 * PS),
            ],
            after: &[(BASE, &[(0, 25)])],
        },
        AllocCase {
            name: "AllFree64",
            before: &[(BASE, &[])],
            scav: &[(BASE, &[(21, 1), (63, 65)])],
            hits: vec![
                (64, page_base(BASE, 0), 2 * PS),
                (64, page_base(BASE, 64), 64 * PS),
                (64, page_base(BASE, 128), 0),
            ],
            after: &[(BASE, &[(0, 192)])],
        },
        AllocCase {
            name: "AllFree65",
            before: &[(BASE, &[])],
            scav: &[(BASE, &[(129, 1)])],
            hits: vec![
                (65, page_base(BASE, 0), 0),
                (65, page_base(BASE, 65), PS),
                (65, page_base(BASE, 130), 0),
            ],
            after: &[(BASE, &[(0, 195)])],
        },
        AllocCase {
            name: "ExhaustPallocChunkPages-3",
            before: &[(BASE, &[])],
            scav: &[(BASE, &[(10, 1)])],
            hits: vec![
                (P - 3, page_base(BASE, 0), PS),
                (P - 3, 0, 0),
                (1, page_base(BASE, P - 3), 0),
                (2, page_base(BASE, P - 2), 0),
                (1, 0, 0),
                (P - 3, 0, 0),
            ],
            after: &[(BASE, &[(0, P)])],
        },
        AllocCase {
            name: "AllFreePallocChunkPages",
            before: &[(BASE, &[])],
            scav: &[(BASE, &[(0, 1), (P - 1, 1)])],
            hits: vec![(P, page_base(BASE, 0), 2 * PS), (P, 0, 0), (1, 0, 0)],
            after: &[(BASE, &[(0, P)])],
        },
        AllocCase {
            name: "StraddlePallocChunkPages",
            before: &[(BASE, &[(0, P / 2)]), (BASE + 1, &[(P / 2, P / 2)])],
            scav: &[(BASE, &[]), (BASE + 1, &[(3, 100)])],
            hits: vec![(P, page_base(BASE, P / 2), 100 * PS), (P, 0, 0), (1, 0, 0)],
            after: &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P)])],
        },
        AllocCase {
            name: "StraddlePallocChunkPages+1",
            before: &[(BASE, &[(0, P / 2)]), (BASE + 1, &[])],
            scav: &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P)])],
            hits: vec![
                (P + 1, page_base(BASE, P / 2), (P + 1) * PS),
                (P, 0, 0),
                (1, page_base(BASE + 1, P / 2 + 1), PS),
            ],
            after: &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P / 2 + 2)])],
        },
        AllocCase {
            name: "AllFreePallocChunkPages*2",
            before: &[(BASE, &[]), (BASE + 1, &[])],
            scav: &[(BASE, &[]), (BASE + 1, &[])],
            hits: vec![(P * 2, page_base(BASE, 0), 0), (P * 2, 0, 0), (1, 0, 0)],
            after: &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P)])],
        },
        AllocCase {
            name: "NotContiguousPallocChunkPages*2",
            before: &[(BASE, &[]), (BASE + 0x40, &[]), (BASE + 0x41, &[])],
            scav: &[(BASE, &[(0, P)]), (BASE + 0x40, &[]), (BASE + 0x41, &[])],
            hits: vec![
                (P * 2, page_base(BASE + 0x40, 0), 0),
                (21, page_base(BASE, 0), 21 * PS),
                (1, page_base(BASE, 21), PS),
            ],
            after: &[
                (BASE, &[(0, 22)]),
                (BASE + 0x40, &[(0, P)]),
                (BASE + 0x41, &[(0, P)]),
            ],
        },
        AllocCase {
            name: "StraddlePallocChunkPages*2",
            before: &[
                (BASE, &[(0, P / 2)]),
                (BASE + 1, &[]),
                (BASE + 2, &[(P / 2, P / 2)]),
            ],
            scav: &[
                (BASE, &[(0, 7)]),
                (BASE + 1, &[(3, 5), (121, 10)]),
                (BASE + 2, &[(P / 2 + 12, 2)]),
            ],
            hits: vec![
                (P * 2, page_base(BASE, P / 2), 15 * PS),
                (P * 2, 0, 0),
                (1, 0, 0),
            ],
            after: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
            ],
        },
        AllocCase {
            name: "StraddlePallocChunkPages*5/4",
            before: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P * 3 / 4)]),
                (BASE + 2, &[(0, P * 3 / 4)]),
                (BASE + 3, &[(0, 0)]),
            ],
            scav: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(P / 2, P / 4 + 1)]),
                (BASE + 2, &[(P / 3, 1)]),
                (BASE + 3, &[(P * 2 / 3, 1)]),
            ],
            hits: vec![
                (P * 5 / 4, page_base(BASE + 2, P * 3 / 4), PS),
                (P * 5 / 4, 0, 0),
                (1, page_base(BASE + 1, P * 3 / 4), PS),
            ],
            after: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P * 3 / 4 + 1)]),
                (BASE + 2, &[(0, P)]),
                (BASE + 3, &[(0, P)]),
            ],
        },
        AllocCase {
            name: "AllFreePallocChunkPages*7+5",
            before: &[
                (BASE, &[]),
                (BASE + 1, &[]),
                (BASE + 2, &[]),
                (BASE + 3, &[]),
                (BASE + 4, &[]),
                (BASE + 5, &[]),
                (BASE + 6, &[]),
                (BASE + 7, &[]),
            ],
            scav: &[
                (BASE, &[(50, 1)]),
                (BASE + 1, &[(31, 1)]),
                (BASE + 2, &[(7, 1)]),
                (BASE + 3, &[(200, 1)]),
                (BASE + 4, &[(3, 1)]),
                (BASE + 5, &[(51, 1)]),
                (BASE + 6, &[(20, 1)]),
                (BASE + 7, &[(1, 1)]),
            ],
            hits: vec![
                (P * 7 + 5, page_base(BASE, 0), 8 * PS),
                (P * 7 + 5, 0, 0),
                (1, page_base(BASE + 7, 5), 0),
            ],
            after: &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
                (BASE + 3, &[(0, P)]),
                (BASE + 4, &[(0, P)]),
                (BASE + 5, &[(0, P)]),
                (BASE + 6, &[(0, P)]),
                (BASE + 7, &[(0, 6)]),
            ],
        },
        AllocCase {
            name: "DiscontiguousMappedSumBoundary",
            before: &[(B2 + SUMS_PER_PHYS_PAGE - 1, &[]), (B2 + BIG, &[])],
            scav: &[(B2 + SUMS_PER_PHYS_PAGE - 1, &[]), (B2 + BIG, &[])],
            hits: vec![
                (P - 1, page_base(B2 + SUMS_PER_PHYS_PAGE - 1, 0), 0),
                (1, page_base(B2 + SUMS_PER_PHYS_PAGE - 1, P - 1), 0),
                (1, page_base(B2 + BIG, 0), 0),
                (P - 1, page_base(B2 + BIG, 1), 0),
                (1, 0, 0),
            ],
            after: &[
                (B2 + SUMS_PER_PHYS_PAGE - 1, &[(0, P)]),
                (B2 + BIG, &[(0, P)]),
            ],
        },
        AllocCase {
            // Go issue #40191: the candidate search address from `find` may
            // point into unmapped summaries unless it is mapped to the heap.
            name: "DiscontiguousBadSearchAddr",
            before: &[
                (BASE, &[(0, P - 1)]),
                (BASE + BIG + SMALL, &[(0, P - 10), (P - 1, 1)]),
                (BASE + BIG * 2, &[]),
            ],
            scav: &[
                (BASE, &[]),
                (BASE + BIG + SMALL, &[]),
                (BASE + BIG * 2, &[]),
            ],
            hits: vec![
                (1, page_base(BASE, P - 1), 0),
                (100, page_base(BASE + BIG * 2, 0), 0),
                (9, page_base(BASE + BIG + SMALL, P - 10), 0),
            ],
            after: &[
                (BASE, &[(0, P)]),
                (BASE + BIG + SMALL, &[(0, P)]),
                (BASE + BIG * 2, &[(0, 100)]),
            ],
        },
    ];
    for c in cases {
        let mut b = new_page_alloc(c.before, Some(c.scav));
        for (k, &(npages, base, scav)) in c.hits.iter().enumerate() {
            let got = b.alloc(npages);
            assert_eq!(
                got,
                (base, scav),
                "{}: alloc #{} of {npages} pages",
                c.name,
                k + 1
            );
        }
        let want = new_page_alloc(c.after, Some(c.scav));
        check_page_alloc(&want, &b);
    }
}

// TestPageAllocExhaust
#[test]
fn exhaust() {
    for npages in [1usize, 2, 3, 4, 5, 8, 16, 64, 1024, 1025, 2048, 2049] {
        let layout: Layout = &[
            (BASE, &[]),
            (BASE + 1, &[]),
            (BASE + 2, &[]),
            (BASE + 3, &[]),
        ];
        let mut b = new_page_alloc(layout, None);
        let n_alloc = (P * 4) / npages;
        for i in 0..n_alloc {
            assert_eq!(
                b.alloc(npages).0,
                page_base(BASE, i * npages),
                "npages {npages}, alloc #{}",
                i + 1
            );
        }
        assert_eq!(
            b.alloc(npages).0,
            0,
            "npages {npages}: heap should be exhausted"
        );

        let mut left = n_alloc * npages;
        let mut want_ranges: Vec<(ChunkIdx, Ranges)> = Vec::new();
        for i in 0..4 {
            let taken = left.min(P);
            left -= taken;
            // Leak a tiny slice so the layout can be 'static.
            let rs: Ranges = Box::leak(vec![(0, taken)].into_boxed_slice());
            want_ranges.push((BASE + i, rs));
        }
        let want = new_page_alloc(&want_ranges, None);
        check_page_alloc(&want, &b);
    }
}

// TestPageAllocFree
#[test]
fn free_cases() {
    type Case = (&'static str, usize, Layout, Vec<usize>, Layout);
    let cases: Vec<Case> = vec![
        (
            "Free1",
            1,
            &[(BASE, &[(0, P)])],
            (0..5).map(|i| page_base(BASE, i)).collect(),
            &[(BASE, &[(5, P - 5)])],
        ),
        (
            "ManyArena1",
            1,
            &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
            ],
            vec![
                page_base(BASE, P / 2),
                page_base(BASE + 1, 0),
                page_base(BASE + 2, P - 1),
            ],
            &[
                (BASE, &[(0, P / 2), (P / 2 + 1, P / 2 - 1)]),
                (BASE + 1, &[(1, P - 1)]),
                (BASE + 2, &[(0, P - 1)]),
            ],
        ),
        (
            "Free2",
            2,
            &[(BASE, &[(0, P)])],
            (0..5).map(|i| page_base(BASE, 2 * i)).collect(),
            &[(BASE, &[(10, P - 10)])],
        ),
        (
            "Straddle2",
            2,
            &[(BASE, &[(P - 1, 1)]), (BASE + 1, &[(0, 1)])],
            vec![page_base(BASE, P - 1)],
            &[(BASE, &[]), (BASE + 1, &[])],
        ),
        (
            "Free5",
            5,
            &[(BASE, &[(0, P)])],
            (0..5).map(|i| page_base(BASE, 5 * i)).collect(),
            &[(BASE, &[(25, P - 25)])],
        ),
        (
            "Free64",
            64,
            &[(BASE, &[(0, P)])],
            (0..3).map(|i| page_base(BASE, 64 * i)).collect(),
            &[(BASE, &[(192, P - 192)])],
        ),
        (
            "Free65",
            65,
            &[(BASE, &[(0, P)])],
            (0..3).map(|i| page_base(BASE, 65 * i)).collect(),
            &[(BASE, &[(195, P - 195)])],
        ),
        (
            "FreePallocChunkPages",
            P,
            &[(BASE, &[(0, P)])],
            vec![page_base(BASE, 0)],
            &[(BASE, &[])],
        ),
        (
            "StraddlePallocChunkPages",
            P,
            &[(BASE, &[(P / 2, P / 2)]), (BASE + 1, &[(0, P / 2)])],
            vec![page_base(BASE, P / 2)],
            &[(BASE, &[]), (BASE + 1, &[])],
        ),
        (
            "StraddlePallocChunkPages+1",
            P + 1,
            &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P)])],
            vec![page_base(BASE, P / 2)],
            &[(BASE, &[(0, P / 2)]), (BASE + 1, &[(P / 2 + 1, P / 2 - 1)])],
        ),
        (
            "FreePallocChunkPages*2",
            P * 2,
            &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P)])],
            vec![page_base(BASE, 0)],
            &[(BASE, &[]), (BASE + 1, &[])],
        ),
        (
            "StraddlePallocChunkPages*2",
            P * 2,
            &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
            ],
            vec![page_base(BASE, P / 2)],
            &[
                (BASE, &[(0, P / 2)]),
                (BASE + 1, &[]),
                (BASE + 2, &[(P / 2, P / 2)]),
            ],
        ),
        (
            "AllFreePallocChunkPages*7+5",
            P * 7 + 5,
            &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
                (BASE + 3, &[(0, P)]),
                (BASE + 4, &[(0, P)]),
                (BASE + 5, &[(0, P)]),
                (BASE + 6, &[(0, P)]),
                (BASE + 7, &[(0, P)]),
            ],
            vec![page_base(BASE, 0)],
            &[
                (BASE, &[]),
                (BASE + 1, &[]),
                (BASE + 2, &[]),
                (BASE + 3, &[]),
                (BASE + 4, &[]),
                (BASE + 5, &[]),
                (BASE + 6, &[]),
                (BASE + 7, &[(5, P - 5)]),
            ],
        ),
    ];
    for (name, npages, before, frees, after) in cases {
        let mut b = new_page_alloc(before, None);
        for addr in frees {
            b.free(addr, npages);
        }
        let want = new_page_alloc(after, None);
        eprintln!("{name}");
        check_page_alloc(&want, &b);
    }
}

// TestPageAllocAllocAndFree
#[test]
fn alloc_and_free() {
    let layout: Layout = &[
        (BASE, &[]),
        (BASE + 1, &[]),
        (BASE + 2, &[]),
        (BASE + 3, &[]),
        (BASE + 4, &[]),
        (BASE + 5, &[]),
        (BASE + 6, &[]),
        (BASE + 7, &[]),
    ];
    let mut b = new_page_alloc(layout, None);
    let base = page_base(BASE, 0);
    let hits = [
        (true, P * 8),
        (false, P * 8),
        (true, P * 8),
        (false, P * 8),
        (true, P * 8),
        (false, P * 8),
        (true, 1),
        (false, 1),
        (true, P * 8),
    ];
    for (k, (alloc, npages)) in hits.into_iter().enumerate() {
        if alloc {
            assert_eq!(b.alloc(npages).0, base, "hit #{}", k + 1);
        } else {
            b.free(base, npages);
        }
        check_summaries(&b);
    }
}

#[test]
fn search_addr_behaviour() {
    let mut b = new_page_alloc(&[(BASE, &[]), (BASE + 1, &[])], None);
    assert_eq!(b.search_addr, page_base(BASE, 0));
    // Sequential single pages move the search address along.
    for i in 0..10 {
        assert_eq!(b.alloc(1).0, page_base(BASE, i));
        assert_eq!(b.search_addr, page_base(BASE, i));
    }
    // A multi-page allocation records the first free page it saw.
    assert_eq!(b.alloc(3).0, page_base(BASE, 10));
    assert_eq!(b.search_addr, page_base(BASE, 10));
    assert_eq!(b.alloc(1).0, page_base(BASE, 13));
    // Freeing below moves it back; the freed page is found first again.
    b.free(page_base(BASE, 4), 1);
    assert_eq!(b.search_addr, page_base(BASE, 4));
    assert_eq!(b.alloc(1).0, page_base(BASE, 4));
    // A large allocation skipping the hole leaves the search address at it.
    b.free(page_base(BASE, 2), 1);
    assert_eq!(b.alloc(P).0, page_base(BASE, 14));
    assert_eq!(b.search_addr, page_base(BASE, 2));
    // Exhausting the heap with single pages ends at the maximum.
    let mut n = 0;
    while b.alloc(1).0 != 0 {
        n += 1;
    }
    assert_eq!(n, 2 * P - 14 - P + 1);
    assert_eq!(b.search_addr, MAX_SEARCH_ADDR);
    // Growth below the maximum makes the new memory findable.
    assert!(b.grow(chunk_base(BASE + 5), PALLOC_CHUNK_BYTES));
    assert_eq!(b.search_addr, chunk_base(BASE + 5));
    assert_eq!(b.alloc(1), (page_base(BASE + 5, 0), PS));
    // A free in the old range brings the search back down.
    b.free(page_base(BASE + 1, 7), 1);
    assert_eq!(b.alloc(1), (page_base(BASE + 1, 7), 0));
    check_summaries(&b);
}

/// Randomized alloc/free against a page-by-page model of first fit, over a
/// discontiguous heap.
#[test]
fn random_against_model() {
    use super::bits::tests::Rng;
    let chunks = [BASE, BASE + 1, BASE + 2, BASE + 9, BASE + 10, BASE + 0x40];
    let mut p = Box::new(PageAlloc::new());
    // Model: (address of page, free?) in address order.
    let mut model: Vec<(usize, bool)> = Vec::new();
    for &c in &chunks {
        assert!(p.grow(chunk_base(c), PALLOC_CHUNK_BYTES));
        model.extend((0..P).map(|i| (page_base(c, i), true)));
    }
    let first_fit = |model: &[(usize, bool)], n: usize| -> Option<usize> {
        let mut run = 0;
        for k in 0..model.len() {
            let contiguous = k > 0 && model[k - 1].0 + PS == model[k].0;
            if !model[k].1 {
                run = 0;
                continue;
            }
            run = if contiguous { run + 1 } else { 1 };
            if run == n {
                return Some(k + 1 - n);
            }
        }
        None
    };
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let mut live: Vec<(usize, usize)> = Vec::new();
    for step in 0..3000 {
        let r = rng.next();
        if live.is_empty() || r % 5 < 3 {
            let n = match r % 7 {
                0 => 1 + (rng.next() % (3 * P as u64)) as usize,
                1 | 2 => 1 + (rng.next() % 100) as usize,
                _ => 1 + (rng.next() % 8) as usize,
            };
            let want = first_fit(&model, n);
            let (addr, _) = p.alloc(n);
            match want {
                None => assert_eq!(addr, 0, "step {step}: alloc({n})"),
                Some(k) => {
                    assert_eq!(addr, model[k].0, "step {step}: alloc({n})");
                    for e in &mut model[k..k + n] {
                        e.1 = false;
                    }
                    live.push((addr, n));
                }
            }
        } else {
            let (addr, n) = live.swap_remove((rng.next() % live.len() as u64) as usize);
            p.free(addr, n);
            let k = model.iter().position(|e| e.0 == addr).unwrap();
            for e in &mut model[k..k + n] {
                e.1 = true;
            }
        }
        if step % 500 == 0 {
            check_summaries(&p);
        }
    }
    check_summaries(&p);
    for &(addr, n) in &live {
        p.free(addr, n);
    }
    // Everything free again: the whole first three chunks fit at once.
    assert_eq!(p.alloc(3 * P).0, page_base(BASE, 0));
}

/// Go's `PageAlloc.Scavenge(nbytes)` (forced): scavenges runs until at
/// least `nbytes` are released or nothing is left; returns bytes released.
fn scavenge(p: &mut PageAlloc, nbytes: usize) -> usize {
    let mut released = 0;
    while released < nbytes {
        let left = nbytes - released;
        let max_pages = left / PS + usize::from(left % PS != 0);
        let Some((base, npages)) = p.scavenge_begin(max_pages, true) else {
            break;
        };
        // The pages are out of circulation while "released".
        assert_eq!(
            p.chunks
                .get(chunk_index(base))
                .bits
                .0
                .popcnt_range(chunk_page_index(base), npages),
            npages
        );
        p.scavenge_end(base, npages);
        released += npages * PS;
    }
    released
}

// TestPageAllocScavenge (minPages = 1 with 4 KiB OS pages under 8 KiB pages)
#[test]
fn scavenge_cases() {
    let m = 1usize;
    type Case = (&'static str, Layout, Layout, Vec<(usize, usize)>, Layout);
    let all = usize::MAX;
    let cases: Vec<Case> = vec![
        (
            "AllFreeUnscavExhaust",
            &[(BASE, &[]), (BASE + 1, &[]), (BASE + 2, &[])],
            &[(BASE, &[]), (BASE + 1, &[]), (BASE + 2, &[])],
            vec![(all, 3 * P * PS)],
            &[
                (BASE, &[(0, P)]),
                (BASE + 1, &[(0, P)]),
                (BASE + 2, &[(0, P)]),
            ],
        ),
        (
            "NoneFreeUnscavExhaust",
            &[(BASE, &[(0, P)]), (BASE + 1, &[]), (BASE + 2, &[(0, P)])],
            &[(BASE, &[]), (BASE + 1, &[(0, P)]), (BASE + 2, &[])],
            vec![(all, 0)],
            &[(BASE, &[]), (BASE + 1, &[(0, P)]), (BASE + 2, &[])],
        ),
        (
            "ScavHighestPageFirst",
            &[(BASE, &[])],
            &[(BASE, &[(1, P - 2)])],
            vec![(1, m * PS)],
            &[(BASE, &[(1, P - 1)])],
        ),
        (
            "ScavMultiple",
            &[(BASE, &[])],
            &[(BASE, &[(1, P - 2)])],
            vec![(m * PS, m * PS), (m * PS, m * PS)],
            &[(BASE, &[(0, P)])],
        ),
        (
            "ScavMultiple2",
            &[(BASE, &[]), (BASE + 1, &[])],
            &[(BASE, &[(1, P - 2)]), (BASE + 1, &[(0, P - 2)])],
            vec![(2 * m * PS, 2 * m * PS), (m * PS, m * PS), (m * PS, m * PS)],
            &[(BASE, &[(0, P)]), (BASE + 1, &[(0, P)])],
        ),
        (
            "ScavDiscontiguous",
            &[(BASE, &[]), (BASE + 0xe, &[])],
            &[(BASE, &[(1, P - 2)]), (BASE + 0xe, &[(2, P - 2)])],
            vec![(2 * m * PS, 2 * m * PS), (all, 2 * m * PS), (all, 0)],
            &[(BASE, &[(0, P)]), (BASE + 0xe, &[(0, P)])],
        ),
        (
            "ScavAllVeryDiscontiguous",
            &[(BASE, &[]), (BASE + 0x1000, &[])],
            &[(BASE, &[]), (BASE + 0x1000, &[])],
            vec![(all, 2 * P * PS), (all, 0)],
            &[(BASE, &[(0, P)]), (BASE + 0x1000, &[(0, P)])],
        ),
    ];
    for (name, before_alloc, before_scav, expect, after_scav) in cases {
        let mut b = new_page_alloc(before_alloc, Some(before_scav));
        for (k, &(request, want)) in expect.iter().enumerate() {
            assert_eq!(
                scavenge(&mut b, request),
                want,
                "{name}: scavenge #{}",
                k + 1
            );
        }
        let want = new_page_alloc(before_alloc, Some(after_scav));
        check_page_alloc(&want, &b);
    }
}

#[test]
fn scavenge_grown_and_freed_heap_returns_everything() {
    let mut p = Box::new(PageAlloc::new());
    assert!(p.grow(chunk_base(BASE), 4 * PALLOC_CHUNK_BYTES));
    assert!(p.grow(chunk_base(BASE + 0x20), PALLOC_CHUNK_BYTES));
    let total = 5 * P * PS;
    // Fresh memory is scavenged already: nothing to do.
    assert!(p.scavenge_begin(usize::MAX, true).is_none());
    // Use everything (odd-sized pieces, then single pages)...
    let mut pieces = Vec::new();
    let mut scav_seen = 0;
    for n in [37, 1] {
        loop {
            let (addr, s) = p.alloc(n);
            if addr == 0 {
                break;
            }
            scav_seen += s;
            pieces.push((addr, n));
        }
    }
    assert_eq!(scav_seen, total, "every page was scavenged once");
    // ...and free it all again.
    for &(a, n) in &pieces {
        p.free(a, n);
    }
    // One page at a time is asked for, but whole free 2 MiB huge pages
    // come back, highest address first.
    let mut last = usize::MAX;
    let mut released = 0;
    while let Some((base, npages)) = p.scavenge_begin(1, true) {
        assert!(base < last, "highest address first");
        assert_eq!(npages, PHYS_HUGE_PAGES, "a free huge page is not broken up");
        assert_eq!(base % (PHYS_HUGE_PAGES * PS), 0);
        last = base;
        p.scavenge_end(base, npages);
        released += npages * PS;
    }
    assert_eq!(released, total);
    assert_eq!(
        scavenge(&mut p, usize::MAX),
        0,
        "exhausted until something is freed"
    );
    check_summaries(&p);
    // The next allocations report all of it scavenged.
    assert_eq!(p.alloc(4 * P), (chunk_base(BASE), 4 * P * PS));
    assert_eq!(p.alloc(P), (chunk_base(BASE + 0x20), P * PS));

    // Partial frees: only the freed, unscavenged pages come back.
    p.free(page_base(BASE + 1, 10), 5);
    p.free(page_base(BASE + 3, 490), 20);
    assert_eq!(scavenge(&mut p, usize::MAX), 25 * PS);
    assert_eq!(p.alloc(20), (page_base(BASE + 3, 490), 20 * PS));
    check_summaries(&p);
}

#[test]
fn scavenge_background_needs_a_new_generation() {
    let mut p = Box::new(PageAlloc::new());
    assert!(p.grow(chunk_base(BASE), 2 * PALLOC_CHUNK_BYTES));
    let (x, y) = (chunk_base(BASE), chunk_base(BASE + 1));
    assert_eq!(p.alloc(2 * P).0, x); // both chunks full in generation 0
    p.free(y, P);
    // The background search only sees what was freed before the last
    // generation change.
    assert!(p.scavenge_begin(usize::MAX, false).is_none());
    p.next_gen();
    // Generation 1: X is freed, but it was full when the generation began.
    p.free(x, P);
    assert_eq!(p.scavenge_begin(usize::MAX, false), Some((y, P)));
    p.scavenge_end(y, P);
    // X is dense for this generation: the background search skips it, the
    // forced one does not.
    assert!(p.scavenge_begin(usize::MAX, false).is_none());
    assert_eq!(p.scavenge_begin(usize::MAX, true), Some((x, P)));
    p.scavenge_end(x, P);
    // Nothing left for either search.
    p.next_gen();
    assert!(p.scavenge_begin(usize::MAX, false).is_none());
    assert!(p.scavenge_begin(usize::MAX, true).is_none());
    check_summaries(&p);
}
