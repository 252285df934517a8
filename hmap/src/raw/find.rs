//! Lookup, insert and delete: ports of `mapaccess1/2/K`, `mapassign` and
//! `mapdelete` (runtime/map.go).
//!
//! Where Go compares the tophash bytes one slot at a time, these load the 8
//! bytes of a bucket as one word and ask for all matching slots at once
//! (`Group`); the slots are still tried in Go's order and the search still
//! ends at the first bucket that has an `emptyRest` slot.

use super::RawTable;
use crate::bucket::BucketPtr;
use crate::tophash::{BUCKET_CNT, EMPTY_ONE, EMPTY_REST, MIN_TOP_HASH, evacuated, tophash};

/// A live slot: its chain's head (needed to propagate `emptyRest` on
/// delete), its bucket and its index.
pub(crate) struct Slot<K, V> {
    pub(super) head: BucketPtr<K, V>,
    pub(super) bucket: BucketPtr<K, V>,
    pub(super) i: usize,
}

impl<K, V> Clone for Slot<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for Slot<K, V> {}

/// Where a new key goes: the first empty slot of its chain in chain order,
/// or, when the chain is full, its tail (to link an overflow bucket to).
pub(crate) struct Vacancy<K, V> {
    pub(super) hash: u64,
    head: BucketPtr<K, V>,
    empty: Option<(BucketPtr<K, V>, usize)>,
    tail: BucketPtr<K, V>,
}

/// The outcome of the search half of `mapassign`.
pub(crate) enum Search<K, V> {
    Found(Slot<K, V>),
    Vacant(Vacancy<K, V>),
}

impl<K, V> RawTable<K, V> {
    /// The chain a read of `hash` searches: the old bucket while it is not
    /// yet evacuated, else the current one (the start of `mapaccess1`).
    ///
    /// # Safety
    /// `buckets` is set.
    #[inline]
    unsafe fn read_chain(&self, buckets: BucketPtr<K, V>, hash: u64) -> BucketPtr<K, V> {
        let m = self.mask();
        // SAFETY: `hash & m` indexes one of the `2^B` heads.
        let b = unsafe { buckets.add(hash as usize & m) };
        if let Some(old) = self.oldbuckets {
            let om = if self.same_size_grow { m } else { m >> 1 };
            let ob = hash as usize & om;
            // SAFETY: `ob` indexes one of the old heads; the old array is
            // live while `oldbuckets` is set, and a bucket below `nevacuate`
            // is not read.
            unsafe {
                let oldb = old.add(ob);
                if self.old_bucket_readable(ob) && !evacuated(oldb.top(0)) {
                    return oldb;
                }
            }
        }
        b
    }

