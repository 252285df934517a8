//! The workloads: Go's sync/map_bench_test.go (same key ranges, hit ratios
//! and per-goroutine starting points `i = id * N`) and five mixes.

use super::impls::BenchMap;
use std::hint::black_box;

/// One workload of the section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Go's BenchmarkLoadMostlyHits.
    LoadMostlyHits,
    /// Go's BenchmarkLoadMostlyMisses.
    LoadMostlyMisses,
    /// Go's BenchmarkLoadOrStoreBalanced.
    LoadOrStoreBalanced,
    /// Go's BenchmarkLoadOrStoreUnique.
    LoadOrStoreUnique,
    /// Go's BenchmarkLoadOrStoreCollision.
    LoadOrStoreCollision,
    /// Go's BenchmarkLoadAndDeleteBalanced.
    LoadAndDeleteBalanced,
    /// Go's BenchmarkLoadAndDeleteUnique.
    LoadAndDeleteUnique,
    /// Go's BenchmarkLoadAndDeleteCollision.
    LoadAndDeleteCollision,
    /// Go's BenchmarkRange.
    Range,
    /// Go's BenchmarkAdversarialAlloc.
    AdversarialAlloc,
    /// Go's BenchmarkAdversarialDelete.
    AdversarialDelete,
    /// Go's BenchmarkDeleteCollision.
    DeleteCollision,
    /// Go's BenchmarkSwapCollision.
    SwapCollision,
    /// Go's BenchmarkSwapMostlyHits.
    SwapMostlyHits,
    /// Go's BenchmarkSwapMostlyMisses.
    SwapMostlyMisses,
    /// Go's BenchmarkCompareAndSwapCollision.
    CompareAndSwapCollision,
    /// Go's BenchmarkCompareAndSwapNoExistingKey.
    CompareAndSwapNoExistingKey,
    /// Go's BenchmarkCompareAndSwapValueNotEqual.
    CompareAndSwapValueNotEqual,
    /// Go's BenchmarkCompareAndSwapMostlyHits.
    CompareAndSwapMostlyHits,
    /// Go's BenchmarkCompareAndSwapMostlyMisses.
    CompareAndSwapMostlyMisses,
    /// Go's BenchmarkCompareAndDeleteCollision.
    CompareAndDeleteCollision,
    /// Go's BenchmarkCompareAndDeleteMostlyHits.
    CompareAndDeleteMostlyHits,
    /// Go's BenchmarkCompareAndDeleteMostlyMisses.
    CompareAndDeleteMostlyMisses,
    /// Go's BenchmarkClear.
    Clear,
    /// 98% load, 1% store, 1% delete over 2048 prefilled keys.
    ReadHeavy,
    /// 10% load, 50% store (inserts and updates), 40% delete over 2048 keys.
    Exchange,
    /// 5% load, 80% store of a new key, 5% delete, 10% store (update) of
    /// keys the thread stored.
    RapidGrow,
    /// Each thread owns 1024 prefilled keys: 75% load, 25% store of its own.
    Disjoint,
    /// A cache that only grows: load, and load_or_store on a miss; the key
    /// range starts at 1024 prefilled keys and widens by one every 16 ops.
    GrowOnly,
}

impl Case {
    /// Every case, in report order.
    pub const ALL: [Case; 29] = [
        Case::LoadMostlyHits,
        Case::LoadMostlyMisses,
        Case::LoadOrStoreBalanced,
        Case::LoadOrStoreUnique,
        Case::LoadOrStoreCollision,
        Case::LoadAndDeleteBalanced,
        Case::LoadAndDeleteUnique,
        Case::LoadAndDeleteCollision,
        Case::Range,
        Case::AdversarialAlloc,
        Case::AdversarialDelete,
        Case::DeleteCollision,
        Case::SwapCollision,
        Case::SwapMostlyHits,
        Case::SwapMostlyMisses,
        Case::CompareAndSwapCollision,
        Case::CompareAndSwapNoExistingKey,
        Case::CompareAndSwapValueNotEqual,
        Case::CompareAndSwapMostlyHits,
        Case::CompareAndSwapMostlyMisses,
        Case::CompareAndDeleteCollision,
        Case::CompareAndDeleteMostlyHits,
        Case::CompareAndDeleteMostlyMisses,
        Case::Clear,
        Case::ReadHeavy,
        Case::Exchange,
        Case::RapidGrow,
        Case::Disjoint,
        Case::GrowOnly,
    ];

    /// The name (Go's benchmark name without `Benchmark`; the Go twin takes
    /// the same name).
    pub fn name(self) -> String {
        format!("{self:?}")
    }

