//! Go's TestTimerGC (time/tick_test.go, go1.23): timers nobody can receive
//! from any more cost no memory, stopped or not. Go counts mallocs minus
//! frees around 10,000 calls after forcing GCs; Rust frees at drop, so the
//! same count is taken with a counting global allocator. One test in this
//! binary, so the count is this test's alone.

use gort_time::{Ticker, Timer, after, after_func, sleep, tick};
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::task::{Context, Waker};
use std::time::Duration;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const HOUR: Duration = Duration::from_secs(3600);
const N: isize = 10_000;

fn run(what: &str, f: impl Fn()) {
    // Warm up (lazy statics, the timer thread, the heap's buffer).
    for _ in 0..100 {
        f();
    }
    let before = LIVE.load(Ordering::SeqCst);
    for _ in 0..N {
        f();
    }
    let inuse = LIVE.load(Ordering::SeqCst) - before;
    // Go's bound: fewer than one allocation kept per call.
    assert!(
        inuse < N,
        "{what} did not free its timers: {inuse} allocations kept"
    );
    // gort frees everything.
    assert!(inuse <= 0, "{what}: {inuse} allocations kept");
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
