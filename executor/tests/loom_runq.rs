//! loom models of a P's run queue (4 slots under loom): the owner's
//! `runqput` (ring, `runnext` and the kick of the old `runnext`, the
//! ring's index wrap, `runqputslow`'s move of the older half to the global
//! queue) and `runqget`, racing a thief's `runqsteal` (ring, and `runnext`
//! on the last pass); and Go's TestSchedLocalQueueEmpty (`runqempty` never
//! reports a queue empty that always holds a G).
//!
//! Every G put is found exactly once: run by the owner, stolen, left in a
//! queue, or overflowed.
//!
//! Not covered: two thieves on one victim (Go allows it; the CAS on `head`
//! is the same one), and the 256-slot ring (the same code).
#![cfg(gort_loom)]

use gort_executor::loom_api::Queue;
use loom::thread;
use std::sync::Arc;

fn model(f: impl Fn() + Send + Sync + 'static) {
    let mut b = loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(3);
    }
    b.check(f);
}

/// Every G put was seen once: taken (`seen`), or left in or overflowed
/// from one of `queues`.
fn assert_each_once(mut seen: Vec<u64>, queues: [&Queue; 2], put: &[u64]) {
    for q in queues {
        let (left, overflowed) = q.drain();
        seen.extend(left);
        seen.extend(overflowed);
    }
    seen.sort();
    let mut want = put.to_vec();
    want.sort();
    assert_eq!(seen, want);
}

#[test]
fn put_get_and_overflow_racing_steal() {
    model(|| {
        let victim = Arc::new(Queue::new());
        let thief = Queue::new();
        let v2 = victim.clone();
        let owner = thread::spawn(move || {
            let mut put = Vec::new();
            let mut ran = Vec::new();
            // runnext kicks, then the ring fills past its 4 slots.
            for i in 0..6 {
                put.push(v2.put(i % 2 == 0));
            }
            ran.extend(v2.get());
            put.push(v2.put(false));
            (put, ran)
        });
        let mut seen: Vec<u64> = Vec::new();
        seen.extend(thief.steal_from(&victim, false));
        seen.extend(thief.steal_from(&victim, true));
        let (put, ran) = owner.join().unwrap();
        seen.extend(ran);
        assert_each_once(seen, [&*victim, &thief], &put);
    });
}

#[test]
fn runnext_stolen_on_the_last_pass() {
    model(|| {
        let victim = Arc::new(Queue::new());
        let thief = Queue::new();
        let v2 = victim.clone();
        let owner = thread::spawn(move || {
            let a = v2.put(true);
            let got = v2.get();
            let b = v2.put(true);
            (vec![a, b], got)
        });
        let stolen = thief.steal_from(&victim, true);
        let (put, got) = owner.join().unwrap();
        let mut seen: Vec<u64> = stolen.into_iter().chain(got).collect();
        assert_each_once(seen, [&*victim, &thief], &put);
    });
}

/// Go's TestSchedLocalQueueEmpty: the queue always holds a G while the
/// owner kicks `runnext` into the ring and takes one back.
#[test]
fn runqempty_is_never_spuriously_empty() {
    model(|| {
        let q = Arc::new(Queue::new());
        q.put(true); // in runnext, the ring empty: Go's race needs this
        let q2 = q.clone();
        let owner = thread::spawn(move || {
            for _ in 0..2 {
                q2.put(true);
                q2.get().expect("the queue holds a G");
            }
        });
        assert!(!q.is_empty());
        owner.join().unwrap();
    });
}
