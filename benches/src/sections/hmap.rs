//! gort-hmap (Go's classic map) against std's `HashMap` with SipHash (std's
//! default) and with ahash, and hashbrown with ahash (and Go's own map
//! through the twin in `benches/go/hmap/`; Go 1.19's map is the same classic
//! design as go1.23's):
//!
//! - `insert/u64/1M`: insert 1M `u64` keys into an empty map (ns per insert,
//!   averaged over whole builds; the drop is not timed);
//! - `get-hit/u64/1M`, `get-miss/u64/1M`: lookups in a 1M-entry map, in a
//!   scattered order, of present and absent keys;
//! - `remove/u64/1M`: removals from a 1M-entry map (refilled untimed);
//! - `iterate/u64/1M`: entries visited by an iteration;
//! - `insert/str/1M`, `get-hit/str/1M`: the same with string keys (`&str`,
//!   16 to 24 bytes; Go: `string`).
//!
//! Tables: memory per entry at 1M entries, and the latency of single inserts
//! while growing from empty to 4M entries, with griddle (hashbrown with
//! incremental resizing) as a further peer.

pub mod impls;
pub mod latency;

use crate::{Measurement, Table, Workload, measure};
use impls::{BenchMap, Gort, Griddle, Hashbrown, StdAhash, StdSip};
use latency::Latency;
use std::hash::Hash;
use std::hint::black_box;
use std::sync::OnceLock;

const SECTION: &str = "hmap";
/// Entries of the throughput workloads' maps.
pub const N: u64 = 1_000_000;
/// Entries the latency runs grow to.
pub const LATENCY_N: u64 = 4_000_000;
/// Latency runs per map.
pub const LATENCY_RUNS: usize = 5;
/// Step through `0..N` that scatters accesses (a prime, so coprime with N).
const STRIDE: u64 = 999_983;

/// The `i`-th key: distinct for distinct `i` (multiplication by an odd
/// constant is a bijection), spread over the whole `u64` range.
pub fn u64_key(i: u64) -> u64 {
    i.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The `i`-th string key, for `i < 2N` (the upper half are the misses).
fn str_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        (0..2 * N)
            .map(|i| &*Box::leak(format!("key-{:x}-{}", u64_key(i), i % 97).into_boxed_str()))
            .collect()
    })
}

/// A key type of the workloads: how to make the `i`-th key.
pub trait Key: Hash + Eq + Clone + 'static {
    /// The `i`-th key, `i < 2N`.
    fn nth(i: u64) -> Self;
}

impl Key for u64 {
    fn nth(i: u64) -> u64 {
        u64_key(i)
    }
}

impl Key for &'static str {
    fn nth(i: u64) -> &'static str {
        str_keys()[i as usize]
    }
}

/// A map of keys `0..N`, inserted in order.
fn filled<K: Key, M: BenchMap<K>>() -> M {
    let mut m = M::new();
    for i in 0..N {
        m.insert(K::nth(i), i);
    }
    m
}

/// The key indexes `0..N` in a scattered order, `iters` of them.
fn scattered(iters: u64) -> impl Iterator<Item = u64> {
    let mut i = 0;
    (0..iters).map(move |_| {
        i += STRIDE;
        if i >= N {
            i -= N;
        }
        i
    })
}

/// Adds the timings of several timed parts.
fn sum(parts: impl Iterator<Item = Measurement>) -> Measurement {
    parts.fold(Measurement::default(), |a, b| Measurement {
        wall: a.wall + b.wall,
        cpu: a.cpu + b.cpu,
    })
}

/// Inserts into maps growing from empty to `N` entries: one iteration is one
/// insert, and a run of `iters` iterations times `ceil(iters / N)` whole
/// builds and scales their time to `iters` inserts, so that every insert
/// measured is part of a full build (the drop is not timed).
fn insert_1m<K: Key, M: BenchMap<K>>() -> impl FnMut(u64) -> Measurement {
    let keys: Vec<K> = (0..N).map(K::nth).collect();
    move |iters| {
        let rounds = iters.div_ceil(N);
        let total = sum((0..rounds).map(|_| {
            let mut m = M::new();
            let t = measure(|| {
                for (i, k) in keys.iter().enumerate() {
                    m.insert(k.clone(), i as u64);
                }
            });
            drop(black_box(m));
            t
        }));
        let scale = |d: std::time::Duration| d.mul_f64(iters as f64 / (rounds * N) as f64);
        Measurement {
            wall: scale(total.wall),
            cpu: scale(total.cpu),
        }
    }
}

