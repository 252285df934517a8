//! Go's time/sleep_test.go (go1.23.12) re-expressed. Go retries its
//! timing-sensitive tests and bounds lateness; here every check is exact:
//! fire times never precede their deadline, `stop`/`reset` results are
//! checked against what was (or was never) delivered, and nothing waits on
//! elapsed time to synchronise.

mod common;

use common::{HOUR, MS, assert_fired_in_time, runtime, wait_until};
use gort_select::{select, select_blocking};
use gort_time::{Ticker, Timer, after, after_func, sleep};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Go's `newTimerFunc`: a `Timer` built on `after_func` feeding a channel of
/// capacity 1, so the non-channel timer path is tested too.
struct FuncTimer {
    timer: Timer,
    rx: gort_chan::Receiver<Instant>,
}

fn new_timer_func(d: Duration) -> FuncTimer {
    let (tx, rx) = gort_chan::bounded(1);
    let timer = after_func(d, move || {
        let _ = tx.try_send(Instant::now());
    });
    FuncTimer { timer, rx }
}

/// TestSleep: a sleep lasts at least its duration.
#[test]
fn sleep_lasts_its_duration() {
    let rt = runtime(2);
    rt.block_on(async {
        let d = 100 * MS;
        let start = Instant::now();
        sleep(d).await;
        assert!(start.elapsed() >= d);
    });
}

/// TestAfterFunc: an `after_func` chain, each scheduling the next.
#[test]
fn after_func_chain() {
    fn step(left: Arc<AtomicUsize>, done: mpsc::Sender<()>) {
        if left.fetch_sub(1, Ordering::SeqCst) == 0 {
            done.send(()).unwrap();
            return;
        }
        let mut once = Some((left, done));
        after_func(Duration::ZERO, move || {
            if let Some((left, done)) = once.take() {
                step(left, done);
            }
        });
    }
    let (tx, rx) = mpsc::channel();
    step(Arc::new(AtomicUsize::new(10)), tx);
    rx.recv().unwrap();
}

/// `after_func` runs each function on a thread of its own, never the timer
/// thread: fifty functions due at once all run at the same time (each
/// waits for all the others), and one started from inside another, which
/// then waits for it, runs too.
#[test]
fn after_func_threads_of_their_own() {
    const N: usize = 50;
    let barrier = Arc::new(std::sync::Barrier::new(N + 1));
    let timers: Vec<_> = (0..N)
        .map(|_| {
            let barrier = barrier.clone();
            after_func(Duration::ZERO, move || {
                assert_ne!(std::thread::current().name(), Some("gort-timer"));
                barrier.wait();
            })
        })
        .collect();
    barrier.wait();
    drop(timers);

    let (tx, rx) = mpsc::channel();
    let _outer = after_func(Duration::ZERO, move || {
        let (inner_tx, inner_rx) = mpsc::channel();
        let _inner = after_func(MS, move || inner_tx.send(()).unwrap());
        inner_rx.recv().unwrap();
        tx.send(()).unwrap();
    });
    rx.recv().unwrap();
}

/// TestTickerStress: a 1ns ticker delivers 100 ticks to one receiver.
#[test]
fn ticker_stress() {
    let ticker = Ticker::new(Duration::from_nanos(1));
    let mut last = None;
    for _ in 0..100 {
        let t = ticker.c().recv_blocking().unwrap();
        assert!(last.is_none_or(|l| t > l), "ticks are increasing");
        last = Some(t);
    }
    ticker.stop();
}

/// TestTickerConcurrentStress: ten threads share one 1ns ticker.
#[test]
fn ticker_concurrent_stress() {
    let ticker = Ticker::new(Duration::from_nanos(1));
    std::thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                for _ in 0..100 {
                    ticker.c().recv_blocking().unwrap();
                }
            });
        }
    });
    ticker.stop();
    assert!(ticker.c().try_recv().is_err());
}

/// TestAfterFuncStarvation: busy threads ping-ponging on a channel do not
/// keep an `after_func` from running.
#[test]
fn after_func_starvation() {
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = gort_chan::bounded::<bool>(1);
    let producer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                tx.send_blocking(true).unwrap();
            }
        })
    };
    let consumer = std::thread::spawn(move || for _ in rx.iter() {});
    let flag = stop.clone();
    let _t = after_func(Duration::from_micros(1), move || {
        flag.store(true, Ordering::SeqCst)
    });
    producer.join().unwrap();
    consumer.join().unwrap();
}

