//! Go's sync/once_test.go and sync/oncefunc_test.go (go1.23), re-expressed.
//!
//! Left out: TestOnceFuncGoexit (Rust has no `runtime.Goexit`), and the
//! allocation checks of TestOnceFunc/TestOnceValue/TestOnceValues, which
//! live in `tests/allocations.rs` (they need a counting global allocator).

use gort_once::{Once, OnceFunc, OnceValue, OnceValues};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The message of a panic payload (`&str` or `String`).
fn message(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// TestOnce: 10 threads call `call_once(increment)`; each sees 1 when its
/// call returns, and the total is 1.
#[test]
fn once() {
    let once = Once::new();
    let o = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..10 {
            s.spawn(|| {
                once.call_once(|| {
                    o.fetch_add(1, Ordering::Relaxed);
                });
                assert_eq!(o.load(Ordering::Relaxed), 1, "once failed inside run");
            });
        }
    });
    assert_eq!(o.load(Ordering::Relaxed), 1, "once failed outside run");
}

/// TestOncePanic: the first call panics; a second call must not run its `f`.
#[test]
fn once_panic() {
    let once = Once::new();
    let err = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("failed"))))
        .expect_err("call_once did not panic");
    assert_eq!(message(&*err), Some("failed"));
    assert!(once.is_done());
    once.call_once(|| panic!("call_once called twice"));
}

