//! Go's runtime/chan_test.go (go1.23), re-expressed. Where Go sleeps to let a
//! goroutine block, these tests poll a future once (Pending proves it
//! blocks) or hand-shake through the channel itself: nothing sleeps.
#![cfg(not(gort_loom))]

mod common;

use common::{counting_waker, poll_once};
use gort_chan::{RecvError, TryRecvError, TrySendError, bounded};
use std::collections::HashMap;
use std::pin::pin;
use std::task::Poll;

/// TestChan, for capacities 0..200 as Go (not short mode).
#[test]
fn test_chan() {
    for cap in 0..200usize {
        // Receive from an empty channel blocks; non-blocking receive does not.
        {
            let (tx, rx) = bounded::<i32>(cap);
            let (waker, wakes) = counting_waker();
            let mut r1 = pin!(rx.recv());
            let mut r2 = pin!(rx.recv());
            assert!(
                poll_once(r1.as_mut(), &waker).is_pending(),
                "chan[{cap}]: receive from empty chan"
            );
            assert!(
                poll_once(r2.as_mut(), &waker).is_pending(),
                "chan[{cap}]: receive from empty chan"
            );
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "chan[{cap}]");
            // Go sends two values to release both receivers.
            tx.send_blocking(0).unwrap();
            tx.send_blocking(0).unwrap();
            assert_eq!(wakes.count(), 2);
            assert_eq!(poll_once(r1.as_mut(), &waker), Poll::Ready(Ok(0)));
            assert_eq!(poll_once(r2.as_mut(), &waker), Poll::Ready(Ok(0)));
        }
        // Send to a full channel blocks; non-blocking send does not.
        {
            let (tx, rx) = bounded::<i32>(cap);
            for i in 0..cap as i32 {
                tx.send_blocking(i).unwrap();
            }
            let (waker, wakes) = counting_waker();
            let mut s = pin!(tx.send(0));
            assert!(
                poll_once(s.as_mut(), &waker).is_pending(),
                "chan[{cap}]: send to full chan"
            );
            assert_eq!(tx.try_send(0), Err(TrySendError::Full(0)), "chan[{cap}]");
            assert_eq!(rx.recv_blocking(), Ok(0));
            assert_eq!(wakes.count(), 1);
            assert_eq!(poll_once(s.as_mut(), &waker), Poll::Ready(Ok(())));
        }
        // Receive the buffered values, then "zero" (an error), from a closed channel.
        {
            let (tx, rx) = bounded::<i32>(cap);
            for i in 0..cap as i32 {
                tx.send_blocking(i).unwrap();
            }
            tx.close();
            for i in 0..cap as i32 {
                assert_eq!(rx.recv_blocking(), Ok(i), "chan[{cap}]");
            }
            assert_eq!(rx.recv_blocking(), Err(RecvError));
            assert_eq!(rx.recv_blocking(), Err(RecvError));
        }
        // Close unblocks a receive.
        {
            let (tx, rx) = bounded::<i32>(cap);
            let (waker, wakes) = counting_waker();
            let mut r = pin!(rx.recv());
            assert!(poll_once(r.as_mut(), &waker).is_pending());
            tx.close();
            assert_eq!(wakes.count(), 1);
            assert_eq!(poll_once(r.as_mut(), &waker), Poll::Ready(Err(RecvError)));
            // And a blocked thread too.
            let (tx, rx) = bounded::<i32>(cap);
            let t = std::thread::spawn(move || rx.recv_blocking());
            tx.close();
            assert_eq!(t.join().unwrap(), Err(RecvError));
        }
        // 100 integers arrive uncorrupted in FIFO order (recv and recv2 forms).
        {
            let (tx, rx) = bounded::<i32>(cap);
            for _form in 0..2 {
                let tx2 = tx.clone();
                let t = std::thread::spawn(move || {
                    for i in 0..100 {
                        tx2.send_blocking(i).unwrap();
                    }
                });
                for i in 0..100 {
                    assert_eq!(rx.recv_blocking(), Ok(i), "chan[{cap}]");
                }
                t.join().unwrap();
            }
            // 4 senders and 4 receivers of 1000 values each.
            const P: usize = 4;
            const L: i32 = 1000;
            let senders: Vec<_> = (0..P)
                .map(|_| {
                    let tx = tx.clone();
                    std::thread::spawn(move || {
                        for i in 0..L {
                            tx.send_blocking(i).unwrap();
                        }
                    })
                })
                .collect();
            let receivers: Vec<_> = (0..P)
                .map(|_| {
                    let rx = rx.clone();
                    std::thread::spawn(move || {
                        let mut got = HashMap::new();
                        for _ in 0..L {
                            *got.entry(rx.recv_blocking().unwrap()).or_insert(0) += 1;
                        }
                        got
                    })
                })
                .collect();
            let mut total: HashMap<i32, usize> = HashMap::new();
            for r in receivers {
                for (k, v) in r.join().unwrap() {
                    *total.entry(k).or_insert(0) += v;
                }
            }
            senders.into_iter().for_each(|s| s.join().unwrap());
            assert_eq!(total.len(), L as usize, "chan[{cap}]");
            assert!(total.values().all(|&v| v == P), "chan[{cap}]");
        }
        // len and cap.
        {
            let (tx, rx) = bounded::<i32>(cap);
            assert_eq!((rx.len(), rx.capacity()), (0, cap));
            for i in 0..cap as i32 {
                tx.send_blocking(i).unwrap();
            }
            assert_eq!((rx.len(), rx.capacity()), (cap, cap));
            assert_eq!((tx.len(), tx.capacity()), (cap, cap));
        }
    }
}

