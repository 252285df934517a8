//! How an executor learns what the tasks on its threads do, without any gort
//! crate depending on it: Go's `entersyscallblock`/`exitsyscall` around a
//! call that blocks the thread, and the preemption check every Go function
//! makes in its prologue (`stackguard0 == stackPreempt`).
//!
//! An executor installs its [`Hooks`] on each of its threads
//! ([`install`]). Every gort `*_blocking` call that is about to put the
//! thread to sleep runs inside [`blocking`], and every gort await point
//! (channel, select, waitgroup, semaphore, timer futures) begins with
//! [`preempt_check`]. On a thread without hooks (a plain thread, a tokio
//! worker) both cost one thread-local read and do nothing else.
//!
//! gort-executor installs hooks that hand the thread's P to another thread
//! while it blocks, and that make a task running past its time slice yield.
//! Libraries with long-running futures can call [`preempt_check`] at their
//! own await points to take part.

use crate::sync::{Arc, AtomicBool};
use core::cell::Cell;
use core::task::{Context, Waker};

/// An executor's answers to "this thread is about to block" and "may the
/// task being polled go on?". Each function finds the executor's own
/// per-thread state itself.
#[derive(Debug)]
pub struct Hooks {
    /// The thread is about to block (Go: `entersyscallblock`).
    pub enter_blocking: fn(),
    /// The thread no longer blocks (Go: `exitsyscall`). It may itself wait
    /// until the executor lets the thread run tasks again.
    pub exit_blocking: fn(),
    /// Called when the thread's preemption flag (see [`install`]) is set
    /// at an await point: whether the task being polled must yield now (Go:
    /// `newstack` finding `stackPreempt`). When it returns true the executor
    /// has already arranged for the task to run again (it usually wakes
    /// `waker`): the caller returns `Poll::Pending` without doing anything
    /// else.
    pub preempt: fn(&Waker) -> bool,
}

/// The hooks of this thread and how deep in [`blocking`] sections it is.
/// Plain `Copy` cells, so the thread-local needs no destructor and every
/// access is a plain read (its preemption flag lives in [`flag`]).
struct Installed {
    hooks: Cell<Option<&'static Hooks>>,
    depth: Cell<u32>,
}

#[cfg(not(gort_loom))]
std::thread_local! {
    static INSTALLED: Installed = const {
        Installed { hooks: Cell::new(None), depth: Cell::new(0) }
    };
}
#[cfg(gort_loom)]
loom::thread_local! {
    static INSTALLED: Installed = Installed { hooks: Cell::new(None), depth: Cell::new(0) };
}

/// The thread's preemption flag (Go: `stackguard0` poisoned), read at every
/// await point: one thread-local pointer and, when one is installed, one
/// relaxed load.
#[cfg(not(gort_loom))]
mod flag {
    use crate::sync::{Arc, AtomicBool, Ordering};
    use core::cell::{Cell, RefCell};
    use core::ptr::null;

    std::thread_local! {
        /// Points into the `Arc` that [`KEEP`] holds, or is null.
        static FLAG: Cell<*const AtomicBool> = const { Cell::new(null()) };
        /// Keeps the installed flag alive while [`FLAG`] points to it.
        static KEEP: Keep = const { Keep(RefCell::new(None)) };
    }

    struct Keep(RefCell<Option<Arc<AtomicBool>>>);

    impl Drop for Keep {
        /// At thread exit the flag goes: stop pointing to it first.
        fn drop(&mut self) {
            let _ = FLAG.try_with(|f| f.set(null()));
        }
    }

    pub(super) fn set(flag: Option<Arc<AtomicBool>>) {
        let ptr = flag.as_ref().map_or(null(), Arc::as_ptr);
        let _ = FLAG.try_with(|f| f.set(null()));
        // If `KEEP` is gone (thread exit), the flag is dropped unread.
        if let Ok(old) = KEEP.try_with(|k| k.0.replace(flag)) {
            drop(old);
            let _ = FLAG.try_with(|f| f.set(ptr));
        }
    }

    #[inline]
    pub(super) fn is_set() -> bool {
        let p = FLAG.try_with(Cell::get).unwrap_or(null());
        if p.is_null() {
            return false;
        }
        // `set` nulls `FLAG` before it replaces the `Arc` and sets it only
        // once the new one is held; `KEEP`'s destructor nulls it before the
        // `Arc` is dropped at thread exit.
        // SAFETY: so a non-null `FLAG` points into the `Arc` `KEEP` holds.
        unsafe { (*p).load(Ordering::Relaxed) }
    }
}

/// Under loom: the flag itself in the thread-local (no pointer to cache;
/// speed does not matter in models).
#[cfg(gort_loom)]
mod flag {
    use crate::sync::{Arc, AtomicBool, Ordering};
    use core::cell::RefCell;

    loom::thread_local! {
        static FLAG: RefCell<Option<Arc<AtomicBool>>> = RefCell::new(None);
    }

    pub(super) fn set(flag: Option<Arc<AtomicBool>>) {
        let _ = FLAG.try_with(|f| *f.borrow_mut() = flag);
    }

    pub(super) fn is_set() -> bool {
        FLAG.try_with(|f| {
            f.borrow()
                .as_ref()
                .is_some_and(|f| f.load(Ordering::Relaxed))
        })
        .unwrap_or(false)
    }
}

