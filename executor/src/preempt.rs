//! Cooperative preemption: sysmon asks the G that has run 10 ms on one P
//! to yield (Go: `preemptone` sets `gp.preempt` and `gp.stackguard0 =
//! stackPreempt`), and the G yields at its next await point (Go: the next
//! function prologue sees `stackguard0`, `newstack` calls `gopreempt_m`,
//! which is `goschedImpl`: the G goes to the global queue).
//!
//! *Rust*: there are no prologues; every gort await point calls
//! [`gort_park::hook::preempt_check`] on entry: one thread-local read and
//! one load of the M's flag, and only a set flag lands in [`check`].
//! Go's asynchronous preemption (a signal that stops the G anywhere) has no
//! counterpart: a loop without await points keeps its poll, and sysmon
//! hands its P to another M instead (see `retake`).

use crate::p::P;
use crate::worker;
use core::task::{Context, Waker};
use gort_sync::Ordering::*;

/// Port of `preemptone`: asks the G running on `p` to yield at its next
/// await point (sets its M's flag, which every gort await point reads).
/// Best effort, as in Go: the G may have just parked, and the request then
/// reaches the next G of the same time slice. True if the request is new.
pub(crate) fn preemptone(p: &P) -> bool {
    p.polling_m()
        .is_some_and(|m| !m.preempt.load(Relaxed) && !m.preempt.swap(true, Relaxed))
}

/// The preemption hook (Go: `newstack` seeing `stackPreempt`, then
/// `gopreempt_m`), called by an await point that found the thread's flag
/// set: the G polled on this thread yields (its waker woken, the G marked
/// to go to the global queue).
pub(crate) fn check(waker: &Waker) -> bool {
    worker::with(|w| {
        let Some(w) = w else { return false };
        w.m.preempt.store(false, Relaxed);
        w.yielded.set(true);
        waker.wake_by_ref();
        true
    })
}

/// Go's preemption check for await points outside gort (Go: the prologue
/// check every function makes): call it on entry to a future's poll, before
/// doing any work; if it returns `true`, return `Poll::Pending` at once (the
/// task has been scheduled to run again, behind the tasks that waited).
///
/// On a gort runtime it is true when sysmon asked the running task to yield
/// (it has run for 10 ms without giving up its time slice), or when the
/// task's P was handed to another thread while this poll ran. Elsewhere it
/// is always false. Every gort channel, select, wait group, semaphore and
/// timer future already calls it.
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
///
/// /// An await point of a library that does long work in each step.
/// struct Step<'a>(&'a mut u64);
/// impl Future for Step<'_> {
///     type Output = ();
///     fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
///         if gort_executor::preempt_check(cx) {
///             return Poll::Pending;
///         }
///         *self.get_mut().0 += 1;
///         Poll::Ready(())
///     }
/// }
///
/// let rt = gort_executor::Runtime::new();
/// let mut n = 0;
/// rt.block_on(async {
///     for _ in 0..1000 {
///         Step(&mut n).await;
///     }
/// });
/// assert_eq!(n, 1000);
/// ```
pub fn preempt_check(cx: &Context<'_>) -> bool {
    gort_park::hook::preempt_check(cx)
}
