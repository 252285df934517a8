//! The maps the hmap section compares, behind one trait: gort-hmap (ahash,
//! its default), std's `HashMap` with SipHash (its default) and with ahash,
//! hashbrown with ahash, and griddle with ahash (hashbrown with incremental
//! resizing; a peer of the latency table only).

use std::hash::Hash;

/// What the workloads do to a map.
pub trait BenchMap<K>: Clone {
    /// The row name in the report.
    const NAME: &'static str;
    /// An empty map.
    fn new() -> Self;
    /// Inserts (or updates) `k`.
    fn insert(&mut self, k: K, v: u64);
    /// The value of `k`.
    fn get(&self, k: &K) -> Option<u64>;
    /// Removes `k`.
    fn remove(&mut self, k: &K) -> Option<u64>;
    /// Visits up to `n` entries; returns how many it saw and their sum.
    fn visit(&self, n: u64) -> (u64, u64);
}

macro_rules! bench_map {
    ($name:ident, $row:literal, $map:ty, $new:expr) => {
        #[doc = concat!("`", stringify!($map), "`.")]
        pub struct $name<K>($map);

        impl<K> std::fmt::Debug for $name<K> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($row)
            }
        }

        impl<K: Hash + Eq + Clone> Clone for $name<K> {
            fn clone(&self) -> Self {
                $name(self.0.clone())
            }
        }

        impl<K: Hash + Eq + Clone> BenchMap<K> for $name<K> {
            const NAME: &'static str = $row;

            fn new() -> Self {
                $name($new)
            }

            #[inline]
            fn insert(&mut self, k: K, v: u64) {
                self.0.insert(k, v);
            }

            #[inline]
            fn get(&self, k: &K) -> Option<u64> {
                self.0.get(k).copied()
            }

            #[inline]
            fn remove(&mut self, k: &K) -> Option<u64> {
                self.0.remove(k)
            }

            fn visit(&self, n: u64) -> (u64, u64) {
                self.0
                    .iter()
                    .take(n as usize)
                    .fold((0, 0), |(c, s), (_, v)| (c + 1, s.wrapping_add(*v)))
            }
        }
    };
}

bench_map!(Gort, "gort", gort_hmap::HMap<K, u64>, gort_hmap::HMap::new());
bench_map!(StdSip, "std", std::collections::HashMap<K, u64>, std::collections::HashMap::new());
bench_map!(
    StdAhash,
    "std+ahash",
    std::collections::HashMap<K, u64, ahash::RandomState>,
    std::collections::HashMap::with_hasher(ahash::RandomState::new())
);
bench_map!(
    Hashbrown,
    "hashbrown+ahash",
    hashbrown::HashMap<K, u64, ahash::RandomState>,
    hashbrown::HashMap::with_hasher(ahash::RandomState::new())
);
bench_map!(
    Griddle,
    "griddle+ahash",
    griddle::HashMap<K, u64, ahash::RandomState>,
    griddle::HashMap::with_hasher(ahash::RandomState::new())
);
