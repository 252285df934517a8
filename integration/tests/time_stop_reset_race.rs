//! `stop` and `reset` racing the timer (Go issue 69312 and go1.23's
//! synchronous channels): whatever the interleaving, `stop`/`reset` returns
//! true exactly when the timer's value is never received, and no value of
//! the old schedule is received after it returns.

mod common;

use common::{HOUR, runtime};
use gort_time::Timer;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn stop_or_reset(t: &Timer, stop: bool) -> bool {
    if stop { t.stop() } else { t.reset(HOUR) }
}

fn spin(n: u64) {
    for _ in 0..n {
        std::hint::spin_loop();
    }
}

/// A receiver polls (running the timer lazily, Go's `maybeRunChan`) while
/// another thread stops or resets the timer around its deadline.
fn race_polling_receiver(stop: bool) {
    let mut rng = fastrand::Rng::with_seed(69312);
    for _ in 0..1500 {
        let timer = Timer::new(Duration::from_micros(rng.u64(0..20)));
        let done = AtomicBool::new(false);
        let delay = rng.u64(0..20_000);
        let (result, got) = std::thread::scope(|s| {
            let receiver = s.spawn(|| {
                loop {
                    if timer.c().try_recv().is_ok() {
                        return true;
                    }
                    if done.load(Ordering::SeqCst) {
                        // After stop/reset returned true: nothing, ever.
                        return timer.c().try_recv().is_ok();
                    }
                }
            });
            spin(delay);
            let result = stop_or_reset(&timer, stop);
            done.store(true, Ordering::SeqCst);
            (result, receiver.join().unwrap())
        });
        assert_eq!(
            result, !got,
            "stop/reset returned {result}, value received: {got}"
        );
    }
}

#[test]
fn stop_races_polling_receiver() {
    race_polling_receiver(true);
}

#[test]
fn reset_races_polling_receiver() {
    race_polling_receiver(false);
}

/// A receiver blocks (so the timer thread fires the timer from the heap)
/// while another thread stops or resets it; then a release channel closes,
/// which frees a receiver that is still waiting. A `false` from
/// stop/reset means the value was already handed to the receiver, so the
/// release cannot take it away.
fn race_blocked_receiver(stop: bool) {
    let mut rng = fastrand::Rng::with_seed(37196);
    for _ in 0..600 {
        let timer = Timer::new(Duration::from_micros(rng.u64(0..50)));
        let delay = rng.u64(0..50_000);
        let (release_tx, release) = gort_chan::bounded::<()>(0);
        let (result, got) = std::thread::scope(|s| {
            let receiver = s.spawn(|| {
                gort_select::select_blocking! {
                    recv(timer.c()) -> v => v.is_ok(),
                    recv(release) -> _ => false,
                }
            });
            spin(delay);
            let result = stop_or_reset(&timer, stop);
            release_tx.close();
            (result, receiver.join().unwrap())
        });
        assert_eq!(
            result, !got,
            "stop/reset returned {result}, value received: {got}"
        );
    }
}

#[test]
fn stop_races_blocked_receiver() {
    race_blocked_receiver(true);
}

#[test]
fn reset_races_blocked_receiver() {
    race_blocked_receiver(false);
}

/// The same with async receivers: tasks awaiting the timer channel.
#[test]
fn stop_races_async_receiver() {
    let rt = runtime(2);
    rt.block_on(async {
        let mut rng = fastrand::Rng::with_seed(5);
        for i in 0..1000 {
            let stop = i % 2 == 0;
            let timer = std::sync::Arc::new(Timer::new(Duration::from_micros(rng.u64(0..50))));
            let (release_tx, release) = gort_chan::bounded::<()>(0);
            let receiver = {
                let timer = timer.clone();
                tokio::spawn(async move {
                    gort_select::select! {
                        recv(timer.c()) -> v => v.is_ok(),
                        recv(release) -> _ => false,
                    }
                })
            };
            spin(rng.u64(0..50_000));
            let result = stop_or_reset(&timer, stop);
            release_tx.close();
            let got = receiver.await.unwrap();
            assert_eq!(
                result, !got,
                "stop/reset returned {result}, value received: {got}"
            );
        }
    });
}
