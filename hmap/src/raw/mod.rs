//! Go's `hmap` (runtime/map.go, go1.23): the untyped-hash core of the map.
//!
//! The raw table knows nothing of hashing: callers pass the hash of the key
//! they ask about, an equality test, and (for operations that may evacuate a
//! bucket) a function that hashes stored keys. All unsafe code of the crate
//! lives in this module and in `bucket.rs`.
//!
//! Go's `flags` shrink to `same_size_grow`: `hashWriting` is replaced by
//! `&mut self` (the borrow checker proves there is no concurrent writer), and
//! `iterator`/`oldIterator` are not needed because no iterator can be alive
//! while the table changes (an iterator borrows the table), so evacuation may
//! always free what it empties and iteration never sees a write.
//! Go's `extra.overflow`/`oldoverflow` lists existed to keep overflow buckets
//! alive for the garbage collector; here an overflow bucket allocated alone is
//! found by walking its chain and freed when its chain is evacuated, cleared
//! or dropped.

mod check;
mod clear;
mod clone;
mod entry;
mod find;
mod grow;
mod iter;
mod paging;
mod resize;
mod retain;

pub use check::Stats;
pub(crate) use entry::{RawEntry, RawOccupied, RawVacant};
pub use iter::{Drain, IntoIter, Iter, IterMut};

use crate::bucket::{self, BucketPtr};
use crate::tophash::{BUCKET_CNT, evacuated};
use core::marker::PhantomData;

/// Numerator of the load factor 6.5 (`loadFactorNum`).
const LOAD_FACTOR_NUM: usize = 13;
/// Denominator of the load factor 6.5 (`loadFactorDen`).
const LOAD_FACTOR_DEN: usize = 2;

/// Go's `hmap`.
pub(crate) struct RawTable<K, V> {
    /// Live entries.
    count: usize,
    /// The table has `2^b` buckets (Go's `B`).
    b: u8,
    /// The growth in progress keeps the size (Go's `sameSizeGrow` flag).
    same_size_grow: bool,
    /// Approximate number of overflow buckets (see `incr_noverflow`).
    noverflow: u16,
    /// The per-map seed mixed into every hash (Go's `hash0`).
    hash0: u64,
    /// `overLoadFactor(count, b)` holds exactly when `count > max_count`
    /// (memoised from `b`).
    max_count: usize,
    /// `tooManyOverflowBuckets(noverflow, b)` holds exactly when
    /// `noverflow >= max_noverflow` (memoised from `b`).
    max_noverflow: u16,
    /// The array of `2^b` buckets; `None` until the first insert.
    buckets: Option<BucketPtr<K, V>>,
    /// The previous array while a growth is in progress.
    oldbuckets: Option<BucketPtr<K, V>>,
    /// Every old bucket below this index has been evacuated.
    nevacuate: usize,
    /// The next free preallocated overflow bucket of `buckets`
    /// (Go's `extra.nextOverflow`).
    next_overflow: Option<BucketPtr<K, V>>,
    /// Old buckets evacuated so far: a test hook, never read by the map.
    evacuations: u64,
    /// Page-level work on large arrays (see `paging.rs`).
    paging: paging::Paging<K, V>,
    /// The table owns keys and values of these types: this decides its
    /// auto traits (`Send`/`Sync` exactly when `K` and `V` are) and tells
    /// the drop checker that dropping it drops them.
    marker: PhantomData<(K, V)>,
}

/// Whether `count` entries overload `2^b` buckets. Port of `overLoadFactor`
/// (Go's integer arithmetic, so the thresholds are exactly Go's: 8, 13, 26,
/// 52, 104, ...).
pub(crate) fn over_load_factor(count: usize, b: u8) -> bool {
    count > BUCKET_CNT && count > LOAD_FACTOR_NUM.saturating_mul(bucket_shift(b) / LOAD_FACTOR_DEN)
}

/// A table of `2^b` buckets has too many overflow buckets, and should be
/// rebuilt at the same size, once `noverflow` reaches this. Port of
/// `tooManyOverflowBuckets` (which caps `b` at 15 to fit `uint16`).
fn max_noverflow(b: u8) -> u16 {
    1 << b.min(15)
}

/// `2^b`, saturating for absurd `b`. Port of `bucketShift`.
fn bucket_shift(b: u8) -> usize {
    1usize.checked_shl(u32::from(b)).unwrap_or(usize::MAX)
}

/// The largest count that does not overload `2^b` buckets.
fn max_count(b: u8) -> usize {
    BUCKET_CNT.max(LOAD_FACTOR_NUM.saturating_mul(bucket_shift(b) / LOAD_FACTOR_DEN))
}

/// The smallest `B` that holds `count` entries without overload (the loop in
/// `makemap`).
pub(crate) fn b_for(count: usize) -> u8 {
    let mut b = 0;
    while over_load_factor(count, b) {
        b += 1;
    }
    b
}