    /// The first Go 1.x whose `sync.Map` can run the case.
    pub fn min_go_minor(self) -> u32 {
        use Case::*;
        match self {
            Clear => 23,
            DeleteCollision
            | LoadMostlyHits
            | LoadMostlyMisses
            | LoadOrStoreBalanced
            | LoadOrStoreUnique
            | LoadOrStoreCollision
            | LoadAndDeleteBalanced
            | LoadAndDeleteUnique
            | LoadAndDeleteCollision
            | Range
            | AdversarialAlloc
            | AdversarialDelete
            | ReadHeavy
            | Exchange
            | RapidGrow
            | Disjoint
            | GrowOnly => 9,
            _ => 20,
        }
    }

    /// Untimed set-up on a fresh map (Go's `setup`).
    pub fn setup<M: BenchMap>(self, m: &M) {
        use Case::*;
        match self {
            LoadMostlyHits
            | SwapMostlyHits
            | CompareAndSwapMostlyHits
            | CompareAndDeleteMostlyHits => prime(m, 1023),
            LoadMostlyMisses
            | SwapMostlyMisses
            | CompareAndSwapMostlyMisses
            | CompareAndDeleteMostlyMisses => prime(m, 1),
            LoadOrStoreBalanced | LoadAndDeleteBalanced => prime(m, 128),
            LoadOrStoreCollision
            | LoadAndDeleteCollision
            | DeleteCollision
            | SwapCollision
            | CompareAndSwapCollision
            | CompareAndDeleteCollision => {
                m.load_or_store(0, 0);
            }
            CompareAndSwapValueNotEqual => m.store(0, 0),
            Range | AdversarialDelete => (0..1024).for_each(|i| m.store(i, i)),
            ReadHeavy | Exchange => (0..2048).for_each(|i| m.store(i, i)),
            Disjoint => (0..2 * 1024).for_each(|i| m.store(i, i)),
            GrowOnly => (0..1024).for_each(|i| m.store(i, i)),
            LoadOrStoreUnique
            | LoadAndDeleteUnique
            | AdversarialAlloc
            | CompareAndSwapNoExistingKey
            | Clear
            | RapidGrow => {}
        }
    }

