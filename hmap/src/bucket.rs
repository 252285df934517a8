//! The bucket (Go's `bmap`) and bucket arrays (runtime/map.go).
//!
//! A bucket holds 8 tophash bytes, then the 8 key slots, then the 8 value
//! slots, then the overflow pointer: keys and values are packed separately
//! so that no padding is wasted between a key and its value (a bucket of
//! `u64` keys and values is 144 bytes, as Go's `map[int64]int64` bucket).
//! Like Go's, the layout is computed from the key and value types
//! ([`Shape`]): a key or value larger than 128 bytes is stored behind a
//! pointer to its own allocation (Go's `indirectkey`/`indirectelem`), so that
//! a bucket stays small and evacuation moves 8 bytes instead of the entry.
//! (Measured: with 256-byte keys and values, inserting 100k entries was 2.7×
//! faster indirect and lookups ~10% faster; iteration ~15% slower.)
//!
//! All of a bucket's memory starts zeroed: tophash 0 is `emptyRest` and a
//! null overflow pointer ends the chain, so a zeroed bucket is an empty one
//! and new arrays come from `alloc_zeroed` (lazily zeroed by the kernel;
//! arrays of 2 MiB and up are then populated ahead of use, a bounded step at
//! a time, see `pages.rs`).
//!
//! Invariants the rest of the crate relies on:
//! - a slot's key and value are initialised (for an indirect slot: point to
//!   a live allocation) exactly when its tophash is at least `MIN_TOP_HASH`;
//! - a bucket array of `B` holds `2^B` chain heads followed, when `B >= 4`,
//!   by `2^(B-4)` preallocated overflow buckets, the last of which carries a
//!   non-null sentinel overflow pointer until it is handed out;
//! - every overflow bucket outside its array's range was allocated alone by
//!   [`alloc_one`] and is freed alone by [`free_one`].

use crate::error::TryReserveError;
use crate::pages;
use crate::tophash::{BUCKET_CNT, Group};
use core::marker::PhantomData;
use core::mem::needs_drop;
use core::ptr::NonNull;
use std::alloc::{self, Layout};

/// Keys and values larger than this are stored indirectly (Go's
/// `maxKeySize` and `maxElemSize`).
const MAX_INLINE: usize = 128;

const fn align_up(n: usize, align: usize) -> usize {
    (n + align - 1) & !(align - 1)
}

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// How a key or value of type `T` is held in its slot.
struct Slot<T>(PhantomData<T>);

impl<T> Slot<T> {
    /// Behind a pointer (Go's `indirectkey`/`indirectelem`).
    const INDIRECT: bool = size_of::<T>() > MAX_INLINE;
    const SIZE: usize = if Self::INDIRECT {
        size_of::<*mut T>()
    } else {
        size_of::<T>()
    };
    const ALIGN: usize = if Self::INDIRECT {
        align_of::<*mut T>()
    } else {
        align_of::<T>()
    };

    /// The `T` of the slot at `slot`.
    ///
    /// # Safety
    /// `slot` is a slot of this type in a live bucket; for an indirect slot
    /// its pointer must have been written.
    #[inline]
    unsafe fn get(slot: *mut u8) -> *mut T {
        if Self::INDIRECT {
            // SAFETY: an indirect slot holds the pointer (caller).
            unsafe { slot.cast::<*mut T>().read() }
        } else {
            slot.cast()
        }
    }

    /// Stores `v` in the empty slot at `slot`.
    ///
    /// # Safety
    /// `slot` is an empty slot of this type in a live bucket.
    #[inline]
    unsafe fn write(slot: *mut u8, v: T) {
        // SAFETY: the slot is ours and aligned for what it holds.
        unsafe {
            if Self::INDIRECT {
                slot.cast::<*mut T>().write(Box::into_raw(Box::new(v)));
            } else {
                slot.cast::<T>().write(v);
            }
        }
    }

    /// Moves the `T` out of the slot at `slot` (freeing an indirect one's
    /// allocation); the slot is then empty.
    ///
    /// # Safety
    /// `slot` is an initialised slot of this type in a live bucket.
    #[inline]
    unsafe fn take(slot: *mut u8) -> T {
        // SAFETY: initialised slot (caller); an indirect slot's pointer came
        // from `Box::into_raw` in `write`.
        unsafe {
            if Self::INDIRECT {
                *Box::from_raw(slot.cast::<*mut T>().read())
            } else {
                slot.cast::<T>().read()
            }
        }
    }
}

