//! The functions that cancel a context (Go: `CancelFunc`,
//! `CancelCauseFunc`).

use crate::cancel_ctx::CancelCtx;
use crate::error::{Cause, ContextError};
use std::fmt;
use std::sync::Arc;

/// Cancels the context it came with (Go: `CancelFunc`). Idempotent, safe
/// to call from any thread; it does not wait for the work to stop. Clone
/// it to cancel from several places.
///
/// Dropping it does not cancel (Go's `vet` warns about a lost cancel; here
/// `#[must_use]` does). A context dropped without being cancelled is
/// freed with its subtree (no garbage collector is needed for that), but
/// until then it holds its place in its parent: call
/// [`cancel`](Self::cancel) when the work is done.
#[derive(Clone)]
pub struct CancelFunc {
    ctx: Arc<CancelCtx>,
    /// Go's `removeFromParent` argument of the function it returns.
    remove: bool,
}

impl CancelFunc {
    pub(crate) fn new(ctx: Arc<CancelCtx>, remove: bool) -> CancelFunc {
        CancelFunc { ctx, remove }
    }

    /// Cancels the context with `Canceled` (unless it is done already),
    /// and every context derived from it.
    ///
    /// ```
    /// use gort_context::{Context, ContextError};
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// cancel.cancel();
    /// cancel.cancel(); // no effect
    /// assert_eq!(ctx.err(), Some(ContextError::Canceled));
    /// ```
    pub fn cancel(&self) {
        self.ctx.cancel(self.remove, ContextError::Canceled, None);
    }
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelFunc")
            .field("done", &self.ctx.err().is_some())
            .finish()
    }
}

/// Cancels the context it came with, recording a cause (Go:
/// `CancelCauseFunc`). As [`CancelFunc`] otherwise.
#[derive(Clone)]
pub struct CancelCauseFunc {
    ctx: Arc<CancelCtx>,
}

impl CancelCauseFunc {
    pub(crate) fn new(ctx: Arc<CancelCtx>) -> CancelCauseFunc {
        CancelCauseFunc { ctx }
    }

    /// Cancels the context with `Canceled` and `cause` (`None`: the cause
    /// is `Canceled` itself), unless it is done already: the first
    /// cancellation's cause stays.
    ///
    /// ```
    /// use gort_context::{Context, ContextError};
    /// let (ctx, cancel) = Context::background().with_cancel_cause();
    /// cancel.cancel(None);
    /// let cause = ctx.cause().unwrap();
    /// assert_eq!(cause.downcast_ref(), Some(&ContextError::Canceled));
    /// ```
    pub fn cancel(&self, cause: Option<Cause>) {
        self.ctx.cancel(true, ContextError::Canceled, cause);
    }
}

impl fmt::Debug for CancelCauseFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelCauseFunc")
            .field("done", &self.ctx.err().is_some())
            .finish()
    }
}
