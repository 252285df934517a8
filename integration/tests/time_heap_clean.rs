//! Cancelled waits leave the heap clean: dropped `Sleep`s, receivers that
//! give up (threads timing out, selects won by another arm), and stopped
//! `after_func`s all leave the heap, and nothing they held (wakers,
//! closures) outlives them. One test in this binary, so the heap is this
//! test's alone.

mod common;

use common::{HOUR, MS, wait_until};
use gort_select::select_blocking;
use gort_testkit::CountingWaker;
use gort_time::raw::heap_len;
use gort_time::{Timer, after, after_func, sleep};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Waker};
use std::time::Duration;

const N: usize = 1000;

/// Counts live closures.
struct Live(Arc<AtomicUsize>);

impl Live {
    fn new(count: &Arc<AtomicUsize>) -> Live {
        count.fetch_add(1, Ordering::SeqCst);
        Live(count.clone())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn cancelled_waits_leave_the_heap_clean() {
    // Sleeps polled once (so their timers are in the heap), then dropped:
    // their wakers are released at once, their entries swept.
    let inner = Arc::new(CountingWaker::default());
    let waker = Waker::from(inner.clone());
    let mut sleeps: Vec<_> = (0..N).map(|_| Box::pin(sleep(HOUR))).collect();
    for s in &mut sleeps {
        assert!(
            s.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
    }
    assert_eq!(heap_len(), N);
    assert_eq!(
        Arc::strong_count(&inner),
        N + 2,
        "each sleep's timer holds the waker"
    );
    drop(sleeps);
    assert_eq!(
        Arc::strong_count(&inner),
        2,
        "a dropped sleep keeps no waker"
    );
    assert_eq!(heap_len(), 0);

    // A sleep moved earlier and later, then dropped: one entry, then none.
    let mut s = Box::pin(sleep(HOUR));
    for i in 0..100u64 {
        s.as_mut()
            .reset(std::time::Instant::now() + Duration::from_secs(3600 + i % 7));
        let _ = Pin::new(&mut s).poll(&mut Context::from_waker(&waker));
    }
    drop(s);
    assert_eq!(heap_len(), 0);

    // Threads that wait on timer channels and give up.
    let timers: Vec<_> = (0..N).map(|_| Timer::new(HOUR)).collect();
    std::thread::scope(|scope| {
        for chunk in timers.chunks(N / 4) {
            scope.spawn(move || {
                for t in chunk {
                    assert!(t.c().recv_timeout(Duration::from_micros(10)).is_err());
                }
            });
        }
    });
    assert_eq!(heap_len(), 0);
    // They are still running: each can still fire, lazily, when received.
    for t in &timers[..10] {
        assert!(t.reset(Duration::ZERO));
        t.c().recv_blocking().unwrap();
    }
    drop(timers);

    // Selects whose timer arm loses to a channel after the select blocked.
    for _ in 0..100 {
        let (tx, rx) = gort_chan::bounded::<u32>(0);
        let timeout = after(HOUR);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                wait_until(|| heap_len() == 1);
                tx.send_blocking(7).unwrap();
            });
            let got = select_blocking! {
                recv(rx) -> v => v.unwrap(),
                recv(timeout) -> _ => 0,
            };
            assert_eq!(got, 7);
        });
        assert_eq!(heap_len(), 0);
    }

    // Stopped `after_func`s: their closures are dropped once their handles
    // are, none of them runs, and the heap empties.
    let live = Arc::new(AtomicUsize::new(0));
    let funcs: Vec<_> = (0..N)
        .map(|_| {
            let probe = Live::new(&live);
            after_func(HOUR, move || {
                let _ = &probe;
                panic!("a stopped after_func ran");
            })
        })
        .collect();
    assert_eq!(heap_len(), N);
    for f in &funcs {
        assert!(f.stop());
    }
    drop(funcs);
    assert_eq!(heap_len(), 0);
    assert_eq!(live.load(Ordering::SeqCst), 0, "stopped closures were kept");

    // `after_func`s whose handles are dropped still run (as in Go), then
    // their closures are dropped.
    let (tx, rx) = mpsc::channel();
    for _ in 0..N {
        let probe = Live::new(&live);
        let tx = tx.clone();
        after_func(MS, move || {
            let _ = &probe;
            tx.send(()).unwrap();
        });
    }
    drop(tx);
    assert_eq!(rx.iter().count(), N);
    wait_until(|| live.load(Ordering::SeqCst) == 0);
    assert_eq!(heap_len(), 0);
}
