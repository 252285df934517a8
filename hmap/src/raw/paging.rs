//! Bucket memory around Go's growth, for paged arrays (see `pages.rs`):
//! the next doubling's array is populated ahead of it, and the old array is
//! released behind the evacuation mark. `hashGrow`, `growWork` and
//! `evacuate` do what Go's do; what changes is when pages are faulted in and
//! given back, and that no write does more than one step of either.
//!
//! - **Populate ahead.** Over the last sixteenth of the inserts before a
//!   doubling (`count` from `15/16` of the threshold on), the array of
//!   `B + 1` is allocated and populated one step at a time, evenly spaced in
//!   `count`; `hashGrow` then takes it instead of allocating. Populating
//!   along the evacuation sweep instead would not help: `growWork` moves the
//!   written key's own bucket first, so a growth writes all over the new
//!   array from its first insert. A map that stops growing inside that last
//!   sixteenth holds the populated array (twice its current one) until it
//!   grows, is cleared or shrunk, or is dropped.
//! - **Release behind.** During a growth, a write whose `growWork` leaves a
//!   whole step of the old array below bucket `nevacuate` gives it back;
//!   after the growth, each write gives back one more step (the
//!   preallocated overflow buckets at the array's end are only free then),
//!   and the last step frees the array. Readers therefore decide
//!   "evacuated" for old buckets below `nevacuate` from the index alone
//!   (Go's invariant: every old bucket below `nevacuate` is evacuated) and
//!   never read them.

use super::RawTable;
use crate::bucket::{self, BucketPtr, NewArray};
use crate::pages::{self, POPULATE_STEP, RELEASE_STEP};

/// Only the last `1 / 2^AHEAD_SHIFT` of the inserts before a doubling
/// populate its array.
const AHEAD_SHIFT: u32 = 4;

/// The next doubling's array, populated ahead of it.
struct Reserve<K, V> {
    array: NewArray<K, V>,
    /// `B` of the array: always the table's `B + 1`.
    b: u8,
    /// Steps populated so far (the first ones).
    populated: usize,
}

/// The last growth's old array, released after it.
struct Retiring<K, V> {
    base: BucketPtr<K, V>,
    b: u8,
    /// Steps released so far (the first ones).
    released: usize,
}

/// The paging state of a table.
pub(super) struct Paging<K, V> {
    /// Outside a growth, a write runs [`RawTable::page_step`] when
    /// `count >= step_at`: 0 while an array retires, else the count at
    /// which the reserve's next step is due, else `usize::MAX`.
    pub(super) step_at: usize,
    reserve: Option<Reserve<K, V>>,
    retiring: Option<Retiring<K, V>>,
    /// Steps of the old array released during the growth in progress.
    pub(super) old_released: usize,
    /// `growWork` releases the old array's next step once `nevacuate`
    /// reaches this (`usize::MAX`: not during this growth).
    release_at: usize,
    /// Test hooks: steps populated and released since the table was made.
    pub(super) populate_steps: u64,
    pub(super) release_steps: u64,
}

impl<K, V> Paging<K, V> {
    pub(super) fn new() -> Self {
        Paging {
            step_at: usize::MAX,
            reserve: None,
            retiring: None,
            old_released: 0,
            release_at: usize::MAX,
            populate_steps: 0,
            release_steps: 0,
        }
    }
}

/// Whether an array of `B` is paged.
fn paged<K, V>(b: u8) -> bool {
    pages::is_paged(bucket::array_bytes::<K, V>(b))
}

impl<K, V> RawTable<K, V> {
    /// Recomputes [`Paging::step_at`] after the table's shape changed.
    pub(super) fn schedule_paging(&mut self) {
        self.paging.step_at = if self.growing() {
            usize::MAX
        } else if self.paging.retiring.is_some() {
            0
        } else {
            self.next_populate_at()
        };
    }

    /// The count at which the reserve's next step is due. Steps are spaced
    /// as if the array spanned one more than its size needs (it may, as it
    /// need not start on a page), so that all are done before the doubling.
    fn next_populate_at(&self) -> usize {
        let b = self.b.saturating_add(1);
        if !paged::<K, V>(b) {
            return usize::MAX;
        }
        let most = bucket::array_bytes::<K, V>(b).div_ceil(POPULATE_STEP) + 1;
        let done = match &self.paging.reserve {
            Some(r) if r.populated == bucket::steps(r.array.base, r.b, POPULATE_STEP).count() => {
                return usize::MAX;
            }
            Some(r) => r.populated,
            None => 0,
        };
        let span = self.max_count >> AHEAD_SHIFT;
        self.max_count - span + done * span / most
    }

    /// One step of paging work outside a growth: release the next step of
    /// the retiring array (freeing it after the last), else populate the
    /// reserve's next step. Kept out of the write path.
    #[cold]
    #[inline(never)]
    pub(super) fn page_step(&mut self) {
        if let Some(r) = &mut self.paging.retiring {
            let steps = bucket::steps(r.base, r.b, RELEASE_STEP);
            // SAFETY: the growth that read this array is over; nothing
            // points into it.
            unsafe { pages::release(steps, r.released) };
            r.released += 1;
            self.paging.release_steps += 1;
            if r.released == steps.count() {
                let (base, b) = (r.base, r.b);
                self.paging.retiring = None;
                // SAFETY: as above; the array is not used again.
                unsafe { bucket::free_array(base, b) };
            }
        } else {
            self.populate_reserve();
        }
        self.schedule_paging();
    }

