//! [`HMap`]: the public face of the table, with std's `HashMap` API.

use crate::entry::{Entry, OccupiedEntry, VacantEntry};
use crate::error::TryReserveError;
use crate::hash::make_hash;
use crate::iter::{IntoKeys, IntoValues, Keys, Values, ValuesMut};
use crate::raw::{Drain, IntoIter, Iter, IterMut, RawEntry, RawTable, Stats};
use ahash::RandomState;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::Index;

/// Go's classic map (runtime/map.go, go1.23) with std's `HashMap` API.
///
/// Entries live in buckets of 8 slots with one tophash byte each, chained
/// through overflow buckets; the table doubles when the average load passes
/// 6.5 entries per bucket, and the growth is incremental: each insert or
/// remove moves at most two old buckets into the new array, so no single
/// operation pays for rehashing the whole map. Iteration starts at a random
/// bucket and offset, so two iterations of one map may see different orders:
/// never pair up `keys()` and `values()` by position, use
/// [`iter`](Self::iter).
///
/// The hasher `S` is any [`BuildHasher`]; the default is
/// [`ahash::RandomState`], keyed per map. On top of it every map has a
/// random seed (Go's `hash0`), drawn anew by [`clear`](Self::clear) and when
/// a removal empties the map.
///
/// Differences from std's `HashMap` that a user can observe: iteration order
/// changes from one iteration to the next; `capacity` counts what fits before
/// the next doubling (overflow buckets may still be allocated below it);
/// [`reserve`](Self::reserve) and [`shrink_to`](Self::shrink_to) on a
/// non-empty map rebuild it at once (O(n)), while growth by inserting is
/// incremental; the map never shrinks by itself (as Go's).
///
/// ```
/// use gort_hmap::HMap;
///
/// let mut ages = HMap::new();
/// ages.insert("gopher", 14);
/// ages.insert("ferris", 9);
/// *ages.entry("ferris").or_insert(0) += 1;
/// assert_eq!(ages["ferris"], 10);
/// assert_eq!(ages.remove("gopher"), Some(14));
/// assert_eq!(ages.len(), 1);
/// ```
///
/// Go detects a write during an iteration at run time ("concurrent map
/// iteration and map write"); here the borrow checker rejects it:
///
/// ```compile_fail
/// use gort_hmap::HMap;
///
/// let mut m: HMap<u32, u32> = (0..10).map(|i| (i, i)).collect();
/// for (k, _) in m.iter() {
///     m.insert(k + 100, 0); // error: `m` is borrowed by the iteration
/// }
/// ```
pub struct HMap<K, V, S = RandomState> {
    table: RawTable<K, V>,
    hash_builder: S,
}

impl<K, V> HMap<K, V, RandomState> {
    /// An empty map; it allocates nothing until the first insert.
    /// Port of `makemap_small`.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m: HMap<u8, u8> = HMap::new();
    /// assert_eq!(m.capacity(), 0);
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }

    /// An empty map with room for `capacity` entries before its first
    /// doubling. Port of `makemap`: like Go, a capacity whose bucket memory
    /// cannot exist in the address space is ignored rather than refused.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m: HMap<u8, u8> = HMap::with_capacity(100);
    /// assert!(m.capacity() >= 100);
    /// let bogus: HMap<u8, u8> = HMap::with_capacity(usize::MAX); // Go's TestIgnoreBogusMapHint
    /// assert_eq!(bogus.capacity(), 0);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_capacity_and_hasher(capacity, RandomState::new())
    }
}

impl<K, V, S> HMap<K, V, S> {
    /// An empty map that hashes with `hash_builder`.
    ///
    /// ```
    /// use gort_hmap::HMap;
    /// use std::hash::RandomState;
    ///
    /// let mut m = HMap::with_hasher(RandomState::new());
    /// m.insert(1, "one");
    /// assert_eq!(m.get(&1), Some(&"one"));
    /// ```
    pub fn with_hasher(hash_builder: S) -> Self {
        HMap {
            table: RawTable::new(),
            hash_builder,
        }
    }

