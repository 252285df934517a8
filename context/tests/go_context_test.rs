#![cfg(not(gort_loom))]
//! Go's context tests (go1.23: x_test.go, context_test.go,
//! afterfunc_test.go), re-expressed for gort-context. One `#[test]` per Go
//! test, named after it. No test sleeps to synchronise: each waits for the
//! event it checks, and every wait that could hang is bounded by [`GUARD`]
//! so that a bug fails the test instead of hanging it. Elapsed time is
//! only ever checked as "a deadline never fires early".
//!
//! Go's tests that do not apply here:
//!
//! - TestAllocs is in `tests/allocs.rs`: it needs a counting global
//!   allocator, and a global allocator belongs to a whole test binary.
//! - TestInvalidDerivedFail: Go panics on a nil parent; a `Context` cannot
//!   be nil, so there is nothing to check.
//! - TestWithValueChecksKey checks panics on nil and non-comparable keys;
//!   keys are typed statics here, so both are compile errors. The test
//!   below checks what a key is instead (its own static, not its name).
//! - TestDeadlineExceededIsNetError (net_test.go): Go's `net.Error` has no
//!   Rust counterpart beyond `is_timeout` and the `io::Error` conversion,
//!   both checked by `deadline_exceeded_supports_timeout`.
//! - TestContextErrDoneRace is go1.26's (issue 75533); the property it
//!   checks holds here too, as in go1.23 (`err_implies_done_closed`).
//! - Examples and benchmarks are not tests.
//!
//! Go's `otherContext` (a type embedding a `Context`, overriding nothing)
//! is [`OtherContext`]; `customDoneContext` and `myDoneCtx` (overriding
//! `Done`) are [`CustomDone`]; `customCauseContext` is [`CauseContext`];
//! afterfunc_test.go's `afterFuncContext` is [`AfterFuncContext`]. The
//! global watcher counter (Go's `goroutines`) is shared by every test of
//! this binary, so the tests that make contexts under a custom parent run
//! one at a time ([`custom_parents`]).

use gort_chan::{RecvOnly, RecvTimeoutError, Sender, TryRecvError};
use gort_context::{
    Cause, Context, ContextError, CustomContext, Key, after_func, watchers_started,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// The bound on any wait for something that should happen promptly: only
/// a failure guard, never reached by a passing test.
const GUARD: Duration = Duration::from_secs(30);
/// Go's `shortDuration`.
const SHORT: Duration = Duration::from_millis(1);
/// Go's `veryLongDuration`.
const VERY_LONG: Duration = Duration::from_secs(1000 * 3600);

// ---------------------------------------------------------------------------
// Helpers

/// Serialises the tests that derive contexts from custom parents, so that
/// [`watchers_started`] counts only the test that reads it.
fn custom_parents() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Go's `select { case <-ctx.Done(): fail; default: }`.
#[track_caller]
fn assert_not_done(ctx: &Context, name: &str) {
    assert_eq!(
        ctx.done().try_recv(),
        Err(TryRecvError::Empty),
        "{name}: done() is ready, want it to block"
    );
}

/// Go's `select { case <-ctx.Done(): default: fail }`: done now, no wait.
#[track_caller]
fn assert_done_now(ctx: &Context, name: &str) {
    assert_eq!(
        ctx.done().try_recv(),
        Err(TryRecvError::Closed),
        "{name}: done() blocks, want it closed"
    );
}

/// Waits for `ctx` to be done (Go: `<-ctx.Done()`), failing after [`GUARD`].
#[track_caller]
fn wait_done(ctx: &Context, name: &str) {
    match ctx.done().recv_timeout(GUARD) {
        Err(RecvTimeoutError::Closed) => {}
        Err(RecvTimeoutError::Timeout) => panic!("{name}: not done after {GUARD:?}"),
        Ok(()) => panic!("{name}: done() carried a value"),
    }
}

/// Go's `testDeadline`: `ctx` ends by its deadline, not before it.
#[track_caller]
fn check_deadline(ctx: &Context, name: &str) {
    let deadline = ctx
        .deadline()
        .unwrap_or_else(|| panic!("{name}: no deadline"));
    wait_done(ctx, name);
    let now = Instant::now();
    assert!(
        now >= deadline,
        "{name}: done {:?} before its deadline",
        deadline - now
    );
    assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded), "{name}");
}

/// A cause of our own (Go: `fmt.Errorf(...)`), compared by identity.
fn new_cause(msg: &str) -> Cause {
    Arc::new(std::io::Error::other(msg.to_string()))
}

/// The cause `ctx` reports is `want` itself.
#[track_caller]
fn assert_same_cause(got: Option<Cause>, want: &Cause, name: &str) {
    let got = got.unwrap_or_else(|| panic!("{name}: no cause, want {want}"));
    assert!(Arc::ptr_eq(&got, want), "{name}: cause {got}, want {want}");
}

/// The cause `ctx` reports is the error `want` itself (no cause of its own).
#[track_caller]
fn assert_error_cause(got: Option<Cause>, want: ContextError, name: &str) {
    let got = got.unwrap_or_else(|| panic!("{name}: no cause, want {want}"));
    assert_eq!(
        got.downcast_ref::<ContextError>(),
        Some(&want),
        "{name}: cause {got}, want {want}"
    );
}

/// Go's `otherContext` (and `myCtx`): wraps a context and overrides
/// nothing, so its `done` is the wrapped context's own channel; a type gort
/// does not know, which exercises the custom-parent paths.
struct OtherContext {
    inner: Context,
    done: Option<RecvOnly<()>>,
}

impl CustomContext for OtherContext {
    fn deadline(&self) -> Option<Instant> {
        self.inner.deadline()
    }

    fn done(&self) -> Option<&RecvOnly<()>> {
        self.done.as_ref()
    }

    fn err(&self) -> Option<ContextError> {
        self.inner.err()
    }

    fn values(&self) -> Option<&Context> {
        Some(&self.inner)
    }
}

/// `otherContext{inner}` for a cancelable `inner`.
fn other(inner: &Context) -> Context {
    Context::from_custom(OtherContext {
        inner: inner.clone(),
        done: Some(inner.done()),
    })
}

/// `otherContext{inner}` for an `inner` that is never cancelled (Go: its
/// `Done` is nil).
fn other_uncancelable(inner: &Context) -> Context {
    Context::from_custom(OtherContext {
        inner: inner.clone(),
        done: None,
    })
}

/// Go's `customDoneContext` and `myDoneCtx`: wraps a context but has a done
/// channel of its own, closed by the returned sender (or never, while the
/// sender lives).
struct CustomDone {
    inner: Context,
    done: RecvOnly<()>,
}

impl CustomContext for CustomDone {
    fn deadline(&self) -> Option<Instant> {
        self.inner.deadline()
    }

    fn done(&self) -> Option<&RecvOnly<()>> {
        Some(&self.done)
    }

    fn err(&self) -> Option<ContextError> {
        self.inner.err()
    }

    fn values(&self) -> Option<&Context> {
        Some(&self.inner)
    }
}

