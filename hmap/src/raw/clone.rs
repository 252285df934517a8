//! Cloning a table: Go's `mapclone2` rebuilds the copy (rehashing entries of
//! old buckets), but here the copy mirrors the source bucket for bucket,
//! growth state included, so no key is hashed and `Clone` needs no `Hash`
//! bound (as std's).
//!
//! Panic safety: a key or value whose `clone` panics leaves a half-built
//! copy whose slots are marked live only once both their key and value are
//! written; dropping it (the table's destructor walks every slot, whatever
//! the `emptyRest` marks say) drops exactly the clones made so far.

use super::RawTable;
use crate::bucket::{self, BucketPtr};
use crate::tophash::{BUCKET_CNT, Group, MIN_TOP_HASH, evacuated};

impl<K: Clone, V: Clone> Clone for RawTable<K, V> {
    fn clone(&self) -> Self {
        let mut copy = RawTable::new();
        copy.hash0 = self.hash0;
        let Some(src) = self.buckets else {
            return copy;
        };
        copy.install_array(self.b, bucket::alloc_array_or_abort(self.b));
        let dst = copy.buckets.expect("just installed");
        if let Some(old) = self.oldbuckets {
            copy.oldbuckets = Some(bucket::alloc_array_or_abort(self.old_b()).base);
            copy.same_size_grow = self.same_size_grow;
            copy.nevacuate = self.nevacuate;
            let old_dst = copy.oldbuckets.expect("just set");
            for ob in 0..self.noldbuckets() {
                // SAFETY: `ob` indexes both old arrays, which are live; a
                // source bucket below `nevacuate` is not read (it may have
                // been given back) and its copy is marked evacuated.
                unsafe {
                    let (s, d) = (old.add(ob), old_dst.add(ob));
                    if !self.old_bucket_readable(ob) {
                        d.set_group(Group::ALL_EVACUATED_EMPTY);
                    } else if evacuated(s.top(0)) {
                        d.set_group(s.group());
                    } else {
                        copy.clone_chain(s, d, true);
                    }
                }
            }
        }
        for j in 0..1usize << self.b {
            // SAFETY: `j` indexes both current arrays, which are live.
            unsafe { copy.clone_chain(src.add(j), dst.add(j), false) };
        }
        copy.noverflow = self.noverflow;
        copy.begin_release();
        copy.schedule_paging();
        debug_assert_eq!(copy.count, self.count);
        copy
    }
}

impl<K: Clone, V: Clone> RawTable<K, V> {
    /// Clones the chain headed by `src` into the empty chain headed by `dst`,
    /// slot for slot. Overflow buckets of an old-array chain are allocated
    /// alone (`alone`); those of the current array come from `newoverflow`.
    ///
    /// # Safety
    /// `src` heads a live chain of `self`'s source table; `dst` is an empty
    /// head of the matching array of `self`.
    unsafe fn clone_chain(&mut self, src: BucketPtr<K, V>, dst: BucketPtr<K, V>, alone: bool) {
        let (mut s, mut d) = (src, dst);
        loop {
            for i in 0..BUCKET_CNT {
                // SAFETY: both buckets are live, `i < 8`; a live source slot
                // holds an entry; the destination slot is marked only after
                // both clones are written.
                unsafe {
                    let top = s.top(i);
                    if top >= MIN_TOP_HASH {
                        let k = (*s.key(i)).clone();
                        let v = (*s.val(i)).clone();
                        d.write_entry(i, k, v);
                        self.count += 1;
                    }
                    d.set_top(i, top);
                }
            }
            // SAFETY: live chains; `d` has no overflow yet.
            unsafe {
                let Some(next) = s.overflow() else { return };
                d = if alone {
                    let o = bucket::alloc_one();
                    d.set_overflow(Some(o));
                    o
                } else {
                    self.new_overflow(d)
                };
                s = next;
            }
        }
    }
}
