//! gort-context against tokio-util's `CancellationToken` (and Go's
//! `context` through the twin in `benches/go/context/`): Go's benchmarks
//! (context/benchmark_test.go, go1.23), re-expressed, plus one async row.
//!
//! - `CommonParentCancel/{1,2}t`: a child of one shared context, a value
//!   lookup through it, its cancel (with Go's busy work around the cancel).
//!   Token: `child_token()` and `cancel()` (a token has no values).
//! - `WithTimeout/concurrency=N`: ten contexts with a one-hour timeout made
//!   and cancelled per iteration, on 2 threads, while `N` other such
//!   contexts wait in the timer heap; on plain threads (gort-time's one
//!   process heap) and in tasks on gort's runtime (a heap per P, Go's
//!   layout). No token row: a token has no deadline.
//! - `CancelTree/depth=D/Root=R`: a chain of `D` cancelable contexts under
//!   `background()` (dropped uncancelled), under an open context then
//!   cancelled, or under a cancelled one. Token: a chain of child tokens
//!   under a root token (never cancelled, cancelled after, cancelled
//!   before).
//! - `CheckCanceled/{Err,Done}`: `err()`, and a non-blocking receive on
//!   `done()` (Go: `select` with `default`), on a cancelled context. Token:
//!   `is_cancelled()`.
//! - `ContextCancelDone/{1,2}t`: a non-blocking receive on a live
//!   context's `done()`. Token: `is_cancelled()`.
//! - `DeepValueSameGoRoutine/depth=D`: a lookup that misses through `D`
//!   values. No token row.
//! - `cancel-wake/1t`: a child made, awaited with `cancelled()` and
//!   cancelled by a second future of the same task (tokio current-thread).
//!   Token: `child_token()`, `cancelled()`, `cancel()`. No Go twin (not one
//!   of Go's benchmarks).

use crate::{Workload, on_threads};
use gort_context::{CancelFunc, Context, Key};
use std::hint::black_box;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const SECTION: &str = "context";
const HOUR: Duration = Duration::from_secs(3600);

static KEY: Key<&'static str> = Key::new("key");

/// Go's busy work around the cancel in BenchmarkCommonParentCancel.
fn busy(x: &mut u64) {
    for _ in 0..100 {
        *x /= *x + 1;
        black_box(&*x);
    }
}

fn common_parent_gort(shared: &Context, iters: u64) {
    let mut x = 0;
    for _ in 0..iters {
        let (ctx, cancel) = shared.with_cancel();
        assert_eq!(ctx.value(&KEY), Some(&"value"));
        busy(&mut x);
        cancel.cancel();
        busy(&mut x);
    }
}

fn common_parent_token(shared: &CancellationToken, iters: u64) {
    let mut x = 0;
    for _ in 0..iters {
        let child = shared.child_token();
        busy(&mut x);
        child.cancel();
        busy(&mut x);
    }
}

fn with_timeout_gort(root: &Context, iters: u64) {
    let mut funcs: Vec<CancelFunc> = Vec::with_capacity(10);
    for _ in 0..iters {
        funcs.extend((0..10).map(|_| root.with_timeout(HOUR).1));
        for f in funcs.drain(..) {
            f.cancel();
        }
    }
}

/// `concurrency` contexts with a one-hour timeout, made by one thread per
/// CPU (Go: one goroutine per P), cancelled once the run is over.
fn with_timeout_run(concurrency: usize, iters: u64) -> crate::Measurement {
    let root = Context::background();
    let threads = 2;
    let waiting: Vec<Vec<CancelFunc>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    (0..concurrency / threads)
                        .map(|_| root.with_timeout(HOUR).1)
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let m = on_threads(root, threads as u64, iters, with_timeout_gort);
    for f in waiting.iter().flatten() {
        f.cancel();
    }
    m
}

