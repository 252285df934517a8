//! The halves of `SyncMap`'s methods that hold Go's `mu`, and Go's
//! `missLocked` and `dirtyLocked`.
//!
//! Rules every function here keeps (so user code cannot poison, brick or
//! deadlock the map):
//! - no user `Hash` runs under the mutex (keys carry their hash, hashed.rs);
//!   user `Eq` and `Clone` of keys run only before a mutation they could
//!   interrupt, or (`dirty_locked`) behind a guard that undoes it;
//! - nothing that may run a value's `Drop` happens under the mutex: replaced
//!   read maps, entries taken out of the dirty map, pins and unused keys are
//!   held in locals declared *before* the mutex guard, so they drop after it;
//!   unlinked values are retired after unlocking;
//! - values are compared and cloned only after unlocking.

use crate::entry::{Boxed, Entry, LoadOrStore, Unlinked};
use crate::hashed::{Hashed, Probe};
use crate::map::{Dirty, Find, Found, SyncMap};
use crate::reclaim::{EntryTable, Pin, ReadOnly, Stale};
use crate::sync::{Arc, MutexGuard};
use core::hash::{BuildHasher, Hash};
use std::sync::PoisonError;

impl<K, V, S> SyncMap<K, V, S> {
    /// Locks Go's `mu`. A panic in user code never leaves the state
    /// inconsistent (module rules), so poisoning is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Dirty<K, V>> {
        self.mu.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Republishes the read map `due` once [`crate::reclaim::ROTATE_AT`]
    /// slots were retired onto it, so their memory is freed once its readers
    /// are gone. A no-op if another read map was published meanwhile.
    pub(crate) fn rotate(&self, due: *const ReadOnly<K, V>) {
        let stale;
        let mut st = self.lock();
        stale = if self.read.is_current(due) {
            // SAFETY: the mutex is held; `cur` is used before unlocking.
            let cur = unsafe { self.read.current_locked() };
            let copy = ReadOnly::new(cur.m.clone(), cur.amended);
            self.read.publish(&mut st.limbo, Arc::new(copy))
        } else {
            Stale::none()
        };
        drop(st);
        drop(stale);
    }

    /// Port of `missLocked` (sync/map.go): counts a miss and promotes the
    /// dirty map once misses reach its length. Returns the replaced read map.
    fn miss_locked(&self, st: &mut Dirty<K, V>) -> Stale<K, V> {
        st.misses += 1;
        let Some(dirty) = st.dirty.as_ref() else {
            return Stale::none();
        };
        if st.misses < dirty.len() {
            return Stale::none();
        }
        let promoted = st.dirty.take().unwrap_or_default();
        st.misses = 0;
        let read = ReadOnly::new(Arc::new(promoted), false);
        self.read.publish(&mut st.limbo, Arc::new(read))
    }

    /// The promotion at the start of Go's `Range` (sync/map.go): if the read
    /// map is still amended under the lock, the dirty map becomes the read
    /// map now. Returns the read map to iterate.
    pub(crate) fn promote_for_range(&self) -> Arc<ReadOnly<K, V>> {
        let read;
        let stale;
        let mut st = self.lock();
        read = self.read.guard();
        if !read.amended {
            drop(st);
            return read.into_arc();
        }
        let promoted = st.dirty.take().unwrap_or_default();
        st.misses = 0;
        let next = Arc::new(ReadOnly::new(Arc::new(promoted), false));
        stale = self.read.publish(&mut st.limbo, next.clone());
        drop(st);
        drop(stale);
        next
    }

    /// The locked half of Go's `Clear` (sync/map.go): publishes an empty read
    /// map and empties the dirty map (which stays allocated if it was).
    pub(crate) fn clear_locked(&self) {
        let stale;
        let old_dirty;
        let mut st = self.lock();
        // SAFETY: the mutex is held; `read` is used before unlocking.
        let read = unsafe { self.read.current_locked() };
        stale = if !read.m.is_empty() || read.amended {
            let empty = ReadOnly::new(Arc::new(EntryTable::default()), false);
            self.read.publish(&mut st.limbo, Arc::new(empty))
        } else {
            Stale::none()
        };
        old_dirty = st.dirty.as_mut().map(core::mem::take);
        st.misses = 0;
        drop(st);
        drop((stale, old_dirty));
    }
}

