//! loom models of the timer protocol (runtime/time.go's locks, `seq` and
//! `isSending`, the channel hooks), on a model clock that only
//! `gort_time::raw::advance` moves:
//! - `stop`/`reset` racing a lazy fire (`maybeRunChan` in a receive);
//! - `stop`/`reset` racing a fire from the heap for a receiver that blocks
//!   and gives up (`blockTimerChan`/`unblockTimerChan`), Go issue 69312;
//! - `Ticker::stop` racing a fire from the heap;
//! - block/unblock racing `maybeRunChan` and the heap: one value, once;
//! - a `Sleep` registering its waker while its timer fires;
//! - `stop`/`reset` racing the drop of a receive future that the heap had
//!   handed the value to (gort's give-back of an abandoned receive).
//!
//! Not covered here: the built-in timer thread and the `after_func` runner
//! threads (under loom there are none: models call `run_timers`, and
//! functions run inline), real time (loom has none; under loom a
//! `recv_timeout` expires at once, which is the racing case), tickers
//! beyond `stop` racing a fire, `Ticker::reset`, more
//! than three threads, and the heap's own order (unit tests cover it).
#![cfg(gort_loom)]

use gort_time::driver::run_timers;
use gort_time::raw::advance;
use gort_time::{Ticker, Timer, sleep};
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

const TICK: Duration = Duration::from_nanos(10);
const HOUR: Duration = Duration::from_secs(3600);

/// `stop` (or `reset`) racing a receive that runs the due timer lazily:
/// true exactly when the value is never received.
fn lazy_fire(stop: bool) {
    loom::model(move || {
        let timer = Arc::new(Timer::new(TICK));
        advance(TICK);
        let t = timer.clone();
        let receiver = thread::spawn(move || t.c().try_recv().is_ok());
        let result = if stop {
            timer.stop()
        } else {
            timer.reset(HOUR)
        };
        let got = receiver.join().unwrap();
        assert_eq!(result, !got);
        assert!(
            timer.c().try_recv().is_err(),
            "a stale value after stop/reset"
        );
    });
}

#[test]
fn stop_races_lazy_fire() {
    lazy_fire(true);
}

#[test]
fn reset_races_lazy_fire() {
    lazy_fire(false);
}

/// `stop` (or `reset`) racing the heap's fire of a timer whose receiver
/// blocked (putting it in the heap) and gave up (making it a zombie, or
/// not yet). The send may be in flight when `stop` runs (Go issue 69312):
/// `stop` must still return true exactly when the value is never received.
fn heap_fire(stop: bool) {
    loom::model(move || {
        let timer = Arc::new(Timer::new(TICK));
        let t = timer.clone();
        let receiver = thread::spawn(move || t.c().recv_timeout(HOUR).is_ok());
        let driver = thread::spawn(|| {
            advance(TICK);
            run_timers();
        });
        let result = if stop {
            timer.stop()
        } else {
            timer.reset(HOUR)
        };
        let got = receiver.join().unwrap();
        driver.join().unwrap();
        run_timers();
        assert!(
            timer.c().try_recv().is_err(),
            "a value after stop/reset returned"
        );
        assert_eq!(
            result, !got,
            "stop/reset returned {result}, received: {got}"
        );
    });
}

#[test]
fn stop_races_heap_fire() {
    heap_fire(true);
}

#[test]
fn reset_races_heap_fire() {
    heap_fire(false);
}

/// A ticker stopped while the heap fires it: no tick after `stop`
/// returns, neither the one in flight nor a later one.
#[test]
fn ticker_stop_races_heap_fire() {
    loom::model(|| {
        let ticker = Arc::new(Ticker::new(TICK));
        let t = ticker.clone();
        let receiver = thread::spawn(move || t.c().recv_timeout(HOUR).is_ok());
        let driver = thread::spawn(|| {
            advance(TICK);
            run_timers();
        });
        ticker.stop();
        receiver.join().unwrap();
        driver.join().unwrap();
        advance(TICK);
        run_timers();
        assert!(ticker.c().try_recv().is_err(), "a tick after stop returned");
    });
}

/// Two receivers, one blocking and giving up (block/unblock) and one
/// polling (maybeRunChan), against the heap run: the value is delivered
/// exactly once, to one of them or to a receive afterwards.
#[test]
fn block_unblock_race_maybe_run() {
    loom::model(|| {
        let timer = Arc::new(Timer::new(TICK));
        let t = timer.clone();
        let blocking = thread::spawn(move || t.c().recv_timeout(HOUR).is_ok());
        let t = timer.clone();
        let polling = thread::spawn(move || {
            advance(TICK);
            t.c().try_recv().is_ok()
        });
        run_timers();
        let mut got = usize::from(blocking.join().unwrap()) + usize::from(polling.join().unwrap());
        // Whatever is left: a zombie to sweep, or a lazy fire to run.
        run_timers();
        got += usize::from(timer.c().try_recv().is_ok());
        assert_eq!(got, 1, "the value was delivered {got} times");
        assert!(!timer.stop(), "the value was received");
    });
}

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flag_waker() -> (std::sync::Arc<Flag>, Waker) {
    let flag = std::sync::Arc::new(Flag(AtomicBool::new(false)));
    (flag.clone(), Waker::from(flag))
}

/// A `Sleep` re-polled with a new waker while its timer fires (the timer
/// may take the old waker just before the new one is registered): a poll
/// that returns `Pending` always gets its waker woken, and `Ready` only
/// comes once the deadline has passed. The final `run_timers` stands for
/// the driver's run after `Driver::wake` (a no-op under loom).
#[test]
fn sleep_wake_not_lost() {
    loom::model(|| {
        let mut s = pin!(sleep(TICK));
        let (_, old) = flag_waker();
        assert!(s.as_mut().poll(&mut Context::from_waker(&old)).is_pending());
        let driver = thread::spawn(|| {
            advance(TICK);
            run_timers();
        });
        let (flag, new) = flag_waker();
        let second = s.as_mut().poll(&mut Context::from_waker(&new));
        driver.join().unwrap();
        run_timers();
        if second.is_pending() {
            assert!(flag.0.load(Ordering::SeqCst), "lost wake-up");
        }
        assert!(s.as_mut().poll(&mut Context::from_waker(&new)).is_ready());
    });
}

/// A receive future was handed the timer's value by the heap and is dropped
/// (which may give the value back to the channel) while `stop` or `reset`
/// runs: once they return, the value of the earlier schedule is never
/// received, whatever they returned.
fn dropped_receive_races(stop: bool) {
    loom::model(move || {
        let timer = Arc::new(Timer::new(TICK));
        let mut recv = Box::pin(timer.c().recv());
        let (_, waker) = flag_waker();
        assert!(
            recv.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        advance(TICK);
        run_timers(); // hands the value to `recv`
        let t = timer.clone();
        let changer = thread::spawn(move || if stop { t.stop() } else { t.reset(HOUR) });
        drop(recv);
        let result = changer.join().unwrap();
        assert!(
            timer.c().try_recv().is_err(),
            "a value of the earlier schedule after stop/reset returned {result}"
        );
    });
}

#[test]
fn stop_races_a_dropped_receive_holding_the_value() {
    dropped_receive_races(true);
}

#[test]
fn reset_races_a_dropped_receive_holding_the_value() {
    dropped_receive_races(false);
}
