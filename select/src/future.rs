//! Driving a select: as a future (`select!`, `Select::select`), on a
//! blocked thread (`select_blocking!`), or without waiting.

use crate::case::Cases;
use crate::selectgo::{Begin, Selector};
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
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
    cases: C,
    sel: Selector,
    default: Default,
    started: bool,
    /// The async `default(d)` arm's timer: no timer channel, one heap entry.
    timeout: Option<gort_time::Sleep>,
    _arms: PhantomData<&'a ()>,
}

impl<'a, C: Cases<'a>> SelectFuture<'a, C> {
    /// A select over `cases` with the given default arm.
    pub fn new(cases: C, default: Default) -> Self {
        let n = cases.len();
        Self {
            cases,
            sel: Selector::new(n),
            default,
            started: false,
            timeout: None,
            _arms: PhantomData,
        }
    }

    #[allow(clippy::type_complexity)]
    fn fields(
        self: Pin<&mut Self>,
    ) -> (
        &mut C,
        Pin<&mut Selector>,
        Default,
        &mut bool,
        &mut Option<gort_time::Sleep>,
    ) {
        // SAFETY: only `sel` is structurally pinned, and it is handed out
        // pinned (`Sleep` is `Unpin`).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let sel = unsafe { Pin::new_unchecked(&mut this.sel) };
        (
            &mut this.cases,
            sel,
            this.default,
            &mut this.started,
            &mut this.timeout,
        )
    }

    /// Runs the select on this thread, blocking it until an arm wins or the
    /// default arm is due (Go's `selectgo` with a parked goroutine).
    pub fn run_blocking(self: Pin<&mut Self>) -> Option<usize> {
        let (cases, mut sel, default, started, _) = self.fields();
        *started = true;
        let deadline = match default {
            Default::After(d) => Some(Instant::now().checked_add(d)),
            _ => None,
        };
        match sel.as_mut().begin(cases, default != Default::Now, None) {
            Begin::Ready(i) => Some(i),
            Begin::Default => None,
            Begin::Never => match deadline {
                Some(Some(_)) => {
                    if let Default::After(d) = default {
                        std::thread::sleep(d);
                    }
                    None
                }
                // Go's `block()`: a select with nothing to wait for sleeps
                // forever.
                _ => loop {
                    std::thread::park();
                },
            },
            Begin::Queued => sel.wait(cases, deadline.flatten()),
        }
    }
}

impl<'a, C: Cases<'a>> Future for SelectFuture<'a, C> {
    type Output = Option<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<usize>> {
        let (cases, mut sel, default, started, timeout) = self.fields();
        if !*started {
            *started = true;
            match sel
                .as_mut()
                .begin(cases, default != Default::Now, Some(cx.waker()))
            {
                Begin::Ready(i) => return Poll::Ready(Some(i)),
                Begin::Default => return Poll::Ready(None),
                Begin::Queued | Begin::Never => {}
            }
            if let Default::After(d) = default {
                *timeout = Some(gort_time::sleep(d));
            }
        } else if sel.is_queued() {
            if let Some(i) = sel.as_mut().poll_done(cases, cx.waker()) {
                return Poll::Ready(Some(i));
            }
        }
        // The `default(d)` arm: due once `d` passed with no arm ready.
        let Some(sleep) = timeout else {
            return Poll::Pending;
        };
        if Pin::new(sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        // An arm may still win the race against the timeout.
        Poll::Ready(sel.cancel(cases, true))
    }
}

impl<'a, C: Cases<'a>> SelectFuture<'a, C> {
    /// The arms, once the select is over (for the dynamic `Select`).
    pub(crate) fn cases_mut(self: Pin<&mut Self>) -> &mut C {
        let (cases, sel, _, _, _) = self.fields();
        debug_assert!(!sel.is_queued());
        cases
    }
}

impl<'a, C: Cases<'a>> Drop for SelectFuture<'a, C> {
    fn drop(&mut self) {
        // SAFETY: `drop` runs on a pinned (or never pinned) value; `sel` is
        // structurally pinned.
        let sel = unsafe { Pin::new_unchecked(&mut self.sel) };
        if sel.is_queued() {
            sel.cancel(&mut self.cases, false);
        }
    }
}

impl<'a, C: Cases<'a>> fmt::Debug for SelectFuture<'a, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectFuture")
            .field("arms", &self.cases.len())
            .field("default", &self.default)
            .field("started", &self.started)
            .field("queued", &self.sel.is_queued())
            .finish()
    }
}
