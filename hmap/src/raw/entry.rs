//! The raw halves of the entry API: `mapassign` split at the point where it
//! knows whether the key is present.

use super::RawTable;
use super::find::{Search, Slot, Vacancy};

/// The raw entry: the search half of `mapassign` has run.
pub(crate) enum RawEntry<'a, K, V> {
    Occupied(RawOccupied<'a, K, V>),
    Vacant(RawVacant<'a, K, V>),
}

/// A live slot of a table borrowed mutably.
pub(crate) struct RawOccupied<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    slot: Slot<K, V>,
}

/// Room for a key that is absent from a table borrowed mutably.
pub(crate) struct RawVacant<'a, K, V> {
    table: &'a mut RawTable<K, V>,
    vacancy: Vacancy<K, V>,
}

impl<K, V> RawTable<K, V> {
    /// `mapassign` up to the store, as an entry: the search (with its
    /// `growWork`) and, for an absent key, the growth check (with its
    /// `hashGrow` and `goto again`), so that the vacant entry only stores.
    #[inline]
    pub(crate) fn entry(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> RawEntry<'_, K, V> {
        match self.search_for_write(hash, eq, &hasher) {
            Search::Found(slot) => RawEntry::Occupied(RawOccupied { table: self, slot }),
            Search::Vacant(vacancy) => {
                let vacancy = self.prepare_vacancy(vacancy, hasher);
                RawEntry::Vacant(RawVacant {
                    table: self,
                    vacancy,
                })
            }
        }
    }
}

impl<'a, K, V> RawOccupied<'a, K, V> {
    pub(crate) fn key(&self) -> &K {
        // SAFETY: the slot is live while the table is borrowed by `self`.
        unsafe { &*self.slot.bucket.key(self.slot.i) }
    }

    pub(crate) fn get(&self) -> &V {
        // SAFETY: as in `key`.
        unsafe { &*self.slot.bucket.val(self.slot.i) }
    }

    pub(crate) fn get_mut(&mut self) -> &mut V {
        // SAFETY: as in `key`; `&mut self` borrows the table exclusively.
        unsafe { &mut *self.slot.bucket.val(self.slot.i) }
    }

    pub(crate) fn into_mut(self) -> &'a mut V {
        // SAFETY: the table stays borrowed for 'a.
        unsafe { &mut *self.slot.bucket.val(self.slot.i) }
    }

    /// Puts `key` in place of the stored key (which must equal it), returning
    /// the stored one.
    pub(crate) fn replace_key(&mut self, key: K) -> K {
        // SAFETY: the slot is live while the table is borrowed by `self`;
        // `&mut self` makes the key ours to swap.
        unsafe { core::mem::replace(&mut *self.slot.bucket.key(self.slot.i), key) }
    }

    /// Removes the entry (the tail of `mapdelete`).
    pub(crate) fn remove(self) -> (K, V) {
        self.table.remove_at(self.slot)
    }
}

impl<'a, K, V> RawVacant<'a, K, V> {
    /// Stores the entry (the end of `mapassign`).
    pub(crate) fn insert(self, key: K, val: V) -> RawOccupied<'a, K, V> {
        let slot = self.table.store(self.vacancy, key, val);
        RawOccupied {
            table: self.table,
            slot,
        }
    }
}