impl<K: Eq + Hash, V, S: BuildHasher> SyncMap<K, V, S> {
    /// The locked lookup of Go's `Load`, `LoadAndDelete`, `CompareAndDelete`
    /// and `CompareAndSwap` (sync/map.go): re-reads the read map (a promotion
    /// may have happened), falls back to the dirty map and counts the miss.
    pub(crate) fn find_locked<Q>(&self, probe: &Probe<'_, Q>, find: Find) -> Option<Found<V>>
    where
        K: core::borrow::Borrow<Q>,
        Q: ?Sized + Eq,
    {
        let mut stale = Stale::none();
        let mut removed = None;
        let mut st = self.lock();
        // SAFETY: the mutex is held; `read` is used before unlocking.
        let read = unsafe { self.read.current_locked() };
        let found = if let Some(e) = read.m.get(probe.as_lookup()) {
            Some(e.clone())
        } else if find == Find::CompareAndSwap {
            let e = st
                .dirty
                .as_ref()
                .and_then(|d| d.get(probe.as_lookup()).cloned());
            if e.is_some() {
                stale = self.miss_locked(&mut st);
            }
            e
        } else if read.amended {
            let dirty = st.dirty.as_mut();
            let e = if find == Find::LoadAndDelete {
                removed = dirty.and_then(|d| d.remove_entry(probe.as_lookup()));
                removed.as_ref().map(|(_, e)| e.clone())
            } else {
                dirty.and_then(|d| d.get(probe.as_lookup()).cloned())
            };
            stale = self.miss_locked(&mut st);
            e
        } else {
            None
        };
        drop(st);
        drop((stale, removed));
        found
    }
}

impl<K: Eq + Hash + Clone, V, S: BuildHasher> SyncMap<K, V, S> {
    /// The locked half of Go's `Swap` (sync/map.go). Returns the previous
    /// value, for the caller to retire.
    pub(crate) fn swap_locked(&self, key: Hashed<K>, value: Boxed<V>) -> Option<Unlinked<V>> {
        let (e, spare_key, stale);
        let mut st = self.lock();
        // SAFETY: the mutex is held; `read` is used before unlocking.
        let read = unsafe { self.read.current_locked() };
        (e, spare_key, stale) = self.entry_for_store_locked(&mut st, read, key, false);
        let old = e.swap_locked(value);
        drop(st);
        drop((stale, spare_key, e));
        old
    }

    /// The locked half of Go's `LoadOrStore` (sync/map.go); runs `f` on the
    /// actual value after unlocking.
    pub(crate) fn load_or_store_locked<R>(
        &self,
        key: Hashed<K>,
        value: V,
        pin: &Pin<K, V>,
        f: impl FnOnce(&V) -> R,
    ) -> (R, bool) {
        let (e, spare_key, stale);
        let mut st = self.lock();
        // SAFETY: the mutex is held; `read` is used before unlocking.
        let read = unsafe { self.read.current_locked() };
        (e, spare_key, stale) = self.entry_for_store_locked(&mut st, read, key, true);
        let outcome = e.try_load_or_store(value, pin.pinned());
        drop(st);
        let result = match outcome {
            LoadOrStore::Loaded(actual, _unused) => (f(actual), true),
            LoadOrStore::Stored(actual) => (f(actual), false),
            LoadOrStore::Expunged(_) => unreachable!("entries are unexpunged under the lock"),
        };
        drop((stale, spare_key));
        result
    }

