//! Iteration: ports of `mapiterinit` and `mapiternext` (runtime/map.go), and
//! the iterators of the map built on them.
//!
//! As in Go, each iteration starts at a random bucket and a random offset
//! (one offset for every bucket: slots are visited in the order
//! `(i + offset) & 7`), walks the buckets in index order, wrapping around, and
//! follows each overflow chain.
//!
//! Deviation: Go must survive writes between two `mapiternext` calls, so it
//! re-checks every entry of an old bucket against the new bucket it is
//! producing (`checkBucket`, by rehashing the key) and looks evacuated
//! entries up in the live map. Here an iterator borrows the table, so the
//! table cannot change while it lives, and the iterator always started
//! during the current growth (Go's `it.B == h.B`). `checkBucket` then reduces
//! to a test on bucket indexes: an old bucket not yet evacuated is walked
//! once, when the iterator reaches its X bucket (the index equal to its own),
//! and skipped at its Y bucket; an evacuated one is read from the new array.
//! Every entry is produced exactly once, no key is hashed, no user code runs
//! and the iterators need no `Hash` bound (as std's). The `evacuatedX/Y`
//! slots that Go's iterator resolves through `mapaccessK` are never met.

use super::RawTable;
use crate::bucket::BucketPtr;
use crate::tophash::{BUCKET_CNT, BitMask, EMPTY_ONE, evacuated};
use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;

/// Go's `hiter`: a position in a table that does not change while it lives.
pub(crate) struct RawIter<K, V> {
    /// Snapshot of the current array (Go's `it.buckets`).
    buckets: Option<BucketPtr<K, V>>,
    /// The old array, when a growth is in progress.
    oldbuckets: Option<BucketPtr<K, V>>,
    /// Go's `nevacuate`: old buckets below it are evacuated and not read.
    nevacuate: usize,
    /// `B` of the current array (Go's `it.B`).
    b: u8,
    same_size_grow: bool,
    start_bucket: usize,
    offset: u8,
    wrapped: bool,
    /// The next bucket index to start a chain at.
    bucket: usize,
    /// The bucket whose slots `full` lists.
    bptr: Option<BucketPtr<K, V>>,
    /// Full slots of `bptr` not yet produced, rotated by `offset`.
    full: BitMask,
    /// Whether `bptr`'s last slot is `emptyRest`, so its chain holds no
    /// more entries.
    chain_ends: bool,
    /// Entries not yet produced (the table's count at the start).
    remaining: usize,
}

impl<K, V> Clone for RawIter<K, V> {
    fn clone(&self) -> Self {
        RawIter { ..*self }
    }
}

impl<K, V> RawIter<K, V> {
    /// Draws a random start bucket and offset. Port of `mapiterinit`.
    fn new(t: &RawTable<K, V>) -> Self {
        let (start_bucket, offset) = if t.count == 0 {
            (0, 0)
        } else {
            let r = super::rand();
            let start = r as usize & t.mask();
            let offset =
                (r.checked_shr(u32::from(t.b)).unwrap_or(0) & (BUCKET_CNT as u64 - 1)) as u8;
            (start, offset)
        };
        RawIter {
            buckets: t.buckets,
            oldbuckets: t.oldbuckets,
            nevacuate: t.nevacuate,
            b: t.b,
            same_size_grow: t.same_size_grow,
            start_bucket,
            offset,
            wrapped: false,
            bucket: start_bucket,
            bptr: None,
            full: BitMask(0),
            chain_ends: true,
            remaining: t.count,
        }
    }

    /// An iterator that produces nothing.
    fn empty() -> Self {
        RawIter {
            buckets: None,
            oldbuckets: None,
            nevacuate: 0,
            b: 0,
            same_size_grow: false,
            start_bucket: 0,
            offset: 0,
            wrapped: false,
            bucket: 0,
            bptr: None,
            full: BitMask(0),
            chain_ends: true,
            remaining: 0,
        }
    }

    /// The chain to walk for bucket index `bucket` of the current array.
    /// The bucket-choosing half of `mapiternext`, with `checkBucket`
    /// specialised to a table that cannot change (see the module docs).
    ///
    /// # Safety
    /// The table the iterator was made from is alive and unchanged.
    unsafe fn chain_at(&self, bucket: usize) -> Option<BucketPtr<K, V>> {
        let mask = (1usize << self.b) - 1;
        if let Some(old) = self.oldbuckets {
            let oldmask = if self.same_size_grow { mask } else { mask >> 1 };
            let oldbucket = bucket & oldmask;
            // SAFETY: `oldbucket` indexes the old array, live during the growth.
            let oldb = unsafe { old.add(oldbucket) };
            // SAFETY: as above; a bucket below `nevacuate` is not read.
            if oldbucket >= self.nevacuate && !evacuated(unsafe { oldb.top(0) }) {
                return (oldbucket == bucket).then_some(oldb);
            }
        }
        // SAFETY: `bucket < 2^B`; a table with entries has its array.
        self.buckets.map(|base| unsafe { base.add(bucket) })
    }