/// TestAfter: the value is the fire time, not earlier than the deadline.
#[test]
fn after_fires_after_deadline() {
    let d = 100 * MS;
    let start = Instant::now();
    let end = after(d).recv_blocking().unwrap();
    assert!(start.elapsed() >= d);
    assert_fired_in_time(end, start, d);
}

/// TestAfterTick: ten `after(10ms)` in a row take at least 100ms.
#[test]
fn after_tick() {
    let delta = 10 * MS;
    let start = Instant::now();
    for _ in 0..10 {
        let t0 = Instant::now();
        let v = after(delta).recv_blocking().unwrap();
        assert_fired_in_time(v, t0, delta);
    }
    assert!(start.elapsed() >= 10 * delta);
}

/// TestAfterStop, impl=chan: a channel timer is stopped (true even if it is
/// due, as nothing was received), delivers nothing afterwards, and a second
/// stop returns false.
#[test]
fn after_stop_chan() {
    let _other = after_func(100 * MS, || {});
    let t0 = Timer::new(50 * MS);
    let c2 = after(200 * MS);
    assert!(t0.stop(), "an unreceived timer is always stoppable");
    c2.recv_blocking().unwrap();
    assert!(t0.c().try_recv().is_err(), "event 0 was not stopped");
    assert!(!t0.stop(), "stop returned true twice");
}

/// A closure that reports, when dropped, whether it ever ran.
struct Probe {
    ran: Arc<AtomicUsize>,
    report: mpsc::Sender<usize>,
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.report.send(self.ran.load(Ordering::SeqCst));
    }
}

fn probed(report: &mpsc::Sender<usize>) -> impl FnMut() + Send + 'static {
    let probe = Probe {
        ran: Arc::new(AtomicUsize::new(0)),
        report: report.clone(),
    };
    move || {
        probe.ran.fetch_add(1, Ordering::SeqCst);
    }
}

/// TestAfterStop, impl=func: `stop` returns true exactly when the function
/// never runs. The closure reports how often it ran when it is dropped,
/// which happens once the timer has left the heap and the runner.
#[test]
fn after_stop_func() {
    for d in [Duration::ZERO, Duration::from_micros(50), 150 * MS] {
        let (report, runs) = mpsc::channel();
        let t1 = after_func(d, probed(&report));
        let stopped = t1.stop();
        assert!(!t1.stop(), "stop returned true twice");
        drop(t1);
        drop(report);
        let ran = runs.recv().unwrap();
        assert_eq!(
            ran,
            usize::from(!stopped),
            "stop() = {stopped} but f ran {ran} times"
        );
    }
}

/// TestAfterQueuing (both impls): waiters on timers of many durations get
/// each value at (never before) its own deadline. A channel timer's value
/// is exactly the deadline, so it lies within the window in which the timer
/// was made, shifted by its duration.
#[test]
fn after_queuing() {
    const SLOTS: [u32; 13] = [5, 3, 6, 6, 6, 1, 1, 2, 7, 9, 4, 8, 0];
    let delta = 20 * MS;
    std::thread::scope(|s| {
        for slot in SLOTS {
            let d = slot * delta;
            let before = Instant::now();
            let c = after(d);
            let made = Instant::now();
            s.spawn(move || {
                let v = c.recv_blocking().unwrap();
                assert!(
                    v >= before + d && v <= made + d,
                    "slot {slot}: not its deadline"
                );
            });
            let before = Instant::now();
            let f = new_timer_func(d);
            s.spawn(move || {
                let v = f.rx.recv_blocking().unwrap();
                assert_fired_in_time(v, before, d);
                drop(f.timer);
            });
        }
    });
}

/// TestTimerStopStress: a hundred `after_func`s stopped from many threads,
/// well before their deadline, never run.
#[test]
fn timer_stop_stress() {
    let (report, runs) = mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..100 {
            let report = report.clone();
            s.spawn(move || {
                let t = after_func(2 * HOUR, probed(&report));
                assert!(t.stop());
            });
        }
    });
    drop(report);
    assert_eq!(runs.iter().sum::<usize>(), 0);
}

