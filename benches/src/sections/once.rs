//! gort-once against std's `Once`, `OnceLock` and `LazyLock` and once_cell
//! (and Go's `sync.Once` family through the twin in `benches/go/once/`):
//!
//! - `done/1t`, `done/2t`: a call on a Once that is already done (Go's
//!   BenchmarkOnce, `RunParallel` at 2 threads): gort's `call_once` against
//!   std `Once::call_once`, `OnceLock::get`, `OnceLock::get_or_init` and
//!   once_cell's `OnceCell::get`;
//! - `OnceFunc/1t`, `OnceValue/1t`: Go's BenchmarkOnceFunc and
//!   BenchmarkOnceValue (`v=Local`): later calls of a wrapper whose function
//!   already ran, against std `LazyLock`, `OnceLock::get_or_init` and
//!   once_cell's `Lazy` (and, for `OnceFunc`, std's `Once`, Go's `v=Once`
//!   baseline);
//! - `first/1t`: a fresh Once and its first call (the slow path, with
//!   nobody else waiting).
//!
//! With 2 threads the iterations are split between them.

use crate::{Measurement, Workload, measure, measure_parallel};
use std::hint::black_box;
use std::sync::{LazyLock, OnceLock};

const SECTION: &str = "once";

/// Runs `body(iters)` on `threads` threads, splitting the iterations; one
/// thread is the calling one.
fn on_threads(threads: u64, iters: u64, body: fn(u64)) -> Measurement {
    if threads == 1 {
        return measure(|| body(iters));
    }
    let per_thread = iters.div_ceil(threads);
    let jobs = (0..threads)
        .map(|_| Box::new(move || body(per_thread)) as Box<dyn FnOnce() + Send>)
        .collect();
    measure_parallel(jobs)
}

/// The value every initialiser stores (Go's 42).
fn answer() -> u64 {
    42
}

static GORT_ONCE: gort_once::Once = gort_once::Once::new();
static STD_ONCE: std::sync::Once = std::sync::Once::new();
static STD_LOCK: OnceLock<u64> = OnceLock::new();
static CELL: once_cell::sync::OnceCell<u64> = once_cell::sync::OnceCell::new();

fn done_gort(iters: u64) {
    for _ in 0..iters {
        black_box(&GORT_ONCE).call_once(|| {});
    }
}

fn done_std_once(iters: u64) {
    for _ in 0..iters {
        black_box(&STD_ONCE).call_once(|| {});
    }
}

fn done_std_lock_get(iters: u64) {
    for _ in 0..iters {
        black_box(black_box(&STD_LOCK).get());
    }
}

fn done_std_lock_get_or_init(iters: u64) {
    for _ in 0..iters {
        black_box(black_box(&STD_LOCK).get_or_init(answer));
    }
}

fn done_cell_get(iters: u64) {
    for _ in 0..iters {
        black_box(black_box(&CELL).get());
    }
}

/// Makes every Once of the `done` workloads done (untimed).
fn init_done() {
    GORT_ONCE.call_once(|| {});
    STD_ONCE.call_once(|| {});
    STD_LOCK.get_or_init(answer);
    CELL.get_or_init(answer);
}

static GORT_FUNC: gort_once::OnceFunc = gort_once::OnceFunc::new(|| {});
static GORT_VALUE: gort_once::OnceValue<u64> = gort_once::OnceValue::new(answer);
static STD_LAZY_UNIT: LazyLock<()> = LazyLock::new(|| {});
static STD_LAZY: LazyLock<u64> = LazyLock::new(answer);
static CELL_LAZY_UNIT: once_cell::sync::Lazy<()> = once_cell::sync::Lazy::new(|| {});
static CELL_LAZY: once_cell::sync::Lazy<u64> = once_cell::sync::Lazy::new(answer);

fn func_gort(iters: u64) {
    for _ in 0..iters {
        black_box(&GORT_FUNC).call();
    }
}

fn func_std_lazy(iters: u64) {
    for _ in 0..iters {
        LazyLock::force(black_box(&STD_LAZY_UNIT));
    }
}

fn func_cell_lazy(iters: u64) {
    for _ in 0..iters {
        once_cell::sync::Lazy::force(black_box(&CELL_LAZY_UNIT));
    }
}

fn value_gort(iters: u64) {
    for _ in 0..iters {
        assert_eq!(*black_box(&GORT_VALUE).get(), 42);
    }
}

fn value_std_lazy(iters: u64) {
    for _ in 0..iters {
        assert_eq!(*LazyLock::force(black_box(&STD_LAZY)), 42);
    }
}

