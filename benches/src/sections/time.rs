//! gort-time against tokio::time (and crossbeam-channel's `after`/`tick` for
//! the thread form), and Go through the twin in `benches/go/time/`: Go's own
//! timer benchmarks (time/sleep_test.go and tick_test.go, go1.23).
//!
//! As in Go's `benchmark` helper, each run first puts 1<<15 hour-long timers
//! per thread in the timer structure (gort: `after_func`s in the heap; tokio:
//! armed `Sleep`s in its wheel; Go: `AfterFunc`s), then runs the job on one
//! task per thread (Go's `RunParallel`), on a tokio runtime with one worker
//! per thread, splitting the iterations.
//!
//! tokio has no stoppable timer channel and no `AfterFunc`: a registered
//! `Sleep` stands for a timer (drop = stop, `reset` = reset), a spawned task
//! that sleeps and then calls `f` for an `AfterFunc` (abort = stop; it
//! cannot be reset, so `Reset/func` has no tokio row), and an `Interval`
//! that skips missed ticks for a ticker (tokio has no reset of the period:
//! a fresh interval stands for `Ticker.Reset`).
//!
//! The Go twin runs on the installed Go (1.19 on the reference machine),
//! whose timers predate go1.23's: asynchronous timer channels (buffered, no
//! `maybeRunChan`), and timers always in the heap.

pub mod clocks;

use crate::{Measurement, Workload, measure, measure_parallel};
use clocks::{Clock, Garbage, Gort, Tokio};
use std::future::Future;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECTION: &str = "time";
/// gort-time on gort-executor (per-P timer heaps).
const GORT_RT: &str = "gort (gort rt)";
/// Go's garbage timers per P (`1<<15`).
const GARBAGE_PER_THREAD: usize = 1 << 15;
const HOUR: Duration = Duration::from_secs(3600);
const NS: Duration = Duration::from_nanos(1);

/// Go's GOMAXPROCS: one task per CPU.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `n` split into `parts` nearly equal shares; share `i`.
fn share(n: u64, parts: usize, i: usize) -> u64 {
    let (parts, i) = (parts as u64, i as u64);
    n / parts + u64::from(i < n % parts)
}

/// Go's `benchmark(b, job)`: garbage timers, then `job(share)` on one task
/// per thread, timed from the spawn until the last task finishes.
fn parallel<C, F, Fut>(iters: u64, job: F) -> Measurement
where
    C: Clock,
    F: Fn(u64) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let p = threads();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(p)
        .enable_time()
        .build()
        .expect("a tokio runtime");
    let garbage = rt.block_on(async { Garbage::<C>::make(GARBAGE_PER_THREAD * p) });
    let m = measure(|| {
        rt.block_on(async {
            let tasks: Vec<_> = (0..p)
                .map(|i| tokio::spawn(job(share(iters, p, i))))
                .collect();
            for t in tasks {
                t.await.expect("benchmark task panicked");
            }
        })
    });
    rt.block_on(async { garbage.clear() });
    m
}

/// [`parallel`] on a gort runtime with one P per thread: gort-time's
/// timers then live in the Ps' heaps (Go's layout), run by the scheduler,
/// and the garbage timers are made by one task per P, as Go's helper makes
/// them in one goroutine per P. One runtime serves every run, as Go's
/// benchmarks share the process's scheduler (a fresh runtime's first
/// spawns start threads, a fixed cost of about half a millisecond here).
fn parallel_gort_rt<F, Fut>(iters: u64, job: F) -> Measurement
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    static RT: std::sync::OnceLock<gort_executor::Runtime> = std::sync::OnceLock::new();
    let p = threads();
    let rt = RT.get_or_init(|| {
        gort_executor::Runtime::builder()
            .procs(p)
            .build()
            .expect("a gort runtime")
    });
    let garbage: Vec<_> = (0..p)
        .map(|_| rt.spawn(async { Garbage::<Gort>::make(GARBAGE_PER_THREAD) }))
        .map(|h| h.join_blocking().expect("garbage task panicked"))
        .collect();
    let m = measure(|| {
        let tasks: Vec<_> = (0..p).map(|i| rt.spawn(job(share(iters, p, i)))).collect();
        for t in tasks {
            t.join_blocking().expect("benchmark task panicked");
        }
    });
    garbage.into_iter().for_each(Garbage::clear);
    m
}

