//! The bucket (Go's `bmap`) and bucket arrays (runtime/map.go).
//!
//! A bucket holds 8 tophash bytes, then the 8 keys, then the 8 values, then
//! the overflow pointer: keys and values are packed separately so that no
//! padding is wasted between a key and its value (a `Bucket<u64, u64>` is
//! 144 bytes, as Go's `map[int64]int64` bucket).
//!
//! All of a bucket's memory starts zeroed: tophash 0 is `emptyRest` and a
//! null overflow pointer ends the chain, so a zeroed bucket is an empty one
//! and new arrays come from `alloc_zeroed` (the kernel's lazy zeroing spreads
//! the cost of a big array over the inserts that touch it).
//!
//! Invariants the rest of the crate relies on:
//! - a slot's key and value are initialised exactly when its tophash is at
//!   least `MIN_TOP_HASH`;
//! - a bucket array of `B` holds `2^B` chain heads followed, when `B >= 4`,
//!   by `2^(B-4)` preallocated overflow buckets, the last of which carries a
//!   non-null sentinel overflow pointer until it is handed out;
//! - every overflow bucket outside its array's range was allocated alone by
//!   [`alloc_one`] and is freed alone by [`free_one`].

use crate::error::TryReserveError;
use crate::tophash::{BUCKET_CNT, Group};
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use std::alloc::{self, Layout};

/// Go's `bmap`, with its implicit fields made explicit.
#[repr(C)]
pub(crate) struct Bucket<K, V> {
    tophash: [u8; BUCKET_CNT],
    keys: [MaybeUninit<K>; BUCKET_CNT],
    vals: [MaybeUninit<V>; BUCKET_CNT],
    overflow: Option<NonNull<Bucket<K, V>>>,
}

/// A pointer to a bucket inside a live bucket array or overflow allocation.
///
/// Every `unsafe fn` here requires that the pointer is live (its array or
/// allocation not freed) and that no reference to the touched field exists
/// that the access would invalidate; slot accessors also require `i < 8`.
pub(crate) struct BucketPtr<K, V>(NonNull<Bucket<K, V>>);

// SAFETY: a `BucketPtr` is only an address: every access through it is an
// `unsafe fn` whose caller holds the borrow or ownership of the table, and
// that owner's `Send`/`Sync` (decided by its keys and values) is what counts.
unsafe impl<K, V> Send for BucketPtr<K, V> {}
// SAFETY: as above.
unsafe impl<K, V> Sync for BucketPtr<K, V> {}

impl<K, V> Clone for BucketPtr<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K, V> Copy for BucketPtr<K, V> {}
impl<K, V> PartialEq for BucketPtr<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<K, V> Eq for BucketPtr<K, V> {}

impl<K, V> BucketPtr<K, V> {
    fn raw(self) -> *mut Bucket<K, V> {
        self.0.as_ptr()
    }

    /// The bucket `n` places after this one in the same array.
    ///
    /// # Safety
    /// The result must stay inside the array this bucket belongs to.
    #[inline]
    pub(crate) unsafe fn add(self, n: usize) -> Self {
        // SAFETY: the caller keeps the result inside the same allocation.
        BucketPtr(unsafe { self.0.add(n) })
    }

    /// The 8 tophash bytes as one word.
    ///
    /// # Safety
    /// The bucket is live.
    #[inline]
    pub(crate) unsafe fn group(self) -> Group {
        // SAFETY: live bucket; the tophash array is plain bytes, always initialised.
        Group(u64::from_le_bytes(unsafe { (*self.raw()).tophash }))
    }

    /// Overwrites all 8 tophash bytes.
    ///
    /// # Safety
    /// The bucket is live; the new states agree with which slots are initialised.
    #[inline]
    pub(crate) unsafe fn set_group(self, g: Group) {
        // SAFETY: live bucket, exclusive access guaranteed by the caller.
        unsafe { (*self.raw()).tophash = g.0.to_le_bytes() };
    }

    /// The tophash of slot `i`.
    ///
    /// # Safety
    /// The bucket is live and `i < 8`.
    #[inline]
    pub(crate) unsafe fn top(self, i: usize) -> u8 {
        // SAFETY: live bucket, `i < 8`.
        unsafe { *(&raw const (*self.raw()).tophash).cast::<u8>().add(i) }
    }

