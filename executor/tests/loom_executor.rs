//! loom models of the scheduler's protocols, on whole runtimes with one or
//! two Ps (the run queue's own races are in `loom_runq.rs`):
//!
//! - a G woken by a foreign thread while its M ends the poll, drops its
//!   spinning state and gives up its P (Go's lost-wakeup race at the end of
//!   `findRunnable`): it must run again;
//! - a wake racing the end of the G's own poll (the wake during the poll
//!   re-queues it once);
//! - `abort` racing completion;
//! - `set_procs` shrinking while Gs are queued on the removed P.
//!
//! Each model checks that every future ran to its end or was dropped, once,
//! and (by loom's deadlock detection) that no M sleeps while work waits.
//!
//! Not covered: stealing between running Ms (a whole runtime with two busy
//! Ms exceeds loom's branch limit: spinning Ms loop; `loom_runq.rs` models
//! the queue operations themselves), `max_threads`.
#![cfg(gort_loom)]

mod loom_common;

use gort_executor::{Runtime, go};
use loom::sync::Mutex;
use loom::sync::atomic::{AtomicUsize, Ordering::*};
use loom_common::model;
use std::future::{Future, poll_fn};
use std::sync::Arc;
use std::task::{Poll, Waker};

fn rt(procs: usize) -> Runtime {
    Runtime::builder().procs(procs).build().unwrap()
}

/// A G parks handing its waker to a foreign thread, which wakes it at any
/// point of the M's way to sleep.
#[test]
fn foreign_wake_racing_the_m_going_idle() {
    model(|| {
        let rt = rt(1);
        let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
        let s2 = slot.clone();
        let mut parked = false;
        let h = rt.spawn(poll_fn(move |cx| {
            if parked {
                return Poll::Ready(());
            }
            parked = true;
            *s2.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }));
        let waker = loom::thread::spawn(move || {
            loop {
                if let Some(w) = slot.lock().unwrap().take() {
                    w.wake();
                    return;
                }
                loom::thread::yield_now();
            }
        });
        h.join_blocking().unwrap();
        waker.join().unwrap();
    });
}

/// The G wakes itself through a clone handed to another thread, which may
/// wake it during the poll or after.
#[test]
fn wake_racing_the_end_of_the_own_poll() {
    model(|| {
        let rt = rt(1);
        let polls = Arc::new(AtomicUsize::new(0));
        let p2 = polls.clone();
        let v = rt.block_on(async move {
            let h = go(poll_fn(move |cx| {
                if p2.fetch_add(1, Relaxed) == 1 {
                    return Poll::Ready(7);
                }
                let w = cx.waker().clone();
                loom::thread::spawn(move || w.wake());
                Poll::Pending
            }));
            h.await.unwrap()
        });
        assert_eq!(v, 7);
        assert_eq!(polls.load(Relaxed), 2);
    });
}

struct CountDrop(Arc<AtomicUsize>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Relaxed);
    }
}

#[test]
fn abort_racing_completion() {
    model(|| {
        let rt = rt(1);
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = CountDrop(drops.clone());
        let h = Arc::new(rt.spawn(async move {
            let _g = guard;
            5
        }));
        let h2 = h.clone();
        let aborter = loom::thread::spawn(move || h2.abort());
        aborter.join().unwrap();
        let Ok(h) = Arc::try_unwrap(h) else {
            panic!("the aborter's handle is gone")
        };
        match h.join_blocking() {
            Ok(v) => assert_eq!(v, 5),
            Err(e) => assert!(e.is_aborted()),
        }
        assert_eq!(drops.load(Relaxed), 1);
    });
}

#[test]
fn set_procs_shrinking_with_gs_queued_on_the_removed_p() {
    model(|| {
        let rt = rt(2);
        let ran = Arc::new(AtomicUsize::new(0));
        let r2 = ran.clone();
        // From outside: the G goes global and an M takes P0 or P1 for it;
        // it queues another G on that P (its runnext).
        let outer = rt.spawn(async move {
            go(async move {
                r2.fetch_add(1, Relaxed);
            })
            .await
            .unwrap();
        });
        assert_eq!(rt.handle().set_procs(1), 2);
        outer.join_blocking().unwrap();
        assert_eq!(ran.load(Relaxed), 1);
        assert_eq!(rt.handle().set_procs(0), 1);
    });
}

/// Counts live clones of a waker through its `Arc`.
struct Counted;

impl std::task::Wake for Counted {
    fn wake(self: std::sync::Arc<Self>) {}
}

/// A handle that registered its waker is dropped while the G completes:
/// the waker is dropped exactly once, by the handle or by the runner.
#[test]
fn join_handle_dropped_racing_completion() {
    model(|| {
        let rt = rt(1);
        let counted = std::sync::Arc::new(Counted);
        let waker = Waker::from(counted.clone());
        let (tx, rx) = gort_chan::bounded::<()>(1);
        let mut h = rt.spawn(async move {
            let _ = rx.recv().await;
        });
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(std::pin::Pin::new(&mut h).poll(&mut cx).is_pending());
        let dropper = loom::thread::spawn(move || drop(h));
        tx.try_send(()).unwrap();
        dropper.join().unwrap();
        drop(waker);
        drop(rt);
        assert_eq!(std::sync::Arc::strong_count(&counted), 1);
    });
}
