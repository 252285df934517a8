//! The sparse array of per-chunk bitmaps: `pageAlloc.chunks` with
//! `chunkOf`/`tryChunkOf` (runtime/mpagealloc.go). A first level of
//! `1 << 13` pointers lives in the struct; each second-level array holds
//! `1 << 13` [`PallocData`] (1 MiB) and is mapped from the OS on the first
//! growth that needs it.
//!
//! Deviation: Go advises the kernel for or against transparent huge pages
//! on each second-level array (`sysHugePage`/`sysNoHugePage`,
//! `enableChunkHugePages`); `crate::os` has no such call, so the kernel's
//! default applies.

use crate::throw::{check, throw};
use core::{mem, ptr};

use super::bits::PallocData;
use super::layout::{ChunkIdx, PALLOC_CHUNKS_L1_BITS, PALLOC_CHUNKS_L2_BITS, chunk_l1, chunk_l2};
use crate::os;

/// One second-level array of the chunk map.
type L2 = [PallocData; 1 << PALLOC_CHUNKS_L2_BITS];

/// Go's `pageAlloc.chunks`.
pub(super) struct ChunkMap {
    l1: [*mut L2; 1 << PALLOC_CHUNKS_L1_BITS],
}

impl core::fmt::Debug for ChunkMap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mapped = self.l1.iter().filter(|p| !p.is_null()).count();
        f.debug_struct("ChunkMap")
            .field("l2_arrays", &mapped)
            .finish()
    }
}

impl ChunkMap {
    /// An empty map; nothing is allocated.
    pub(super) const fn new() -> ChunkMap {
        ChunkMap {
            l1: [ptr::null_mut(); 1 << PALLOC_CHUNKS_L1_BITS],
        }
    }

    /// The allocation half of Go's growth loop: makes sure the
    /// second-level array holding chunk `ci` exists. False if the OS
    /// refused the memory.
    pub(super) fn ensure(&mut self, ci: ChunkIdx) -> bool {
        let slot = &mut self.l1[chunk_l1(ci)];
        if slot.is_null() {
            let r = os::sys_alloc(mem::size_of::<L2>());
            if r.is_null() {
                return false;
            }
            // Fresh anonymous memory is zeroed: every page free, none
            // scavenged, which is a valid `PallocData`.
            *slot = r.cast();
        }
        true
    }

    #[cfg(test)]
    /// Bytes of second-level arrays allocated.
    pub(super) fn mapped_bytes(&self) -> usize {
        self.l1.iter().filter(|p| !p.is_null()).count() * mem::size_of::<L2>()
    }

    /// Port of `pageAlloc.tryChunkOf`: chunk `ci`'s bitmaps, or `None` if
    /// its second-level array was never allocated.
    pub(super) fn try_get(&self, ci: ChunkIdx) -> Option<&PallocData> {
        let l2 = self.l1[chunk_l1(ci)];
        if l2.is_null() {
            return None;
        }
        // SAFETY: a non-null slot points to a live, zero-initialized `L2`
        // owned by `self`; the borrow of `self` keeps it alive and unshared.
        Some(unsafe { &(*l2)[chunk_l2(ci)] })
    }

    /// Port of `pageAlloc.chunkOf`: chunk `ci`'s bitmaps. Like Go's nil
    /// dereference, a chunk that was never grown is an invariant violation.
    #[inline]
    pub(super) fn get(&self, ci: ChunkIdx) -> &PallocData {
        match self.try_get(ci) {
            Some(d) => d,
            None => throw!("pagealloc: chunk {ci:#x} was never grown"),
        }
    }

    /// Mutable [`ChunkMap::get`].
    #[inline]
    pub(super) fn get_mut(&mut self, ci: ChunkIdx) -> &mut PallocData {
        let l2 = self.l1[chunk_l1(ci)];
        check!(!l2.is_null(), "pagealloc: chunk {ci:#x} was never grown");
        // SAFETY: as in `try_get`; `&mut self` makes the access exclusive.
        unsafe { &mut (*l2)[chunk_l2(ci)] }
    }
}

impl Drop for ChunkMap {
    fn drop(&mut self) {
        for p in self.l1.iter_mut().filter(|p| !p.is_null()) {
            // SAFETY: each non-null slot came from `sys_alloc` with the size
            // of an `L2`, and goes away with its owner.
            unsafe { os::sys_free(p.cast(), mem::size_of::<L2>()) };
            *p = ptr::null_mut();
        }
    }
}
