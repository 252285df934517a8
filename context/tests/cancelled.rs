//! `Context::cancelled()`: woken once by the cancel, cancel-safe (a dropped
//! future leaves no registration behind), re-registers a changed waker,
//! never completes for a context that cannot be cancelled, waits on a
//! custom parent's `done` channel; and a waker that panics during a cancel
//! neither stops the other wake-ups nor leaves the subtree half-cancelled.
#![cfg(not(gort_loom))]

use gort_context::{Context, ContextError, CustomContext};
use gort_testkit::{counting_waker, poll_noop, poll_once};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Wake, Waker};

#[test]
fn every_waiter_is_woken_once_by_the_cancel() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (child, _c) = ctx.with_cancel();
    let wakers: Vec<_> = (0..3).map(|_| counting_waker()).collect();
    let mut futures: Vec<_> = (0..3)
        .map(|i| {
            Box::pin(if i == 2 {
                child.cancelled()
            } else {
                ctx.cancelled()
            })
        })
        .collect();
    for (f, (w, _)) in futures.iter_mut().zip(&wakers) {
        assert!(poll_once(f.as_mut(), w).is_pending());
    }
    cancel.cancel();
    for (_, count) in &wakers {
        assert_eq!(count.count(), 1);
    }
    for (f, (w, _)) in futures.iter_mut().zip(&wakers) {
        assert!(poll_once(f.as_mut(), w).is_ready());
    }
}

#[test]
fn a_dropped_future_leaves_no_registration() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (w, count) = counting_waker();
    for _ in 0..1000 {
        let mut f = pin!(ctx.cancelled());
        assert!(poll_once(f.as_mut(), &w).is_pending());
    }
    let (w2, count2) = counting_waker();
    let mut kept = pin!(ctx.cancelled());
    assert!(poll_once(kept.as_mut(), &w2).is_pending());
    cancel.cancel();
    assert_eq!(count.count(), 0, "a dropped future was woken");
    assert_eq!(count2.count(), 1);
}

#[test]
fn a_new_waker_replaces_the_old_one() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (w1, c1) = counting_waker();
    let (w2, c2) = counting_waker();
    let mut f = pin!(ctx.cancelled());
    assert!(poll_once(f.as_mut(), &w1).is_pending());
    assert!(poll_once(f.as_mut(), &w1).is_pending());
    assert!(poll_once(f.as_mut(), &w2).is_pending());
    cancel.cancel();
    assert_eq!((c1.count(), c2.count()), (0, 1));
}

#[test]
fn uncancelable_contexts_never_complete() {
    let bg = Context::background();
    let (ctx, cancel) = bg.with_cancel();
    let detached = ctx.without_cancel();
    cancel.cancel();
    assert!(poll_noop(pin!(bg.cancelled())).is_pending());
    assert!(poll_noop(pin!(detached.cancelled())).is_pending());
    assert!(poll_noop(pin!(ctx.cancelled())).is_ready());
}

struct Shutdown(gort_chan::RecvOnly<()>);

impl CustomContext for Shutdown {
    fn done(&self) -> Option<&gort_chan::RecvOnly<()>> {
        Some(&self.0)
    }

    fn err(&self) -> Option<ContextError> {
        self.0.is_closed().then_some(ContextError::Canceled)
    }
}

#[test]
fn a_custom_context_is_awaited_on_its_done_channel() {
    let (tx, rx) = gort_chan::bounded::<()>(0);
    let ctx = Context::from_custom(Shutdown(rx.into()));
    let (w, count) = counting_waker();
    let mut f = pin!(ctx.cancelled());
    assert!(poll_once(f.as_mut(), &w).is_pending());
    tx.close();
    assert_eq!(count.count(), 1);
    assert!(poll_once(f.as_mut(), &w).is_ready());
}

struct Panics;

impl Wake for Panics {
    fn wake(self: Arc<Self>) {
        panic!("a waker that panics");
    }
}

#[test]
fn a_panicking_waker_does_not_stop_the_cancel() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (child, _c) = ctx.with_cancel();
    let bad = Waker::from(Arc::new(Panics));
    let (good, count) = counting_waker();
    let mut f1 = pin!(ctx.cancelled());
    let mut f2 = pin!(child.cancelled());
    assert!(poll_once(f1.as_mut(), &bad).is_pending());
    assert!(poll_once(f2.as_mut(), &good).is_pending());
    let done = child.done();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cancel.cancel()));
    assert!(r.is_err(), "the waker's panic reaches the caller");
    assert_eq!(count.count(), 1, "the other waiter was woken");
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
    assert_eq!(child.err(), Some(ContextError::Canceled));
    assert!(done.try_recv().is_err() && done.is_closed());
    assert!(poll_once(f2.as_mut(), &good).is_ready());
    let _ = f1
        .as_mut()
        .poll(&mut std::task::Context::from_waker(Waker::noop()));
}
