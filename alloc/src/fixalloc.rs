//! Port of `fixalloc` (runtime/mfixalloc.go): a free-list allocator of
//! fixed-size objects for the allocator's own metadata (span structures,
//! thread caches), which cannot come from the heap it describes.
//!
//! Deviation: Go carves its 16 KiB chunks out of `persistentalloc`'s
//! 256 KiB blocks; here the 256 KiB blocks come straight from the OS and
//! are carved directly (there is no other `persistentalloc` user). Memory
//! is never returned to the OS, as in Go, so a pointer to a freed object
//! stays readable (the span protocol relies on it).

use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering::Relaxed};

use crate::os;

/// Go's `persistentChunkSize`: the bytes asked from the OS at a time.
const CHUNK: usize = 256 << 10;

/// `T` must be valid when all-zero (integers, atomics, raw pointers, cells
/// of those) and start with an `AtomicPtr` field: it holds the free-list
/// link while the object is free (written atomically, so stale readers of
/// other atomic fields never race with it).
#[derive(Debug)]
pub(crate) struct FixAlloc<T> {
    /// Freed objects, linked through their first word (Go's `mlink`).
    list: *mut u8,
    /// The unused rest of the current chunk.
    chunk: *mut u8,
    /// Bytes left at `chunk`.
    nchunk: usize,
    /// Go's `zero`: whether a recycled object is cleared before reuse.
    /// Off for span structures, whose stale readers may still load their
    /// atomics (a plain clear would race with them); their `init` writes
    /// every field.
    zero: bool,
    _t: PhantomData<T>,
}

// SAFETY: the allocator only hands out raw pointers; it is used behind the
// heap's lock, which serialises every call.
unsafe impl<T> Send for FixAlloc<T> {}

impl<T> FixAlloc<T> {
    const SIZE: usize = {
        assert!(size_of::<T>() >= size_of::<*mut u8>() && size_of::<T>() <= CHUNK);
        assert!(align_of::<T>() <= 64);
        size_of::<T>().next_multiple_of(align_of::<T>())
    };

    /// Port of `fixalloc.init`.
    pub(crate) const fn new(zero: bool) -> Self {
        FixAlloc {
            list: ptr::null_mut(),
            chunk: ptr::null_mut(),
            nchunk: 0,
            zero,
            _t: PhantomData,
        }
    }

    /// Port of `fixalloc.alloc`: an object (zeroed when fresh, and when
    /// recycled if `zero`), or null when the OS refuses memory.
    pub(crate) fn alloc(&mut self) -> *mut T {
        let v = if !self.list.is_null() {
            let v = self.list;
            // SAFETY: a freed object's first field is the `AtomicPtr` link
            // written by `free`, and objects are never unmapped.
            self.list = unsafe { (*v.cast::<AtomicPtr<u8>>()).load(Relaxed) };
            if self.zero {
                // SAFETY: `v` is an object of SIZE bytes that nobody uses
                // (for a zeroing allocator nobody reads freed objects).
                unsafe { ptr::write_bytes(v, 0, Self::SIZE) };
            }
            v
        } else {
            if self.nchunk < Self::SIZE {
                let c = os::sys_alloc(CHUNK);
                if c.is_null() {
                    return ptr::null_mut();
                }
                self.chunk = c;
                self.nchunk = CHUNK;
            }
            let v = self.chunk;
            // SAFETY: at least SIZE bytes remain in the chunk.
            self.chunk = unsafe { v.add(Self::SIZE) };
            self.nchunk -= Self::SIZE;
            v
        };
        v.cast()
    }

    /// Port of `fixalloc.free`.
    ///
    /// # Safety
    /// `p` came from this allocator's `alloc` and is not used any more
    /// except for the stale reads the caller's protocol tolerates (the
    /// first word is overwritten with the free-list link).
    pub(crate) unsafe fn free(&mut self, p: *mut T) {
        // SAFETY: `p` is an object of this allocator whose first field is
        // an `AtomicPtr` (the type's contract).
        unsafe { (*p.cast::<AtomicPtr<u8>>()).store(self.list, Relaxed) };
        self.list = p.cast();
    }
}
