//! gort-alloc behind glibc's allocator interface, as a shared library to
//! preload: `LD_PRELOAD=libgort_alloc_preload.so program` serves every
//! `malloc` of `program` (and so every allocation of Rust's default
//! `System` allocator) from Go's allocator. The CI runs the workspace's
//! tests this way (`.ci/with-goalloc`).
//!
//! The functions glibc's manual lists for replacing `malloc` ("Replacing
//! malloc"): `malloc`, `free`, `calloc`, `realloc`, and `aligned_alloc`,
//! `malloc_usable_size`, `memalign`, `posix_memalign`, `pvalloc`,
//! `valloc`. Blocks are aligned to 16 bytes, as glibc's on x86-64.
//!
//! [`gort_alloc_preload_mallocs`] tells a program whether the library is
//! loaded and serving it.
#![allow(
    clippy::missing_safety_doc,
    reason = "C ABI entry points with C's contracts"
)]

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use core::ptr;
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use gort_alloc::{GoAlloc, raw};

static GO: GoAlloc = GoAlloc::new();

/// glibc's `MALLOC_ALIGNMENT` on x86-64.
const MIN_ALIGN: usize = 16;

/// Blocks handed out through this interface.
static MALLOCS: AtomicU64 = AtomicU64::new(0);

/// The number of blocks this library has handed out; a program finds the
/// symbol (with `dlsym`) only if the library is loaded.
#[unsafe(no_mangle)]
pub extern "C" fn gort_alloc_preload_mallocs() -> u64 {
    MALLOCS.load(Relaxed)
}

fn enomem() -> *mut c_void {
    // SAFETY: errno is this thread's.
    unsafe { *libc::__errno_location() = libc::ENOMEM };
    ptr::null_mut()
}

/// A block of `size` bytes aligned to `align` (a power of two), or null
/// with `ENOMEM`.
fn alloc(size: usize, align: usize) -> *mut c_void {
    let Ok(layout) = Layout::from_size_align(size.max(1), align.max(MIN_ALIGN)) else {
        return enomem();
    };
    // SAFETY: the layout's size is not zero.
    let p = unsafe { GO.alloc(layout) };
    if p.is_null() {
        return enomem();
    }
    MALLOCS.fetch_add(1, Relaxed);
    p.cast()
}

/// C's `malloc`.
#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    alloc(size, MIN_ALIGN)
}

/// C's `free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: C's contract: `p` came from this allocator and is live.
        unsafe { raw::free(p.cast()) };
    }
}

/// C's `calloc`: zeroed.
#[unsafe(no_mangle)]
pub extern "C" fn calloc(n: usize, size: usize) -> *mut c_void {
    let Some(bytes) = n.checked_mul(size) else {
        return enomem();
    };
    let p = alloc(bytes, MIN_ALIGN);
    if !p.is_null() {
        // SAFETY: the block holds at least `bytes` bytes.
        unsafe { ptr::write_bytes(p.cast::<u8>(), 0, bytes) };
    }
    p
}

/// C's `realloc`: in place when the block already holds `size` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
    if p.is_null() {
        return malloc(size);
    }
    if size == 0 {
        // SAFETY: C's contract for `p`.
        unsafe { free(p) };
        return ptr::null_mut();
    }
    // SAFETY: C's contract: `p` is a live block of this allocator.
    let old = unsafe { raw::usable_size(p.cast()) };
    if size <= old && size >= old / 2 {
        return p;
    }
    let q = malloc(size);
    if !q.is_null() {
        // SAFETY: both blocks are live and distinct; `q` holds `size`
        // bytes, `p` holds `old`.
        unsafe { ptr::copy_nonoverlapping(p.cast::<u8>(), q.cast::<u8>(), old.min(size)) };
        // SAFETY: C's contract for `p`.
        unsafe { free(p) };
    }
    q
}

/// C's `malloc_usable_size`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn malloc_usable_size(p: *mut c_void) -> usize {
    if p.is_null() {
        return 0;
    }
    // SAFETY: C's contract: `p` is a live block of this allocator.
    unsafe { raw::usable_size(p.cast()) }
}

/// C11's `aligned_alloc`.
#[unsafe(no_mangle)]
pub extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut c_void {
    if !align.is_power_of_two() {
        // SAFETY: errno is this thread's.
        unsafe { *libc::__errno_location() = libc::EINVAL };
        return ptr::null_mut();
    }
    alloc(size, align)
}

/// The obsolete `memalign`.
#[unsafe(no_mangle)]
pub extern "C" fn memalign(align: usize, size: usize) -> *mut c_void {
    aligned_alloc(align, size)
}

/// POSIX's `posix_memalign`: `EINVAL` unless `align` is a power of two
/// multiple of the pointer size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> i32 {
    if !align.is_power_of_two() || align % size_of::<*mut c_void>() != 0 {
        return libc::EINVAL;
    }
    let p = alloc(size, align);
    if p.is_null() {
        return libc::ENOMEM;
    }
    // SAFETY: C's contract: `out` is writable.
    unsafe { *out = p };
    0
}

/// The obsolete `valloc`: page aligned.
#[unsafe(no_mangle)]
pub extern "C" fn valloc(size: usize) -> *mut c_void {
    alloc(size, 4096)
}

/// The obsolete `pvalloc`: page aligned, rounded up to whole pages.
#[unsafe(no_mangle)]
pub extern "C" fn pvalloc(size: usize) -> *mut c_void {
    match size.checked_next_multiple_of(4096) {
        Some(n) => alloc(n, 4096),
        None => enomem(),
    }
}