/// `stop` racing the timer thread on `after_func`s due any moment: true
/// exactly for the ones whose function never runs.
#[test]
fn timer_stop_races_fire() {
    let (report, runs) = mpsc::channel();
    let mut expected = 0;
    for i in 0..2000u64 {
        let t = after_func(Duration::from_nanos(i % 50 * 1000), probed(&report));
        for _ in 0..(i % 7) * 100 {
            std::hint::spin_loop();
        }
        if !t.stop() {
            expected += 1;
        }
    }
    drop(report);
    let ran: usize = runs.iter().sum();
    assert_eq!(ran, expected);
}

/// TestSleepZeroDeadlock: zero sleeps complete at once, in a loop with
/// channel operations, while another thread churns the heap.
#[test]
fn sleep_zero_deadlock() {
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                after_func(HOUR, || {}).stop();
            }
        })
    };
    let rt = runtime(2);
    rt.block_on(async {
        for _ in 0..100 {
            sleep(Duration::ZERO).await;
            let (tx, rx) = gort_chan::bounded(1);
            tx.send(true).await.unwrap();
            assert!(rx.recv().await.unwrap());
        }
    });
    stop.store(true, Ordering::SeqCst);
    churn.join().unwrap();
}

/// TestReset: resetting an unreceived timer returns true and moves its
/// deadline (the value is never earlier than the new deadline); resetting a
/// received one returns false.
#[test]
fn reset() {
    let d = MS;
    let t0 = Timer::new(2 * d);
    std::thread::sleep(d);
    let reset_at = Instant::now();
    assert!(t0.reset(3 * d), "resetting unfired timer returned false");
    let v = t0.c().recv_blocking().unwrap();
    assert_fired_in_time(v, reset_at, 3 * d);
    assert!(!t0.reset(50 * MS), "resetting expired timer returned true");
    // Even past its deadline, an unreceived value makes reset return true.
    std::thread::sleep(50 * MS);
    assert!(t0.reset(HOUR));
    assert!(t0.c().try_recv().is_err());
}

/// TestOverflowSleep: a duration too large for the clock never fires and
/// does not disturb other timers; a zero one fires at once.
#[test]
fn overflow_sleep() {
    let rt = runtime(2);
    rt.block_on(async {
        let big = after(Duration::MAX);
        let mut never = std::pin::pin!(sleep(Duration::MAX));
        let short = after(25 * MS);
        let fired = select! {
            recv(big) -> _ => "big",
            recv(short) -> _ => "short",
        };
        assert_eq!(fired, "short");
        assert!(big.try_recv().is_err());
        assert!(futures_poll(never.as_mut()).is_pending());
        after(Duration::ZERO).recv().await.unwrap();
        sleep(Duration::ZERO).await;
    });
}

fn futures_poll<F: std::future::Future>(f: std::pin::Pin<&mut F>) -> std::task::Poll<F::Output> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    f.poll(&mut cx)
}

/// TestZeroTimer (impl=chan, func, cache): zero-duration timers are never
/// missed.
#[test]
fn zero_timer() {
    for _ in 0..10_000 {
        let start = Instant::now();
        let v = Timer::new(Duration::ZERO).c().recv_blocking().unwrap();
        assert_fired_in_time(v, start, Duration::ZERO);
    }
    for _ in 0..2_000 {
        new_timer_func(Duration::ZERO).rx.recv_blocking().unwrap();
    }
    let cached = new_timer_func(HOUR);
    for _ in 0..2_000 {
        cached.timer.reset(Duration::ZERO);
        cached.rx.recv_blocking().unwrap();
    }
}

/// TestTimerModifiedEarlier: moving a timer earlier many times in a row
/// does not lose it.
#[test]
fn timer_modified_earlier() {
    for _ in 0..1000 {
        let timer = new_timer_func(HOUR);
        for _ in 0..10 {
            if !timer.timer.stop() {
                timer.rx.recv_blocking().unwrap();
            }
            timer.timer.reset(Duration::ZERO);
        }
        timer.rx.recv_blocking().unwrap();
    }
    // The same with channel timers.
    for _ in 0..1000 {
        let timer = Timer::new(HOUR);
        for _ in 0..10 {
            assert!(timer.stop(), "an unreceived channel timer always stops");
            timer.reset(Duration::ZERO);
        }
        timer.c().recv_blocking().unwrap();
    }
}

