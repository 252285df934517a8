//! Many threads and tasks doing random operations on shared channels: the
//! multiset of values received equals the multiset of values whose send
//! succeeded, and nothing is left behind. Fixed operation counts bound the
//! run time; fixed seeds make failures reproducible.
#![cfg(not(gort_loom))]

mod common;

use common::Tracker;
use gort_chan::{Receiver, Sender, bounded};
use std::sync::Arc;
use std::time::Duration;

const PER_PRODUCER: u64 = 20_000;

/// Sends ids `base..base+PER_PRODUCER` with a random mix of operations;
/// returns the ids whose send succeeded.
fn produce_blocking(tx: Sender<u64>, base: u64, seed: u64) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut sent = Vec::new();
    for id in base..base + PER_PRODUCER {
        let ok = match rng.u8(0..3) {
            0 => tx.send_blocking(id).is_ok(),
            1 => tx.try_send(id).is_ok(),
            _ => tx
                .send_timeout(id, Duration::from_micros(rng.u64(0..50)))
                .is_ok(),
        };
        if ok {
            sent.push(id);
        }
    }
    sent
}

fn consume_blocking(rx: Receiver<u64>, seed: u64) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut got = Vec::new();
    loop {
        let r = match rng.u8(0..3) {
            0 => rx.recv_blocking().map_err(|_| true),
            1 => rx
                .try_recv()
                .map_err(|e| e == gort_chan::TryRecvError::Closed),
            _ => rx
                .recv_timeout(Duration::from_micros(rng.u64(0..50)))
                .map_err(|e| e == gort_chan::RecvTimeoutError::Closed),
        };
        match r {
            Ok(v) => got.push(v),
            Err(true) => return got,
            Err(false) => std::thread::yield_now(),
        }
    }
}

/// Like `produce_blocking`, for a task. A send cancelled by its timeout
/// either was dropped or had already been taken by a receiver (it completed,
/// but the cancelled future cannot report it): those ids come back as
/// "maybe sent".
async fn produce_async(tx: Sender<u64>, base: u64, seed: u64) -> (Vec<u64>, Vec<u64>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut sent, mut maybe) = (Vec::new(), Vec::new());
    for id in base..base + PER_PRODUCER {
        if rng.bool() {
            if tx.send(id).await.is_ok() {
                sent.push(id);
            }
        } else {
            match tokio::time::timeout(Duration::from_micros(rng.u64(0..30)), tx.send(id)).await {
                Ok(Ok(())) => sent.push(id),
                Ok(Err(_)) => {}
                Err(_) => maybe.push(id),
            }
        }
    }
    (sent, maybe)
}

async fn consume_async(rx: Receiver<u64>, seed: u64) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut got = Vec::new();
    loop {
        if rng.bool() {
            match rx.recv().await {
                Ok(v) => got.push(v),
                Err(_) => return got,
            }
        } else {
            match tokio::time::timeout(Duration::from_micros(rng.u64(0..30)), rx.recv()).await {
                Ok(Ok(v)) => got.push(v),
                Ok(Err(_)) => return got,
                Err(_) => {}
            }
        }
    }
}

fn run(cap: usize, seed: u64) {
    let rt = common::runtime();
    let (tx, rx) = bounded::<u64>(cap);
    type Join = Box<dyn FnOnce() -> (Vec<u64>, Vec<u64>)>;
    let mut producers: Vec<Join> = Vec::new();
    let mut consumers: Vec<Join> = Vec::new();
    for k in 0..3u64 {
        let (tx, rx) = (tx.clone(), rx.clone());
        let t = std::thread::spawn(move || produce_blocking(tx, k * PER_PRODUCER, seed + k));
        producers.push(Box::new(move || (t.join().unwrap(), Vec::new())));
        let t = std::thread::spawn(move || consume_blocking(rx, seed + 100 + k));
        consumers.push(Box::new(move || (t.join().unwrap(), Vec::new())));
    }
    for k in 3..6u64 {
        let (tx, rx) = (tx.clone(), rx.clone());
        let (t, h) = (
            rt.spawn(produce_async(tx, k * PER_PRODUCER, seed + k)),
            rt.handle().clone(),
        );
        producers.push(Box::new(move || h.block_on(t).unwrap()));
        let (t, h) = (
            rt.spawn(consume_async(rx, seed + 100 + k)),
            rt.handle().clone(),
        );
        consumers.push(Box::new(move || (h.block_on(t).unwrap(), Vec::new())));
    }
    drop((tx, rx));
    let (mut sent, mut maybe) = (Vec::new(), Vec::new());
    for p in producers {
        let (s, m) = p();
        sent.extend(s);
        maybe.extend(m);
    }
    sent.sort_unstable();
    let mut got: Vec<u64> = consumers.into_iter().flat_map(|c| c().0).collect();
    got.sort_unstable();
    let received = got.len();
    got.dedup();
    assert_eq!(
        got.len(),
        received,
        "cap {cap} seed {seed}: a value was received twice"
    );
    let got: std::collections::HashSet<u64> = got.into_iter().collect();
    let maybe: std::collections::HashSet<u64> = maybe.into_iter().collect();
    for id in &sent {
        assert!(
            got.contains(id),
            "cap {cap} seed {seed}: sent {id} was lost"
        );
    }
    let extra = got.len() - sent.len();
    assert!(
        got.iter()
            .all(|id| sent.binary_search(id).is_ok() || maybe.contains(id)),
        "cap {cap} seed {seed}: received a value whose send failed"
    );
    assert!(extra <= maybe.len());
    assert!(sent.len() > PER_PRODUCER as usize, "the run moved values");
}

#[test]
fn stress_cap0() {
    run(0, 1);
}

#[test]
fn stress_cap1() {
    run(1, 2);
}

#[test]
fn stress_cap16() {
    run(16, 3);
}

/// Values with a counted `Drop` through threads, with the receivers going
/// away early: every value is dropped exactly once.
#[test]
fn stress_drop_accounting() {
    let tracker = Tracker::new();
    for cap in [0, 2, 32] {
        let (tx, rx) = bounded(cap);
        let producers: Vec<_> = (0..3)
            .map(|k| {
                let (tx, tracker) = (tx.clone(), Arc::clone(&tracker));
                std::thread::spawn(move || {
                    for i in 0..2000 {
                        // Failed sends hand the value back; it is dropped here.
                        if tx.send_blocking(tracker.make(k * 10_000 + i)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let rx = rx.clone();
                std::thread::spawn(move || rx.iter().take(1500).count())
            })
            .collect();
        drop((tx, rx));
        for c in consumers {
            c.join().unwrap();
        }
        for p in producers {
            p.join().unwrap();
        }
        assert_eq!(tracker.live(), 0, "cap {cap}");
    }
    assert_eq!(tracker.created(), tracker.dropped());
}
