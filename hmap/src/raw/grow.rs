//! Incremental growth: ports of `hashGrow`, `growWork`, `evacuate` and
//! `advanceEvacuationMark` (runtime/map.go).
//!
//! `hashGrow` only allocates the new array. Every later insert or delete
//! evacuates the old bucket its key maps to plus old bucket `nevacuate`
//! (`growWork`), so at most two old buckets move per operation and no
//! operation ever rehashes the whole table.
//!
//! Deviation for panic safety: Go decides "evacuated" from slot 0 of the old
//! head, so a bucket left half-moved would be skipped forever. `evacuate`
//! therefore runs in two passes: the first hashes every live key of the chain
//! (the only user code) and only records X-or-Y decisions; the second moves
//! the entries and marks the slots, and cannot panic. A panicking `Hash`
//! leaves the bucket untouched and the table valid.

use super::RawTable;
use crate::bucket::{self, BucketPtr};
use crate::tophash::{BUCKET_CNT, EVACUATED_EMPTY, EVACUATED_X, EVACUATED_Y, Group, evacuated};

/// How far `advanceEvacuationMark` may scan past evacuated buckets in one step.
const MAX_MARK_SCAN: usize = 1024;

/// One X-or-Y bit per slot of an old chain (set: the entry goes to Y), one
/// byte per bucket of the chain. Chains of up to 4 buckets fit inline;
/// longer ones (only colliding hashes build them) spill to the heap.
struct YBits {
    inline: [u8; 4],
    heap: Vec<u8>,
    len: usize,
}

impl YBits {
    fn new() -> Self {
        YBits {
            inline: [0; 4],
            heap: Vec::new(),
            len: 0,
        }
    }

    /// Appends the bits of the next bucket of the chain.
    fn push(&mut self, bits: u8) {
        if self.len < self.inline.len() {
            self.inline[self.len] = bits;
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(bits);
        }
        self.len += 1;
    }

    /// The bits of bucket `n` of the chain.
    fn get(&self, n: usize) -> u8 {
        if self.heap.is_empty() {
            self.inline[n]
        } else {
            self.heap[n]
        }
    }
}

/// Where evacuated entries of one half go: a bucket of the new array and its
/// next free slot. Port of `evacDst`.
struct EvacDst<K, V> {
    b: BucketPtr<K, V>,
    i: usize,
}

impl<K, V> RawTable<K, V> {
    /// Starts a growth: doubling if one more entry would overload the table,
    /// else a same-size rebuild that compacts the overflow chains. Only
    /// allocates; no entry moves. Port of `hashGrow` (called only from the
    /// insert path, outside a growth).
    pub(super) fn hash_grow(&mut self) {
        debug_assert!(!self.growing());
        let bigger = u8::from(super::over_load_factor(self.count + 1, self.b));
        if bigger == 0 {
            self.same_size_grow = true;
        }
        let reserve = if bigger == 1 {
            self.take_reserve()
        } else {
            None
        };
        let fresh = reserve.unwrap_or_else(|| bucket::alloc_array_or_abort(self.b + bigger));
        self.oldbuckets = self.buckets;
        self.install_array(self.b + bigger, fresh);
        self.nevacuate = 0;
        self.noverflow = 0;
        self.begin_release();
    }

    /// Evacuates the old bucket that `bucket` (an index of the current array)
    /// maps to, then, if the growth is not over, old bucket `nevacuate`.
    /// Port of `growWork`.
    pub(super) fn grow_work(&mut self, bucket: usize, hasher: &impl Fn(&K) -> u64) {
        self.evacuate(bucket & self.oldbucketmask(), hasher);
        if self.growing() {
            self.evacuate(self.nevacuate, hasher);
        }
        self.release_behind_mark();
    }

    /// Moves every entry of old bucket `oldbucket`'s chain to the current
    /// array: to bucket `oldbucket` (X) or, in a doubling, to
    /// `oldbucket + newbit` (Y) by the hash bit `newbit`, keeping their
    /// order; marks each old slot `evacuatedX`/`evacuatedY`/`evacuatedEmpty`
    /// and frees the chain's separately allocated overflow buckets. Then
    /// advances the evacuation mark if this was bucket `nevacuate`.
    /// Port of `evacuate` (panic-safe in two passes, see the module docs).
    ///
    /// Keys are never compared here: Rust keys are `Eq`, so Go's branch for
    /// keys unequal to themselves (NaN) cannot occur.
    fn evacuate(&mut self, oldbucket: usize, hasher: &impl Fn(&K) -> u64) {
        let old = self.oldbuckets.expect("evacuate runs only during a growth");
        let new = self.buckets.expect("a growing table has buckets");
        let newbit = self.noldbuckets();
        // SAFETY: `oldbucket` is below the number of old buckets; the old
        // array and its chains are live while `oldbuckets` is set.
        let head = unsafe { old.add(oldbucket) };
        // SAFETY: as above; a bucket below `nevacuate` is not read.
        if self.old_bucket_readable(oldbucket) && !unsafe { evacuated(head.top(0)) } {
            let ybits = if self.same_size_grow {
                None
            } else {
                // SAFETY: `head` heads a live, not yet evacuated chain.
                Some(unsafe { Self::split(head, newbit, hasher) })
            };
            // A new bucket receives entries only from its old bucket, and
            // inserts reach it only after this evacuation.
            // SAFETY: the destination heads are in the current array and empty.
            unsafe { self.move_chain(head, new, oldbucket, newbit, ybits) };
            self.evacuations += 1;
        }
        if oldbucket == self.nevacuate {
            self.advance_evacuation_mark(newbit);
        }
    }

