//! gort-waitgroup against crossbeam-utils' `WaitGroup` (and Go's
//! `sync.WaitGroup` through the twin in `benches/go/waitgroup/`):
//!
//! - `cycle/2t`: add/done/wait cycles between two OS threads: the main
//!   thread adds one, hands the job to a helper thread over a channel, and
//!   waits for the helper's `done`. crossbeam's group cannot be reused, so
//!   its cycle makes a new group and hands over a clone; gort runs both
//!   ways. The limit row is the channel round trip alone (a send and a
//!   reply).
//! - `cycle-tasks/1t`: the same cycle between two tasks sharing one thread
//!   (gort's async face on a current-thread tokio runtime), against Go's
//!   BenchmarkWaitGroupActuallyWait pattern with a standing helper
//!   goroutine and `GOMAXPROCS(1)`, the like-for-like setting (goroutines
//!   are tasks; OS threads cannot switch as cheaply). The job is handed
//!   over a gort channel (Go: a Go channel). The limit row is the channel
//!   round trip between the two tasks, with no group.
//! - Go's benchmarks (sync/waitgroup_test.go), at 1 and 2 threads
//!   (`RunParallel`): `Uncontended` (a group per thread: add, done, wait),
//!   `AddDone` (one shared group: add then done), `Wait` (a wait on a zero
//!   group). crossbeam has no add, done or reusable wait: its rows clone and
//!   drop a handle (`Uncontended`: on a new group each time), and wait on a
//!   new group. The limit rows do the same atomic operations on a bare
//!   64-bit counter.
//!
//! With 2 threads the iterations of Go's benchmarks are split between them.

use crate::exec::{Exec, OneWorker};
use crate::{Measurement, Workload, measure, on_threads};
use crossbeam_utils::sync::WaitGroup as CbWaitGroup;
use gort_waitgroup::WaitGroup;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

const SECTION: &str = "waitgroup";
/// One unit of the counter in Go's packed state word.
const ONE: u64 = 1 << 32;

/// Runs `cycles(iters, tx)` on this thread while a helper thread passes
/// every message it receives to `helper`; the helper's start and end are
/// not timed.
fn with_helper<M: Send>(
    iters: u64,
    helper: impl Fn(M) + Send,
    cycles: impl FnOnce(u64, &crossbeam_channel::Sender<M>),
) -> Measurement {
    let (tx, rx) = crossbeam_channel::bounded::<M>(1);
    std::thread::scope(|s| {
        s.spawn(move || {
            while let Ok(m) = rx.recv() {
                helper(m);
            }
        });
        let m = measure(|| cycles(iters, &tx));
        drop(tx);
        m
    })
}

fn cycle_gort_reused(iters: u64) -> Measurement {
    let wg = WaitGroup::new();
    let done = wg.clone();
    with_helper(
        iters,
        move |()| done.done(),
        |iters, tx| {
            for _ in 0..iters {
                wg.add(1);
                tx.send(()).unwrap();
                wg.wait_blocking();
            }
        },
    )
}

fn cycle_gort_new(iters: u64) -> Measurement {
    with_helper(iters, drop, |iters, tx| {
        for _ in 0..iters {
            let wg = WaitGroup::new();
            tx.send(wg.guard()).unwrap();
            wg.wait_blocking();
        }
    })
}

fn cycle_crossbeam(iters: u64) -> Measurement {
    with_helper(iters, drop, |iters, tx| {
        for _ in 0..iters {
            let wg = CbWaitGroup::new();
            tx.send(wg.clone()).unwrap();
            wg.wait();
        }
    })
}

fn cycle_gort_async(exec: Exec, iters: u64) -> Measurement {
    let rt = OneWorker::new(exec);
    let wg = WaitGroup::new();
    let (tx, rx) = gort_chan::bounded::<()>(1);
    let done = wg.clone();
    let helper = rt.spawn(async move {
        while rx.recv().await.is_ok() {
            done.done();
        }
    });
    let m = measure(|| {
        rt.block_on(async {
            for _ in 0..iters {
                wg.add(1);
                tx.send(()).await.unwrap();
                wg.wait().await;
            }
        })
    });
    drop(tx);
    rt.block_on(helper.join());
    m
}

/// The task cycle's floor: the same two tasks exchanging a message and a
/// reply over gort channels, with no group.
fn cycle_async_round_trip(exec: Exec, iters: u64) -> Measurement {
    let rt = OneWorker::new(exec);
    let (tx, rx) = gort_chan::bounded::<()>(1);
    let (back_tx, back_rx) = gort_chan::bounded::<()>(1);
    let helper = rt.spawn(async move {
        while rx.recv().await.is_ok() {
            back_tx.send(()).await.unwrap();
        }
    });
    let m = measure(|| {
        rt.block_on(async {
            for _ in 0..iters {
                tx.send(()).await.unwrap();
                back_rx.recv().await.unwrap();
            }
        })
    });
    drop(tx);
    rt.block_on(helper.join());
    m
}

