//! Go's sync/waitgroup_test.go (go1.23), re-expressed with OS threads, plus
//! the older opportunistic misuse tests (TestWaitGroupMisuse2/3, go1.17).
//!
//! TestWaitGroupAlign is left out: it checks Go's 64-bit alignment of a
//! field after a byte, which Rust's layout guarantees.

use gort_waitgroup::WaitGroup;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;

/// The message of a panic payload (`&str` or `String`).
fn message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

const NEGATIVE: &str = "sync: negative WaitGroup counter";
const ADD_DURING_WAIT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";

/// Go's `testWaitGroup`: `wg1` is a barrier the workers reach, `wg2` holds
/// them until the main thread releases them one `done` at a time.
fn barrier_round(wg1: &WaitGroup, wg2: &WaitGroup) {
    let n = 16;
    wg1.add(n);
    wg2.add(n);
    let (exited_tx, exited) = mpsc::channel();
    let workers: Vec<_> = (0..n)
        .map(|_| {
            let (wg1, wg2, exited_tx) = (wg1.clone(), wg2.clone(), exited_tx.clone());
            thread::spawn(move || {
                wg1.done();
                wg2.wait_blocking();
                exited_tx.send(()).unwrap();
            })
        })
        .collect();
    wg1.wait_blocking();
    for _ in 0..n {
        assert!(
            exited.try_recv().is_err(),
            "WaitGroup released group too soon"
        );
        wg2.done();
    }
    for _ in 0..n {
        exited.recv().expect("a worker was not released");
    }
    for w in workers {
        w.join().unwrap();
    }
}

/// TestWaitGroup: the same two groups, reused for 8 rounds.
#[test]
fn wait_group() {
    let (wg1, wg2) = (WaitGroup::new(), WaitGroup::new());
    for _ in 0..8 {
        barrier_round(&wg1, &wg2);
    }
}

/// TestWaitGroupMisuse: one `done` too many panics with Go's message.
#[test]
fn wait_group_misuse() {
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    let err = catch_unwind(AssertUnwindSafe(|| wg.done())).expect_err("should panic");
    assert_eq!(message(&*err), Some(NEGATIVE));
}

/// TestWaitGroupRace: two workers, 1000 times; a wait that returns must
/// see both of their increments.
#[test]
fn wait_group_race() {
    for _ in 0..1000 {
        let wg = WaitGroup::new();
        let n = Arc::new(AtomicU32::new(0));
        for _ in 0..2 {
            wg.add(1);
            let (wg, n) = (wg.clone(), n.clone());
            thread::spawn(move || {
                n.fetch_add(1, Ordering::Relaxed);
                wg.done();
            });
        }
        wg.wait_blocking();
        assert_eq!(n.load(Ordering::Relaxed), 2, "spurious wakeup from wait");
    }
}

/// Go's `pollUntilEqual`: spins (yielding) until `v == target`.
fn poll_until_equal(v: &AtomicU32, target: u32) {
    while v.load(Ordering::SeqCst) != target {
        thread::yield_now();
    }
}

/// Outcome of one opportunistic misuse round: `Ok` if nothing was caught,
/// or the message of the panic that caught the misuse.
type Round = Result<(), String>;

/// Runs `job` on a detached thread and reports how it ended on `tx`. A
/// round whose misuse was caught may leave a thread waiting forever (as in
/// Go); detached threads let the test return anyway.
fn spawn_reporting(tx: &mpsc::Sender<Round>, job: impl FnOnce() + Send + 'static) {
    let tx = tx.clone();
    thread::spawn(move || {
        let res = catch_unwind(AssertUnwindSafe(job))
            .map_err(|p| message(&*p).unwrap_or("<non-string panic>").to_string());
        let _ = tx.send(res);
    });
}

/// Checks one round's reports: stops at the first panic, which must carry
/// one of Go's three misuse messages. Returns whether a misuse was caught.
fn misuse_caught(rx: &mpsc::Receiver<Round>, parties: usize) -> bool {
    for _ in 0..parties {
        if let Err(msg) = rx.recv().unwrap() {
            assert!(
                [NEGATIVE, ADD_DURING_WAIT, REUSED].contains(&msg.as_str()),
                "unexpected panic: {msg}"
            );
            return true;
        }
    }
    false
}

/// TestWaitGroupMisuse2 (go1.17): an `add` from zero racing a wait. Go
/// catches it only now and then, so this passes whether or not a round
/// catches it; what it checks is that a caught misuse panics with one of
/// Go's messages and nothing else goes wrong. Bounded to 500 rounds.
#[test]
fn wait_group_misuse_add_racing_wait() {
    for _ in 0..500 {
        let wg = WaitGroup::new();
        let here = Arc::new(AtomicU32::new(0));
        let (tx, rx) = mpsc::channel();
        wg.add(1);
        let (w, h) = (wg.clone(), here.clone());
        spawn_reporting(&tx, move || {
            h.fetch_add(1, Ordering::SeqCst);
            poll_until_equal(&h, 3);
            w.wait_blocking();
        });
        let (w, h) = (wg.clone(), here.clone());
        spawn_reporting(&tx, move || {
            h.fetch_add(1, Ordering::SeqCst);
            poll_until_equal(&h, 3);
            w.add(1); // the bad guy
            w.done();
        });
        here.fetch_add(1, Ordering::SeqCst);
        poll_until_equal(&here, 3);
        // This `done` may catch the misuse too (Go's test recovers it in the
        // test goroutine): it reports like the other parties.
        let res = catch_unwind(AssertUnwindSafe(|| wg.done()))
            .map_err(|p| message(&*p).unwrap_or("<non-string panic>").to_string());
        tx.send(res).unwrap();
        if misuse_caught(&rx, 3) {
            return;
        }
    }
}

/// TestWaitGroupMisuse3 (go1.17): the group is reused before a previous
/// wait has returned. Opportunistic, as above; bounded to 500 rounds.
#[test]
fn wait_group_misuse_reuse_before_wait_returned() {
    for _ in 0..500 {
        let wg = WaitGroup::new();
        let (tx, rx) = mpsc::channel();
        wg.add(1);
        let w = wg.clone();
        spawn_reporting(&tx, move || w.done());
        let w = wg.clone();
        spawn_reporting(&tx, move || {
            w.wait_blocking();
            // Starts the next round before the wait below has returned.
            w.add(1);
            let w2 = w.clone();
            thread::spawn(move || w2.done());
            w.wait_blocking();
        });
        let w = wg.clone();
        spawn_reporting(&tx, move || w.wait_blocking());
        if misuse_caught(&rx, 3) {
            return;
        }
    }
}
