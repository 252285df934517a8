//! Model test: random sequences of every map operation against
//! `std::collections::HashMap`, with key spaces and lengths that cross
//! several growths (so operations land in the middle of a growth), under the
//! default hasher and under a weak hasher that builds overflow chains. After
//! every operation the results must agree; every few operations the whole
//! table is checked (`debug_check`: tombstone rule, placement of every
//! entry, evacuation state, count) and compared entry by entry.

mod common;

use common::Colliding;
use gort_hmap::{Entry, HMap};
use proptest::prelude::*;
use std::collections::HashMap;
use std::hash::BuildHasher;

#[derive(Clone, Debug)]
enum Op {
    Insert(u16, u32),
    Remove(u16),
    RemoveEntry(u16),
    Get(u16),
    GetKeyValue(u16),
    GetMut(u16, u32),
    EntryOrInsert(u16, u32),
    EntryAndModify(u16),
    EntryRemove(u16),
    EntryInsertEntry(u16, u32),
    Retain(u8, u8),
    Clear,
    Iterate,
    IterMut(u32),
    Drain(u8),
    Clone,
    Reserve(u16),
    ShrinkTo(u16),
    Extend(u16, u8),
}

fn op(keys: u16) -> impl Strategy<Value = Op> {
    let k = move || 0..keys;
    prop_oneof![
        30 => (k(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
        8 => k().prop_map(Op::Remove),
        3 => k().prop_map(Op::RemoveEntry),
        6 => k().prop_map(Op::Get),
        2 => k().prop_map(Op::GetKeyValue),
        3 => (k(), any::<u32>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        6 => (k(), any::<u32>()).prop_map(|(k, v)| Op::EntryOrInsert(k, v)),
        2 => k().prop_map(Op::EntryAndModify),
        3 => k().prop_map(Op::EntryRemove),
        2 => (k(), any::<u32>()).prop_map(|(k, v)| Op::EntryInsertEntry(k, v)),
        1 => (2..8u8, 0..8u8).prop_map(|(m, r)| Op::Retain(m, r)),
        1 => Just(Op::Clear),
        2 => Just(Op::Iterate),
        1 => any::<u32>().prop_map(Op::IterMut),
        1 => any::<u8>().prop_map(Op::Drain),
        1 => Just(Op::Clone),
        1 => (0..600u16).prop_map(Op::Reserve),
        1 => (0..600u16).prop_map(Op::ShrinkTo),
        2 => (k(), any::<u8>()).prop_map(|(k, n)| Op::Extend(k, n)),
    ]
}

fn ops() -> impl Strategy<Value = (u16, Vec<Op>)> {
    prop_oneof![Just(16u16), Just(200), Just(3000)]
        .prop_flat_map(|keys| (Just(keys), prop::collection::vec(op(keys), 1..1200)))
}

fn same<S: BuildHasher>(m: &HMap<u16, u32, S>, model: &HashMap<u16, u32>) {
    m.debug_check().unwrap();
    assert_eq!(m.len(), model.len());
    let mut seen = 0;
    for (k, v) in m {
        assert_eq!(model.get(k), Some(v), "key {k}");
        seen += 1;
    }
    assert_eq!(seen, model.len());
}

fn run<S: BuildHasher + Clone>(mut m: HMap<u16, u32, S>, ops: &[Op]) {
    let mut model: HashMap<u16, u32> = HashMap::new();
    for (n, op) in ops.iter().enumerate() {
        match *op {
            Op::Insert(k, v) => assert_eq!(m.insert(k, v), model.insert(k, v)),
            Op::Remove(k) => assert_eq!(m.remove(&k), model.remove(&k)),
            Op::RemoveEntry(k) => assert_eq!(m.remove_entry(&k), model.remove_entry(&k)),
            Op::Get(k) => {
                assert_eq!(m.get(&k), model.get(&k));
                assert_eq!(m.contains_key(&k), model.contains_key(&k));
            }
            Op::GetKeyValue(k) => assert_eq!(m.get_key_value(&k), model.get_key_value(&k)),
            Op::GetMut(k, v) => {
                if let Some(x) = m.get_mut(&k) {
                    *x = v;
                }
                if let Some(x) = model.get_mut(&k) {
                    *x = v;
                }
            }
            Op::EntryOrInsert(k, v) => {
                assert_eq!(*m.entry(k).or_insert(v), *model.entry(k).or_insert(v))
            }
            Op::EntryAndModify(k) => {
                let a = *m
                    .entry(k)
                    .and_modify(|x| *x = x.wrapping_add(1))
                    .or_default();
                let b = *model
                    .entry(k)
                    .and_modify(|x| *x = x.wrapping_add(1))
                    .or_default();
                assert_eq!(a, b);
            }
            Op::EntryRemove(k) => {
                let a = match m.entry(k) {
                    Entry::Occupied(o) => Some(o.remove_entry()),
                    Entry::Vacant(v) => {
                        assert_eq!(*v.key(), k);
                        None
                    }
                };
                assert_eq!(a, model.remove_entry(&k));
            }
            Op::EntryInsertEntry(k, v) => {
                let e = m.entry(k).insert_entry(v);
                assert_eq!((*e.key(), *e.get()), (k, v));
                model.insert(k, v);
            }
            Op::Retain(md, r) => {
                let keep = |k: &u16, v: &mut u32| {
                    *v = v.wrapping_mul(3);
                    u8::try_from(k % u16::from(md)).unwrap() != r % md
                };
                m.retain(keep);
                model.retain(keep);
            }
            Op::Clear => {
                m.clear();
                model.clear();
            }
            Op::Iterate => same(&m, &model),
            Op::IterMut(add) => {
                for (_, v) in m.iter_mut() {
                    *v = v.wrapping_add(add);
                }
                for v in model.values_mut() {
                    *v = v.wrapping_add(add);
                }
            }
            Op::Drain(take) => {
                let mut d = m.drain();
                assert_eq!(d.len(), model.len());
                for _ in 0..take {
                    match d.next() {
                        Some((k, v)) => assert_eq!(model.get(&k), Some(&v)),
                        None => break,
                    }
                }
                drop(d);
                model.clear();
            }
            Op::Clone => {
                let c = m.clone();
                same(&c, &model);
                m = c;
            }
            Op::Reserve(n) => {
                m.reserve(n.into());
                assert!(m.capacity() >= m.len() + usize::from(n));
            }
            Op::ShrinkTo(n) => {
                m.shrink_to(n.into());
                assert!(m.capacity() >= m.len());
            }
            Op::Extend(start, len) => {
                let items: Vec<(u16, u32)> = (0..u16::from(len))
                    .map(|i| (start.wrapping_add(i), u32::from(i)))
                    .collect();
                m.extend(items.iter().map(|(k, v)| (k, v)));
                model.extend(items);
            }
        }
        assert_eq!(m.len(), model.len(), "after op {n}: {op:?}");
        if n % 16 == 0 {
            same(&m, &model);
        }
    }
    same(&m, &model);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn model_default_hasher((_keys, ops) in ops()) {
        run(HMap::new(), &ops);
    }

    #[test]
    fn model_weak_hasher((_keys, ops) in ops()) {
        run(HMap::with_hasher(Colliding { modulus: 16 }), &ops);
    }
}

/// A long deterministic run that crosses many growths with removals
/// interleaved into each growth, checked throughout.
#[test]
fn long_run_crosses_many_growths() {
    let mut m: HMap<u16, u32> = HMap::new();
    let mut model = HashMap::new();
    let mut growths = 0;
    let mut was_growing = false;
    for i in 0..60_000u32 {
        let k = (i.wrapping_mul(2_654_435_761) >> 16) as u16;
        if i % 3 == 2 {
            assert_eq!(m.remove(&k), model.remove(&k));
        } else {
            assert_eq!(m.insert(k, i), model.insert(k, i));
        }
        let growing = m.debug_stats().growing;
        growths += usize::from(growing && !was_growing);
        was_growing = growing;
        if i % 1000 == 0 {
            same(&m, &model);
        }
    }
    same(&m, &model);
    assert!(growths >= 8, "only {growths} growths");
}