fn custom_done(inner: &Context) -> (Context, Sender<()>) {
    let (tx, rx) = gort_chan::bounded(0);
    let ctx = Context::from_custom(CustomDone {
        inner: inner.clone(),
        done: rx.into(),
    });
    (ctx, tx)
}

// ---------------------------------------------------------------------------
// context_test.go (the XTest bodies, run by x_test.go's TestXxx)

/// Go: TestParentFinishesChild (x_test.go; body XTest in context_test.go): a parent with a cancel
/// child, a deadline child under a value child, and an after_func holds all
/// three in its set (the deadline child through the value context); one
/// cancel of the parent ends them all, empties the set and runs the
/// function; a value child made after that is done at once.
#[test]
fn parent_finishes_child() {
    static KEY: Key<&str> = Key::new("key");
    let (parent, cancel) = Context::background().with_cancel();
    let (cancel_child, _stop_cancel_child) = parent.with_cancel();
    let value_child = parent.with_value(&KEY, "value");
    let (timer_child, _stop_timer_child) = value_child.with_timeout(VERY_LONG);
    let (ran_tx, ran) = mpsc::channel();
    let _after_stop = after_func(&parent, move || ran_tx.send(()).unwrap());

    for (ctx, name) in [
        (&parent, "parent"),
        (&cancel_child, "cancel_child"),
        (&value_child, "value_child"),
        (&timer_child, "timer_child"),
    ] {
        assert_not_done(ctx, name);
    }
    // Go checks `pc.children` holds the cancel child, the timer child and
    // the afterFunc, and that each links back to `pc`.
    assert_eq!(parent.children_len(), 3, "parent's children");
    assert_eq!(value_child.children_len(), 0, "a value context holds none");
    assert_eq!(cancel_child.children_len(), 0);
    assert_eq!(timer_child.children_len(), 0);

    cancel.cancel();
    assert_eq!(parent.children_len(), 0, "cancel did not clear the set");
    for (ctx, name) in [
        (&parent, "parent"),
        (&cancel_child, "cancel_child"),
        (&value_child, "value_child"),
        (&timer_child, "timer_child"),
    ] {
        assert_done_now(ctx, name);
        assert_eq!(ctx.err(), Some(ContextError::Canceled), "{name}");
    }
    ran.recv_timeout(GUARD)
        .expect("the after_func ran after its parent was cancelled");

    let precanceled_child = parent.with_value(&KEY, "value");
    assert_done_now(&precanceled_child, "precanceled_child");
    assert_eq!(precanceled_child.err(), Some(ContextError::Canceled));
}

/// Go: TestChildFinishesFirst (x_test.go; body XTest in context_test.go): cancelling a child, under
/// `background` and under a cancelable parent, ends the child only and
/// takes it out of its parent's set.
#[test]
fn child_finishes_first() {
    let (cancelable, _stop) = Context::background().with_cancel();
    for (parent, parent_is_node) in [(Context::background(), false), (cancelable, true)] {
        let (child, cancel) = parent.with_cancel();
        assert_not_done(&parent, "parent");
        assert_not_done(&child, "child");
        if parent_is_node {
            assert_eq!(parent.children_len(), 1, "the child joined its parent");
        }

        cancel.cancel();
        if parent_is_node {
            assert_eq!(parent.children_len(), 0, "the child left its parent");
        }
        assert_done_now(&child, "child");
        assert_eq!(child.err(), Some(ContextError::Canceled));
        assert_not_done(&parent, "parent");
        assert_eq!(parent.err(), None);
    }
}

/// Go: TestCancelRemoves (x_test.go; body XTest in context_test.go): a cancel child, a timeout
/// child and an after_func each join their parent's set and leave it when
/// cancelled (or stopped). (gort also frees a child dropped uncancelled.)
#[test]
fn cancel_removes() {
    let (ctx, _keep) = Context::background().with_cancel();
    assert_eq!(ctx.children_len(), 0, "after creation");
    let (_, cancel) = ctx.with_cancel();
    assert_eq!(ctx.children_len(), 1, "with a with_cancel child");
    cancel.cancel();
    assert_eq!(
        ctx.children_len(),
        0,
        "after cancelling the with_cancel child"
    );

    let (ctx, _keep) = Context::background().with_cancel();
    assert_eq!(ctx.children_len(), 0, "after creation");
    let (_, cancel) = ctx.with_timeout(Duration::from_secs(3600));
    assert_eq!(ctx.children_len(), 1, "with a with_timeout child");
    cancel.cancel();
    assert_eq!(
        ctx.children_len(),
        0,
        "after cancelling the with_timeout child"
    );

    let (ctx, _keep) = Context::background().with_cancel();
    assert_eq!(ctx.children_len(), 0, "after creation");
    let stop = after_func(&ctx, || {});
    assert_eq!(ctx.children_len(), 1, "with an after_func child");
    assert!(stop.stop());
    assert_eq!(ctx.children_len(), 0, "after stopping the after_func child");

    // gort's deviation: a child dropped without being cancelled leaves too.
    drop(ctx.with_cancel());
    assert_eq!(ctx.children_len(), 0, "after dropping an uncancelled child");
}

/// Go: TestCustomContextGoroutines (x_test.go; body XTest in context_test.go): a watcher thread is
/// started only for a custom parent with a done channel of its own and no
/// `after_func`; none for gort parents, for contexts derived from those,
/// or for a parent already cancelled.
#[test]
fn custom_context_goroutines() {
    let _serial = custom_parents();
    let mut seen = watchers_started();
    #[track_caller]
    fn none_since(seen: usize) {
        let now = watchers_started();
        assert_eq!(now, seen, "{} watcher threads started, want 0", now - seen);
    }
    #[track_caller]
    fn one_since(seen: &mut usize) {
        let now = watchers_started();
        assert_eq!(
            now,
            *seen + 1,
            "{} watcher threads started, want 1",
            now - *seen
        );
        *seen = now;
    }
    let bg = Context::background();

    let (my_done, _never_closed) = custom_done(&bg);
    let (_, cancel0) = my_done.with_cancel();
    cancel0.cancel();
    one_since(&mut seen);

    let (my_done, _never_closed) = custom_done(&bg);
    let (_, cancel0) = my_done.with_timeout(VERY_LONG);
    cancel0.cancel();
    one_since(&mut seen);
    none_since(seen);

    let (ctx1, cancel1) = bg.with_cancel();
    none_since(seen);

    // Go's `myCtx{ctx1}`: passes ctx1's done through.
    let ctx2 = other(&ctx1);
    let (ctx3, cancel3) = ctx2.with_cancel();
    // No watcher: ctx1 is found behind ctx2 and ctx3 registers with it.
    none_since(seen);

    let (my_done2, _never_closed) = custom_done(&ctx2);
    let (_, cancel3b) = my_done2.with_cancel();
    // ctx1's done is not my_done2's: it must not be used.
    one_since(&mut seen);

    let (ctx4, cancel4) = ctx3.with_timeout(VERY_LONG);
    none_since(seen);

    let (ctx5, cancel5) = ctx4.with_cancel();
    none_since(seen);

    cancel5.cancel();
    none_since(seen);

    let (_, cancel6) = ctx5.with_timeout(VERY_LONG);
    none_since(seen);

    // Under a parent already cancelled.
    cancel6.cancel();
    cancel1.cancel();
    let (_, cancel7) = ctx5.with_cancel();
    none_since(seen);

    for cancel in [cancel7, cancel4, cancel3b, cancel3] {
        cancel.cancel();
    }
    none_since(seen);
}

