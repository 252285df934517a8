//! The entry API of [`HMap`](crate::HMap): `mapassign` split where it knows
//! whether the key is present.

use crate::raw::{RawOccupied, RawVacant};
use core::fmt;

/// A view into one key's place in an [`HMap`](crate::HMap), made by
/// [`HMap::entry`](crate::HMap::entry).
///
/// ```
/// use gort_hmap::{Entry, HMap};
///
/// let mut m: HMap<&str, u32> = HMap::new();
/// match m.entry("a") {
///     Entry::Occupied(_) => unreachable!(),
///     Entry::Vacant(v) => {
///         v.insert(1);
///     }
/// }
/// assert_eq!(m["a"], 1);
/// ```
pub enum Entry<'a, K, V> {
    /// The key is in the map.
    Occupied(OccupiedEntry<'a, K, V>),
    /// The key is not in the map.
    Vacant(VacantEntry<'a, K, V>),
}

/// An entry whose key is in the map.
///
/// ```
/// use gort_hmap::{Entry, HMap};
///
/// let mut m = HMap::from([("a", 1)]);
/// if let Entry::Occupied(mut o) = m.entry("a") {
///     *o.get_mut() += 1;
///     assert_eq!(o.remove(), 2);
/// }
/// assert!(m.is_empty());
/// ```
pub struct OccupiedEntry<'a, K, V> {
    raw: RawOccupied<'a, K, V>,
}

/// An entry whose key is not in the map; it holds the key.
///
/// ```
/// use gort_hmap::{Entry, HMap};
///
/// let mut m: HMap<String, u32> = HMap::new();
/// if let Entry::Vacant(v) = m.entry("a".to_string()) {
///     assert_eq!(v.key(), "a");
///     *v.insert(1) += 1;
/// }
/// assert_eq!(m["a"], 2);
/// ```
pub struct VacantEntry<'a, K, V> {
    raw: RawVacant<'a, K, V>,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    /// The value, inserting `default` first if the key is absent.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<&str, u32> = HMap::new();
    /// *m.entry("a").or_insert(3) *= 2;
    /// assert_eq!(m["a"], 6);
    /// ```
    pub fn or_insert(self, default: V) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default),
        }
    }

    /// The value, inserting `default()` first if the key is absent.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<&str, String> = HMap::new();
    /// m.entry("a").or_insert_with(|| "x".repeat(3));
    /// assert_eq!(m["a"], "xxx");
    /// ```
    pub fn or_insert_with<F: FnOnce() -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => v.insert(default()),
        }
    }

    /// The value, inserting `default(&key)` first if the key is absent.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<&str, usize> = HMap::new();
    /// m.entry("four").or_insert_with_key(|k| k.len());
    /// assert_eq!(m["four"], 4);
    /// ```
    pub fn or_insert_with_key<F: FnOnce(&K) -> V>(self, default: F) -> &'a mut V {
        match self {
            Entry::Occupied(o) => o.into_mut(),
            Entry::Vacant(v) => {
                let value = default(v.key());
                v.insert(value)
            }
        }
    }

    /// The key of the entry.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<&str, u32> = HMap::new();
    /// assert_eq!(m.entry("a").key(), &"a");
    /// ```
    pub fn key(&self) -> &K {
        match self {
            Entry::Occupied(o) => o.key(),
            Entry::Vacant(v) => v.key(),
        }
    }

    /// Runs `f` on the value if the key is present.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// m.entry("a").and_modify(|v| *v += 1).or_insert(0);
    /// m.entry("b").and_modify(|v| *v += 1).or_insert(0);
    /// assert_eq!((m["a"], m["b"]), (2, 0));
    /// ```
    pub fn and_modify<F: FnOnce(&mut V)>(self, f: F) -> Self {
        match self {
            Entry::Occupied(mut o) => {
                f(o.get_mut());
                Entry::Occupied(o)
            }
            Entry::Vacant(v) => Entry::Vacant(v),
        }
    }

    /// Sets the value, inserting the key if it is absent, and returns the
    /// occupied entry.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<&str, u32> = HMap::new();
    /// let e = m.entry("a").insert_entry(7);
    /// assert_eq!(e.get(), &7);
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V> {
        match self {
            Entry::Occupied(mut o) => {
                o.insert(value);
                o
            }
            Entry::Vacant(v) => v.insert_entry(value),
        }
    }
}

impl<'a, K, V: Default> Entry<'a, K, V> {
    /// The value, inserting `V::default()` first if the key is absent.
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m: HMap<&str, Vec<u32>> = HMap::new();
    /// m.entry("a").or_default().push(1);
    /// assert_eq!(m["a"], [1]);
    /// ```
    pub fn or_default(self) -> &'a mut V {
        self.or_insert_with(V::default)
    }
}

