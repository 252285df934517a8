//! The maps the syncmap section compares, behind Go's `mapInterface`
//! (sync/map_reference_test.go) for `u64` keys and values. Every map hashes
//! with `ahash`, so the comparison is of designs, not hash functions.

use ahash::RandomState;
use std::collections::HashMap;
use std::sync::RwLock;

/// Go's `mapInterface`, for `u64` keys and values.
pub trait BenchMap: Send + Sync + 'static {
    /// The name shown in the report.
    const NAME: &'static str;
    /// An empty map.
    fn new() -> Self;
    /// `Load`.
    fn load(&self, k: u64) -> Option<u64>;
    /// `Store`.
    fn store(&self, k: u64, v: u64);
    /// `LoadOrStore`: (actual, loaded).
    fn load_or_store(&self, k: u64, v: u64) -> (u64, bool);
    /// `LoadAndDelete`.
    fn load_and_delete(&self, k: u64) -> Option<u64>;
    /// `Delete`.
    fn delete(&self, k: u64);
    /// `Swap`: the previous value.
    fn swap(&self, k: u64, v: u64) -> Option<u64>;
    /// `CompareAndSwap`.
    fn compare_and_swap(&self, k: u64, old: u64, new: u64) -> bool;
    /// `CompareAndDelete`.
    fn compare_and_delete(&self, k: u64, old: u64) -> bool;
    /// `Range`; `f` must not call the map (each map iterates natively).
    fn range(&self, f: impl FnMut(u64, u64) -> bool);
    /// `Clear`.
    fn clear(&self);
}

/// gort's `SyncMap`.
pub type Gort = gort_syncmap::SyncMap<u64, u64>;

impl BenchMap for Gort {
    const NAME: &'static str = "gort";
    fn new() -> Self {
        Self::new()
    }
    fn load(&self, k: u64) -> Option<u64> {
        self.load(&k)
    }
    fn store(&self, k: u64, v: u64) {
        self.store(k, v)
    }
    fn load_or_store(&self, k: u64, v: u64) -> (u64, bool) {
        self.load_or_store(k, v)
    }
    fn load_and_delete(&self, k: u64) -> Option<u64> {
        self.load_and_delete(&k)
    }
    fn delete(&self, k: u64) {
        self.delete(&k)
    }
    fn swap(&self, k: u64, v: u64) -> Option<u64> {
        self.swap(k, v)
    }
    fn compare_and_swap(&self, k: u64, old: u64, new: u64) -> bool {
        self.compare_and_swap(&k, &old, new)
    }
    fn compare_and_delete(&self, k: u64, old: u64) -> bool {
        self.compare_and_delete(&k, &old)
    }
    fn range(&self, mut f: impl FnMut(u64, u64) -> bool) {
        self.range(|k, v| f(*k, *v))
    }
    fn clear(&self) {
        self.clear()
    }
}

/// Go's `RWMutexMap`: a std `HashMap` behind a `RwLock`.
#[derive(Debug)]
pub struct RwLockMap(RwLock<HashMap<u64, u64, RandomState>>);

impl RwLockMap {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<u64, u64, RandomState>> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<u64, u64, RandomState>> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl BenchMap for RwLockMap {
    const NAME: &'static str = "rwlock-hashmap";
    fn new() -> Self {
        Self(RwLock::new(HashMap::default()))
    }
    fn load(&self, k: u64) -> Option<u64> {
        self.read().get(&k).copied()
    }
    fn store(&self, k: u64, v: u64) {
        self.write().insert(k, v);
    }
    fn load_or_store(&self, k: u64, v: u64) -> (u64, bool) {
        if let Some(&actual) = self.read().get(&k) {
            return (actual, true);
        }
        match self.write().entry(k) {
            std::collections::hash_map::Entry::Occupied(e) => (*e.get(), true),
            std::collections::hash_map::Entry::Vacant(e) => (*e.insert(v), false),
        }
    }
    fn load_and_delete(&self, k: u64) -> Option<u64> {
        self.write().remove(&k)
    }
    fn delete(&self, k: u64) {
        self.write().remove(&k);
    }
    fn swap(&self, k: u64, v: u64) -> Option<u64> {
        self.write().insert(k, v)
    }
    fn compare_and_swap(&self, k: u64, old: u64, new: u64) -> bool {
        if self.read().get(&k) != Some(&old) {
            return false;
        }
        match self.write().get_mut(&k) {
            Some(v) if *v == old => {
                *v = new;
                true
            }
            _ => false,
        }
    }
    fn compare_and_delete(&self, k: u64, old: u64) -> bool {
        if self.read().get(&k) != Some(&old) {
            return false;
        }
        let mut m = self.write();
        if m.get(&k) == Some(&old) {
            m.remove(&k);
            true
        } else {
            false
        }
    }
    fn range(&self, mut f: impl FnMut(u64, u64) -> bool) {
        for (k, v) in self.read().iter() {
            if !f(*k, *v) {
                break;
            }
        }
    }
    fn clear(&self) {
        self.write().clear();
    }
}

/// dashmap's sharded `RwLock<HashMap>`s.
pub type Dash = dashmap::DashMap<u64, u64, RandomState>;

impl BenchMap for Dash {
    const NAME: &'static str = "dashmap";
    fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }
    fn load(&self, k: u64) -> Option<u64> {
        self.get(&k).map(|v| *v)
    }
    fn store(&self, k: u64, v: u64) {
        self.insert(k, v);
    }
    fn load_or_store(&self, k: u64, v: u64) -> (u64, bool) {
        if let Some(actual) = self.get(&k) {
            return (*actual, true);
        }
        match self.entry(k) {
            dashmap::Entry::Occupied(e) => (*e.get(), true),
            dashmap::Entry::Vacant(e) => {
                e.insert(v);
                (v, false)
            }
        }
    }
    fn load_and_delete(&self, k: u64) -> Option<u64> {
        self.remove(&k).map(|(_, v)| v)
    }
    fn delete(&self, k: u64) {
        self.remove(&k);
    }
    fn swap(&self, k: u64, v: u64) -> Option<u64> {
        self.insert(k, v)
    }
    fn compare_and_swap(&self, k: u64, old: u64, new: u64) -> bool {
        match self.get_mut(&k) {
            Some(mut v) if *v == old => {
                *v = new;
                true
            }
            _ => false,
        }
    }
    fn compare_and_delete(&self, k: u64, old: u64) -> bool {
        self.remove_if(&k, |_, v| *v == old).is_some()
    }
    fn range(&self, mut f: impl FnMut(u64, u64) -> bool) {
        for e in self.iter() {
            if !f(*e.key(), *e.value()) {
                break;
            }
        }
    }
    fn clear(&self) {
        dashmap::DashMap::clear(self);
    }
}

