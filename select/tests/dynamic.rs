//! The dynamic `Select` (Go: `reflect.Select`): what `Selected` hands back,
//! and what it refuses to hand back.
#![cfg(not(gort_loom))]

use gort_chan::{RecvError, bounded};
use gort_select::Select;
use gort_testkit::{Tracked, Tracker, poll_noop};
use std::pin::pin;
use std::task::Poll;

/// Arm A receives on one unbuffered channel, arm B sends a counted value on
/// another. While both wait, a sender completes A; then a `try_recv` on B's
/// channel finds B's waiter, loses the claim to A and unlinks it. B's value
/// must still come back through `unsent`, and be dropped exactly once.
#[test]
fn a_losing_send_arm_unlinked_by_a_peer_hands_its_value_back() {
    let tracker = Tracker::new();
    let (a_tx, a_rx) = bounded::<u32>(0);
    let (b_tx, b_rx) = bounded::<Tracked>(0);
    let mut sel = Select::new();
    let ia = sel.recv(&a_rx);
    let ib = sel.send(&b_tx, tracker.make(1));
    let mut fut = pin!(sel.select());
    assert!(poll_noop(fut.as_mut()).is_pending());
    a_tx.try_send(7).unwrap();
    assert!(b_rx.try_recv().is_err(), "B's waiter lost the claim to A");
    let Poll::Ready(mut done) = poll_noop(fut.as_mut()) else {
        panic!("A completed the select");
    };
    assert_eq!(done.index(), ia);
    assert_eq!(done.recv(&a_rx), Ok(7));
    let unsent = done.unsent(ib, &b_tx).expect("the losing send arm's value");
    assert_eq!(tracker.dropped(), 0);
    drop(unsent);
    drop(done);
    tracker.assert_each_dropped_once([1]);
}

/// The same race on the blocking face: a thread's select queued on both
/// arms is completed through A, and a `try_recv` on B's channel may unlink
/// B's waiter before the thread runs its clean-up. B's value comes back
/// either way.
#[test]
fn unsent_after_a_blocking_select() {
    for _ in 0..200 {
        let (a_tx, a_rx) = bounded::<u32>(0);
        let (b_tx, b_rx) = bounded::<u64>(0);
        std::thread::scope(|s| {
            let selector = s.spawn(|| {
                let mut sel = Select::new();
                let ia = sel.recv(&a_rx);
                let ib = sel.send(&b_tx, 99);
                let mut done = sel.select_blocking();
                assert_eq!(done.index(), ia, "nobody receives from B");
                assert_eq!(done.recv(&a_rx), Ok(1));
                assert_eq!(done.unsent(ib, &b_tx), Some(99));
            });
            // Once the select waits on A, complete it, then race its
            // clean-up with a receive on B.
            while a_tx.try_send(1).is_err() {
                std::thread::yield_now();
            }
            assert!(b_rx.try_recv().is_err(), "A won the select");
            selector.join().unwrap();
        });
    }
}

/// Asking the winning arm for another channel's outcome is a contract
/// violation that panics (before the fix it read past the arm's allocation:
/// AddressSanitizer reported a heap-buffer-overflow here).
#[test]
#[should_panic(expected = "is not a receive on this channel")]
fn recv_with_a_channel_of_another_type_panics() {
    let (tx, rx) = bounded::<u8>(1);
    let (_tx2, rx2) = bounded::<[u64; 8]>(1);
    tx.try_send(1).unwrap();
    let mut sel = Select::new();
    sel.recv(&rx);
    let mut done = sel.select_blocking();
    let _ = done.recv(&rx2);
}

/// The same for `send` and `unsent`.
#[test]
fn send_and_unsent_with_a_channel_of_another_type_panic() {
    let (tx, _rx) = bounded::<u8>(1);
    let (tx2, _rx2) = bounded::<[u64; 8]>(1);
    let mut sel = Select::new();
    let i = sel.send(&tx, 1);
    let mut done = sel.select_blocking();
    assert_eq!(done.index(), i);
    let send = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| done.send(&tx2)));
    assert!(send.is_err());
    let unsent = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| done.unsent(i, &tx2)));
    assert!(unsent.is_err());
    assert_eq!(done.send(&tx), Ok(()));
}

/// A receive arm on a closed channel reports it.
#[test]
fn recv_arm_on_a_closed_channel() {
    let (tx, rx) = bounded::<u8>(0);
    tx.close();
    let mut sel = Select::new();
    let i = sel.recv(&rx);
    let mut done = sel.select_blocking();
    assert_eq!(done.index(), i);
    assert_eq!(done.recv(&rx), Err(RecvError));
}
