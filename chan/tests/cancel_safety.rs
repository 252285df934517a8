//! The cancel-safety rules (docs/contract.md), with a hand-written waker: dropped
//! futures leave no waiter behind, lose no value and deliver none twice.
#![cfg(not(gort_loom))]

mod common;

use common::{Tracker, counting_waker, poll_once};
use gort_chan::{RecvError, TryRecvError, bounded};
use std::pin::pin;
use std::task::Poll;

#[test]
fn dropped_pending_send_leaves_no_waiter_and_drops_its_value() {
    for cap in [0, 1, 4] {
        let tracker = Tracker::new();
        let (tx, rx) = bounded(cap);
        for i in 0..cap as u64 {
            tx.send_blocking(tracker.make(i)).unwrap();
        }
        let (waker, _) = counting_waker();
        {
            let mut s = pin!(tx.send(tracker.make(99)));
            assert!(poll_once(s.as_mut(), &waker).is_pending());
        }
        assert_eq!(
            tracker.live(),
            cap as isize,
            "the unsent value was dropped with its future"
        );
        // No ghost sender: a receiver finds only the buffered values.
        for i in 0..cap as u64 {
            assert_eq!(rx.try_recv().unwrap().id, i);
        }
        assert!(matches!(rx.try_recv(), Err(TryRecvError::Empty)));
        assert!(rx.is_empty());
    }
}

#[test]
fn dropped_pending_recv_leaves_no_waiter() {
    for cap in [0, 1, 4] {
        let (tx, rx) = bounded::<u32>(cap);
        let (waker, _) = counting_waker();
        {
            let mut r = pin!(rx.recv());
            assert!(poll_once(r.as_mut(), &waker).is_pending());
        }
        // An unbuffered send now finds no receiver.
        if cap == 0 {
            assert!(tx.try_send(1).unwrap_err().is_full());
        } else {
            tx.try_send(1).unwrap();
            assert_eq!(rx.len(), 1, "the value went to the buffer, not to a ghost");
        }
    }
}

/// A sender hands a value to a receive future, which is dropped before it is
/// polled again: the value goes back to the head of the channel.
#[test]
fn value_handed_to_dropped_recv_returns_to_the_head() {
    for cap in [0, 1, 4] {
        let tracker = Tracker::new();
        let (tx, rx) = bounded(cap);
        let (waker, wakes) = counting_waker();
        {
            let mut r = pin!(rx.recv());
            assert!(poll_once(r.as_mut(), &waker).is_pending());
            tx.try_send(tracker.make(1)).unwrap(); // handed straight to `r`
            assert_eq!(wakes.count(), 1);
            // dropped without being polled
        }
        assert_eq!(tracker.live(), 1, "not dropped, not lost");
        assert_eq!(rx.len(), 1, "len counts the returned value");
        if cap > 0 {
            tx.try_send(tracker.make(2)).unwrap();
        }
        assert_eq!(rx.try_recv().unwrap().id, 1, "returned value first");
        if cap > 0 {
            assert_eq!(rx.try_recv().unwrap().id, 2, "then later values");
        }
        assert!(rx.try_recv().is_err());
        assert_eq!(tracker.live(), 0);
        assert_eq!(tracker.created(), tracker.dropped());
    }
}

/// The returned value goes to a receiver that is already waiting.
#[test]
fn value_handed_to_dropped_recv_goes_to_next_waiting_receiver() {
    let (tx, rx) = bounded::<u32>(0);
    let (waker, _) = counting_waker();
    let mut second = Box::pin(rx.recv());
    {
        let mut first = pin!(rx.recv());
        assert!(poll_once(first.as_mut(), &waker).is_pending());
        assert!(poll_once(second.as_mut(), &waker).is_pending());
        tx.try_send(7).unwrap(); // to `first`, the longest waiter
    }
    assert_eq!(poll_once(second.as_mut(), &waker), Poll::Ready(Ok(7)));
    assert!(rx.is_empty());
}

/// A returned value is drained after a close and dropped with the channel.
#[test]
fn returned_value_drains_after_close_and_is_dropped_with_the_channel() {
    let tracker = Tracker::new();
    let (tx, rx) = bounded(0);
    let (waker, _) = counting_waker();
    {
        let mut r1 = pin!(rx.recv());
        let mut r2 = pin!(rx.recv());
        assert!(poll_once(r1.as_mut(), &waker).is_pending());
        assert!(poll_once(r2.as_mut(), &waker).is_pending());
        tx.try_send(tracker.make(5)).unwrap();
        tx.try_send(tracker.make(5)).unwrap();
    }
    tx.close();
    assert_eq!(rx.len(), 2);
    assert_eq!(rx.recv_blocking().unwrap().id, 5);
    drop((tx, rx));
    assert_eq!(
        tracker.live(),
        0,
        "the other returned value was dropped with the channel"
    );
}

