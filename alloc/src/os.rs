//! The allocator's view of the operating system: address space reserved,
//! mapped, released and returned. Port of runtime/mem_linux.go and the
//! state machine described in runtime/mem.go (None → Reserved → Prepared →
//! Ready).
//!
//! Deviation: Linux only distinguishes Reserved (`PROT_NONE`) from Ready
//! (read-write), so `sysMap` makes memory Ready at once and `sysUsed` has
//! nothing to do (Go's Linux port behaves the same way).

use core::ptr;

/// The OS page size this allocator assumes for `madvise` alignment. Go's
/// heap page ([`crate::PAGE_SIZE`]) is a multiple of it.
pub(crate) const PHYS_PAGE_SIZE: usize = 4096;

/// Port of `sysAlloc` (mem.go) / `sysAllocOS` (mem_linux.go): fresh,
/// zeroed, read-write memory of `n` bytes, or null.
pub(crate) fn sys_alloc(n: usize) -> *mut u8 {
    mmap(ptr::null_mut(), n, libc::PROT_READ | libc::PROT_WRITE, 0)
}

/// Port of `sysFree` (`sysFreeOS`): gives `[v, v+n)` back to the OS.
///
/// # Safety
/// `[v, v+n)` was obtained from this module and nothing uses it any more.
pub(crate) unsafe fn sys_free(v: *mut u8, n: usize) {
    // SAFETY: the caller owns the range and no longer uses it.
    unsafe { libc::munmap(v.cast(), n) };
}

/// Port of `sysReserve` (`sysReserveOS`): address space without access,
/// at `hint` if the kernel agrees, else wherever it likes; null on failure.
/// Nothing is committed (`MAP_NORESERVE`).
pub(crate) fn sys_reserve(hint: usize, n: usize) -> *mut u8 {
    mmap(hint as *mut u8, n, libc::PROT_NONE, libc::MAP_NORESERVE)
}

/// Port of `sysMap` (`sysMapOS`): makes a reserved range read-write.
/// Returns false if the kernel refused (out of memory).
///
/// # Safety
/// `[v, v+n)` lies inside a range returned by [`sys_reserve`] and is not
/// in use.
pub(crate) unsafe fn sys_map(v: *mut u8, n: usize) -> bool {
    let flags = libc::MAP_FIXED;
    mmap(v, n, libc::PROT_READ | libc::PROT_WRITE, flags) == v
}

/// Port of `sysUnused` (`sysUnusedOS`): the pages' contents are no longer
/// needed; the kernel may take the physical memory back
/// (`MADV_DONTNEED`: the next touch finds zeroed pages). Returns whether
/// the kernel accepted.
///
/// # Safety
/// `[v, v+n)` is mapped by this module, page aligned, and holds nothing
/// anybody will read before writing it again.
pub(crate) unsafe fn sys_unused(v: *mut u8, n: usize) -> bool {
    debug_assert!(v as usize % PHYS_PAGE_SIZE == 0 && n % PHYS_PAGE_SIZE == 0);
    // SAFETY: the caller promises nobody needs the contents of the range.
    unsafe { libc::madvise(v.cast(), n, libc::MADV_DONTNEED) == 0 }
}

fn mmap(addr: *mut u8, n: usize, prot: libc::c_int, extra: libc::c_int) -> *mut u8 {
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | extra;
    // SAFETY: an anonymous private mapping; with MAP_FIXED the callers
    // guarantee the range is theirs (reserved by this module, unused).
    let p = unsafe { libc::mmap(addr.cast(), n, prot, flags, -1, 0) };
    if p == libc::MAP_FAILED {
        ptr::null_mut()
    } else {
        p.cast()
    }
}
