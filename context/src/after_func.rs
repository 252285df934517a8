//! Go's `AfterFunc`: a function run once a context is done.

use crate::cancel_ctx::CancelCtx;
use crate::context::Context;
use std::fmt;
use std::sync::Arc;

/// Arranges for `f` to run once, on a thread of its own, after `ctx` is
/// cancelled (at once if it already is); never, if `ctx` cannot be
/// cancelled or [`AfterFuncStop::stop`] returned true first (Go:
/// `context.AfterFunc`). Cancelling never waits for `f`. Several
/// `after_func`s on one context are independent. Dropping the returned
/// handle does not unregister `f`.
///
/// ```
/// use gort_context::{Context, after_func};
/// let (ctx, cancel) = Context::background().with_cancel();
/// let (tx, rx) = std::sync::mpsc::channel();
/// let _stop = after_func(&ctx, move || tx.send("cleaned up").unwrap());
/// cancel.cancel();
/// assert_eq!(rx.recv().unwrap(), "cleaned up");
/// ```
pub fn after_func(ctx: &Context, f: impl FnOnce() + Send + 'static) -> AfterFuncStop {
    AfterFuncStop {
        node: ctx.with_cancel_node(None, Some(Box::new(f))),
    }
}

/// Stops an [`after_func`] registration (Go: the `stop` function
/// `AfterFunc` returns).
pub struct AfterFuncStop {
    node: Arc<CancelCtx>,
}

impl AfterFuncStop {
    /// Unregisters the function: true if this call stopped it from running;
    /// false if it had already started (the context was cancelled) or was
    /// stopped before. Never waits for it.
    ///
    /// ```
    /// use gort_context::{Context, after_func};
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// let stop = after_func(&ctx, || unreachable!());
    /// assert!(stop.stop());
    /// assert!(!stop.stop());
    /// cancel.cancel(); // the function does not run
    /// ```
    pub fn stop(&self) -> bool {
        self.node.stop_after_func()
    }
}

impl fmt::Debug for AfterFuncStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterFuncStop")
            .field("ended", &self.node.err().is_some())
            .finish()
    }
}
