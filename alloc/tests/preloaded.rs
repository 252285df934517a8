//! Run under `.ci/with-goalloc` (which sets `GORT_ALLOC_PRELOAD`), the
//! preloaded library must be loaded and serve this program's allocations
//! (Rust's default `System` allocator calls `malloc`). Run without it, the
//! test says so and checks nothing: it exists for that CI step.

type Mallocs = unsafe extern "C" fn() -> u64;

fn preloaded() -> Option<Mallocs> {
    // SAFETY: a NUL-terminated name; the symbol, if found, has this type.
    let f = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"gort_alloc_preload_mallocs".as_ptr()) };
    // SAFETY: see above.
    (!f.is_null()).then(|| unsafe { std::mem::transmute::<*mut libc::c_void, Mallocs>(f) })
}

#[test]
fn serves_the_program_when_preloaded() {
    if std::env::var_os("GORT_ALLOC_PRELOAD").is_none() {
        eprintln!("not preloaded: run through .ci/with-goalloc to check the preload");
        return;
    }
    let mallocs = preloaded().expect("GORT_ALLOC_PRELOAD is set but the library is not loaded");
    // SAFETY: the library's own counter.
    let before = unsafe { mallocs() };
    let b = std::hint::black_box(Box::new([7u8; 100]));
    // SAFETY: as above.
    let after = unsafe { mallocs() };
    assert!(
        after > before,
        "a Box did not go through the preloaded malloc"
    );
    drop(b);
}
