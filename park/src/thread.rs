//! How an OS thread waits: Go parks a goroutine and its M finds other work; a
//! thread blocked in a `*_blocking` call has nothing else to do, so it spins
//! briefly (the peer is often about to arrive, and waking a parked thread
//! costs microseconds) and then parks until a [`Waker`] unparks it.

use crate::sync::thread;
use core::task::Waker;
use std::sync::Arc;
use std::task::Wake;
use std::time::Instant;

/// Wakes one OS thread by unparking it.
struct Unparker(thread::Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

#[cfg(not(gort_loom))]
std::thread_local! {
    /// One waker per thread, built once: registering it clones an `Arc`.
    static CURRENT: Waker = Waker::from(Arc::new(Unparker(thread::current())));
}

/// Runs `f` with a waker that unparks the calling thread.
pub fn with_current_waker<R>(f: impl FnOnce(&Waker) -> R) -> R {
    #[cfg(not(gort_loom))]
    {
        CURRENT.with(f)
    }
    #[cfg(gort_loom)]
    {
        f(&Waker::from(Arc::new(Unparker(thread::current()))))
    }
}

/// Blocks the calling thread until `ready` returns `Some`, or until `deadline`
/// passes (then `None`).
///
/// The thread must be reachable through a waker from
/// [`with_current_waker`] by whoever makes `ready` true, and that party must
/// make `ready` true *before* it wakes the waker. Spurious unparks are
/// harmless: `ready` is checked after every one.
///
/// ```
/// use gort_park::{park_until, with_current_waker};
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
///
/// let flag = Arc::new(AtomicBool::new(false));
/// let waker = with_current_waker(|w| w.clone());
/// let f = flag.clone();
/// let t = std::thread::spawn(move || {
///     f.store(true, Ordering::Release);
///     waker.wake();
/// });
/// let seen = park_until(|| flag.load(Ordering::Acquire).then_some(()), None);
/// assert_eq!(seen, Some(()));
/// t.join().unwrap();
/// ```
pub fn park_until<R>(mut ready: impl FnMut() -> Option<R>, deadline: Option<Instant>) -> Option<R> {
    spin_until(&mut ready).or_else(|| park_loop(ready, deadline))
}

/// [`spin_until`]'s budget: rounds of doubling busy-wait (1, 2, 4, ...
/// pause instructions), then yields of the CPU. Short busy-waits catch a
/// peer running on the other CPU; yields let a peer that shares this CPU (or
/// a preempted lock holder) run before this thread pays for a futex sleep
/// and wake-up.
#[cfg(not(gort_loom))]
const SPIN_ROUNDS: u32 = 5;
#[cfg(not(gort_loom))]
const YIELDS: u32 = 32;

/// Waits until `ready` returns `Some` without sleeping: a microsecond or so
/// of busy-waiting, then up to `YIELDS` yields of the CPU (each returns at
/// once when no other thread wants this CPU). `None` if `ready` did not
/// turn `Some` within that budget. Never parks. (Under loom it checks once.)
///
/// ```
/// let mut n = 0;
/// assert_eq!(gort_park::spin_until(|| { n += 1; (n == 3).then_some(n) }), Some(3));
/// ```
pub fn spin_until<R>(mut ready: impl FnMut() -> Option<R>) -> Option<R> {
    #[cfg(not(gort_loom))]
    {
        for round in 0..SPIN_ROUNDS {
            if let Some(r) = ready() {
                return Some(r);
            }
            for _ in 0..1u32 << round {
                std::hint::spin_loop();
            }
        }
        for _ in 0..YIELDS {
            if let Some(r) = ready() {
                return Some(r);
            }
            thread::yield_now();
        }
    }
    ready()
}

/// Parks until `ready` returns `Some` or `deadline` passes, re-checking
/// after every (possibly spurious) unpark. The thread's executor, if it has
/// one, is told first ([`crate::hook::blocking`]).
pub(crate) fn park_loop<R>(
    mut ready: impl FnMut() -> Option<R>,
    deadline: Option<Instant>,
) -> Option<R> {
    if let Some(r) = ready() {
        return Some(r);
    }
    crate::hook::blocking(|| park_loop_inner(ready, deadline))
}

fn park_loop_inner<R>(
    mut ready: impl FnMut() -> Option<R>,
    deadline: Option<Instant>,
) -> Option<R> {
    loop {
        if let Some(r) = ready() {
            return Some(r);
        }
        match deadline {
            None => thread::park(),
            Some(deadline) => park_timeout(deadline)?,
        }
    }
}

/// Parks until `deadline`; `None` once it has passed.
#[cfg(not(gort_loom))]
fn park_timeout(deadline: Instant) -> Option<()> {
    let now = Instant::now();
    if now >= deadline {
        return None;
    }
    thread::park_timeout(deadline - now);
    Some(())
}

/// loom has no clock: a deadline expires at once, which explores the race of a
/// timeout against a completion.
#[cfg(gort_loom)]
fn park_timeout(_deadline: Instant) -> Option<()> {
    None
}
