//! Go's select tests from runtime/chan_test.go (go1.23), re-expressed:
//! TestSelfSelect, TestSelectStress, TestSelectFairness, TestPseudoRandomSend,
//! TestSelectDuplicateChannel, TestNonblockSelectRace and Race2. Nothing
//! sleeps to synchronise: where Go sleeps to let a goroutine queue, a future
//! is polled once instead.
#![cfg(not(gort_loom))]

use gort_chan::{Receiver, Sender, bounded, never};
use gort_select::{Select, select, select_blocking};
use gort_testkit::poll_noop;
use std::pin::pin;
use std::sync::Barrier;
use std::task::Poll;

/// TestSelfSelect: a select with a send and a receive arm on the same
/// channel, run from two threads, never receives its own value.
#[test]
fn self_select() {
    for cap in [0, 10] {
        let (tx, rx) = bounded::<i32>(cap);
        std::thread::scope(|s| {
            for p in 0..2 {
                let (tx, rx) = (&tx, &rx);
                s.spawn(move || {
                    for i in 0..1000 {
                        let got = if p == 0 || i % 2 == 0 {
                            select_blocking! {
                                send(tx, p) -> r => { r.unwrap(); None },
                                recv(rx) -> v => Some(v.unwrap()),
                            }
                        } else {
                            select_blocking! {
                                recv(rx) -> v => Some(v.unwrap()),
                                send(tx, p) -> r => { r.unwrap(); None },
                            }
                        };
                        if cap == 0 {
                            assert_ne!(got, Some(p), "self receive");
                        }
                    }
                });
            }
        });
    }
}

/// TestSelectStress: 4 senders and 4 receivers on channels of capacity 0,
/// 0, 2 and 3, plus one select sending on all four and one select receiving
/// from all four, switching arms off (Go: a nil channel) once an arm has
/// moved N values. Nothing deadlocks and every count adds up.
#[test]
fn select_stress() {
    const N: usize = 10_000;
    let chans: Vec<(Sender<i32>, Receiver<i32>)> = [0, 0, 2, 3].into_iter().map(bounded).collect();
    std::thread::scope(|s| {
        for (tx, rx) in &chans {
            s.spawn(move || (0..N).for_each(|_| tx.send_blocking(0).unwrap()));
            s.spawn(move || (0..N).for_each(|_| assert_eq!(rx.recv_blocking(), Ok(0))));
        }
        let chans = &chans;
        // The sending select, built at run time so finished arms can leave.
        s.spawn(move || {
            let mut n = [0; 4];
            for _ in 0..4 * N {
                let mut sel = Select::new();
                let mut index = [usize::MAX; 4];
                for k in (0..4).rev() {
                    if n[k] < N {
                        index[k] = sel.send(&chans[k].0, 0);
                    }
                }
                let mut done = sel.select_blocking();
                let k = index.iter().position(|&i| i == done.index()).unwrap();
                done.send(&chans[k].0).unwrap();
                n[k] += 1;
            }
            assert_eq!(n, [N; 4]);
        });
        // The receiving select: a finished arm switches to `never()`.
        s.spawn(move || {
            let mut n = [0; 4];
            let nil = never::<i32>();
            let rx = |k: usize, n: &[usize; 4]| if n[k] < N { &chans[k].1 } else { &nil };
            for _ in 0..4 * N {
                let (r0, r1, r2, r3) = (rx(0, &n), rx(1, &n), rx(2, &n), rx(3, &n));
                let k = select_blocking! {
                    recv(r0) -> v => { v.unwrap(); 0 },
                    recv(r1) -> v => { v.unwrap(); 1 },
                    recv(r2) -> v => { v.unwrap(); 2 },
                    recv(r3) -> v => { v.unwrap(); 3 },
                };
                n[k] += 1;
            }
            assert_eq!(n, [N; 4]);
        });
    });
}