fn cycle_channel_round_trip(iters: u64) -> Measurement {
    let (back_tx, back_rx) = crossbeam_channel::bounded::<()>(1);
    with_helper(
        iters,
        move |()| back_tx.send(()).unwrap(),
        |iters, tx| {
            for _ in 0..iters {
                tx.send(()).unwrap();
                back_rx.recv().unwrap();
            }
        },
    )
}

fn uncontended_gort(_: &(), iters: u64) {
    let wg = WaitGroup::new();
    for _ in 0..iters {
        wg.add(1);
        wg.done();
        wg.wait_blocking();
    }
}

fn uncontended_crossbeam(_: &(), iters: u64) {
    for _ in 0..iters {
        let wg = CbWaitGroup::new();
        drop(black_box(wg.clone()));
        wg.wait();
    }
}

fn uncontended_atomic(_: &(), iters: u64) {
    let state = AtomicU64::new(0);
    for _ in 0..iters {
        black_box(&state).fetch_add(ONE, Ordering::AcqRel);
        state.fetch_sub(ONE, Ordering::AcqRel);
        black_box(state.load(Ordering::Acquire));
    }
}

fn add_done_gort(wg: &WaitGroup, iters: u64) {
    for _ in 0..iters {
        wg.add(1);
        wg.done();
    }
}

fn add_done_crossbeam(wg: &CbWaitGroup, iters: u64) {
    for _ in 0..iters {
        drop(black_box(wg.clone()));
    }
}

fn add_done_atomic(state: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        state.fetch_add(ONE, Ordering::AcqRel);
        state.fetch_sub(ONE, Ordering::AcqRel);
    }
}

fn wait_gort(wg: &WaitGroup, iters: u64) {
    for _ in 0..iters {
        black_box(wg).wait_blocking();
    }
}

fn wait_crossbeam(_: &(), iters: u64) {
    for _ in 0..iters {
        CbWaitGroup::new().wait();
    }
}

fn wait_atomic(state: &AtomicU64, iters: u64) {
    for _ in 0..iters {
        black_box(black_box(state).load(Ordering::Acquire));
    }
}

/// The section's workloads.
pub fn workloads() -> Vec<Workload> {
    let mut out = vec![
        Workload::new(SECTION, "cycle/2t", "add+done+wait")
            .gort("gort (reused group)", cycle_gort_reused)
            .gort("gort (new group)", cycle_gort_new)
            .peer("crossbeam-utils", cycle_crossbeam)
            .limit("channel round trip", cycle_channel_round_trip),
        Workload::new(SECTION, "cycle-tasks/1t", "add+done+wait")
            .gort("gort async (tokio current-thread)", |n| {
                cycle_gort_async(Exec::Tokio, n)
            })
            .gort("gort async (gort rt, 1 P)", |n| {
                cycle_gort_async(Exec::Gort, n)
            })
            .limit("channel round trip", |n| {
                cycle_async_round_trip(Exec::Tokio, n)
            })
            .limit("channel round trip (gort rt)", |n| {
                cycle_async_round_trip(Exec::Gort, n)
            })
            .go("cycle-tasks/1t"),
    ];
    for t in [1, 2] {
        let name = format!("Uncontended/{t}t");
        out.push(
            Workload::new(SECTION, name.clone(), "add+done+wait")
                .gort("gort", move |n| on_threads((), t, n, uncontended_gort))
                .peer("crossbeam-utils", move |n| {
                    on_threads((), t, n, uncontended_crossbeam)
                })
                .limit("atomic u64", move |n| {
                    on_threads((), t, n, uncontended_atomic)
                })
                .go(&name),
        );
    }
    for t in [1, 2] {
        let name = format!("AddDone/{t}t");
        out.push(
            Workload::new(SECTION, name.clone(), "add+done")
                .gort("gort", move |n| {
                    on_threads(WaitGroup::new(), t, n, add_done_gort)
                })
                .peer("crossbeam-utils", move |n| {
                    on_threads(CbWaitGroup::new(), t, n, add_done_crossbeam)
                })
                .limit("atomic u64", move |n| {
                    on_threads(AtomicU64::new(0), t, n, add_done_atomic)
                })
                .go(&name),
        );
    }
    for t in [1, 2] {
        let name = format!("Wait/{t}t");
        out.push(
            Workload::new(SECTION, name.clone(), "wait")
                .gort("gort", move |n| {
                    on_threads(WaitGroup::new(), t, n, wait_gort)
                })
                .peer("crossbeam-utils (new group)", move |n| {
                    on_threads((), t, n, wait_crossbeam)
                })
                .limit("atomic u64", move |n| {
                    on_threads(AtomicU64::new(0), t, n, wait_atomic)
                })
                .go(&name),
        );
    }
    out
}
