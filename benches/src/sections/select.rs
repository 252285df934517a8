//! gort-select against crossbeam-channel's `select!`, flume's `Selector`,
//! `tokio::select!` and Go: fan-in over 4 channels, a select with a default
//! on empty channels, a select with a timeout arm (Go's SelectProdCons), and
//! Go's other select benchmarks (runtime/chan_test.go).

use super::chan::adapters::{Blocking, Crossbeam, Flume, Gort};
use crate::exec::Exec;
use crate::{ImplKind, Measurement, Workload, measure, measure_parallel};
use std::future::Future;
use std::time::Duration;

const SECTION: &str = "select";
/// A timeout that never fires during a benchmark (Go: `time.After(time.Hour)`).
const HOUR: Duration = Duration::from_secs(3600);

type Job<'a> = Box<dyn FnOnce() + Send + 'a>;

/// How an implementation selects, for 2, 3 or 4 arms.
trait Selecting: Blocking {
    /// Receives from whichever of `rxs` is ready: (its index, the value).
    fn recv_any(rxs: &[Self::Rx]) -> (usize, usize);
    /// One receive arm with a default (Go's `selectnbrecv`).
    fn try_recv1(rx: &Self::Rx) -> Option<usize>;
    /// One send arm with a default (Go's `selectnbsend`).
    fn try_send1(tx: &Self::Tx, v: usize) -> bool;
    /// Like `recv_any`, with a `default` arm.
    fn try_recv_any(rxs: &[Self::Rx]) -> Option<usize>;
    /// Sends `v` on whichever of `txs` is ready.
    fn send_any(txs: &[Self::Tx], v: usize);
    /// Go's SelectProdCons producer: send on `tx`, or take a value from
    /// `idle`, or time out after `timeout`.
    fn send_or(tx: &Self::Tx, v: usize, idle: &Self::Rx, timeout: Duration);
    /// Go's SelectProdCons consumer: receive from `rx` or `idle`, or time out.
    fn recv_or(rx: &Self::Rx, idle: &Self::Rx, timeout: Duration) -> usize;
}

const ARITY: &str = "benchmarks select over 2 to 4 arms";

/// `Selecting` through a `select!` with crossbeam-channel's syntax, which
/// gort-select's `select_blocking!` shares.
macro_rules! selecting_via {
    ($impl:ty, $($select:ident)::+) => {
        impl Selecting for $impl {
            fn recv_any(rxs: &[Self::Rx]) -> (usize, usize) {
                match rxs {
                    [a, b] => $($select)::+! { recv(a) -> v => (0, v.unwrap()), recv(b) -> v => (1, v.unwrap()) },
                    [a, b, c] => $($select)::+! {
                        recv(a) -> v => (0, v.unwrap()), recv(b) -> v => (1, v.unwrap()),
                        recv(c) -> v => (2, v.unwrap()),
                    },
                    [a, b, c, d] => $($select)::+! {
                        recv(a) -> v => (0, v.unwrap()), recv(b) -> v => (1, v.unwrap()),
                        recv(c) -> v => (2, v.unwrap()), recv(d) -> v => (3, v.unwrap()),
                    },
                    _ => unreachable!("{ARITY}"),
                }
            }

            fn try_recv1(rx: &Self::Rx) -> Option<usize> {
                $($select)::+! { recv(rx) -> v => v.ok(), default => None }
            }

            fn try_send1(tx: &Self::Tx, v: usize) -> bool {
                $($select)::+! { send(tx, v) -> r => r.is_ok(), default => false }
            }

            fn try_recv_any(rxs: &[Self::Rx]) -> Option<usize> {
                match rxs {
                    [a, b] => $($select)::+! { recv(a) -> v => v.ok(), recv(b) -> v => v.ok(), default => None },
                    _ => unreachable!("{ARITY}"),
                }
            }

            fn send_any(txs: &[Self::Tx], v: usize) {
                match txs {
                    [a, b, c] => $($select)::+! {
                        send(a, v) -> r => r.unwrap(), send(b, v) -> r => r.unwrap(),
                        send(c, v) -> r => r.unwrap(),
                    },
                    _ => unreachable!("{ARITY}"),
                }
            }

            fn send_or(tx: &Self::Tx, v: usize, idle: &Self::Rx, timeout: Duration) {
                $($select)::+! {
                    send(tx, v) -> r => r.unwrap(),
                    recv(idle) -> _ => unreachable!("idle"),
                    default(timeout) => unreachable!("timeout"),
                }
            }

            fn recv_or(rx: &Self::Rx, idle: &Self::Rx, timeout: Duration) -> usize {
                $($select)::+! {
                    recv(rx) -> v => v.unwrap(),
                    recv(idle) -> _ => unreachable!("idle"),
                    default(timeout) => unreachable!("timeout"),
                }
            }
        }
    };
}