/// TestSelectFairness: with two ready arms (and two idle ones), each is
/// chosen half the time: 10,000 trials, and the count must stay within 10
/// standard deviations of the mean (a false alarm has probability < 1e-23).
#[test]
fn select_fairness() {
    const TRIALS: usize = 10_000;
    let (c1t, c1) = bounded::<u8>(TRIALS + 1);
    let (c2t, c2) = bounded::<u8>(TRIALS + 1);
    for _ in 0..=TRIALS {
        c1t.send_blocking(1).unwrap();
        c2t.send_blocking(2).unwrap();
    }
    let (_c3t, c3) = bounded::<u8>(0);
    let (_c4t, c4) = bounded::<u8>(0);
    let (mut cnt1, mut cnt2) = (0usize, 0usize);
    for _ in 0..TRIALS {
        let b = select_blocking! {
            recv(c3) -> b => b.unwrap(),
            recv(c4) -> b => b.unwrap(),
            recv(c1) -> b => b.unwrap(),
            recv(c2) -> b => b.unwrap(),
        };
        match b {
            1 => cnt1 += 1,
            2 => cnt2 += 1,
            other => panic!("unexpected value {other} on channel"),
        }
    }
    let mean = TRIALS as f64 * 0.5;
    let stddev = (TRIALS as f64 * 0.25).sqrt();
    assert!(
        (cnt1 as f64 - mean).abs() <= 10.0 * stddev,
        "unfair select: in {TRIALS} trials, results were {cnt1}, {cnt2}"
    );
}

/// TestPseudoRandomSend: a select with two send arms on one channel sends
/// both values, pseudo-randomly.
#[test]
fn pseudo_random_send() {
    const N: usize = 100;
    for cap in [0, N] {
        let (tx, rx) = bounded::<usize>(cap);
        let receiver = std::thread::spawn(move || {
            (0..N)
                .map(|_| {
                    std::thread::yield_now();
                    rx.recv_blocking().unwrap()
                })
                .collect::<Vec<_>>()
        });
        for _ in 0..N {
            select_blocking! {
                send(tx, 1) -> r => r.unwrap(),
                send(tx, 0) -> r => r.unwrap(),
            }
        }
        let l = receiver.join().unwrap();
        let n1: usize = l.iter().sum();
        let n0 = N - n1;
        assert!(
            n0 > N / 10 && n1 > N / 10,
            "want pseudorandom, got {n0} zeros and {n1} ones (cap {cap})"
        );
    }
}

/// TestSelectDuplicateChannel: a select queued twice on one channel (and on
/// another) that wins elsewhere dequeues itself cleanly; a receiver queued
/// after it on the duplicated channel is then served.
#[test]
fn select_duplicate_channel() {
    let (c_tx, c) = bounded::<i32>(0);
    let (d_tx, d) = bounded::<i32>(0);
    // A: select on c, c, d.
    let a = async {
        select! {
            recv(c) -> v => v,
            recv(c) -> v => v,
            recv(d) -> v => v,
        }
    };
    let mut a = pin!(a);
    assert!(poll_noop(a.as_mut()).is_pending(), "A queues first on c");
    // B: a plain receive on c, queued after A.
    let mut b = pin!(c.recv());
    assert!(poll_noop(b.as_mut()).is_pending(), "B queues on c after A");
    d_tx.try_send(7).unwrap(); // wakes A through d
    assert_eq!(poll_noop(a.as_mut()), Poll::Ready(Ok(7)));
    c_tx.try_send(8).unwrap(); // must reach B: A left c's queue
    assert_eq!(poll_noop(b.as_mut()), Poll::Ready(Ok(8)));
}

/// TestNonblockSelectRace: from the moment the second thread starts, c1 or
/// c2 is always ready, so its non-blocking select never takes the default.
#[test]
fn nonblock_select_race() {
    for close_c2 in [false, true] {
        for _ in 0..2000 {
            let (c1t, c1) = bounded::<i32>(1);
            let (c2t, c2) = bounded::<i32>(if close_c2 { 0 } else { 1 });
            c1t.send_blocking(1).unwrap();
            let start = Barrier::new(2);
            let ready = std::thread::scope(|s| {
                let t = s.spawn(|| {
                    start.wait();
                    select_blocking! {
                        recv(c1) -> _ => true,
                        recv(c2) -> _ => true,
                        default => false,
                    }
                });
                start.wait();
                if close_c2 {
                    c2t.close();
                } else {
                    c2t.send_blocking(1).unwrap();
                }
                select_blocking! {
                    recv(c1) -> _ => {},
                    default => {},
                }
                t.join().unwrap()
            });
            assert!(ready, "no chan is ready (close_c2: {close_c2})");
        }
    }
}