    /// The next live slot. Port of `mapiternext`: the fast path produces
    /// the next full slot of the current bucket; [`next_bucket`] moves on.
    ///
    /// # Safety
    /// The table the iterator was made from is alive and unchanged, except
    /// that slots already produced may have been marked empty.
    ///
    /// [`next_bucket`]: Self::next_bucket
    #[inline]
    unsafe fn next_slot(&mut self) -> Option<(BucketPtr<K, V>, usize)> {
        loop {
            if self.remaining == 0 {
                return None;
            }
            if let (Some(i), Some(b)) = (self.full.next(), self.bptr) {
                self.remaining -= 1;
                return Some((b, (i + usize::from(self.offset)) & (BUCKET_CNT - 1)));
            }
            // SAFETY: caller.
            if !unsafe { self.next_bucket() } {
                self.remaining = 0;
                return None;
            }
        }
    }

    /// Moves to the next bucket: the rest of the current chain, then the
    /// chain of the next bucket index, wrapping around once. A chain is left
    /// early at a bucket whose last slot is `emptyRest` (no live entry can
    /// follow it; Go's iterator walks such empty overflow buckets too).
    /// Returns false when the iteration has wrapped around to its start.
    ///
    /// # Safety
    /// As for [`next_slot`](Self::next_slot).
    unsafe fn next_bucket(&mut self) -> bool {
        let next = self.bptr.filter(|_| !self.chain_ends).and_then(|b| {
            // SAFETY: the chain is live (caller).
            unsafe { b.overflow() }
        });
        self.bptr = match next {
            Some(b) => Some(b),
            None => {
                if self.bucket == self.start_bucket && self.wrapped {
                    return false;
                }
                // SAFETY: caller.
                let chain = unsafe { self.chain_at(self.bucket) };
                self.bucket += 1;
                if self.bucket == 1 << self.b {
                    self.bucket = 0;
                    self.wrapped = true;
                }
                chain
            }
        };
        match self.bptr {
            Some(b) => {
                // SAFETY: live bucket.
                let g = unsafe { b.group() };
                self.full = g.match_full().rotate(self.offset);
                self.chain_ends = g.ends_chain();
            }
            None => self.full = BitMask(0),
        }
        true
    }
}

/// An iterator over the entries of an [`HMap`](crate::HMap), in Go's
/// randomised order. Made by [`HMap::iter`](crate::HMap::iter).
///
/// ```
/// use gort_hmap::HMap;
///
/// let m: HMap<&str, i32> = HMap::from([("a", 1), ("b", 2)]);
/// let mut sum = 0;
/// for (_k, v) in m.iter() {
///     sum += v;
/// }
/// assert_eq!(sum, 3);
/// ```
pub struct Iter<'a, K, V> {
    raw: RawIter<K, V>,
    marker: PhantomData<(&'a K, &'a V)>,
}

impl<'a, K, V> Iter<'a, K, V> {
    pub(crate) fn new(t: &'a RawTable<K, V>) -> Self {
        Iter {
            raw: RawIter::new(t),
            marker: PhantomData,
        }
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // SAFETY: the table is borrowed for 'a, so it is alive and unchanged;
        // produced slots are live and each is produced once.
        unsafe {
            let (b, i) = self.raw.next_slot()?;
            Some((&*b.key(i), &*b.val(i)))
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.raw.remaining, Some(self.raw.remaining))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}
impl<K, V> FusedIterator for Iter<'_, K, V> {}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Iter {
            raw: self.raw.clone(),
            marker: PhantomData,
        }
    }
}

impl<K, V> Default for Iter<'_, K, V> {
    /// An iterator that produces nothing.
    fn default() -> Self {
        Iter {
            raw: RawIter::empty(),
            marker: PhantomData,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// A mutable iterator over the entries of an [`HMap`](crate::HMap). Made by
/// [`HMap::iter_mut`](crate::HMap::iter_mut).
///
/// ```
/// use gort_hmap::HMap;
///
/// let mut m: HMap<&str, i32> = HMap::from([("a", 1), ("b", 2)]);
/// for (_k, v) in m.iter_mut() {
///     *v *= 10;
/// }
/// assert_eq!(m["b"], 20);
/// ```
pub struct IterMut<'a, K, V> {
    raw: RawIter<K, V>,
    marker: PhantomData<(&'a K, &'a mut V)>,
}

impl<'a, K, V> IterMut<'a, K, V> {
    pub(crate) fn new(t: &'a mut RawTable<K, V>) -> Self {
        IterMut {
            raw: RawIter::new(t),
            marker: PhantomData,
        }
    }

    /// The entries not produced yet, as shared references.
    pub(crate) fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            raw: self.raw.clone(),
            marker: PhantomData,
        }
    }
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // SAFETY: the table is borrowed mutably for 'a; each live slot is
        // produced once, so the `&mut V` never alias.
        unsafe {
            let (b, i) = self.raw.next_slot()?;
            Some((&*b.key(i), &mut *b.val(i)))
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.raw.remaining, Some(self.raw.remaining))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}
impl<K, V> FusedIterator for IterMut<'_, K, V> {}