/// Go's TestCustomContextGoroutines and TestWithCancel on a custom context
/// that wraps a gort context and passes its done channel through (Go's
/// `myCtx`, `otherContext`): the gort node behind it is found (`values`,
/// then a check that `done` is that node's, Go's `parentCancelCtx`), the
/// child registers there and no watcher starts, so the child is cancelled
/// synchronously.
#[test]
fn custom_wrapper_of_gort_context_needs_no_watcher() {
    let _serial = custom_parents();
    let (ctx1, cancel1) = Context::background().with_cancel();
    let wrapper = other(&ctx1);
    let seen = watchers_started();
    let (child, _cancel_child) = wrapper.with_cancel();
    assert_eq!(watchers_started(), seen, "a watcher thread was started");
    cancel1.cancel();
    assert_done_now(&child, "child of a wrapper of ctx1, after ctx1's cancel");
}

/// go1.23's `Err` contract: `err` is set only once `done` is closed (go1.23
/// sets `err` and closes `done` under the node's lock, and `Err` reads
/// `err` under it; go1.25's lock-free `Err` broke it, issue 75533, fixed
/// in go1.26 and tested by TestContextErrDoneRace). gort's `err()` waits
/// for a cancel in progress to be published.
#[test]
fn err_implies_done_closed() {
    for i in 0..20_000 {
        let (ctx, cancel) = Context::background().with_cancel();
        let done = ctx.done();
        let canceller = thread::spawn(move || cancel.cancel());
        let give_up = Instant::now() + GUARD;
        while ctx.err().is_none() {
            assert!(Instant::now() < give_up, "not cancelled after {GUARD:?}");
            std::hint::spin_loop();
        }
        assert_eq!(
            done.try_recv(),
            Err(TryRecvError::Closed),
            "run {i}: err() is set but done() is still open"
        );
        canceller.join().unwrap();
    }
}

// ---------------------------------------------------------------------------
// x_test.go

/// Go: TestBackground (x_test.go): `background` is never done and prints
/// as `context.Background`.
#[test]
fn background() {
    let c = Context::background();
    assert_not_done(&c, "background");
    assert!(!c.done().is_closed());
    assert_eq!(c.err(), None);
    assert!(c.cause().is_none());
    assert_eq!(c.deadline(), None);
    assert_eq!(format!("{c:?}"), "context.Background");
}

/// Go: TestTODO (x_test.go): `todo` is never done and prints as
/// `context.TODO`.
#[test]
fn todo() {
    let c = Context::todo();
    assert_not_done(&c, "todo");
    assert_eq!(c.err(), None);
    assert_eq!(c.deadline(), None);
    assert_eq!(format!("{c:?}"), "context.TODO");
}

/// Go: TestWithCancel (x_test.go): a cancel context, a custom context
/// wrapping it and a cancel context under that are live until the first is
/// cancelled, then all done with `Canceled`.
#[test]
fn with_cancel() {
    let _serial = custom_parents();
    let (c1, cancel) = Context::background().with_cancel();
    assert_eq!(format!("{c1:?}"), "context.Background.WithCancel");

    let o = other(&c1);
    let (c2, _cancel2) = o.with_cancel();
    let contexts = [(&c1, "c1"), (&o, "o"), (&c2, "c2")];
    for (c, name) in contexts {
        assert_eq!(c.err(), None, "{name}");
        assert_not_done(c, name);
    }

    cancel.cancel();
    // Synchronous for c1, for o (whose done is c1's), and for c2 (which
    // registered with c1, found behind o).
    assert_done_now(&c1, "c1");
    assert_done_now(&o, "o");
    assert_done_now(&c2, "c2");
    for (c, name) in contexts {
        assert_eq!(c.err(), Some(ContextError::Canceled), "{name}");
    }
}

/// Go: TestDeadline (x_test.go): `with_deadline` contexts end with
/// `DeadlineExceeded`, never before their deadline: directly, through a
/// custom context, under a custom context with an earlier deadline (the
/// child inherits it), and with a deadline in the past or now.
#[test]
fn deadline() {
    let _serial = custom_parents();
    let bg = Context::background();

    let at = Instant::now() + SHORT;
    let (c, _cancel) = bg.with_deadline(at);
    assert_eq!(c.deadline(), Some(at));
    let s = format!("{c:?}");
    assert!(s.starts_with("context.Background.WithDeadline("), "{s}");
    check_deadline(&c, "with_deadline");

    let (c, _cancel) = bg.with_deadline(Instant::now() + SHORT);
    check_deadline(&other(&c), "with_deadline+other");

    let (c, _cancel) = bg.with_deadline(Instant::now() + SHORT);
    let o = other(&c);
    let (c2, _cancel2) = o.with_deadline(Instant::now() + VERY_LONG);
    assert_eq!(c2.deadline(), c.deadline(), "inherits the earlier deadline");
    check_deadline(&c2, "with_deadline+other+with_deadline");

    let past = Instant::now()
        .checked_sub(SHORT)
        .unwrap_or_else(Instant::now);
    let (c, _cancel) = bg.with_deadline(past);
    check_deadline(&c, "with_deadline+in the past");

    let (c, _cancel) = bg.with_deadline(Instant::now());
    check_deadline(&c, "with_deadline+now");
}

/// Go: TestTimeout (x_test.go): as TestDeadline, with `with_timeout`.
#[test]
fn timeout() {
    let _serial = custom_parents();
    let bg = Context::background();

    let before = Instant::now();
    let (c, _cancel) = bg.with_timeout(SHORT);
    let s = format!("{c:?}");
    assert!(s.starts_with("context.Background.WithDeadline("), "{s}");
    assert!(c.deadline().expect("a deadline") >= before + SHORT);
    check_deadline(&c, "with_timeout");

    let (c, _cancel) = bg.with_timeout(SHORT);
    check_deadline(&other(&c), "with_timeout+other");

    let (c, _cancel) = bg.with_timeout(SHORT);
    let o = other(&c);
    let (c2, _cancel2) = o.with_timeout(VERY_LONG);
    assert_eq!(c2.deadline(), c.deadline(), "inherits the earlier deadline");
    check_deadline(&c2, "with_timeout+other+with_timeout");
}

/// Go: TestCanceledTimeout (x_test.go): a timeout context under a custom
/// context with an earlier deadline, cancelled by its own function, is
/// done at once with `Canceled`. (Go's parent deadline is 1 s; an hour
/// here, so a stalled machine cannot let it pass first.)
#[test]
fn canceled_timeout() {
    let _serial = custom_parents();
    let (c, _cancel_parent) = Context::background().with_timeout(Duration::from_secs(3600));
    let o = other(&c);
    let (c, cancel) = o.with_timeout(VERY_LONG);
    cancel.cancel();
    assert_done_now(&c, "c");
    assert_eq!(c.err(), Some(ContextError::Canceled));
}

