//! `OnceValue`: Go's `sync.OnceValue` (sync/oncefunc.go, go1.23), the base
//! of [`OnceFunc`](crate::OnceFunc) and [`OnceValues`](crate::OnceValues).

use crate::Once;
use core::fmt;
use core::panic::{RefUnwindSafe, UnwindSafe};
use gort_sync::{AtomicBool, Ordering, UnsafeCell};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

/// A value computed by `f` on first use, at most once (Go: `sync.OnceValue`).
///
/// [`get`](Self::get) runs `f` on the first call (other callers block until
/// it finishes) and returns a reference to its result from then on. `f` is
/// dropped as soon as it has run, so what it captured is released even
/// while the `OnceValue` lives on.
///
/// If `f` panics, that first call panics with the original payload, and
/// every later call panics again with the same message (panic payloads
/// cannot be cloned, so later calls carry the message as a `String`).
///
/// ```
/// use gort_once::OnceValue;
///
/// static SUM: OnceValue<u64> = OnceValue::new(|| (0..1000).sum());
///
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| assert_eq!(*SUM.get(), 499_500));
///     }
/// });
/// ```
// `repr(C)` keeps `valid`, the fast path's flag, at offset 0.
#[repr(C)]
pub struct OnceValue<T, F = fn() -> T> {
    /// Set (release) once `state` holds `f`'s value, which is then never
    /// written again (Go: `valid`). Checked first, so a call after a
    /// successful `f` is one acquire load.
    valid: AtomicBool,
    once: Once,
    /// Written only by the caller that runs `f`, before `once` is done;
    /// only read after `once` is done.
    state: UnsafeCell<State<T, F>>,
}

/// The life of a `OnceValue`.
enum State<T, F> {
    /// `f` has not run (Go: `f` still set).
    Pending(F),
    /// `f` is running; it has been taken out.
    Running,
    /// `f` returned (Go: `valid == true`).
    Value(T),
    /// `f` panicked with this message (Go: `valid == false`, `p`).
    Panicked(Box<str>),
}

impl<T, F: FnOnce() -> T> OnceValue<T, F> {
    const_unless_loom! {
        /// A value that `f` will compute on the first [`get`](Self::get).
        ///
        /// ```
        /// let v = gort_once::OnceValue::new(|| "computed".to_string());
        /// assert_eq!(v.get(), "computed");
        /// ```
        pub fn new(f: F) -> Self {
            Self {
                valid: AtomicBool::new(false),
                once: Once::new(),
                state: UnsafeCell::new(State::Pending(f)),
            }
        }
    }
}

impl<T, F: FnOnce() -> T> OnceValue<T, F> {
    /// Runs `f` if it has not run yet, and returns its result (Go: the
    /// function returned by `OnceValue`).
    ///
    /// Blocks the thread while another caller runs `f`; do not call it from
    /// async code that might share its thread with that caller.
    ///
    /// # Panics
    ///
    /// If `f` panicked: on the first call with `f`'s own payload, on every
    /// later call with the same message. Calling `get` from inside `f`
    /// deadlocks, as in Go.
    ///
    /// ```
    /// use gort_once::OnceValue;
    /// use std::panic::{catch_unwind, AssertUnwindSafe};
    ///
    /// let v: OnceValue<u32> = OnceValue::new(|| panic!("no config"));
    /// for _ in 0..2 {
    ///     let err = catch_unwind(AssertUnwindSafe(|| v.get())).unwrap_err();
    ///     let msg = err.downcast_ref::<&str>().copied()
    ///         .or(err.downcast_ref::<String>().map(String::as_str));
    ///     assert_eq!(msg, Some("no config"));
    /// }
    /// ```
    #[inline]
    #[track_caller]
    pub fn get(&self) -> &T {
        if self.valid.load(Ordering::Acquire) {
            // SAFETY: `valid` is set, with release ordering, only after
            // `state` became `Value`, which is never written again.
            return match self.state.with(|s| unsafe { &*s }) {
                State::Value(v) => v,
                // SAFETY: as above, `valid` implies `Value`.
                _ => unsafe { core::hint::unreachable_unchecked() },
            };
        }
        self.get_slow()
    }