/// [`with_timeout_run`] in tasks on gort's shared 2-P runtime (Go's
/// layout: each P's timers in its own heap, run by its scheduler), one
/// task per P making the waiting contexts and one per P running the loop.
fn with_timeout_gort_rt(concurrency: usize, iters: u64) -> crate::Measurement {
    let rt = crate::exec::gort_runtime();
    let tasks = 2;
    let on_each_p = |job: fn(Context, u64) -> Vec<CancelFunc>, n: u64| {
        let handles: Vec<_> = (0..tasks)
            .map(|_| rt.spawn(async move { job(Context::background(), n) }))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join_blocking().expect("benchmark task panicked"))
            .collect::<Vec<_>>()
    };
    let waiting = on_each_p(
        |root, n| (0..n).map(|_| root.with_timeout(HOUR).1).collect(),
        (concurrency / tasks) as u64,
    );
    let m = crate::measure(|| {
        on_each_p(
            |root, n| {
                with_timeout_gort(&root, n);
                Vec::new()
            },
            iters.div_ceil(tasks as u64),
        )
    });
    for f in waiting.iter().flatten() {
        f.cancel();
    }
    m
}

/// Go's `buildContextTree`: a chain of `depth` cancelable contexts, each
/// dropped without its cancel.
fn build_tree(root: &Context, depth: usize) {
    let mut ctx = root.clone();
    for _ in 0..depth {
        ctx = ctx.with_cancel().0;
    }
}

fn build_token_tree(root: &CancellationToken, depth: usize) {
    let mut token = root.clone();
    for _ in 0..depth {
        token = token.child_token();
    }
}

#[derive(Clone, Copy)]
enum Root {
    Background,
    OpenCanceler,
    ClosedCanceler,
}

impl Root {
    fn name(self) -> &'static str {
        match self {
            Root::Background => "Background",
            Root::OpenCanceler => "OpenCanceler",
            Root::ClosedCanceler => "ClosedCanceler",
        }
    }
}

fn cancel_tree_gort(root: Root, depth: usize, iters: u64) -> crate::Measurement {
    crate::measure(|| {
        for _ in 0..iters {
            match root {
                Root::Background => build_tree(&Context::background(), depth),
                Root::OpenCanceler => {
                    let (ctx, cancel) = Context::background().with_cancel();
                    build_tree(&ctx, depth);
                    cancel.cancel();
                }
                Root::ClosedCanceler => {
                    let (ctx, cancel) = Context::background().with_cancel();
                    cancel.cancel();
                    build_tree(&ctx, depth);
                }
            }
        }
    })
}

fn cancel_tree_token(root: Root, depth: usize, iters: u64) -> crate::Measurement {
    crate::measure(|| {
        for _ in 0..iters {
            let token = CancellationToken::new();
            match root {
                // The root token stands for the first context of the chain.
                Root::Background => build_token_tree(&token, depth.saturating_sub(1)),
                Root::OpenCanceler => {
                    build_token_tree(&token, depth);
                    token.cancel();
                }
                Root::ClosedCanceler => {
                    token.cancel();
                    build_token_tree(&token, depth);
                }
            }
        }
    })
}

fn cancelled_ctx() -> Context {
    let (ctx, cancel) = Context::background().with_cancel();
    cancel.cancel();
    ctx
}

fn cancelled_token() -> CancellationToken {
    let token = CancellationToken::new();
    token.cancel();
    token
}

fn check_err_gort(ctx: &Context, iters: u64) {
    for _ in 0..iters {
        black_box(ctx.err());
    }
}

fn check_done_gort(ctx: &Context, iters: u64) {
    for _ in 0..iters {
        black_box(ctx.done().try_recv().is_ok());
    }
}

fn check_token(token: &CancellationToken, iters: u64) {
    for _ in 0..iters {
        black_box(token.is_cancelled());
    }
}

/// A context of `depth` values under `background()`, each on a key of its
/// own (Go: the keys `0..depth`).
fn deep_values(depth: usize) -> Context {
    static KEYS: [Key<usize>; 100] = [const { Key::new("depth") }; 100];
    KEYS[..depth]
        .iter()
        .enumerate()
        .fold(Context::background(), |ctx, (i, key)| {
            ctx.with_value(key, i)
        })
}

static MISSING: Key<usize> = Key::new("missing");

fn deep_value_gort(ctx: &Context, iters: u64) {
    for _ in 0..iters {
        black_box(ctx.value(&MISSING));
    }
}