selecting_via!(Gort, gort_select::select_blocking);
selecting_via!(Crossbeam, crossbeam_channel::select);

impl Selecting for Flume {
    fn recv_any(rxs: &[Self::Rx]) -> (usize, usize) {
        rxs.iter()
            .enumerate()
            .fold(flume::Selector::new(), |s, (i, rx)| {
                s.recv(rx, move |v| (i, v.unwrap()))
            })
            .wait()
    }

    fn try_recv1(rx: &Self::Rx) -> Option<usize> {
        flume::Selector::new()
            .recv(rx, |v| v.ok())
            .wait_timeout(Duration::ZERO)
            .ok()
            .flatten()
    }

    fn try_send1(tx: &Self::Tx, v: usize) -> bool {
        flume::Selector::new()
            .send(tx, v, |r| r.is_ok())
            .wait_timeout(Duration::ZERO)
            .unwrap_or(false)
    }

    fn try_recv_any(rxs: &[Self::Rx]) -> Option<usize> {
        rxs.iter()
            .fold(flume::Selector::new(), |s, rx| s.recv(rx, |v| v.unwrap()))
            .wait_timeout(Duration::ZERO)
            .ok()
    }

    fn send_any(txs: &[Self::Tx], v: usize) {
        txs.iter()
            .fold(flume::Selector::new(), |s, tx| {
                s.send(tx, v, |r| r.unwrap())
            })
            .wait()
    }

    fn send_or(tx: &Self::Tx, v: usize, idle: &Self::Rx, timeout: Duration) {
        flume::Selector::new()
            .send(tx, v, |r| r.unwrap())
            .recv(idle, |_| unreachable!("idle"))
            .wait_timeout(timeout)
            .expect("timeout")
    }

    fn recv_or(rx: &Self::Rx, idle: &Self::Rx, timeout: Duration) -> usize {
        flume::Selector::new()
            .recv(rx, |v| v.unwrap())
            .recv(idle, |_: Result<usize, _>| unreachable!("idle"))
            .wait_timeout(timeout)
            .expect("timeout")
    }
}

/// A select workload, run by every implementation that can.
trait Shape: Copy + Send + 'static {
    fn run<C: Selecting>(self, n: u64) -> Measurement;
}

fn shares(n: u64, parts: u64) -> impl Iterator<Item = u64> {
    (0..parts).map(move |i| n / parts + u64::from(i < n % parts))
}

fn workload(name: &str, unit: &'static str, shape: impl Shape) -> Workload {
    without_flume(name, unit, shape)
        .with(Flume::NAME, ImplKind::Peer, move |n| shape.run::<Flume>(n))
}

/// Like [`workload`], without flume: its `Selector` loses wake-ups when
/// several threads select over shared channels (here it hangs in these two
/// workloads, as reported in flume issues #44 and #135), so it could not
/// finish a run.
fn without_flume(name: &str, unit: &'static str, shape: impl Shape) -> Workload {
    Workload::new(SECTION, name, unit)
        .with(Gort::NAME, ImplKind::Gort, move |n| shape.run::<Gort>(n))
        .with(Crossbeam::NAME, ImplKind::Peer, move |n| {
            shape.run::<Crossbeam>(n)
        })
        .go(name)
}

/// 4 producers, each on a channel of its own (capacity 1024); one consumer
/// selects over the 4. One iteration is one message.
#[derive(Clone, Copy)]
struct FanIn;

impl Shape for FanIn {
    fn run<C: Selecting>(self, n: u64) -> Measurement {
        // The original senders stay alive until every job is done: a closed
        // channel's arm would be ready (with an error) for ever after.
        let (txs, rxs): (Vec<C::Tx>, Vec<C::Rx>) = (0..4).map(|_| C::channel(1024)).unzip();
        let mut jobs: Vec<Job> = txs
            .iter()
            .zip(shares(n, 4))
            .map(|(tx, k)| {
                let tx = tx.clone();
                Box::new(move || (0..k).for_each(|i| C::send(&tx, i as usize))) as Job
            })
            .collect();
        jobs.push(Box::new(move || {
            for _ in 0..n {
                std::hint::black_box(C::recv_any(&rxs));
            }
        }));
        measure_parallel(jobs)
    }
}

/// One thread, a select over two empty channels with a default. One
/// iteration is one select.
#[derive(Clone, Copy)]
struct DefaultEmpty;

