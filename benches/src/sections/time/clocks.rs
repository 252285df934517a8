//! The timer operations Go's time benchmarks use, for gort-time and for
//! tokio::time (the async ecosystem's timers), behind one trait so each
//! workload is written once.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::Duration;

/// One timer implementation. All calls happen inside a tokio runtime's task
/// (tokio's timers need its context; gort's do not care).
pub trait Clock: 'static {
    /// The row's name in the report.
    const NAME: &'static str;
    /// A stoppable, resettable timer (Go: `*time.Timer` from `NewTimer`).
    type Timer: Send;
    /// A function timer (Go: `*time.Timer` from `AfterFunc`).
    type Func: Send;
    /// A ticker (Go: `*time.Ticker`).
    type Ticker: Send;

    /// Starts a timer of `d` (Go: `NewTimer(d)`).
    fn new_timer(d: Duration) -> Self::Timer;
    /// Stops it (Go: `t.Stop()`).
    fn stop_timer(t: Self::Timer);
    /// Moves it to `d` from now (Go: `t.Reset(d)`).
    fn reset_timer(t: &mut Self::Timer, d: Duration);
    /// Waits for a fresh timer of `d` (Go: `<-After(d)`).
    fn after(d: Duration) -> impl Future<Output = ()> + Send;
    /// Calls `f` after `d`, on its own (Go: `AfterFunc(d, f)`).
    fn after_func(d: Duration, f: impl FnOnce() + Send + 'static) -> Self::Func;
    /// Cancels the call (Go: `t.Stop()` on an `AfterFunc` timer).
    fn stop_func(f: Self::Func);
    /// Sleeps `d` (Go: `Sleep(d)` in a goroutine).
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send;
    /// A ticker of period `d` (Go: `NewTicker(d)`).
    fn new_ticker(d: Duration) -> Self::Ticker;
    /// Waits for its next tick (Go: `<-ticker.C`).
    fn tick(t: &mut Self::Ticker) -> impl Future<Output = ()> + Send;
    /// Restarts it with period `d` (Go: `ticker.Reset(d)`).
    fn reset_ticker(t: &mut Self::Ticker, d: Duration);
    /// Stops it (Go: `ticker.Stop()`).
    fn stop_ticker(t: Self::Ticker);

    /// A timer in the timer structure for an hour (Go's garbage timers).
    type Garbage: Send;
    /// Makes one (Go: `AfterFunc(Hour, nil)`).
    fn garbage() -> Self::Garbage;
    /// Stops it.
    fn clear_garbage(g: Self::Garbage);
}

const HOUR: Duration = Duration::from_secs(3600);

/// gort-time.
#[derive(Debug)]
pub struct Gort;

impl Clock for Gort {
    const NAME: &'static str = "gort";
    type Timer = gort_time::Timer;
    type Func = gort_time::Timer;
    type Ticker = gort_time::Ticker;

    fn new_timer(d: Duration) -> Self::Timer {
        gort_time::Timer::new(d)
    }
    fn stop_timer(t: Self::Timer) {
        t.stop();
    }
    fn reset_timer(t: &mut Self::Timer, d: Duration) {
        t.reset(d);
    }
    async fn after(d: Duration) {
        gort_time::after(d).recv().await.unwrap();
    }
    fn after_func(d: Duration, f: impl FnOnce() + Send + 'static) -> Self::Func {
        let mut f = Some(f);
        gort_time::after_func(d, move || {
            if let Some(f) = f.take() {
                f()
            }
        })
    }
    fn stop_func(f: Self::Func) {
        f.stop();
    }
    async fn sleep(d: Duration) {
        gort_time::sleep(d).await
    }
    fn new_ticker(d: Duration) -> Self::Ticker {
        gort_time::Ticker::new(d)
    }
    async fn tick(t: &mut Self::Ticker) {
        t.c().recv().await.unwrap();
    }
    fn reset_ticker(t: &mut Self::Ticker, d: Duration) {
        t.reset(d);
    }
    fn stop_ticker(t: Self::Ticker) {
        t.stop();
    }
    type Garbage = gort_time::Timer;
    fn garbage() -> Self::Garbage {
        gort_time::after_func(HOUR, || {})
    }
    fn clear_garbage(g: Self::Garbage) {
        g.stop();
    }
}

/// tokio::time: a `Sleep` stands for a timer (polled once, so it is in the
/// timer wheel; dropping it stops it), a spawned task that sleeps for an
/// `AfterFunc`, an `Interval` that skips missed ticks (as Go's tickers do)
/// for a ticker.
#[derive(Debug)]
pub struct Tokio;

/// A registered tokio `Sleep`.
pub fn armed_sleep(d: Duration) -> Pin<Box<tokio::time::Sleep>> {
    let mut s = Box::pin(tokio::time::sleep(d));
    let _ = s.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    s
}

impl Clock for Tokio {
    const NAME: &'static str = "tokio";
    type Timer = Pin<Box<tokio::time::Sleep>>;
    type Func = tokio::task::JoinHandle<()>;
    type Ticker = tokio::time::Interval;

    fn new_timer(d: Duration) -> Self::Timer {
        armed_sleep(d)
    }
    fn stop_timer(t: Self::Timer) {
        drop(t);
    }
    fn reset_timer(t: &mut Self::Timer, d: Duration) {
        t.as_mut().reset(tokio::time::Instant::now() + d);
    }
    async fn after(d: Duration) {
        tokio::time::sleep(d).await
    }
    fn after_func(d: Duration, f: impl FnOnce() + Send + 'static) -> Self::Func {
        tokio::spawn(async move {
            tokio::time::sleep(d).await;
            f()
        })
    }
    fn stop_func(f: Self::Func) {
        f.abort();
    }
    async fn sleep(d: Duration) {
        tokio::time::sleep(d).await
    }
    fn new_ticker(d: Duration) -> Self::Ticker {
        let start = tokio::time::Instant::now() + d;
        let mut t = tokio::time::interval_at(start, d);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        t
    }
    async fn tick(t: &mut Self::Ticker) {
        t.tick().await;
    }
    fn reset_ticker(t: &mut Self::Ticker, d: Duration) {
        let mut fresh = Self::new_ticker(d);
        std::mem::swap(t, &mut fresh);
    }
    fn stop_ticker(t: Self::Ticker) {
        drop(t);
    }
    type Garbage = Pin<Box<tokio::time::Sleep>>;
    fn garbage() -> Self::Garbage {
        armed_sleep(HOUR)
    }
    fn clear_garbage(g: Self::Garbage) {
        drop(g);
    }
}

/// Go's `benchmark` helper makes 1<<15 `AfterFunc(Hour, nil)` per P before
/// timing, so that every benchmark runs against a big timer heap, and stops
/// them afterwards.
pub struct Garbage<C: Clock>(Vec<C::Garbage>);

impl<C: Clock> Garbage<C> {
    /// `count` hour-long timers.
    pub fn make(count: usize) -> Self {
        Garbage((0..count).map(|_| C::garbage()).collect())
    }

    /// Stops them all.
    pub fn clear(self) {
        self.0.into_iter().for_each(C::clear_garbage);
    }
}

impl<C: Clock> std::fmt::Debug for Garbage<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Garbage({})", self.0.len())
    }
}
