//! `SyncMap`: Go's `sync.Map` type and its lock-free paths (the fast half of
//! each method; the locked halves are in `locked.rs`).

use crate::entry::{Boxed, Entry, LoadOrStore, Unlinked};
use crate::hashed::{Hashed, Probe};
use crate::reclaim::{EntryTable, Limbo, Pin, ReadCell, ReadOnly};
use crate::sync::{Arc, Mutex};
use core::borrow::Borrow;
use core::hash::{BuildHasher, Hash};

/// A concurrent map with Go's `sync.Map` design and method set (go1.23).
///
/// See the [crate docs](crate) for the design, the memory reclamation scheme
/// and which bounds each method needs.
///
/// ```
/// use gort_syncmap::SyncMap;
///
/// let m: SyncMap<&str, u32> = SyncMap::new();
/// m.store("a", 1);
/// assert_eq!(m.load(&"a"), Some(1));
/// assert_eq!(m.load_or_store("a", 2), (1, true));
/// m.delete(&"a");
/// assert_eq!(m.load(&"a"), None);
/// ```
pub struct SyncMap<K, V, S = ahash::RandomState> {
    /// Go's `read`, on a cache line of its own: every load reads it and only
    /// the mutex holder writes it.
    pub(crate) read: Padded<ReadCell<K, V>>,
    pub(crate) hasher: S,
    /// Go's `mu`, guarding `dirty` and `misses`.
    pub(crate) mu: Padded<Mutex<Dirty<K, V>>>,
}

/// Aligns its contents to two cache lines (adjacent-line prefetch included).
#[repr(align(128))]
pub(crate) struct Padded<T>(pub(crate) T);

impl<T> core::ops::Deref for Padded<T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Which Go method a locked lookup serves (they count misses differently).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Find {
    /// `Load`, `CompareAndDelete`: look in the dirty map if the reloaded read
    /// map is amended; count a miss whether or not the key is there.
    Load,
    /// `LoadAndDelete`: as `Load`, and remove the key from the dirty map.
    LoadAndDelete,
    /// `CompareAndSwap`: count a miss only if the key is in the dirty map.
    CompareAndSwap,
}

/// The fields Go guards with `mu`.
pub(crate) struct Dirty<K, V> {
    /// Go's `dirty`: every non-expunged entry of the read map plus the new
    /// keys; `None` is Go's nil map.
    pub(crate) dirty: Option<EntryTable<K, V>>,
    /// Go's `misses`: locked lookups since the read map was last replaced.
    pub(crate) misses: usize,
    /// Replaced read maps a hazard slot may still hold (reclaim.rs).
    pub(crate) limbo: Limbo<K, V>,
}

impl<K, V> SyncMap<K, V, ahash::RandomState> {
    /// An empty map (Go's zero `sync.Map`), hashing with a random
    /// `ahash::RandomState`.
    ///
    /// ```
    /// let m: gort_syncmap::SyncMap<u64, String> = gort_syncmap::SyncMap::new();
    /// assert_eq!(m.load(&1), None);
    /// ```
    pub fn new() -> Self {
        Self::with_hasher(ahash::RandomState::new())
    }
}

impl<K, V, S> SyncMap<K, V, S> {
    /// An empty map hashing keys with `hasher`.
    ///
    /// ```
    /// use std::collections::hash_map::RandomState;
    /// let m = gort_syncmap::SyncMap::with_hasher(RandomState::new());
    /// m.store(1, "one");
    /// assert_eq!(m.load(&1), Some("one"));
    /// ```
    pub fn with_hasher(hasher: S) -> Self {
        Self {
            read: Padded(ReadCell::new(ReadOnly::new(
                Arc::new(EntryTable::default()),
                false,
            ))),
            hasher,
            mu: Padded(Mutex::new(Dirty {
                dirty: None,
                misses: 0,
                limbo: Vec::new(),
            })),
        }
    }

    /// The map's `BuildHasher`.
    ///
    /// ```
    /// let m: gort_syncmap::SyncMap<u8, u8> = gort_syncmap::SyncMap::new();
    /// let _hasher: &ahash::RandomState = m.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hasher
    }
}

