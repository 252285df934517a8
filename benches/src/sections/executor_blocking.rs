//! The blocking neighbour: 4 pairs of tasks ping-pong over cap-0 gort
//! channels (`n` round trips in all) while one more task on the same
//! runtime blocks its thread 10 ms at a time (`std::thread::sleep`, then a
//! yield, until the pairs are done). On gort the blocked poll's P can be
//! retaken by sysmon; tokio needs `block_in_place` around the call;
//! async-executor has nothing for it. Go's twin blocks in a raw
//! `syscall.Nanosleep` (a system call, which sysmon can retake). Both
//! sysmons retake a P seen in the same call at two looks, rare once they
//! have backed off to 10 ms rounds; the pairs queued on the blocked P then
//! wait for the block's end or a preemption, as in Go.
//!
//! Every sample lasts at least 500 ms. Between blocks the neighbour waits
//! its turn (on gort and Go some 20-30 ms in the global queue, which runnext
//! chains check only now and then), so a 100 ms sample held three or four
//! blocks, and one block more or less moved the row by a tenth: the row is
//! a rate over tens of blocks, not over a few.
//!
//! A table gives the round-trip latency the pairs see (p50, p99, max).

use super::executor::Rt;
use crate::{Measurement, Table, Workload, measure};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const SECTION: &str = "executor";
const PAIRS: u64 = 4;
const BLOCK: Duration = Duration::from_millis(10);

/// How the neighbour blocks, if there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Neighbour {
    None,
    /// `std::thread::sleep` straight in the task.
    Plain,
    /// Inside tokio's `block_in_place`.
    BlockInPlace,
}

/// Runs the neighbour (if any) and the pairs; each pair records the
/// duration of each of its round trips when `latencies` is set. Only the
/// pairs' part is measured; the neighbour is started before it, and after
/// it stopped and waited for (so that it never outlives its run and blocks
/// the next one's threads).
fn run(rt: Rt, neighbour: Neighbour, n: u64, latencies: bool) -> (Measurement, Vec<Duration>) {
    let stop = Arc::new(AtomicBool::new(false));
    let (started_tx, started_rx) = gort_chan::bounded::<()>(1);
    let (ended_tx, ended_rx) = gort_chan::bounded::<()>(1);
    if neighbour != Neighbour::None {
        let stop = stop.clone();
        rt.spawn(async move {
            started_tx.try_send(()).unwrap();
            while !stop.load(Ordering::Relaxed) {
                match neighbour {
                    Neighbour::BlockInPlace => {
                        tokio::task::block_in_place(|| std::thread::sleep(BLOCK))
                    }
                    _ => std::thread::sleep(BLOCK),
                }
                rt.yield_now().await;
            }
            ended_tx.try_send(()).unwrap();
        });
        started_rx.recv_blocking().unwrap();
    }
    let mut all = Vec::new();
    let m = measure(|| pairs(rt, n, latencies, &mut all));
    stop.store(true, Ordering::Relaxed);
    if neighbour != Neighbour::None {
        ended_rx.recv_blocking().unwrap();
    }
    (m, all)
}

/// The ping-pong pairs, `n` round trips in all; their latencies go to `all`.
fn pairs(rt: Rt, n: u64, latencies: bool, all: &mut Vec<Duration>) {
    let (done_tx, done_rx) = gort_chan::bounded::<Vec<Duration>>(PAIRS as usize);
    for i in 0..PAIRS {
        let k = n / PAIRS + u64::from(i < n % PAIRS);
        let done = done_tx.clone();
        let (ping_tx, ping_rx) = gort_chan::bounded::<u64>(0);
        let (pong_tx, pong_rx) = gort_chan::bounded::<u64>(0);
        rt.spawn(async move {
            while let Ok(v) = ping_rx.recv().await {
                pong_tx.send(v).await.unwrap();
            }
        });
        let pair: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
            let mut lat = Vec::with_capacity(if latencies { k as usize } else { 0 });
            for j in 0..k {
                let t0 = latencies.then(Instant::now);
                ping_tx.send(j).await.unwrap();
                pong_rx.recv().await.unwrap();
                if let Some(t0) = t0 {
                    lat.push(t0.elapsed());
                }
            }
            done.send(lat).await.unwrap();
        });
        rt.spawn(pair);
    }
    for _ in 0..PAIRS {
        all.extend(done_rx.recv_blocking().unwrap());
    }
}

fn rate(rt: Rt, neighbour: Neighbour, n: u64) -> Measurement {
    run(rt, neighbour, n, false).0
}

/// The rows of the blocking-neighbour workload.
pub fn workloads() -> Vec<Workload> {
    vec![
        Workload::new(SECTION, "blocking-neighbour", "round trip")
            // A rate over tens of the neighbour's blocks (see the module
            // docs), not over a few.
            .sample_at_least(BLOCK * 50)
            .gort("gort", |n| rate(Rt::Gort, Neighbour::Plain, n))
            .gort("gort (no neighbour)", |n| {
                rate(Rt::Gort, Neighbour::None, n)
            })
            .peer("tokio", |n| rate(Rt::Tokio, Neighbour::Plain, n))
            .peer("tokio (block_in_place)", |n| {
                rate(Rt::Tokio, Neighbour::BlockInPlace, n)
            })
            .peer("async-executor", |n| rate(Rt::Smol, Neighbour::Plain, n))
            .go("blocking-neighbour"),
    ]
}

/// Round-trip latencies seen by the pairs, 4 × 50 000 round trips (several
/// of the neighbour's blocks on every runtime).
pub fn tables() -> Vec<Table> {
    let cases = [
        ("gort (no neighbour)", Rt::Gort, Neighbour::None),
        ("gort", Rt::Gort, Neighbour::Plain),
        ("tokio", Rt::Tokio, Neighbour::Plain),
        ("tokio (block_in_place)", Rt::Tokio, Neighbour::BlockInPlace),
        ("async-executor", Rt::Smol, Neighbour::Plain),
    ];
    let us = |d: Duration| format!("{:.1} µs", d.as_secs_f64() * 1e6);
    let rows = cases
        .iter()
        .map(|&(name, rt, neighbour)| {
            let (_, mut lat) = run(rt, neighbour, PAIRS * 50_000, true);
            lat.sort_unstable();
            let at = |q: f64| lat[((lat.len() - 1) as f64 * q) as usize];
            vec![
                name.to_string(),
                us(at(0.5)),
                us(at(0.99)),
                us(*lat.last().expect("round trips were made")),
            ]
        })
        .collect();
    vec![Table {
        section: SECTION,
        title: "blocking-neighbour: round-trip latency of the ping-pong pairs while a task \
                blocks its thread 10 ms at a time"
            .into(),
        columns: ["runtime", "p50", "p99", "max"].map(String::from).to_vec(),
        rows,
    }]
}
