//! `reserve` and `shrink_to`: explicit resizes, which Go's map does not have
//! (Go sizes a map only at `make` and by incremental doubling).
//!
//! An explicit resize rebuilds the table at once into a new array of the
//! requested size, finishing any growth in progress: unlike an insert, it is
//! an O(n) operation, as a resize of std's map is. It is panic-safe by the
//! same two-pass rule as `evacuate`: first every key is hashed (the only user
//! code; a panic there changes nothing), then the entries move.

use super::{ChainCursor, RawTable, b_for};
use crate::bucket;
use crate::error::TryReserveError;
use crate::tophash::EMPTY_ONE;
use std::alloc::Layout;

impl<K, V> RawTable<K, V> {
    /// Makes room for `additional` more entries without a doubling growth.
    pub(crate) fn reserve(
        &mut self,
        additional: usize,
        hasher: impl Fn(&K) -> u64,
    ) -> Result<(), TryReserveError> {
        let needed = self
            .count
            .checked_add(additional)
            .ok_or(TryReserveError::CapacityOverflow)?;
        let b = b_for(needed);
        match self.buckets {
            Some(_) if b <= self.b => Ok(()),
            None if needed == 0 => Ok(()),
            _ => self.rebuild(b, hasher),
        }
    }

    /// Shrinks the array to the smallest one that holds
    /// `max(len, min_capacity)` entries, finishing any growth in progress;
    /// an empty map with `min_capacity == 0` frees all its memory.
    pub(crate) fn shrink_to(&mut self, min_capacity: usize, hasher: impl Fn(&K) -> u64) {
        if self.buckets.is_none() {
            return;
        }
        if self.count == 0 && min_capacity == 0 {
            self.release();
            return;
        }
        let b = b_for(self.count.max(min_capacity));
        if b < self.b || (b == self.b && self.growing()) {
            // Shrinking never needs more memory than the table holds now; on
            // failure the table stays as it is.
            let _ = self.rebuild(b, hasher);
        }
    }

    /// Moves every entry into a fresh array of `B = b`.
    fn rebuild(&mut self, b: u8, hasher: impl Fn(&K) -> u64) -> Result<(), TryReserveError> {
        // Pass 1: hash every key, in the cursor's fixed order.
        let mut hashes: Vec<u64> = Vec::new();
        hashes.try_reserve_exact(self.count).map_err(|_| {
            match Layout::array::<u64>(self.count) {
                Ok(layout) => TryReserveError::AllocError { layout },
                Err(_) => TryReserveError::CapacityOverflow,
            }
        })?;
        let mut cursor = ChainCursor::default();
        while let Some(chain) = cursor.next(self) {
            let mut c = Some(chain.head);
            while let Some(bk) = c {
                // SAFETY: live chain; full slots hold keys.
                unsafe {
                    for i in bk.group().match_full() {
                        hashes.push(hasher(&*bk.key(i)));
                    }
                    c = bk.overflow();
                }
            }
        }
        let mut fresh = RawTable::new();
        fresh.install_array(b, bucket::alloc_array(b)?);
        fresh.hash0 = self.hash0;
        fresh.evacuations = self.evacuations;

        // Pass 2: move the entries in the same order; no user code runs.
        let mut hashes = hashes.into_iter();
        let mut cursor = ChainCursor::default();
        while let Some(chain) = cursor.next(self) {
            let mut c = Some(chain.head);
            while let Some(bk) = c {
                // SAFETY: live chain; each full slot is moved into an empty
                // slot of `fresh` and then marked empty here, so the old
                // table, dropped below, owns no entry any more.
                unsafe {
                    for i in bk.group().match_full() {
                        let hash = hashes.next().expect("one hash per entry");
                        let (dst, j) = fresh.slot_for_new(fresh.vacancy(hash));
                        dst.take_from(j, bk, i);
                        bk.set_top(i, EMPTY_ONE);
                        fresh.count += 1;
                    }
                    c = bk.overflow();
                }
            }
        }
        debug_assert_eq!(fresh.count, self.count);
        drop(core::mem::replace(self, fresh));
        Ok(())
    }
}
