//! loom model: `dirtyLocked` expunging a deleted entry while another thread
//! stores to the same key.
//!
//! Key 1 is in the read map and deleted (its entry is nil). Storing a new key
//! 2 copies the read map into a new dirty map and expunges entry 1; at the
//! same time key 1 is stored lock-free. Whichever wins the entry's CAS, key 1
//! must end up with its new value, reachable through the dirty map too (a
//! later promotion must not lose it), and key 2 must be there.
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
fn expunge_racing_store() {
    loom::model(|| {
        let m = Arc::new(SyncMap::with_hasher(Fixed::default()));
        m.store(1u32, 10u32);
        m.range(|_, _| true); // promote: key 1 in the read map
        m.delete(&1); // entry 1 is nil
        let m2 = m.clone();
        let t = loom::thread::spawn(move || m2.store(2, 20));
        m.store(1, 11);
        t.join().unwrap();
        // Promote whatever the dirty map holds, then check both keys.
        let mut seen = Vec::new();
        m.range(|&k, &v| {
            seen.push((k, v));
            true
        });
        seen.sort();
        assert_eq!(seen, [(1, 11), (2, 20)]);
    });
}
