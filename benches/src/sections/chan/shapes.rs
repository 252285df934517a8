//! Workload shapes, generic over the channel implementation: each runs `n`
//! iterations and measures the timed part.

use super::adapters::{Async, Blocking};
use crate::exec::Exec;
use crate::{Measurement, measure, measure_parallel};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Splits `n` into `parts` nearly equal shares.
fn shares(n: u64, parts: usize) -> impl Iterator<Item = u64> {
    let parts = parts as u64;
    (0..parts).map(move |i| n / parts + u64::from(i < n % parts))
}

type Job<'a> = Box<dyn FnOnce() + Send + 'a>;

/// A workload on OS threads.
pub trait BlockingShape: Copy + Send + 'static {
    /// Whether implementation `C` can run it at capacity `cap`.
    fn supports<C: Blocking>(self, cap: usize) -> bool {
        cap >= C::MIN_CAP
    }
    /// Runs `n` iterations.
    fn run<C: Blocking>(self, cap: usize, n: u64) -> Measurement;
}

/// A workload on an async runtime (tokio's or gort's, 2 workers each).
pub trait AsyncShape: Copy + Send + 'static {
    /// Whether implementation `C` can run it at capacity `cap`.
    fn supports<C: Async>(self, cap: usize) -> bool {
        cap >= C::MIN_CAP
    }
    /// Runs `n` iterations on `exec`.
    fn run<C: Async>(self, cap: usize, n: u64, exec: Exec) -> Measurement;
}

/// `producers` threads send `n` messages in all to `consumers` threads
/// (SPSC, MPSC, MPMC, and Go's ChanProdCons).
#[derive(Debug, Clone, Copy)]
pub struct Flow {
    /// Sending threads.
    pub producers: usize,
    /// Receiving threads.
    pub consumers: usize,
}

impl BlockingShape for Flow {
    fn supports<C: Blocking>(self, cap: usize) -> bool {
        cap >= C::MIN_CAP && (self.consumers == 1 || C::MPMC)
    }

    fn run<C: Blocking>(self, cap: usize, n: u64) -> Measurement {
        let (tx, rx) = C::channel(cap);
        let mut jobs: Vec<Job> = Vec::new();
        for share in shares(n, self.producers) {
            let tx = tx.clone();
            jobs.push(Box::new(move || {
                for i in 0..share {
                    C::send(&tx, i as usize);
                }
            }));
        }
        let mut rxs: Vec<C::Rx> = (1..self.consumers).map(|_| C::clone_rx(&rx)).collect();
        rxs.push(rx);
        for (share, mut rx) in shares(n, self.consumers).zip(rxs) {
            jobs.push(Box::new(move || {
                for _ in 0..share {
                    std::hint::black_box(C::recv(&mut rx));
                }
            }));
        }
        let m = measure_parallel(jobs);
        drop(tx);
        m
    }
}

impl AsyncShape for Flow {
    fn supports<C: Async>(self, cap: usize) -> bool {
        cap >= C::MIN_CAP && (self.consumers == 1 || C::MPMC)
    }

    fn run<C: Async>(self, cap: usize, n: u64, exec: Exec) -> Measurement {
        let (tx, rx) = C::channel(cap);
        let mut rxs: Vec<C::Rx> = (1..self.consumers).map(|_| C::clone_rx(&rx)).collect();
        rxs.push(rx);
        measure(|| {
            exec.block_on(async {
                let mut tasks = Vec::new();
                for share in shares(n, self.producers) {
                    let tx = tx.clone();
                    tasks.push(exec.spawn(async move {
                        for i in 0..share {
                            C::send(&tx, i as usize).await;
                        }
                    }));
                }
                for (share, mut rx) in shares(n, self.consumers).zip(rxs) {
                    tasks.push(exec.spawn(async move {
                        for _ in 0..share {
                            std::hint::black_box(C::recv(&mut rx).await);
                        }
                    }));
                }
                for t in tasks {
                    t.join().await;
                }
            })
        })
    }
}

/// A round trip over two unbuffered channels: one side sends, the other
/// echoes back. One iteration is one round trip.
#[derive(Debug, Clone, Copy)]
pub struct PingPong;

impl BlockingShape for PingPong {
    fn run<C: Blocking>(self, cap: usize, n: u64) -> Measurement {
        let (ping_tx, mut ping_rx) = C::channel(cap);
        let (pong_tx, mut pong_rx) = C::channel(cap);
        measure_parallel(vec![
            Box::new(move || {
                for i in 0..n {
                    C::send(&ping_tx, i as usize);
                    C::recv(&mut pong_rx);
                }
            }),
            Box::new(move || {
                for _ in 0..n {
                    let v = C::recv(&mut ping_rx);
                    C::send(&pong_tx, v);
                }
            }),
        ])
    }
}

