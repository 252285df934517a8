//! Go's sync/map_test.go tests, re-expressed: TestConcurrentRange,
//! TestIssue40999, TestMapRangeNestedCall, TestCompareAndSwap_NonExistingKey
//! and TestConcurrentClear (the allocation tests are in allocations.rs).

use gort_syncmap::SyncMap;
use gort_testkit::{Tracked, Tracker};
use std::sync::atomic::{AtomicBool, Ordering};

/// TestConcurrentRange: writers store multiples of each key while the main
/// thread ranges; every range sees each of the 1024 keys exactly once, with a
/// value that is a multiple of it.
#[test]
fn concurrent_range() {
    const MAP_SIZE: i64 = 1 << 10;
    let m = SyncMap::new();
    for n in 1..=MAP_SIZE {
        m.store(n, n);
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        for g in 1..=2i64 {
            let (m, done) = (&m, &done);
            s.spawn(move || {
                let mut rng = 0x2545_f491_4f6c_dd1d_u64.wrapping_mul(g as u64);
                let mut i = 0i64;
                while !done.load(Ordering::Relaxed) {
                    for n in 1..MAP_SIZE {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        if rng % MAP_SIZE as u64 == 0 {
                            m.store(n, n * i * g);
                        } else {
                            m.load(&n);
                        }
                    }
                    i += 1;
                }
            });
        }
        for _ in 0..64 {
            let mut seen = std::collections::HashSet::new();
            m.range(|&k, &v| {
                assert_eq!(v % k, 0, "while storing multiples of {k}, range saw {v}");
                assert!(seen.insert(k), "range visited key {k} twice");
                true
            });
            assert_eq!(seen.len(), MAP_SIZE as usize);
        }
        done.store(true, Ordering::Relaxed);
    });
}

/// TestIssue40999: keys deleted while they live only in the dirty map are
/// not retained (Go watches a finalizer; here keys and values count
/// themselves), and after the map is dropped nothing is left.
#[test]
fn deleted_keys_do_not_leak() {
    let census = Tracker::new();
    {
        let m: SyncMap<u64, Tracked> = SyncMap::new();
        // A bias key, so misses stay below the dirty map's length.
        m.store(u64::MAX, census.make(0));
        for i in 0..10_000 {
            m.store(i, census.make(i));
            m.delete(&i);
            // The bias value, plus values retired onto read maps that are
            // republished every 64 retirements.
            assert!(
                census.live() <= 1 + 2 * 64,
                "{} values alive",
                census.live()
            );
        }
        assert!(m.load(&u64::MAX).is_some());
    }
    assert_eq!(census.live(), 0);
}

/// The key side of TestIssue40999: a key type that counts itself.
#[test]
fn deleted_dirty_keys_are_dropped() {
    let census = Tracker::new();
    {
        let m: SyncMap<Tracked, ()> = SyncMap::new();
        m.store(census.make(u64::MAX), ());
        for i in 0..10_000 {
            let k = census.make(i);
            m.store(k.clone(), ());
            m.delete(&k);
            drop(k);
            // The bias key, in the read map and in a dirty copy.
            assert!(census.live() <= 4, "{} keys alive", census.live());
        }
    }
    assert_eq!(census.live(), 0);
}

/// TestMapRangeNestedCall (Go issue 46399): a range callback may load,
/// store, delete and range the same map.
#[test]
fn range_nested_call() {
    let m = SyncMap::new();
    for (i, v) in ["hello", "world", "Go"].into_iter().enumerate() {
        m.store(i, v);
    }
    m.range(|&key, &value| {
        m.range(|&key, &value| {
            assert_eq!(
                m.load(&key),
                Some(value),
                "nested range loads unexpected value"
            );
            assert!(
                !m.load_or_store(42, "dummy").1,
                "nested range: 42 must be stored"
            );
            m.store(42, "sync.Map");
            assert_eq!(m.load_and_delete(&42), Some("sync.Map"));
            true
        });
        let _ = value;
        m.delete(&key);
        true
    });
    let mut length = 0;
    m.range(|_, _| {
        length += 1;
        true
    });
    assert_eq!(length, 0);
}

/// TestCompareAndSwap_NonExistingKey: a missing key never matches, even
/// against a "zero" old value.
#[test]
fn compare_and_swap_non_existing_key() {
    let m: SyncMap<u32, Option<u32>> = SyncMap::new();
    assert!(!m.compare_and_swap(&1, &None, Some(42)));
    assert!(!m.compare_and_delete(&1, &None));
    assert_eq!(m.load(&1), None);
}

/// TestConcurrentClear: stores, loads and clears at once, then a clear
/// leaves the map empty.
#[test]
fn concurrent_clear() {
    let m = SyncMap::new();
    std::thread::scope(|s| {
        for i in 0..10 {
            let m = &m;
            s.spawn(move || m.store(i, i * 10));
            s.spawn(move || {
                if let Some(v) = m.load(&i) {
                    assert_eq!(v, i * 10);
                }
            });
            s.spawn(move || m.clear());
        }
    });
    m.clear();
    m.range(|k, v| panic!("after clear, the map holds ({k}, {v})"));
}

/// Clear on a map whose dirty map holds keys the read map does not (Go
/// 1.23's Clear clears the dirty map in place), then reuse.
#[test]
fn clear_amended_map_then_reuse() {
    let census = Tracker::new();
    let m = SyncMap::new();
    for i in 0..100 {
        m.store(i, census.make(i));
    }
    m.range(|_, _| true); // promote
    for i in 100..200 {
        m.store(i, census.make(i)); // amended: new keys in dirty only
    }
    m.clear();
    for i in 0..200 {
        assert!(m.load(&i).is_none());
    }
    m.store(7, census.make(7));
    assert_eq!(m.load(&7).map(|v| v.id), Some(7));
    drop(m);
    assert_eq!(census.live(), 0);
}

/// Calls nested deeper than a thread's hazard slots (8) fall back to
/// arc-swap guards and stay correct.
#[test]
fn deeply_nested_calls() {
    fn nest(m: &SyncMap<u32, u32>, depth: u32) -> u32 {
        if depth == 0 {
            return m.load(&0).unwrap();
        }
        let mut sum = 0;
        m.range(|&k, &v| {
            if k == depth {
                m.store(100 + depth, v);
                sum = v + nest(m, depth - 1);
            }
            true
        });
        sum
    }
    let m = SyncMap::new();
    for k in 0..=12 {
        m.store(k, k);
    }
    assert_eq!(nest(&m, 12), (0..=12).sum());
    for d in 1..=12 {
        assert_eq!(m.load(&(100 + d)), Some(d));
    }
}

/// `SyncMap` is `Send + Sync` when its keys, values and hasher are.
#[test]
fn send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SyncMap<String, Vec<u8>>>();
    assert_send_sync::<gort_syncmap::SyncSet<String>>();
}
