//! Incremental growth, checked deterministically through the evacuation
//! counter (a test hook): no single insert or remove moves more than two old
//! buckets, every old bucket is moved exactly once per growth, a growth of
//! `n` old buckets ends within `n` writes, and no write does more than one
//! step of page work (`tests/paging.rs` tests that work itself).

use gort_hmap::{Entry, HMap};

/// A map of keys `0..n` inserted one by one (so it grows as they come;
/// `collect` would size it up front).
fn filled(n: u64) -> HMap<u64, u64> {
    let mut m = HMap::new();
    for i in 0..n {
        m.insert(i, i);
    }
    m
}

/// Tracks one map's growths and checks the per-operation bounds.
struct Watch {
    evacuations: u64,
    /// Page steps (populate + release) done so far.
    page_steps: u64,
    /// Evacuations when the growth in progress started, and its old bucket
    /// count (`None` if the watch began in the middle of it).
    growth_start: Option<Option<(u64, usize)>>,
    growths: usize,
    writes_in_growth: usize,
}

impl Watch {
    fn new() -> Self {
        Watch {
            evacuations: 0,
            page_steps: 0,
            growth_start: None,
            growths: 0,
            writes_in_growth: 0,
        }
    }

    /// A watch on a map that may be in the middle of a growth already.
    fn attach<K, V, S>(m: &HMap<K, V, S>) -> Self {
        let st = m.debug_stats();
        Watch {
            evacuations: st.evacuations,
            page_steps: st.populate_steps + st.release_steps,
            growth_start: st.growing.then_some(None),
            growths: 0,
            writes_in_growth: 0,
        }
    }

    /// Call after every write.
    fn after_write<K, V, S>(&mut self, m: &HMap<K, V, S>) {
        let st = m.debug_stats();
        let moved = st.evacuations - self.evacuations;
        assert!(moved <= 2, "one write evacuated {moved} old buckets");
        self.evacuations = st.evacuations;
        let steps = st.populate_steps + st.release_steps;
        assert!(
            steps - self.page_steps <= 1,
            "one write did {} page steps",
            steps - self.page_steps
        );
        self.page_steps = steps;
        match (self.growth_start, st.growing) {
            (None, true) => {
                let old = if st.same_size_grow {
                    1usize << st.b
                } else {
                    1 << (st.b - 1)
                };
                self.growth_start = Some(Some((st.evacuations - moved, old)));
                self.writes_in_growth = 1;
            }
            (Some(_), true) => self.writes_in_growth += 1,
            (Some(start), false) => {
                self.writes_in_growth += 1;
                if let Some((start, old)) = start {
                    assert_eq!(
                        st.evacuations - start,
                        old as u64,
                        "each old bucket moves exactly once"
                    );
                    assert!(
                        self.writes_in_growth <= old,
                        "{} writes for {old} old buckets",
                        self.writes_in_growth
                    );
                }
                self.growth_start = None;
                self.growths += 1;
            }
            // A growth of one old bucket starts and ends within one write.
            (None, false) => self.growths += usize::from(moved > 0),
        }
    }
}

#[test]
fn no_write_evacuates_more_than_two_buckets() {
    let mut m: HMap<u64, u64> = HMap::new();
    let mut w = Watch::new();
    for i in 0..200_000u64 {
        m.insert(i, i);
        w.after_write(&m);
        if i % 4 == 3 {
            m.remove(&(i / 2));
            w.after_write(&m);
        }
    }
    assert!(w.growths >= 14, "{} growths", w.growths);
    assert!(w.page_steps > 0, "the largest arrays are paged");
    m.debug_check().unwrap();
}

#[test]
fn removes_during_growth_evacuate_too() {
    let mut m = filled(53);
    let mut w = Watch::attach(&m);
    // The 53rd entry started a growth from 8 to 16 buckets; removes finish it.
    assert!(m.debug_stats().growing);
    let mut i = 0;
    while m.debug_stats().growing {
        assert_eq!(m.remove(&i), Some(i));
        w.after_write(&m);
        i += 1;
    }
    assert!(i <= 8);
    m.debug_check().unwrap();
}

#[test]
fn updates_and_entries_do_growth_work() {
    let mut m = filled(105);
    assert!(m.debug_stats().growing);
    let mut w = Watch::attach(&m);
    let mut i = 0;
    while m.debug_stats().growing {
        // Updates of present keys and entry lookups are writes in Go too.
        if i % 2 == 0 {
            assert_eq!(m.insert(i, i + 1), Some(i));
        } else {
            *m.entry(i).or_insert(0) += 1;
        }
        w.after_write(&m);
        i += 1;
    }
    m.debug_check().unwrap();
    assert!(m.iter().all(|(k, v)| *v == k + u64::from(*k < i)));
}

