//! Go's runtime/map_test.go (go1.23), re-expressed where it applies.
//!
//! Not re-expressed, and why: TestHmapSize (Go's struct layout), the NaN and
//! ±0 tests (Rust keys are `Eq`, so `f64` cannot be a key), TestIterGrowWithGC
//! and the Large*NoPointer tests (no GC), TestConcurrentReadsAfterGrowth
//! (a shared `&HMap` is read-only; `Sync` makes that safe by construction),
//! TestMapStringBytesLookup and TestNonEscapingMap (Go allocation counts),
//! TestEmptyMapWithInterfaceKey and TestMapInterfaceKey (no `any` keys).
//! TestIterGrowAndDelete inserts during an iteration, which the borrow
//! checker rejects; its iterate-and-delete half is `retain` during a growth.

mod common;

use common::{Colliding, Tracker};
use gort_hmap::{HMap, HSet};
use std::collections::{BTreeSet, HashSet};

fn buckets<K, V, S>(m: &HMap<K, V, S>) -> usize {
    1 << m.debug_stats().b
}

/// TestMapBuckets: the bucket count after n inserts, without and with a hint.
#[test]
fn map_buckets() {
    let cases = [
        (0, 1),
        (1, 1),
        (8, 1),
        (9, 2),
        (12, 2),
        (13, 2),
        (14, 4),
        (24, 4),
        (26, 4),
        (27, 8),
        (48, 8),
        (52, 8),
        (53, 16),
    ];
    for (n, want) in cases {
        let mut m = HMap::new();
        for i in 0..n {
            m.insert(i, i);
        }
        if n > 0 {
            assert_eq!(buckets(&m), want, "nohint n={n}");
        }
        let mut h = HMap::with_capacity(n);
        for i in 0..n {
            h.insert(i, i);
        }
        assert_eq!(buckets(&h), want, "hint n={n}");
        assert!(
            !h.debug_stats().growing,
            "a map made with a hint of n does not grow for n inserts"
        );
    }
}

/// TestMapTombstones: fill, delete the evens, refill, delete everything; the
/// emptyRest invariant holds after each phase (checked by `debug_check`,
/// Go's MapTombstoneCheck plus placement and count).
#[test]
fn map_tombstones() {
    const N: u64 = 10_000;
    let mut m = HMap::new();
    for i in 0..N {
        m.insert(i, i);
    }
    m.debug_check().unwrap();
    for i in (0..N).step_by(2) {
        m.remove(&i);
    }
    m.debug_check().unwrap();
    for i in N..3 * N / 2 {
        m.insert(i, i);
    }
    m.debug_check().unwrap();
    for i in 0..3 * N / 2 {
        m.remove(&i);
    }
    m.debug_check().unwrap();
    assert!(m.is_empty());
}

fn order<K: Copy, V>(m: &HMap<K, V>) -> Vec<K> {
    m.keys().copied().collect()
}

/// TestMapIterOrder: maps of 3, 7, 9 and 15 entries show at least two
/// orders within 100 iterations (each iterator draws its own start).
#[test]
fn map_iter_order() {
    for n in [3u64, 7, 9, 15] {
        for _ in 0..100 {
            let m: HMap<u64, bool> = (0..n).map(|i| (i, true)).collect();
            let first = order(&m);
            assert!(
                (0..100).any(|_| order(&m) != first),
                "n={n}: one order only: {first:?}"
            );
        }
    }
}

/// TestMapSparseIterOrder: insert 1000, delete 980; the order still changes.
#[test]
fn map_sparse_iter_order() {
    for _ in 0..10 {
        let mut m: HMap<u64, bool> = (0..1000).map(|i| (i, true)).collect();
        for i in 20..1000 {
            m.remove(&i);
        }
        let first = order(&m);
        assert!(
            (0..800).any(|_| order(&m) != first),
            "constant order: {first:?}"
        );
    }
}

