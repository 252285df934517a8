//! `SyncSet`: a set on top of [`SyncMap`] with `()` values.

use crate::map::SyncMap;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};

/// A concurrent set: a [`SyncMap`] from `T` to `()`, with the same design
/// and costs (lock-free `contains` of settled elements).
///
/// ```
/// use gort_syncmap::SyncSet;
///
/// let s = SyncSet::new();
/// assert!(s.insert("a"));
/// assert!(!s.insert("a"));
/// assert!(s.contains(&"a"));
/// assert!(s.remove(&"a"));
/// assert!(!s.contains(&"a"));
/// ```
pub struct SyncSet<T, S = ahash::RandomState> {
    map: SyncMap<T, (), S>,
}

impl<T> SyncSet<T, ahash::RandomState> {
    /// An empty set.
    ///
    /// ```
    /// let s: gort_syncmap::SyncSet<u32> = gort_syncmap::SyncSet::new();
    /// assert!(!s.contains(&1));
    /// ```
    pub fn new() -> Self {
        Self {
            map: SyncMap::new(),
        }
    }
}

impl<T, S> SyncSet<T, S> {
    /// An empty set hashing with `hasher`.
    ///
    /// ```
    /// use std::collections::hash_map::RandomState;
    /// let s = gort_syncmap::SyncSet::with_hasher(RandomState::new());
    /// assert!(s.insert(1));
    /// ```
    pub fn with_hasher(hasher: S) -> Self {
        Self {
            map: SyncMap::with_hasher(hasher),
        }
    }
}

impl<T: Eq + Hash + Clone, S: BuildHasher> SyncSet<T, S> {
    /// Adds `value`; returns `true` if it was absent (`LoadOrStore`).
    ///
    /// ```
    /// let s = gort_syncmap::SyncSet::new();
    /// assert!(s.insert(7));
    /// assert!(!s.insert(7));
    /// ```
    pub fn insert(&self, value: T) -> bool {
        !self.map.load_or_store_with(value, (), |_| ()).1
    }
}

impl<T: Eq + Hash, S: BuildHasher> SyncSet<T, S> {
    /// Whether `value` is in the set (`Load`).
    ///
    /// ```
    /// let s = gort_syncmap::SyncSet::new();
    /// s.insert(String::from("x"));
    /// assert!(s.contains("x"));
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map.load_with(value, |_| ()).is_some()
    }

    /// Removes `value`; returns `true` if it was present (`LoadAndDelete`).
    ///
    /// ```
    /// let s = gort_syncmap::SyncSet::new();
    /// s.insert(1);
    /// assert!(s.remove(&1));
    /// assert!(!s.remove(&1));
    /// ```
    pub fn remove<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.map.load_and_delete(value).is_some()
    }

    /// Calls `f` on each element until it returns `false` (`Range`, with the
    /// same guarantees).
    ///
    /// ```
    /// let s = gort_syncmap::SyncSet::new();
    /// s.insert(1);
    /// s.insert(2);
    /// let mut n = 0;
    /// s.range(|_| {
    ///     n += 1;
    ///     true
    /// });
    /// assert_eq!(n, 2);
    /// ```
    pub fn range(&self, mut f: impl FnMut(&T) -> bool) {
        self.map.range(|k, _| f(k));
    }

    /// Removes every element (`Clear`).
    ///
    /// ```
    /// let s = gort_syncmap::SyncSet::new();
    /// s.insert(1);
    /// s.clear();
    /// assert!(!s.contains(&1));
    /// ```
    pub fn clear(&self) {
        self.map.clear();
    }
}

impl<T: Eq + Hash + fmt::Debug, S: BuildHasher> fmt::Debug for SyncSet<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_set();
        self.range(|v| {
            out.entry(v);
            true
        });
        out.finish()
    }
}

impl<T, S: Default> Default for SyncSet<T, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

impl<T: Eq + Hash + Clone, S: BuildHasher + Clone> Clone for SyncSet<T, S> {
    fn clone(&self) -> Self {
        Self {
            map: self.map.clone(),
        }
    }
}

impl<T: Eq + Hash + Clone, S: BuildHasher + Default> FromIterator<T> for SyncSet<T, S> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::default();
        set.extend(iter);
        set
    }
}

impl<T: Eq + Hash + Clone, S: BuildHasher> Extend<T> for SyncSet<T, S> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for v in iter {
            self.insert(v);
        }
    }
}
