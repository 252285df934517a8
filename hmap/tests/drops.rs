//! Drop accounting: every key and value that enters a map or set is dropped
//! exactly once, whichever way it leaves (replaced, removed, retained away,
//! drained, iterated out, cleared, or dropped with the map), including maps
//! caught in the middle of a growth and maps whose iterators stop early.

mod common;

use common::{Obj, Tracker};
use gort_hmap::{Entry, HMap, HSet};
use std::rc::Rc;

/// A map of `n` tracked entries inserted one by one, left mid-growth if `n`
/// ends inside one.
fn tracked(t: &Rc<Tracker>, n: u64) -> HMap<Obj, Obj> {
    let mut m = HMap::new();
    for i in 0..n {
        m.insert(t.obj(i), t.obj(i));
    }
    m
}

#[test]
fn every_way_out_drops_once() {
    for n in [0u64, 1, 8, 9, 27, 60, 105, 500] {
        let t = Tracker::new();
        {
            let mut m = tracked(&t, n);
            // Replacing a value returns the old one; the new key is dropped.
            for i in 0..n / 2 {
                let old = m.insert(t.obj(i), t.obj(i + 1000)).unwrap();
                assert_eq!(old.value, i);
            }
            m.remove(&t.obj(0));
            m.remove_entry(&t.obj(1));
            if let Entry::Occupied(o) = m.entry(t.obj(2)) {
                o.remove_entry();
            }
            if let Entry::Occupied(mut o) = m.entry(t.obj(3)) {
                o.insert(t.obj(7));
            }
            m.entry(t.obj(n + 1)).or_insert_with(|| t.obj(0));
            m.retain(|k, _| k.value % 5 != 0);
            let c = m.clone();
            let mut it = c.into_iter();
            it.next();
            drop(it);
            let keys: Vec<Obj> = m.clone().into_keys().take(3).collect();
            let vals: Vec<Obj> = m.clone().into_values().collect();
            drop((keys, vals));
            let mut d = m.drain();
            d.next();
            drop(d);
            let mut m2 = tracked(&t, n);
            m2.clear();
            let m3 = tracked(&t, n);
            let mut m4 = tracked(&t, n);
            m4.reserve(1000);
            m4.shrink_to_fit();
            drop((m, m2, m3, m4));
        }
        t.assert_all_dropped_once();
        assert!(t.created() >= 4 * n);
    }
}

#[test]
fn set_ways_out_drop_once() {
    let t = Tracker::new();
    {
        let mut s: HSet<Obj> = HSet::new();
        for i in 0..200 {
            s.insert(t.obj(i));
        }
        assert!(!s.insert(t.obj(5)));
        let old = s.replace(t.obj(6)).unwrap();
        assert_eq!(old.value, 6);
        assert_eq!(s.take(&t.obj(7)).unwrap().value, 7);
        assert!(s.remove(&t.obj(8)));
        s.retain(|x| x.value % 3 != 0);
        let other: HSet<Obj> = (100..300).map(|i| t.obj(i)).collect();
        let union = &s | &other;
        let inter = &s & &other;
        let sym = &s ^ &other;
        let diff = &s - &other;
        assert_eq!(union.len(), s.len() + other.len() - inter.len());
        assert_eq!(sym.len(), union.len() - inter.len());
        assert_eq!(diff.len(), s.len() - inter.len());
        let mut d = s.drain();
        d.next();
        drop(d);
        let v: Vec<Obj> = other.clone().into_iter().take(5).collect();
        drop((v, union, inter, sym, diff, other, s));
    }
    t.assert_all_dropped_once();
}

/// Keys and values over 128 bytes live behind pointers (Go's indirect
/// slots): every way out frees them exactly once too.
#[test]
fn indirect_entries_drop_once() {
    #[derive(Clone, PartialEq, Eq, Hash, Debug)]
    struct Big(Obj, [u64; 20]);
    let t = Tracker::new();
    {
        let big = |i: u64| Big(t.obj(i), [i; 20]);
        let mut m: HMap<Big, Big> = HMap::new();
        for i in 0..300 {
            m.insert(big(i), big(i));
        }
        m.debug_check().unwrap();
        assert_eq!(m.insert(big(5), big(500)).unwrap().1, [5; 20]);
        assert_eq!(m.get(&big(5)).unwrap().1, [500; 20]);
        m.remove(&big(6));
        m.retain(|k, _| k.1[0] % 7 != 0);
        let c = m.clone();
        assert_eq!(c.len(), m.len());
        let mut it = c.into_iter();
        it.next();
        drop(it);
        let mut d = m.drain();
        d.next();
        drop(d);
        for i in 0..100 {
            m.insert(big(i), big(i));
        }
        m.shrink_to_fit();
        m.debug_check().unwrap();
    }
    t.assert_all_dropped_once();
}

/// Zero-sized keys and values with destructors are accounted for too.
#[test]
fn zero_sized_entries_with_destructors() {
    use std::cell::Cell;
    thread_local!(static DROPS: Cell<usize> = const { Cell::new(0) });
    #[derive(PartialEq, Eq, Hash)]
    struct Zst;
    impl Drop for Zst {
        fn drop(&mut self) {
            DROPS.with(|d| d.set(d.get() + 1));
        }
    }
    {
        let mut m: HMap<u32, Zst> = HMap::new();
        for i in 0..100 {
            m.insert(i, Zst);
        }
        let mut s: HMap<Zst, Zst> = HMap::new();
        s.insert(Zst, Zst); // 2 made
        s.insert(Zst, Zst); // replaced value returned and dropped, new key dropped
        assert_eq!(DROPS.with(Cell::get), 2);
    }
    assert_eq!(DROPS.with(Cell::get), 100 + 4);
}