/// Drop a receive future after every possible number of polls, with a
/// sender racing it on another thread; every value is received exactly once.
#[test]
fn drop_recv_at_every_point_with_a_racing_sender() {
    for cap in [0, 1, 3] {
        for polls in 0..4 {
            let (tx, rx) = bounded::<u64>(cap);
            let sender = std::thread::spawn(move || {
                for i in 0..200 {
                    tx.send_blocking(i).unwrap();
                }
            });
            let (waker, _) = counting_waker();
            let mut got = Vec::new();
            while got.len() < 200 {
                let mut r = Box::pin(rx.recv());
                for _ in 0..polls {
                    if let Poll::Ready(v) = poll_once(r.as_mut(), &waker) {
                        got.push(v.unwrap());
                        break;
                    }
                }
                drop(r);
                if let Ok(v) = rx.try_recv() {
                    got.push(v);
                }
            }
            sender.join().unwrap();
            assert_eq!(
                got,
                (0..200).collect::<Vec<_>>(),
                "cap {cap}, polls {polls}"
            );
            assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
        }
    }
}

/// Drop a send future after every possible number of polls against a
/// racing receiver: every completed send is received, in order, once; a
/// send dropped while pending is received at most once (a receiver may have
/// taken its value just before the drop: the send completed unseen).
#[test]
fn drop_send_at_every_point_with_a_racing_receiver() {
    for cap in [0, 1, 3] {
        for polls in 0..4 {
            let (tx, rx) = bounded::<u64>(cap);
            let receiver = std::thread::spawn(move || rx.iter().collect::<Vec<_>>());
            let (waker, _) = counting_waker();
            let (mut completed, mut dropped_pending) = (Vec::new(), Vec::new());
            for i in 0..300u64 {
                let mut s = Box::pin(tx.send(i));
                let mut done = false;
                for _ in 0..polls {
                    if let Poll::Ready(r) = poll_once(s.as_mut(), &waker) {
                        r.unwrap();
                        completed.push(i);
                        done = true;
                        break;
                    }
                }
                if !done && polls > 0 {
                    dropped_pending.push(i);
                }
            }
            drop(tx);
            let got = receiver.join().unwrap();
            assert!(
                got.windows(2).all(|w| w[0] < w[1]),
                "in order, once: cap {cap}, polls {polls}"
            );
            let unseen: Vec<u64> = got
                .iter()
                .copied()
                .filter(|v| !completed.contains(v))
                .collect();
            assert!(
                unseen.iter().all(|v| dropped_pending.contains(v)),
                "only sends that were pending when dropped may arrive unseen: cap {cap}, polls {polls}"
            );
            assert_eq!(
                got.len() - unseen.len(),
                completed.len(),
                "every completed send arrives"
            );
        }
    }
}

#[test]
fn never_is_never_ready() {
    let rx = gort_chan::never::<u8>();
    let (waker, wakes) = counting_waker();
    let mut r = pin!(rx.recv());
    assert!(poll_once(r.as_mut(), &waker).is_pending());
    assert!(poll_once(r.as_mut(), &waker).is_pending());
    assert_eq!(wakes.count(), 0);
    assert!(!rx.is_closed());
    assert_eq!((rx.len(), rx.capacity()), (0, 0));
    assert_eq!(format!("{rx:?}"), "Receiver(never)");
}

#[test]
fn recv_after_close_is_err_for_futures() {
    let (tx, rx) = bounded::<u8>(0);
    tx.close();
    let (waker, _) = counting_waker();
    assert_eq!(
        poll_once(pin!(rx.recv()), &waker),
        Poll::Ready(Err(RecvError))
    );
    assert_eq!(
        poll_once(pin!(tx.send(1)), &waker),
        Poll::Ready(Err(gort_chan::SendError(1)))
    );
}

#[test]
fn pending_send_gets_its_value_back_on_close() {
    let tracker = Tracker::new();
    let (tx, rx) = bounded(0);
    let (waker, wakes) = counting_waker();
    let mut s = pin!(tx.send(tracker.make(3)));
    assert!(poll_once(s.as_mut(), &waker).is_pending());
    assert!(rx.close());
    assert_eq!(wakes.count(), 1);
    match poll_once(s.as_mut(), &waker) {
        Poll::Ready(Err(e)) => assert_eq!(e.0.id, 3),
        other => panic!(
            "expected the value back, got {:?}",
            other.map(|r| r.is_ok())
        ),
    }
    assert_eq!(tracker.live(), 0);
}

/// Values handed to several receive futures that are all dropped go back in
/// the order they were sent, whatever order the futures are dropped in
/// (values of one sender arrive in the order sent).
#[test]
fn given_back_values_keep_their_send_order() {
    for drop_first_handed_first in [true, false] {
        let (tx, rx) = bounded::<u32>(0);
        let (waker, _) = counting_waker();
        let mut a = Box::pin(rx.recv());
        let mut b = Box::pin(rx.recv());
        assert!(poll_once(a.as_mut(), &waker).is_pending());
        assert!(poll_once(b.as_mut(), &waker).is_pending());
        tx.try_send(1).unwrap(); // to `a`, the first waiter
        tx.try_send(2).unwrap(); // to `b`
        if drop_first_handed_first {
            drop(a);
            drop(b);
        } else {
            drop(b);
            drop(a);
        }
        assert_eq!(rx.len(), 2);
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Ok(2));
    }
}