    /// An empty map with room for `capacity` entries, hashing with
    /// `hash_builder`.
    ///
    /// ```
    /// use gort_hmap::HMap;
    /// use std::hash::RandomState;
    ///
    /// let m: HMap<u32, u32, _> = HMap::with_capacity_and_hasher(20, RandomState::new());
    /// assert!(m.capacity() >= 20);
    /// ```
    pub fn with_capacity_and_hasher(capacity: usize, hash_builder: S) -> Self {
        HMap {
            table: RawTable::with_capacity(capacity),
            hash_builder,
        }
    }

    /// The map's hasher.
    ///
    /// ```
    /// use gort_hmap::HMap;
    /// use std::hash::RandomState;
    ///
    /// let m: HMap<u8, u8, RandomState> = HMap::with_hasher(RandomState::new());
    /// let _hasher: &RandomState = m.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// How many entries fit before the next doubling: `6.5 * 2^B` (at least
    /// 8 once allocated). Overflow buckets may still be allocated below it.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::new();
    /// m.insert(1, 1);
    /// assert_eq!(m.capacity(), 8); // one bucket
    /// ```
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// The keys, in this iteration's random order.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([("a", 1), ("b", 2)]);
    /// let mut keys: Vec<_> = m.keys().copied().collect();
    /// keys.sort();
    /// assert_eq!(keys, ["a", "b"]);
    /// ```
    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys::new(self.iter())
    }

    /// The keys, by value; the values are dropped.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([("a".to_string(), 1)]);
    /// let keys: Vec<String> = m.into_keys().collect();
    /// assert_eq!(keys, ["a"]);
    /// ```
    pub fn into_keys(self) -> IntoKeys<K, V> {
        IntoKeys::new(self.into_iter())
    }

    /// The values, in this iteration's random order.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([("a", 1), ("b", 2)]);
    /// assert_eq!(m.values().sum::<i32>(), 3);
    /// ```
    pub fn values(&self) -> Values<'_, K, V> {
        Values::new(self.iter())
    }

    /// The values, mutably.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([("a", 1), ("b", 2)]);
    /// m.values_mut().for_each(|v| *v += 1);
    /// assert_eq!(m["a"], 2);
    /// ```
    pub fn values_mut(&mut self) -> ValuesMut<'_, K, V> {
        ValuesMut::new(self.iter_mut())
    }

    /// The values, by value; the keys are dropped.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([("a", vec![1])]);
    /// let values: Vec<Vec<i32>> = m.into_values().collect();
    /// assert_eq!(values, [vec![1]]);
    /// ```
    pub fn into_values(self) -> IntoValues<K, V> {
        IntoValues::new(self.into_iter())
    }

    /// The entries, starting at a random bucket and offset (Go's
    /// `mapiterinit`). Correct while a growth is in progress: every entry is
    /// produced exactly once.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m: HMap<u32, u32> = (0..100).map(|i| (i, i * 2)).collect();
    /// assert!(m.iter().all(|(k, v)| *v == k * 2));
    /// assert_eq!(m.iter().len(), 100);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter::new(&self.table)
    }

    /// The entries, with mutable values.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([(1, 1), (2, 2)]);
    /// for (k, v) in m.iter_mut() {
    ///     *v += k;
    /// }
    /// assert_eq!(m[&2], 4);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut::new(&mut self.table)
    }

    /// The number of entries (Go's `len(m)`).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 'a'), (2, 'b')]);
    /// assert_eq!(m.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the map has no entries.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m: HMap<u8, u8> = HMap::new();
    /// assert!(m.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Empties the map, handing out its entries; the bucket array is kept
    /// for reuse. See [`Drain`] for what happens when the iterator is
    /// dropped early or forgotten.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([(1, 'a'), (2, 'b')]);
    /// let mut drained: Vec<_> = m.drain().collect();
    /// drained.sort();
    /// assert_eq!(drained, [(1, 'a'), (2, 'b')]);
    /// assert!(m.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, K, V> {
        Drain::new(&mut self.table)
    }

    /// Keeps only the entries for which `f` returns true: Go's
    /// `for k, v := range m { if !f(k, v) { delete(m, k) } }`, done in place
    /// (no key is hashed, no bucket evacuated). If `f` or a destructor
    /// panics, the map stays valid with the entries not yet removed.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<u32, u32> = (0..10).map(|i| (i, i)).collect();
    /// m.retain(|k, _| k % 2 == 0);
    /// assert_eq!(m.len(), 5);
    /// ```
    pub fn retain<F: FnMut(&K, &mut V) -> bool>(&mut self, f: F) {
        self.table.retain(f);
    }

    /// Removes every entry, keeping the bucket array (Go keeps `B`), and
    /// draws a new seed. Port of `mapclear`. If a destructor panics, the
    /// other entries are still dropped and the map is left empty.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
    /// let cap = m.capacity();
    /// m.clear();
    /// assert!(m.is_empty());
    /// assert_eq!(m.capacity(), cap);
    /// ```
    pub fn clear(&mut self) {
        self.table.clear();
    }

    /// Test hook: the shape of the table (`B`, growth state, evacuations).
    #[doc(hidden)]
    pub fn debug_stats(&self) -> Stats {
        self.table.stats()
    }
}

