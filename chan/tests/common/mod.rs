//! Helpers shared by the channel tests: gort-testkit's wakers, polling and
//! drop tracking, and a small tokio runtime.
#![allow(dead_code, unused_imports)]

pub use gort_testkit::{Tracked, Tracker, counting_waker, poll_once};

/// A small multi-thread tokio runtime.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