/// Lookups of keys `offset + scattered index`: hits with offset 0, misses
/// with offset N. The map is built once per implementation and kept.
fn lookups<K: Key, M: BenchMap<K>>(offset: u64) -> impl FnMut(u64) -> Measurement {
    let mut map: Option<M> = None;
    move |iters| {
        let m = map.get_or_insert_with(filled::<K, M>);
        let keys: Vec<K> = scattered(iters).map(|i| K::nth(i + offset)).collect();
        measure(|| {
            keys.iter()
                .fold(0u64, |s, k| s.wrapping_add(m.get(k).unwrap_or(1)))
        })
    }
}

fn remove<M: BenchMap<u64>>() -> impl FnMut(u64) -> Measurement {
    |iters| {
        let mut left = iters;
        sum(std::iter::from_fn(|| {
            (left > 0).then(|| {
                let n = left.min(N);
                left -= n;
                let mut m = filled::<u64, M>();
                let keys: Vec<u64> = scattered(n).map(u64_key).collect();
                let t = measure(|| {
                    keys.iter()
                        .fold(0u64, |s, k| s.wrapping_add(m.remove(k).unwrap_or(1)))
                });
                drop(black_box(m));
                t
            })
        }))
    }
}

fn iterate<M: BenchMap<u64>>() -> impl FnMut(u64) -> Measurement {
    let mut map: Option<M> = None;
    move |iters| {
        let m = map.get_or_insert_with(filled::<u64, M>);
        measure(|| {
            let (mut left, mut s) = (iters, 0u64);
            while left > 0 {
                let (seen, sum) = m.visit(left);
                left -= seen;
                s = s.wrapping_add(sum);
            }
            s
        })
    }
}

type Runner = Box<dyn FnMut(u64) -> Measurement>;

fn boxed(f: impl FnMut(u64) -> Measurement + 'static) -> Runner {
    Box::new(f)
}

/// Makes the runner of the map named `$row`: `$make` is evaluated with
/// `$m<K>` standing for that map's type.
macro_rules! for_row {
    ($row:expr, $m:ident => $make:expr) => {
        match $row {
            "gort" => {
                type $m<K> = Gort<K>;
                boxed($make)
            }
            "std" => {
                type $m<K> = StdSip<K>;
                boxed($make)
            }
            "std+ahash" => {
                type $m<K> = StdAhash<K>;
                boxed($make)
            }
            _ => {
                type $m<K> = Hashbrown<K>;
                boxed($make)
            }
        }
    };
}

/// A workload run by gort and the three throughput peers (and Go).
fn workload(name: &str, unit: &'static str, make: impl Fn(&str) -> Runner) -> Workload {
    let w = Workload::new(SECTION, name, unit).gort(Gort::<u64>::NAME, make(Gort::<u64>::NAME));
    [
        StdSip::<u64>::NAME,
        StdAhash::<u64>::NAME,
        Hashbrown::<u64>::NAME,
    ]
    .into_iter()
    .fold(w, |w, peer| w.peer(peer, make(peer)))
    .go(name)
}