/// Go's per-M `rand()`.
fn rand() -> u64 {
    fastrand::u64(..)
}

/// One chain of buckets: its head and the array it belongs to.
pub(crate) struct Chain<K, V> {
    head: BucketPtr<K, V>,
    base: BucketPtr<K, V>,
    b: u8,
}

/// Visits every chain that can hold live entries, in a fixed order: the old
/// buckets not yet evacuated, then every chain of the current array.
///
/// The cursor keeps only an index, so the table may change between steps as
/// long as its arrays and growth state do not.
#[derive(Default)]
pub(crate) struct ChainCursor {
    next: usize,
}

impl ChainCursor {
    pub(crate) fn next<K, V>(&mut self, t: &RawTable<K, V>) -> Option<Chain<K, V>> {
        loop {
            let nold = if t.oldbuckets.is_some() {
                t.noldbuckets()
            } else {
                0
            };
            let i = self.next;
            self.next += 1;
            if let (Some(base), true) = (t.oldbuckets, i < nold) {
                // SAFETY: `i` is below the number of old buckets.
                let head = unsafe { base.add(i) };
                // SAFETY: the old array is live while `oldbuckets` is set;
                // a bucket below `nevacuate` is not read.
                if !t.old_bucket_readable(i) || unsafe { evacuated(head.top(0)) } {
                    continue;
                }
                return Some(Chain {
                    head,
                    base,
                    b: t.old_b(),
                });
            }
            let base = t.buckets?;
            let j = i - nold;
            if j >= bucket_shift(t.b) {
                self.next -= 1;
                return None;
            }
            // SAFETY: `j` is below `2^B`, a head of the current array.
            let head = unsafe { base.add(j) };
            return Some(Chain { head, base, b: t.b });
        }
    }
}

impl<K, V> RawTable<K, V> {
    /// An empty table that allocates nothing until the first insert.
    /// Port of `makemap_small`.
    pub(crate) fn new() -> Self {
        RawTable {
            count: 0,
            b: 0,
            same_size_grow: false,
            noverflow: 0,
            hash0: rand(),
            max_count: max_count(0),
            max_noverflow: 1,
            buckets: None,
            oldbuckets: None,
            nevacuate: 0,
            next_overflow: None,
            evacuations: 0,
            paging: paging::Paging::new(),
            marker: PhantomData,
        }
    }

    /// A table sized for `hint` entries. Port of `makemap`: a hint whose
    /// memory would not fit in the address space is ignored (Go's rule for
    /// bogus hints); unlike Go, a non-zero hint that fits in one bucket still
    /// allocates it, so that `capacity() >= hint` as std promises.
    pub(crate) fn with_capacity(hint: usize) -> Self {
        let bucket_size = bucket::Shape::<K, V>::SIZE;
        let hint = match hint.checked_mul(bucket_size) {
            Some(bytes) if bytes <= isize::MAX as usize => hint,
            _ => 0,
        };
        let mut t = Self::new();
        if hint > 0 {
            t.install_array(b_for(hint), bucket::alloc_array_or_abort(b_for(hint)));
        }
        t
    }

    /// Makes a freshly allocated array of `B` the current one.
    fn install_array(&mut self, b: u8, array: bucket::NewArray<K, V>) {
        self.b = b;
        self.max_count = max_count(b);
        self.max_noverflow = max_noverflow(b);
        self.buckets = Some(array.base);
        self.next_overflow = array.next_overflow;
        self.schedule_paging();
    }

    /// Live entries.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The per-map seed to mix into hashes.
    pub(crate) fn hash0(&self) -> u64 {
        self.hash0
    }

    /// How many entries fit before the load factor asks for a doubling.
    pub(crate) fn capacity(&self) -> usize {
        match self.buckets {
            None => 0,
            Some(_) => self.max_count,
        }
    }

    /// Whether one more entry overloads the table or overflow buckets piled
    /// up: `overLoadFactor(count+1, B) || tooManyOverflowBuckets(noverflow, B)`,
    /// the test `mapassign` runs before inserting a new key.
    #[inline]
    fn needs_growth(&self) -> bool {
        self.count + 1 > self.max_count || self.noverflow >= self.max_noverflow
    }

    /// Whether a growth is in progress. Port of `growing`.
    pub(crate) fn growing(&self) -> bool {
        self.oldbuckets.is_some()
    }

    /// `B` of the old array.
    fn old_b(&self) -> u8 {
        if self.same_size_grow {
            self.b
        } else {
            self.b - 1
        }
    }

    /// Number of old buckets. Port of `noldbuckets`.
    fn noldbuckets(&self) -> usize {
        bucket_shift(self.old_b())
    }

    /// Port of `oldbucketmask`.
    fn oldbucketmask(&self) -> usize {
        self.noldbuckets() - 1
    }

