//! Thread ids are reused: the per-thread arrays of every pool stay as small
//! as the largest number of threads alive at once, however many threads come
//! and go. (A file of its own, so no other test's threads take ids.)
#![cfg(not(gort_loom))]

use gort_pool::{Pool, raw};
use std::sync::Arc;
use std::thread;

#[test]
fn exited_threads_ids_are_reused() {
    let p = Arc::new(Pool::new(|| 0u64));
    p.put(1); // the test thread takes an id
    for round in 0..200 {
        let q = p.clone();
        thread::spawn(move || {
            q.put(round);
            q.get()
        })
        .join()
        .unwrap();
    }
    // This thread and one at a time of the others.
    assert!(raw::thread_ids() <= 2, "{} ids", raw::thread_ids());
}
