//! Helpers shared by the channel tests: a counting waker, a counting `Drop`
//! type, and polling helpers.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// A hand-written waker that counts its wake-ups.
#[derive(Default)]
pub struct CountingWaker {
    pub wakes: AtomicUsize,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker plus its counter.
pub fn counting_waker() -> (Waker, Arc<CountingWaker>) {
    let c = Arc::new(CountingWaker::default());
    (Waker::from(c.clone()), c)
}

impl CountingWaker {
    pub fn count(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

/// Polls `f` once with `waker`.
pub fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(waker))
}

/// Counts live instances of `Tracked` per test (each test owns a `Tracker`).
#[derive(Default)]
pub struct Tracker {
    live: AtomicIsize,
    created: AtomicUsize,
    dropped: AtomicUsize,
}

impl Tracker {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn make(self: &Arc<Self>, id: u64) -> Tracked {
        self.live.fetch_add(1, Ordering::SeqCst);
        self.created.fetch_add(1, Ordering::SeqCst);
        Tracked {
            id,
            tracker: self.clone(),
        }
    }

    pub fn live(&self) -> isize {
        self.live.load(Ordering::SeqCst)
    }

    pub fn created(&self) -> usize {
        self.created.load(Ordering::SeqCst)
    }

    pub fn dropped(&self) -> usize {
        self.dropped.load(Ordering::SeqCst)
    }
}

/// A value whose drop is counted; dropping one twice would make `live`
/// negative and is caught by `Drop` itself.
pub struct Tracked {
    pub id: u64,
    tracker: Arc<Tracker>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let before = self.tracker.live.fetch_sub(1, Ordering::SeqCst);
        assert!(before > 0, "value {} dropped twice", self.id);
        self.tracker.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

impl std::fmt::Debug for Tracked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tracked({})", self.id)
    }
}

/// A small multi-thread tokio runtime.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}
