//! The async face: `call_once_async` on tokio, its panic rule, and its
//! future dropped at every point (waiting, woken, running), with blocking
//! and async callers mixed.

use gort_once::{CallOnceAsync, Once};
use gort_testkit::{CountingWaker, poll_once};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Poll, Waker};

/// `N` fresh counting wakers.
fn wakers<const N: usize>() -> [Arc<CountingWaker>; N] {
    std::array::from_fn(|_| Arc::new(CountingWaker::default()))
}

fn poll<F: Future>(fut: Pin<&mut F>, waker: &Arc<CountingWaker>) -> Poll<F::Output> {
    poll_once(fut, &Waker::from(waker.clone()))
}

/// An initialiser that is pending on its first poll and done on the second;
/// counts its starts and completions.
#[derive(Default)]
struct Init {
    started: AtomicUsize,
    finished: AtomicUsize,
}

impl Init {
    fn run(&self) -> impl Future<Output = ()> + '_ {
        self.started.fetch_add(1, Ordering::SeqCst);
        async move {
            let mut yielded = false;
            std::future::poll_fn(|cx| {
                if yielded {
                    Poll::Ready(())
                } else {
                    yielded = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
            .await;
            self.finished.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counts(&self) -> (usize, usize) {
        (
            self.started.load(Ordering::SeqCst),
            self.finished.load(Ordering::SeqCst),
        )
    }
}

#[test]
fn runner_then_waiter_then_done() {
    let once = Once::new();
    let (a, b) = (Init::default(), Init::default());
    let [wa, wb] = wakers();
    let mut fa = pin!(once.call_once_async(|| a.run()));
    let mut fb = pin!(once.call_once_async(|| b.run()));
    assert!(poll(fa.as_mut(), &wa).is_pending()); // runs, pending
    assert!(poll(fb.as_mut(), &wb).is_pending()); // queued
    assert!(!once.is_done());
    assert!(poll(fa.as_mut(), &wa).is_ready()); // finishes
    assert!(once.is_done());
    assert_eq!(wb.count(), 1, "the waiter was woken");
    assert!(poll(fb.as_mut(), &wb).is_ready());
    assert_eq!(
        (a.counts(), b.counts()),
        ((1, 1), (0, 0)),
        "only a's f was called"
    );
}

/// The running future is dropped before it finishes: not done, and the
/// queued waiter is woken and runs its own initialiser.
#[test]
fn dropped_runner_hands_over_to_a_waiter() {
    let once = Once::new();
    let (a, b) = (Init::default(), Init::default());
    let [wa, wb] = wakers();
    let mut fb = Box::pin(once.call_once_async(|| b.run()));
    {
        let mut fa = Box::pin(once.call_once_async(|| a.run()));
        assert!(poll(fa.as_mut(), &wa).is_pending());
        assert!(poll(fb.as_mut(), &wb).is_pending());
    }
    assert!(!once.is_done(), "an abandoned initialiser is not done");
    assert_eq!(wb.count(), 1, "the waiter was woken to take over");
    // The role was handed to b: a newcomer cannot barge in and queues.
    let c = Init::default();
    let [wc] = wakers();
    let mut fc = Box::pin(once.call_once_async(|| c.run()));
    assert!(poll(fc.as_mut(), &wc).is_pending());
    assert_eq!(c.counts(), (0, 0), "the newcomer did not run");
    assert!(poll(fb.as_mut(), &wb).is_pending()); // b runs now
    assert!(poll(fb.as_mut(), &wb).is_ready());
    assert!(once.is_done());
    assert!(poll(fc.as_mut(), &wc).is_ready());
    assert_eq!(
        (a.counts(), b.counts(), c.counts()),
        ((1, 0), (1, 1), (0, 0))
    );
}

/// The running future is dropped with nobody waiting: the next caller runs.
#[test]
fn dropped_runner_next_caller_runs() {
    let once = Once::new();
    let (a, b) = (Init::default(), Init::default());
    let [w] = wakers();
    {
        let mut fa = pin!(once.call_once_async(|| a.run()));
        assert!(poll(fa.as_mut(), &w).is_pending());
    }
    assert!(!once.is_done());
    let mut called = false;
    once.call_once(|| called = true);
    assert!(called, "the blocking caller ran its own initialiser");
    let mut fb = pin!(once.call_once_async(|| b.run()));
    assert!(poll(fb.as_mut(), &w).is_ready());
    assert_eq!((a.counts(), b.counts()), ((1, 0), (0, 0)));
}

/// A queued waiter dropped before it is woken leaves the queue.
#[test]
fn dropped_waiter_leaves_the_queue() {
    let once = Once::new();
    let (a, b, c) = (Init::default(), Init::default(), Init::default());
    let [wa, wb, wc] = wakers();
    let mut fa = pin!(once.call_once_async(|| a.run()));
    assert!(poll(fa.as_mut(), &wa).is_pending());
    {
        let mut fb = pin!(once.call_once_async(|| b.run()));
        assert!(poll(fb.as_mut(), &wb).is_pending());
    }
    let mut fc = pin!(once.call_once_async(|| c.run()));
    assert!(poll(fc.as_mut(), &wc).is_pending());
    assert!(poll(fa.as_mut(), &wa).is_ready());
    assert_eq!(
        (wb.count(), wc.count()),
        (0, 1),
        "b left the queue, c was woken"
    );
    assert!(poll(fc.as_mut(), &wc).is_ready());
    assert_eq!((b.counts(), c.counts()), ((0, 0), (0, 0)));
}

/// A waiter woken to take over from an abandoned run, then dropped before
/// it acts, passes its turn to the next waiter.
#[test]
fn woken_waiter_dropped_passes_the_turn() {
    let once = Once::new();
    let (a, b, c) = (Init::default(), Init::default(), Init::default());
    let [wa, wb, wc] = wakers();
    let mut fa = Box::pin(once.call_once_async(|| a.run()));
    let mut fb = Box::pin(once.call_once_async(|| b.run()));
    let mut fc = Box::pin(once.call_once_async(|| c.run()));
    assert!(poll(fa.as_mut(), &wa).is_pending());
    assert!(poll(fb.as_mut(), &wb).is_pending());
    assert!(poll(fc.as_mut(), &wc).is_pending());
    drop(fa); // abandons: wakes b only
    assert_eq!((wb.count(), wc.count()), (1, 0));
    drop(fb); // woken but never acted: wakes c
    assert_eq!(wc.count(), 1);
    assert!(poll(fc.as_mut(), &wc).is_pending()); // c runs
    assert!(poll(fc.as_mut(), &wc).is_ready());
    assert!(once.is_done());
    assert_eq!(
        (a.counts(), b.counts(), c.counts()),
        ((1, 0), (0, 0), (1, 1))
    );
}

/// Dropping a future that has completed, or that never was polled, changes
/// nothing.
#[test]
fn dropped_unpolled_or_completed() {
    let once = Once::new();
    let a = Init::default();
    drop(once.call_once_async(|| a.run()));
    assert!(!once.is_done());
    let [w] = wakers();
    {
        let mut f = pin!(once.call_once_async(|| a.run()));
        while poll(f.as_mut(), &w).is_pending() {}
        assert!(poll(f.as_mut(), &w).is_ready(), "ready stays ready");
    }
    assert!(once.is_done());
    assert_eq!(a.counts(), (1, 1));
}

/// A panic inside a poll of the async initialiser counts as done (Go's
/// rule): the waiter is released, and no later initialiser runs.
#[test]
fn panic_in_poll_counts_as_done() {
    let once = Once::new();
    let b = Init::default();
    let [wa, wb] = wakers();
    let polls = AtomicUsize::new(0);
    let mut fa = Box::pin(once.call_once_async(|| {
        std::future::poll_fn(|_| {
            if polls.fetch_add(1, Ordering::SeqCst) == 0 {
                Poll::Pending
            } else {
                panic!("init failed")
            }
        })
    }));
    let mut fb = Box::pin(once.call_once_async(|| b.run()));
    assert!(poll(fa.as_mut(), &wa).is_pending());
    assert!(poll(fb.as_mut(), &wb).is_pending());
    let err = catch_unwind(AssertUnwindSafe(|| poll(fa.as_mut(), &wa))).expect_err("panics");
    assert_eq!(err.downcast_ref::<&str>(), Some(&"init failed"));
    assert!(once.is_done());
    assert_eq!(wb.count(), 1);
    assert!(poll(fb.as_mut(), &wb).is_ready());
    assert!(
        poll(fa.as_mut(), &wa).is_ready(),
        "a panicked future is done"
    );
    drop(fa);
    assert_eq!(b.counts(), (0, 0));
}

/// A panic in `f` itself (before any future exists) counts as done too.
#[test]
fn panic_in_f_counts_as_done() {
    let once = Once::new();
    let [w] = wakers();
    let mut fa =
        Box::pin(once.call_once_async(|| -> std::future::Ready<()> { panic!("no future") }));
    assert!(catch_unwind(AssertUnwindSafe(|| poll(fa.as_mut(), &w))).is_err());
    assert!(once.is_done());
    once.call_once(|| unreachable!());
}

/// A blocking caller on another thread waits for an async initialiser and
/// returns only after it finished.
#[test]
fn blocking_caller_waits_for_async_initialiser() {
    let once = Once::new();
    let finished = AtomicBool::new(false);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    std::thread::scope(|s| {
        let [w] = wakers();
        let mut fa = Box::pin(once.call_once_async(|| async {
            tokio::task::yield_now().await;
            finished.store(true, Ordering::SeqCst);
        }));
        assert!(poll(fa.as_mut(), &w).is_pending()); // this thread runs it
        let blocked = s.spawn(|| {
            once.call_once(|| unreachable!("the async initialiser is running"));
            assert!(
                finished.load(Ordering::SeqCst),
                "returned before f finished"
            );
        });
        rt.block_on(fa);
        blocked.join().unwrap();
    });
}

/// Many tasks on a multi-threaded runtime, each with its own initialiser,
/// and blocking threads beside them: one initialiser runs, and every
/// caller returns after it finished. Repeated with fresh Onces.
#[test]
fn tasks_and_threads_race() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    for _ in 0..50 {
        let once = Arc::new(Once::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (once, runs, finished) = (once.clone(), runs.clone(), finished.clone());
                rt.spawn(async move {
                    let fin = finished.clone();
                    once.call_once_async(|| async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        fin.store(true, Ordering::SeqCst);
                    })
                    .await;
                    assert!(finished.load(Ordering::SeqCst));
                })
            })
            .collect();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let (once, runs, finished) = (once.clone(), runs.clone(), finished.clone());
                std::thread::spawn(move || {
                    once.call_once(|| {
                        runs.fetch_add(1, Ordering::SeqCst);
                        finished.store(true, Ordering::SeqCst);
                    });
                    assert!(finished.load(Ordering::SeqCst));
                })
            })
            .collect();
        for t in tasks {
            rt.block_on(t).unwrap();
        }
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}