    /// Sets the tophash of slot `i`.
    ///
    /// # Safety
    /// The bucket is live, `i < 8`, and the new state agrees with whether the
    /// slot's key and value are initialised.
    #[inline]
    pub(crate) unsafe fn set_top(self, i: usize, top: u8) {
        // SAFETY: live bucket, `i < 8`.
        unsafe { *(&raw mut (*self.raw()).tophash).cast::<u8>().add(i) = top };
    }

    /// The key slot `i`.
    ///
    /// # Safety
    /// The bucket is live and `i < 8`.
    #[inline]
    pub(crate) unsafe fn key(self, i: usize) -> *mut K {
        // SAFETY: live bucket, `i < 8`: in bounds of the keys array.
        unsafe { (&raw mut (*self.raw()).keys).cast::<K>().add(i) }
    }

    /// The value slot `i`.
    ///
    /// # Safety
    /// The bucket is live and `i < 8`.
    #[inline]
    pub(crate) unsafe fn val(self, i: usize) -> *mut V {
        // SAFETY: live bucket, `i < 8`: in bounds of the values array.
        unsafe { (&raw mut (*self.raw()).vals).cast::<V>().add(i) }
    }

    /// The next bucket of the chain. Port of `bmap.overflow`.
    ///
    /// # Safety
    /// The bucket is live.
    #[inline]
    pub(crate) unsafe fn overflow(self) -> Option<Self> {
        // SAFETY: live bucket.
        unsafe { (*self.raw()).overflow.map(BucketPtr) }
    }

    /// Links `next` after this bucket. Port of `bmap.setoverflow`.
    ///
    /// # Safety
    /// The bucket is live.
    #[inline]
    pub(crate) unsafe fn set_overflow(self, next: Option<Self>) {
        // SAFETY: live bucket.
        unsafe { (*self.raw()).overflow = next.map(|b| b.0) };
    }

    /// Moves the entry of slot `i` of `src` into slot `j` of this bucket,
    /// tophash included; `src`'s slot is left with stale bytes for the caller
    /// to mark.
    ///
    /// # Safety
    /// Both buckets are live, `i, j < 8`, `src`'s slot is live, ours is empty.
    #[inline]
    pub(crate) unsafe fn take_from(self, j: usize, src: Self, i: usize) {
        // SAFETY: distinct live slots (a slot is never both empty and live);
        // the entry is moved bitwise and the source is no longer counted as live.
        unsafe {
            self.key(j).copy_from_nonoverlapping(src.key(i), 1);
            self.val(j).copy_from_nonoverlapping(src.val(i), 1);
            self.set_top(j, src.top(i));
        }
    }

    /// The address, for range tests.
    pub(crate) fn addr(self) -> usize {
        self.0.as_ptr() as usize
    }
}

/// Number of buckets in an array of `B`: `2^B` heads plus, from `B = 4` on,
/// `2^(B-4)` preallocated overflow buckets. Port of the count computed by
/// `makeBucketArray` (without Go's rounding up to a malloc size class).
pub(crate) fn array_len(b: u8) -> usize {
    let base = 1usize << b;
    if b >= 4 { base + (base >> 4) } else { base }
}

fn array_layout<K, V>(b: u8) -> Result<Layout, TryReserveError> {
    if u32::from(b) >= usize::BITS - 1 {
        return Err(TryReserveError::CapacityOverflow);
    }
    Layout::array::<Bucket<K, V>>(array_len(b)).map_err(|_| TryReserveError::CapacityOverflow)
}

/// A freshly allocated bucket array.
pub(crate) struct NewArray<K, V> {
    /// The first bucket.
    pub(crate) base: BucketPtr<K, V>,
    /// The first preallocated overflow bucket, if the array has any.
    pub(crate) next_overflow: Option<BucketPtr<K, V>>,
}

/// Allocates a zeroed array of `B`. Port of `makeBucketArray` (fresh memory).
pub(crate) fn alloc_array<K, V>(b: u8) -> Result<NewArray<K, V>, TryReserveError> {
    let layout = array_layout::<K, V>(b)?;
    // SAFETY: the layout is non-zero-sized (a bucket holds at least its
    // tophash bytes and overflow pointer).
    let ptr = unsafe { alloc::alloc_zeroed(layout) };
    let base = NonNull::new(ptr.cast::<Bucket<K, V>>())
        .map(BucketPtr)
        .ok_or(TryReserveError::AllocError { layout })?;
    // SAFETY: the array was just allocated with `array_len(b)` buckets.
    let next_overflow = unsafe { mark_preallocated(base, b) };
    Ok(NewArray {
        base,
        next_overflow,
    })
}

