//! `retain`: Go's `for k, v := range m { if !f(k, v) { delete(m, k) } }`,
//! done in place.
//!
//! Deviation: Go's loop calls `mapdelete`, which hashes the key again and
//! runs `growWork`. Here the walk already holds the slot, so it removes it
//! where it is (the tail of `mapdelete`, `emptyRest` propagation included),
//! whether the slot is in the current array or in an old bucket not yet
//! evacuated. No key is hashed and no bucket is evacuated, so `retain` runs
//! no user code besides `f` and the destructors of removed entries; a panic
//! in either leaves the table valid (a removed entry is unlinked before it is
//! dropped). The walk is in bucket order, not randomised.

use super::find::Slot;
use super::{ChainCursor, RawTable};

impl<K, V> RawTable<K, V> {
    pub(crate) fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        let mut cursor = ChainCursor::default();
        while self.count != 0 {
            let Some(chain) = cursor.next(self) else {
                break;
            };
            let mut b = Some(chain.head);
            while let Some(c) = b {
                // SAFETY: live chain. The full-slot set is read once per
                // bucket; removing slot `i` only rewrites slot `i` and slots
                // before it, so the later slots of the set stay live.
                unsafe {
                    for i in c.group().match_full() {
                        if !f(&*c.key(i), &mut *c.val(i)) {
                            drop(self.remove_at(Slot {
                                head: chain.head,
                                bucket: c,
                                i,
                            }));
                        }
                    }
                    b = c.overflow();
                }
            }
        }
    }
}