/// Go: TestValues (x_test.go): value lookups find the nearest binding of
/// their own key only, through value contexts and custom contexts, and a
/// binding to "nil" hides an outer one; `Debug` prints each value context
/// as `.WithValue(key name, value type)`.
#[test]
fn values() {
    // Go's k1 = key1(1), k2 = key2(1), k3 = key2(3): three distinct keys.
    // `None` stands for Go's nil value.
    type V = Option<&'static str>;
    static K1: Key<V> = Key::new("k1");
    static K2: Key<V> = Key::new("k2");
    static K3: Key<V> = Key::new("k3");
    let vt = std::any::type_name::<V>();

    #[track_caller]
    fn check(c: &Context, name: &str, v1: V, v2: V, v3: V) {
        for (key, want, k) in [(&K1, v1, "k1"), (&K2, v2, "k2"), (&K3, v3, "k3")] {
            let got = c.value(key).copied().flatten();
            assert_eq!(got, want, "{name}.value(&{k})");
        }
    }
    let bg = Context::background();

    let c0 = bg.clone();
    check(&c0, "c0", None, None, None);

    let c1 = bg.with_value(&K1, Some("c1k1"));
    check(&c1, "c1", Some("c1k1"), None, None);
    assert_eq!(
        format!("{c1:?}"),
        format!("context.Background.WithValue(k1, {vt})")
    );

    let c2 = c1.with_value(&K2, Some("c2k2"));
    check(&c2, "c2", Some("c1k1"), Some("c2k2"), None);
    assert_eq!(
        format!("{c2:?}"),
        format!("context.Background.WithValue(k1, {vt}).WithValue(k2, {vt})")
    );

    let c3 = c2.with_value(&K3, Some("c3k3"));
    check(&c3, "c3", Some("c1k1"), Some("c2k2"), Some("c3k3"));

    let c4 = c3.with_value(&K1, None);
    check(&c4, "c4", None, Some("c2k2"), Some("c3k3"));
    assert_eq!(
        format!("{c4:?}"),
        format!(
            "context.Background.WithValue(k1, {vt}).WithValue(k2, {vt})\
             .WithValue(k3, {vt}).WithValue(k1, {vt})"
        )
    );

    let o0 = other_uncancelable(&bg);
    check(&o0, "o0", None, None, None);

    let o1 = other_uncancelable(&bg.with_value(&K1, Some("c1k1")));
    check(&o1, "o1", Some("c1k1"), None, None);

    let o2 = o1.with_value(&K2, Some("o2k2"));
    check(&o2, "o2", Some("c1k1"), Some("o2k2"), None);
    let custom = std::any::type_name::<OtherContext>();
    assert_eq!(format!("{o2:?}"), format!("{custom}.WithValue(k2, {vt})"));

    let o3 = other_uncancelable(&c4);
    check(&o3, "o3", None, Some("c2k2"), Some("c3k3"));

    let o4 = o3.with_value(&K3, None);
    check(&o4, "o4", None, Some("c2k2"), None);
}

/// Go: TestSimultaneousCancels (x_test.go): a tree of about a hundred
/// contexts, all cancelled at once from as many threads in a random order,
/// all end, and every cancel returns.
#[test]
fn simultaneous_cancels() {
    let mut rng = fastrand::Rng::with_seed(0x5eed_c0de);
    let (root, cancel) = Context::background().with_cancel();
    let mut all = vec![(root.clone(), cancel)];
    let mut queue = std::collections::VecDeque::from([root]);
    while all.len() < 100 {
        let parent = queue.pop_front().expect("the tree grows");
        for _ in 0..4 {
            let (ctx, cancel) = parent.with_cancel();
            all.push((ctx.clone(), cancel));
            queue.push_back(ctx);
        }
    }

    rng.shuffle(&mut all);
    let (returned_tx, returned) = mpsc::channel();
    let threads: Vec<_> = all
        .iter()
        .map(|(_, cancel)| {
            let (cancel, returned_tx) = (cancel.clone(), returned_tx.clone());
            thread::spawn(move || {
                cancel.cancel();
                returned_tx.send(()).unwrap();
            })
        })
        .collect();

    rng.shuffle(&mut all);
    for (i, (ctx, _)) in all.iter().enumerate() {
        wait_done(ctx, &format!("context {i}"));
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
    }
    for _ in 0..threads.len() {
        returned
            .recv_timeout(GUARD)
            .expect("every cancel function returns");
    }
    for t in threads {
        t.join().unwrap();
    }
}

/// Go: TestInterlockedCancels (x_test.go): a thread that cancels the child
/// when it sees the parent done does not deadlock against the parent's
/// cancel, which cancels the child too.
#[test]
fn interlocked_cancels() {
    let (parent, cancel_parent) = Context::background().with_cancel();
    let (child, cancel_child) = parent.with_cancel();
    let watcher = {
        let parent = parent.clone();
        thread::spawn(move || {
            let seen = parent.done().recv_timeout(GUARD);
            cancel_child.cancel();
            seen
        })
    };
    cancel_parent.cancel();
    wait_done(&child, "child");
    assert_eq!(
        watcher.join().unwrap(),
        Err(RecvTimeoutError::Closed),
        "the thread saw the parent done"
    );
}

/// Go's `testLayers`: at least 30 random layers of values, cancels and
/// timeouts; every value stays visible, and the innermost context ends when
/// any cancel is called (or, with short timeouts, when they pass).
fn test_layers(seed: u64, short_timeouts: bool) {
    const MIN_LAYERS: usize = 30;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut keys: Vec<&'static Key<usize>> = Vec::new();
    let mut cancels = Vec::new();
    let mut timers = 0;
    let mut ctx = Context::background();
    let mut i = 0;
    while i < MIN_LAYERS || timers == 0 || cancels.is_empty() || keys.is_empty() {
        match rng.usize(0..3) {
            0 => {
                // Go's `new(value)` keys: a fresh key per layer.
                let key: &'static Key<usize> = Box::leak(Box::new(Key::new("layer")));
                ctx = ctx.with_value(key, keys.len());
                keys.push(key);
            }
            1 => {
                let (c, cancel) = ctx.with_cancel();
                ctx = c;
                cancels.push(cancel);
            }
            _ => {
                let d = if short_timeouts { SHORT } else { VERY_LONG };
                let (c, cancel) = ctx.with_timeout(d);
                ctx = c;
                cancels.push(cancel);
                timers += 1;
            }
        }
        i += 1;
    }
    let check_values = |when: &str| {
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(ctx.value(key), Some(&i), "seed={seed} {when}: key {i}");
        }
    };
    if !short_timeouts {
        assert_not_done(&ctx, &format!("seed={seed}: before cancel"));
    }
    let s = format!("{ctx:?}");
    assert!(s.starts_with("context.Background."), "seed={seed}: {s}");
    check_values("before cancel");
    if short_timeouts {
        wait_done(&ctx, &format!("seed={seed}: timeouts"));
        assert_eq!(
            ctx.err(),
            Some(ContextError::DeadlineExceeded),
            "seed={seed}"
        );
        check_values("after timeout");
    } else {
        cancels[rng.usize(0..cancels.len())].cancel();
        assert_done_now(&ctx, &format!("seed={seed}: after cancel"));
        assert_eq!(ctx.err(), Some(ContextError::Canceled), "seed={seed}");
        check_values("after cancel");
    }
}

