//! Go's TestPoolDequeue and TestPoolChain (sync/pool_test.go): one producer
//! pushing (and now and then popping the head), many consumers popping the
//! tail; every value must be received exactly once. Plus drop accounting of
//! the values a queue still holds when it is dropped.
#![cfg(not(gort_loom))]

use gort_pool::raw;
use gort_testkit::Tracker;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::thread;

/// Go's `testing.Short()`: debug builds (the CI's `cargo test`) run the
/// smaller size.
const SHORT: bool = cfg!(debug_assertions);

/// Go's start index for `NewPoolDequeue`: `2^32 - 500`, so the run crosses
/// the index wrap-around.
const NEAR_WRAP: u32 = u32::MAX - 499;

/// What a test drives: Go's `PoolDequeue` interface.
trait Producer: Send {
    fn push_head(&mut self, v: usize) -> bool;
    fn pop_head(&mut self) -> Option<usize>;
}
trait Stealer: Send + Sync {
    fn pop_tail(&self) -> Option<usize>;
}

impl Producer for raw::DequeueProducer<usize> {
    fn push_head(&mut self, v: usize) -> bool {
        raw::DequeueProducer::push_head(self, v).is_ok()
    }
    fn pop_head(&mut self) -> Option<usize> {
        raw::DequeueProducer::pop_head(self)
    }
}
impl Stealer for raw::DequeueStealer<usize> {
    fn pop_tail(&self) -> Option<usize> {
        raw::DequeueStealer::pop_tail(self)
    }
}
impl Producer for raw::ChainProducer<usize> {
    fn push_head(&mut self, v: usize) -> bool {
        raw::ChainProducer::push_head(self, v);
        true
    }
    fn pop_head(&mut self) -> Option<usize> {
        raw::ChainProducer::pop_head(self)
    }
}
impl Stealer for raw::ChainStealer<usize> {
    fn pop_tail(&self) -> Option<usize> {
        raw::ChainStealer::pop_tail(self)
    }
}

/// Port of `testPoolDequeue` (sync/pool_test.go).
fn test_pool_dequeue(mut producer: impl Producer, stealer: impl Stealer) {
    const P: usize = 10;
    let n: usize = if SHORT { 10_000 } else { 2_000_000 };
    let have: Vec<AtomicI32> = (0..n).map(|_| AtomicI32::new(0)).collect();
    let stop = AtomicBool::new(false);
    let record = |val: usize| {
        have[val].fetch_add(1, Ordering::SeqCst);
        if val == n - 1 {
            stop.store(true, Ordering::SeqCst);
        }
    };
    let mut pop_heads = 0;
    thread::scope(|s| {
        for _ in 1..P {
            s.spawn(|| {
                let mut fail = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    match stealer.pop_tail() {
                        Some(val) => {
                            fail = 0;
                            record(val);
                        }
                        None => {
                            // Let the pusher run.
                            fail += 1;
                            if fail % 100 == 0 {
                                thread::yield_now();
                            }
                        }
                    }
                }
            });
        }
        s.spawn(|| {
            for j in 0..n {
                while !producer.push_head(j) {
                    // Let a popper run.
                    thread::yield_now();
                }
                if j % 10 == 0 {
                    if let Some(val) = producer.pop_head() {
                        pop_heads += 1;
                        record(val);
                    }
                }
            }
        });
    });
    for (i, count) in have.iter().enumerate() {
        assert_eq!(count.load(Ordering::SeqCst), 1, "have[{i}]");
    }
    // As in Go, only the long run is sure to catch a pop at the head.
    if !SHORT {
        assert!(pop_heads > 0, "pop_head never succeeded");
    }
}

#[test]
fn go_test_pool_dequeue() {
    let (producer, stealer) = raw::dequeue(16, NEAR_WRAP);
    test_pool_dequeue(producer, stealer);
}

#[test]
fn go_test_pool_chain() {
    let (producer, stealer) = raw::chain();
    test_pool_dequeue(producer, stealer);
}

/// A full ring refuses a push and gives the value back; values come out
/// LIFO at the head and FIFO at the tail, across the index wrap-around.
#[test]
fn ring_is_lifo_at_the_head_and_fifo_at_the_tail() {
    let (mut p, s) = raw::dequeue(4, u32::MAX - 1);
    for v in 0..4 {
        p.push_head(v).unwrap();
    }
    assert_eq!(p.push_head(4), Err(4));
    assert_eq!(s.pop_tail(), Some(0));
    assert_eq!(p.pop_head(), Some(3));
    assert_eq!(s.pop_tail(), Some(1));
    assert_eq!(p.pop_head(), Some(2));
    assert_eq!(p.pop_head(), None);
    assert_eq!(s.pop_tail(), None);
}

/// The chain grows past its first rings and still pops in order, from both
/// ends, including from older rings when backing up at the head.
#[test]
fn chain_grows_and_backs_up() {
    let (mut p, s) = raw::chain();
    for v in 0..100 {
        p.push_head(v);
    }
    assert_eq!(s.pop_tail(), Some(0));
    assert_eq!(s.pop_tail(), Some(1));
    for v in (2..100).rev() {
        assert_eq!(p.pop_head(), Some(v));
    }
    assert_eq!(p.pop_head(), None);
    assert_eq!(s.pop_tail(), None);
    // A drained chain is reused.
    p.push_head(5);
    assert_eq!(s.pop_tail(), Some(5));
}

/// Values still queued when the last handle goes are dropped exactly once.
#[test]
fn queued_values_are_dropped_once() {
    let ledger = Tracker::new();
    {
        let (mut p, s) = raw::dequeue(8, NEAR_WRAP);
        for i in 0..8 {
            assert!(p.push_head(ledger.make(i as u64)).is_ok());
        }
        let back = p.push_head(ledger.make(8)).unwrap_err();
        drop(back);
        drop(s.pop_tail());
        drop(p.pop_head());
    }
    {
        let (mut p, s) = raw::chain();
        for i in 9..200 {
            p.push_head(ledger.make(i as u64));
        }
        for _ in 0..20 {
            drop(s.pop_tail());
            drop(p.pop_head());
        }
    }
    ledger.assert_each_dropped_once(0..200);
}
