//! loom models of the cancellation protocol (Go: `propagateCancel`,
//! `cancelCtx.cancel`, `removeChild`, `AfterFunc`'s `stop`):
//!
//! - a parent's cancel racing the creation of a child: the child ends up
//!   cancelled, exactly once, and not left in the parent's set;
//! - a parent's cancel racing a child's own cancel: both done, the child
//!   out of the parent's set, its cause the one of whichever came first;
//! - a cancel racing an `after_func`'s `stop`: the function runs exactly
//!   when `stop` returned false;
//! - the lazy `done` channel made while a cancel races it: whoever got the
//!   channel sees it closed once the cancel is over;
//! - `err()` racing a cancel of a parent with a child: once `err()` is
//!   `Some`, `done` is closed and the child is cancelled (go1.23's `Err`
//!   waits for the lock `cancel` holds; here, for the publication);
//! - a `cancelled()` future's first poll racing the cancel: it completes or
//!   is woken, never neither (a lost wake-up).
//!
//! Not covered: deadline timers (gort-time's own models cover its heap;
//! loom has no time), custom parents (their watcher blocks a runner thread,
//! which loom runs inline), and the memory ordering of the `OnceLock` that
//! holds `done` (std's, not modelled; it is only set under the node's lock).
#![cfg(gort_loom)]

use gort_context::{Cause, Context, ContextError, after_func};
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use std::sync::Arc;

fn closed(done: &gort_chan::RecvOnly<()>) -> bool {
    done.try_recv() == Err(gort_chan::TryRecvError::Closed)
}

#[test]
fn cancel_racing_the_creation_of_a_child() {
    loom::model(|| {
        let (parent, cancel) = Context::background().with_cancel();
        let maker = {
            let parent = parent.clone();
            thread::spawn(move || parent.with_cancel())
        };
        cancel.cancel();
        let (child, _child_cancel) = maker.join().unwrap();
        assert_eq!(child.err(), Some(ContextError::Canceled));
        assert!(closed(&child.done()));
        assert_eq!(parent.children_len(), 0);
    });
}

#[test]
fn parent_and_child_cancels_racing() {
    loom::model(|| {
        let (parent, cancel_parent) = Context::background().with_cancel_cause();
        let (child, cancel_child) = parent.with_cancel_cause();
        let parent_cause: Cause = Arc::new(std::fmt::Error);
        let child_cause: Cause = Arc::new(std::fmt::Error);
        let done = child.done();
        let racer = {
            let cause = child_cause.clone();
            thread::spawn(move || cancel_child.cancel(Some(cause)))
        };
        cancel_parent.cancel(Some(parent_cause.clone()));
        racer.join().unwrap();
        assert_eq!(child.err(), Some(ContextError::Canceled));
        let cause = child.cause().unwrap();
        assert!(Arc::ptr_eq(&cause, &parent_cause) || Arc::ptr_eq(&cause, &child_cause));
        assert!(Arc::ptr_eq(&parent.cause().unwrap(), &parent_cause));
        assert!(closed(&done));
        assert_eq!(parent.children_len(), 0);
    });
}

#[test]
fn cancel_racing_after_func_stop() {
    loom::model(|| {
        let (ctx, cancel) = Context::background().with_cancel();
        let ran = Arc::new(AtomicUsize::new(0));
        let stop = {
            let ran = ran.clone();
            after_func(&ctx, move || {
                ran.fetch_add(1, Ordering::SeqCst);
            })
        };
        let stopper = thread::spawn(move || stop.stop());
        cancel.cancel();
        let stopped = stopper.join().unwrap();
        // Under loom the function runs inline in the cancelling thread.
        assert_eq!(ran.load(Ordering::SeqCst), usize::from(!stopped));
        assert_eq!(ctx.children_len(), 0);
    });
}

#[test]
fn done_made_while_a_cancel_races() {
    loom::model(|| {
        let (ctx, cancel) = Context::background().with_cancel();
        let waiter = {
            let ctx = ctx.clone();
            thread::spawn(move || ctx.done())
        };
        cancel.cancel();
        let done = waiter.join().unwrap();
        assert!(closed(&done));
        assert!(done.same_channel(&ctx.done()));
    });
}

#[test]
fn err_racing_a_cancel_sees_it_whole() {
    loom::model(|| {
        let (parent, cancel) = Context::background().with_cancel();
        let (child, _child_cancel) = parent.with_cancel();
        let done = parent.done();
        let canceller = thread::spawn(move || cancel.cancel());
        if parent.err().is_some() {
            assert!(closed(&done));
            assert_eq!(child.err(), Some(ContextError::Canceled));
        }
        canceller.join().unwrap();
        assert!(child.err().is_some());
    });
}

#[test]
fn cancelled_racing_a_cancel_is_never_lost() {
    loom::model(|| {
        let (ctx, cancel) = Context::background().with_cancel();
        let (waker, count) = gort_testkit::counting_waker();
        let canceller = thread::spawn(move || cancel.cancel());
        let mut fut = std::pin::pin!(ctx.cancelled());
        let ready = gort_testkit::poll_once(fut.as_mut(), &waker).is_ready();
        canceller.join().unwrap();
        assert!(ready || count.count() == 1, "a lost wake-up");
        assert!(gort_testkit::poll_once(fut.as_mut(), &waker).is_ready());
    });
}
