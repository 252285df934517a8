//! gort's benchmark harness: the `gort-bench` comparison report, and the
//! workloads it shares with the criterion benches under `benches/`.
//!
//! # Adding a section
//!
//! A section is a module `src/sections/<name>.rs` with
//! `pub fn workloads() -> Vec<Workload>`, listed in `src/sections/mod.rs`.
//! Each [`Workload`] names one job and carries every implementation of it:
//! gort's ([`Workload::gort`]), the peers' ([`Workload::peer`]), bounds such
//! as a raw atomic ping-pong ([`Workload::limit`]), and Go's
//! ([`Workload::go`], when a Go twin exists in `benches/go/<section>/`). An
//! implementation is a closure that runs `iters` iterations and returns the
//! [`Measurement`] of the timed part (use [`measure`] or
//! [`measure_parallel`]).
//!
//! ```
//! use gort_bench::{Workload, measure};
//!
//! fn workloads() -> Vec<Workload> {
//!     vec![Workload::new("demo", "vec-push", "op")
//!         .gort("gort", |n| measure(|| (0..n).collect::<Vec<u64>>()))
//!         .peer("std", |n| {
//!             measure(|| {
//!                 let mut v = Vec::new();
//!                 for i in 0..n {
//!                     v.push(i)
//!                 }
//!                 v
//!             })
//!         })]
//! }
//! let mut cfg = gort_bench::Config::quick();
//! cfg.reps = 1;
//! cfg.progress = false;
//! cfg.sample = std::time::Duration::from_millis(1);
//! let results = gort_bench::run(workloads(), &cfg);
//! assert!(results[0].verdict().is_some());
//! ```
//!
//! # How the numbers are taken
//!
//! Each implementation is calibrated to a sample of about `Config::sample`,
//! then the implementations take turns, `Config::reps` times (at least 7), in
//! a rotating order. The report shows the median ns per iteration, the min–max
//! range, and the process CPU time per iteration (from `getrusage`, all
//! threads, so spinning is visible). gort's ratio is best-peer median / gort
//! median; when the two min–max ranges overlap it is reported as a tie.

/// The counting allocator the report installs (for its memory tables).
pub use gort_testkit::alloc;
pub mod exec;
pub mod go;
mod measure;
pub mod report;
mod runner;
pub mod sections;
mod workload;

pub use measure::{Measurement, measure, process_cpu_time};
pub use report::Table;
pub use runner::{Config, ImplResult, Sample, Verdict, WorkloadResult, run, run_each};
pub use workload::{Impl, ImplKind, Workload};

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Runs `body(state, iterations)` on `threads` threads sharing `state`,
/// splitting the iterations (Go's `RunParallel`); one thread is the
/// calling one (a thread's start and exit, which the parallel runs time,
/// would swamp the calibration of a single thread).
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// let m = gort_bench::on_threads(AtomicU64::new(0), 2, 10, |n, k| {
///     n.fetch_add(k, Ordering::Relaxed);
/// });
/// # let _ = m;
/// ```
pub fn on_threads<S: Sync>(state: S, threads: u64, iters: u64, body: fn(&S, u64)) -> Measurement {
    if threads == 1 {
        return measure(|| body(&state, iters));
    }
    let per_thread = iters.div_ceil(threads);
    let state = &state;
    let jobs = (0..threads)
        .map(|_| Box::new(move || body(state, per_thread)) as Box<dyn FnOnce() + Send + '_>)
        .collect();
    measure_parallel(jobs)
}

/// Runs each job on a thread of its own, releases them together, and measures
/// from the release until the last one finishes (thread start-up untimed).
///
/// The threads wait for the release spinning on a flag (yielding now and
/// then), not on a `Barrier`: waking parked threads can take milliseconds on
/// a loaded machine, and that would be timed.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// let sum = AtomicU64::new(0);
/// let jobs: Vec<Box<dyn FnOnce() + Send + '_>> = (0..2)
///     .map(|_| Box::new(|| { sum.fetch_add(1, Ordering::Relaxed); }) as Box<dyn FnOnce() + Send>)
///     .collect();
/// gort_bench::measure_parallel(jobs);
/// assert_eq!(sum.load(Ordering::Relaxed), 2);
/// ```
pub fn measure_parallel<'a>(jobs: Vec<Box<dyn FnOnce() + Send + 'a>>) -> Measurement {
    let n = jobs.len();
    let ready = AtomicUsize::new(0);
    let go = AtomicBool::new(false);
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .into_iter()
            .map(|job| {
                let (ready, go) = (&ready, &go);
                s.spawn(move || {
                    ready.fetch_add(1, Ordering::AcqRel);
                    let mut spins = 0u32;
                    while !go.load(Ordering::Acquire) {
                        spins += 1;
                        if spins % 64 == 0 {
                            std::thread::yield_now();
                        } else {
                            std::hint::spin_loop();
                        }
                    }
                    job()
                })
            })
            .collect();
        while ready.load(Ordering::Acquire) < n {
            std::thread::yield_now();
        }
        measure(|| {
            go.store(true, Ordering::Release);
            for h in handles {
                h.join().expect("benchmark thread panicked");
            }
        })
    })
}

/// Runs `workloads` under criterion (the `benches/*.rs` targets): one group
/// per workload, one bench per implementation, timed with `iter_custom` so
/// criterion sees exactly the timed part of each run.
pub fn criterion_main(workloads: Vec<Workload>) {
    let mut c = criterion::Criterion::default().configure_from_args();
    for mut w in workloads {
        let mut group = c.benchmark_group(w.id());
        group.throughput(criterion::Throughput::Elements(1));
        for imp in &mut w.impls {
            group.bench_function(imp.name.clone(), |b| {
                b.iter_custom(|iters| imp.run(iters).wall)
            });
        }
        group.finish();
    }
    c.final_summary();
}