/// TestAdjustTimers: moving many timers earlier and later at random loses
/// none of them.
#[test]
fn adjust_timers() {
    let mut rng = fastrand::Rng::with_seed(47762);
    let mut timers: Vec<Option<FuncTimer>> = (0..100).map(|_| None).collect();
    let mut states = vec![0u32; timers.len()];
    let mut indices: Vec<usize> = (0..timers.len()).collect();
    rng.shuffle(&mut indices);
    while !indices.is_empty() {
        let ii = rng.usize(..indices.len());
        let i = indices[ii];
        let state = states[i];
        states[i] += 1;
        let timer = || timers[i].as_ref().unwrap();
        match state {
            0 => timers[i] = Some(new_timer_func(Duration::ZERO)),
            1 => {
                timer().rx.recv_blocking().unwrap(); // idle now
            }
            2 => assert!(
                !timer().timer.reset(60 * 1000 * MS),
                "shouldn't be active (1)"
            ),
            4 => assert!(
                !timer().timer.reset(180 * 1000 * MS),
                "shouldn't be active (3)"
            ),
            6 => assert!(
                !timer().timer.reset(120 * 1000 * MS),
                "shouldn't be active (2)"
            ),
            3 | 5 | 7 => {
                if !timer().timer.stop() {
                    timer().rx.recv_blocking().unwrap();
                }
            }
            8 => assert!(
                !timer().timer.reset(Duration::ZERO),
                "timer.Reset returned true"
            ),
            9 => {
                timer().rx.recv_blocking().unwrap();
            }
            _ => {
                indices.swap_remove(ii);
            }
        }
    }
}

/// Go's testStopResetResult (TestStopResult, TestResetResult; Go issue
/// 69312): two timers race, a select takes one and stops or resets the
/// other; that returns false only if the other's value can still be
/// received, and true only if it is never received.
fn stop_reset_result(stop: bool) {
    let stop_or_reset = move |t: &Timer| if stop { t.stop() } else { t.reset(HOUR) };
    let check = |other: &Timer| {
        if stop_or_reset(other) {
            assert!(
                other.c().try_recv().is_err(),
                "a value after stop/reset returned true"
            );
        } else {
            other.c().recv_blocking().unwrap();
        }
    };
    // Goroutines as threads, with the blocking select.
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..50 {
                    let t1 = Timer::new(MS);
                    let t2 = Timer::new(MS);
                    select_blocking! {
                        recv(t1.c()) -> _ => check(&t2),
                        recv(t2.c()) -> _ => check(&t1),
                    }
                }
            });
        }
    });
    // Goroutines as tasks, with the async select.
    let rt = runtime(2);
    rt.block_on(async {
        let tasks: Vec<_> = (0..200)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..10 {
                        let t1 = Timer::new(MS);
                        let t2 = Timer::new(MS);
                        let other = select! {
                            recv(t1.c()) -> _ => &t2,
                            recv(t2.c()) -> _ => &t1,
                        };
                        if stop_or_reset(other) {
                            assert!(other.c().try_recv().is_err());
                        } else {
                            other.c().recv().await.unwrap();
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
}

#[test]
fn stop_result() {
    stop_reset_result(true);
}

#[test]
fn reset_result() {
    stop_reset_result(false);
}

/// TestMultiWakeupTicker: many threads wake on one microsecond ticker,
/// racing a fresh `after` each time.
#[test]
fn multi_wakeup_ticker() {
    let ticker = Ticker::new(Duration::from_micros(1));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..2_000 {
                    let timeout = after(MS);
                    select_blocking! {
                        recv(ticker.c()) -> v => assert!(v.is_ok()),
                        recv(timeout) -> v => assert!(v.is_ok()),
                    }
                }
            });
        }
    });
}

/// TestMultiWakeupTimer: many threads poll and reset one nanosecond timer.
#[test]
fn multi_wakeup_timer() {
    let timer = Timer::new(Duration::from_nanos(1));
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..10_000 {
                    let _ = timer.c().try_recv();
                    timer.reset(Duration::from_nanos(1));
                }
            });
        }
    });
    // The last reset's value is still there to take, exactly once.
    wait_until(|| timer.c().try_recv().is_ok());
    assert!(timer.c().try_recv().is_err());
}
