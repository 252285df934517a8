//! Go's time/tick_test.go (go1.23) re-expressed, with the go1.23
//! synchronous-channel semantics of TestChan checked exactly: where Go
//! sleeps to let a goroutine block, these tests wait until the timer
//! counts the blocked receiver (a test hook), and where Go sleeps to let a
//! deadline pass, that sleep only makes the tested case happen: the
//! assertions hold whatever the timing.

mod common;

use common::{HOUR, MS, assert_fired_in_time, wait_until};
use gort_chan::RecvOnly;
use gort_select::select_blocking;
use gort_time::raw::{ticker_blocked, timer_blocked};
use gort_time::{Ticker, Timer, after, tick};
use std::time::{Duration, Instant};

/// TestTicker: ticks come a period apart (never closer), a reset changes
/// the period from the reset on, and a stopped ticker delivers nothing.
#[test]
fn ticker() {
    let (count, delta) = (10, 20 * MS);
    let t0 = Instant::now();
    let ticker = Ticker::new(delta);
    let mut last = t0;
    for _ in 0..count / 2 {
        let t = ticker.c().recv_blocking().unwrap();
        assert_fired_in_time(t, last, delta);
        last = t;
    }
    let reset_at = Instant::now();
    ticker.reset(delta * 2);
    last = reset_at;
    for _ in 0..count - count / 2 {
        let t = ticker.c().recv_blocking().unwrap();
        assert_fired_in_time(t, last, delta * 2);
        last = t;
    }
    ticker.stop();
    assert!(t0.elapsed() >= 3 * delta * (count / 2));
    std::thread::sleep(2 * delta);
    assert!(ticker.c().try_recv().is_err(), "Ticker did not shut down");
}

/// TestTeardown: tearing tickers down does not deadlock.
#[test]
fn teardown() {
    for _ in 0..3 {
        let ticker = Ticker::new(20 * MS);
        ticker.c().recv_blocking().unwrap();
        ticker.stop();
    }
}

/// TestTick: `tick` of zero is a channel that never delivers (Go: nil).
#[test]
fn tick_zero_is_never() {
    let c = tick(Duration::ZERO);
    assert!(c.same_channel(&gort_chan::never().into()));
    assert!(c.try_recv().is_err());
}

/// TestNewTickerLtZeroDuration.
#[test]
#[should_panic(expected = "non-positive interval for NewTicker")]
fn new_ticker_zero_duration_panics() {
    Ticker::new(Duration::ZERO);
}

/// TestTickerResetLtZeroDuration.
#[test]
#[should_panic(expected = "non-positive interval for Ticker.Reset")]
fn ticker_reset_zero_duration_panics() {
    Ticker::new(Duration::from_secs(1)).reset(Duration::ZERO);
}

/// TestManualTicker / TestTickerStopWithDirectInitialization: Rust cannot
/// build a `Ticker` around a foreign channel; the nearest misuse, stopping
/// a ticker again and again (also after its receivers are gone), is
/// harmless.
#[test]
fn ticker_stop_is_idempotent() {
    let ticker = Ticker::new(MS);
    ticker.stop();
    ticker.stop();
    let c = ticker.c().clone();
    drop(c);
    ticker.stop();
    assert!(ticker.c().try_recv().is_err());
}

/// Makes a timer channel of 10ms with `make`, receives from it 50ms later,
/// and checks that the value is still the deadline: within the window in
/// which the channel was made, shifted by 10ms.
fn received_late(make: fn(Duration) -> RecvOnly<Instant>) -> (Instant, RecvOnly<Instant>) {
    let d = 10 * MS;
    let before = Instant::now();
    let c = make(d);
    let made = Instant::now();
    std::thread::sleep(50 * MS);
    let v = c.recv_blocking().unwrap();
    assert!(
        v >= before + d && v <= made + d,
        "the value is not the deadline"
    );
    (v, c)
}

/// TestAfterTimes: a value received long after the deadline is still the
/// deadline (Go subtracts the delay of the lazy send).
#[test]
fn after_times() {
    received_late(after);
}

/// TestTickTimes: the same for a ticker: the first tick is due a period
/// after creation, however late it is received.
#[test]
fn tick_times() {
    let d = 10 * MS;
    let (v, c) = received_late(tick);
    // The next tick stays on the grid, a whole number of periods later.
    let next = c.recv_blocking().unwrap();
    let periods = (next - v).as_nanos() / d.as_nanos();
    assert!(periods >= 1);
    assert_eq!(
        (next - v).as_nanos() % d.as_nanos(),
        0,
        "ticks off the grid"
    );
}

/// Timer and Ticker behind one interface (Go's `timer` interface in
/// tick_test.go, with `tickerTimer` giving the ticker bool results).
trait TimerLike: Sync {
    fn stop(&self) -> bool;
    fn reset(&self, d: Duration) -> bool;
    fn c(&self) -> &RecvOnly<Instant>;
    fn blocked(&self) -> u32;
    fn is_ticker(&self) -> bool;
}

impl TimerLike for Timer {
    fn stop(&self) -> bool {
        Timer::stop(self)
    }
    fn reset(&self, d: Duration) -> bool {
        Timer::reset(self, d)
    }
    fn c(&self) -> &RecvOnly<Instant> {
        Timer::c(self)
    }
    fn blocked(&self) -> u32 {
        timer_blocked(self)
    }
    fn is_ticker(&self) -> bool {
        false
    }
}

/// Go's `tickerTimer`.
struct TickerTimer {
    ticker: Ticker,
    stopped: std::sync::Mutex<bool>,
}