/// Reads never move buckets, even `get_mut`.
#[test]
fn reads_do_no_growth_work() {
    let mut m = filled(27);
    let st = m.debug_stats();
    assert!(st.growing);
    for i in 0..100 {
        m.get(&i);
        m.contains_key(&i);
        if let Some(v) = m.get_mut(&i) {
            *v += 1;
        }
        assert_eq!(m.iter().count(), 27);
    }
    assert_eq!(m.debug_stats(), st);
}

/// A vacant entry for the key that overloads the map starts the growth
/// (Go's `hashGrow` + `goto again` in `mapassign`) and the entry lands in
/// the right bucket of the new array.
#[test]
fn vacant_entry_insert_that_starts_a_growth() {
    for threshold in [8u64, 13, 26, 52, 104, 208, 416, 832] {
        let mut m: HMap<u64, u64> = HMap::new();
        for i in 0..threshold {
            m.insert(i, i);
        }
        // Finish any growth left from the fill.
        let mut j = 0;
        while m.debug_stats().growing {
            m.insert(j, j);
            j += 1;
        }
        let before = m.debug_stats();
        assert!(!before.growing);
        match m.entry(threshold) {
            Entry::Vacant(v) => {
                assert_eq!(*v.insert(7), 7);
            }
            Entry::Occupied(_) => unreachable!(),
        }
        let after = m.debug_stats();
        assert_eq!(
            after.b,
            before.b + 1,
            "threshold {threshold}: the entry doubled the table"
        );
        assert_eq!(m.get(&threshold), Some(&7));
        m.debug_check().unwrap();
        assert_eq!(m.len() as u64, threshold + 1);
    }
}

/// The same through `insert_entry` and `or_insert_with`, and an entry
/// dropped without inserting leaves a valid (growing) map.
#[test]
fn abandoned_vacant_entry_leaves_a_valid_map() {
    let mut m: HMap<u64, u64> = (0..8).map(|i| (i, i)).collect();
    assert!(!m.debug_stats().growing);
    match m.entry(100) {
        Entry::Vacant(v) => assert_eq!(v.into_key(), 100),
        Entry::Occupied(_) => unreachable!(),
    }
    m.debug_check().unwrap();
    assert_eq!(m.len(), 8);
    let e = m.entry(100).insert_entry(1);
    assert_eq!(*e.get(), 1);
    m.debug_check().unwrap();
    assert_eq!(*m.entry(101).or_insert_with(|| 2), 2);
    m.debug_check().unwrap();
    assert_eq!(m.len(), 10);
}

/// Lookups during a growth find entries in old buckets not yet evacuated
/// and in new ones.
#[test]
fn lookups_during_growth() {
    let mut m: HMap<u64, u64> = HMap::new();
    for i in 0..5000u64 {
        m.insert(i, i * 3);
        if m.debug_stats().growing && i % 7 == 0 {
            for k in 0..=i {
                assert_eq!(m.get(&k), Some(&(k * 3)));
            }
            assert_eq!(m.get(&(i + 1)), None);
        }
    }
}

/// Clear keeps `B`, ends any growth and reseeds; clone, reserve and shrink
/// work in the middle of a growth.
#[test]
fn structural_operations_mid_growth() {
    let mut m = filled(105);
    assert!(m.debug_stats().growing);
    let c = m.clone();
    assert_eq!(c.debug_stats().growing, m.debug_stats().growing);
    c.debug_check().unwrap();
    assert_eq!(c, m);

    let mut r = m.clone();
    r.reserve(10_000);
    assert!(!r.debug_stats().growing);
    r.debug_check().unwrap();
    assert_eq!(r, m);

    let mut s = m.clone();
    s.shrink_to_fit();
    assert!(!s.debug_stats().growing);
    s.debug_check().unwrap();
    assert_eq!(s, m);

    let b = m.debug_stats().b;
    m.clear();
    let st = m.debug_stats();
    assert_eq!((st.b, st.growing, st.count), (b, false, 0));
    m.debug_check().unwrap();
    m.extend((0..50).map(|i| (i, i)));
    m.debug_check().unwrap();
}

/// `capacity` is Go's threshold: a map holds `capacity()` entries without
/// starting a doubling.
#[test]
fn capacity_is_the_doubling_threshold() {
    for n in [1usize, 8, 9, 13, 14, 100, 1000, 5000] {
        let mut m: HMap<usize, usize> = HMap::with_capacity(n);
        let cap = m.capacity();
        assert!(cap >= n);
        for i in 0..cap {
            m.insert(i, i);
        }
        let b = m.debug_stats().b;
        assert!(!m.debug_stats().growing, "n={n}");
        m.insert(cap, cap);
        assert_eq!(m.debug_stats().b, b + 1, "n={n}");
    }
}
