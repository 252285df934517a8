//! Page work on large bucket arrays, through the table's test hooks: the
//! next doubling's array is fully populated before the doubling takes it,
//! every step of an old array is given back exactly once and then the array
//! is freed, no write does more than one step, and nothing reads a bucket
//! that was given back (lookups, iteration, clone, retain, remove, clear
//! and drop in the middle of a growth and of a release).
//!
//! Values of 128 bytes (the largest stored inline, as in Go) make buckets
//! of 1104 bytes, so arrays reach the paged size (2 MiB) at a few thousand
//! entries and the release-behind-the-mark steps (4 MiB) at 50 thousand.

use gort_hmap::HMap;

type Val = [u8; 128];

fn val(i: u64) -> Val {
    let mut v = [0u8; 128];
    v[..8].copy_from_slice(&i.to_le_bytes());
    v[120..].copy_from_slice(&(!i).to_le_bytes());
    v
}

/// Follows one map's page work across writes and checks it.
#[derive(Default)]
struct PageWatch {
    populate_steps: u64,
    release_steps: u64,
    /// Doublings that took a reserve, and growths whose old array retired.
    reserves_taken: usize,
    arrays_retired: usize,
    arrays_freed: usize,
    released_behind_mark: usize,
    last: Option<gort_hmap::Stats>,
}

impl PageWatch {
    fn after_write<K, V, S>(&mut self, m: &HMap<K, V, S>) {
        let st = m.debug_stats();
        let populated = st.populate_steps - self.populate_steps;
        let released = st.release_steps - self.release_steps;
        assert!(
            populated + released <= 1,
            "{populated} + {released} steps in one write"
        );
        if let Some(before) = self.last {
            if !before.growing && st.growing && st.b == before.b + 1 {
                // A doubling: it took a reserve, if there was one, complete.
                if let Some((done, total)) = before.reserve {
                    assert_eq!(done, total, "the doubling's array is fully populated");
                    assert!(st.reserve.is_none());
                    self.reserves_taken += 1;
                }
            }
            if let (true, false, Some((done, total))) = (before.growing, st.growing, st.retiring) {
                assert_eq!(done, before.old_released);
                assert!(
                    done < total,
                    "the array's end is given back after the growth"
                );
                self.arrays_retired += 1;
            }
            if let (Some((done, total)), None) = (before.retiring, st.retiring) {
                assert_eq!(done + 1, total, "every step given back before the free");
                assert_eq!(released, 1);
                self.arrays_freed += 1;
            }
            if let (Some((done, _)), Some((now, _))) = (before.retiring, st.retiring) {
                assert_eq!(now - done, released as usize, "steps go one by one");
            }
            if st.growing && st.old_released > before.old_released {
                assert_eq!(st.old_released, before.old_released + 1);
                self.released_behind_mark += 1;
            }
            if let (Some((was, _)), Some((now, total))) = (before.reserve, st.reserve) {
                assert_eq!(now - was, populated as usize);
                assert!(now <= total);
            }
        }
        self.populate_steps = st.populate_steps;
        self.release_steps = st.release_steps;
        self.last = Some(st);
    }
}

/// Every key `0..n` is found with its value, one more is not, and
/// iteration produces exactly `n` entries.
fn check_contents(m: &HMap<u64, Val>, n: u64, stride: u64) {
    for k in (0..n).step_by(stride as usize) {
        assert_eq!(m.get(&k), Some(&val(k)), "key {k} of {n}");
    }
    assert_eq!(m.get(&n), None);
    assert_eq!(m.iter().count() as u64, n);
}

#[test]
#[cfg_attr(miri, ignore = "builds maps of tens of megabytes")]
fn growth_populates_ahead_and_releases_behind() {
    let mut m: HMap<u64, Val> = HMap::new();
    let mut w = PageWatch::default();
    let n = 120_000u64;
    for i in 0..n {
        m.insert(i, val(i));
        w.after_write(&m);
        let st = m.debug_stats();
        if st.growing && st.old_released > 0 && i % 1024 == 0 {
            // Released old buckets are below the mark and never read.
            check_contents(&m, i + 1, 97);
        }
    }
    // Writes (updates of present keys) give the last old array back.
    let mut k = 0;
    while m.debug_stats().retiring.is_some() || m.debug_stats().growing {
        m.insert(k, val(k));
        w.after_write(&m);
        k += 1;
    }
    m.debug_check().unwrap();
    check_contents(&m, n, 1);
    assert!(w.reserves_taken >= 3, "{} reserves", w.reserves_taken);
    assert!(w.arrays_retired >= 3, "{} retired", w.arrays_retired);
    assert_eq!(w.arrays_freed, w.arrays_retired);
    assert!(w.released_behind_mark > 0);
}

