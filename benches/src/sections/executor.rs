//! gort-executor against tokio's multi-thread runtime and async-executor
//! (smol's), each with 2 workers, and Go: tokio's own runtime benchmarks
//! (benches/rt_multi_threaded.rs) re-expressed, plus channel ping-pong
//! between two tasks.
//!
//! - `spawn-local`: a task spawns `n` tasks that each count down a shared
//!   counter; the last one signals (tokio's spawn_many_local).
//! - `spawn-remote-idle` / `spawn-remote-busy`: the same `n` tasks spawned
//!   from a thread outside the runtime, into an idle runtime, or one whose
//!   workers are busy with tasks that keep yielding (tokio's
//!   spawn_many_remote_*). Go has no outside thread: no twin.
//! - `chained-spawn`: each task spawns the next, `n` in all.
//! - `yield-many`: 4 tasks yield `n` times in all (Go: `runtime.Gosched`).
//! - `ping-pong`: two tasks exchange a value over two cap-0 gort channels
//!   (one iteration is a round trip); `/1p` on one worker (gort with one P,
//!   tokio's current-thread runtime, Go with `GOMAXPROCS(1)`).
//! - `block_on/ping-pong`: how `block_on` should wait, measured: the main
//!   future ping-pongs with a task while the calling thread runs the
//!   scheduler (gort's choice, Go's `m0`), against the same exchange run as
//!   a spawned task that the calling thread waits for.
//!
//! - `blocking-neighbour` (in `executor_blocking.rs`): ping-pong pairs
//!   beside a task that blocks its thread.
//!
//! A table gives the CPU an idle runtime uses.

use crate::exec::{gort_runtime, tokio_runtime};
use crate::{Measurement, Table, Workload, measure, process_cpu_time};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

const SECTION: &str = "executor";
/// The shortest sample of `spawn-remote-busy`. Its two yielding tasks
/// keep both workers busy, so the spawning thread is a third runnable
/// thread on a two-CPU machine: each time it wakes from waiting for the
/// last task, the kernel may queue it behind a busy worker until the next
/// tick (4 ms here, seen with `perf sched`), whatever the runtime. A 4 ms
/// sample of a few hundred tasks then times that wait, not the spawns.
const BUSY_SAMPLE: Duration = Duration::from_millis(50);
/// Tasks of `yield-many`.
const YIELDERS: u64 = 4;

/// An executor under test.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rt {
    Gort,
    Tokio,
    Smol,
}

const ALL: [Rt; 3] = [Rt::Gort, Rt::Tokio, Rt::Smol];

/// async-executor with 2 threads running it.
fn smol() -> &'static async_executor::Executor<'static> {
    static EX: OnceLock<&'static async_executor::Executor<'static>> = OnceLock::new();
    EX.get_or_init(|| {
        let ex: &'static _ = Box::leak(Box::new(async_executor::Executor::new()));
        for i in 0..2 {
            std::thread::Builder::new()
                .name(format!("smol-{i}"))
                .spawn(|| futures_lite::future::block_on(ex.run(std::future::pending::<()>())))
                .expect("smol worker");
        }
        ex
    })
}

impl Rt {
    fn name(self) -> &'static str {
        match self {
            Rt::Gort => "gort",
            Rt::Tokio => "tokio",
            Rt::Smol => "async-executor",
        }
    }

    fn block_on<F: Future>(self, f: F) -> F::Output {
        match self {
            Rt::Gort => gort_runtime().block_on(f),
            Rt::Tokio => tokio_runtime().block_on(f),
            Rt::Smol => {
                smol();
                futures_lite::future::block_on(f)
            }
        }
    }

    /// Spawns and detaches `f`, from inside the runtime or outside it.
    pub(crate) fn spawn(self, f: impl Future<Output = ()> + Send + 'static) {
        match self {
            Rt::Gort => drop(gort_runtime().spawn(f)),
            Rt::Tokio => drop(tokio_runtime().spawn(f)),
            Rt::Smol => smol().spawn(f).detach(),
        }
    }

    pub(crate) async fn yield_now(self) {
        match self {
            Rt::Gort => gort_executor::yield_now().await,
            Rt::Tokio => tokio::task::yield_now().await,
            Rt::Smol => futures_lite::future::yield_now().await,
        }
    }
}

