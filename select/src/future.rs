//! Driving a select: as a future (`select!`, `Select::select`), on a
//! blocked thread (`select_blocking!`), or without waiting. gort-chan runs
//! Go's `selectgo`; this adds the `default` arms, whose async timeout needs
//! gort-time.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use gort_chan::raw::{Cases, SelectGo};
use std::time::{Duration, Instant};

/// A select's `default` arm.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// No default: wait for an arm.
    None,
    /// `default => ...`: never wait (Go's `block == false`).
    Now,
    /// `default(d) => ...`: wait for an arm at most `d` (a thread parks with a
    /// deadline; a task holds a `gort_time::Sleep`, no timer channel).
    After(Duration),
}

/// A select over `cases`, in progress. The `select!` macros and the dynamic
/// [`Select`](crate::Select) build it; its output is the winning arm's index,
/// or `None` when the default arm runs.
///
/// Dropping it before it completes dequeues every arm, and a value a receive
/// arm was already handed goes back to its channel.
#[doc(hidden)]
#[must_use = "futures do nothing unless polled"]
pub struct SelectFuture<'a, C: Cases<'a>> {
    sel: SelectGo<'a, C>,
    default: Default,
    /// The async `default(d)` arm's timer: no timer channel, one heap entry.
    timeout: Option<gort_time::Sleep>,
}

impl<'a, C: Cases<'a>> SelectFuture<'a, C> {
    /// A select over `cases` with the given default arm.
    pub fn new(cases: C, default: Default) -> Self {
        Self {
            sel: SelectGo::new(cases),
            default,
            timeout: None,
        }
    }

    fn fields(
        self: Pin<&mut Self>,
    ) -> (
        Pin<&mut SelectGo<'a, C>>,
        Default,
        &mut Option<gort_time::Sleep>,
    ) {
        // SAFETY: only `sel` is structurally pinned, and it is handed out
        // pinned (`Sleep` is `Unpin`).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let sel = unsafe { Pin::new_unchecked(&mut this.sel) };
        (sel, this.default, &mut this.timeout)
    }

    /// Runs the select on this thread, blocking it until an arm wins or the
    /// default arm is due (Go's `selectgo` with a parked goroutine).
    pub fn run_blocking(self: Pin<&mut Self>) -> Option<usize> {
        let (sel, default, _) = self.fields();
        let deadline = match default {
            // A deadline too far to represent is no deadline.
            Default::After(d) => Instant::now().checked_add(d),
            _ => None,
        };
        sel.select_blocking(default != Default::Now, deadline)
    }

    /// The arms, once the select is over (for the dynamic `Select`).
    pub(crate) fn cases(self: Pin<&mut Self>) -> &mut C {
        self.fields().0.cases()
    }
}

impl<'a, C: Cases<'a>> Future for SelectFuture<'a, C> {
    type Output = Option<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<usize>> {
        let (mut sel, default, timeout) = self.fields();
        if let Poll::Ready(out) = sel.as_mut().poll_select(cx, default != Default::Now) {
            return Poll::Ready(out);
        }
        // The `default(d)` arm: due once `d` passed with no arm ready.
        let Default::After(d) = default else {
            return Poll::Pending;
        };
        let sleep = timeout.get_or_insert_with(|| gort_time::sleep(d));
        if Pin::new(sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        // An arm may still win the race against the timeout.
        Poll::Ready(sel.cancel())
    }
}

impl<'a, C: Cases<'a>> fmt::Debug for SelectFuture<'a, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectFuture")
            .field("sel", &self.sel)
            .field("default", &self.default)
            .finish()
    }
}