impl<K: Eq + Hash, V, S: BuildHasher> SyncMap<K, V, S> {
    /// Port of `Load` (sync/map.go), zero-copy: runs `f` on the value stored
    /// for `key`, if any, and returns its result. `f` runs without any lock
    /// held and may call other methods of the map.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store("k", vec![1, 2, 3]);
    /// assert_eq!(m.load_with(&"k", |v| v.len()), Some(3));
    /// assert_eq!(m.load_with(&"x", |v| v.len()), None);
    /// ```
    #[inline]
    pub fn load_with<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let probe = Probe::new(&self.hasher, key);
        let pin = self.read.pin();
        match pin.m.get(probe.as_lookup()) {
            Some(e) => e.load(pin.pinned()).map(f),
            None if !pin.amended => None,
            None => {
                let e = self.find_locked(&probe, Find::Load)?;
                e.load(pin.pinned()).map(f)
            }
        }
    }

    /// Port of `Load` (sync/map.go): a clone of the value stored for `key`.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store(1, "one".to_string());
    /// assert_eq!(m.load(&1).as_deref(), Some("one"));
    /// ```
    #[inline]
    pub fn load<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
        V: Clone,
    {
        self.load_with(key, V::clone)
    }

    /// Port of `LoadAndDelete` (sync/map.go): removes `key`, returning a
    /// clone of its value if it was present.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store(1, 10);
    /// assert_eq!(m.load_and_delete(&1), Some(10));
    /// assert_eq!(m.load_and_delete(&1), None);
    /// ```
    pub fn load_and_delete<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
        V: Clone,
    {
        self.load_and_delete_with(key, V::clone)
    }

    /// Port of `Delete` (sync/map.go): removes `key`.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store("k", 1);
    /// m.delete(&"k");
    /// assert_eq!(m.load(&"k"), None);
    /// ```
    pub fn delete<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        self.load_and_delete_with(key, |_| ());
    }

    /// `LoadAndDelete` running `f` on the removed value.
    fn load_and_delete_with<Q, R>(&self, key: &Q, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
    {
        let probe = Probe::new(&self.hasher, key);
        let pin = self.read.pin();
        let unlinked = match pin.m.get(probe.as_lookup()) {
            Some(e) => e.delete(),
            None if !pin.amended => None,
            None => self.find_locked(&probe, Find::LoadAndDelete)?.delete(),
        };
        unlinked.map(|old| self.retire_with(&pin, old, f))
    }

    /// Port of `CompareAndSwap` (sync/map.go): stores `new` for `key` if its
    /// value equals `old`. A missing key never matches.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store("k", 1);
    /// assert!(m.compare_and_swap(&"k", &1, 2));
    /// assert!(!m.compare_and_swap(&"k", &1, 3));
    /// assert_eq!(m.load(&"k"), Some(2));
    /// ```
    pub fn compare_and_swap<Q>(&self, key: &Q, old: &V, new: V) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
        V: PartialEq,
    {
        let probe = Probe::new(&self.hasher, key);
        let pin = self.read.pin();
        let unlinked = match pin.m.get(probe.as_lookup()) {
            Some(e) => e.try_compare_and_swap(old, new, pin.pinned()),
            None if !pin.amended => None,
            None => match self.find_locked(&probe, Find::CompareAndSwap) {
                Some(e) => e.try_compare_and_swap(old, new, pin.pinned()),
                None => None,
            },
        };
        unlinked
            .map(|o| self.retire_with(&pin, o, |_| ()))
            .is_some()
    }

    /// Port of `CompareAndDelete` (sync/map.go): removes `key` if its value
    /// equals `old`. A missing key never matches.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store("k", 1);
    /// assert!(!m.compare_and_delete(&"k", &2));
    /// assert!(m.compare_and_delete(&"k", &1));
    /// assert_eq!(m.load(&"k"), None);
    /// ```
    pub fn compare_and_delete<Q>(&self, key: &Q, old: &V) -> bool
    where
        K: Borrow<Q>,
        Q: ?Sized + Hash + Eq,
        V: PartialEq,
    {
        let probe = Probe::new(&self.hasher, key);
        let pin = self.read.pin();
        let unlinked = match pin.m.get(probe.as_lookup()) {
            Some(e) => e.compare_and_delete(old, pin.pinned()),
            None if !pin.amended => None,
            None => match self.find_locked(&probe, Find::Load) {
                Some(e) => e.compare_and_delete(old, pin.pinned()),
                None => None,
            },
        };
        unlinked
            .map(|o| self.retire_with(&pin, o, |_| ()))
            .is_some()
    }

    /// Port of `Range` (sync/map.go): calls `f` on each key and value until
    /// it returns `false`.
    ///
    /// Not a snapshot: each key present for the whole call is visited once,
    /// with any value it had during the call; keys stored or deleted
    /// concurrently may or may not be visited. `f` runs without any lock held
    /// and may call any method of the map, `range` included. If the dirty map
    /// holds new keys, `range` promotes it first (O(n), as in Go).
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// for i in 0..4 {
    ///     m.store(i, i * 10);
    /// }
    /// let mut sum = 0;
    /// m.range(|_, v| {
    ///     sum += v;
    ///     true
    /// });
    /// assert_eq!(sum, 60);
    /// ```
    pub fn range(&self, mut f: impl FnMut(&K, &V) -> bool) {
        let pin = self.read.pin();
        let promoted = if pin.amended {
            Some(self.promote_for_range())
        } else {
            None
        };
        let read: &ReadOnly<K, V> = promoted.as_deref().unwrap_or(&pin);
        for (k, e) in read.m.iter() {
            if let Some(v) = e.load(pin.pinned()) {
                if !f(&k.key, v) {
                    break;
                }
            }
        }
    }

    /// Port of `Clear` (sync/map.go, new in go1.23): deletes every entry.
    /// Does not allocate when the map is already empty.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store(1, 1);
    /// m.clear();
    /// assert_eq!(m.load(&1), None);
    /// ```
    pub fn clear(&self) {
        let pin = self.read.pin();
        if pin.m.is_empty() && !pin.amended {
            return;
        }
        self.clear_locked();
    }

    /// Retires a slot unlinked while pinned, then runs `f` on its value
    /// (still readable: the caller is pinned).
    pub(crate) fn retire_with<R>(
        &self,
        pin: &Pin<K, V>,
        old: Unlinked<V>,
        f: impl FnOnce(&V) -> R,
    ) -> R {
        let value = old.value(pin.pinned());
        if let Some(due) = self.read.retire(pin, old) {
            self.rotate(due);
        }
        f(value)
    }
}