/// Runs `f` on a map stopped in the middle of a growth whose old array has
/// steps given back already.
fn mid_release(f: impl FnOnce(HMap<u64, Val>, u64)) {
    let mut m: HMap<u64, Val> = HMap::new();
    let mut i = 0;
    loop {
        m.insert(i, val(i));
        i += 1;
        let st = m.debug_stats();
        if st.growing && st.old_released >= 2 {
            break;
        }
    }
    f(m, i);
}

#[test]
#[cfg_attr(miri, ignore = "builds maps of tens of megabytes")]
fn clone_of_a_map_with_released_buckets() {
    mid_release(|mut m, n| {
        let c = m.clone();
        c.debug_check().unwrap();
        check_contents(&c, n, 1);
        assert!(c == m);
        // Both go on growing independently; the copy gives back its own
        // old array (a fresh one, all of it below the mark) as it goes.
        let mut c = c;
        let released = c.debug_stats().release_steps;
        for k in n..n + 20_000 {
            c.insert(k, val(k));
            m.insert(k, val(k));
        }
        assert!(c.debug_stats().release_steps > released);
        c.debug_check().unwrap();
        assert!(c == m);
    });
}

#[test]
#[cfg_attr(miri, ignore = "builds maps of tens of megabytes")]
fn structural_operations_with_released_buckets() {
    mid_release(|mut m, n| {
        m.retain(|k, _| k % 3 != 0);
        m.debug_check().unwrap();
        assert_eq!(m.len() as u64, n - n.div_ceil(3));
        for k in 0..n {
            assert_eq!(m.get(&k).is_some(), k % 3 != 0);
        }
        for k in (1..n).step_by(3) {
            assert_eq!(m.remove(&k), Some(val(k)));
        }
        m.debug_check().unwrap();
        let left: u64 = m.keys().map(|k| k % 3).sum();
        assert_eq!(left as usize, 2 * m.len());
    });
    mid_release(|mut m, _| {
        m.clear();
        m.debug_check().unwrap();
        assert!(m.is_empty());
        let st = m.debug_stats();
        assert!(!st.growing && st.retiring.is_none() && st.reserve.is_none());
        m.extend((0..1000).map(|k| (k, val(k))));
        check_contents(&m, 1000, 1);
    });
    mid_release(|mut m, n| {
        m.shrink_to_fit();
        m.debug_check().unwrap();
        check_contents(&m, n, 1);
    });
    mid_release(|m, n| {
        let mut drained: Vec<u64> = m.into_iter().map(|(k, _)| k).collect();
        drained.sort_unstable();
        assert!(drained.into_iter().eq(0..n));
    });
}

/// A map dropped, cleared or shrunk while an array retires or a reserve is
/// populated frees both (checked for leaks by the sanitizer runs).
#[test]
#[cfg_attr(miri, ignore = "builds maps of tens of megabytes")]
fn paging_state_is_freed_on_clear_and_drop() {
    let mut m: HMap<u64, Val> = HMap::new();
    let mut i = 0;
    while m.debug_stats().retiring.is_none() {
        m.insert(i, val(i));
        i += 1;
    }
    let retiring = m.clone();
    assert!(
        retiring.debug_stats().retiring.is_none(),
        "a clone has no old array"
    );
    drop(m);
    let mut m: HMap<u64, Val> = HMap::new();
    let mut i = 0;
    while !matches!(m.debug_stats().reserve, Some((done, _)) if done >= 1) {
        m.insert(i, val(i));
        i += 1;
    }
    let mut c = m.clone();
    drop(m);
    // A clone starts without a reserve and populates its own.
    let mut j = i;
    while c.debug_stats().reserve.is_none() {
        c.insert(j, val(j));
        j += 1;
    }
    c.clear();
    assert!(c.debug_stats().reserve.is_none());
    check_contents(&retiring, retiring.len() as u64, 1);
}