    /// Finds the entry with this hash whose key satisfies `eq`. Port of
    /// `mapaccessK`, the shared body of `mapaccess1` and `mapaccess2`.
    ///
    /// Go returns early on an empty map before hashing; the map does that
    /// before it computes `hash`, so this only needs the array.
    #[inline]
    pub(crate) fn find(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<Slot<K, V>> {
        let buckets = self.buckets?;
        // SAFETY: `buckets` is set.
        let head = unsafe { self.read_chain(buckets, hash) };
        head.prefetch_rest();
        let top = tophash(hash);
        let mut b = head;
        loop {
            // SAFETY: every bucket of a live chain is live; a slot whose
            // tophash equals `top` (at least `minTopHash`) holds a key.
            unsafe {
                let g = b.group();
                for i in g.match_top(top) {
                    debug_assert!(
                        b.top(i) >= MIN_TOP_HASH,
                        "a tophash hit on a slot without an entry"
                    );
                    if eq(&*b.key(i)) {
                        return Some(Slot { head, bucket: b, i });
                    }
                }
                if g.ends_chain() {
                    return None;
                }
                b = b.overflow()?;
            }
        }
    }

    /// The key and value of the entry found by [`find`](Self::find).
    #[inline]
    pub(crate) fn get(&self, hash: u64, eq: impl FnMut(&K) -> bool) -> Option<(&K, &V)> {
        let s = self.find(hash, eq)?;
        // SAFETY: a found slot is live; the references borrow `self`.
        unsafe { Some((&*s.bucket.key(s.i), &*s.bucket.val(s.i))) }
    }

    /// Like [`get`](Self::get), with the value mutable. A lookup, not a
    /// write: it runs no `growWork` (Go has no such operation; `m[k] op= v`
    /// would be a `mapassign`).
    #[inline]
    pub(crate) fn get_mut(
        &mut self,
        hash: u64,
        eq: impl FnMut(&K) -> bool,
    ) -> Option<(&K, &mut V)> {
        let s = self.find(hash, eq)?;
        // SAFETY: a found slot is live; `&mut self` makes the value ours.
        unsafe { Some((&*s.bucket.key(s.i), &mut *s.bucket.val(s.i))) }
    }

    /// The search half of `mapassign`: allocate the first bucket if needed,
    /// run `growWork` on the key's bucket, then look for the key while
    /// remembering the first empty slot.
    ///
    /// `hasher` hashes stored keys for evacuation; if it panics the table is
    /// left valid (see [`evacuate`](Self::evacuate)).
    #[inline]
    pub(crate) fn search_for_write(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> Search<K, V> {
        let buckets = self.ensure_buckets();
        let bucket = hash as usize & self.mask();
        if self.growing() {
            self.grow_work(bucket, &hasher);
        } else if self.count >= self.paging.step_at {
            self.page_step();
        }
        // SAFETY: `bucket` is one of the `2^B` heads.
        let head = unsafe { buckets.add(bucket) };
        head.prefetch_rest();
        let top = tophash(hash);
        let mut b = head;
        let mut empty = None;
        loop {
            // SAFETY: live chain; slots matching `top` hold keys.
            unsafe {
                let g = b.group();
                for i in g.match_top(top) {
                    debug_assert!(
                        b.top(i) >= MIN_TOP_HASH,
                        "a tophash hit on a slot without an entry"
                    );
                    if eq(&*b.key(i)) {
                        return Search::Found(Slot { head, bucket: b, i });
                    }
                }
                if empty.is_none() {
                    empty = g.match_empty().first().map(|i| (b, i));
                }
                if g.ends_chain() {
                    break;
                }
                match b.overflow() {
                    Some(next) => b = next,
                    None => break,
                }
            }
        }
        Search::Vacant(Vacancy {
            hash,
            head,
            empty,
            tail: b,
        })
    }

    /// Where a key known to be absent goes: the first empty slot of its
    /// chain, found without comparing keys. Must run after `growWork` on the
    /// key's bucket.
    pub(super) fn vacancy(&self, hash: u64) -> Vacancy<K, V> {
        let buckets = self.buckets.expect("a table that grew has buckets");
        // SAFETY: `hash & mask` indexes one of the heads; chains are live.
        unsafe {
            let head = buckets.add(hash as usize & self.mask());
            let mut b = head;
            loop {
                if let Some(i) = b.group().match_empty().first() {
                    return Vacancy {
                        hash,
                        head,
                        empty: Some((b, i)),
                        tail: b,
                    };
                }
                match b.overflow() {
                    Some(next) => b = next,
                    None => {
                        return Vacancy {
                            hash,
                            head,
                            empty: None,
                            tail: b,
                        };
                    }
                }
            }
        }
    }

    /// The growth check of `mapassign` for a key that [`search_for_write`]
    /// did not find: if one more entry would overload the table, or overflow
    /// buckets piled up, start a growth and run `growWork` on the key's
    /// bucket, then find the key's place in the new array (Go's `hashGrow` +
    /// `goto again`, here without comparing keys again: the key is known to
    /// be absent).
    ///
    /// If `hasher` panics during that `growWork`, the growth has started and
    /// the table is valid.
    ///
    /// [`search_for_write`]: Self::search_for_write
    #[inline]
    pub(crate) fn prepare_vacancy(
        &mut self,
        vacancy: Vacancy<K, V>,
        hasher: impl Fn(&K) -> u64,
    ) -> Vacancy<K, V> {
        if self.growing() || !self.needs_growth() {
            return vacancy;
        }
        self.grow_for(vacancy.hash, &hasher)
    }

    /// The growing branch of [`prepare_vacancy`](Self::prepare_vacancy),
    /// kept out of the insert path.
    #[inline(never)]
    fn grow_for(&mut self, hash: u64, hasher: &impl Fn(&K) -> u64) -> Vacancy<K, V> {
        self.hash_grow();
        self.grow_work(hash as usize & self.mask(), hasher);
        self.vacancy(hash)
    }

    /// The store at the end of `mapassign`: the entry goes into the
    /// vacancy's empty slot, or slot 0 of a new overflow bucket linked to a
    /// full chain. Runs no user code.
    #[inline]
    pub(crate) fn store(&mut self, vacancy: Vacancy<K, V>, key: K, val: V) -> Slot<K, V> {
        let (hash, head) = (vacancy.hash, vacancy.head);
        let (bucket, i) = self.slot_for_new(vacancy);
        // SAFETY: `(bucket, i)` is an empty slot of a live chain: write the
        // entry, then mark it live.
        unsafe {
            bucket.write_entry(i, key, val);
            bucket.set_top(i, tophash(hash));
        }
        self.count += 1;
        Slot { head, bucket, i }
    }

    /// The empty slot a vacancy names, linking an overflow bucket to the
    /// chain's tail when the chain is full (Go's `newoverflow` call in
    /// `mapassign`).
    pub(super) fn slot_for_new(&mut self, vacancy: Vacancy<K, V>) -> (BucketPtr<K, V>, usize) {
        match vacancy.empty {
            Some(slot) => slot,
            // SAFETY: `tail` ends a chain of the current array.
            None => (unsafe { self.new_overflow(vacancy.tail) }, 0),
        }
    }

    /// Removes the entry with this hash whose key satisfies `eq`. Port of
    /// `mapdelete`: `growWork` on the key's bucket, search, then
    /// [`remove_at`](Self::remove_at).
    pub(crate) fn remove(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&K) -> bool,
        hasher: impl Fn(&K) -> u64,
    ) -> Option<(K, V)> {
        if self.count == 0 {
            return None;
        }
        let buckets = self.buckets?;
        let bucket = hash as usize & self.mask();
        if self.growing() {
            self.grow_work(bucket, &hasher);
        } else if self.count >= self.paging.step_at {
            self.page_step();
        }
        // SAFETY: `bucket` is one of the heads; after `growWork` its entries
        // are in the current array.
        let head = unsafe { buckets.add(bucket) };
        head.prefetch_rest();
        let top = tophash(hash);
        let mut b = head;
        loop {
            // SAFETY: live chain; slots matching `top` hold keys.
            unsafe {
                let g = b.group();
                for i in g.match_top(top) {
                    debug_assert!(
                        b.top(i) >= MIN_TOP_HASH,
                        "a tophash hit on a slot without an entry"
                    );
                    if eq(&*b.key(i)) {
                        return Some(self.remove_at(Slot { head, bucket: b, i }));
                    }
                }
                if g.ends_chain() {
                    return None;
                }
                b = b.overflow()?;
            }
        }
    }

    /// Takes the entry out of a live slot, marks the slot `emptyOne`, turns
    /// the trailing run of empty slots into `emptyRest` (walking back across
    /// buckets from the chain's head as Go does), and reseeds when the table
    /// becomes empty. The tail of `mapdelete`.
    ///
    /// No user code runs here: the caller drops what is returned.
    pub(super) fn remove_at(&mut self, slot: Slot<K, V>) -> (K, V) {
        let Slot {
            head,
            bucket: mut b,
            mut i,
        } = slot;
        // SAFETY: `slot` is live (caller); all buckets of its chain are live.
        unsafe {
            let entry = b.take_entry(i);
            b.set_top(i, EMPTY_ONE);
            let rest_follows = if i == BUCKET_CNT - 1 {
                b.overflow().is_none_or(|next| next.top(0) == EMPTY_REST)
            } else {
                b.top(i + 1) == EMPTY_REST
            };
            if rest_follows {
                loop {
                    b.set_top(i, EMPTY_REST);
                    if i == 0 {
                        if b == head {
                            break;
                        }
                        let c = b;
                        b = head;
                        while b.overflow() != Some(c) {
                            b = b.overflow().expect("c is in this chain");
                        }
                        i = BUCKET_CNT - 1;
                    } else {
                        i -= 1;
                    }
                    if b.top(i) != EMPTY_ONE {
                        break;
                    }
                }
            }
            self.count -= 1;
            if self.count == 0 {
                self.hash0 = super::rand();
            }
            entry
        }
    }
}