/// Counts `n` tasks down; the last one closes `done`.
#[derive(Clone)]
struct Countdown {
    left: Arc<AtomicU64>,
    done: gort_chan::Sender<()>,
}

impl Countdown {
    fn new(n: u64) -> (Self, gort_chan::Receiver<()>) {
        let (done, rx) = gort_chan::bounded(1);
        (
            Countdown {
                left: Arc::new(AtomicU64::new(n)),
                done,
            },
            rx,
        )
    }

    fn one(&self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.done.try_send(()).expect("signalled once");
        }
    }
}

fn spawn_many(rt: Rt, n: u64) -> gort_chan::Receiver<()> {
    let (count, done) = Countdown::new(n);
    for _ in 0..n {
        let c = count.clone();
        rt.spawn(async move { c.one() });
    }
    done
}

fn spawn_local(rt: Rt, n: u64) -> Measurement {
    if n == 0 {
        return measure(|| ());
    }
    measure(|| {
        rt.block_on(async {
            spawn_many(rt, n).recv().await.unwrap();
        })
    })
}

fn spawn_remote(rt: Rt, n: u64, busy: bool) -> Measurement {
    if n == 0 {
        return measure(|| ());
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (count, spinning) = Countdown::new(if busy { 2 } else { 0 });
    if busy {
        for _ in 0..2 {
            let (stop, count) = (stop.clone(), count.clone());
            rt.spawn(async move {
                count.one();
                while !stop.load(Ordering::Relaxed) {
                    rt.yield_now().await;
                }
            });
        }
        spinning.recv_blocking().unwrap();
    }
    let m = measure(|| spawn_many(rt, n).recv_blocking().unwrap());
    stop.store(true, Ordering::Relaxed);
    m
}

fn chain(rt: Rt, left: u64, done: gort_chan::Sender<()>) {
    rt.spawn(async move {
        if left == 0 {
            done.try_send(()).unwrap();
        } else {
            chain(rt, left - 1, done);
        }
    });
}

fn chained_spawn(rt: Rt, n: u64) -> Measurement {
    measure(|| {
        rt.block_on(async {
            let (tx, rx) = gort_chan::bounded(1);
            chain(rt, n.saturating_sub(1), tx);
            rx.recv().await.unwrap();
        })
    })
}

fn yield_many(rt: Rt, n: u64) -> Measurement {
    measure(|| {
        rt.block_on(async {
            let (count, done) = Countdown::new(YIELDERS);
            for i in 0..YIELDERS {
                let c = count.clone();
                let k = n / YIELDERS + u64::from(i < n % YIELDERS);
                rt.spawn(async move {
                    for _ in 0..k {
                        rt.yield_now().await;
                    }
                    c.one();
                });
            }
            done.recv().await.unwrap();
        })
    })
}

/// `n` round trips between two tasks over cap-0 gort channels.
async fn ping_pong_tasks(
    spawn: impl Fn(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>),
    n: u64,
) {
    let (ping_tx, ping_rx) = gort_chan::bounded::<u64>(0);
    let (pong_tx, pong_rx) = gort_chan::bounded::<u64>(0);
    let (done_tx, done_rx) = gort_chan::bounded::<()>(1);
    spawn(Box::pin(async move {
        while let Ok(v) = ping_rx.recv().await {
            pong_tx.send(v).await.unwrap();
        }
    }));
    spawn(Box::pin(async move {
        for i in 0..n {
            ping_tx.send(i).await.unwrap();
            pong_rx.recv().await.unwrap();
        }
        done_tx.send(()).await.unwrap();
    }));
    done_rx.recv().await.unwrap();
}

fn ping_pong(rt: Rt, n: u64) -> Measurement {
    measure(|| rt.block_on(ping_pong_tasks(|f| rt.spawn(f), n)))
}

fn ping_pong_one_worker(exec: crate::exec::Exec, n: u64) -> Measurement {
    let rt = crate::exec::OneWorker::new(exec);
    measure(|| rt.block_on(ping_pong_tasks(|f| drop(rt.spawn(f)), n)))
}

/// The main future's own round trips with one task.
async fn main_ping_pong(n: u64) {
    let (ping_tx, ping_rx) = gort_chan::bounded::<u64>(0);
    let (pong_tx, pong_rx) = gort_chan::bounded::<u64>(0);
    let echo = gort_executor::go(async move {
        while let Ok(v) = ping_rx.recv().await {
            pong_tx.send(v).await.unwrap();
        }
    });
    for i in 0..n {
        ping_tx.send(i).await.unwrap();
        pong_rx.recv().await.unwrap();
    }
    drop(ping_tx);
    echo.await.unwrap();
}

/// Every executor workload, in report order.
pub fn workloads() -> Vec<Workload> {
    let row = |name: &str, unit: &'static str, f: fn(Rt, u64) -> Measurement| {
        ALL.iter()
            .fold(Workload::new(SECTION, name, unit), |w, &rt| match rt {
                Rt::Gort => w.gort(rt.name(), move |n| f(rt, n)),
                _ => w.peer(rt.name(), move |n| f(rt, n)),
            })
    };
    use crate::exec::Exec;
    vec![
        row("spawn-local", "task", spawn_local).go("spawn-local"),
        row("spawn-remote-idle", "task", |rt, n| {
            spawn_remote(rt, n, false)
        }),
        row("spawn-remote-busy", "task", |rt, n| {
            spawn_remote(rt, n, true)
        })
        .sample_at_least(BUSY_SAMPLE),
        row("chained-spawn", "task", chained_spawn).go("chained-spawn"),
        row("yield-many", "yield", yield_many).go("yield-many"),
        row("ping-pong", "round trip", ping_pong).go("ping-pong"),
        Workload::new(SECTION, "ping-pong/1p", "round trip")
            .gort("gort (1 P)", |n| ping_pong_one_worker(Exec::Gort, n))
            .peer("tokio (current-thread)", |n| {
                ping_pong_one_worker(Exec::Tokio, n)
            })
            .go("ping-pong/1p"),
        Workload::new(SECTION, "block_on/ping-pong", "round trip")
            .gort("block_on runs the scheduler", |n| {
                measure(|| gort_runtime().block_on(main_ping_pong(n)))
            })
            .gort("block_on waits for a task", |n| {
                measure(|| {
                    gort_runtime()
                        .spawn(main_ping_pong(n))
                        .join_blocking()
                        .unwrap()
                })
            }),
    ]
    .into_iter()
    .chain(super::executor_blocking::workloads())
    .collect()
}

/// The CPU an idle runtime uses, second by second, after a burst of work.
pub fn tables() -> Vec<Table> {
    let idle = |rt: Rt| {
        rt.block_on(async {
            spawn_many(rt, 10_000).recv().await.unwrap();
        });
        let mut row = vec![rt.name().to_string()];
        for _ in 0..2 {
            let before = process_cpu_time();
            std::thread::sleep(Duration::from_secs(1));
            let used = process_cpu_time() - before;
            row.push(format!("{:.2} ms", used.as_secs_f64() * 1e3));
        }
        row
    };
    let mut tables = vec![Table {
        section: SECTION,
        title: "CPU used by the whole process while a runtime idles after 10 000 tasks (getrusage)"
            .into(),
        columns: ["runtime", "first second", "second second"]
            .map(String::from)
            .to_vec(),
        rows: ALL.iter().map(|&rt| idle(rt)).collect(),
    }];
    tables.extend(super::executor_blocking::tables());
    tables
}