/// Installs `hooks` on the calling thread (`None` removes them), with the
/// flag the executor sets when the thread's task must yield (every await
/// point reads it; only when it is set does [`preempt_check`] call
/// `hooks.preempt`). Returns the previous hooks. For executors: call it
/// when a thread starts running tasks and again when it stops.
pub fn install(
    hooks: Option<&'static Hooks>,
    preempt: Option<Arc<AtomicBool>>,
) -> Option<&'static Hooks> {
    flag::set(preempt);
    INSTALLED
        .try_with(|i| i.hooks.replace(hooks))
        .ok()
        .flatten()
}

fn installed() -> Option<&'static Hooks> {
    INSTALLED.try_with(|i| i.hooks.get()).ok().flatten()
}

/// Runs `f`, which may block the calling thread, telling the thread's
/// executor before and after (Go: `entersyscallblock` ... `exitsyscall`).
/// Nested sections tell it once, around the outermost. Without hooks it
/// just calls `f`.
///
/// ```
/// let v = gort_park::hook::blocking(|| 6 * 7);
/// assert_eq!(v, 42);
/// ```
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    let Some(hooks) = installed() else {
        return f();
    };
    let outermost = INSTALLED.with(|i| {
        let d = i.depth.get();
        i.depth.set(d + 1);
        d == 0
    });
    if outermost {
        (hooks.enter_blocking)();
    }
    // Leaves the section also when `f` unwinds.
    struct Leave(&'static Hooks, bool);
    impl Drop for Leave {
        fn drop(&mut self) {
            let _ = INSTALLED.try_with(|i| i.depth.set(i.depth.get() - 1));
            if self.1 {
                (self.0.exit_blocking)();
            }
        }
    }
    let _leave = Leave(hooks, outermost);
    f()
}

/// Go's prologue check, for an await point: true if the task being polled
/// must yield now, in which case the caller returns `Poll::Pending` at once
/// (the executor has arranged for the task to be polled again, and the
/// future has done nothing yet, so nothing is lost). Call it on entry to a
/// future's first poll, before any work. Always false on a thread without
/// hooks, and inside a [`blocking`] section.
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
///
/// /// A future that is ready at once, but gives the executor a chance to
/// /// preempt the task first (as every gort await point does).
/// struct Step(bool);
/// impl Future for Step {
///     type Output = ();
///     fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
///         if !self.0 && gort_park::hook::preempt_check(cx) {
///             return Poll::Pending;
///         }
///         self.0 = true;
///         Poll::Ready(())
///     }
/// }
/// # let mut cx = Context::from_waker(std::task::Waker::noop());
/// assert_eq!(std::pin::pin!(Step(false)).poll(&mut cx), Poll::Ready(()));
/// ```
#[inline]
pub fn preempt_check(cx: &Context<'_>) -> bool {
    if !flag::is_set() {
        return false;
    }
    let asked = INSTALLED.try_with(|i| (i.depth.get() == 0).then(|| i.hooks.get()).flatten());
    match asked {
        Ok(Some(hooks)) => (hooks.preempt)(cx.waker()),
        _ => false,
    }
}

#[cfg(all(test, not(gort_loom)))]
mod tests {
    use super::*;
    use core::cell::Cell;
    use core::sync::atomic::Ordering::Relaxed;

    std::thread_local! {
        /// The preempt hook's calls on this thread (the tests run in
        /// parallel, and each installs `HOOKS` on a thread of its own).
        static ASKED: Cell<usize> = const { Cell::new(0) };
    }
    static HOOKS: Hooks = Hooks {
        enter_blocking: || {},
        exit_blocking: || {},
        preempt: |_| {
            ASKED.with(|a| a.set(a.get() + 1));
            true
        },
    };

    fn check() -> bool {
        preempt_check(&Context::from_waker(Waker::noop()))
    }

    /// The flag is read through the cached pointer while installed, never
    /// after it is replaced or removed, and not inside `blocking`.
    #[test]
    fn preempt_check_follows_the_installed_flag() {
        std::thread::spawn(|| {
            assert!(!check(), "no hooks: never preempted");
            let flag = Arc::new(AtomicBool::new(false));
            install(Some(&HOOKS), Some(flag.clone()));
            assert!(!check());
            flag.store(true, Relaxed);
            let before = ASKED.with(Cell::get);
            assert!(check());
            assert_eq!(ASKED.with(Cell::get), before + 1);
            assert!(!blocking(check), "inside a blocking section");
            let other = Arc::new(AtomicBool::new(false));
            install(Some(&HOOKS), Some(other.clone()));
            drop(flag); // the old flag is no longer referenced
            assert!(!check());
            install(None, None);
            drop(other);
            assert!(!check());
        })
        .join()
        .unwrap();
    }

    /// A thread may exit with a flag installed: the pointer is cleared
    /// before the flag goes, also for other thread-locals' destructors.
    #[test]
    fn thread_exit_with_a_flag_installed() {
        struct CheckOnExit;
        impl Drop for CheckOnExit {
            fn drop(&mut self) {
                let _ = check();
            }
        }
        std::thread_local!(static ON_EXIT: CheckOnExit = const { CheckOnExit });
        std::thread::spawn(|| {
            install(Some(&HOOKS), Some(Arc::new(AtomicBool::new(true))));
            ON_EXIT.with(|_| {});
            assert!(check());
        })
        .join()
        .unwrap();
    }
}