    /// One goroutine's loop (Go's `perG`): `n` iterations from `i`, run as
    /// thread `id`.
    pub fn run<M: BenchMap>(self, m: &M, id: u64, mut i: u64, n: u64) {
        use Case::*;
        let end = i + n;
        match self {
            LoadMostlyHits | LoadMostlyMisses => {
                for i in i..end {
                    black_box(m.load(i % 1024));
                }
            }
            LoadOrStoreBalanced => {
                for i in i..end {
                    let j = i % 256;
                    if j < 128 {
                        assert!(m.load_or_store(j, i).1, "unexpected miss for {j}");
                    } else {
                        assert!(!m.load_or_store(i, i).1, "failed to store {i}");
                    }
                }
            }
            LoadOrStoreUnique => (i..end).for_each(|i| {
                black_box(m.load_or_store(i, i));
            }),
            LoadOrStoreCollision => (i..end).for_each(|_| {
                black_box(m.load_or_store(0, 0));
            }),
            LoadAndDeleteBalanced => {
                for i in i..end {
                    let j = i % 256;
                    black_box(m.load_and_delete(if j < 128 { j } else { i }));
                }
            }
            LoadAndDeleteUnique => (i..end).for_each(|i| {
                black_box(m.load_and_delete(i));
            }),
            LoadAndDeleteCollision => {
                for _ in i..end {
                    if m.load_and_delete(0).is_some() {
                        m.store(0, 0);
                    }
                }
            }
            Range => {
                for _ in i..end {
                    m.range(|k, v| black_box((k, v)).0 != u64::MAX);
                }
            }
            AdversarialAlloc => {
                let (mut stores, mut loads_since_store) = (0u64, 0u64);
                for i in i..end {
                    black_box(m.load(i));
                    loads_since_store += 1;
                    if loads_since_store > stores {
                        m.load_or_store(i, stores);
                        loads_since_store = 0;
                        stores += 1;
                    }
                }
            }
            AdversarialDelete => {
                for i in i..end {
                    black_box(m.load(i));
                    if i % 1024 == 0 {
                        // Go deletes inside the Range callback; the peers
                        // cannot call themselves from their iterators, so
                        // every map deletes right after the callback stops.
                        let mut first = None;
                        m.range(|k, _| {
                            first = Some(k);
                            false
                        });
                        if let Some(k) = first {
                            m.delete(k);
                        }
                        m.store(i, i);
                    }
                }
            }
            DeleteCollision => (i..end).for_each(|_| m.delete(0)),
            SwapCollision => (i..end).for_each(|_| {
                black_box(m.swap(0, 0));
            }),
            SwapMostlyHits | SwapMostlyMisses => {
                let hits = if self == SwapMostlyHits { 1023 } else { 1 };
                for i in i..end {
                    if i % 1024 < hits {
                        let v = i % 1024;
                        black_box(m.swap(v, v));
                    } else {
                        black_box(m.swap(i, i));
                        m.delete(i);
                    }
                }
            }
            CompareAndSwapCollision => {
                for _ in i..end {
                    if m.compare_and_swap(0, 0, 42) {
                        m.compare_and_swap(0, 42, 0);
                    }
                }
            }
            CompareAndSwapNoExistingKey => {
                for i in i..end {
                    if m.compare_and_swap(i, 0, 0) {
                        m.delete(i);
                    }
                }
            }
            CompareAndSwapValueNotEqual => (i..end).for_each(|_| {
                black_box(m.compare_and_swap(0, 1, 2));
            }),
            CompareAndSwapMostlyHits | CompareAndSwapMostlyMisses => {
                let hits = if self == CompareAndSwapMostlyHits {
                    1023
                } else {
                    1
                };
                for i in i..end {
                    let v = if i % 1024 < hits { i % 1024 } else { i };
                    black_box(m.compare_and_swap(v, v, v));
                }
            }
            CompareAndDeleteCollision => {
                for _ in i..end {
                    if m.compare_and_delete(0, 0) {
                        m.store(0, 0);
                    }
                }
            }
            CompareAndDeleteMostlyHits | CompareAndDeleteMostlyMisses => {
                let hits = if self == CompareAndDeleteMostlyHits {
                    1023
                } else {
                    1
                };
                for i in i..end {
                    let v = if i % 1024 < hits { i % 1024 } else { i };
                    if m.compare_and_delete(v, v) {
                        m.store(v, v);
                    }
                }
            }
            Clear => {
                for i in i..end {
                    m.clear();
                    m.store(i % 256, i % 256);
                }
            }
            ReadHeavy | Exchange => {
                let (load, store) = if self == ReadHeavy {
                    (98, 99)
                } else {
                    (10, 60)
                };
                let mut rng = Rng::new(id);
                for i in i..end {
                    let k = rng.below(2048);
                    let r = rng.below(100);
                    if r < load {
                        black_box(m.load(k));
                    } else if r < store {
                        m.store(k, i);
                    } else {
                        m.delete(k);
                    }
                }
            }
            RapidGrow => {
                let (start, mut rng) = (i, Rng::new(id));
                for i in i..end {
                    let r = rng.below(100);
                    let old = start + rng.below(i - start + 1);
                    if r < 5 {
                        black_box(m.load(old));
                    } else if r < 85 {
                        m.store(i, i);
                    } else if r < 90 {
                        m.delete(old);
                    } else {
                        m.store(old, i);
                    }
                }
            }
            Disjoint => {
                let (base, mut rng) = ((id % 2) * 1024, Rng::new(id));
                for i in i..end {
                    let k = base + rng.below(1024);
                    if i % 4 == 0 {
                        m.store(k, i);
                    } else {
                        black_box(m.load(k));
                    }
                }
            }
            GrowOnly => {
                let (start, mut rng) = (i, Rng::new(id));
                while i < end {
                    let k = rng.below(1024 + (i - start) / 16);
                    if m.load(k).is_none() {
                        m.load_or_store(k, k);
                    }
                    i += 1;
                }
            }
        }
    }
}

/// Go's setup for the hits/misses benchmarks: `LoadOrStore(i, i)` for the
/// hit keys, then loads that bring sync.Map to its promoted steady state.
fn prime<M: BenchMap>(m: &M, hits: u64) {
    for i in 0..hits {
        m.load_or_store(i, i);
    }
    for i in 0..2 * hits {
        m.load(i % hits);
    }
}

/// A small deterministic generator (wyrand), one per thread.
struct Rng(u64);

impl Rng {
    fn new(id: u64) -> Self {
        Self(0x9e37_79b9_7f4a_7c15 ^ (id + 1).wrapping_mul(0xa076_1d64_78bd_642f))
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        let x = (t >> 64) as u64 ^ t as u64;
        ((u128::from(x) * u128::from(n)) >> 64) as u64
    }
}
