//! Stress with counted futures: nothing lost, run twice, or leaked.
#![cfg(not(gort_loom))]

use gort_executor::{Runtime, go, yield_now};
use gort_testkit::Tracker;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};

#[test]
fn a_million_tiny_tasks() {
    let rt = Runtime::builder().procs(2).build().unwrap();
    let t = Tracker::new();
    let ran = Arc::new(AtomicUsize::new(0));
    const N: u64 = 1_000_000;
    rt.block_on(async {
        let mut hs = Vec::with_capacity(1024);
        for i in 0..N {
            let (tracked, ran) = (t.make(i), ran.clone());
            hs.push(go(async move {
                ran.fetch_add(1, Relaxed);
                drop(tracked);
            }));
            if hs.len() == 1024 {
                for h in hs.drain(..) {
                    h.await.unwrap();
                }
            }
        }
        for h in hs {
            h.await.unwrap();
        }
    });
    assert_eq!(ran.load(SeqCst), N as usize);
    assert_eq!(t.live(), 0);
    assert_eq!(t.ids_dropped(), N as usize);
    t.assert_none_dropped_twice();
}

#[test]
fn detached_tasks_from_outside_all_run() {
    let rt = Runtime::builder().procs(2).build().unwrap();
    let wg = gort_waitgroup::WaitGroup::new();
    for _ in 0..100_000 {
        let g = wg.guard();
        drop(rt.spawn(async move { drop(g) }));
    }
    wg.wait_blocking();
}

#[test]
fn deep_spawn_chains() {
    fn chain(depth: u32) -> gort_executor::JoinHandle<u32> {
        go(async move {
            if depth == 0 {
                0
            } else {
                chain(depth - 1).await.unwrap() + 1
            }
        })
    }
    let rt = Runtime::builder().procs(2).build().unwrap();
    assert_eq!(rt.block_on(async { chain(20_000).await.unwrap() }), 20_000);
    // Many chains at once, each step a new G (Go's BenchmarkCreateGoroutinesParallel shape).
    let total = rt.block_on(async {
        let hs: Vec<_> = (0..8).map(|_| chain(2_000)).collect();
        let mut sum = 0;
        for h in hs {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(total, 16_000);
}

/// A finished chain of tasks, each having awaited the next, is not freed
/// recursively: the waker a parent left in its child's join slot goes when
/// the child completes, not when the child's memory is freed. Here the
/// deepest task's own waker outlives the whole chain; dropping it last
/// would free 100 000 tasks inside one another (a stack overflow) if the
/// slots still held the parents.
#[test]
fn freeing_a_long_finished_chain_does_not_recurse() {
    fn chain(
        depth: u32,
        keep: std::sync::mpsc::Sender<std::task::Waker>,
    ) -> gort_executor::JoinHandle<()> {
        go(async move {
            if depth == 0 {
                let w = std::future::poll_fn(|cx| std::task::Poll::Ready(cx.waker().clone())).await;
                keep.send(w).unwrap();
            } else {
                chain(depth - 1, keep).await.unwrap();
            }
        })
    }
    let rt = Runtime::builder().procs(2).build().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    rt.block_on(async { chain(100_000, tx).await.unwrap() });
    drop(rx.recv().unwrap());
}

#[test]
fn wakes_from_foreign_threads_under_ping_pong() {
    let rt = Runtime::builder().procs(2).build().unwrap();
    let t = Tracker::new();
    let (to_task, from_thread) = gort_chan::bounded(0);
    let (to_thread, from_task) = gort_chan::bounded(0);
    let h = rt.spawn(async move {
        let mut n = 0;
        while let Ok(v) = from_thread.recv().await {
            if to_thread.send(v).await.is_err() {
                break;
            }
            n += 1;
        }
        n
    });
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..20_000 {
                to_task.send_blocking(t.make(i)).unwrap();
                drop(from_task.recv_blocking().unwrap());
            }
            drop(to_task);
        });
    });
    assert_eq!(h.join_blocking().unwrap(), 20_000);
    assert_eq!(t.live(), 0);
    t.assert_each_dropped_once(0..20_000);
}

