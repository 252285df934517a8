//! Go's semaphore: blocking and async acquire, handoff, cancel-safety.
#![cfg(not(gort_loom))]

use gort_park::Sema;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

#[test]
fn units_are_counted() {
    let s = Sema::new(2);
    assert!(s.try_acquire());
    assert!(s.try_acquire());
    assert!(!s.try_acquire());
    s.release();
    assert_eq!(s.available(), 1);
}

#[test]
fn blocking_waiters_are_released_one_per_unit() {
    let s = Arc::new(Sema::new(0));
    let passed = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (s, passed) = (s.clone(), passed.clone());
            std::thread::spawn(move || {
                s.acquire_blocking();
                passed.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    for _ in 0..4 {
        s.release();
    }
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(passed.load(Ordering::SeqCst), 4);
    assert_eq!(s.available(), 0);
}

#[test]
fn dropped_acquire_returns_a_handed_unit() {
    let s = Sema::new(0);
    let mut cx = Context::from_waker(Waker::noop());
    {
        let mut first = pin!(s.acquire());
        assert!(first.as_mut().poll(&mut cx).is_pending());
        s.release(); // handed straight to `first`
        assert_eq!(s.available(), 0);
        // dropped without being polled again
    }
    assert_eq!(s.available(), 1, "the unit came back");
    let mut second = pin!(s.acquire());
    assert_eq!(second.as_mut().poll(&mut cx), Poll::Ready(()));
}

#[test]
fn dropped_pending_acquire_leaves_no_waiter() {
    let s = Sema::new(0);
    let mut cx = Context::from_waker(Waker::noop());
    {
        let mut f = pin!(s.acquire());
        assert!(f.as_mut().poll(&mut cx).is_pending());
    }
    s.release();
    assert_eq!(s.available(), 1, "no ghost waiter took the unit");
}

#[test]
fn async_acquire_on_tokio() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let s = Arc::new(Sema::new(0));
    rt.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.acquire().await })
            })
            .collect();
        for _ in 0..8 {
            s.release();
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(s.available(), 0);
}