impl<K, V> Default for IterMut<'_, K, V> {
    /// An iterator that produces nothing.
    fn default() -> Self {
        IterMut {
            raw: RawIter::empty(),
            marker: PhantomData,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IterMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Takes the entry out of a produced slot and marks the slot empty, so that
/// dropping the table later drops only what was not produced.
///
/// # Safety
/// `(b, i)` was just produced by a `RawIter` over a table the caller owns.
unsafe fn take<K, V>((b, i): (BucketPtr<K, V>, usize)) -> (K, V) {
    // SAFETY: the slot is live (caller); marking it keeps it from being
    // dropped again.
    unsafe {
        b.set_top(i, EMPTY_ONE);
        b.take_entry(i)
    }
}

/// An owning iterator over the entries of an [`HMap`](crate::HMap), in Go's
/// randomised order. Made by `into_iter` (a `for` loop over a map). Entries
/// not produced are dropped with the iterator.
///
/// ```
/// use gort_hmap::HMap;
///
/// let m: HMap<String, i32> = HMap::from([("a".to_string(), 1)]);
/// let v: Vec<(String, i32)> = m.into_iter().collect();
/// assert_eq!(v, [("a".to_string(), 1)]);
/// ```
pub struct IntoIter<K, V> {
    raw: RawIter<K, V>,
    #[expect(
        dead_code,
        reason = "owned for its destructor, which drops the entries not produced"
    )]
    table: RawTable<K, V>,
}

impl<K, V> IntoIter<K, V> {
    pub(crate) fn new(table: RawTable<K, V>) -> Self {
        IntoIter {
            raw: RawIter::new(&table),
            table,
        }
    }

    /// The entries not produced yet.
    pub(crate) fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            raw: self.raw.clone(),
            marker: PhantomData,
        }
    }
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        // SAFETY: we own the table; the iterator only marks produced slots.
        unsafe { self.raw.next_slot().map(|s| take(s)) }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.raw.remaining, Some(self.raw.remaining))
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}
impl<K, V> FusedIterator for IntoIter<K, V> {}

impl<K, V> Default for IntoIter<K, V> {
    /// An iterator that produces nothing.
    fn default() -> Self {
        IntoIter::new(RawTable::new())
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A draining iterator over the entries of an [`HMap`](crate::HMap). Made
/// by [`HMap::drain`](crate::HMap::drain).
///
/// The map is empty from the moment `drain` returns. Dropping the iterator
/// drops the entries it did not produce and hands the bucket array back to
/// the map for reuse; forgetting it (`mem::forget`) leaks them and leaves the
/// map empty.
///
/// ```
/// use gort_hmap::HMap;
///
/// let mut m: HMap<u32, u32> = (0..100).map(|i| (i, i)).collect();
/// let sum: u32 = m.drain().map(|(_, v)| v).sum();
/// assert_eq!(sum, 4950);
/// assert!(m.is_empty());
/// ```
pub struct Drain<'a, K, V> {
    raw: RawIter<K, V>,
    table: RawTable<K, V>,
    home: &'a mut RawTable<K, V>,
}

impl<'a, K, V> Drain<'a, K, V> {
    pub(crate) fn new(home: &'a mut RawTable<K, V>) -> Self {
        let table = core::mem::replace(home, RawTable::new());
        Drain {
            raw: RawIter::new(&table),
            table,
            home,
        }
    }

    /// The entries not produced yet.
    pub(crate) fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            raw: self.raw.clone(),
            marker: PhantomData,
        }
    }
}

impl<K, V> Iterator for Drain<'_, K, V> {
    type Item = (K, V);

    #[inline]
    fn next(&mut self) -> Option<(K, V)> {
        // SAFETY: the drained table is ours; the iterator only marks produced slots.
        unsafe { self.raw.next_slot().map(|s| take(s)) }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.raw.remaining, Some(self.raw.remaining))
    }
}

impl<K, V> ExactSizeIterator for Drain<'_, K, V> {}
impl<K, V> FusedIterator for Drain<'_, K, V> {}

impl<K, V> Drop for Drain<'_, K, V> {
    fn drop(&mut self) {
        // If a destructor panics, `clear_all` still finishes the reset; the
        // table is then dropped with the iterator and the map keeps its
        // fresh empty table.
        self.table.clear_all();
        core::mem::swap(&mut self.table, self.home);
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Drain<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