    /// The shared lookup of Go's locked `Swap` and `LoadOrStore`: the
    /// key's entry in the read map (unexpunged into the dirty map if needed),
    /// else in the dirty map (counting a miss if `miss_in_dirty`), else a new
    /// deleted entry added to the dirty map (copying the read map into a new
    /// dirty map first if the read map was not amended). Also returns the key
    /// if it was not needed and the replaced read map, both to drop after
    /// unlocking.
    fn entry_for_store_locked(
        &self,
        st: &mut Dirty<K, V>,
        read: &ReadOnly<K, V>,
        key: Hashed<K>,
        miss_in_dirty: bool,
    ) -> (Found<V>, Option<Hashed<K>>, Stale<K, V>) {
        let probe = Probe {
            hash: key.hash,
            key: &key.key,
        };
        if let Some(e) = read.m.get(probe.as_lookup()) {
            let e = e.clone();
            let spare = self.revive_locked(st, &e, key);
            return (e, spare, Stale::none());
        }
        if let Some(e) = st.dirty.as_ref().and_then(|d| d.get(probe.as_lookup())) {
            let e = e.clone();
            let stale = if miss_in_dirty {
                self.miss_locked(st)
            } else {
                Stale::none()
            };
            return (e, Some(key), stale);
        }
        let stale = if read.amended {
            Stale::none()
        } else {
            // The first new key since the last promotion: copy the read map
            // and mark it incomplete.
            self.dirty_locked(st, read);
            let amended = ReadOnly::new(read.m.clone(), true);
            self.read.publish(&mut st.limbo, Arc::new(amended))
        };
        let e = Arc::new(Entry::deleted());
        let dirty = st.dirty.as_mut().expect("dirty_locked made the dirty map");
        dirty.insert(key, e.clone());
        (e, None, stale)
    }

    /// Port of `unexpungeLocked` plus the `m.dirty[key] = e` Go's callers do
    /// after it, in the other order: the dirty map is only read under the
    /// mutex, so nobody sees the difference, and a panicking `K::eq` in the
    /// insertion then leaves the entry expunged and consistent. Returns the
    /// key if it was not needed.
    fn revive_locked(
        &self,
        st: &mut Dirty<K, V>,
        e: &Found<V>,
        key: Hashed<K>,
    ) -> Option<Hashed<K>> {
        if !e.is_expunged_locked() {
            return Some(key);
        }
        let dirty = st
            .dirty
            .as_mut()
            .expect("an expunged entry implies a dirty map");
        dirty.insert(key, e.clone());
        let was_expunged = e.unexpunge_locked();
        debug_assert!(was_expunged);
        None
    }

    /// Port of `dirtyLocked` (sync/map.go): if there is no dirty map, makes
    /// one holding every entry of the read map that is not deleted, and
    /// expunges the deleted ones.
    ///
    /// The copy clones keys (user code). If a clone or a key comparison
    /// panics, the entries expunged so far are put back to deleted: with no
    /// dirty map no entry of the read map is expunged (promotion moves a dirty
    /// map that holds no expunged entry), so that restores the state exactly.
    fn dirty_locked(&self, st: &mut Dirty<K, V>, read: &ReadOnly<K, V>) {
        if st.dirty.is_some() {
            return;
        }
        let undo = UnexpungeOnUnwind(&read.m);
        let mut dirty = EntryTable::with_capacity_and_hasher(read.m.len(), Default::default());
        for (k, e) in read.m.iter() {
            if !e.try_expunge_locked() {
                let key = Hashed {
                    hash: k.hash,
                    key: k.key.clone(),
                };
                dirty.insert(key, e.clone());
            }
        }
        core::mem::forget(undo);
        st.dirty = Some(dirty);
    }
}

/// Undoes a `dirty_locked` that a panic interrupted.
struct UnexpungeOnUnwind<'a, K, V>(&'a EntryTable<K, V>);

impl<K, V> Drop for UnexpungeOnUnwind<'_, K, V> {
    fn drop(&mut self) {
        for e in self.0.values() {
            e.unexpunge_locked();
        }
    }
}
