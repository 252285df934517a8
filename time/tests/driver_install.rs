//! An executor's own timer driver (the `driver` hook): installed before any
//! timer, it is told about earlier deadlines and runs the heap itself; the
//! built-in timer thread never starts. One test in this binary, since the
//! driver is process-wide.

use gort_time::driver::{self, Driver};
use gort_time::raw::timer_threads;
use gort_time::{Timer, after, after_func, sleep};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

/// A minimal event loop: one thread that runs the timers and sleeps until
/// the next deadline or a wake-up.
struct Loop {
    woken: Mutex<bool>,
    cv: Condvar,
    wakes: AtomicUsize,
}

static LOOP: Loop = Loop {
    woken: Mutex::new(false),
    cv: Condvar::new(),
    wakes: AtomicUsize::new(0),
};
static STOP: AtomicBool = AtomicBool::new(false);

struct LoopDriver;

impl Driver for LoopDriver {
    fn wake(&self, _deadline: Instant) {
        LOOP.wakes.fetch_add(1, Ordering::SeqCst);
        *LOOP.woken.lock().unwrap() = true;
        LOOP.cv.notify_one();
    }
}

fn event_loop() {
    while !STOP.load(Ordering::SeqCst) {
        let next = driver::run_timers();
        let mut woken = LOOP.woken.lock().unwrap();
        while !*woken {
            match next {
                None => woken = LOOP.cv.wait(woken).unwrap(),
                Some(at) => {
                    let now = Instant::now();
                    if now >= at {
                        break;
                    }
                    woken = LOOP.cv.wait_timeout(woken, at - now).unwrap().0;
                }
            }
        }
        *woken = false;
    }
}

#[test]
fn installed_driver_runs_the_timers() {
    driver::install(Box::new(LoopDriver)).unwrap();
    assert!(
        driver::install(Box::new(LoopDriver)).is_err(),
        "one driver per process"
    );
    let looper = std::thread::spawn(event_loop);

    // Channel timers with blocked receivers, sleeps, after_func.
    let start = Instant::now();
    let d = Duration::from_millis(3);
    assert!(after(d).recv_blocking().unwrap() >= start + d);
    let (tx, rx) = mpsc::channel();
    let _f = after_func(d, move || tx.send(Instant::now()).unwrap());
    assert!(rx.recv().unwrap() >= start + d);
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let s = Instant::now();
            sleep(d).await;
            assert!(Instant::now() >= s + d);
        });
    let t = Arc::new(Timer::new(Duration::from_secs(3600)));
    let waiter = {
        let t = t.clone();
        std::thread::spawn(move || t.c().recv_blocking().unwrap())
    };
    while gort_time::raw::timer_blocked(&t) == 0 {
        std::thread::yield_now();
    }
    let reset_at = Instant::now();
    assert!(
        t.reset(d),
        "moved earlier while in the heap: the driver is woken"
    );
    assert!(waiter.join().unwrap() >= reset_at + d);

    assert!(
        LOOP.wakes.load(Ordering::SeqCst) > 0,
        "the driver was told of deadlines"
    );
    assert_eq!(
        timer_threads(),
        0,
        "the built-in timer thread never started"
    );
    STOP.store(true, Ordering::SeqCst);
    LoopDriver.wake(Instant::now());
    looper.join().unwrap();
}