/// Go: TestLayersCancel (x_test.go): `test_layers` with cancels, over
/// several fixed seeds.
#[test]
fn layers_cancel() {
    for seed in 0..16 {
        test_layers(seed, false);
    }
}

/// Go: TestLayersTimeout (x_test.go): `test_layers` with 1 ms timeouts,
/// over several fixed seeds.
#[test]
fn layers_timeout() {
    for seed in 0..16 {
        test_layers(seed, true);
    }
}

/// Go: TestWithCancelCanceledParent (x_test.go): a child of a parent
/// already cancelled with a cause is done at once, with `Canceled` and the
/// parent's cause.
#[test]
fn with_cancel_canceled_parent() {
    let (parent, pcancel) = Context::background().with_cancel_cause();
    let cause = new_cause("Because!");
    pcancel.cancel(Some(cause.clone()));

    let (c, _cancel) = parent.with_cancel();
    assert_done_now(&c, "child");
    assert_eq!(c.err(), Some(ContextError::Canceled));
    assert_same_cause(c.cause(), &cause, "child");
}

/// Go: TestWithCancelSimultaneouslyCanceledParent (x_test.go): a child made
/// while another thread cancels its parent with a cause ends with
/// `Canceled` and that cause, whichever happens first.
#[test]
fn with_cancel_simultaneously_canceled_parent() {
    for i in 0..100 {
        let (parent, pcancel) = Context::background().with_cancel_cause();
        let cause = new_cause("Because!");
        let canceller = {
            let cause = cause.clone();
            thread::spawn(move || pcancel.cancel(Some(cause)))
        };
        let (c, _cancel) = parent.with_cancel();
        wait_done(&c, &format!("child {i}"));
        assert_eq!(c.err(), Some(ContextError::Canceled), "child {i}");
        assert_same_cause(c.cause(), &cause, &format!("child {i}"));
        canceller.join().unwrap();
    }
}

/// Go: TestWithValueChecksKey (x_test.go), re-expressed: Go rejects nil and
/// non-comparable keys at run time; here a key is a typed static, and it is
/// the static that counts: another static of the same type, or with the
/// same name, is another key.
#[test]
fn with_value_checks_key() {
    static A: Key<&str> = Key::new("same name");
    static B: Key<&str> = Key::new("same name");
    static C: Key<u32> = Key::new("same name");
    let ctx = Context::background().with_value(&A, "bar");
    assert_eq!(ctx.value(&A), Some(&"bar"));
    assert_eq!(ctx.value(&B), None, "another static, same type and name");
    assert_eq!(ctx.value(&C), None, "another static, same name");

    let ctx = ctx.with_value(&B, "baz");
    assert_eq!(ctx.value(&A), Some(&"bar"), "B's binding does not hide A's");
    assert_eq!(ctx.value(&B), Some(&"baz"));
    assert_eq!(A.name(), B.name());
}

/// Go: TestDeadlineExceededSupportsTimeout (x_test.go): `DeadlineExceeded`
/// is a timeout (`is_timeout`, and `io::ErrorKind::TimedOut` as an
/// `io::Error`); `Canceled` is not.
#[test]
fn deadline_exceeded_supports_timeout() {
    assert!(ContextError::DeadlineExceeded.is_timeout());
    assert!(!ContextError::Canceled.is_timeout());
    let io = std::io::Error::from(ContextError::DeadlineExceeded);
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    let inner = io.get_ref().expect("the context error is kept");
    assert_eq!(
        inner.downcast_ref::<ContextError>(),
        Some(&ContextError::DeadlineExceeded)
    );
    assert_ne!(
        std::io::Error::from(ContextError::Canceled).kind(),
        std::io::ErrorKind::TimedOut
    );
}

/// What a [`cause`] case expects of `Context::cause`.
enum WantCause {
    /// `None` (a live context).
    Nothing,
    /// The error itself (no cause of its own).
    Error(ContextError),
    /// This cause, by identity.
    Same(Cause),
}

