//! An array indexed by thread id (`pid`) that grows without ever moving an
//! element: bucket `b` holds the `2^b` elements for ids `2^b - 1 ..
//! 2^(b+1) - 1` and is allocated on first use, so a reference to an element
//! stays valid for the array's whole life however many threads come later.
//! Both the registry's per-thread pin words and a pool generation's
//! per-thread locals live in one.
//!
//! Go keeps a flat `[P]poolLocal` array and replaces it when GOMAXPROCS
//! changes, dropping its contents; here the number of threads is open-ended,
//! and a thief may be reading any element, so elements never move.

use crate::sync::{AtomicPtr, Ordering};
use core::ptr;

/// One bucket per bit of `usize`: enough for every possible id.
const BUCKETS: usize = usize::BITS as usize;

/// Where element `index` lives: `(bucket, offset in the bucket)`.
fn locate(index: usize) -> (usize, usize) {
    let n = index + 1;
    let bucket = (usize::BITS - 1 - n.leading_zeros()) as usize;
    (bucket, n - (1 << bucket))
}

/// An element's place, computed once (a thread keeps its own).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    bucket: usize,
    offset: usize,
}

impl Place {
    /// The place of element `index`.
    pub(crate) fn of(index: usize) -> Self {
        let (bucket, offset) = locate(index);
        Self { bucket, offset }
    }
}

/// A lazily allocated array of `E` whose elements never move.
pub(crate) struct Segments<E> {
    buckets: [AtomicPtr<E>; BUCKETS],
}

// SAFETY: the array owns its elements; shared access hands out `&E` only.
unsafe impl<E: Send> Send for Segments<E> {}
// SAFETY: as above; elements are shared between threads, so `E: Sync`.
unsafe impl<E: Send + Sync> Sync for Segments<E> {}

impl<E> Segments<E> {
    /// An array with no bucket allocated.
    pub(crate) fn new() -> Self {
        Self {
            buckets: core::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
        }
    }

    /// Element `index`, if its bucket has been allocated.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&E> {
        self.get_at(Place::of(index))
    }

    /// The element at `place`, if its bucket has been allocated.
    #[inline]
    pub(crate) fn get_at(&self, place: Place) -> Option<&E> {
        let Place { bucket, offset } = place;
        // Acquire pairs with the release CAS that published the bucket.
        let p = self.buckets[bucket].load(Ordering::Acquire);
        // SAFETY: a non-null bucket pointer is a live allocation of `2^bucket`
        // initialised elements, freed only with `self`; `offset < 2^bucket`.
        (!p.is_null()).then(|| unsafe { &*p.add(offset) })
    }

    /// The element at `place`, allocating its bucket (each element made by
    /// `init`) if needed.
    #[inline]
    pub(crate) fn get_or_alloc_at(&self, place: Place, init: impl Fn() -> E) -> &E {
        match self.get_at(place) {
            Some(e) => e,
            None => self.alloc(place, init),
        }
    }

    #[cold]
    fn alloc(&self, place: Place, init: impl Fn() -> E) -> &E {
        let Place { bucket, offset } = place;
        let fresh: Box<[E]> = (0..1usize << bucket).map(|_| init()).collect();
        let fresh = Box::into_raw(fresh).cast::<E>();
        let p = match self.buckets[bucket].compare_exchange(
            ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` came from `Box::into_raw` of a slice of this
                // length just above and was never shared.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(fresh, 1 << bucket)) });
                winner
            }
        };
        // SAFETY: `p` is a published bucket: see `get`.
        unsafe { &*p.add(offset) }
    }
}

impl<E> Drop for Segments<E> {
    fn drop(&mut self) {
        for (bucket, b) in self.buckets.iter().enumerate() {
            let p = b.load(Ordering::Relaxed);
            if !p.is_null() {
                // SAFETY: a published bucket is a `Box<[E]>` of `2^bucket`
                // elements (see `alloc`); `&mut self` means nobody uses it.
                drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(p, 1 << bucket)) });
            }
        }
    }
}

#[cfg(all(test, not(gort_loom)))]
mod tests {
    use super::*;

    #[test]
    fn ids_map_to_buckets_densely() {
        assert_eq!(locate(0), (0, 0));
        assert_eq!(locate(1), (1, 0));
        assert_eq!(locate(2), (1, 1));
        assert_eq!(locate(3), (2, 0));
        assert_eq!(locate(6), (2, 3));
        assert_eq!(locate(7), (3, 0));
    }

    #[test]
    fn elements_keep_their_address() {
        let s: Segments<usize> = Segments::new();
        assert!(s.get(5).is_none());
        let first: *const usize = s.get_or_alloc_at(Place::of(0), || 7);
        for i in 1..100 {
            s.get_or_alloc_at(Place::of(i), || i);
        }
        assert_eq!(first, s.get(0).unwrap() as *const usize);
        assert_eq!(*s.get(0).unwrap(), 7);
        // Bucket 2 (ids 3..7) was made by the call for id 3: all elements 3.
        assert_eq!(*s.get(5).unwrap(), 3);
    }
}
