//! loom models of Go's poolDequeue and poolChain: the producer's pushHead and
//! popHead racing a consumer's popTail, across the 32-bit index wrap-around,
//! with slot reuse (the `full` hand-back) and chain growth and unlinking.
//!
//! Not covered here: more than one consumer at once (the consumers' only
//! shared step is the same CAS the producer's popHead races, modelled
//! here), rings larger than 2 slots, and growth past the second ring.
#![cfg(gort_loom)]

use gort_pool::raw;
use gort_testkit::Tracker;
use loom::thread;

/// Ring of 2 slots starting at index 2^32 - 1: push, push, pop the head,
/// push again (reusing a slot a consumer may still be emptying), against a
/// consumer popping the tail twice. Every value is taken or dropped once.
#[test]
fn dequeue_push_and_pop_head_race_pop_tail() {
    loom::model(|| {
        let ledger = Tracker::new();
        let (mut p, s) = raw::dequeue(2, u32::MAX);
        let thief = thread::spawn(move || {
            drop(s.pop_tail());
            drop(s.pop_tail());
        });
        p.push_head(ledger.make(0)).expect("empty ring");
        if let Err(v) = p.push_head(ledger.make(1)) {
            // Full only if the consumer has not even started.
            drop(v);
        }
        drop(p.pop_head());
        // Full, or the slot not yet handed back by the consumer: refused.
        drop(p.push_head(ledger.make(2)));
        thief.join().unwrap();
        drop(p);
        ledger.assert_each_dropped_once(0..3);
    });
}

/// A chain whose first ring (2 slots under loom) overflows into a second:
/// the consumer may drain the first ring and unlink it while the producer
/// backs up into it with popHead.
#[test]
fn chain_grows_while_consumer_unlinks() {
    loom::model(|| {
        let ledger = Tracker::new();
        let (mut p, s) = raw::chain();
        let thief = thread::spawn(move || {
            drop(s.pop_tail());
            drop(s.pop_tail());
        });
        for i in 0..3 {
            p.push_head(ledger.make(i as u64));
        }
        drop(p.pop_head());
        drop(p.pop_head());
        thief.join().unwrap();
        drop(p);
        ledger.assert_each_dropped_once(0..3);
    });
}
