//! loom model: values replaced lock-free are freed only after every reader
//! that could still see them is gone.
//!
//! A reader loads key 1 (reading the value in place with `load_with`) while
//! a writer overwrites it six times; in the model build a read map is republished
//! after 2 retirements, so the replaced values are freed inside the model.
//! The value sits in a loom `UnsafeCell`: a free that is not ordered after a
//! reader's access is reported, and loom's `Arc` reports any leak.
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
fn replaced_values_outlive_their_readers() {
    loom::model(|| {
        let token = Arc::new(());
        let m = Arc::new(SyncMap::with_hasher(Fixed::default()));
        m.store(1u32, (0u32, token.clone()));
        m.range(|_, _| true); // promote: overwrites are lock-free
        let m2 = m.clone();
        let reader = loom::thread::spawn(move || m2.load_with(&1, |v| v.0));
        for v in 1..=6 {
            m.store(1, (v, token.clone()));
        }
        drop(token);
        let seen = reader.join().unwrap();
        assert!(matches!(seen, Some(0..=6)));
        assert_eq!(m.load(&1).map(|v| v.0), Some(6));
    });
}