impl AsyncShape for PingPong {
    fn run<C: Async>(self, cap: usize, n: u64, exec: Exec) -> Measurement {
        let (ping_tx, mut ping_rx) = C::channel(cap);
        let (pong_tx, mut pong_rx) = C::channel(cap);
        measure(|| {
            exec.block_on(async move {
                let echo = exec.spawn(async move {
                    for _ in 0..n {
                        let v = C::recv(&mut ping_rx).await;
                        C::send(&pong_tx, v).await;
                    }
                });
                let ping = exec.spawn(async move {
                    for i in 0..n {
                        C::send(&ping_tx, i as usize).await;
                        C::recv(&mut pong_rx).await;
                    }
                });
                ping.join().await;
                echo.join().await;
            })
        })
    }
}

/// The bound for a round trip: two threads spinning on one atomic.
pub fn atomic_ping_pong(n: u64) -> Measurement {
    let turn = AtomicUsize::new(0);
    let turn = &turn;
    let n = n as usize;
    measure_parallel(vec![
        Box::new(move || {
            for i in 0..n {
                turn.store(2 * i + 1, Ordering::Release);
                while turn.load(Ordering::Acquire) != 2 * i + 2 {
                    std::hint::spin_loop();
                }
            }
        }),
        Box::new(move || {
            for i in 0..n {
                while turn.load(Ordering::Acquire) != 2 * i + 1 {
                    std::hint::spin_loop();
                }
                turn.store(2 * i + 2, Ordering::Release);
            }
        }),
    ])
}

/// Go's BenchmarkChanSync: two threads on one unbuffered channel, one
/// receiving then sending, the other sending then receiving. One iteration
/// is one message.
#[derive(Debug, Clone, Copy)]
pub struct ChanSync;

impl BlockingShape for ChanSync {
    fn supports<C: Blocking>(self, cap: usize) -> bool {
        cap >= C::MIN_CAP && C::MPMC
    }

    fn run<C: Blocking>(self, cap: usize, n: u64) -> Measurement {
        let (tx, rx) = C::channel(cap);
        let (tx2, mut rx2) = (tx.clone(), C::clone_rx(&rx));
        let mut rx = rx;
        let k = n.div_ceil(2);
        measure_parallel(vec![
            Box::new(move || {
                for _ in 0..k {
                    C::recv(&mut rx);
                    C::send(&tx, 0);
                }
            }),
            Box::new(move || {
                for _ in 0..k {
                    C::send(&tx2, 0);
                    C::recv(&mut rx2);
                }
            }),
        ])
    }
}

/// Go's BenchmarkChanUncontended (`shared == false`) and
/// BenchmarkChanContended (`shared == true`): each of 2 threads sends 100
/// values and then receives 100, on a channel of its own (capacity 100) or on
/// one shared channel (capacity 200). One iteration is 100 sends + 100
/// receives.
#[derive(Debug, Clone, Copy)]
pub struct Burst {
    /// One shared channel instead of one per thread.
    pub shared: bool,
}

impl BlockingShape for Burst {
    fn supports<C: Blocking>(self, _cap: usize) -> bool {
        !self.shared || C::MPMC
    }

    fn run<C: Blocking>(self, _cap: usize, n: u64) -> Measurement {
        const C100: usize = 100;
        const THREADS: usize = 2;
        let shared = self.shared.then(|| C::channel(C100 * THREADS));
        let jobs: Vec<Job> = shares(n, THREADS)
            .map(|iters| {
                let (tx, mut rx) = match &shared {
                    Some((tx, rx)) => (tx.clone(), C::clone_rx(rx)),
                    None => C::channel(C100),
                };
                Box::new(move || {
                    for _ in 0..iters {
                        for _ in 0..C100 {
                            C::send(&tx, 0);
                        }
                        for _ in 0..C100 {
                            C::recv(&mut rx);
                        }
                    }
                }) as Job
            })
            .collect();
        measure_parallel(jobs)
    }
}

/// Go's BenchmarkChanNonblocking: 2 threads poll an empty unbuffered
/// channel without blocking. One iteration is one poll.
#[derive(Debug, Clone, Copy)]
pub struct Nonblocking;

impl BlockingShape for Nonblocking {
    fn supports<C: Blocking>(self, cap: usize) -> bool {
        cap >= C::MIN_CAP && C::MPMC
    }

    fn run<C: Blocking>(self, cap: usize, n: u64) -> Measurement {
        let (_tx, rx) = C::channel(cap);
        let jobs: Vec<Job> = shares(n, 2)
            .map(|iters| {
                let mut rx = C::clone_rx(&rx);
                Box::new(move || {
                    for _ in 0..iters {
                        assert!(C::try_recv(&mut rx).is_none());
                    }
                }) as Job
            })
            .collect();
        measure_parallel(jobs)
    }
}

/// Go's BenchmarkChanCreation: 2 threads each make a channel of capacity
/// 1, send one value and receive it. One iteration is one channel.
#[derive(Debug, Clone, Copy)]
pub struct Creation;

impl BlockingShape for Creation {
    fn run<C: Blocking>(self, _cap: usize, n: u64) -> Measurement {
        let jobs: Vec<Job> = shares(n, 2)
            .map(|iters| {
                Box::new(move || {
                    for i in 0..iters {
                        let (tx, mut rx) = C::channel(1);
                        C::send(&tx, i as usize);
                        std::hint::black_box(C::recv(&mut rx));
                    }
                }) as Job
            })
            .collect();
        measure_parallel(jobs)
    }
}