    /// The slow path of [`get`](Self::get) (Go: `once.Do(g)`, then the
    /// `valid` check), kept out of line so the inlined fast path is a load
    /// and a branch.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn get_slow(&self) -> &T {
        self.once.call_once(|| self.run());
        // SAFETY: `once` is done, so `state` is never written again, and its
        // writer's stores are visible (`call_once` returns after `f` ran,
        // with acquire ordering).
        match self.state.with(|s| unsafe { &*s }) {
            State::Value(v) => v,
            state => state.raise(),
        }
    }

    /// The body run under `once` (Go: the inner closure `g`): take `f` out,
    /// run it, and record its value or its panic message. The original panic
    /// then continues to the first caller.
    #[cold]
    fn run(&self) {
        // SAFETY: only the one caller that `once` lets run gets here, and
        // nobody reads `state` before `once` is done.
        let f = self.state.with_mut(|s| unsafe {
            match core::mem::replace(&mut *s, State::Running) {
                State::Pending(f) => f,
                _ => unreachable!("the initialiser runs once"),
            }
        });
        // `f` is consumed by the call: it is dropped when it returns or
        // unwinds (Go: `f = nil`; TestOnceXGC).
        let outcome = catch_unwind(AssertUnwindSafe(f));
        let (next, payload) = match outcome {
            Ok(value) => (State::Value(value), None),
            Err(payload) => (State::Panicked(panic_message(&*payload)), Some(payload)),
        };
        let valid = matches!(next, State::Value(_));
        // SAFETY: as above; still the only party touching `state`.
        self.state.with_mut(|s| unsafe { *s = next });
        self.valid.store(valid, Ordering::Release);
        if let Some(payload) = payload {
            resume_unwind(payload);
        }
    }
}

impl<T, F> State<T, F> {
    /// Re-raises a recorded panic (Go: `panic(p)` in the returned function).
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn raise(&self) -> ! {
        match self {
            State::Panicked(msg) => panic!("{msg}"),
            _ => unreachable!("a done Once has run its initialiser"),
        }
    }
}

/// The text of a panic payload, as std's panic hook shows it.
fn panic_message(payload: &(dyn Any + Send)) -> Box<str> {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).into()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.as_str().into()
    } else {
        "Box<dyn Any>".into()
    }
}

// SAFETY: `get` hands out `&T` to any thread (so `T: Sync`); the value is
// created on one thread and dropped on another (`T: Send`); `f` runs on
// whichever thread calls first (`F: Send`). `state` is written only by that
// one caller before `once` is done and read only after.
unsafe impl<T: Send + Sync, F: Send> Sync for OnceValue<T, F> {}

// A panicking `f` leaves a consistent state: the message is kept.
impl<T: RefUnwindSafe + UnwindSafe, F: UnwindSafe> RefUnwindSafe for OnceValue<T, F> {}
impl<T: UnwindSafe, F: UnwindSafe> UnwindSafe for OnceValue<T, F> {}

impl<T: Default> Default for OnceValue<T> {
    /// A value computed by `T::default` on first use.
    ///
    /// ```
    /// let v: gort_once::OnceValue<Vec<u8>> = Default::default();
    /// assert!(v.get().is_empty());
    /// ```
    fn default() -> Self {
        Self::new(T::default)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for OnceValue<T, F> {
    /// Shows the value once computed.
    ///
    /// ```
    /// let v = gort_once::OnceValue::new(|| 7);
    /// assert_eq!(format!("{v:?}"), "OnceValue(<pending>)");
    /// v.get();
    /// assert_eq!(format!("{v:?}"), "OnceValue(7)");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = f.debug_tuple("OnceValue");
        if !self.once.is_done() {
            return t.field(&format_args!("<pending>")).finish();
        }
        // SAFETY: done, so `state` is never written again.
        match self.state.with(|s| unsafe { &*s }) {
            State::Value(v) => t.field(v),
            State::Panicked(msg) => t.field(&format_args!("<panicked: {msg}>")),
            State::Pending(_) | State::Running => t.field(&format_args!("<pending>")),
        }
        .finish()
    }
}
