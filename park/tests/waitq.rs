//! Behaviour of the wait queue and claims outside any channel.
#![cfg(not(gort_loom))]

use gort_park::{Claim, Sudog, WaitQ};
use std::pin::pin;

#[test]
fn fifo_order_and_values() {
    let mut q = WaitQ::new();
    let claims: [Claim; 3] = Default::default();
    let sgs = [
        Sudog::new(0, Some(10)),
        Sudog::new(0, Some(11)),
        Sudog::new(0, Some(12)),
    ];
    for (sg, c) in sgs.iter().zip(&claims) {
        // SAFETY: the arrays outlive the queue's use of them and never move.
        unsafe { q.enqueue(sg, c) };
    }
    let mut got = Vec::new();
    while let Some(mut w) = q.dequeue() {
        got.push(w.take_elem().unwrap());
        let _ = w.complete(true);
    }
    assert_eq!(got, [10, 11, 12]);
    assert!(q.is_empty());
    for c in &claims {
        assert_eq!(c.done(), Some(0));
    }
}

#[test]
fn remove_head_middle_tail_and_absent() {
    for victim in 0..4 {
        let mut q = WaitQ::new();
        let claims: [Claim; 4] = Default::default();
        let sgs = [0, 1, 2, 3].map(|i| Sudog::new(0, Some(i)));
        for (sg, c) in sgs.iter().zip(&claims) {
            // SAFETY: as above.
            unsafe { q.enqueue(sg, c) };
        }
        // SAFETY: every sudog was enqueued in `q`.
        assert!(unsafe { q.remove(&sgs[victim]) });
        // SAFETY: as above; a second removal finds it gone.
        assert!(!unsafe { q.remove(&sgs[victim]) });
        let mut got = Vec::new();
        while let Some(mut w) = q.dequeue() {
            got.push(w.take_elem().unwrap());
            let _ = w.complete(true);
        }
        let want: Vec<i32> = (0..4).filter(|&i| i != victim as i32).collect();
        assert_eq!(got, want);
        assert!(claims[victim].is_waiting());
    }
}

#[test]
fn dequeue_skips_sudogs_whose_claim_is_won_elsewhere() {
    // One select-like owner waits on two queues with one claim.
    let (mut q1, mut q2) = (WaitQ::new(), WaitQ::new());
    let select = Claim::new();
    let other = Claim::new();
    let a = Sudog::<u8>::new(0, None);
    let b = Sudog::<u8>::new(1, None);
    let c = Sudog::<u8>::new(0, None);
    // SAFETY: all live until the end of the test.
    unsafe {
        q1.enqueue(&a, &select);
        q2.enqueue(&b, &select);
        q2.enqueue(&c, &other);
    }
    let mut w = q1.dequeue().expect("case 0 wins");
    w.put_elem(7);
    let _ = w.complete(true);
    assert_eq!(select.done(), Some(0));
    // The queue-2 sudog of the same owner is skipped, the next one served.
    let w = q2.dequeue().expect("other waiter");
    assert_eq!(w.case(), 0);
    let _ = w.complete(false);
    assert_eq!(other.done(), Some(0));
    // The owner's later removal finds `b` already gone.
    // SAFETY: `b` was enqueued in `q2`.
    assert!(!unsafe { q2.remove(&b) });
    // SAFETY: the claim is done: the winning sudog is the owner's again.
    assert_eq!(unsafe { a.take_elem() }, Some(7));
}

#[test]
fn blocking_handoff_between_threads() {
    use std::sync::Mutex;
    for _ in 0..200 {
        let q: Mutex<WaitQ<Box<u64>>> = Mutex::new(WaitQ::new());
        let ready = std::sync::Barrier::new(2);
        std::thread::scope(|s| {
            let r = s.spawn(|| {
                let claim = pin!(Claim::new());
                let sg = pin!(Sudog::new(0, None));
                // SAFETY: pinned until the claim is done below.
                unsafe { q.lock().unwrap().enqueue(&sg, &claim) };
                ready.wait();
                assert_eq!(claim.wait(None), Some(0));
                // SAFETY: done, so the sudog is ours.
                unsafe { sg.take_elem() }
            });
            ready.wait();
            let waker = {
                let mut q = q.lock().unwrap();
                let mut w = q.dequeue().expect("receiver queued before the barrier");
                w.put_elem(Box::new(99));
                w.complete(true)
            };
            // `None` if the receiver was still spinning: nobody to wake.
            if let Some(w) = waker {
                w.wake();
            }
            assert_eq!(r.join().unwrap().map(|b| *b), Some(99));
        });
    }
}

#[test]
fn wait_with_past_deadline_times_out() {
    let claim = Claim::new();
    let past = std::time::Instant::now();
    assert_eq!(claim.wait(Some(past)), None);
}