/// Go: TestCause (x_test.go): `err` and `cause` for each way a context can
/// end: plain, with a cause, parent and child cancelled in either order and
/// with or without causes, deadlines with and without causes (past or
/// cancelled first), and `without_cancel` over cancelled contexts.
#[test]
fn cause() {
    use ContextError::{Canceled, DeadlineExceeded};
    use WantCause::{Error, Nothing, Same};
    let forever = Duration::from_secs(1_000_000);
    let parent_cause = new_cause("parentCause");
    let child_cause = new_cause("childCause");
    let too_slow = new_cause("tooSlow");
    let finished_early = new_cause("finishedEarly");
    let bg = Context::background;

    type Case = (
        &'static str,
        Box<dyn Fn() -> Context>,
        Option<ContextError>,
        WantCause,
    );
    let (pc, cc, ts, fe) = (
        parent_cause.clone(),
        child_cause.clone(),
        too_slow.clone(),
        finished_early.clone(),
    );
    let cases: Vec<Case> = vec![
        ("Background", Box::new(Context::background), None, Nothing),
        ("TODO", Box::new(Context::todo), None, Nothing),
        (
            "WithCancel",
            Box::new(move || {
                let (ctx, cancel) = bg().with_cancel();
                cancel.cancel();
                ctx
            }),
            Some(Canceled),
            Error(Canceled),
        ),
        (
            "WithCancelCause",
            Box::new({
                let pc = pc.clone();
                move || {
                    let (ctx, cancel) = bg().with_cancel_cause();
                    cancel.cancel(Some(pc.clone()));
                    ctx
                }
            }),
            Some(Canceled),
            Same(parent_cause.clone()),
        ),
        (
            "WithCancelCause nil",
            Box::new(move || {
                let (ctx, cancel) = bg().with_cancel_cause();
                cancel.cancel(None);
                ctx
            }),
            Some(Canceled),
            Error(Canceled),
        ),
        (
            "WithCancelCause: parent cause before child",
            Box::new({
                let (pc, cc) = (pc.clone(), cc.clone());
                move || {
                    let (ctx, cancel_parent) = bg().with_cancel_cause();
                    let (ctx, cancel_child) = ctx.with_cancel_cause();
                    cancel_parent.cancel(Some(pc.clone()));
                    cancel_child.cancel(Some(cc.clone()));
                    ctx
                }
            }),
            Some(Canceled),
            Same(parent_cause.clone()),
        ),
        (
            "WithCancelCause: parent cause after child",
            Box::new({
                let (pc, cc) = (pc.clone(), cc.clone());
                move || {
                    let (ctx, cancel_parent) = bg().with_cancel_cause();
                    let (ctx, cancel_child) = ctx.with_cancel_cause();
                    cancel_child.cancel(Some(cc.clone()));
                    cancel_parent.cancel(Some(pc.clone()));
                    ctx
                }
            }),
            Some(Canceled),
            Same(child_cause.clone()),
        ),
        (
            "WithCancelCause: parent cause before nil",
            Box::new({
                let pc = pc.clone();
                move || {
                    let (ctx, cancel_parent) = bg().with_cancel_cause();
                    let (ctx, cancel_child) = ctx.with_cancel();
                    cancel_parent.cancel(Some(pc.clone()));
                    cancel_child.cancel();
                    ctx
                }
            }),
            Some(Canceled),
            Same(parent_cause.clone()),
        ),
        (
            "WithCancelCause: parent cause after nil",
            Box::new({
                let pc = pc.clone();
                move || {
                    let (ctx, cancel_parent) = bg().with_cancel_cause();
                    let (ctx, cancel_child) = ctx.with_cancel();
                    cancel_child.cancel();
                    cancel_parent.cancel(Some(pc.clone()));
                    ctx
                }
            }),
            Some(Canceled),
            Error(Canceled),
        ),
        (
            "WithCancelCause: child cause after nil",
            Box::new({
                let cc = cc.clone();
                move || {
                    let (ctx, cancel_parent) = bg().with_cancel();
                    let (ctx, cancel_child) = ctx.with_cancel_cause();
                    cancel_parent.cancel();
                    cancel_child.cancel(Some(cc.clone()));
                    ctx
                }
            }),
            Some(Canceled),
            Error(Canceled),
        ),
        (
            "WithCancelCause: child cause before nil",
            Box::new({
                let cc = cc.clone();
                move || {
                    let (ctx, cancel_parent) = bg().with_cancel();
                    let (ctx, cancel_child) = ctx.with_cancel_cause();
                    cancel_child.cancel(Some(cc.clone()));
                    cancel_parent.cancel();
                    ctx
                }
            }),
            Some(Canceled),
            Same(child_cause.clone()),
        ),
        (
            "WithTimeout",
            Box::new(move || {
                let (ctx, cancel) = bg().with_timeout(Duration::ZERO);
                cancel.cancel();
                ctx
            }),
            Some(DeadlineExceeded),
            Error(DeadlineExceeded),
        ),
        (
            "WithTimeout canceled",
            Box::new(move || {
                let (ctx, cancel) = bg().with_timeout(forever);
                cancel.cancel();
                ctx
            }),
            Some(Canceled),
            Error(Canceled),
        ),
        (
            "WithTimeoutCause",
            Box::new({
                let ts = ts.clone();
                move || {
                    let (ctx, cancel) = bg().with_timeout_cause(Duration::ZERO, ts.clone());
                    cancel.cancel();
                    ctx
                }
            }),
            Some(DeadlineExceeded),
            Same(too_slow.clone()),
        ),
        (
            "WithTimeoutCause canceled",
            Box::new({
                let ts = ts.clone();
                move || {
                    let (ctx, cancel) = bg().with_timeout_cause(forever, ts.clone());
                    cancel.cancel();
                    ctx
                }
            }),
            Some(Canceled),
            Error(Canceled),
        ),
        (
            "WithTimeoutCause stacked",
            Box::new({
                let (ts, fe) = (ts.clone(), fe.clone());
                move || {
                    let (ctx, cancel) = bg().with_cancel_cause();
                    let (ctx, _) = ctx.with_timeout_cause(Duration::ZERO, ts.clone());
                    cancel.cancel(Some(fe.clone()));
                    ctx
                }
            }),
            Some(DeadlineExceeded),
            Same(too_slow.clone()),
        ),
        (
            "WithTimeoutCause stacked canceled",
            Box::new({
                let (ts, fe) = (ts.clone(), fe.clone());
                move || {
                    let (ctx, cancel) = bg().with_cancel_cause();
                    let (ctx, _) = ctx.with_timeout_cause(forever, ts.clone());
                    cancel.cancel(Some(fe.clone()));
                    ctx
                }
            }),
            Some(Canceled),
            Same(finished_early.clone()),
        ),
        (
            "WithoutCancel",
            Box::new(move || bg().without_cancel()),
            None,
            Nothing,
        ),
        (
            "WithoutCancel canceled",
            Box::new({
                let fe = fe.clone();
                move || {
                    let (ctx, cancel) = bg().with_cancel_cause();
                    let ctx = ctx.without_cancel();
                    cancel.cancel(Some(fe.clone()));
                    ctx
                }
            }),
            None,
            Nothing,
        ),
        (
            "WithoutCancel timeout",
            Box::new({
                let ts = ts.clone();
                move || {
                    let (ctx, cancel) = bg().with_timeout_cause(Duration::ZERO, ts.clone());
                    let ctx = ctx.without_cancel();
                    cancel.cancel();
                    ctx
                }
            }),
            None,
            Nothing,
        ),
    ];
    for (name, make, err, want) in cases {
        let ctx = make();
        assert_eq!(ctx.err(), err, "{name}: err");
        match want {
            Nothing => assert!(ctx.cause().is_none(), "{name}: cause, want none"),
            Error(e) => assert_error_cause(ctx.cause(), e, name),
            Same(c) => assert_same_cause(ctx.cause(), &c, name),
        }
    }
}

/// Go: TestCauseRace (x_test.go): polling `cause` while another thread
/// cancels with a cause sees nothing, then that exact cause (never a
/// half-set one).
#[test]
fn cause_race() {
    let cause = new_cause("TestCauseRace");
    let (ctx, cancel) = Context::background().with_cancel_cause();
    let canceller = {
        let cause = cause.clone();
        thread::spawn(move || cancel.cancel(Some(cause)))
    };
    let give_up = Instant::now() + GUARD;
    loop {
        if let Some(got) = ctx.cause() {
            assert!(Arc::ptr_eq(&got, &cause), "cause {got}, want {cause}");
            break;
        }
        assert!(Instant::now() < give_up, "no cause after {GUARD:?}");
        thread::yield_now();
    }
    canceller.join().unwrap();
}

/// Go: TestWithoutCancel (x_test.go): `without_cancel` keeps the values
/// and drops the deadline and cancellation of its parent.
#[test]
fn without_cancel() {
    static KEY: Key<&str> = Key::new("key");
    let (parent, cancel) = Context::background().with_timeout(VERY_LONG);
    let ctx = parent.with_value(&KEY, "value").without_cancel();
    assert_eq!(ctx.deadline(), None);
    assert!(!ctx.done().is_closed());
    assert_not_done(&ctx, "without_cancel");
    assert_eq!(ctx.err(), None);
    assert_eq!(ctx.value(&KEY), Some(&"value"));
    cancel.cancel();
    assert_not_done(&ctx, "without_cancel after the parent's cancel");
    assert_eq!(ctx.err(), None);
    assert!(ctx.cause().is_none());
    let s = format!("{ctx:?}");
    assert!(s.ends_with(".WithoutCancel"), "{s}");
}

