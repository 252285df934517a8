#![cfg(not(gort_loom))]
//! Children of contexts that are already cancelled (Go: `propagateCancel`
//! finds the parent done and cancels the child at once). gort's
//! `with_cancel` children of a cancelled node share that node instead of
//! making one; everything observable must be as for a child made and
//! cancelled at once.

use gort_context::{Cause, Context, ContextError, Key, after_func};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A failure guard for waits.
const GUARD: Duration = Duration::from_secs(30);

/// A context cancelled with `Canceled`.
fn cancelled() -> Context {
    let (ctx, cancel) = Context::background().with_cancel();
    cancel.cancel();
    ctx
}

fn cause(text: &str) -> Cause {
    Arc::new(std::io::Error::other(text.to_string()))
}

#[test]
fn a_child_of_a_cancelled_context_reports_the_parents_error_and_cause() {
    let (parent, cancel) = Context::background().with_cancel_cause();
    cancel.cancel(Some(cause("parent's reason")));
    let (child, _c) = parent.with_cancel();
    let (grandchild, _g) = child.with_cancel_cause();
    for ctx in [&child, &grandchild] {
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
        assert_eq!(ctx.cause().unwrap().to_string(), "parent's reason");
        assert_eq!(
            ctx.done().recv_timeout(GUARD),
            Err(gort_chan::RecvTimeoutError::Closed)
        );
        assert!(ctx.deadline().is_none());
        assert_eq!(ctx.children_len(), 0);
    }
    assert_eq!(parent.children_len(), 0);
}

#[test]
fn its_cancel_functions_change_nothing() {
    let parent = cancelled();
    let (child, cancel_child) = parent.with_cancel();
    let (grandchild, cancel_grandchild) = child.with_cancel_cause();
    cancel_child.cancel();
    cancel_grandchild.cancel(Some(cause("too late")));
    assert_eq!(grandchild.err(), Some(ContextError::Canceled));
    // The first cancellation's cause stays: `Canceled` itself.
    assert_eq!(grandchild.cause().unwrap().to_string(), "context canceled");
    assert_eq!(format!("{cancel_child:?}"), "CancelFunc { done: true }");
}

#[test]
fn debug_names_every_level_as_go_does() {
    let parent = cancelled();
    let (child, _c) = parent.with_cancel();
    let (grandchild, _g) = child.with_cancel();
    assert_eq!(
        format!("{grandchild:?}"),
        "context.Background.WithCancel.WithCancel.WithCancel"
    );

    let (timed, cancel_timed) = Context::background().with_timeout(Duration::from_secs(3600));
    cancel_timed.cancel();
    let (child, _c) = timed.with_cancel();
    let name = format!("{child:?}");
    assert!(
        name.starts_with("context.Background.WithDeadline([") && name.ends_with("]).WithCancel"),
        "{name}"
    );
}

#[test]
fn deadlines_values_and_further_children_come_through() {
    static USER: Key<&str> = Key::new("user");
    let at = Instant::now() + Duration::from_secs(3600);
    let (timed, cancel) = Context::background()
        .with_value(&USER, "gopher")
        .with_deadline(at);
    cancel.cancel();
    let (child, _c) = timed.with_cancel();
    assert_eq!(child.deadline(), Some(at));
    assert_eq!(child.value(&USER), Some(&"gopher"));

    // Children of other kinds are made as usual, born cancelled too.
    let sooner = Instant::now() + Duration::from_secs(60);
    let (dl, _d) = child.with_deadline(sooner);
    assert_eq!(dl.deadline(), Some(sooner));
    assert_eq!(dl.err(), Some(ContextError::Canceled));
    let valued = child.with_value(&USER, "other");
    assert_eq!(valued.value(&USER), Some(&"other"));
    let (under_value, _v) = valued.with_cancel();
    assert_eq!(under_value.value(&USER), Some(&"other"));
    assert_eq!(under_value.err(), Some(ContextError::Canceled));
    assert!(child.without_cancel().err().is_none());
}

#[test]
fn after_func_on_it_runs_at_once() {
    let parent = cancelled();
    let (child, _c) = parent.with_cancel();
    let (tx, rx) = mpsc::channel();
    let _stop = after_func(&child, move || tx.send(()).unwrap());
    rx.recv_timeout(GUARD).expect("after_func ran");
}

#[test]
fn a_child_made_while_the_parent_is_live_is_still_its_own_node() {
    let (parent, cancel) = Context::background().with_cancel();
    let (child, cancel_child) = parent.with_cancel();
    cancel_child.cancel();
    assert!(parent.err().is_none());
    assert_eq!(child.err(), Some(ContextError::Canceled));
    // The cancelled child's own child is born cancelled; the parent stays.
    let (grandchild, _g) = child.with_cancel();
    assert_eq!(grandchild.err(), Some(ContextError::Canceled));
    assert!(parent.err().is_none());
    cancel.cancel();
}