fn value_std_lock(iters: u64) {
    for _ in 0..iters {
        assert_eq!(*black_box(&STD_LOCK).get_or_init(answer), 42);
    }
}

fn value_cell_lazy(iters: u64) {
    for _ in 0..iters {
        assert_eq!(*once_cell::sync::Lazy::force(black_box(&CELL_LAZY)), 42);
    }
}

/// Makes every wrapper of the `OnceFunc`/`OnceValue` workloads done.
fn init_wrappers() {
    GORT_FUNC.call();
    GORT_VALUE.get();
    LazyLock::force(&STD_LAZY_UNIT);
    LazyLock::force(&STD_LAZY);
    once_cell::sync::Lazy::force(&CELL_LAZY_UNIT);
    once_cell::sync::Lazy::force(&CELL_LAZY);
}

fn first_gort(iters: u64) {
    for _ in 0..iters {
        let once = gort_once::Once::new();
        black_box(&once).call_once(|| {
            black_box(answer());
        });
    }
}

fn first_std_once(iters: u64) {
    for _ in 0..iters {
        let once = std::sync::Once::new();
        black_box(&once).call_once(|| {
            black_box(answer());
        });
    }
}

fn first_std_lock(iters: u64) {
    for _ in 0..iters {
        let lock = OnceLock::new();
        black_box(black_box(&lock).get_or_init(answer));
    }
}

fn first_cell(iters: u64) {
    for _ in 0..iters {
        let cell = once_cell::sync::OnceCell::new();
        black_box(black_box(&cell).get_or_init(answer));
    }
}

/// Adds a row running `body` on `threads` threads after `setup`.
fn row(w: Workload, name: &str, gort: bool, threads: u64, setup: fn(), body: fn(u64)) -> Workload {
    let run = move |iters| {
        setup();
        on_threads(threads, iters, body)
    };
    if gort {
        w.gort(name, run)
    } else {
        w.peer(name, run)
    }
}

/// The section's workloads.
pub fn workloads() -> Vec<Workload> {
    let mut out = Vec::new();
    for t in [1, 2] {
        let name = format!("done/{t}t");
        let w = Workload::new(SECTION, name.clone(), "call");
        let w = row(w, "gort Once::call_once", true, t, init_done, done_gort);
        let w = row(w, "std Once::call_once", false, t, init_done, done_std_once);
        let w = row(
            w,
            "std OnceLock::get",
            false,
            t,
            init_done,
            done_std_lock_get,
        );
        let w = row(
            w,
            "std OnceLock::get_or_init",
            false,
            t,
            init_done,
            done_std_lock_get_or_init,
        );
        let w = row(
            w,
            "once_cell OnceCell::get",
            false,
            t,
            init_done,
            done_cell_get,
        );
        out.push(w.go(&name));
    }
    let w = Workload::new(SECTION, "OnceFunc/1t", "call");
    let w = row(w, "gort OnceFunc::call", true, 1, init_wrappers, func_gort);
    let w = row(w, "std Once::call_once", false, 1, init_done, done_std_once);
    let w = row(
        w,
        "std LazyLock::force",
        false,
        1,
        init_wrappers,
        func_std_lazy,
    );
    let w = row(
        w,
        "once_cell Lazy::force",
        false,
        1,
        init_wrappers,
        func_cell_lazy,
    );
    out.push(w.go("OnceFunc/1t"));

    let w = Workload::new(SECTION, "OnceValue/1t", "call");
    let w = row(w, "gort OnceValue::get", true, 1, init_wrappers, value_gort);
    let w = row(
        w,
        "std LazyLock::force",
        false,
        1,
        init_wrappers,
        value_std_lazy,
    );
    let w = row(
        w,
        "std OnceLock::get_or_init",
        false,
        1,
        init_done,
        value_std_lock,
    );
    let w = row(
        w,
        "once_cell Lazy::force",
        false,
        1,
        init_wrappers,
        value_cell_lazy,
    );
    out.push(w.go("OnceValue/1t"));

    let w = Workload::new(SECTION, "first/1t", "new+first call");
    let w = row(w, "gort Once", true, 1, || {}, first_gort);
    let w = row(w, "std Once", false, 1, || {}, first_std_once);
    let w = row(w, "std OnceLock", false, 1, || {}, first_std_lock);
    let w = row(w, "once_cell OnceCell", false, 1, || {}, first_cell);
    out.push(w.go("first/1t"));
    out
}