impl<K, V, S> HMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        make_hash(&self.hash_builder, self.table.hash0(), key)
    }

    /// Makes room for at least `additional` more entries before the next
    /// doubling. On a non-empty map that must grow, this rebuilds the table
    /// at once (O(n)), unlike the incremental growth of inserts.
    ///
    /// # Panics
    /// If the new size overflows `usize` ("capacity overflow"); aborts if
    /// the allocation fails.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<u32, u32> = HMap::new();
    /// m.reserve(1000);
    /// assert!(m.capacity() >= 1000);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        if let Err(e) = self.try_reserve(additional) {
            e.fail();
        }
    }

    /// Like [`reserve`](Self::reserve), but reports failure instead of
    /// panicking or aborting. (Overflow buckets allocated later by inserts
    /// still abort on allocation failure, as everywhere in the map.)
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<u32, u32> = HMap::new();
    /// assert!(m.try_reserve(10).is_ok());
    /// assert!(m.try_reserve(usize::MAX).is_err());
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        let (hb, seed) = (&self.hash_builder, self.table.hash0());
        self.table.reserve(additional, |k| make_hash(hb, seed, k))
    }

    /// Shrinks the bucket array to the smallest that holds the entries,
    /// finishing any growth in progress (an O(n) rebuild). Go's map never
    /// shrinks; this is only done when asked.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<u32, u32> = (0..1000).map(|i| (i, i)).collect();
    /// m.retain(|k, _| *k < 10);
    /// m.shrink_to_fit();
    /// assert!(m.capacity() < 100);
    /// assert_eq!(m.len(), 10);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.shrink_to(0);
    }

    /// Shrinks the bucket array to the smallest that holds
    /// `max(len, min_capacity)` entries; does nothing if the array is
    /// already that small.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<u32, u32> = HMap::with_capacity(1000);
    /// m.insert(1, 1);
    /// m.shrink_to(100);
    /// assert!(m.capacity() >= 100 && m.capacity() < 1000);
    /// ```
    pub fn shrink_to(&mut self, min_capacity: usize) {
        let (hb, seed) = (&self.hash_builder, self.table.hash0());
        self.table
            .shrink_to(min_capacity, |k| make_hash(hb, seed, k));
    }

    /// The entry for `key`, to insert or update in place: Go's `mapassign`
    /// up to the store. Like every write it runs `growWork` during a growth,
    /// and for an absent key that would overload the map it starts the
    /// growth now (so a vacant entry dropped without inserting may leave a
    /// growth started, which is harmless).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut words: HMap<&str, usize> = HMap::new();
    /// for w in "a b a c a".split(' ') {
    ///     *words.entry(w).or_insert(0) += 1;
    /// }
    /// assert_eq!(words["a"], 3);
    /// ```
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let hash = self.hash(&key);
        let (hb, seed) = (&self.hash_builder, self.table.hash0());
        match self
            .table
            .entry(hash, |k| *k == key, |k| make_hash(hb, seed, k))
        {
            RawEntry::Occupied(raw) => Entry::Occupied(OccupiedEntry::new(raw)),
            RawEntry::Vacant(raw) => Entry::Vacant(VacantEntry::new(raw, key)),
        }
    }

    /// A reference to the value of `k`. Port of `mapaccess1`/`mapaccess2`
    /// (an empty map answers without hashing, as Go).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([("a".to_string(), 1)]);
    /// assert_eq!(m.get("a"), Some(&1));
    /// assert_eq!(m.get("b"), None);
    /// ```
    #[inline]
    pub fn get<Q>(&self, k: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_key_value(k).map(|(_, v)| v)
    }

    /// The stored key and the value of `k`. Port of `mapaccessK`.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 'a')]);
    /// assert_eq!(m.get_key_value(&1), Some((&1, &'a')));
    /// ```
    #[inline]
    pub fn get_key_value<Q>(&self, k: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        self.table.get(self.hash(k), |x| k == x.borrow())
    }

    /// Whether the map has an entry for `k`.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 'a')]);
    /// assert!(m.contains_key(&1));
    /// assert!(!m.contains_key(&2));
    /// ```
    #[inline]
    pub fn contains_key<Q>(&self, k: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_key_value(k).is_some()
    }

    /// A mutable reference to the value of `k`. A lookup: it moves no
    /// bucket, even during a growth.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([(1, 10)]);
    /// if let Some(v) = m.get_mut(&1) {
    ///     *v += 1;
    /// }
    /// assert_eq!(m[&1], 11);
    /// ```
    #[inline]
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        let hash = self.hash(k);
        self.table
            .get_mut(hash, |x| k == x.borrow())
            .map(|(_, v)| v)
    }

    /// Inserts `v` under `k`, returning the previous value if there was one
    /// (the stored key is then kept, as std does; Go would overwrite it).
    /// Port of `mapassign`: during a growth it first evacuates the key's old
    /// bucket and old bucket `nevacuate`; a new key that would overload the
    /// table starts a growth (which only allocates).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::new();
    /// assert_eq!(m.insert(37, "a"), None);
    /// assert_eq!(m.insert(37, "b"), Some("a"));
    /// assert_eq!(m[&37], "b");
    /// ```
    #[inline]
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        let hash = self.hash(&k);
        let (hb, seed) = (&self.hash_builder, self.table.hash0());
        match self
            .table
            .entry(hash, |x| *x == k, |x| make_hash(hb, seed, x))
        {
            RawEntry::Occupied(mut o) => Some(core::mem::replace(o.get_mut(), v)),
            RawEntry::Vacant(slot) => {
                slot.insert(k, v);
                None
            }
        }
    }

    /// Inserts `k` with value `v` if it is absent; if it is present, puts `k`
    /// in place of the stored key and returns the stored key (what
    /// `HSet::replace` needs; the value is then left as it was).
    pub(crate) fn replace_key(&mut self, k: K, v: V) -> Option<K> {
        let hash = self.hash(&k);
        let (hb, seed) = (&self.hash_builder, self.table.hash0());
        match self
            .table
            .entry(hash, |x| *x == k, |x| make_hash(hb, seed, x))
        {
            RawEntry::Occupied(mut o) => Some(o.replace_key(k)),
            RawEntry::Vacant(slot) => {
                slot.insert(k, v);
                None
            }
        }
    }

    /// Removes `k`, returning its value. Port of `mapdelete`.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([(1, 'a')]);
    /// assert_eq!(m.remove(&1), Some('a'));
    /// assert_eq!(m.remove(&1), None);
    /// ```
    #[inline]
    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.remove_entry(k).map(|(_, v)| v)
    }

    /// Removes `k`, returning the stored key and its value.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([(1, 'a')]);
    /// assert_eq!(m.remove_entry(&1), Some((1, 'a')));
    /// ```
    pub fn remove_entry<Q>(&mut self, k: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.table.len() == 0 {
            return None;
        }
        let hash = self.hash(k);
        let (hb, seed) = (&self.hash_builder, self.table.hash0());
        self.table
            .remove(hash, |x| k == x.borrow(), |x| make_hash(hb, seed, x))
    }

    /// Test hook: checks every invariant of the table (Go's tombstone rule,
    /// the placement of every entry, the evacuation state, the count).
    #[doc(hidden)]
    pub fn debug_check(&self) -> Result<(), String> {
        let (hb, seed) = (&self.hash_builder, self.table.hash0());
        self.table.check(|k| make_hash(hb, seed, k))
    }
}