/// TestEmptyKeyAndValue: zero-sized keys and values.
#[test]
fn empty_key_and_value() {
    let mut a: HMap<u64, ()> = HMap::new();
    a.insert(1, ());
    let mut b: HMap<(), u64> = HMap::new();
    b.insert((), 1);
    b.insert((), 2);
    let mut c: HMap<(), ()> = HMap::new();
    c.insert((), ());
    assert_eq!((a.len(), b.len(), c.len()), (1, 1, 1));
    assert_eq!(b[&()], 2);
    assert_eq!(c.remove(&()), Some(()));
    let s: HSet<()> = [(), (), ()].into_iter().collect();
    assert_eq!(s.len(), 1);
    let big: HMap<u64, ()> = (0..10_000).map(|i| (i, ())).collect();
    big.debug_check().unwrap();
    assert_eq!(big.iter().count(), 10_000);
}

/// TestBigItems: 100 entries with [256]string keys and values (here [String;
/// 256] of tracked contents is replaced by 2 KiB arrays, over Go's 128-byte
/// indirect threshold).
#[test]
fn big_items() {
    let mut m: HMap<[u64; 256], [u64; 256]> = HMap::new();
    for i in 0..100u64 {
        let mut k = [0; 256];
        let mut v = [0; 256];
        k[255] = i;
        v[0] = i;
        v[255] = i * 2;
        m.insert(k, v);
    }
    m.debug_check().unwrap();
    for i in 0..100u64 {
        let mut k = [0; 256];
        k[255] = i;
        let v = m.get(&k).unwrap();
        assert_eq!((v[0], v[255]), (i, i * 2));
    }
    let keys: BTreeSet<u64> = m.keys().map(|k| k[255]).collect();
    assert_eq!(keys, (0..100).collect());
}

/// TestMapHugeZero: a missing key reads as absent, whatever the value size.
#[test]
fn map_huge_zero() {
    let m: HMap<u64, [u8; 4000]> = HMap::from([(1, [1; 4000])]);
    assert!(!m.contains_key(&2));
    assert_eq!(m.get(&2), None);
    assert_eq!(m[&1][3999], 1);
}

/// TestSingleBucketMapStringKeys_DupLen / _NoDupLen: lookups in a one-bucket
/// string map, with short keys of equal and unequal lengths and 128-byte ones.
#[test]
fn single_bucket_string_keys() {
    let long_a = "a".repeat(128);
    let long_b = format!("{}b", "a".repeat(127));
    let sets: [Vec<String>; 2] = [
        vec!["x".into(), "xx".into(), "xxx".into(), long_a.clone()],
        vec![
            "x1".into(),
            "x2".into(),
            "x3".into(),
            long_a.clone(),
            long_b.clone(),
        ],
    ];
    for keys in sets {
        let m: HMap<String, usize> = keys
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        assert_eq!(buckets(&m), 1);
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(m.get(k.as_str()), Some(&i));
        }
        assert_eq!(m.get(""), None);
        assert_eq!(m.get("y"), None);
        assert_eq!(m.get(&*format!("{}c", "a".repeat(127))), None);
    }
}

/// TestIgnoreBogusMapHint: absurd hints do not panic.
#[test]
fn ignore_bogus_map_hint() {
    for hint in [usize::MAX, usize::MAX / 2, 1 << 62] {
        let mut m: HMap<u64, u64> = HMap::with_capacity(hint);
        m.insert(1, 1);
        assert_eq!(m[&1], 1);
    }
}

/// TestIncrementAfterDelete* and TestIncrementAfterBulkClear*: after a
/// delete or a clear, `m[k] += 1` starts from the zero value.
#[test]
fn increment_after_delete_and_clear() {
    let mut m: HMap<String, u64> = HMap::new();
    m.insert("k".into(), 5);
    m.remove("k");
    *m.entry("k".into()).or_default() += 1;
    assert_eq!(m["k"], 1);
    for i in 0..100 {
        m.insert(i.to_string(), 7);
    }
    m.clear();
    *m.entry("k".into()).or_default() += 1;
    assert_eq!(m["k"], 1);
    let mut s: HMap<String, String> = HMap::new();
    s.insert("k".into(), "old".into());
    s.remove("k");
    s.entry("k".into()).or_default().push('1');
    assert_eq!(s["k"], "1");
}

