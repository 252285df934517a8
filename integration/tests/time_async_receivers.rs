//! Timers whose receivers are async tasks (tokio) and threads at once:
//! deadlines are never early, sleeps never end early, dropped receive
//! futures lose no timer value, and a reset `Sleep` keeps its promise.

mod common;

use common::{HOUR, MS, assert_fired_in_time, runtime};
use gort_time::{Ticker, Timer, after, sleep, sleep_until};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Many tasks await `after` and `sleep` with random durations; every value
/// and every wake-up is checked against its deadline.
#[test]
fn tasks_never_early() {
    for workers in [1, 2] {
        let rt = runtime(workers);
        rt.block_on(async {
            let mut rng = fastrand::Rng::with_seed(workers as u64);
            let tasks: Vec<_> = (0..1000)
                .map(|i| {
                    let d = Duration::from_micros(rng.u64(0..20_000));
                    tokio::spawn(async move {
                        let start = Instant::now();
                        if i % 2 == 0 {
                            let v = after(d).recv().await.unwrap();
                            assert_fired_in_time(v, start, d);
                        } else {
                            sleep(d).await;
                            assert!(Instant::now() >= start + d, "sleep ended early");
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        });
    }
}

/// Threads and tasks share one ticker: every tick goes to exactly one of
/// them, and ticks are a period apart or more.
#[test]
fn tasks_and_threads_share_a_ticker() {
    let period = Duration::from_micros(200);
    let ticker = Arc::new(Ticker::new(period));
    let received = Arc::new(std::sync::Mutex::new(Vec::new()));
    let rt = runtime(2);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (ticker, received) = (ticker.clone(), received.clone());
            std::thread::spawn(move || {
                for _ in 0..50 {
                    let t = ticker.c().recv_blocking().unwrap();
                    received.lock().unwrap().push(t);
                }
            })
        })
        .collect();
    rt.block_on(async {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (ticker, received) = (ticker.clone(), received.clone());
                tokio::spawn(async move {
                    for _ in 0..25 {
                        let t = ticker.c().recv().await.unwrap();
                        received.lock().unwrap().push(t);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    for t in threads {
        t.join().unwrap();
    }
    ticker.stop();
    let mut ticks = received.lock().unwrap().clone();
    ticks.sort();
    assert_eq!(ticks.len(), 200);
    for w in ticks.windows(2) {
        assert!(
            w[1] >= w[0] + period,
            "two receivers got one tick, or ticks too close"
        );
    }
}

/// A receive future dropped after the timer handed it its value gives the
/// value back: it is received later, once, and `stop` then reports it as
/// received. Other receive futures lose races against a sleep and are
/// dropped while waiting.
#[test]
fn dropped_receive_futures_lose_nothing() {
    let rt = runtime(2);
    rt.block_on(async {
        for i in 0..300u64 {
            let d = Duration::from_micros(i % 30 * 10);
            let start = Instant::now();
            let timer = Timer::new(d);
            let won = tokio::select! {
                v = timer.c().recv() => Some(v.unwrap()),
                _ = sleep(Duration::from_micros(i % 17 * 10)) => None,
            };
            let v = match won {
                Some(v) => v,
                // The dropped future may have been handed the value: then it
                // was not received, so `stop` must return true and take it.
                None if i % 2 == 0 => {
                    assert!(timer.stop(), "an unreceived value must make stop true");
                    assert!(timer.c().try_recv().is_err(), "a value after stop");
                    continue;
                }
                // Or it is still there for the next receive.
                None => timer.c().recv().await.unwrap(),
            };
            assert_fired_in_time(v, start, d);
            assert!(!timer.stop(), "the value was received");
            assert!(timer.c().try_recv().is_err(), "received twice");
        }
    });
}

/// `Sleep::reset` moves the deadline both ways; the sleep never ends before
/// the latest deadline, and a dropped, reset sleep leaves nothing to fire.
#[test]
fn sleep_reset() {
    let rt = runtime(1);
    rt.block_on(async {
        let mut s = Box::pin(sleep(HOUR));
        // Arm it far away, then move it close.
        assert!(futures_poll_once(s.as_mut()).await.is_none());
        let deadline = Instant::now() + 2 * MS;
        s.as_mut().reset(deadline);
        s.as_mut().await;
        assert!(Instant::now() >= deadline);
        // Move a completed sleep later: it waits again.
        let deadline = Instant::now() + 3 * MS;
        s.as_mut().reset(deadline);
        assert!(!s.is_elapsed());
        s.as_mut().await;
        assert!(Instant::now() >= deadline);
        assert_eq!(s.deadline(), deadline);
        // Already past: ready at once.
        sleep_until(Instant::now() - MS).await;
    });
}

/// Polls `f` once, from inside a task (so a real waker is registered).
async fn futures_poll_once<F: std::future::Future + Unpin>(mut f: F) -> Option<F::Output> {
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match std::pin::Pin::new(&mut f).poll(cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        })
    })
    .await
}

/// A `Sleep` can be moved between tasks and polled from several threads.
#[test]
fn sleep_moves_between_tasks() {
    let rt = runtime(2);
    let done = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        // Polled once while pending (a short sleep may be due already on a
        // slow machine: longer ones are tried).
        let mut nap = 5 * MS;
        let s = loop {
            let mut s = Box::pin(sleep(nap));
            if futures_poll_once(s.as_mut()).await.is_none() {
                break s;
            }
            nap *= 10;
        };
        let d = done.clone();
        tokio::spawn(async move {
            s.await;
            d.fetch_add(1, Ordering::SeqCst);
        })
        .await
        .unwrap();
    });
    assert_eq!(done.load(Ordering::SeqCst), 1);
}