/// The layout of a bucket of `K` keys and `V` values (Go's `maptype`
/// fields `KeySize`, `ValueSize`, `BucketSize` and `dataOffset`).
pub(crate) struct Shape<K, V>(PhantomData<(K, V)>);

impl<K, V> Shape<K, V> {
    const KEYS: usize = align_up(BUCKET_CNT, Slot::<K>::ALIGN);
    const VALS: usize = align_up(Self::KEYS + BUCKET_CNT * Slot::<K>::SIZE, Slot::<V>::ALIGN);
    const OVERFLOW: usize = align_up(
        Self::VALS + BUCKET_CNT * Slot::<V>::SIZE,
        align_of::<usize>(),
    );
    const ALIGN: usize = max(align_of::<usize>(), max(Slot::<K>::ALIGN, Slot::<V>::ALIGN));
    /// Bytes per bucket.
    pub(crate) const SIZE: usize = align_up(Self::OVERFLOW + size_of::<usize>(), Self::ALIGN);
    /// Whether taking an entry out to drop it does anything: a destructor to
    /// run, or an indirect slot's allocation to free.
    pub(crate) const ENTRY_NEEDS_DROP: bool =
        needs_drop::<K>() || needs_drop::<V>() || Slot::<K>::INDIRECT || Slot::<V>::INDIRECT;
}

