//! loom model: a promotion racing a load.
//!
//! Key 1 lives only in the dirty map. One thread loads it (a miss that
//! reaches `len(dirty)`, so it promotes the dirty map) while another loads it
//! and then overwrites it. Both loads see a value of key 1, the overwrite
//! lands, and no value leaks (loom checks its `Arc`s) or is freed while a
//! reader could still see it (loom checks the slot's `UnsafeCell`).
//!
//! Not covered: arc-swap, which the model build replaces by a mutex around
//! an `Arc` (see `sync.rs`; the stress tests run the real one under
//! AddressSanitizer). The hazard slots are modelled (loom atomics and
//! thread-locals).
#![cfg(gort_loom)]

use gort_syncmap::SyncMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::BuildHasherDefault;

/// A fixed hasher: loom needs every execution to take the same paths.
type Fixed = BuildHasherDefault<DefaultHasher>;
use loom::sync::Arc;

#[test]
fn promotion_racing_load() {
    loom::model(|| {
        let token = Arc::new(());
        let m = Arc::new(SyncMap::with_hasher(Fixed::default()));
        m.store(1u32, (10u32, token.clone()));
        let m2 = m.clone();
        let token2 = token.clone();
        let t = loom::thread::spawn(move || {
            let v = m2.load(&1).expect("key 1 is present").0;
            assert!(v == 10 || v == 11);
            m2.store(1, (11, token2));
        });
        let v = m.load(&1).expect("key 1 is present").0;
        assert!(v == 10 || v == 11);
        t.join().unwrap();
        assert_eq!(m.load(&1).map(|v| v.0), Some(11));
    });
}