    /// `2^B - 1`. Port of `bucketMask`.
    #[inline]
    fn mask(&self) -> usize {
        (1 << self.b) - 1
    }

    /// Counts one more overflow bucket: exactly while `B < 16`, then with
    /// probability `1/2^(B-15)`, so that `noverflow` stays comparable to
    /// `2^min(B, 15)`. Port of `incrnoverflow`.
    fn incr_noverflow(&mut self) {
        if self.b < 16 {
            self.noverflow += 1;
            return;
        }
        let mask = (1u64 << (self.b - 15)) - 1;
        if rand() & mask == 0 {
            self.noverflow += 1;
        }
    }

    /// Links a new overflow bucket after `last`, the tail of a chain of the
    /// current array, from the preallocated ones if any is left. Port of
    /// `newoverflow`.
    ///
    /// # Safety
    /// `last` is a live bucket of the current array's chains with no overflow.
    unsafe fn new_overflow(&mut self, last: BucketPtr<K, V>) -> BucketPtr<K, V> {
        let ovf = match self.next_overflow {
            Some(n) => {
                // SAFETY: `n` is a preallocated bucket of the live current
                // array; only the last one has a (sentinel) overflow pointer.
                unsafe {
                    if n.overflow().is_none() {
                        self.next_overflow = Some(n.add(1));
                    } else {
                        n.set_overflow(None);
                        self.next_overflow = None;
                    }
                }
                n
            }
            None => bucket::alloc_one(),
        };
        self.incr_noverflow();
        // SAFETY: `last` is live (caller).
        unsafe { last.set_overflow(Some(ovf)) };
        ovf
    }

    /// Allocates the single bucket of a table's first insert (Go's
    /// `h.buckets = newobject(t.Bucket)` in `mapassign`).
    fn ensure_buckets(&mut self) -> BucketPtr<K, V> {
        if let Some(b) = self.buckets {
            return b;
        }
        self.install_array(0, bucket::alloc_array_or_abort(0));
        self.buckets.expect("just installed")
    }

    /// Test hook: the number of old buckets evacuated since the table was made.
    pub(crate) fn evacuations(&self) -> u64 {
        self.evacuations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_factor_thresholds_are_go_s() {
        // TestLoadFactor: 13*2^b/2 entries fit (8 for b = 0), one more does not.
        for b in 0..20u8 {
            let count = (13 * (1usize << b) / 2).max(8);
            assert!(!over_load_factor(count, b), "b={b}");
            assert!(over_load_factor(count + 1, b), "b={b}");
        }
        let thresholds: Vec<usize> = (0..5)
            .map(|b| (0..).find(|&c| over_load_factor(c + 1, b)).unwrap())
            .collect();
        assert_eq!(thresholds, [8, 13, 26, 52, 104]);
    }

    /// Go's `tooManyOverflowBuckets`, written as Go writes it.
    fn too_many_overflow_buckets(noverflow: u16, b: u8) -> bool {
        let b = if b > 15 { 15 } else { b };
        noverflow >= 1u16 << (b & 15)
    }

    #[test]
    fn too_many_overflow_buckets_caps_at_b15() {
        assert!(!too_many_overflow_buckets(0, 0));
        assert!(too_many_overflow_buckets(1, 0));
        assert!(!too_many_overflow_buckets(15, 4));
        assert!(too_many_overflow_buckets(16, 4));
        assert!(!too_many_overflow_buckets(32767, 20));
        assert!(too_many_overflow_buckets(32768, 20));
        assert_eq!(max_noverflow(20), 32768);
    }

    #[test]
    fn memoised_predicates_are_go_s() {
        for b in 0..64u8 {
            let mut t: RawTable<u8, u8> = RawTable::new();
            t.max_count = max_count(b);
            t.max_noverflow = max_noverflow(b);
            t.b = b;
            let edge = max_count(b);
            for count in [
                0,
                1,
                7,
                8,
                9,
                edge.saturating_sub(1),
                edge,
                edge.saturating_add(1),
            ] {
                t.count = count.min(usize::MAX - 1);
                for nov in [0u16, 1, (1 << b.min(15)) - 1, 1 << b.min(15), u16::MAX] {
                    t.noverflow = nov;
                    let go = over_load_factor(t.count + 1, b) || too_many_overflow_buckets(nov, b);
                    assert_eq!(t.needs_growth(), go, "b={b} count={count} nov={nov}");
                }
            }
        }
    }

    #[test]
    fn b_for_matches_makemap() {
        assert_eq!(b_for(0), 0);
        assert_eq!(b_for(8), 0);
        assert_eq!(b_for(9), 1);
        assert_eq!(b_for(13), 1);
        assert_eq!(b_for(14), 2);
        assert_eq!(b_for(53), 4);
        assert!(b_for(usize::MAX) < 64);
    }
}