/// Dropping the runtime with tasks that wait forever, tasks that are
/// queued, and tasks running: every future dropped exactly once, every
/// handle told `Aborted`, every thread gone.
#[test]
fn dropping_the_runtime_drops_every_task_once_and_joins_its_threads() {
    for round in 0..20u64 {
        let name = format!("gort-drop-test-{round}");
        let rt = Runtime::builder()
            .procs(3)
            .thread_name(&name)
            .build()
            .unwrap();
        let t = Tracker::new();
        let mut hs = Vec::new();
        let (_keep_tx, rx) = gort_chan::bounded::<()>(0);
        for i in 0..300u64 {
            let (tracked, rx) = (t.make(i), rx.clone());
            hs.push(rt.spawn(async move {
                let _tracked = tracked;
                match i % 3 {
                    0 => {
                        let _ = rx.recv().await; // waits forever
                    }
                    1 => loop {
                        yield_now().await; // always queued
                    },
                    _ => {}
                }
                i
            }));
        }
        drop(rt);
        assert_eq!(t.live(), 0, "round {round}");
        t.assert_each_dropped_once(0..300);
        for (i, h) in hs.into_iter().enumerate() {
            match h.join_blocking() {
                Ok(v) => assert!(v == i as u64 && i % 3 == 2, "task {i} returned {v}"),
                Err(e) => assert!(e.is_aborted(), "task {i}: {e}"),
            }
        }
        #[cfg(target_os = "linux")]
        assert!(
            threads_gone(&name),
            "a thread of the dropped runtime is still alive"
        );
    }
}

/// Whether every thread named `name` is gone. A joined thread's
/// `/proc/self/task` entry can outlive `pthread_join` for a moment (the
/// kernel wakes the joiner before it reaps the task), so a thread still
/// listed is looked for again, after yielding, a bounded number of times.
#[cfg(target_os = "linux")]
fn threads_gone(name: &str) -> bool {
    (0..10_000).any(|_| {
        let gone = !threads_named(name);
        if !gone {
            std::thread::yield_now();
        }
        gone
    })
}

/// Whether a thread of this process has `name` (Linux keeps 15 bytes).
#[cfg(target_os = "linux")]
fn threads_named(name: &str) -> bool {
    let short = &name[..name.len().min(15)];
    std::fs::read_dir("/proc/self/task").unwrap().any(|e| {
        let comm = std::fs::read_to_string(e.unwrap().path().join("comm")).unwrap_or_default();
        comm.trim_end() == short
    })
}

/// A task blocked inside its poll on another task (`join_blocking`) is
/// released by the drop, which cancels the other task first.
#[test]
fn dropping_the_runtime_releases_a_task_blocked_on_another() {
    let rt = Runtime::builder().procs(2).build().unwrap();
    let forever = rt.spawn(std::future::pending::<()>());
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let blocked = rt.spawn(async move {
        started_tx.send(()).unwrap();
        forever.join_blocking()
    });
    started_rx.recv().unwrap();
    drop(rt);
    let inner = blocked.join_blocking();
    assert!(
        matches!(inner, Ok(Err(ref e)) if e.is_aborted())
            || matches!(inner, Err(ref e) if e.is_aborted())
    );
}

#[test]
fn spawning_on_a_dropped_runtime_aborts_the_task() {
    let rt = Runtime::builder().procs(1).build().unwrap();
    let h = rt.handle();
    drop(rt);
    let t = Tracker::new();
    let tracked = t.make(1);
    let jh = h.spawn(async move { drop(tracked) });
    assert!(jh.join_blocking().unwrap_err().is_aborted());
    t.assert_each_dropped_once([1]);
}