fn cancel_wake_gort(iters: u64) -> crate::Measurement {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let (root, _cancel_root) = Context::background().with_cancel();
    crate::measure(|| {
        rt.block_on(async {
            for _ in 0..iters {
                let (ctx, cancel) = root.with_cancel();
                tokio::join!(ctx.cancelled(), async { cancel.cancel() });
            }
        })
    })
}

fn cancel_wake_token(iters: u64) -> crate::Measurement {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let root = CancellationToken::new();
    crate::measure(|| {
        rt.block_on(async {
            for _ in 0..iters {
                let child = root.child_token();
                tokio::join!(child.cancelled(), async { child.cancel() });
            }
        })
    })
}

/// The section's workloads.
pub fn workloads() -> Vec<Workload> {
    let mut out = Vec::new();
    for t in [1, 2] {
        let name = format!("CommonParentCancel/{t}t");
        out.push(
            Workload::new(SECTION, name.clone(), "child+cancel")
                .gort("gort", move |n| {
                    let root = Context::background().with_value(&KEY, "value");
                    let (shared, _cancel) = root.with_cancel();
                    on_threads(shared, t, n, common_parent_gort)
                })
                .peer("tokio-util CancellationToken", move |n| {
                    on_threads(CancellationToken::new(), t, n, common_parent_token)
                })
                .go(&name),
        );
    }
    for concurrency in [40, 4000] {
        let name = format!("WithTimeout/concurrency={concurrency}");
        out.push(
            Workload::new(SECTION, name.clone(), "10 timeouts")
                .gort("gort", move |n| with_timeout_run(concurrency, n))
                .gort("gort (gort rt)", move |n| {
                    with_timeout_gort_rt(concurrency, n)
                })
                .go(&name),
        );
    }
    for depth in [1, 10, 100, 1000] {
        for root in [Root::Background, Root::OpenCanceler, Root::ClosedCanceler] {
            let name = format!("CancelTree/depth={depth}/Root={}", root.name());
            out.push(
                Workload::new(SECTION, name.clone(), "tree")
                    .gort("gort", move |n| cancel_tree_gort(root, depth, n))
                    .peer("tokio-util CancellationToken", move |n| {
                        cancel_tree_token(root, depth, n)
                    })
                    .go(&name),
            );
        }
    }
    out.push(
        Workload::new(SECTION, "CheckCanceled/Err", "check")
            .gort("gort", |n| {
                on_threads(cancelled_ctx(), 1, n, check_err_gort)
            })
            .peer("tokio-util CancellationToken", |n| {
                on_threads(cancelled_token(), 1, n, check_token)
            })
            .go("CheckCanceled/Err"),
    );
    out.push(
        Workload::new(SECTION, "CheckCanceled/Done", "check")
            .gort("gort", |n| {
                on_threads(cancelled_ctx(), 1, n, check_done_gort)
            })
            .peer("tokio-util CancellationToken", |n| {
                on_threads(cancelled_token(), 1, n, check_token)
            })
            .go("CheckCanceled/Done"),
    );
    for t in [1, 2] {
        let name = format!("ContextCancelDone/{t}t");
        out.push(
            Workload::new(SECTION, name.clone(), "check")
                .gort("gort", move |n| {
                    let (ctx, _cancel) = Context::background().with_cancel();
                    on_threads(ctx, t, n, check_done_gort)
                })
                .peer("tokio-util CancellationToken", move |n| {
                    on_threads(CancellationToken::new(), t, n, check_token)
                })
                .go(&name),
        );
    }
    for depth in [10, 20, 30, 50, 100] {
        let name = format!("DeepValueSameGoRoutine/depth={depth}");
        out.push(
            Workload::new(SECTION, name.clone(), "lookup")
                .gort("gort", move |n| {
                    on_threads(deep_values(depth), 1, n, deep_value_gort)
                })
                .go(&name),
        );
    }
    out.push(
        Workload::new(SECTION, "cancel-wake/1t", "child+wait+cancel")
            .gort("gort (tokio current-thread)", cancel_wake_gort)
            .peer("tokio-util CancellationToken", cancel_wake_token),
    );
    out
}