/// A workload run by gort (on tokio and on its own runtime) and tokio
/// through [`Clock`], plus Go's twin.
fn both<F: Job>(name: &str, unit: &'static str) -> Workload {
    Workload::new(SECTION, name, unit)
        .gort(Gort::NAME, move |n| {
            parallel::<Gort, _, _>(n, |k| F::run::<Gort>(k))
        })
        .gort(GORT_RT, move |n| parallel_gort_rt(n, |k| F::run::<Gort>(k)))
        .peer(Tokio::NAME, move |n| {
            parallel::<Tokio, _, _>(n, |k| F::run::<Tokio>(k))
        })
        .go(name)
}

/// Spawns `f` on the runtime the caller runs on (gort's or tokio's) and
/// returns a future of its end.
fn spawn_here<F>(f: F) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>>
where
    F: Future<Output = ()> + Send + 'static,
{
    match gort_executor::Handle::try_current() {
        Some(h) => {
            let task = h.spawn(f);
            Box::pin(async move { task.await.expect("sleeper panicked") })
        }
        None => {
            let task = tokio::spawn(f);
            Box::pin(async move { task.await.expect("sleeper panicked") })
        }
    }
}

/// One of Go's benchmark bodies, generic over the clock.
trait Job: 'static {
    fn run<C: Clock>(iters: u64) -> impl Future<Output = ()> + Send + 'static;
}