impl<K: Clone, V: Clone, S: Clone> Clone for HMap<K, V, S> {
    /// A copy with the same buckets, seed and growth state (no key is
    /// hashed).
    fn clone(&self) -> Self {
        HMap {
            table: self.table.clone(),
            hash_builder: self.hash_builder.clone(),
        }
    }
}

impl<K, V, S> PartialEq for HMap<K, V, S>
where
    K: Eq + Hash,
    V: PartialEq,
    S: BuildHasher,
{
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl<K: Eq + Hash, V: Eq, S: BuildHasher> Eq for HMap<K, V, S> {}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for HMap<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K, V, S: Default> Default for HMap<K, V, S> {
    /// An empty map with the default hasher.
    fn default() -> Self {
        HMap::with_hasher(S::default())
    }
}

impl<K, Q, V, S> Index<&Q> for HMap<K, V, S>
where
    K: Eq + Hash + Borrow<Q>,
    Q: Eq + Hash + ?Sized,
    S: BuildHasher,
{
    type Output = V;

    /// The value of `key`.
    ///
    /// # Panics
    /// If the map has no entry for `key`.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("HMap: no entry found for key")
    }
}

impl<K, V, S> FromIterator<(K, V)> for HMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher + Default,
{
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        let mut m = HMap::with_hasher(S::default());
        m.extend(iter);
        m
    }
}