/// Go: TestCustomContextPropagation (x_test.go): a child of a custom
/// context with a done channel of its own is cancelled when that channel
/// closes, with the custom context's error and cause.
#[test]
fn custom_context_propagation() {
    let _serial = custom_parents();
    let cause = new_cause("TestCustomContextPropagation");
    let (ctx1, cancel1) = Context::background().with_cancel_cause();
    let (ctx2, donec) = custom_done(&ctx1);
    let (ctx3, cancel3) = ctx2.with_cancel();

    cancel1.cancel(Some(cause.clone()));
    donec.close();

    wait_done(&ctx3, "ctx3");
    assert_eq!(ctx3.err(), Some(ContextError::Canceled));
    assert_same_cause(ctx3.cause(), &cause, "ctx3");
    cancel3.cancel();
}

/// Go's `customCauseContext`: a custom context with its own done channel
/// and error, no cause of its own (the trait's default: the error), and an
/// optional child it cancels when cancelled.
struct CauseShared {
    state: Mutex<CauseState>,
    done: RecvOnly<()>,
}

struct CauseState {
    err: Option<ContextError>,
    done_tx: Option<Sender<()>>,
    cancel_child: Option<gort_context::CancelFunc>,
}

impl CauseShared {
    fn new() -> Arc<CauseShared> {
        let (tx, rx) = gort_chan::bounded(0);
        Arc::new(CauseShared {
            state: Mutex::new(CauseState {
                err: None,
                done_tx: Some(tx),
                cancel_child: None,
            }),
            done: rx.into(),
        })
    }

    fn cancel(&self) {
        let child = {
            let mut st = self.state.lock().unwrap();
            st.err = Some(ContextError::Canceled);
            drop(st.done_tx.take()); // closes `done`
            st.cancel_child.take()
        };
        if let Some(child) = child {
            child.cancel();
        }
    }

    fn set_cancel_child(&self, cancel: gort_context::CancelFunc) {
        self.state.lock().unwrap().cancel_child = Some(cancel);
    }
}

struct CauseContext(Arc<CauseShared>);

impl CustomContext for CauseContext {
    fn done(&self) -> Option<&RecvOnly<()>> {
        Some(&self.0.done)
    }

    fn err(&self) -> Option<ContextError> {
        self.0.state.lock().unwrap().err
    }
}

/// Go: TestCustomContextCause (x_test.go): a custom context without a
/// cause of its own reports its error as its cause; a cause given to a
/// child's cancel stays the child's, not its parent's, and survives the
/// parent's later cancel; a child the custom context cancels itself ends
/// with `Canceled`.
#[test]
fn custom_context_cause() {
    let _serial = custom_parents();

    let ccc = CauseShared::new();
    let parent = Context::from_custom(CauseContext(ccc.clone()));
    ccc.cancel();
    assert_eq!(parent.err(), Some(ContextError::Canceled));
    assert_error_cause(parent.cause(), ContextError::Canceled, "ccc");

    let ccc = CauseShared::new();
    let parent = Context::from_custom(CauseContext(ccc.clone()));
    let (ctx, cause_func) = parent.with_cancel_cause();
    let cause = new_cause("TestCustomContextCause");
    cause_func.cancel(Some(cause.clone()));
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
    assert_same_cause(ctx.cause(), &cause, "child after its cancel");
    assert_eq!(
        parent.err(),
        None,
        "the parent is not cancelled by its child"
    );
    assert!(parent.cause().is_none());

    ccc.cancel();
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
    assert_same_cause(ctx.cause(), &cause, "child after the parent's cancel");
    assert_eq!(parent.err(), Some(ContextError::Canceled));
    assert_error_cause(parent.cause(), ContextError::Canceled, "ccc");

    let ccc = CauseShared::new();
    let parent = Context::from_custom(CauseContext(ccc.clone()));
    let (ctx, cancel_func) = parent.with_cancel();
    ccc.set_cancel_child(cancel_func);
    ccc.cancel();
    assert_done_now(&ctx, "child cancelled by the custom context");
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
    assert_error_cause(ctx.cause(), ContextError::Canceled, "child");
    assert_eq!(parent.err(), Some(ContextError::Canceled));
    assert_error_cause(parent.cause(), ContextError::Canceled, "ccc");
}

/// Go: TestAfterFuncCalledAfterCancel (x_test.go): the function does not
/// run before the cancel, runs after it (seeing the context done), and
/// `stop` then returns false.
#[test]
fn after_func_called_after_cancel() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (tx, rx) = mpsc::channel();
    let seen_by_f = ctx.clone();
    let stop = after_func(&ctx, move || tx.send(seen_by_f.err()).unwrap());
    assert_eq!(
        rx.try_recv(),
        Err(mpsc::TryRecvError::Empty),
        "ran before the context was done"
    );
    cancel.cancel();
    let seen = rx.recv_timeout(GUARD).expect("runs after the cancel");
    assert_eq!(seen, Some(ContextError::Canceled));
    assert!(!stop.stop(), "stop after the function started");
}

/// Go: TestAfterFuncCalledAfterTimeout (x_test.go): the function runs when
/// the deadline passes.
#[test]
fn after_func_called_after_timeout() {
    let (ctx, _cancel) = Context::background().with_timeout(SHORT);
    let (tx, rx) = mpsc::channel();
    let seen_by_f = ctx.clone();
    let _stop = after_func(&ctx, move || tx.send(seen_by_f.err()).unwrap());
    let seen = rx.recv_timeout(GUARD).expect("runs after the deadline");
    assert_eq!(seen, Some(ContextError::DeadlineExceeded));
}

/// Go: TestAfterFuncCalledImmediately (x_test.go): registered on a context
/// already cancelled, the function runs.
#[test]
fn after_func_called_immediately() {
    let (ctx, cancel) = Context::background().with_cancel();
    cancel.cancel();
    let (tx, rx) = mpsc::channel();
    let stop = after_func(&ctx, move || tx.send(()).unwrap());
    rx.recv_timeout(GUARD)
        .expect("runs for a context already cancelled");
    assert!(!stop.stop());
}

/// Go: TestAfterFuncNotCalledAfterStop (x_test.go): `stop` before the
/// cancel returns true and the function never runs (here: it is dropped
/// unrun at once, so its channel disconnects with nothing sent); a second
/// `stop` returns false.
#[test]
fn after_func_not_called_after_stop() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (tx, rx) = mpsc::channel::<()>();
    let stop = after_func(&ctx, move || tx.send(()).unwrap());
    assert!(stop.stop(), "the first stop stops it");
    assert_eq!(
        rx.try_recv(),
        Err(mpsc::TryRecvError::Disconnected),
        "the stopped function is dropped, not run"
    );
    cancel.cancel();
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Disconnected));
    assert!(!stop.stop(), "a second stop");
    assert_eq!(ctx.children_len(), 0);
}