impl<K: Eq + Hash + Clone, V, S: BuildHasher> SyncMap<K, V, S> {
    /// Port of `Store` (sync/map.go): sets the value for `key`.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// m.store("k", 1);
    /// m.store("k", 2);
    /// assert_eq!(m.load(&"k"), Some(2));
    /// ```
    pub fn store(&self, key: K, value: V) {
        self.swap_with(key, value, |_| ());
    }

    /// Port of `Swap` (sync/map.go): sets the value for `key`, returning a
    /// clone of the previous value if there was one.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// assert_eq!(m.swap("k", 1), None);
    /// assert_eq!(m.swap("k", 2), Some(1));
    /// ```
    pub fn swap(&self, key: K, value: V) -> Option<V>
    where
        V: Clone,
    {
        self.swap_with(key, value, V::clone)
    }

    /// `Swap` running `f` on the previous value.
    fn swap_with<R>(&self, key: K, value: V, f: impl FnOnce(&V) -> R) -> Option<R> {
        let hash = self.hasher.hash_one(&key);
        let pin = self.read.pin();
        let mut boxed = Boxed::new(value);
        let probe = Probe { hash, key: &key };
        if let Some(e) = pin.m.get(probe.as_lookup()) {
            match e.try_swap(boxed) {
                Ok(old) => return old.map(|old| self.retire_with(&pin, old, f)),
                Err(back) => boxed = back,
            }
        }
        let old = self.swap_locked(Hashed { hash, key }, boxed);
        old.map(|old| self.retire_with(&pin, old, f))
    }

    /// Port of `LoadOrStore` (sync/map.go): returns a clone of the value
    /// stored for `key` and `true` if there is one; otherwise stores `value`
    /// and returns a clone of it and `false`.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// assert_eq!(m.load_or_store("k", 1), (1, false));
    /// assert_eq!(m.load_or_store("k", 2), (1, true));
    /// ```
    pub fn load_or_store(&self, key: K, value: V) -> (V, bool)
    where
        V: Clone,
    {
        self.load_or_store_with(key, value, V::clone)
    }

    /// `LoadOrStore` running `f` on the actual value (without cloning when
    /// `f` does not). Returns `f`'s result and whether the value was loaded.
    ///
    /// ```
    /// let m = gort_syncmap::SyncMap::new();
    /// assert_eq!(m.load_or_store_with("k", vec![1], |v| v.len()), (1, false));
    /// assert_eq!(m.load_or_store_with("k", vec![], |v| v.len()), (1, true));
    /// ```
    pub fn load_or_store_with<R>(&self, key: K, value: V, f: impl FnOnce(&V) -> R) -> (R, bool) {
        let hash = self.hasher.hash_one(&key);
        let pin = self.read.pin();
        let probe = Probe { hash, key: &key };
        let mut value = value;
        if let Some(e) = pin.m.get(probe.as_lookup()) {
            match e.try_load_or_store(value, pin.pinned()) {
                LoadOrStore::Loaded(actual, _unused) => return (f(actual), true),
                LoadOrStore::Stored(actual) => return (f(actual), false),
                LoadOrStore::Expunged(back) => value = back,
            }
        }
        self.load_or_store_locked(Hashed { hash, key }, value, &pin, f)
    }
}

/// The entry an operation found under the lock, kept alive by its own `Arc`.
pub(crate) type Found<V> = Arc<Entry<V>>;
