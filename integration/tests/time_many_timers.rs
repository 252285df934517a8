//! Thousands of pending timers cost one heap entry each and one timer
//! thread in all (no thread per timer), whether their receivers are tasks
//! or threads; and they all fire, none early. One test in this binary, so
//! the heap and thread counts are this test's alone.

mod common;

use common::{HOUR, assert_fired_in_time, wait_until};
use gort_time::raw::{heap_len, timer_threads};
use gort_time::{Timer, after, sleep};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TASKS: usize = 10_000;
const THREADS: usize = 50;

#[test]
fn ten_thousand_pending_timers_one_thread() {
    assert_eq!(timer_threads(), 0, "no timer thread before the first timer");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    // Phase 1: far deadlines, so every timer is pending at once.
    // 10,000 sleeping tasks, 10,000 tasks blocked on `after`, and threads
    // blocked on timer channels (until `release` closes).
    let timers: Vec<_> = (0..THREADS).map(|_| Arc::new(Timer::new(HOUR))).collect();
    let (release_tx, release) = gort_chan::bounded::<()>(0);
    let threads: Vec<_> = timers
        .iter()
        .map(|t| {
            let (t, release) = (t.clone(), release.clone());
            std::thread::spawn(move || {
                gort_select::select_blocking! {
                    recv(t.c()) -> _ => false,
                    recv(release) -> r => r.is_err(),
                }
            })
        })
        .collect();
    let tasks: Vec<_> = rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..TASKS {
            tasks.push(tokio::spawn(sleep(HOUR)));
            tasks.push(tokio::spawn(async {
                let _ = after(HOUR).recv().await;
            }));
        }
        // Let every task run up to its first wait.
        wait_until_async(|| heap_len() == 2 * TASKS + THREADS).await;
        tasks
    });
    assert_eq!(heap_len(), 2 * TASKS + THREADS);
    assert_eq!(timer_threads(), 1, "one timer thread for all timers");

    // Cancel them all: aborted tasks drop their futures, the closed
    // release channel frees the threads. The heap empties (the zombie
    // sweeps).
    rt.block_on(async {
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            assert!(t.await.unwrap_err().is_cancelled());
        }
    });
    release_tx.close();
    for t in threads {
        assert!(t.join().unwrap(), "the release channel frees the receiver");
    }
    wait_until(|| heap_len() == 0);

    // Phase 2: the same number of short timers all fire, none early.
    rt.block_on(async {
        let mut rng = fastrand::Rng::with_seed(10_000);
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let d = Duration::from_micros(rng.u64(0..50_000));
                tokio::spawn(async move {
                    let start = Instant::now();
                    if i % 2 == 0 {
                        sleep(d).await;
                        assert!(Instant::now() >= start + d, "sleep ended early");
                    } else {
                        assert_fired_in_time(after(d).recv().await.unwrap(), start, d);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    assert_eq!(timer_threads(), 1);
    wait_until(|| heap_len() == 0);
}

/// Yields to the runtime until `cond` holds.
async fn wait_until_async(mut cond: impl FnMut() -> bool) {
    while !cond() {
        tokio::task::yield_now().await;
    }
}
