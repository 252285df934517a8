//! loom model: a promotion racing a load.
//!
//! Key 1 lives only in the dirty map. One thread loads it (a miss that
//! reaches `len(dirty)`, so it promotes the dirty map) while another loads it
//! and then overwrites it. Both loads see a value of key 1, the overwrite
//! lands, and no value leaks (loom checks its `Arc`s) or is freed while a
//! reader could still see it (loom checks the slot's `UnsafeCell`).
//!
//! Not covered: arc-swap and the hazard slots, which the model build
//! replaces by a mutex around an `Arc` (see `sync.rs`); they are exercised by
//! the stress tests under AddressSanitizer instead.
#![cfg(gort_loom)]

use gort_syncmap::SyncMap;
use loom::sync::Arc;

#[test]
fn promotion_racing_load() {
    loom::model(|| {
        let token = Arc::new(());
        let m = Arc::new(SyncMap::new());
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
