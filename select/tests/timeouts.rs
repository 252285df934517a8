//! Timeouts: `default(d)` arms (no timer channel) and receive arms on
//! `gort_time::after(d)`, for threads and tasks. A timeout never fires
//! early; these tests check only that lower bound (an upper bound would be a
//! timed assertion).
#![cfg(not(gort_loom))]

use gort_chan::bounded;
use gort_select::{select, select_blocking};
use std::time::{Duration, Instant};

const D: Duration = Duration::from_millis(20);

#[test]
fn blocking_default_timeout_never_fires_early() {
    let (_tx, rx) = bounded::<u32>(0);
    let start = Instant::now();
    let got = select_blocking! {
        recv(rx) -> _ => "value",
        default(D) => "timeout",
    };
    assert_eq!(got, "timeout");
    assert!(start.elapsed() >= D);
    // With no arms at all.
    let start = Instant::now();
    select_blocking! { default(D) => {} }
    assert!(start.elapsed() >= D);
}

#[test]
fn async_default_timeout_never_fires_early() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (_tx, rx) = bounded::<u32>(0);
        let start = Instant::now();
        let got = select! {
            recv(rx) -> _ => "value",
            default(D) => "timeout",
        };
        assert_eq!(got, "timeout");
        assert!(start.elapsed() >= D);
        let start = Instant::now();
        select! { default(D) => {} }
        assert!(start.elapsed() >= D);
        // A never() arm does not hold the timeout back.
        let nil = gort_chan::never::<u32>();
        let start = Instant::now();
        select! { recv(nil) -> _ => unreachable!(), default(D) => {} }
        assert!(start.elapsed() >= D);
    });
}

#[test]
fn a_value_beats_a_long_timeout() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (tx, rx) = bounded::<u32>(0);
    let h = std::thread::spawn(move || tx.send_blocking(9));
    let got = select_blocking! {
        recv(rx) -> v => v.ok(),
        default(Duration::from_secs(3600)) => None,
    };
    assert_eq!(got, Some(9));
    h.join().unwrap().unwrap();
    let (tx, rx) = bounded::<u32>(0);
    rt.block_on(async move {
        let h = tokio::spawn(async move { tx.send(10).await });
        let got = select! {
            recv(rx) -> v => v.ok(),
            default(Duration::from_secs(3600)) => None,
        };
        assert_eq!(got, Some(10));
        h.await.unwrap().unwrap();
    });
}

/// Go's idiom: `case <-time.After(d)`.
#[test]
fn timeout_through_after() {
    let (_tx, rx) = bounded::<u32>(0);
    let start = Instant::now();
    let timer = gort_time::after(D);
    let got = select_blocking! {
        recv(rx) -> _ => None,
        recv(timer) -> t => Some(t.unwrap()),
    };
    let fired = got.expect("the timer arm");
    assert!(fired >= start + D, "a timer value is never early");
    assert!(start.elapsed() >= D);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let (_tx, rx) = bounded::<u32>(0);
        let start = Instant::now();
        let timer = gort_time::after(D);
        let got = select! {
            recv(rx) -> _ => None,
            recv(timer) -> t => Some(t.unwrap()),
        };
        assert!(got.expect("the timer arm") >= start + D);
    });
}

/// A timed-out async select with a timer arm leaves the timer clean: the
/// timer's value is still delivered later, to a plain receive.
#[test]
fn dropped_select_on_a_timer_channel_leaves_it_usable() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let start = Instant::now();
        let timer = gort_time::Timer::new(D);
        let got = select! {
            recv(timer.c()) -> _ => "timer",
            default(Duration::from_millis(1)) => "timeout",
        };
        assert_eq!(got, "timeout");
        let t = timer.c().recv().await.unwrap();
        assert!(t >= start + D);
    });
}
