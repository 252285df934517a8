//! Timers on a gort runtime: each P owns a timer heap (Go: `p.timers`),
//! run by its scheduler (`checkTimers`), by other Ps' Ms when they steal
//! (`stealWork`), and by an idle M asleep in the poller until the earliest
//! timer (`netpoll(delay)`, woken by `wakeNetPoller`). A P that `set_procs`
//! destroys hands its timers over (`timers.take`); a runtime that shuts down
//! hands them to gort-time's timer thread.
//!
//! Go's time tests re-expressed as tasks, at procs = 1 and 2. Tests wait on
//! events only (a watchdog bounds each); none asserts a duration, only that
//! nothing fires early and everything fires.
#![cfg(not(gort_loom))]

mod watchdog;
use watchdog::watchdog;

use gort_executor::Runtime;
use gort_select::select;
use gort_time::{Ticker, Timer, after, after_func, sleep};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::*};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

fn runtime(procs: usize) -> Runtime {
    Runtime::builder().procs(procs).build().unwrap()
}

/// Runs `f` on a runtime of one P, then on one of two, each under the
/// watchdog (Go's time tests run at several `GOMAXPROCS`).
fn at_procs_1_and_2(name: &'static str, f: impl Fn(Runtime, usize) + Clone + Send + 'static) {
    for procs in [1, 2] {
        let f = f.clone();
        watchdog(name, move || f(runtime(procs), procs));
    }
}

/// Waits (yielding the thread) until the runtime's Ps hold `n` timers.
fn wait_for_p_timers(rt: &Runtime, n: usize) {
    while rt.metrics().timers.iter().sum::<usize>() < n {
        std::thread::yield_now();
    }
}

/// Timers that tasks schedule go to their P's heap (not the process heap),
/// and fire from there. Go: `TestSleep`, `TestAfter` in goroutines.
#[test]
fn task_timers_live_on_p_heaps() {
    at_procs_1_and_2("task_timers_live_on_p_heaps", |rt, _| {
        let (release_tx, release_rx) = gort_chan::bounded::<()>(0);
        let mut blocked = Vec::new();
        for _ in 0..20 {
            let release_rx = release_rx.clone();
            blocked.push(rt.spawn(async move {
                let long = Timer::new(Duration::from_secs(3600));
                select! {
                    recv(long.c()) -> _ => unreachable!("an hour-long timer fired"),
                    recv(release_rx) -> _ => {}
                }
            }));
        }
        // Each waiting receiver put its timer in a P's heap.
        wait_for_p_timers(&rt, 20);
        release_tx.close();
        for h in blocked {
            h.join_blocking().unwrap();
        }

        let sleepers: Vec<_> = (0..50u64)
            .map(|i| {
                rt.spawn(async move {
                    let d = Duration::from_micros(100 + 97 * i);
                    let start = Instant::now();
                    sleep(d).await;
                    assert!(start.elapsed() >= d, "a sleep ended early");
                    let start = Instant::now();
                    let fired = after(d).recv().await.unwrap();
                    assert!(fired >= start + d, "a timer fired early");
                })
            })
            .collect();
        for h in sleepers {
            h.join_blocking().unwrap();
        }
    });
}

/// Go's `TestTicker` and `TestAfterFuncStarvation` idea in tasks: ticks
/// arrive on the period's grid, never early, while other tasks keep the Ps
/// busy; `after_func` runs.
#[test]
fn tickers_and_after_func_in_tasks() {
    at_procs_1_and_2("tickers_and_after_func_in_tasks", |rt, procs| {
        let stop = Arc::new(AtomicBool::new(false));
        let busy: Vec<_> = (0..procs)
            .map(|_| {
                let stop = stop.clone();
                rt.spawn(async move {
                    while !stop.load(Relaxed) {
                        gort_executor::yield_now().await;
                    }
                })
            })
            .collect();
        let stop2 = stop.clone();
        rt.block_on(async move {
            let period = Duration::from_millis(2);
            let start = Instant::now();
            let ticker = Ticker::new(period);
            let mut last = start;
            for i in 1..=10u32 {
                let t = ticker.c().recv().await.unwrap();
                assert!(t >= start + period * i, "tick {i} early");
                assert!(t >= last, "ticks out of order");
                last = t;
            }
            ticker.stop();
            let ran = Arc::new(AtomicUsize::new(0));
            let (tx, rx) = gort_chan::bounded(1);
            let ran2 = ran.clone();
            let _t = after_func(Duration::from_millis(1), move || {
                ran2.fetch_add(1, SeqCst);
                let _ = tx.try_send(());
            });
            rx.recv().await.unwrap();
            assert_eq!(ran.load(SeqCst), 1);
            stop2.store(true, Relaxed);
        });
        for h in busy {
            h.join_blocking().unwrap();
        }
    });
}

/// go1.23's `TestStopResult`/`TestResetResult` in a task: `stop` and
/// `reset` report true while the value has not been received, even past
/// the deadline, and no stale value arrives afterwards.
#[test]
fn stop_and_reset_results_in_tasks() {
    at_procs_1_and_2("stop_and_reset_results_in_tasks", |rt, _| {
        rt.spawn(async {
            for _ in 0..20 {
                let t = Timer::new(Duration::from_micros(200));
                sleep(Duration::from_millis(1)).await;
                assert!(t.stop(), "stop after the deadline, value not received");
                assert!(t.c().try_recv().is_err(), "a value after stop");
                assert!(!t.reset(Duration::from_micros(100)));
                let got = t.c().recv().await.unwrap();
                assert!(!t.stop(), "stop after the value was received");
                assert!(got <= Instant::now());
            }
        })
        .join_blocking()
        .unwrap();
    });
}

