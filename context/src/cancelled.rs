//! Waiting for cancellation as a future.

use crate::cancel_ctx::CancelCtx;
use gort_chan::{RecvFuture, RecvOnly};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// A [`Cancelled`] future's slot while it is not among its node's waiters.
const UNREGISTERED: usize = usize::MAX;

/// The future of [`Context::cancelled`](crate::Context::cancelled):
/// completes when the context is cancelled, never for a context that
/// cannot be (Go: `<-ctx.Done()`). It checks the preempt flag of a gort
/// runtime on its first poll, as every gort await point does.
///
/// On a gort context it waits in the context's list of waiters (no `done`
/// channel is made for it); under a custom parent, on its `done` channel.
///
/// Cancel-safe: dropping it leaves nothing behind.
#[must_use = "futures do nothing unless polled"]
pub struct Cancelled<'a> {
    wait: Wait<'a>,
}

enum Wait<'a> {
    /// Never cancelled.
    Never,
    /// A gort node; `slot` is this future's place in its waiters, and
    /// `polled` whether the preempt flag was checked.
    Node {
        node: &'a CancelCtx,
        slot: usize,
        polled: bool,
    },
    /// A custom parent's `done` channel.
    Done(RecvFuture<'a, ()>),
}

impl<'a> Cancelled<'a> {
    pub(crate) fn never() -> Cancelled<'a> {
        Cancelled { wait: Wait::Never }
    }

    pub(crate) fn node(node: &'a CancelCtx) -> Cancelled<'a> {
        Cancelled {
            wait: Wait::Node {
                node,
                slot: UNREGISTERED,
                polled: false,
            },
        }
    }

    pub(crate) fn done(done: &'a RecvOnly<()>) -> Cancelled<'a> {
        Cancelled {
            wait: Wait::Done(done.recv()),
        }
    }
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        // SAFETY: `wait` is structurally pinned: it is never moved out of
        // the pinned `Cancelled`, and `Cancelled`'s `Drop` only reads it.
        let wait = unsafe { &mut self.get_unchecked_mut().wait };
        match wait {
            Wait::Never => Poll::Pending,
            Wait::Node { node, slot, polled } => {
                if !*polled {
                    if gort_park::hook::preempt_check(cx) {
                        return Poll::Pending;
                    }
                    *polled = true;
                }
                if node.wait(slot, cx.waker()) {
                    *slot = UNREGISTERED;
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
            // SAFETY: pinned with `Cancelled` (see above).
            Wait::Done(recv) => unsafe { Pin::new_unchecked(recv) }.poll(cx).map(drop),
        }
    }
}

impl Drop for Cancelled<'_> {
    fn drop(&mut self) {
        if let Wait::Node { node, slot, .. } = &self.wait {
            if *slot != UNREGISTERED {
                node.unwait(*slot);
            }
        }
    }
}

impl fmt::Debug for Cancelled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let waits_on = match &self.wait {
            Wait::Never => "nothing",
            Wait::Node { .. } => "context",
            Wait::Done(_) => "done channel",
        };
        f.debug_struct("Cancelled")
            .field("waits_on", &waits_on)
            .finish()
    }
}
