//! gort-syncmap against `RwLock<HashMap>`, dashmap, papaya and scc (and Go's
//! `sync.Map` through the twin in `benches/go/syncmap/`), on Go's
//! sync/map_bench_test.go workloads and five mixes, at 1 and 2 threads.
//!
//! One iteration is one iteration of Go's per-goroutine loop; with 2 threads
//! the iterations are split between them (Go's `RunParallel`), each thread
//! starting at `i = id * iterations` as Go's `benchMap` does.

pub mod cases;
pub mod impls;

use crate::{Measurement, Workload, measure, process_cpu_time};
use cases::Case;
use impls::{BenchMap, Dash, Gort, Papaya, RwLockMap, Scc};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The thread counts every case runs at.
pub const THREADS: [u64; 2] = [1, 2];

/// Runs `case` on a fresh `M`: untimed set-up, then `iters` iterations split
/// over `threads` threads.
///
/// One thread runs on the calling thread. Several threads are started
/// untimed and spin until all of them are running; each then times its own
/// loop, and the wall time is the longest loop. So neither thread start-up
/// nor the time the OS takes to get a thread going (milliseconds on a loaded
/// machine, which would swamp short samples and mislead calibration) is
/// counted. CPU time is the process's over the whole run, spinning included.
pub fn run_case<M: BenchMap>(case: Case, threads: u64, iters: u64) -> Measurement {
    let m = M::new();
    case.setup(&m);
    if threads == 1 {
        return measure(|| case.run(&m, 0, 0, iters));
    }
    let per_thread = iters.div_ceil(threads);
    let ready = AtomicU64::new(0);
    let cpu0 = process_cpu_time();
    let spans: Vec<(Instant, Instant)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|id| {
                let (m, ready) = (&m, &ready);
                s.spawn(move || {
                    ready.fetch_add(1, Ordering::AcqRel);
                    while ready.load(Ordering::Acquire) < threads {
                        std::hint::spin_loop();
                    }
                    let start = Instant::now();
                    case.run(m, id, id * per_thread, per_thread);
                    (start, Instant::now())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("benchmark thread panicked"))
            .collect()
    });
    let cpu = process_cpu_time().saturating_sub(cpu0);
    let start = spans.iter().map(|s| s.0).min().expect("threads ran");
    let end = spans.iter().map(|s| s.1).max().expect("threads ran");
    Measurement {
        wall: end - start,
        cpu,
    }
}

fn add<M: BenchMap>(w: Workload, case: Case, threads: u64, gort: bool) -> Workload {
    let run = move |iters| run_case::<M>(case, threads, iters);
    if gort {
        w.gort(M::NAME, run)
    } else {
        w.peer(M::NAME, run)
    }
}

/// Whether the installed Go toolchain's `sync.Map` has the methods `case`
/// needs (Swap, CompareAndSwap and CompareAndDelete came in Go 1.20, Clear in
/// 1.23; the twin exits with status 3 otherwise).
fn go_runs(case: Case) -> bool {
    let Ok(version) = crate::go::toolchain() else {
        return false;
    };
    // "go version go1.19.8 linux/amd64"
    let minor = version
        .split_whitespace()
        .find_map(|w| w.strip_prefix("go1."))
        .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
        .unwrap_or(0);
    minor >= case.min_go_minor()
}

/// The section's workloads: every case at 1 and 2 threads.
pub fn workloads() -> Vec<Workload> {
    let mut out = Vec::new();
    for case in Case::ALL {
        for threads in THREADS {
            let name = format!("{}/{threads}t", case.name());
            let w = Workload::new("syncmap", name.clone(), "op");
            let w = add::<Gort>(w, case, threads, true);
            let w = add::<RwLockMap>(w, case, threads, false);
            let w = add::<Dash>(w, case, threads, false);
            let w = add::<Papaya>(w, case, threads, false);
            let w = add::<Scc>(w, case, threads, false);
            out.push(if go_runs(case) { w.go(&name) } else { w });
        }
    }
    out
}
