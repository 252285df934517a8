#![cfg(not(gort_loom))]
//! Go's TestAllocs (context/x_test.go, go1.23), with gort-testkit's
//! counting allocator (a global allocator is per test binary, hence a file
//! of its own with a single test). Only this thread's allocations are
//! counted, so the timer and runner threads, and a busy machine, cannot
//! change the numbers.
//!
//! Go's ceilings are 0 for `Background`, 3 for `WithValue`, 12 for a 1 ns
//! `WithTimeout`, 5 for `WithCancel` and 8 for a cancelled `WithTimeout`.
//! The ceilings below are gort's measured counts: the context node is one
//! allocation, a deadline's fields one more, a value one more unless it is
//! zero-sized, the done channel one (made only if someone asks for `done`
//! before the cancel), and a deadline's timer at most three.

use gort_context::{Context, Key};
use gort_testkit::{CountingAlloc, allocated_by};
use std::time::Duration;

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

const RUNS: usize = 100;
/// A failure guard for waits on a `done` channel.
const GUARD: Duration = Duration::from_secs(30);

/// All the allocations of `RUNS` calls of `f`, after one warm-up call
/// (lazy statics, the timer thread).
fn allocs_in_runs(f: impl Fn()) -> usize {
    f();
    let (counted, ()) =
        allocated_by(|| (0..RUNS).for_each(|_| f())).expect("the counting allocator is installed");
    counted.allocs
}

/// Go's `testing.AllocsPerRun`: the average, rounded down.
fn allocs_per_run(f: impl Fn()) -> usize {
    allocs_in_runs(f) / RUNS
}

/// Waits for `ctx` to be done, failing after [`GUARD`].
fn wait_done(ctx: &Context) {
    assert_eq!(
        ctx.done().recv_timeout(GUARD),
        Err(gort_chan::RecvTimeoutError::Closed),
        "not done"
    );
}

/// Go: TestAllocs (x_test.go): what making, cancelling and waiting on each
/// kind of context allocates, and what never allocates: `background`,
/// `done`/`err`/`cause` on live and cancelled contexts, and the done
/// channel of a context nobody waited on before it was cancelled.
#[test]
fn allocs() {
    static UNIT: Key<()> = Key::new("unit");
    static NAME: Key<Option<&str>> = Key::new("name");
    let bg = Context::background();

    // Go: Background() allocates nothing; nor do its methods.
    assert_eq!(
        allocs_in_runs(|| drop(Context::background())),
        0,
        "background()"
    );
    assert_eq!(allocs_in_runs(|| drop(Context::todo())), 0, "todo()");
    assert_eq!(allocs_in_runs(|| drop(bg.done())), 0, "background().done()");
    assert_eq!(
        allocs_in_runs(|| assert!(bg.err().is_none())),
        0,
        "background().err()"
    );

    // Go: WithValue(bg, k1, nil) and a lookup, at most 3.
    let with_unit = allocs_per_run(|| {
        let c = bg.with_value(&UNIT, ());
        assert_eq!(c.value(&UNIT), Some(&()));
    });
    assert!(
        with_unit <= 1,
        "with_value(zero-sized) allocates {with_unit}"
    );
    let with_option = allocs_per_run(|| {
        let c = bg.with_value(&NAME, None);
        assert_eq!(c.value(&NAME), Some(&None));
    });
    assert!(
        with_option <= 2,
        "with_value(Option) allocates {with_option}"
    );

    // Go: WithTimeout(bg, 1ns) and <-Done, at most 12. The deadline has
    // usually passed when it is made (no timer); 5 if a timer is armed.
    let timeout_1ns = allocs_per_run(|| {
        let (c, _cancel) = bg.with_timeout(Duration::from_nanos(1));
        wait_done(&c);
    });
    assert!(
        timeout_1ns <= 5,
        "with_timeout(1ns) allocates {timeout_1ns}"
    );

    // Go: WithCancel(bg), cancel and <-Done, at most 5. Here just the
    // node: cancelled before anyone asked for `done`, it gets the shared
    // closed channel.
    let cancel_then_done = allocs_per_run(|| {
        let (c, cancel) = bg.with_cancel();
        cancel.cancel();
        wait_done(&c);
    });
    assert!(
        cancel_then_done <= 1,
        "with_cancel allocates {cancel_then_done}"
    );

    // Go: WithTimeout(bg, 5ms), cancel and <-Done, at most 8.
    let timeout_cancelled = allocs_per_run(|| {
        let (c, cancel) = bg.with_timeout(Duration::from_millis(5));
        cancel.cancel();
        wait_done(&c);
    });
    assert!(
        timeout_cancelled <= 5,
        "with_timeout(5ms) then cancel allocates {timeout_cancelled}"
    );

    // A context nobody waits on allocates no channel: asking for `done`
    // after the cancel costs nothing, asking before costs the channel.
    let never_asked = allocs_per_run(|| {
        let (c, cancel) = bg.with_cancel();
        cancel.cancel();
        assert!(c.err().is_some());
    });
    let asked_first = allocs_per_run(|| {
        let (c, cancel) = bg.with_cancel();
        drop(c.done());
        cancel.cancel();
        wait_done(&c);
    });
    assert_eq!(
        never_asked, cancel_then_done,
        "done() after the cancel allocated"
    );
    assert!(
        asked_first > never_asked,
        "done() before the cancel made no channel ({asked_first} vs {never_asked})"
    );
    assert!(
        asked_first <= 2,
        "with_cancel, done, cancel allocates {asked_first}"
    );

    // done(), err() on a live context: nothing once the channel exists.
    let (live, _cancel_live) = bg.with_cancel();
    drop(live.done());
    assert_eq!(allocs_in_runs(|| drop(live.done())), 0, "live done()");
    assert_eq!(
        allocs_in_runs(|| assert!(live.err().is_none())),
        0,
        "live err()"
    );
    assert_eq!(
        allocs_in_runs(|| assert!(live.cause().is_none())),
        0,
        "live cause()"
    );

    // A child of a live parent costs its node only (the parent's set is
    // kept for the next child once this one leaves it).
    let child = allocs_per_run(|| {
        let (c, cancel) = live.with_cancel();
        cancel.cancel();
        drop(c);
    });
    assert!(child <= 1, "a child of a live context allocates {child}");

    // done(), err(), cause() on a cancelled context: nothing.
    let (dead, cancel_dead) = bg.with_cancel();
    cancel_dead.cancel();
    assert_eq!(allocs_in_runs(|| drop(dead.done())), 0, "cancelled done()");
    assert_eq!(
        allocs_in_runs(|| assert!(dead.err().is_some())),
        0,
        "cancelled err()"
    );
    assert_eq!(
        allocs_in_runs(|| assert!(dead.cause().is_some())),
        0,
        "cancelled cause()"
    );

    // A `with_cancel` child of a cancelled context, and its child: born
    // cancelled, they share the parent's node (Go allocates each).
    assert_eq!(
        allocs_in_runs(|| {
            let (c, _cancel) = dead.with_cancel();
            let (grandchild, _cancel) = c.with_cancel_cause();
            assert!(grandchild.err().is_some());
        }),
        0,
        "with_cancel of a cancelled context"
    );
}