    /// Populates the reserve's next step, allocating the reserve first.
    fn populate_reserve(&mut self) {
        let b = self.b + 1;
        let reserve = match &mut self.paging.reserve {
            Some(r) => r,
            None => match bucket::alloc_array(b) {
                Ok(array) => self.paging.reserve.insert(Reserve {
                    array,
                    b,
                    populated: 0,
                }),
                // The doubling will allocate (and report failure) itself.
                Err(_) => return,
            },
        };
        // SAFETY: the reserve is live and nothing points into it;
        // `next_populate_at` only asks for steps below its count.
        unsafe {
            pages::populate(
                bucket::steps(reserve.array.base, b, POPULATE_STEP),
                reserve.populated,
            );
        }
        reserve.populated += 1;
        self.paging.populate_steps += 1;
    }

    /// The array for a doubling to `B + 1`: the reserve if there is one.
    pub(super) fn take_reserve(&mut self) -> Option<NewArray<K, V>> {
        let r = self.paging.reserve.take()?;
        debug_assert_eq!(r.b, self.b + 1);
        Some(r.array)
    }

    /// Starts releasing the old array of the growth that has just started.
    /// An array still retiring from the previous growth (possible only when
    /// a same-size growth follows within a few writes) is freed at once.
    pub(super) fn begin_release(&mut self) {
        if let Some(r) = self.paging.retiring.take() {
            // SAFETY: nothing points into a retiring array.
            unsafe { bucket::free_array(r.base, r.b) };
        }
        self.paging.old_released = 0;
        self.paging.release_at = self.next_release_at();
    }

    /// The `nevacuate` from which the old array's next step lies wholly
    /// below the mark, if that happens before the growth ends.
    fn next_release_at(&self) -> usize {
        let Some(old) = self.oldbuckets else {
            return usize::MAX;
        };
        let old_b = self.old_b();
        if !paged::<K, V>(old_b) {
            return usize::MAX;
        }
        let end = bucket::steps(old, old_b, RELEASE_STEP).end_of(self.paging.old_released);
        let at = end.div_ceil(bucket::Shape::<K, V>::SIZE);
        if at < self.noldbuckets() {
            at
        } else {
            usize::MAX
        }
    }

    /// Releases the old array's next step if it now lies wholly below
    /// bucket `nevacuate`. Called once per `growWork`.
    #[inline]
    pub(super) fn release_behind_mark(&mut self) {
        if self.nevacuate >= self.paging.release_at {
            self.release_old_step();
        }
    }

    #[cold]
    #[inline(never)]
    fn release_old_step(&mut self) {
        let old = self
            .oldbuckets
            .expect("a release is due only during a growth");
        let steps = bucket::steps(old, self.old_b(), RELEASE_STEP);
        // SAFETY: every bucket of the step is an old head below `nevacuate`,
        // which no reader looks at (module docs).
        unsafe { pages::release(steps, self.paging.old_released) };
        self.paging.old_released += 1;
        self.paging.release_steps += 1;
        self.paging.release_at = self.next_release_at();
    }

    /// Disposes of the old array when its growth ends: a paged one retires
    /// (released by the next writes), another is freed now.
    ///
    /// # Safety
    /// Every bucket of `old` (an array of `old_b`) is evacuated.
    pub(super) unsafe fn retire_old_array(&mut self, old: BucketPtr<K, V>, old_b: u8) {
        if paged::<K, V>(old_b) {
            self.paging.retiring = Some(Retiring {
                base: old,
                b: old_b,
                released: self.paging.old_released,
            });
        } else {
            // SAFETY: no live entry or outside overflow bucket is left (caller).
            unsafe { bucket::free_array(old, old_b) };
        }
    }

    /// Frees the reserve and the retiring array (for `clear` and drop).
    pub(super) fn free_paging(&mut self) {
        if let Some(r) = self.paging.reserve.take() {
            // SAFETY: the reserve holds no entry and nothing points into it.
            unsafe { bucket::free_array(r.array.base, r.b) };
        }
        if let Some(r) = self.paging.retiring.take() {
            // SAFETY: nothing points into a retiring array.
            unsafe { bucket::free_array(r.base, r.b) };
        }
    }

    /// Whether old bucket `ob` may be read: not below `nevacuate`, where
    /// buckets are evacuated and may have been released.
    #[inline]
    pub(super) fn old_bucket_readable(&self, ob: usize) -> bool {
        ob >= self.nevacuate
    }

    /// Whether old bucket `ob` has bytes in a step already released (for
    /// the invariant check, which reads every other old bucket).
    pub(super) fn old_bucket_released(&self, ob: usize) -> bool {
        let (Some(old), Some(done)) = (self.oldbuckets, self.paging.old_released.checked_sub(1))
        else {
            return false;
        };
        let released = bucket::steps(old, self.old_b(), RELEASE_STEP).end_of(done);
        ob * bucket::Shape::<K, V>::SIZE < released
    }

    /// Test hook: (steps populated, steps) of the reserve.
    pub(super) fn reserve_progress(&self) -> Option<(usize, usize)> {
        let r = self.paging.reserve.as_ref()?;
        Some((
            r.populated,
            bucket::steps(r.array.base, r.b, POPULATE_STEP).count(),
        ))
    }

    /// Test hook: (steps released, steps) of the retiring array.
    pub(super) fn retiring_progress(&self) -> Option<(usize, usize)> {
        let r = self.paging.retiring.as_ref()?;
        Some((r.released, bucket::steps(r.base, r.b, RELEASE_STEP).count()))
    }
}