/// The section's workloads.
pub fn workloads() -> Vec<Workload> {
    type Str = &'static str;
    type Make = fn(&str) -> Runner;
    let table: [(&str, &'static str, Make); 7] = [
        (
            "insert/u64/1M",
            "insert",
            |r| for_row!(r, M => insert_1m::<u64, M<u64>>()),
        ),
        (
            "get-hit/u64/1M",
            "op",
            |r| for_row!(r, M => lookups::<u64, M<u64>>(0)),
        ),
        (
            "get-miss/u64/1M",
            "op",
            |r| for_row!(r, M => lookups::<u64, M<u64>>(N)),
        ),
        (
            "remove/u64/1M",
            "op",
            |r| for_row!(r, M => remove::<M<u64>>()),
        ),
        (
            "iterate/u64/1M",
            "entry",
            |r| for_row!(r, M => iterate::<M<u64>>()),
        ),
        (
            "insert/str/1M",
            "insert",
            |r| for_row!(r, M => insert_1m::<Str, M<Str>>()),
        ),
        (
            "get-hit/str/1M",
            "op",
            |r| for_row!(r, M => lookups::<Str, M<Str>>(0)),
        ),
    ];
    table
        .into_iter()
        .map(|(name, unit, make)| workload(name, unit, make))
        .collect()
}

/// Bytes per entry of a map of `N` `u64 -> u64` entries: what a clone of it
/// allocates (a clone copies the final table, without the memory that the
/// growth freed); `None` without the counting allocator.
fn bytes_per_entry<M: BenchMap<u64>>() -> Option<String> {
    let m = filled::<u64, M>();
    let (a, c) = crate::alloc::allocated_by(|| m.clone())?;
    drop(c);
    Some(format!("{:.1}", a.bytes as f64 / N as f64))
}

/// The latency statistics of `M` over the runs.
fn growth_latency<M: BenchMap<u64>>() -> Latency {
    let runs: Vec<Latency> = (0..LATENCY_RUNS)
        .map(|_| latency::run::<M>(LATENCY_N))
        .collect();
    Latency::median(&runs)
}

/// Go's row of the latency table, when the twin runs.
fn go_latency() -> Option<Latency> {
    let runs: Option<Vec<Latency>> = (0..LATENCY_RUNS)
        .map(|_| {
            Latency::parse(&crate::go::output(SECTION, &["latency", &LATENCY_N.to_string()]).ok()?)
        })
        .collect();
    Some(Latency::median(&runs?))
}

/// The section's tables: memory per entry, and insert latency during growth.
pub fn tables() -> Vec<Table> {
    let mem_rows = [
        (Gort::<u64>::NAME, bytes_per_entry::<Gort<u64>>()),
        (StdSip::<u64>::NAME, bytes_per_entry::<StdSip<u64>>()),
        (StdAhash::<u64>::NAME, bytes_per_entry::<StdAhash<u64>>()),
        (Hashbrown::<u64>::NAME, bytes_per_entry::<Hashbrown<u64>>()),
        (Griddle::<u64>::NAME, bytes_per_entry::<Griddle<u64>>()),
        (
            "go",
            crate::go::output(SECTION, &["mem", &N.to_string()])
                .ok()
                .map(|s| s.trim().to_string()),
        ),
    ];
    let lat_rows = [
        (Gort::<u64>::NAME, Some(growth_latency::<Gort<u64>>())),
        (
            Hashbrown::<u64>::NAME,
            Some(growth_latency::<Hashbrown<u64>>()),
        ),
        (
            StdAhash::<u64>::NAME,
            Some(growth_latency::<StdAhash<u64>>()),
        ),
        (Griddle::<u64>::NAME, Some(growth_latency::<Griddle<u64>>())),
        ("go", go_latency()),
    ];
    let cell = |v: Option<String>| v.unwrap_or_else(|| "–".into());
    vec![
        Table {
            section: SECTION,
            title: "Bytes per entry of a 1M-entry u64 -> u64 map (Go: a 144-byte bucket per 6.5 entries at most)".into(),
            columns: ["impl", "bytes/entry"].map(String::from).to_vec(),
            rows: mem_rows.into_iter().map(|(n, b)| vec![n.to_string(), cell(b)]).collect(),
        },
        Table {
            section: SECTION,
            title: format!(
                "Latency of one insert while growing from empty to 4M u64 keys, ns (median of {LATENCY_RUNS} runs of each statistic)"
            ),
            columns: ["impl", "p50", "p99", "p99.9", "p99.99", "max"].map(String::from).to_vec(),
            rows: lat_rows
                .into_iter()
                .map(|(n, l)| {
                    let mut r = vec![n.to_string()];
                    match l {
                        Some(l) => r.extend([l.p50, l.p99, l.p999, l.p9999, l.max].map(|x| x.to_string())),
                        None => r.extend(std::iter::repeat_n("–".to_string(), 5)),
                    }
                    r
                })
                .collect(),
        },
    ]
}