impl Shape for DefaultEmpty {
    fn run<C: Selecting>(self, n: u64) -> Measurement {
        let (t1, r1) = C::channel(0);
        let (t2, r2) = C::channel(1);
        let rxs = [r1, r2];
        let m = measure(|| {
            for _ in 0..n {
                assert!(C::try_recv_any(&rxs).is_none());
            }
        });
        drop((t1, t2));
        m
    }
}

/// Go's BenchmarkSelectProdCons: 2 producers and 2 consumers on a channel
/// of capacity 128, every operation a select that also waits on a channel
/// that never fires and on an hour-long timeout. One iteration is one
/// message.
#[derive(Clone, Copy)]
struct ProdConsTimeout;

impl Shape for ProdConsTimeout {
    fn run<C: Selecting>(self, n: u64) -> Measurement {
        let (tx, rx) = C::channel(128);
        let (idle_tx, idle) = C::channel(0);
        let mut jobs: Vec<Job> = Vec::new();
        for k in shares(n, 2) {
            let (tx, idle) = (tx.clone(), C::clone_rx(&idle));
            jobs.push(Box::new(move || {
                (0..k).for_each(|i| C::send_or(&tx, i as usize, &idle, HOUR))
            }));
        }
        for k in shares(n, 2) {
            let (rx, idle) = (C::clone_rx(&rx), C::clone_rx(&idle));
            jobs.push(Box::new(move || {
                (0..k).for_each(|_| {
                    std::hint::black_box(C::recv_or(&rx, &idle, HOUR));
                })
            }));
        }
        let m = measure_parallel(jobs);
        drop(idle_tx);
        m
    }
}

/// Go's BenchmarkSelectUncontended: each of 2 threads ping-pongs a token
/// between two channels of its own (capacity 1) with a 2-arm select. One
/// iteration is one select.
#[derive(Clone, Copy)]
struct Uncontended;

impl Shape for Uncontended {
    fn run<C: Selecting>(self, n: u64) -> Measurement {
        let jobs: Vec<Job> = shares(n, 2)
            .map(|k| {
                let (t1, r1) = C::channel(1);
                let (t2, r2) = C::channel(1);
                C::send(&t1, 0);
                let (txs, rxs) = ([t1, t2], [r1, r2]);
                Box::new(move || {
                    for _ in 0..k {
                        // Go: case <-myc1: myc2 <- 0; case <-myc2: myc1 <- 0.
                        let (from, _) = C::recv_any(&rxs);
                        C::send(&txs[1 - from], 0);
                    }
                }) as Job
            })
            .collect();
        measure_parallel(jobs)
    }
}

/// Go's BenchmarkSelectSyncContended: 3 shared unbuffered channels; 2
/// helpers send with a 3-arm select while 2 workers receive with a 3-arm
/// select. One iteration is one message.
#[derive(Clone, Copy)]
struct SyncContended;

impl Shape for SyncContended {
    fn run<C: Selecting>(self, n: u64) -> Measurement {
        let (txs, rxs): (Vec<C::Tx>, Vec<C::Rx>) = (0..3).map(|_| C::channel(0)).unzip();
        let mut jobs: Vec<Job> = Vec::new();
        for k in shares(n, 2) {
            let txs = txs.clone();
            jobs.push(Box::new(move || {
                (0..k).for_each(|i| C::send_any(&txs, i as usize))
            }));
            let rxs: Vec<C::Rx> = rxs.iter().map(C::clone_rx).collect();
            jobs.push(Box::new(move || {
                (0..k).for_each(|_| {
                    std::hint::black_box(C::recv_any(&rxs));
                })
            }));
        }
        measure_parallel(jobs)
    }
}

/// Go's BenchmarkSelectAsyncContended: 2 shared channels of capacity 2;
/// each of 2 threads puts a token in and ping-pongs tokens between them with
/// a 2-arm select. One iteration is one select.
#[derive(Clone, Copy)]
struct AsyncContended;

impl Shape for AsyncContended {
    fn run<C: Selecting>(self, n: u64) -> Measurement {
        let (t1, r1) = C::channel(2);
        let (t2, r2) = C::channel(2);
        let jobs: Vec<Job> = shares(n, 2)
            .map(|k| {
                let txs = [t1.clone(), t2.clone()];
                let rxs = [C::clone_rx(&r1), C::clone_rx(&r2)];
                Box::new(move || {
                    C::send(&txs[0], 0);
                    for _ in 0..k {
                        let (from, _) = C::recv_any(&rxs);
                        C::send(&txs[1 - from], 0);
                    }
                }) as Job
            })
            .collect();
        measure_parallel(jobs)
    }
}

