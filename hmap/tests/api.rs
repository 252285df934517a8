//! std-compatibility of the API: trait impls, auto traits, variance,
//! borrowed lookups, iterator lengths, and the panics the docs promise.

use gort_hmap::hash_map::{self, Entry};
use gort_hmap::{HMap, HSet, TryReserveError};
use std::collections::HashMap;
use std::rc::Rc;

fn is_send_sync<T: Send + Sync>() {}
fn is_send<T: Send>() {}

#[test]
fn auto_traits_follow_the_contents() {
    is_send_sync::<HMap<String, Vec<u8>>>();
    is_send_sync::<HSet<String>>();
    is_send_sync::<hash_map::Iter<'static, String, u8>>();
    is_send_sync::<hash_map::IterMut<'static, String, u8>>();
    is_send_sync::<hash_map::IntoIter<String, u8>>();
    is_send_sync::<hash_map::Drain<'static, String, u8>>();
    is_send_sync::<hash_map::Keys<'static, String, u8>>();
    is_send_sync::<Entry<'static, String, u8>>();
    is_send::<HMap<String, std::cell::Cell<u8>>>();
}

#[test]
fn rc_keys_compile() {
    let mut m: HMap<Rc<str>, u8> = HMap::new();
    m.insert("a".into(), 1);
    assert_eq!(m.get("a"), Some(&1));
}

/// The map is covariant in its key and value types, as std's.
#[test]
fn covariance() {
    fn shorten<'a>(m: HMap<&'static str, &'static str>) -> HMap<&'a str, &'a str> {
        m
    }
    fn shorten_iter<'a, 'b>(
        i: hash_map::Iter<'b, &'static str, u8>,
    ) -> hash_map::Iter<'b, &'a str, u8> {
        i
    }
    assert_eq!(shorten(HMap::from([("a", "b")])).len(), 1);
    let m: HMap<&'static str, u8> = HMap::from([("a", 1)]);
    assert_eq!(shorten_iter(m.iter()).count(), 1);
}

#[test]
fn drop_in_for_std() {
    // The same code against both maps.
    fn exercise<M>(
        mut m: M,
        insert: impl Fn(&mut M, String, u32),
        get: impl Fn(&M, &str) -> Option<u32>,
    ) {
        insert(&mut m, "a".into(), 1);
        insert(&mut m, "b".into(), 2);
        assert_eq!(get(&m, "a"), Some(1));
        assert_eq!(get(&m, "z"), None);
    }
    exercise(
        HashMap::new(),
        |m, k, v| {
            m.insert(k, v);
        },
        |m, k| m.get(k).copied(),
    );
    exercise(
        HMap::new(),
        |m, k, v| {
            m.insert(k, v);
        },
        |m, k| m.get(k).copied(),
    );
}

