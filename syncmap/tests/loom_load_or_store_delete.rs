//! loom model: `load_or_store` racing `load_and_delete` on one key.
//!
//! The only outcomes are the two serial orders: the load wins (it sees the
//! old value, the delete returns it, the key is gone) or the delete wins (it
//! returns the old value, the store then adds the new one). No value leaks
//! (loom checks its `Arc`s).
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
fn load_or_store_racing_delete() {
    loom::model(|| {
        let token = Arc::new(());
        let m = Arc::new(SyncMap::with_hasher(Fixed::default()));
        m.store(1u32, (10u32, token.clone()));
        m.range(|_, _| true); // promote: the lock-free paths race
        let m2 = m.clone();
        let t = loom::thread::spawn(move || m2.load_and_delete(&1).map(|v| v.0));
        let (actual, loaded) = m.load_or_store(1, (11, token));
        let deleted = t.join().unwrap();
        let after = m.load(&1).map(|v| v.0);
        let load_first = (actual.0, loaded, deleted, after) == (10, true, Some(10), None);
        let delete_first = (actual.0, loaded, deleted, after) == (11, false, Some(10), Some(11));
        assert!(
            load_first || delete_first,
            "{:?}",
            (actual.0, loaded, deleted, after)
        );
    });
}