/// Every key exactly once while a growth is in progress, at every step of
/// the growth (TestMapNanGrowIterator's and TestIterGrowWithGC's guarantee,
/// for a map that cannot change during the iteration).
#[test]
fn every_key_once_mid_growth() {
    let mut m: HMap<u64, u64> = HMap::new();
    let mut steps_seen_growing = 0;
    for i in 0..5_000u64 {
        m.insert(i, i);
        let st = m.debug_stats();
        if st.growing {
            steps_seen_growing += 1;
            let mut seen = HashSet::new();
            for (k, v) in &m {
                assert_eq!(k, v);
                assert!(seen.insert(*k), "key {k} produced twice");
            }
            assert_eq!(seen.len() as u64, i + 1, "missing keys at i={i}");
        }
    }
    assert!(steps_seen_growing > 500);
}

/// TestIterGrowAndDelete, Rust version: a growth is started, then every odd
/// key is removed while iterating (`retain`); no odd key survives, every even
/// one does, and the growth then finishes cleanly.
#[test]
fn iterate_and_delete_during_growth() {
    for n in [9u64, 100, 1000, 10_000] {
        let mut m: HMap<u64, u64> = HMap::new();
        let mut i = 0;
        loop {
            m.insert(i, i);
            i += 1;
            if i >= n && m.debug_stats().growing {
                break;
            }
        }
        m.retain(|k, _| k % 2 == 0);
        m.debug_check().unwrap();
        assert!(m.keys().all(|k| k % 2 == 0));
        assert_eq!(m.len() as u64, i.div_ceil(2));
        while m.debug_stats().growing {
            m.insert(i, i);
            i += 1;
        }
        m.debug_check().unwrap();
    }
}

/// Colliding hashes: a hasher with one output still works (one long
/// overflow chain, moved whole at every doubling).
#[test]
fn constant_hash() {
    let mut m: HMap<u64, u64, Colliding> = HMap::with_hasher(Colliding { modulus: 1 });
    for i in 0..500 {
        m.insert(i, i);
        if i % 50 == 0 {
            m.debug_check().unwrap();
        }
    }
    m.debug_check().unwrap();
    assert!(m.debug_stats().noverflow >= 500 / 8 - 1);
    for i in (0..500).step_by(3) {
        assert_eq!(m.remove(&i), Some(i));
    }
    m.debug_check().unwrap();
    for i in 0..500 {
        assert_eq!(m.get(&i).is_some(), i % 3 != 0);
    }
}

/// Overflow buckets piling up trigger a same-size growth
/// (`tooManyOverflowBuckets`): each round fills one chain with colliding
/// keys (allocating overflow buckets), then deletes them, so the count stays
/// small while `noverflow` climbs.
#[test]
fn overflow_buckets_trigger_same_size_growth() {
    const CLASS: u64 = 1 << 20;
    let mut m: HMap<u64, u64, Colliding> = HMap::with_hasher(Colliding { modulus: CLASS });
    let mut same_size = 0;
    for class in 0..200u64 {
        let keys: Vec<u64> = (0..40).map(|j| class + j * CLASS).collect();
        for &k in &keys {
            m.insert(k, k);
            same_size += usize::from(m.debug_stats().same_size_grow);
        }
        m.debug_check().unwrap();
        assert_eq!(m.len(), 40);
        for k in &keys {
            assert_eq!(m.remove(k), Some(*k));
        }
    }
    assert!(same_size > 0, "no same-size growth");
    assert!(
        m.debug_stats().b <= 4,
        "same-size growth keeps the table small"
    );
}

/// A few colliding buckets (hash mod 4): chains, growth into X and Y halves.
#[test]
fn weak_hasher_many_overflow_buckets() {
    let t = Tracker::new();
    let mut m: HMap<common::Obj, u64, Colliding> = HMap::with_hasher(Colliding { modulus: 4 });
    for i in 0..300 {
        m.insert(t.obj(i), i);
    }
    m.debug_check().unwrap();
    assert!(m.debug_stats().noverflow > 0);
    for i in 0..300 {
        assert_eq!(m.get(&t.obj(i)), Some(&i));
    }
    drop(m);
    t.assert_all_dropped_once();
}