/// Yields `n` times.
async fn yields(n: usize) {
    for _ in 0..n {
        tokio::task::yield_now().await;
    }
}

/// Tasks whose calls are cancelled by a race (tokio `select!` against a few
/// yields) and retried, beside one task that never cancels: the Once ends
/// done, with exactly one initialiser finished. (Each cancelling task yields
/// at least once per attempt, so none can hog a worker.)
#[test]
fn cancelled_initialisers_race_on_tokio() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    for _ in 0..50 {
        let once = Arc::new(Once::new());
        let finished = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                let (once, finished) = (once.clone(), finished.clone());
                rt.spawn(async move {
                    loop {
                        let fin = finished.clone();
                        let call = once.call_once_async(|| async move {
                            for _ in 0..2 {
                                tokio::task::yield_now().await;
                            }
                            fin.fetch_add(1, Ordering::SeqCst);
                        });
                        tokio::select! {
                            biased;
                            () = call => return,
                            () = yields(i + 1), if i < 3 => {}
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            rt.block_on(t).unwrap();
        }
        assert!(once.is_done());
        assert_eq!(finished.load(Ordering::SeqCst), 1);
    }
}

#[test]
fn future_is_send() {
    fn send<T: Send>(_: &T) {}
    let once = Once::new();
    let f: CallOnceAsync<'_, _, _> = once.call_once_async(|| async {});
    send(&f);
    assert!(format!("{f:?}").starts_with("CallOnceAsync"));
}

/// Go's panic rule reaches the initialiser's destructor: a running
/// initialiser whose future panics while it is dropped (its caller gave up)
/// counts as panicked, so the Once is done and a waiting caller returns
/// without running its own initialiser (documented on `call_once_async`).
#[test]
fn initialiser_that_panics_when_dropped_counts_as_done() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("the initialiser's destructor panics");
        }
    }
    let once = Once::new();
    let [w1, w2] = wakers::<2>();
    let mut runner = Box::pin(once.call_once_async(|| {
        let guard = PanicOnDrop;
        async move {
            std::future::pending::<()>().await;
            drop(guard);
        }
    }));
    assert!(poll(runner.as_mut(), &w1).is_pending());
    let mut waiter =
        pin!(once.call_once_async(|| async { unreachable!("a second initialiser ran") }));
    assert!(poll(waiter.as_mut(), &w2).is_pending());
    let dropped = catch_unwind(AssertUnwindSafe(|| drop(runner)));
    assert!(dropped.is_err(), "the destructor's panic propagates");
    assert!(once.is_done());
    assert_eq!(w2.count(), 1, "the waiter was released");
    assert!(poll(waiter.as_mut(), &w2).is_ready());
}