/// Like [`alloc_array`], but reports failure as `reserve` does: a panic on
/// capacity overflow, `handle_alloc_error` on allocation failure.
pub(crate) fn alloc_array_or_abort<K, V>(b: u8) -> NewArray<K, V> {
    alloc_array(b).unwrap_or_else(|e| e.fail())
}

/// Zeroes a whole array of `B` for reuse and returns its first preallocated
/// overflow bucket. Port of `makeBucketArray` with `dirtyalloc`.
///
/// # Safety
/// `base` is a live array of `B` with no live entry and no chain that leads
/// outside it.
pub(crate) unsafe fn reset_array<K, V>(base: BucketPtr<K, V>, b: u8) -> Option<BucketPtr<K, V>> {
    // SAFETY: the array holds `array_len(b)` buckets; all-zero bytes are a
    // valid empty bucket (no live slot, null overflow pointer).
    unsafe {
        base.raw().write_bytes(0, array_len(b));
        mark_preallocated(base, b)
    }
}

/// Sets the sentinel of the last preallocated overflow bucket and returns the
/// first one, if the array has any.
///
/// # Safety
/// `base` is a live, zeroed array of `B`.
unsafe fn mark_preallocated<K, V>(base: BucketPtr<K, V>, b: u8) -> Option<BucketPtr<K, V>> {
    let len = array_len(b);
    let heads = 1usize << b;
    if len == heads {
        return None;
    }
    // SAFETY: both indexes are below `len`, inside the array.
    unsafe {
        base.add(len - 1).set_overflow(Some(base));
        Some(base.add(heads))
    }
}

/// Frees an array of `B`.
///
/// # Safety
/// `base` came from [`alloc_array`] with the same `B`, every entry in it has
/// been moved out or dropped, and it is not used again.
pub(crate) unsafe fn free_array<K, V>(base: BucketPtr<K, V>, b: u8) {
    let layout = array_layout::<K, V>(b).expect("the array was allocated with this layout");
    // SAFETY: allocated by `alloc_zeroed` with this layout.
    unsafe { alloc::dealloc(base.raw().cast(), layout) };
}

/// Whether `bucket` lies inside the array of `B` starting at `base` (a head or
/// a preallocated overflow bucket), rather than being allocated alone.
pub(crate) fn in_array<K, V>(bucket: BucketPtr<K, V>, base: BucketPtr<K, V>, b: u8) -> bool {
    let start = base.addr();
    let end = start + array_len(b) * size_of::<Bucket<K, V>>();
    (start..end).contains(&bucket.addr())
}

/// Allocates one zeroed overflow bucket (Go's `newobject(t.Bucket)`).
pub(crate) fn alloc_one<K, V>() -> BucketPtr<K, V> {
    let layout = Layout::new::<Bucket<K, V>>();
    // SAFETY: a bucket is never zero-sized.
    let ptr = unsafe { alloc::alloc_zeroed(layout) };
    match NonNull::new(ptr.cast::<Bucket<K, V>>()) {
        Some(p) => BucketPtr(p),
        None => alloc::handle_alloc_error(layout),
    }
}

/// Frees a bucket from [`alloc_one`].
///
/// # Safety
/// `bucket` came from [`alloc_one`], holds no live entry and is not used again.
pub(crate) unsafe fn free_one<K, V>(bucket: BucketPtr<K, V>) {
    // SAFETY: allocated by `alloc_zeroed` with this layout.
    unsafe { alloc::dealloc(bucket.raw().cast(), Layout::new::<Bucket<K, V>>()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_layout_matches_go() {
        // Go: a map[int64]int64 bucket is 8 + 8*8 + 8*8 + 8 bytes.
        assert_eq!(size_of::<Bucket<u64, u64>>(), 144);
        assert_eq!(size_of::<Bucket<u8, u64>>(), 8 + 8 + 64 + 8);
        assert_eq!(size_of::<Bucket<(), ()>>(), 16);
    }

    #[test]
    fn array_len_adds_overflow_buckets_from_b4() {
        assert_eq!(array_len(0), 1);
        assert_eq!(array_len(3), 8);
        assert_eq!(array_len(4), 17);
        assert_eq!(array_len(10), 1024 + 64);
    }
}