impl TimerLike for TickerTimer {
    fn stop(&self) -> bool {
        let pending = !std::mem::replace(&mut *self.stopped.lock().unwrap(), true);
        self.ticker.stop();
        pending
    }
    fn reset(&self, d: Duration) -> bool {
        let pending = !std::mem::replace(&mut *self.stopped.lock().unwrap(), false);
        self.ticker.reset(d);
        pending
    }
    fn c(&self) -> &RecvOnly<Instant> {
        self.ticker.c()
    }
    fn blocked(&self) -> u32 {
        ticker_blocked(&self.ticker)
    }
    fn is_ticker(&self) -> bool {
        true
    }
}

const ONE: Duration = Duration::from_nanos(1);

/// Go's `testTimerChan` with `synctimerchan == true`.
fn test_timer_chan(tim: &dyn TimerLike) {
    let c = tim.c();
    let no_tick = || assert!(c.try_recv().is_err(), "extra tick");
    let assert_tick = || {
        c.recv_blocking().unwrap();
    };
    // Synchronous timer channels always look unbuffered.
    assert_eq!((c.len(), c.capacity()), (0, 0));

    // Simple stop; timer never in heap.
    tim.stop();
    no_tick();

    // Modify of a timer not in the heap.
    tim.reset(10_000 * 1000 * MS);
    no_tick();

    // Modify, then a due tick.
    tim.reset(ONE);
    std::thread::sleep(10 * MS);
    assert_eq!((c.len(), c.capacity()), (0, 0));
    assert_tick();

    // A due tick is not delivered after a reset.
    std::thread::sleep(10 * MS);
    tim.reset(10_000 * 1000 * MS);
    no_tick();

    // Stop while in the heap (because a receiver is blocked on it).
    tim.reset(10_000 * 1000 * MS);
    std::thread::scope(|s| {
        let waiter = s.spawn(|| c.recv_blocking().unwrap());
        wait_until(|| tim.blocked() == 1);
        assert!(!waiter.is_finished());
        // Reset far away while in the heap.
        tim.reset(20_000 * 1000 * MS);
        assert!(!waiter.is_finished());
        // Imminent reset while in the heap.
        tim.reset(ONE);
        waiter.join().unwrap();
    });
    // A ticker ticks again (1ns later); a timer has stopped.
    if tim.is_ticker() {
        assert_tick();
    } else {
        no_tick();
    }
    tim.stop();
    no_tick();

    // Again with selects, and two receivers waiting.
    tim.reset(10_000 * 1000 * MS);
    let (stop_tx, stop_rx) = gort_chan::bounded::<()>(0);
    let got = std::thread::scope(|s| {
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let stop_rx = stop_rx.clone();
                s.spawn(move || {
                    select_blocking! {
                        recv(c) -> v => v.is_ok(),
                        recv(stop_rx) -> _ => false,
                    }
                })
            })
            .collect();
        wait_until(|| tim.blocked() == 2);
        tim.reset(5 * MS);
        // One receiver gets the tick; then stop, and release the other.
        wait_until(|| waiters.iter().any(|w| w.is_finished()));
        tim.stop();
        drop(stop_tx);
        waiters
            .into_iter()
            .map(|w| w.join().unwrap())
            .filter(|&got| got)
            .count()
    });
    if tim.is_ticker() {
        assert!((1..=2).contains(&got));
    } else {
        assert_eq!(got, 1);
    }
    no_tick();

    // Blocked receivers of a stopped timer get nothing.
    let (stop_tx, stop_rx) = gort_chan::bounded::<()>(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            let stop_rx = stop_rx.clone();
            s.spawn(move || {
                select_blocking! {
                    recv(c) -> _ => panic!("unexpected data"),
                    recv(stop_rx) -> _ => {},
                }
            });
        }
        wait_until(|| tim.blocked() == 2);
        drop(stop_tx);
    });
    assert_eq!(tim.blocked(), 0);

    // Stop and Reset block old values from being received (go.dev/issue/37196).
    tim.reset(ONE);
    std::thread::sleep(10 * MS);
    assert!(tim.stop(), "tim.Stop() = false, want true");
    no_tick();

    tim.reset(HOUR);
    no_tick();
    assert!(tim.reset(ONE), "tim.Reset() = false, want true");
    assert_tick();
    std::thread::sleep(10 * MS);
    if tim.is_ticker() {
        assert_tick();
        std::thread::sleep(10 * MS);
    } else {
        no_tick();
    }
    assert_eq!(tim.reset(HOUR), tim.is_ticker());
    no_tick();
}

/// TestChan (asynctimerchan=0, go1.23's default) for a Timer.
#[test]
fn chan_timer() {
    test_timer_chan(&Timer::new(10_000 * 1000 * MS));
}

/// TestChan (asynctimerchan=0) for a Ticker.
#[test]
fn chan_ticker() {
    test_timer_chan(&TickerTimer {
        ticker: Ticker::new(10_000 * 1000 * MS),
        stopped: Default::default(),
    });
}

/// A ticker whose receiver is too slow drops ticks: after missing twenty
/// periods, the receiver gets at most two ticks from the backlog (the one
/// buffered and one run late), not twenty, and every tick stays on the grid.
#[test]
fn slow_receiver_drops_ticks() {
    let period = MS;
    let ticker = Ticker::new(period);
    let first = ticker.c().recv_blocking().unwrap();
    std::thread::sleep(20 * period);
    let woke = Instant::now();
    let mut backlog = 0;
    let mut last = first;
    loop {
        let t = ticker.c().recv_blocking().unwrap();
        assert!(t > last, "ticks are increasing");
        assert_eq!(
            (t - first).as_nanos() % period.as_nanos(),
            0,
            "tick off the grid"
        );
        last = t;
        if t > woke {
            break;
        }
        backlog += 1;
    }
    assert!(backlog <= 2, "{backlog} missed ticks were queued");
}