/// A task that schedules a timer and then never returns from its poll
/// (a CPU loop waiting for that timer's effect) must not keep the timer
/// from firing: sysmon retakes its P (Go: `retake`, `handoffp`), and
/// another M runs the P's timers (by acquiring the idle P, or stealing
/// them: `stealWork`), after sleeping in the poller until they are due.
#[test]
fn timers_of_a_stuck_m_fire_elsewhere() {
    at_procs_1_and_2("timers_of_a_stuck_m_fire_elsewhere", |rt, _| {
        let h = rt.spawn(async {
            let fired = Arc::new(AtomicBool::new(false));
            let f = fired.clone();
            let _t = after_func(Duration::from_millis(2), move || f.store(true, Release));
            while !fired.load(Acquire) {
                std::hint::spin_loop();
            }
        });
        h.join_blocking().unwrap();
    });
}

/// Go's `procresize` → `destroy` → `timers.take`: shrinking the P count
/// moves the destroyed Ps' timers to a surviving P; resetting them from
/// another thread then makes them fire from there.
#[test]
fn set_procs_moves_timers() {
    watchdog("set_procs_moves_timers", || {
        let rt = runtime(4);
        let timers: Vec<_> = (0..16)
            .map(|_| Arc::new(Timer::new(Duration::from_secs(3600))))
            .collect();
        let waiters: Vec<_> = timers
            .iter()
            .map(|t| {
                let t = t.clone();
                rt.spawn(async move { t.c().recv().await.unwrap() })
            })
            .collect();
        wait_for_p_timers(&rt, 16);
        assert_eq!(rt.handle().set_procs(1), 4);
        let m = rt.metrics();
        assert_eq!(m.timers.len(), 1);
        assert_eq!(m.timers[0], 16, "every live timer moved to P 0");
        let start = Instant::now();
        for t in &timers {
            assert!(
                t.reset(Duration::from_millis(1)),
                "a moved timer lost its schedule"
            );
        }
        for h in waiters {
            let fired = h.join_blocking().unwrap();
            assert!(fired >= start, "a moved timer fired on its old schedule");
        }
    });
}

/// Dropping the runtime hands its Ps' timers to gort-time's timer thread:
/// an `after_func` scheduled by a task still runs.
#[test]
fn dropped_runtime_keeps_timers() {
    watchdog("dropped_runtime_keeps_timers", || {
        let rt = runtime(2);
        let (tx, rx) = mpsc::channel();
        let timer = rt
            .spawn(async move {
                after_func(Duration::from_millis(20), move || {
                    let _ = tx.send(());
                })
            })
            .join_blocking()
            .unwrap();
        drop(rt);
        rx.recv().expect("the after_func never ran");
        drop(timer);
    });
}

/// Go's `TestTimerFairness2`: two tasks ping-pong through a select that
/// also has a timer arm, with a (non-blocking) system call each round; the
/// timers must still fire although the two keep each other runnable
/// through `runnext` (the scheduler runs its P's timers each round,
/// `checkTimers`, and sysmon's preemption ends the shared time slice).
#[test]
fn timer_fairness_2() {
    at_procs_1_and_2("timer_fairness_2", |rt, _| {
        let (c_tx, c_rx) = gort_chan::bounded::<bool>(0);
        let (done_tx, done_rx) = gort_chan::bounded::<bool>(0);
        for _ in 0..2 {
            let (c_tx, c_rx, done_tx) = (c_tx.clone(), c_rx.clone(), done_tx.clone());
            rt.spawn(async move {
                let timer = after(Duration::from_millis(20));
                loop {
                    gort_executor::blocking(|| ());
                    select! {
                        send(c_tx, true) -> _ => {},
                        recv(c_rx) -> _ => {},
                        recv(timer) -> _ => {
                            done_tx.send(true).await.unwrap();
                            return;
                        }
                    }
                }
            });
        }
        rt.block_on(async move {
            done_rx.recv().await.unwrap();
            done_rx.recv().await.unwrap();
        });
    });
}

/// Moving a destroyed P's timers happens under the scheduler lock; a
/// stopped `after_func` timer among them is dropped there, and its closure
/// (user code) may use the runtime. It must not be dropped under the lock
/// (a spawn from its `Drop` would deadlock): it goes to a runner thread.
#[test]
fn set_procs_drops_no_user_code_under_the_scheduler_lock() {
    struct SpawnOnDrop(gort_executor::Handle, Arc<AtomicUsize>);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            drop(self.0.spawn(async {}));
            self.1.fetch_add(1, SeqCst);
        }
    }
    watchdog(
        "set_procs_drops_no_user_code_under_the_scheduler_lock",
        || {
            let rt = runtime(4);
            let dropped = Arc::new(AtomicUsize::new(0));
            let mut live = Vec::new();
            // Until a P other than P 0 holds such a zombie (which P a task runs
            // on is the scheduler's choice).
            while rt.metrics().timers[1..].iter().sum::<usize>() == 0 {
                let (h, d) = (rt.handle(), dropped.clone());
                let kept = rt
                    .spawn(async move {
                        // Eight live timers keep the stopped one from being
                        // swept at once (zombies above a quarter of the heap).
                        let kept: Vec<_> = (0..8)
                            .map(|_| after_func(Duration::from_secs(3600), || {}))
                            .collect();
                        let guard = SpawnOnDrop(h, d);
                        let t = after_func(Duration::from_secs(3600), move || {
                            let _ = &guard;
                        });
                        t.stop();
                        kept
                    })
                    .join_blocking()
                    .unwrap();
                live.push(kept);
            }
            rt.handle().set_procs(1);
            while dropped.load(SeqCst) == 0 {
                std::thread::yield_now();
            }
            drop(live);
        },
    );
}