/// TestOnceFunc (calls part).
#[test]
fn once_func() {
    let calls = AtomicUsize::new(0);
    let f = OnceFunc::new(|| {
        calls.fetch_add(1, Ordering::Relaxed);
    });
    for _ in 0..10 {
        f.call();
    }
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

/// TestOnceValue (calls and value).
#[test]
fn once_value() {
    let calls = AtomicUsize::new(0);
    let f = OnceValue::new(|| calls.fetch_add(1, Ordering::Relaxed) + 1);
    for _ in 0..10 {
        f.get();
    }
    assert_eq!(*f.get(), 1);
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

/// TestOnceValues (calls and values): Go's `(1, 2)` pair is `Ok(&(1, 2))`.
#[test]
fn once_values() {
    let calls = AtomicUsize::new(0);
    let f = OnceValues::new(|| {
        let c = calls.fetch_add(1, Ordering::Relaxed) + 1;
        Ok::<_, String>((c, c + 1))
    });
    for _ in 0..10 {
        let _ = f.get();
    }
    assert_eq!(f.get(), Ok(&(1, 2)));
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

/// Go's `testOncePanicWith`: every call panics, `check` accepts each
/// payload, and the wrapped function ran once.
fn once_panic_with(
    calls: &AtomicUsize,
    f: &dyn Fn(),
    check: impl Fn(&str, &(dyn std::any::Any + Send)),
) {
    for label in ["first time", "second time"] {
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(()) => panic!("{label}: f did not panic"),
            Err(payload) => check(label, &*payload),
        }
    }
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

/// Go's `testOncePanicX`: every call panics with "x".
fn once_panic_x(calls: &AtomicUsize, f: &dyn Fn()) {
    once_panic_with(calls, f, |label, p| {
        assert_eq!(message(p), Some("x"), "{label}: want panic x");
    });
}

/// TestOnceFuncPanic.
#[test]
fn once_func_panic() {
    let calls = AtomicUsize::new(0);
    let f = OnceFunc::new(|| {
        calls.fetch_add(1, Ordering::Relaxed);
        panic!("x");
    });
    once_panic_x(&calls, &|| f.call());
}

/// TestOnceValuePanic.
#[test]
fn once_value_panic() {
    let calls = AtomicUsize::new(0);
    let f: OnceValue<i32, _> = OnceValue::new(|| {
        calls.fetch_add(1, Ordering::Relaxed);
        panic!("x")
    });
    once_panic_x(&calls, &|| {
        f.get();
    });
}

/// TestOnceValuesPanic.
#[test]
fn once_values_panic() {
    let calls = AtomicUsize::new(0);
    let f: OnceValues<i32, i32, _> = OnceValues::new(|| {
        calls.fetch_add(1, Ordering::Relaxed);
        panic!("x")
    });
    once_panic_x(&calls, &|| {
        let _ = f.get();
    });
}

/// A non-string payload, the closest Rust has to TestOnceFuncPanicNil's
/// `panic(nil)`: the first call carries the payload itself, later calls
/// the message std's hook shows for it.
#[test]
fn once_func_panic_non_string_payload() {
    let calls = AtomicUsize::new(0);
    let f = OnceFunc::new(|| {
        calls.fetch_add(1, Ordering::Relaxed);
        std::panic::panic_any(42u8);
    });
    let first = catch_unwind(AssertUnwindSafe(|| f.call())).expect_err("panics");
    assert_eq!(first.downcast_ref::<u8>(), Some(&42));
    let second = catch_unwind(AssertUnwindSafe(|| f.call())).expect_err("panics");
    assert_eq!(message(&*second), Some("Box<dyn Any>"));
    assert_eq!(calls.load(Ordering::Relaxed), 1);
}

/// TestOnceFuncPanicTraceback's point: the first call's panic is `f`'s own
/// (its payload and, with it, its backtrace), not a re-raise.
#[test]
fn once_func_first_panic_is_the_original() {
    #[derive(Debug, PartialEq)]
    struct Original(u32);
    let f = OnceFunc::new(|| std::panic::panic_any(Original(7)));
    let first = catch_unwind(AssertUnwindSafe(|| f.call())).expect_err("panics");
    assert_eq!(first.downcast_ref::<Original>(), Some(&Original(7)));
}

/// Counts how many of its instances were dropped.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// TestOnceXGC: what `f` captured is not dropped before the first call, and
/// is dropped by it, although the wrapper lives on. Also for a panicking
/// `f`.
#[test]
fn once_x_drops_f_after_the_call() {
    fn check(make: impl Fn(DropCount) -> Box<dyn Fn()>) {
        let drops = Arc::new(AtomicUsize::new(0));
        let f = make(DropCount(drops.clone()));
        assert_eq!(drops.load(Ordering::SeqCst), 0, "f dropped too early");
        let _ = catch_unwind(AssertUnwindSafe(&f));
        assert_eq!(
            drops.load(Ordering::SeqCst),
            1,
            "f still alive after the call"
        );
        let _ = catch_unwind(AssertUnwindSafe(&f));
        drop(f);
        assert_eq!(drops.load(Ordering::SeqCst), 1, "f dropped twice");
    }
    check(|buf| {
        let f = OnceFunc::new(move || {
            let _keep = &buf;
        });
        Box::new(move || f.call())
    });
    check(|buf| {
        let f = OnceValue::new(move || {
            let _keep = &buf;
            1
        });
        Box::new(move || {
            f.get();
        })
    });
    check(|buf| {
        let f = OnceValues::new(move || {
            let _keep = &buf;
            Ok::<_, ()>(1)
        });
        Box::new(move || {
            let _ = f.get();
        })
    });
    check(|buf| {
        let f = OnceFunc::new(move || {
            let _keep = &buf;
            panic!("x")
        });
        Box::new(move || f.call())
    });
}

/// An `f` that never runs is dropped with the wrapper; a computed value is
/// dropped exactly once, with the wrapper.
#[test]
fn values_and_functions_are_dropped_exactly_once() {
    let (f_drops, value_drops) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let make = || {
        let captured = DropCount(f_drops.clone());
        let value_drops = value_drops.clone();
        OnceValue::new(move || {
            let _captured = captured;
            DropCount(value_drops)
        })
    };
    drop(make());
    assert_eq!(
        f_drops.load(Ordering::SeqCst),
        1,
        "the unused f was dropped"
    );
    assert_eq!(value_drops.load(Ordering::SeqCst), 0);
    let once = make();
    once.get();
    once.get();
    assert_eq!(
        f_drops.load(Ordering::SeqCst),
        2,
        "f was dropped after the call"
    );
    assert_eq!(value_drops.load(Ordering::SeqCst), 0, "the value is kept");
    drop(once);
    assert_eq!(
        value_drops.load(Ordering::SeqCst),
        1,
        "the value was dropped once"
    );
}

/// Every caller of a `OnceValue` returns only after `f` has finished, and
/// sees its value; `f` runs once.
#[test]
fn once_value_concurrent_callers_wait_for_f() {
    let calls = AtomicUsize::new(0);
    let v = OnceValue::new(|| {
        calls.fetch_add(1, Ordering::SeqCst);
        std::thread::yield_now();
        vec![1, 2, 3]
    });
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| assert_eq!(v.get(), &[1, 2, 3]));
        }
    });
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// Concurrent callers of a panicking `OnceFunc` all panic with "x".
#[test]
fn once_func_panic_reaches_every_concurrent_caller() {
    let calls = AtomicUsize::new(0);
    let f = OnceFunc::new(|| {
        calls.fetch_add(1, Ordering::SeqCst);
        panic!("x");
    });
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let err = catch_unwind(AssertUnwindSafe(|| f.call())).expect_err("panics");
                assert_eq!(message(&*err), Some("x"));
            });
        }
    });
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn statics_and_traits() {
    static ONCE: Once = Once::new();
    static VALUE: OnceValue<u32> = OnceValue::new(|| 5);
    static FUNC: OnceFunc = OnceFunc::new(|| {});
    static VALUES: OnceValues<u32, ()> = OnceValues::new(|| Ok(6));
    ONCE.call_once(|| {});
    FUNC.call();
    assert_eq!((*VALUE.get(), VALUES.get()), (5, Ok(&6)));
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Once>();
    send_sync::<OnceValue<u32>>();
    send_sync::<OnceFunc>();
    send_sync::<OnceValues<u32, String>>();
    fn unwind_safe<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    unwind_safe::<Once>();
    unwind_safe::<OnceValue<u32>>();
    assert_eq!(format!("{ONCE:?}"), "Once { done: true, .. }");
    assert_eq!(format!("{:?}", Once::default()), "Once { done: false, .. }");
}
