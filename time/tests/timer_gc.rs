//! Go's TestTimerGC (time/tick_test.go, go1.23): timers nobody can receive
//! from any more cost no memory, stopped or not. Go counts mallocs minus
//! frees around 10,000 calls after forcing GCs; Rust frees at drop, so the
//! count is taken by a counting global allocator: of the blocks this thread
//! allocates during the calls, how many are still alive afterwards, wherever
//! they were freed. Allocations by other threads (the timer thread, the test
//! harness) are not counted, so a busy machine cannot disturb the result.

use gort_testkit::{CountingAlloc, kept_by};
use gort_time::{Ticker, Timer, after, after_func, sleep, tick};
use std::future::Future;
use std::task::{Context, Waker};
use std::time::Duration;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const HOUR: Duration = Duration::from_secs(3600);
const N: usize = 10_000;

fn run(what: &str, f: impl Fn()) {
    // Warm up (lazy statics, the timer thread, the heap's buffer).
    for _ in 0..100 {
        f();
    }
    let (kept, ()) = kept_by(|| {
        for _ in 0..N {
            f();
        }
    })
    .expect("the counting allocator is installed");
    // Go's bound is fewer than one allocation kept per call; gort frees
    // everything.
    assert_eq!(
        kept, 0,
        "{what} did not free its timers: {kept} blocks kept"
    );
}

#[test]
fn timer_gc() {
    run("After", || drop(after(HOUR)));
    run("Tick", || drop(tick(HOUR)));
    run("NewTimer", || drop(Timer::new(HOUR)));
    run("NewTicker", || drop(Ticker::new(HOUR)));
    run("NewTimerStop", || {
        Timer::new(HOUR).stop();
    });
    run("NewTickerStop", || Ticker::new(HOUR).stop());
    run("AfterFuncStop", || {
        after_func(HOUR, || {}).stop();
    });
    run("SleepPolledDropped", || {
        let mut s = Box::pin(sleep(HOUR));
        let _ = s.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    });
}

/// The measurement itself: blocks another thread allocates and keeps during
/// the calls do not count, and a block the calls allocate that another
/// thread frees does not count either.
#[test]
fn other_threads_neither_add_nor_hide_blocks() {
    let (tx, rx) = std::sync::mpsc::channel::<Box<u64>>();
    let freer = std::thread::spawn(move || rx.iter().count());
    let noise = std::thread::spawn(|| (0..1000).map(Box::new).collect::<Vec<_>>());
    let (kept, ()) = kept_by(|| {
        for i in 0..1000 {
            tx.send(Box::new(i)).unwrap();
        }
        drop(tx);
        assert_eq!(freer.join().unwrap(), 1000);
    })
    .expect("the counting allocator is installed");
    drop(noise.join().unwrap());
    assert_eq!(kept, 0);
    let (kept, leaked) = kept_by(|| Box::leak(Box::new(1u8))).unwrap();
    assert_eq!(kept, 1, "a block the calls keep is counted");
    // SAFETY: `leaked` came from `Box::leak` and is not used again.
    drop(unsafe { Box::from_raw(leaked) });
}