macro_rules! job {
    ($(#[$doc:meta])* $name:ident, |$c:ident, $n:ident| $body:expr) => {
        $(#[$doc])*
        struct $name;
        impl Job for $name {
            fn run<$c: Clock>($n: u64) -> impl Future<Output = ()> + Send + 'static {
                $body
            }
        }
    };
}

/// Go's `AfterFunc(0, f)` chains: `f` schedules itself until the count
/// runs out, then signals.
fn chain<C: Clock>(
    left: Arc<AtomicIsize>,
    done: Arc<Mutex<Option<tokio::sync::oneshot::Sender<()>>>>,
) {
    if left.fetch_sub(1, Ordering::SeqCst) > 0 {
        drop(C::after_func(Duration::ZERO, move || {
            chain::<C>(left, done)
        }));
    } else if let Some(tx) = done.lock().unwrap().take() {
        let _ = tx.send(());
    }
}

job!(
    /// BenchmarkAfterFunc1000: a chain of 1000 `AfterFunc(0, f)`.
    AfterFunc1000,
    |C, n| async move {
        for _ in 0..n {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let (left, done) = (Arc::new(AtomicIsize::new(1000)), Arc::new(Mutex::new(Some(tx))));
            drop(C::after_func(Duration::ZERO, move || chain::<C>(left, done)));
            rx.await.unwrap();
        }
    }
);

job!(
    /// BenchmarkAfter: `<-After(1)`.
    After,
    |C, n| async move {
        for _ in 0..n {
            C::after(NS).await;
        }
    }
);

job!(
    /// BenchmarkStop/impl=chan: `NewTimer(1 * Second).Stop()`.
    StopChan,
    |C, n| async move {
        for _ in 0..n {
            C::stop_timer(C::new_timer(Duration::from_secs(1)));
        }
    }
);

job!(
    /// BenchmarkStop/impl=func: `newTimerFunc(1 * Second).Stop()`.
    StopFunc,
    |C, n| async move {
        for _ in 0..n {
            C::stop_func(C::after_func(Duration::from_secs(1), || {}));
        }
    }
);

job!(
    /// BenchmarkSimultaneousAfterFunc1000: 1000 `AfterFunc(0, wg.Done)`,
    /// then `wg.Wait()`.
    SimultaneousAfterFunc1000,
    |C, n| async move {
        for _ in 0..n {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let done = Arc::new(Mutex::new(Some(tx)));
            let left = Arc::new(AtomicIsize::new(1000));
            for _ in 0..1000 {
                let (left, done) = (left.clone(), done.clone());
                drop(C::after_func(Duration::ZERO, move || {
                    if left.fetch_sub(1, Ordering::SeqCst) == 1 {
                        let _ = done.lock().unwrap().take().map(|tx| tx.send(()));
                    }
                }));
            }
            rx.await.unwrap();
        }
    }
);

job!(
    /// BenchmarkStartStop1000: 1000 `AfterFunc(Hour, nil)`, then 1000 `Stop`.
    StartStop1000,
    |C, n| async move {
        let mut timers = Vec::with_capacity(1000);
        for _ in 0..n {
            timers.extend((0..1000).map(|_| C::after_func(HOUR, || {})));
            timers.drain(..).for_each(C::stop_func);
        }
    }
);

job!(
    /// BenchmarkReset/impl=chan: `t.Reset(Hour)` on one timer.
    ResetChan,
    |C, n| async move {
        let mut t = C::new_timer(HOUR);
        for _ in 0..n {
            C::reset_timer(&mut t, HOUR);
        }
        C::stop_timer(t);
    }
);

job!(
    /// BenchmarkSleep1000: 1000 goroutines `Sleep(Nanosecond)`, then wait.
    Sleep1000,
    |C, n| async move {
        for _ in 0..n {
            let sleepers: Vec<_> = (0..1000).map(|_| spawn_here(C::sleep(NS))).collect();
            for s in sleepers {
                s.await;
            }
        }
    }
);

job!(
    /// BenchmarkTicker: `<-ticker.C` on a 1ns ticker.
    Ticker,
    |C, n| async move {
        let mut t = C::new_ticker(NS);
        for _ in 0..n {
            C::tick(&mut t).await;
        }
        C::stop_ticker(t);
    }
);

job!(
    /// BenchmarkTickerReset: `ticker.Reset(2ns)`.
    TickerReset,
    |C, n| async move {
        let mut t = C::new_ticker(NS);
        for _ in 0..n {
            C::reset_ticker(&mut t, 2 * NS);
        }
        C::stop_ticker(t);
    }
);

job!(
    /// BenchmarkTickerResetNaive: `ticker.Stop(); ticker = NewTicker(2ns)`.
    TickerResetNaive,
    |C, n| async move {
        let mut t = C::new_ticker(NS);
        for _ in 0..n {
            C::stop_ticker(t);
            t = C::new_ticker(2 * NS);
        }
        C::stop_ticker(t);
    }
);

/// BenchmarkReset/impl=func: `t.Reset(Hour)` on an `AfterFunc` timer (no
/// tokio counterpart).
async fn reset_func(n: u64) {
    let t = gort_time::after_func(HOUR, || {});
    for _ in 0..n {
        t.reset(HOUR);
    }
    t.stop();
}

/// Thread form of `<-After(1)` / `<-ticker.C`: gort's blocking receive
/// against crossbeam-channel's `after`/`tick` channels, one thread per CPU.
fn on_threads(iters: u64, job: impl Fn(u64) + Sync) -> Measurement {
    let p = threads();
    let job = &job;
    measure_parallel(
        (0..p)
            .map(|i| Box::new(move || job(share(iters, p, i))) as Box<dyn FnOnce() + Send + '_>)
            .collect(),
    )
}

/// Every time workload, in report order.
pub fn workloads() -> Vec<Workload> {
    vec![
        both::<AfterFunc1000>("go/AfterFunc1000", "1000 calls"),
        both::<After>("go/After", "op"),
        both::<StopChan>("go/Stop/chan", "op"),
        both::<StopFunc>("go/Stop/func", "op"),
        both::<SimultaneousAfterFunc1000>("go/SimultaneousAfterFunc1000", "1000 calls"),
        both::<StartStop1000>("go/StartStop1000", "1000 timers"),
        both::<ResetChan>("go/Reset/chan", "op"),
        Workload::new(SECTION, "go/Reset/func", "op")
            .gort(Gort::NAME, |n| parallel::<Gort, _, _>(n, reset_func))
            .gort(GORT_RT, |n| parallel_gort_rt(n, reset_func))
            .go("go/Reset/func"),
        both::<Sleep1000>("go/Sleep1000", "1000 sleeps"),
        both::<Ticker>("go/Ticker", "tick"),
        both::<TickerReset>("go/TickerReset", "op"),
        both::<TickerResetNaive>("go/TickerResetNaive", "op"),
        Workload::new(SECTION, "threads/After", "op")
            .gort(Gort::NAME, |n| {
                on_threads(n, |k| {
                    for _ in 0..k {
                        gort_time::after(NS).recv_blocking().unwrap();
                    }
                })
            })
            .peer("crossbeam", |n| {
                on_threads(n, |k| {
                    for _ in 0..k {
                        crossbeam_channel::after(NS).recv().unwrap();
                    }
                })
            }),
        Workload::new(SECTION, "threads/Ticker", "tick")
            .gort(Gort::NAME, |n| {
                on_threads(n, |k| {
                    let t = gort_time::Ticker::new(NS);
                    for _ in 0..k {
                        t.c().recv_blocking().unwrap();
                    }
                })
            })
            .peer("crossbeam", |n| {
                on_threads(n, |k| {
                    let t = crossbeam_channel::tick(NS);
                    for _ in 0..k {
                        t.recv().unwrap();
                    }
                })
            }),
    ]
}
