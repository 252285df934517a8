//! The public API: spawning, joining, block_on, abort, panics, handles.
#![cfg(not(gort_loom))]

use gort_executor::{Handle, JoinError, Runtime, go, num_goroutine, yield_now};
use gort_testkit::Tracker;
use std::future::{Future, pending};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::*};
use std::task::{Context, Poll};

fn rt(procs: usize) -> Runtime {
    Runtime::builder().procs(procs).build().unwrap()
}

#[test]
fn spawn_and_join_from_outside_and_inside() {
    for procs in [1, 2, 4] {
        let rt = rt(procs);
        let h = rt.spawn(async { 40 + 2 });
        assert_eq!(h.join_blocking().unwrap(), 42);
        let v = rt.block_on(async {
            let hs: Vec<_> = (0..100u64).map(|i| go(async move { i * 2 })).collect();
            let mut sum = 0;
            for h in hs {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(v, 9900);
    }
}

#[test]
fn a_panicking_task_yields_its_payload() {
    let rt = rt(2);
    let n = std::hint::black_box(7);
    let h = rt.spawn(async move { panic!("boom {n}") });
    let err = h.join_blocking().unwrap_err();
    assert!(err.is_panic());
    assert_eq!(err.to_string(), "task panicked: boom 7");
    assert_eq!(format!("{err:?}"), r#"Panic("boom 7")"#);
    let JoinError::Panic(payload) = err else {
        unreachable!()
    };
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "boom 7");
    // The runtime keeps working.
    assert_eq!(rt.block_on(async { go(async { 1 }).await.unwrap() }), 1);
}

#[test]
#[should_panic(expected = "main panicked")]
fn block_on_unwinds_its_own_panic() {
    let rt = rt(2);
    rt.block_on(async { panic!("main panicked") });
}

#[test]
fn block_on_can_run_again_after_its_future_panicked() {
    let rt = rt(1);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            go(async { 5 });
            panic!("first")
        })
    }));
    assert!(r.is_err());
    assert_eq!(rt.block_on(async { go(async { 3 }).await.unwrap() }), 3);
}

#[test]
fn abort_a_waiting_task_drops_its_future_once() {
    let rt = rt(2);
    let t = Tracker::new();
    let tracked = t.make(1);
    let h = rt.spawn(async move {
        let _keep = tracked;
        pending::<()>().await
    });
    h.abort();
    h.abort();
    assert!(rt.block_on(h).unwrap_err().is_aborted());
    t.assert_each_dropped_once([1]);
}

#[test]
fn abort_after_completion_changes_nothing() {
    let rt = rt(2);
    let h = rt.spawn(async { "done" });
    while !h.is_finished() {
        std::thread::yield_now();
    }
    h.abort();
    assert_eq!(h.join_blocking().unwrap(), "done");
}

#[test]
fn a_task_can_abort_itself_while_running() {
    let rt = rt(1);
    let (tx, rx) = std::sync::mpsc::channel::<Arc<gort_executor::JoinHandle<()>>>();
    let h = Arc::new(rt.spawn(async move {
        let me = rx.recv().unwrap();
        me.abort();
        yield_now().await;
        unreachable!("aborted at the yield");
    }));
    tx.send(h.clone()).unwrap();
    while !h.is_finished() {
        std::thread::yield_now();
    }
    let Ok(h) = Arc::try_unwrap(h) else {
        panic!("the task's clone is gone")
    };
    assert!(h.join_blocking().unwrap_err().is_aborted());
}

#[test]
fn a_detached_task_still_runs() {
    let rt = rt(2);
    let (tx, rx) = gort_chan::bounded(1);
    drop(rt.spawn(async move { tx.send(9).await.unwrap() }));
    assert_eq!(rx.recv_blocking(), Ok(9));
}