/// Go's BenchmarkSelectNonblock: 2 threads each run 4 non-blocking selects
/// per iteration (receive and send on unbuffered channels, receive and send
/// on channels of capacity 1).
#[derive(Clone, Copy)]
struct Nonblock;

impl Shape for Nonblock {
    fn run<C: Selecting>(self, n: u64) -> Measurement {
        let jobs: Vec<Job> = shares(n, 2)
            .map(|k| {
                let (t1, r1) = C::channel(0);
                let (t2, r2) = C::channel(0);
                let (t3, r3) = C::channel(1);
                let (t4, r4) = C::channel(1);
                Box::new(move || {
                    for _ in 0..k {
                        std::hint::black_box(C::try_recv1(&r1));
                        std::hint::black_box(C::try_send1(&t2, 0));
                        std::hint::black_box(C::try_recv1(&r3));
                        std::hint::black_box(C::try_send1(&t4, 0));
                    }
                    drop((t1, r2, t3, r4));
                }) as Job
            })
            .collect();
        measure_parallel(jobs)
    }
}

/// Runs `consume` on one task while 4 tasks send `n` values in all on the
/// channels of `txs` (clones: the originals keep the channels open).
fn fan_in_tasks<Tx, F>(
    exec: Exec,
    n: u64,
    txs: &[Tx],
    send: fn(Tx, u64) -> F,
    consume: impl Future<Output = ()> + Send + 'static,
) where
    Tx: Clone + Send + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    exec.block_on(async {
        let producers: Vec<_> = txs
            .iter()
            .zip(shares(n, 4))
            .map(|(tx, k)| exec.spawn(send(tx.clone(), k)))
            .collect();
        let consumer = exec.spawn(consume);
        for p in producers {
            p.join().await;
        }
        consumer.join().await;
    })
}

/// gort's side of the async fan-in, on `exec`.
fn fan_in_gort(exec: Exec, n: u64) -> Measurement {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..4).map(|_| gort_chan::bounded::<usize>(1024)).unzip();
    let [a, b, c, d] = <[_; 4]>::try_from(rxs).expect("4 receivers");
    let send = |tx: gort_chan::Sender<usize>, k: u64| async move {
        for i in 0..k {
            tx.send(i as usize).await.expect("open");
        }
    };
    measure(|| {
        fan_in_tasks(exec, n, &txs, send, async move {
            for _ in 0..n {
                std::hint::black_box(gort_select::select! {
                    recv(a) -> v => v.unwrap(), recv(b) -> v => v.unwrap(),
                    recv(c) -> v => v.unwrap(), recv(d) -> v => v.unwrap(),
                });
            }
        })
    })
}

/// The async fan-in: gort's `select!` against `tokio::select!` over tokio's
/// mpsc (4 producer tasks, one consumer task, capacity 1024).
fn async_fan_in() -> Workload {
    Workload::new(SECTION, "async/fanin4/cap1024", "msg")
        .gort("gort", |n| fan_in_gort(Exec::Tokio, n))
        .gort("gort (gort rt)", |n| fan_in_gort(Exec::Gort, n))
        .peer("tokio", |n| {
            let (txs, rxs): (Vec<_>, Vec<_>) = (0..4)
                .map(|_| tokio::sync::mpsc::channel::<usize>(1024))
                .unzip();
            let [mut a, mut b, mut c, mut d] = <[_; 4]>::try_from(rxs).expect("4 receivers");
            let send = |tx: tokio::sync::mpsc::Sender<usize>, k: u64| async move {
                for i in 0..k {
                    tx.send(i as usize).await.expect("open");
                }
            };
            measure(|| {
                fan_in_tasks(Exec::Tokio, n, &txs, send, async move {
                    for _ in 0..n {
                        std::hint::black_box(tokio::select! {
                            v = a.recv() => v.unwrap(), v = b.recv() => v.unwrap(),
                            v = c.recv() => v.unwrap(), v = d.recv() => v.unwrap(),
                        });
                    }
                })
            })
        })
        .go("async/fanin4/cap1024")
}

/// Every select workload, in report order.
pub fn workloads() -> Vec<Workload> {
    vec![
        workload("fanin4/cap1024", "msg", FanIn),
        async_fan_in(),
        workload("default/empty2", "select", DefaultEmpty),
        without_flume("timeout-arm/prodcons128", "msg", ProdConsTimeout),
        workload("go/SelectUncontended", "select", Uncontended),
        without_flume("go/SelectSyncContended", "msg", SyncContended),
        workload("go/SelectAsyncContended", "select", AsyncContended),
        workload("go/SelectNonblock", "4 selects", Nonblock),
    ]
}
