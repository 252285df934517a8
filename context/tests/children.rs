//! A long-lived parent does not grow with its short-lived children: a
//! cancelled child leaves the parent's set (Go's `removeChild`), and so
//! does a child dropped without being cancelled (gort's weak hold; Go's
//! garbage collector frees it instead). An `after_func` registration stays
//! until it runs or is stopped, even with its handle dropped. And every
//! handle is `Send + Sync`.
#![cfg(not(gort_loom))]

use gort_context::{Context, after_func};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn a_million_short_lived_children_leave_no_trace() {
    let (parent, cancel) = Context::background().with_cancel();
    for i in 0..1_000_000 {
        let (child, cancel_child) = if i % 2 == 0 {
            parent.with_cancel()
        } else {
            parent.with_timeout(Duration::from_secs(3600))
        };
        assert_eq!(parent.children_len(), 1);
        drop(child);
        cancel_child.cancel();
        assert_eq!(parent.children_len(), 0);
    }
    cancel.cancel();
}

#[test]
fn children_dropped_without_cancel_leave_the_set() {
    let (parent, cancel) = Context::background().with_cancel();
    let value = parent.with_value(&KEY, 1u8);
    let children: Vec<_> = (0..1000).map(|_| value.with_cancel()).collect();
    assert_eq!(parent.children_len(), 1000);
    drop(children);
    assert_eq!(parent.children_len(), 0);
    // A grandchild keeps its parent (and so the parent's place) alive.
    let (child, child_cancel) = parent.with_cancel();
    let (grandchild, _g) = child.with_cancel();
    drop((child, child_cancel));
    assert_eq!(parent.children_len(), 1);
    cancel.cancel();
    assert!(grandchild.err().is_some());
    assert_eq!(parent.children_len(), 0);
}

static KEY: gort_context::Key<u8> = gort_context::Key::new("k");

#[test]
fn an_after_func_outlives_its_dropped_handle() {
    let (parent, cancel) = Context::background().with_cancel();
    let (tx, rx) = mpsc::channel();
    drop(after_func(&parent, move || tx.send(()).unwrap()));
    assert_eq!(parent.children_len(), 1);
    cancel.cancel();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the function runs after its handle was dropped");
    assert_eq!(parent.children_len(), 0);
}

/// Every handle crosses threads (DESIGN: everything is `Send + Sync`), and
/// the futures are `Send`.
#[test]
fn handles_are_send_and_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    fn send<T: Send>(_: &T) {}
    check::<Context>();
    check::<gort_context::CancelFunc>();
    check::<gort_context::CancelCauseFunc>();
    fn send_sync<T: Send + Sync + std::fmt::Debug>() {}
    send_sync::<gort_context::AfterFuncStop>();
    send_sync::<gort_context::Key<String>>();
    let ctx = Context::background();
    send(&ctx.cancelled());
}

/// A `done()` held past its context: while a handle lives it stays open;
/// once every handle is gone (uncancelled) it reports closed, since
/// nobody can cancel the context any more (documented deviation: Go's
/// would block forever).
#[test]
fn a_done_channel_outliving_its_context_closes() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (child, child_cancel) = ctx.with_cancel();
    let done = ctx.done();
    drop((ctx, cancel));
    assert_eq!(
        done.try_recv(),
        Err(gort_chan::TryRecvError::Empty),
        "the child holds it"
    );
    drop((child, child_cancel));
    assert_eq!(done.try_recv(), Err(gort_chan::TryRecvError::Closed));
}