#[test]
fn handles_find_their_runtime() {
    assert!(Handle::try_current().is_none());
    let rt = rt(2);
    let n = rt.block_on(async {
        let h = Handle::current();
        h.spawn(async { Handle::current().set_procs(0) })
            .await
            .unwrap()
    });
    assert_eq!(n, 2);
}

#[test]
#[should_panic(expected = "outside a gort runtime")]
fn go_outside_a_runtime_panics() {
    go(async {});
}

#[test]
#[should_panic(expected = "outside a gort runtime")]
fn handle_current_outside_a_runtime_panics() {
    let _ = Handle::current();
}

#[test]
fn nested_block_on_panics_with_a_message() {
    let rt = Arc::new(rt(1));
    let inner = rt.clone();
    let h = rt.spawn(async move { inner.block_on(async {}) });
    let err = h.join_blocking().unwrap_err();
    assert!(
        err.to_string().contains("already running a gort runtime"),
        "{err}"
    );
}

#[test]
fn builder_rejects_bad_settings() {
    for b in [
        Runtime::builder().procs(0).clone(),
        Runtime::builder().procs(2000).clone(),
        Runtime::builder().max_threads(0).clone(),
    ] {
        let err = b.clone().build().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

/// Go's TestNumGoroutine: a fresh program reports 1 (main); live tasks
/// count, finished ones do not.
#[test]
fn num_goroutine_counts_live_tasks() {
    let rt = rt(2);
    rt.block_on(async {
        assert_eq!(num_goroutine(), 1);
        let (tx, rx) = gort_chan::bounded::<()>(0);
        let hs: Vec<_> = (0..10)
            .map(|_| {
                let rx = rx.clone();
                go(async move { rx.recv().await.ok() })
            })
            .collect();
        assert_eq!(num_goroutine(), 11);
        drop(tx);
        for h in hs {
            assert_eq!(h.await.unwrap(), None);
        }
        assert_eq!(num_goroutine(), 1);
    });
    assert_eq!(rt.handle().num_goroutine(), 0);
}

/// A future that wakes itself from inside its own poll a number of times:
/// the wake during the poll must make it run again, exactly once per wake.
struct SelfWake(usize);

impl Future for SelfWake {
    type Output = usize;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        if self.0 == 0 {
            return Poll::Ready(7);
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        // Waking by value (a clone) must not double-count either.
        #[allow(clippy::waker_clone_wake)]
        cx.waker().clone().wake();
        Poll::Pending
    }
}

#[test]
fn a_wake_during_the_own_poll_runs_it_again() {
    let rt = rt(2);
    assert_eq!(rt.spawn(SelfWake(1000)).join_blocking().unwrap(), 7);
}

#[test]
fn wakes_from_foreign_threads_reach_the_task() {
    let rt = rt(2);
    let (tx, rx) = gort_chan::bounded::<u64>(0);
    let h = rt.spawn(async move {
        let mut sum = 0;
        while let Ok(v) = rx.recv().await {
            sum += v;
        }
        sum
    });
    std::thread::scope(|s| {
        for t in 0..4 {
            let tx = tx.clone();
            s.spawn(move || {
                for i in 0..2_000 {
                    tx.send_blocking(t * 10_000 + i).unwrap();
                }
            });
        }
    });
    drop(tx);
    let want: u64 = (0..4u64)
        .map(|t| (0..2_000).map(|i| t * 10_000 + i).sum::<u64>())
        .sum();
    assert_eq!(h.join_blocking().unwrap(), want);
}

#[test]
fn yield_now_lets_others_run_on_one_p() {
    // Go's TestYieldProgress: a G that keeps yielding does not keep main
    // (or anyone) from running.
    let rt = rt(1);
    let (tx, rx) = gort_chan::bounded::<()>(0);
    let spins = Arc::new(AtomicUsize::new(0));
    let s2 = spins.clone();
    let h = rt.spawn(async move {
        loop {
            match rx.try_recv() {
                Ok(()) => return,
                Err(_) => {
                    s2.fetch_add(1, Relaxed);
                    yield_now().await
                }
            }
        }
    });
    rt.block_on(async move {
        while spins.load(Relaxed) < 10 {
            yield_now().await;
        }
        tx.send(()).await.unwrap();
        h.await.unwrap();
    });
}

#[test]
fn tasks_outlive_block_on_and_finish_on_the_workers() {
    let rt = rt(2);
    let (tx, rx) = gort_chan::bounded::<u32>(100);
    rt.block_on(async {
        for i in 0..100 {
            let tx = tx.clone();
            go(async move {
                yield_now().await;
                tx.send(i).await.unwrap();
            });
        }
    });
    drop(tx);
    let mut got: Vec<_> = rx.iter().collect();
    got.sort();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
}

#[test]
fn debug_output_names_the_parts() {
    let rt = rt(3);
    let s = format!("{rt:?}");
    assert!(s.contains("procs: 3"), "{s}");
    let h = rt.spawn(async {});
    assert!(format!("{h:?}").contains("JoinHandle"));
    h.join_blocking().unwrap();
    assert_eq!(format!("{:?}", JoinError::Aborted), "Aborted");
    assert_eq!(JoinError::Aborted.to_string(), "task was aborted");
}

/// Past `max_threads`, a P handed off with queued work must not hide it on
/// the idle list (nobody steals from an idle P).
#[test]
fn queued_work_survives_the_thread_limit() {
    let rt = Runtime::builder().procs(3).max_threads(1).build().unwrap();
    let release = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r2 = release.clone();
    let busy = rt.spawn(async move {
        while !r2.load(SeqCst) {
            std::hint::spin_loop();
        }
    });
    // Queued in block_on's P as it returns; no M may start for that P.
    #[allow(clippy::async_yields_async)] // the handle is awaited later, on purpose
    let h = rt.block_on(async { go(async { 1 }) });
    release.store(true, SeqCst);
    busy.join_blocking().unwrap();
    assert_eq!(rt.block_on(h).unwrap(), 1);
}

struct PanicWaker;

impl std::task::Wake for PanicWaker {
    fn wake(self: Arc<Self>) {
        panic!("a waker that panics");
    }
}

/// A join waker that panics (foreign code) does not take an M down.
#[test]
fn a_panicking_join_waker_does_not_strand_the_runtime() {
    let rt = Runtime::builder().procs(2).build().unwrap();
    let (tx, rx) = gort_chan::bounded::<()>(0);
    let mut h = rt.spawn(async move { rx.recv().await.ok() });
    let waker = std::task::Waker::from(Arc::new(PanicWaker));
    assert!(
        Pin::new(&mut h)
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    tx.send_blocking(()).unwrap();
    assert_eq!(h.join_blocking().unwrap(), Some(()));
    assert_eq!(rt.handle().set_procs(1), 2);
    assert_eq!(rt.block_on(async { go(async { 2 }).await.unwrap() }), 2);
}

#[test]
fn the_types_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Runtime>();
    send_sync::<Handle>();
    send_sync::<gort_executor::JoinHandle<u32>>();
    send_sync::<gort_executor::Builder>();
    send::<JoinError>();
    send_sync::<gort_executor::YieldNow>();
}

/// Dropping a runtime from one of its own threads panics, saying why (it
/// would wait for its own thread to exit). The runtime is leaked by the
/// failed drop, as the message's caller cannot shut it down.
#[test]
fn dropping_a_runtime_from_inside_panics_with_a_message() {
    let (tx, rx) = gort_chan::bounded::<Runtime>(1);
    let rt = rt(1);
    let h = rt.spawn(async move {
        let rt = rx
            .recv()
            .await
            .expect("the runtime comes through the channel");
        drop(rt);
    });
    tx.send_blocking(rt).unwrap();
    let err = h.join_blocking().unwrap_err();
    assert!(
        err.to_string().contains("dropped from inside itself"),
        "{err}"
    );
}