    /// Pass 1 of `evacuate`: hashes every live key of the chain and records
    /// which ones go to Y. Changes nothing, so a panic here is harmless.
    ///
    /// # Safety
    /// `head` heads a live chain of the old array.
    unsafe fn split(head: BucketPtr<K, V>, newbit: usize, hasher: &impl Fn(&K) -> u64) -> YBits {
        let mut bits = YBits::new();
        let mut b = Some(head);
        while let Some(c) = b {
            let mut y = 0u8;
            // SAFETY: live chain; full slots hold keys.
            unsafe {
                for i in c.group().match_full() {
                    if hasher(&*c.key(i)) as usize & newbit != 0 {
                        y |= 1 << i;
                    }
                }
                b = c.overflow();
            }
            bits.push(y);
        }
        bits
    }

    /// Pass 2 of `evacuate`: moves the entries, marks the old slots (a whole
    /// bucket's marks in one word), frees the old chain's separately
    /// allocated overflow buckets and unlinks them from the head (which keeps
    /// only its marks). Runs no user code.
    ///
    /// # Safety
    /// `head` heads a live, not yet evacuated chain of the old array; the
    /// destination heads are live and empty.
    unsafe fn move_chain(
        &mut self,
        head: BucketPtr<K, V>,
        new: BucketPtr<K, V>,
        oldbucket: usize,
        newbit: usize,
        ybits: Option<YBits>,
    ) {
        let old = self.oldbuckets.expect("growing");
        let old_b = self.old_b();
        // SAFETY: X and (when doubling) Y are heads of the current array.
        let mut xy = unsafe {
            [
                EvacDst {
                    b: new.add(oldbucket),
                    i: 0,
                },
                EvacDst {
                    b: new.add(oldbucket + if ybits.is_some() { newbit } else { 0 }),
                    i: 0,
                },
            ]
        };
        let (mut b, mut n) = (Some(head), 0);
        while let Some(c) = b {
            let y = ybits.as_ref().map_or(0, |bits| bits.get(n));
            let mut marks = Group::ALL_EVACUATED_EMPTY.0;
            // SAFETY: live chain; each full slot is moved into an empty slot
            // of a live destination, and its mark is written below, before
            // anything reads the old bucket again.
            unsafe {
                for i in c.group().match_full() {
                    let use_y = y & (1 << i) != 0;
                    let dst = &mut xy[usize::from(use_y)];
                    if dst.i == BUCKET_CNT {
                        dst.b = self.new_overflow(dst.b);
                        dst.i = 0;
                    }
                    dst.b.take_from(dst.i, c, i);
                    dst.i += 1;
                    let mark = if use_y { EVACUATED_Y } else { EVACUATED_X };
                    marks ^= u64::from(EVACUATED_EMPTY ^ mark) << (8 * i);
                }
                c.set_group(Group(marks));
                b = c.overflow();
            }
            n += 1;
        }
        // SAFETY: the chain is now only marks; its buckets outside the old
        // array were allocated alone and nothing else points to them.
        unsafe {
            let mut next = head.overflow();
            head.set_overflow(None);
            while let Some(c) = next {
                next = c.overflow();
                if !bucket::in_array(c, old, old_b) {
                    bucket::free_one(c);
                }
            }
        }
    }

    /// Moves `nevacuate` past the bucket just evacuated and past up to 1024
    /// more that inserts and deletes already evacuated; when every old bucket
    /// is done, ends the growth and frees the old array (a paged one over
    /// the next writes, see `paging.rs`). Port of
    /// `advanceEvacuationMark`.
    fn advance_evacuation_mark(&mut self, newbit: usize) {
        let old = self.oldbuckets.expect("growing");
        self.nevacuate += 1;
        let stop = (self.nevacuate + MAX_MARK_SCAN).min(newbit);
        // SAFETY: `nevacuate < stop <= newbit`, inside the old array.
        while self.nevacuate != stop && unsafe { evacuated(old.add(self.nevacuate).top(0)) } {
            self.nevacuate += 1;
        }
        if self.nevacuate == newbit {
            // SAFETY: every old bucket is evacuated: no live entry and no
            // separately allocated overflow bucket is left in the old array.
            unsafe { self.retire_old_array(old, self.old_b()) };
            self.oldbuckets = None;
            self.same_size_grow = false;
            self.schedule_paging();
        }
    }
}
