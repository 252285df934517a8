//! The std traits of `SyncMap`: `Debug`, `Default`, `Clone`, `FromIterator`,
//! `Extend`.

use crate::map::SyncMap;
use core::fmt;
use core::hash::{BuildHasher, Hash};

/// Prints the entries as [`SyncMap::range`] sees them.
impl<K, V, S> fmt::Debug for SyncMap<K, V, S>
where
    K: Eq + Hash + fmt::Debug,
    V: fmt::Debug,
    S: BuildHasher,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_map();
        self.range(|k, v| {
            out.entry(k, v);
            true
        });
        out.finish()
    }
}

/// An empty map (Go's zero `sync.Map`).
impl<K, V, S: Default> Default for SyncMap<K, V, S> {
    fn default() -> Self {
        Self::with_hasher(S::default())
    }
}

/// A new map with the entries [`SyncMap::range`] sees (not a snapshot under
/// concurrent writes) and a clone of the hasher.
impl<K, V, S> Clone for SyncMap<K, V, S>
where
    K: Eq + Hash + Clone,
    V: Clone,
    S: BuildHasher + Clone,
{
    fn clone(&self) -> Self {
        let copy = Self::with_hasher(self.hasher().clone());
        self.range(|k, v| {
            copy.store(k.clone(), v.clone());
            true
        });
        copy
    }
}

impl<K, V, S> FromIterator<(K, V)> for SyncMap<K, V, S>
where
    K: Eq + Hash + Clone,
    S: BuildHasher + Default,
{
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::default();
        map.extend(iter);
        map
    }
}

/// Stores each pair, later pairs replacing earlier ones (Go's `Store`).
impl<K, V, S> Extend<(K, V)> for SyncMap<K, V, S>
where
    K: Eq + Hash + Clone,
    S: BuildHasher,
{
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.store(k, v);
        }
    }
}