#[test]
fn debug_formats_like_std() {
    let m = HMap::from([(1, "one")]);
    assert_eq!(format!("{m:?}"), r#"{1: "one"}"#);
    let s = HSet::from([2]);
    assert_eq!(format!("{s:?}"), "{2}");
    assert_eq!(format!("{:?}", m.keys()), "[1]");
    assert_eq!(format!("{:?}", m.values()), r#"["one"]"#);
    assert_eq!(format!("{:?}", m.iter()), r#"[(1, "one")]"#);
    let mut m2 = m.clone();
    assert_eq!(format!("{:?}", m2.iter_mut()), r#"[(1, "one")]"#);
    assert_eq!(
        format!("{:?}", m2.entry(1)),
        r#"Entry(OccupiedEntry { key: 1, value: "one" })"#
    );
    assert_eq!(format!("{:?}", m2.entry(2)), "Entry(VacantEntry(2))");
    assert_eq!(format!("{:?}", m2.drain()), r#"[(1, "one")]"#);
    assert_eq!(format!("{:?}", m.clone().into_iter()), r#"[(1, "one")]"#);
    assert_eq!(
        format!("{:?}", TryReserveError::CapacityOverflow),
        "CapacityOverflow"
    );
    assert!(
        TryReserveError::CapacityOverflow
            .to_string()
            .contains("capacity")
    );
}

#[test]
fn equality_ignores_order_and_growth_state() {
    let a: HMap<u32, u32> = (0..1000).map(|i| (i, i)).collect();
    let mut b: HMap<u32, u32> = HMap::new();
    for i in (0..1000).rev() {
        b.insert(i, i);
    }
    assert_eq!(a, b);
    b.insert(5, 6);
    assert_ne!(a, b);
    b.remove(&5);
    assert_ne!(a, b);
    let sa: HSet<u32> = (0..10).collect();
    let sb: HSet<u32> = (0..10).rev().collect();
    assert_eq!(sa, sb);
}

#[test]
#[should_panic(expected = "no entry found for key")]
fn index_panics_on_a_missing_key() {
    let m: HMap<u32, u32> = HMap::new();
    let _ = m[&1];
}

#[test]
#[should_panic(expected = "capacity overflow")]
fn reserve_panics_on_overflow() {
    let mut m: HMap<u32, u32> = HMap::from([(1, 1)]);
    m.reserve(usize::MAX);
}

#[test]
fn iterators_have_exact_lengths_and_defaults() {
    let mut m: HMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    let mut it = m.iter();
    assert_eq!(it.len(), 100);
    it.next();
    assert_eq!(it.size_hint(), (99, Some(99)));
    assert_eq!(m.keys().len(), 100);
    assert_eq!(m.values_mut().len(), 100);
    assert_eq!(m.clone().into_keys().len(), 100);
    let mut d = m.drain();
    d.next();
    assert_eq!(d.len(), 99);
    drop(d);
    assert_eq!(hash_map::Iter::<u8, u8>::default().count(), 0);
    assert_eq!(hash_map::IntoIter::<u8, u8>::default().count(), 0);
    assert_eq!(hash_map::Values::<u8, u8>::default().count(), 0);
}

#[test]
fn extend_and_from_iter() {
    let src = [(1u8, 10u8), (2, 20)];
    let mut m: HMap<u8, u8> = HMap::new();
    m.extend(src.iter().map(|(k, v)| (k, v)));
    m.extend([(3, 30)]);
    assert_eq!(m.len(), 3);
    let mut s: HSet<u8> = HSet::new();
    s.extend([1u8, 2].iter());
    s.extend([3u8]);
    assert_eq!(s.len(), 3);
    let d: HMap<u8, u8> = HMap::default();
    assert!(d.is_empty());
}

#[test]
fn borrowed_keys() {
    let mut m: HMap<String, u32> = HMap::new();
    m.insert("key".to_string(), 1);
    assert!(m.contains_key("key"));
    assert_eq!(m.get_key_value("key"), Some((&"key".to_string(), &1)));
    *m.get_mut("key").unwrap() += 1;
    assert_eq!(m.remove("key"), Some(2));
    let mut v: HMap<Vec<u8>, ()> = HMap::new();
    v.insert(vec![1, 2], ());
    assert!(v.contains_key(&[1u8, 2][..]));
}

#[test]
fn set_algebra_matches_std() {
    use std::collections::HashSet;
    let a: Vec<u32> = (0..300).filter(|x| x % 3 == 0).collect();
    let b: Vec<u32> = (0..300).filter(|x| x % 5 == 0).collect();
    let (ga, gb): (HSet<u32>, HSet<u32>) =
        (a.iter().copied().collect(), b.iter().copied().collect());
    let (sa, sb): (HashSet<u32>, HashSet<u32>) =
        (a.iter().copied().collect(), b.iter().copied().collect());
    let sorted = |it: &mut dyn Iterator<Item = &u32>| {
        let mut v: Vec<u32> = it.copied().collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&mut ga.union(&gb)), sorted(&mut sa.union(&sb)));
    assert_eq!(
        sorted(&mut ga.intersection(&gb)),
        sorted(&mut sa.intersection(&sb))
    );
    assert_eq!(
        sorted(&mut ga.difference(&gb)),
        sorted(&mut sa.difference(&sb))
    );
    assert_eq!(
        sorted(&mut ga.symmetric_difference(&gb)),
        sorted(&mut sa.symmetric_difference(&sb))
    );
    assert_eq!(ga.is_disjoint(&gb), sa.is_disjoint(&sb));
    assert!(!ga.is_subset(&gb));
    let small: HSet<u32> = [0, 15].into_iter().collect();
    assert!(small.is_subset(&ga) && small.is_subset(&gb) && ga.is_superset(&small));
    assert_eq!(ga.get(&3), Some(&3));
    assert_eq!(
        format!("{:?}", small.intersection(&HSet::from([15]))),
        "[15]"
    );
}

#[test]
fn with_capacity_and_shrink() {
    let mut m: HMap<u64, u64> = HMap::with_capacity(10_000);
    assert!(m.capacity() >= 10_000);
    m.insert(1, 1);
    m.shrink_to_fit();
    assert!(m.capacity() < 100);
    m.remove(&1);
    m.shrink_to_fit();
    assert_eq!(m.capacity(), 0);
    assert!(!m.debug_stats().allocated);
    m.insert(2, 2);
    assert_eq!(m[&2], 2);
    assert_eq!(
        m.try_reserve(usize::MAX),
        Err(TryReserveError::CapacityOverflow)
    );
}