impl<K, V, S> Extend<(K, V)> for HMap<K, V, S>
where
    K: Eq + Hash,
    S: BuildHasher,
{
    /// Inserts every pair. An empty map is first sized for the iterator's
    /// lower bound (an allocation only); a non-empty one grows incrementally
    /// as the inserts need, so extending never rebuilds the table at once.
    fn extend<T: IntoIterator<Item = (K, V)>>(&mut self, iter: T) {
        let iter = iter.into_iter();
        if self.is_empty() {
            self.reserve(iter.size_hint().0);
        }
        iter.for_each(|(k, v)| {
            self.insert(k, v);
        });
    }
}

impl<'a, K, V, S> Extend<(&'a K, &'a V)> for HMap<K, V, S>
where
    K: Eq + Hash + Copy,
    V: Copy,
    S: BuildHasher,
{
    fn extend<T: IntoIterator<Item = (&'a K, &'a V)>>(&mut self, iter: T) {
        self.extend(iter.into_iter().map(|(k, v)| (*k, *v)));
    }
}

impl<K: Eq + Hash, V, const N: usize> From<[(K, V); N]> for HMap<K, V, RandomState> {
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 2), (3, 4)]);
    /// assert_eq!(m.len(), 2);
    /// ```
    fn from(arr: [(K, V); N]) -> Self {
        arr.into_iter().collect()
    }
}

impl<K, V, S> IntoIterator for HMap<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    /// The entries by value, in Go's random order (`for k, v := range m`).
    fn into_iter(self) -> IntoIter<K, V> {
        IntoIter::new(self.table)
    }
}

impl<'a, K, V, S> IntoIterator for &'a HMap<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<'a, K, V, S> IntoIterator for &'a mut HMap<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}
