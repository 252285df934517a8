//! loom models of sysmon's protocols against the Ms (Go: `retake`,
//! `exitsyscall`, `entersyscallblock`, `preemptone`), on a runtime of one P.
//! A loom thread plays sysmon; the models check that every G runs to its
//! end exactly once, that the P's status assertions hold (one owner at a
//! time), and, by loom's deadlock detection, that no M sleeps while work
//! waits:
//!
//! - `retake` (`take_p`: claim the M's odd phase, fence, re-read) racing the
//!   end of a poll (`exitsyscall`) and the poll's own use of its P (a wake
//!   or a spawn through `Worker::with_p`);
//! - `retake` racing `entersyscallblock`'s hand-off and `exitsyscall`'s
//!   search for a P (including the wait in `sched.syscallwait`);
//! - the preempt flag racing the G's poll and completion (a yielded G
//!   runs again).
//!
//! CI runs these at one preemption: at two, the first three models pass in
//! 14 minutes (run by hand when this protocol changes), the spawn model
//! takes longer still.
//!
//! Not covered: sysmon's pacing and its sleep (time), the `sysmontick`
//! sampling (a pure function of two reads), stop-the-world racing a
//! retake (`set_procs` is modelled in `loom_executor.rs`).
#![cfg(gort_loom)]

mod loom_common;

use gort_executor::loom_api::{preempt, retake};
use gort_executor::{Runtime, go};
use loom::sync::atomic::{AtomicUsize, Ordering::*};
use loom_common::model;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;

fn rt() -> Runtime {
    Runtime::builder().procs(1).build().unwrap()
}

/// The G wakes itself during its first poll (`ready` from inside a poll:
/// `Worker::with_p` ends the odd phase for the `runnext` put) while sysmon
/// retakes the P; it must be polled exactly twice.
#[test]
fn retake_racing_the_end_of_a_poll_that_wakes() {
    model(|| {
        let rt = rt();
        let polls = Arc::new(AtomicUsize::new(0));
        let p = polls.clone();
        let h = rt.spawn(poll_fn(move |cx| {
            if p.fetch_add(1, Relaxed) == 1 {
                return Poll::Ready(());
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        }));
        let handle = rt.handle();
        let sysmon = loom::thread::spawn(move || {
            retake(&handle, 0);
        });
        h.join_blocking().unwrap();
        sysmon.join().unwrap();
        assert_eq!(polls.load(Relaxed), 2);
    });
}

/// A spawn from inside a poll (the goid cache and free list of the P,
/// through `Worker::with_p`) racing sysmon's retake.
#[test]
fn retake_racing_a_spawn_inside_a_poll() {
    model(|| {
        let rt = rt();
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let h = rt.spawn(async move {
            let r2 = r.clone();
            // In an Option: the task's output is the handle, not awaited.
            Some(go(async move {
                r2.fetch_add(1, Relaxed);
            }))
        });
        let handle = rt.handle();
        let sysmon = loom::thread::spawn(move || {
            retake(&handle, 0);
        });
        h.join_blocking().unwrap().unwrap().join_blocking().unwrap();
        sysmon.join().unwrap();
        assert_eq!(ran.load(Relaxed), 1);
    });
}

#[test]
fn retake_racing_a_blocking_call() {
    model(|| {
        let rt = rt();
        let h = rt.spawn(async { gort_executor::blocking(|| 3) });
        let handle = rt.handle();
        let sysmon = loom::thread::spawn(move || {
            retake(&handle, 0);
        });
        assert_eq!(h.join_blocking().unwrap(), 3);
        sysmon.join().unwrap();
    });
}

#[test]
fn preempt_racing_completion() {
    model(|| {
        let rt = rt();
        let yields = Arc::new(AtomicUsize::new(0));
        let y = yields.clone();
        let h = rt.spawn(poll_fn(move |cx| {
            if gort_executor::preempt_check(cx) {
                y.fetch_add(1, Relaxed);
                return Poll::Pending;
            }
            Poll::Ready(())
        }));
        let handle = rt.handle();
        let sysmon = loom::thread::spawn(move || preempt(&handle, 0));
        h.join_blocking().unwrap();
        sysmon.join().unwrap();
        // One request, consumed at most once: the yielded G runs again.
        assert!(yields.load(Relaxed) <= 1);
    });
}