/// papaya's lock-free table (seize reclamation).
pub type Papaya = papaya::HashMap<u64, u64, RandomState>;

impl BenchMap for Papaya {
    const NAME: &'static str = "papaya";
    fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }
    fn load(&self, k: u64) -> Option<u64> {
        self.pin().get(&k).copied()
    }
    fn store(&self, k: u64, v: u64) {
        self.pin().insert(k, v);
    }
    fn load_or_store(&self, k: u64, v: u64) -> (u64, bool) {
        match self.pin().try_insert(k, v) {
            Ok(_) => (v, false),
            Err(e) => (*e.current, true),
        }
    }
    fn load_and_delete(&self, k: u64) -> Option<u64> {
        self.pin().remove(&k).copied()
    }
    fn delete(&self, k: u64) {
        self.pin().remove(&k);
    }
    fn swap(&self, k: u64, v: u64) -> Option<u64> {
        self.pin().insert(k, v).copied()
    }
    fn compare_and_swap(&self, k: u64, old: u64, new: u64) -> bool {
        let m = self.pin();
        let r = m.compute(k, |e| match e {
            Some((_, v)) if *v == old => papaya::Operation::Insert(new),
            _ => papaya::Operation::Abort(()),
        });
        matches!(r, papaya::Compute::Updated { .. })
    }
    fn compare_and_delete(&self, k: u64, old: u64) -> bool {
        matches!(self.pin().remove_if(&k, |_, v| *v == old), Ok(Some(_)))
    }
    fn range(&self, mut f: impl FnMut(u64, u64) -> bool) {
        for (k, v) in self.pin().iter() {
            if !f(*k, *v) {
                break;
            }
        }
    }
    fn clear(&self) {
        self.pin().clear();
    }
}

/// scc's `HashMap` (lock-free reads, bucket locks for writes).
pub type Scc = scc::HashMap<u64, u64, RandomState>;

impl BenchMap for Scc {
    const NAME: &'static str = "scc";
    fn new() -> Self {
        Self::with_hasher(RandomState::new())
    }
    fn load(&self, k: u64) -> Option<u64> {
        self.read_sync(&k, |_, v| *v)
    }
    fn store(&self, k: u64, v: u64) {
        self.upsert_sync(k, v);
    }
    fn load_or_store(&self, k: u64, v: u64) -> (u64, bool) {
        if let Some(actual) = self.read_sync(&k, |_, v| *v) {
            return (actual, true);
        }
        match self.entry_sync(k) {
            scc::hash_map::Entry::Occupied(e) => (*e.get(), true),
            scc::hash_map::Entry::Vacant(e) => {
                e.insert_entry(v);
                (v, false)
            }
        }
    }
    fn load_and_delete(&self, k: u64) -> Option<u64> {
        self.remove_sync(&k).map(|(_, v)| v)
    }
    fn delete(&self, k: u64) {
        self.remove_sync(&k);
    }
    fn swap(&self, k: u64, v: u64) -> Option<u64> {
        self.upsert_sync(k, v)
    }
    fn compare_and_swap(&self, k: u64, old: u64, new: u64) -> bool {
        self.update_sync(&k, |_, v| {
            if *v == old {
                *v = new;
                true
            } else {
                false
            }
        })
        .unwrap_or(false)
    }
    fn compare_and_delete(&self, k: u64, old: u64) -> bool {
        self.remove_if_sync(&k, |v| *v == old).is_some()
    }
    fn range(&self, mut f: impl FnMut(u64, u64) -> bool) {
        self.iter_sync(|k, v| f(*k, *v));
    }
    fn clear(&self) {
        self.clear_sync();
    }
}