/// A pointer to a bucket inside a live bucket array or overflow allocation.
///
/// Every `unsafe fn` here requires that the pointer is live (its array or
/// allocation not freed) and that no reference to the touched bytes exists
/// that the access would invalidate; slot accessors also require `i < 8`.
pub(crate) struct BucketPtr<K, V>(NonNull<u8>, PhantomData<(K, V)>);

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
    fn new(p: NonNull<u8>) -> Self {
        BucketPtr(p, PhantomData)
    }

    fn at(self, offset: usize) -> *mut u8 {
        self.0.as_ptr().wrapping_add(offset)
    }

    /// The bucket `n` places after this one in the same array.
    ///
    /// # Safety
    /// The result must stay inside the array this bucket belongs to.
    #[inline]
    pub(crate) unsafe fn add(self, n: usize) -> Self {
        // SAFETY: the caller keeps the result inside the same allocation.
        BucketPtr::new(unsafe { self.0.add(n * Shape::<K, V>::SIZE) })
    }

    /// The 8 tophash bytes as one word.
    ///
    /// # Safety
    /// The bucket is live.
    #[inline]
    pub(crate) unsafe fn group(self) -> Group {
        // SAFETY: live bucket, aligned to at least 8; the tophash bytes are
        // always initialised.
        Group(u64::from_le_bytes(unsafe {
            self.0.cast::<[u8; BUCKET_CNT]>().read()
        }))
    }

    /// Overwrites all 8 tophash bytes.
    ///
    /// # Safety
    /// The bucket is live; the new states agree with which slots are initialised.
    #[inline]
    pub(crate) unsafe fn set_group(self, g: Group) {
        // SAFETY: live bucket, exclusive access guaranteed by the caller.
        unsafe { self.0.cast::<[u8; BUCKET_CNT]>().write(g.0.to_le_bytes()) };
    }

    /// The tophash of slot `i`.
    ///
    /// # Safety
    /// The bucket is live and `i < 8`.
    #[inline]
    pub(crate) unsafe fn top(self, i: usize) -> u8 {
        // SAFETY: live bucket, `i < 8`.
        unsafe { self.at(i).read() }
    }

    /// Sets the tophash of slot `i`.
    ///
    /// # Safety
    /// The bucket is live, `i < 8`, and the new state agrees with whether the
    /// slot's key and value are initialised.
    #[inline]
    pub(crate) unsafe fn set_top(self, i: usize, top: u8) {
        // SAFETY: live bucket, `i < 8`.
        unsafe { self.at(i).write(top) };
    }

    fn key_slot(self, i: usize) -> *mut u8 {
        self.at(Shape::<K, V>::KEYS + i * Slot::<K>::SIZE)
    }

    fn val_slot(self, i: usize) -> *mut u8 {
        self.at(Shape::<K, V>::VALS + i * Slot::<V>::SIZE)
    }

    /// The key of live slot `i`.
    ///
    /// # Safety
    /// The bucket is live, `i < 8`, and the slot holds an entry.
    #[inline]
    pub(crate) unsafe fn key(self, i: usize) -> *mut K {
        // SAFETY: live slot (caller).
        unsafe { Slot::<K>::get(self.key_slot(i)) }
    }

    /// The value of live slot `i`.
    ///
    /// # Safety
    /// The bucket is live, `i < 8`, and the slot holds an entry.
    #[inline]
    pub(crate) unsafe fn val(self, i: usize) -> *mut V {
        // SAFETY: live slot (caller).
        unsafe { Slot::<V>::get(self.val_slot(i)) }
    }

    /// Stores an entry in empty slot `i` (its tophash is the caller's to set).
    ///
    /// # Safety
    /// The bucket is live, `i < 8`, and the slot is empty.
    #[inline]
    pub(crate) unsafe fn write_entry(self, i: usize, key: K, val: V) {
        // SAFETY: empty slot (caller).
        unsafe {
            Slot::<K>::write(self.key_slot(i), key);
            Slot::<V>::write(self.val_slot(i), val);
        }
    }

    /// Moves the entry out of live slot `i` (its tophash is the caller's to
    /// set).
    ///
    /// # Safety
    /// The bucket is live, `i < 8`, and the slot holds an entry, which the
    /// caller then no longer counts as stored.
    #[inline]
    pub(crate) unsafe fn take_entry(self, i: usize) -> (K, V) {
        // SAFETY: live slot (caller).
        unsafe {
            (
                Slot::<K>::take(self.key_slot(i)),
                Slot::<V>::take(self.val_slot(i)),
            )
        }
    }

    /// The next bucket of the chain. Port of `bmap.overflow`.
    ///
    /// # Safety
    /// The bucket is live.
    #[inline]
    pub(crate) unsafe fn overflow(self) -> Option<Self> {
        // SAFETY: live bucket; the overflow word is always initialised.
        unsafe {
            NonNull::new(self.at(Shape::<K, V>::OVERFLOW).cast::<*mut u8>().read()).map(Self::new)
        }
    }

    /// Links `next` after this bucket. Port of `bmap.setoverflow`.
    ///
    /// # Safety
    /// The bucket is live.
    #[inline]
    pub(crate) unsafe fn set_overflow(self, next: Option<Self>) {
        let p = next.map_or(core::ptr::null_mut(), |b| b.0.as_ptr());
        // SAFETY: live bucket.
        unsafe { self.at(Shape::<K, V>::OVERFLOW).cast::<*mut u8>().write(p) };
    }

    /// Moves the entry of slot `i` of `src` into slot `j` of this bucket,
    /// tophash included (for an indirect key or value, only its pointer
    /// moves); `src`'s slot is left with stale bytes for the caller to mark.
    ///
    /// # Safety
    /// Both buckets are live, `i, j < 8`, `src`'s slot is live, ours is empty.
    #[inline]
    pub(crate) unsafe fn take_from(self, j: usize, src: Self, i: usize) {
        // SAFETY: distinct live slots (a slot is never both empty and live);
        // the entry is moved bitwise and the source is no longer counted as live.
        unsafe {
            self.key_slot(j)
                .copy_from_nonoverlapping(src.key_slot(i), Slot::<K>::SIZE);
            self.val_slot(j)
                .copy_from_nonoverlapping(src.val_slot(i), Slot::<V>::SIZE);
            self.set_top(j, src.top(i));
        }
    }

    /// Asks the CPU to start loading the bucket's second cache line, so that
    /// the key and value loads (or stores) of a lookup, insert or delete
    /// overlap the load of the tophash word instead of following it. Go's
    /// layout puts the tophash bytes at the start and the keys and values
    /// after them (a bucket of 8 `u64` pairs spans three lines); prefetching
    /// one line more measured a gain on hits and inserts and a smaller loss
    /// on misses of a 1M-entry map, two lines a loss on misses. A hint only:
    /// it never faults and changes no state.
    #[inline]
    pub(crate) fn prefetch_rest(self) {
        #[cfg(target_arch = "x86_64")]
        {
            use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            const LINE: usize = 64;
            let p = self.0.as_ptr().cast::<i8>();
            let mut off = LINE;
            while off < Shape::<K, V>::SIZE.min(2 * LINE) {
                // SAFETY: a prefetch is a hint that cannot fault, whatever the
                // address; the offsets stay inside this bucket anyway.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(off)) };
                off += LINE;
            }
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

/// Bytes of an array of `B`, `None` if they overflow `usize`.
fn checked_array_bytes<K, V>(b: u8) -> Option<usize> {
    if u32::from(b) >= usize::BITS - 1 {
        return None;
    }
    Shape::<K, V>::SIZE.checked_mul(array_len(b))
}

/// Bytes of an array of `B` that exists (was allocated, or fits in memory).
pub(crate) fn array_bytes<K, V>(b: u8) -> usize {
    checked_array_bytes::<K, V>(b).unwrap_or(usize::MAX)
}

fn array_layout<K, V>(b: u8) -> Result<Layout, TryReserveError> {
    checked_array_bytes::<K, V>(b)
        .and_then(|size| Layout::from_size_align(size, Shape::<K, V>::ALIGN).ok())
        .ok_or(TryReserveError::CapacityOverflow)
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
    let base = NonNull::new(ptr)
        .map(BucketPtr::new)
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
        base.0
            .as_ptr()
            .write_bytes(0, array_len(b) * Shape::<K, V>::SIZE);
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
    unsafe { alloc::dealloc(base.0.as_ptr(), layout) };
}

/// The steps of `step` bytes of an array of `B` (see `pages.rs`).
pub(crate) fn steps<K, V>(base: BucketPtr<K, V>, b: u8, step: usize) -> pages::Steps {
    pages::Steps::of(base.0.as_ptr(), array_bytes::<K, V>(b), step)
}

/// Whether `bucket` lies inside the array of `B` starting at `base` (a head or
/// a preallocated overflow bucket), rather than being allocated alone.
pub(crate) fn in_array<K, V>(bucket: BucketPtr<K, V>, base: BucketPtr<K, V>, b: u8) -> bool {
    let start = base.addr();
    let end = start + array_len(b) * Shape::<K, V>::SIZE;
    (start..end).contains(&bucket.addr())
}

fn one_layout<K, V>() -> Layout {
    Layout::from_size_align(Shape::<K, V>::SIZE, Shape::<K, V>::ALIGN)
        .expect("a bucket's layout is valid")
}

/// Allocates one zeroed overflow bucket (Go's `newobject(t.Bucket)`).
pub(crate) fn alloc_one<K, V>() -> BucketPtr<K, V> {
    let layout = one_layout::<K, V>();
    // SAFETY: a bucket is never zero-sized.
    let ptr = unsafe { alloc::alloc_zeroed(layout) };
    match NonNull::new(ptr) {
        Some(p) => BucketPtr::new(p),
        None => alloc::handle_alloc_error(layout),
    }
}

/// Frees a bucket from [`alloc_one`].
///
/// # Safety
/// `bucket` came from [`alloc_one`], holds no live entry and is not used again.
pub(crate) unsafe fn free_one<K, V>(bucket: BucketPtr<K, V>) {
    // SAFETY: allocated by `alloc_zeroed` with this layout.
    unsafe { alloc::dealloc(bucket.0.as_ptr(), one_layout::<K, V>()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_layout_matches_go() {
        // Go: a map[int64]int64 bucket is 8 + 8*8 + 8*8 + 8 bytes.
        assert_eq!(Shape::<u64, u64>::SIZE, 144);
        assert_eq!(Shape::<u8, u64>::SIZE, 8 + 8 + 64 + 8);
        assert_eq!(Shape::<(), ()>::SIZE, 16);
        assert_eq!(Shape::<u128, u8>::SIZE, 16 + 128 + 8 + 8);
        // Over 128 bytes: a pointer per slot (Go's indirect key and elem).
        assert_eq!(Shape::<[u8; 128], u8>::SIZE, 8 + 1024 + 8 + 8);
        assert_eq!(Shape::<[u8; 129], [u64; 17]>::SIZE, 8 + 64 + 64 + 8);
        const { assert!(!Shape::<u64, [u8; 128]>::ENTRY_NEEDS_DROP) };
        const { assert!(Shape::<u64, [u8; 129]>::ENTRY_NEEDS_DROP) };
        const { assert!(Shape::<String, u8>::ENTRY_NEEDS_DROP) };
        const { assert!(Slot::<[u8; 129]>::INDIRECT && !Slot::<[u8; 128]>::INDIRECT) };
    }

    #[test]
    fn array_len_adds_overflow_buckets_from_b4() {
        assert_eq!(array_len(0), 1);
        assert_eq!(array_len(3), 8);
        assert_eq!(array_len(4), 17);
        assert_eq!(array_len(10), 1024 + 64);
    }
}
