//! The C interface's contracts, called directly (this test binary links
//! the library, so its own `malloc` is the library's). That the preloaded
//! library serves other programs is checked by gort-alloc's
//! `tests/preloaded.rs`.

use gort_alloc_preload as c;

#[test]
fn the_c_interface_keeps_its_contracts() {
    let p = c::malloc(100).cast::<u8>();
    assert!(!p.is_null() && p as usize % 16 == 0);
    // SAFETY: p holds 100 bytes.
    unsafe { std::ptr::write_bytes(p, 0xab, 100) };
    // SAFETY: p is live.
    assert!(unsafe { c::malloc_usable_size(p.cast()) } >= 100);
    // SAFETY: p is live; the first 100 bytes move.
    let q = unsafe { c::realloc(p.cast(), 5000) }.cast::<u8>();
    // SAFETY: q holds 5000 bytes, the first 100 copied.
    assert!((0..100).all(|i| unsafe { *q.add(i) } == 0xab));
    // SAFETY: q is live.
    unsafe { c::free(q.cast()) };
    let z = c::calloc(1000, 8).cast::<u64>();
    // SAFETY: z holds 1000 zeroed u64.
    assert!((0..1000).all(|i| unsafe { *z.add(i) } == 0));
    // SAFETY: z is live.
    unsafe { c::free(z.cast()) };
    let mut out = std::ptr::null_mut();
    // SAFETY: out is writable.
    assert_eq!(unsafe { c::posix_memalign(&mut out, 1 << 16, 10) }, 0);
    assert_eq!(out as usize % (1 << 16), 0);
    // SAFETY: out is live.
    unsafe { c::free(out) };
    // SAFETY: as above.
    assert_eq!(unsafe { c::posix_memalign(&mut out, 24, 10) }, libc::EINVAL);
    assert!(c::calloc(usize::MAX, 2).is_null());
    // SAFETY: freeing null does nothing.
    unsafe { c::free(std::ptr::null_mut()) };
}
