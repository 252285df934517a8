//! Dropping entries and freeing memory: `clear` (port of `mapclear`) and the
//! table's destructor.
//!
//! A destructor that panics must not leak the other entries nor drop one
//! twice. Each entry's slot is marked empty before the entry is dropped, so
//! the walk can simply start again: if a destructor panics, a guard re-runs
//! the walk (dropping the rest) and finishes the reset before the panic goes
//! on, as std's collections do; a second panic during that aborts.

use super::{Chain, ChainCursor, RawTable};
use crate::bucket;
use crate::tophash::EMPTY_ONE;
use core::mem;

/// Drops the live entries of one chain, then frees its separately allocated
/// overflow buckets and unlinks the rest from the head.
///
/// # Safety
/// `chain` is a live chain of its array.
unsafe fn drop_chain<K, V>(chain: Chain<K, V>) {
    if bucket::Shape::<K, V>::ENTRY_NEEDS_DROP {
        let mut b = Some(chain.head);
        while let Some(c) = b {
            // SAFETY: live chain; a full slot holds an entry, which is marked
            // empty before it is dropped so that no walk drops it twice.
            unsafe {
                for i in c.group().match_full() {
                    c.set_top(i, EMPTY_ONE);
                    drop(c.take_entry(i));
                }
                b = c.overflow();
            }
        }
    }
    // SAFETY: the chain holds no live entry now; buckets outside the array
    // were allocated alone and only this chain points to them.
    unsafe {
        let mut next = chain.head.overflow();
        chain.head.set_overflow(None);
        while let Some(c) = next {
            next = c.overflow();
            if !bucket::in_array(c, chain.base, chain.b) {
                bucket::free_one(c);
            }
        }
    }
}

impl<K, V> RawTable<K, V> {
    /// Drops every live entry and frees every separately allocated overflow
    /// bucket of both arrays, keeping the arrays. Resumes after a panicking
    /// destructor (see the module docs).
    fn drop_contents(&mut self) {
        struct Resume<'a, K, V>(&'a mut RawTable<K, V>);
        impl<K, V> Drop for Resume<'_, K, V> {
            fn drop(&mut self) {
                self.0.drop_contents_once();
            }
        }
        let guard = Resume(self);
        guard.0.drop_contents_once();
        mem::forget(guard);
    }

    fn drop_contents_once(&mut self) {
        let mut cursor = ChainCursor::default();
        while let Some(chain) = cursor.next(self) {
            // SAFETY: the cursor yields live chains of live arrays.
            unsafe { drop_chain(chain) };
        }
    }

    /// Frees the old array, if a growth is in progress.
    fn free_old_array(&mut self) {
        if let Some(old) = self.oldbuckets {
            let old_b = self.old_b();
            self.oldbuckets = None;
            // SAFETY: emptied by `drop_contents`; no longer reachable.
            unsafe { bucket::free_array(old, old_b) };
        }
        self.same_size_grow = false;
    }

    /// Empties the table, keeping `B` and the current array (zeroed for
    /// reuse; a populated reserve and a retiring array are freed), and draws
    /// a new seed. Port of `mapclear` without its early
    /// return on an empty map (the drain iterator needs the reset even then).
    pub(crate) fn clear_all(&mut self) {
        struct Reset<'a, K, V>(&'a mut RawTable<K, V>);
        impl<K, V> Drop for Reset<'_, K, V> {
            fn drop(&mut self) {
                let t = &mut *self.0;
                t.free_old_array();
                t.free_paging();
                t.nevacuate = 0;
                t.noverflow = 0;
                t.count = 0;
                t.hash0 = super::rand();
                if let Some(base) = t.buckets {
                    // SAFETY: `drop_contents` left the array without entries
                    // and without links to overflow buckets outside it.
                    t.next_overflow = unsafe { bucket::reset_array(base, t.b) };
                }
                t.schedule_paging();
            }
        }
        Reset(self).0.drop_contents();
    }

    /// Port of `mapclear`: does nothing to an empty table, else
    /// [`clear_all`](Self::clear_all).
    pub(crate) fn clear(&mut self) {
        if self.count != 0 {
            self.clear_all();
        }
    }

    /// Drops every entry and frees all memory, leaving a table that has
    /// never allocated (used by `shrink_to` on an empty map).
    pub(crate) fn release(&mut self) {
        let mut fresh = RawTable::new();
        fresh.hash0 = self.hash0;
        fresh.evacuations = self.evacuations;
        *self = fresh;
    }
}

impl<K, V> Drop for RawTable<K, V> {
    fn drop(&mut self) {
        struct FreeArrays<'a, K, V>(&'a mut RawTable<K, V>);
        impl<K, V> Drop for FreeArrays<'_, K, V> {
            fn drop(&mut self) {
                let t = &mut *self.0;
                t.free_old_array();
                t.free_paging();
                if let Some(base) = t.buckets.take() {
                    // SAFETY: emptied by `drop_contents`; no longer reachable.
                    unsafe { bucket::free_array(base, t.b) };
                }
            }
        }
        FreeArrays(self).0.drop_contents();
    }
}