/// Go: TestAfterFuncCalledAsynchronously (x_test.go): `cancel` does not
/// wait for the function: it returns while the function is blocked in a
/// rendezvous that only this thread, after `cancel` returns, completes.
#[test]
fn after_func_called_asynchronously() {
    let (ctx, cancel) = Context::background().with_cancel();
    let (tx, rx) = gort_chan::bounded::<()>(0);
    let stop = after_func(&ctx, move || {
        // Were it run inside `cancel`, nobody would receive: fail, not hang.
        tx.send_timeout((), GUARD)
            .map_err(|_| ())
            .expect("the test receives once cancel returns");
    });
    cancel.cancel();
    rx.recv_timeout(GUARD).expect("the function runs");
    assert!(!stop.stop());
}

// ---------------------------------------------------------------------------
// afterfunc_test.go

/// Go's `afterFuncContext`: a custom context that implements `after_func`
/// itself (Go's `afterFuncer`) and counts the functions registered with it.
struct AfterFuncShared {
    state: Mutex<AfterFuncState>,
    done: RecvOnly<()>,
}

struct AfterFuncState {
    funcs: HashMap<u64, Box<dyn FnOnce() + Send>>,
    next_id: u64,
    registrations: usize,
    err: Option<ContextError>,
    done_tx: Option<Sender<()>>,
}

impl AfterFuncShared {
    fn new() -> Arc<AfterFuncShared> {
        let (tx, rx) = gort_chan::bounded(0);
        Arc::new(AfterFuncShared {
            state: Mutex::new(AfterFuncState {
                funcs: HashMap::new(),
                next_id: 0,
                registrations: 0,
                err: None,
                done_tx: Some(tx),
            }),
            done: rx.into(),
        })
    }

    /// Ends the context: records `err`, closes `done`, and runs every
    /// registered function on a thread of its own.
    fn cancel(&self, err: ContextError) {
        let mut st = self.state.lock().unwrap();
        if st.err.is_some() {
            return;
        }
        st.err = Some(err);
        drop(st.done_tx.take());
        for (_, f) in st.funcs.drain() {
            thread::spawn(f);
        }
    }

    /// Functions registered and not yet run or unregistered.
    fn pending(&self) -> usize {
        self.state.lock().unwrap().funcs.len()
    }

    /// Functions ever registered.
    fn registrations(&self) -> usize {
        self.state.lock().unwrap().registrations
    }
}

struct AfterFuncContext(Arc<AfterFuncShared>);

impl CustomContext for AfterFuncContext {
    fn done(&self) -> Option<&RecvOnly<()>> {
        Some(&self.0.done)
    }

    fn err(&self) -> Option<ContextError> {
        self.0.state.lock().unwrap().err
    }

    fn after_func(&self, f: Box<dyn FnOnce() + Send>) -> Option<Box<dyn FnOnce() -> bool + Send>> {
        let mut st = self.0.state.lock().unwrap();
        let id = st.next_id;
        st.next_id += 1;
        st.registrations += 1;
        st.funcs.insert(id, f);
        let shared = self.0.clone();
        Some(Box::new(move || {
            shared.state.lock().unwrap().funcs.remove(&id).is_some()
        }))
    }
}

/// A fresh `afterFuncContext`, as a `Context` and as itself.
fn after_func_context() -> (Context, Arc<AfterFuncShared>) {
    let shared = AfterFuncShared::new();
    (
        Context::from_custom(AfterFuncContext(shared.clone())),
        shared,
    )
}

/// Go: TestCustomContextAfterFuncCancel (afterfunc_test.go): a cancel child
/// of a custom context with `after_func` registers there (no watcher
/// thread) and ends when the custom context does.
#[test]
fn custom_context_after_func_cancel() {
    let _serial = custom_parents();
    let watchers = watchers_started();
    let (ctx0, shared) = after_func_context();
    let (ctx1, cancel) = ctx0.with_cancel();
    assert_eq!(shared.registrations(), 1);
    assert_eq!(watchers_started(), watchers, "no watcher thread");
    shared.cancel(ContextError::Canceled);
    wait_done(&ctx1, "ctx1");
    assert_eq!(ctx1.err(), Some(ContextError::Canceled));
    cancel.cancel();
}

/// Go: TestCustomContextAfterFuncTimeout (afterfunc_test.go): as above for
/// a timeout child.
#[test]
fn custom_context_after_func_timeout() {
    let _serial = custom_parents();
    let watchers = watchers_started();
    let (ctx0, shared) = after_func_context();
    let (ctx1, cancel) = ctx0.with_timeout(VERY_LONG);
    assert_eq!(shared.registrations(), 1);
    assert_eq!(watchers_started(), watchers, "no watcher thread");
    shared.cancel(ContextError::Canceled);
    wait_done(&ctx1, "ctx1");
    assert_eq!(ctx1.err(), Some(ContextError::Canceled));
    cancel.cancel();
}

/// Go: TestCustomContextAfterFuncAfterFunc (afterfunc_test.go): gort's
/// `after_func` on such a context registers with it and runs when it ends.
#[test]
fn custom_context_after_func_after_func() {
    let _serial = custom_parents();
    let watchers = watchers_started();
    let (ctx0, shared) = after_func_context();
    let (tx, rx) = mpsc::channel();
    let stop = after_func(&ctx0, move || tx.send(()).unwrap());
    assert_eq!(shared.registrations(), 1);
    assert_eq!(watchers_started(), watchers, "no watcher thread");
    shared.cancel(ContextError::Canceled);
    rx.recv_timeout(GUARD)
        .expect("runs when the custom context ends");
    assert!(!stop.stop());
}

/// Go: TestCustomContextAfterFuncUnregisterCancel (afterfunc_test.go): two
/// cancel children register with the custom context, and each cancel
/// unregisters its own.
#[test]
fn custom_context_after_func_unregister_cancel() {
    let (ctx0, shared) = after_func_context();
    let (_, cancel1) = ctx0.with_cancel();
    let (_, cancel2) = ctx0.with_cancel();
    assert_eq!(shared.pending(), 2, "after two with_cancel");
    cancel1.cancel();
    assert_eq!(shared.pending(), 1, "after the first cancel");
    cancel2.cancel();
    assert_eq!(shared.pending(), 0, "after both cancels");
}

/// Go: TestCustomContextAfterFuncUnregisterTimeout (afterfunc_test.go): a
/// timeout child's cancel unregisters it.
#[test]
fn custom_context_after_func_unregister_timeout() {
    let (ctx0, shared) = after_func_context();
    let (_, cancel) = ctx0.with_timeout(VERY_LONG);
    assert_eq!(shared.pending(), 1, "after with_timeout");
    cancel.cancel();
    assert_eq!(shared.pending(), 0, "after its cancel");
}

/// Go: TestCustomContextAfterFuncUnregisterAfterFunc (afterfunc_test.go):
/// `stop` unregisters an `after_func` from the custom context.
#[test]
fn custom_context_after_func_unregister_after_func() {
    let (ctx0, shared) = after_func_context();
    let stop = after_func(&ctx0, || {});
    assert_eq!(shared.pending(), 1, "after after_func");
    assert!(stop.stop());
    assert_eq!(shared.pending(), 0, "after stop");
}
