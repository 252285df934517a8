//! loom models of the channel protocol: send racing receive on unbuffered and
//! 1-buffered channels, close racing a blocked send and a blocked receive, a
//! receive future dropped while a sender hands it a value, a
//! `recv_timeout` expiring while a sender hands it a value, and the
//! lock-free fast paths of `try_recv`/`try_send` racing a close (the
//! mirrors are published `closed` first).
//!
//! Not covered here: spinning before parking (off under loom), real time
//! (under loom a deadline expires at once: the racing case), more than three
//! threads, and executors' wakers (a thread waker and a no-op waker stand in).
#![cfg(gort_loom)]

use gort_chan::{RecvError, RecvTimeoutError, TryRecvError, TrySendError, bounded};
use loom::thread;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

#[test]
fn send_races_recv_unbuffered() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(0);
        let t = thread::spawn(move || tx.send_blocking(7));
        assert_eq!(rx.recv_blocking(), Ok(7));
        assert_eq!(t.join().unwrap(), Ok(()));
    });
}

#[test]
fn two_sends_race_recvs_cap1() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(1);
        let t = thread::spawn(move || {
            tx.send_blocking(1).unwrap();
            tx.send_blocking(2).unwrap();
        });
        assert_eq!(rx.recv_blocking(), Ok(1));
        assert_eq!(rx.recv_blocking(), Ok(2));
        t.join().unwrap();
        assert_eq!(
            rx.recv_blocking(),
            Err(RecvError),
            "closed by the dropped sender"
        );
    });
}

#[test]
fn close_races_blocked_send_and_recv() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(0);
        let (tx2, rx2) = (tx.clone(), rx.clone());
        let sender = thread::spawn(move || tx2.send_blocking(1));
        let receiver = thread::spawn(move || rx2.recv_blocking());
        tx.close();
        let sent = sender.join().unwrap();
        let got = receiver.join().unwrap();
        // Either the pair met before the close, or both saw the close.
        match (sent, got) {
            (Ok(()), Ok(1)) => {}
            (Err(e), Err(RecvError)) => assert_eq!(e.0, 1),
            other => panic!("inconsistent outcome {other:?}"),
        }
        drop(rx);
    });
}

#[test]
fn recv_future_dropped_while_a_value_is_handed_over() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(0);
        let sender = thread::spawn(move || tx.try_send(9).is_ok());
        {
            let mut f = pin!(rx.recv());
            let mut cx = Context::from_waker(Waker::noop());
            if let Poll::Ready(r) = f.as_mut().poll(&mut cx) {
                // Only possible if the sender never ran: it has not sent.
                assert_eq!(r, Err(RecvError));
            }
            // dropped here: possibly after the sender handed it the value
        }
        let sent = sender.join().unwrap();
        // The value is not lost: if it was sent, it is still in the channel.
        assert_eq!(rx.try_recv().ok(), sent.then_some(9));
    });
}

#[test]
fn recv_timeout_races_a_handoff() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(0);
        let sender = thread::spawn(move || tx.try_send(4).is_ok());
        let got = rx.recv_timeout(Duration::from_secs(1));
        let sent = sender.join().unwrap();
        match got {
            Ok(v) => {
                assert!(sent);
                assert_eq!(v, 4);
            }
            // Timed out (under loom a deadline expires at once) or closed by
            // the dropped sender; either way nothing was taken.
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Closed) => assert!(!sent),
        }
    });
}

/// A sender waits on an unbuffered channel (so it is never "open and
/// empty") while a close races a `try_recv`: the receive takes the value or
/// sees the close, never `Empty` (Go's `chanrecv` fast path: empty, then
/// closed, then empty again).
#[test]
fn try_recv_races_close_with_a_waiting_sender() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(0);
        let mut send = Box::pin(tx.send(5));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(send.as_mut().poll(&mut cx).is_pending());
        let receiver = thread::spawn(move || rx.try_recv());
        tx.close();
        let got = receiver.join().unwrap();
        assert!(matches!(got, Ok(5) | Err(TryRecvError::Closed)), "{got:?}");
    });
}

/// A receiver waits on an unbuffered channel (so it is never "open and
/// full") while a close races a `try_send`: the send is taken or sees the
/// close, never `Full`.
#[test]
fn try_send_races_close_with_a_waiting_receiver() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(0);
        let mut recv = Box::pin(rx.recv());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(recv.as_mut().poll(&mut cx).is_pending());
        let tx2 = tx.clone();
        let sender = thread::spawn(move || tx2.try_send(5));
        rx.close();
        let sent = sender.join().unwrap();
        assert!(
            matches!(sent, Ok(()) | Err(TrySendError::Closed(5))),
            "{sent:?}"
        );
        drop(tx);
    });
}