/// TestNonblockRecvRace: a buffered value then a close; a concurrent
/// non-blocking receive must find the channel ready (value or closed), never
/// "empty and open".
#[test]
fn test_nonblock_recv_race() {
    for _ in 0..2000 {
        let (tx, rx) = bounded::<i32>(1);
        tx.send_blocking(1).unwrap();
        let rx2 = rx.clone();
        let t = std::thread::spawn(move || rx2.try_recv());
        tx.close();
        let _ = rx.recv_blocking();
        let got = t.join().unwrap();
        assert_ne!(got, Err(TryRecvError::Empty), "chan is not ready");
    }
}

/// TestMultiConsumer: 23 workers range over a work channel and forward to a
/// result channel; every value arrives exactly once.
#[test]
fn test_multi_consumer() {
    const NWORK: usize = 23;
    const NITER: usize = 271_828;
    const PN: [usize; 10] = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];
    let (qtx, qrx) = bounded::<usize>(NWORK * 3);
    let (rtx, rrx) = bounded::<usize>(NWORK * 3);
    let workers: Vec<_> = (0..NWORK)
        .map(|w| {
            let (qrx, rtx) = (qrx.clone(), rtx.clone());
            std::thread::spawn(move || {
                for v in &qrx {
                    // Go calls Gosched here to mess with the fifo-ish order.
                    if PN[w % PN.len()] == v {
                        std::thread::yield_now();
                    }
                    rtx.send_blocking(v).unwrap();
                }
            })
        })
        .collect();
    drop((qrx, rtx));
    let feeder = std::thread::spawn(move || {
        let mut expect = 0;
        for i in 0..NITER {
            let v = PN[i % PN.len()];
            expect += v;
            qtx.send_blocking(v).unwrap();
        }
        qtx.close();
        for w in workers {
            w.join().unwrap();
        }
        // The workers' result senders are gone: r closes by itself.
        expect
    });
    let (mut n, mut s) = (0, 0);
    for v in &rrx {
        n += 1;
        s += v;
    }
    let expect = feeder.join().unwrap();
    assert_eq!((n, s), (NITER, expect));
}