impl<'a, K, V> OccupiedEntry<'a, K, V> {
    pub(crate) fn new(raw: RawOccupied<'a, K, V>) -> Self {
        OccupiedEntry { raw }
    }

    /// The stored key.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// if let Entry::Occupied(o) = m.entry("a") {
    ///     assert_eq!(o.key(), &"a");
    /// }
    /// ```
    pub fn key(&self) -> &K {
        self.raw.key()
    }

    /// Removes the entry, returning the stored key and the value (the tail
    /// of Go's `mapdelete`).
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// if let Entry::Occupied(o) = m.entry("a") {
    ///     assert_eq!(o.remove_entry(), ("a", 1));
    /// }
    /// ```
    pub fn remove_entry(self) -> (K, V) {
        self.raw.remove()
    }

    /// The value.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// if let Entry::Occupied(o) = m.entry("a") {
    ///     assert_eq!(o.get(), &1);
    /// }
    /// ```
    pub fn get(&self) -> &V {
        self.raw.get()
    }

    /// The value, mutably, for the life of the entry.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// if let Entry::Occupied(mut o) = m.entry("a") {
    ///     *o.get_mut() = 5;
    /// }
    /// assert_eq!(m["a"], 5);
    /// ```
    pub fn get_mut(&mut self) -> &mut V {
        self.raw.get_mut()
    }

    /// The value, mutably, for the life of the map borrow.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// let v = match m.entry("a") {
    ///     Entry::Occupied(o) => o.into_mut(),
    ///     Entry::Vacant(_) => unreachable!(),
    /// };
    /// *v = 9;
    /// assert_eq!(m["a"], 9);
    /// ```
    pub fn into_mut(self) -> &'a mut V {
        self.raw.into_mut()
    }

    /// Replaces the value, returning the old one.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// if let Entry::Occupied(mut o) = m.entry("a") {
    ///     assert_eq!(o.insert(2), 1);
    /// }
    /// assert_eq!(m["a"], 2);
    /// ```
    pub fn insert(&mut self, value: V) -> V {
        core::mem::replace(self.get_mut(), value)
    }

    /// Removes the entry, returning the value.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m = HMap::from([("a", 1)]);
    /// if let Entry::Occupied(o) = m.entry("a") {
    ///     assert_eq!(o.remove(), 1);
    /// }
    /// assert!(m.is_empty());
    /// ```
    pub fn remove(self) -> V {
        self.remove_entry().1
    }
}

impl<'a, K, V> VacantEntry<'a, K, V> {
    pub(crate) fn new(raw: RawVacant<'a, K, V>, key: K) -> Self {
        VacantEntry { raw, key }
    }

    /// The key that would be inserted.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m: HMap<&str, u32> = HMap::new();
    /// if let Entry::Vacant(v) = m.entry("a") {
    ///     assert_eq!(v.key(), &"a");
    /// }
    /// ```
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Gives the key back without inserting.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m: HMap<String, u32> = HMap::new();
    /// if let Entry::Vacant(v) = m.entry("a".to_string()) {
    ///     assert_eq!(v.into_key(), "a");
    /// }
    /// assert!(m.is_empty());
    /// ```
    pub fn into_key(self) -> K {
        self.key
    }

    /// Inserts the entry and returns its value: the store at the end of
    /// `mapassign`. If this entry overloads the map (or overflow buckets
    /// piled up), [`HMap::entry`](crate::HMap::entry) has already started
    /// the growth and found the key's place in the new array (Go's
    /// `hashGrow` and `goto again`), so this never moves a bucket.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m: HMap<u32, u32> = (0..8).map(|i| (i, i)).collect();
    /// if let Entry::Vacant(v) = m.entry(8) {
    ///     *v.insert(0) += 8; // the ninth entry starts a growth
    /// }
    /// assert_eq!(m[&8], 8);
    /// ```
    pub fn insert(self, value: V) -> &'a mut V {
        self.insert_entry(value).into_mut()
    }

    /// Inserts the entry and returns it as an occupied entry.
    ///
    /// ```
    /// use gort_hmap::{Entry, HMap};
    ///
    /// let mut m: HMap<&str, u32> = HMap::new();
    /// if let Entry::Vacant(v) = m.entry("a") {
    ///     let o = v.insert_entry(1);
    ///     assert_eq!(o.key(), &"a");
    /// }
    /// ```
    pub fn insert_entry(self, value: V) -> OccupiedEntry<'a, K, V> {
        OccupiedEntry::new(self.raw.insert(self.key, value))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Entry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::Occupied(o) => f.debug_tuple("Entry").field(o).finish(),
            Entry::Vacant(v) => f.debug_tuple("Entry").field(v).finish(),
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for OccupiedEntry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OccupiedEntry")
            .field("key", self.key())
            .field("value", self.get())
            .finish()
    }
}

impl<K: fmt::Debug, V> fmt::Debug for VacantEntry<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VacantEntry").field(self.key()).finish()
    }
}
