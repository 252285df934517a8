//! Contexts gort does not make (Go: any type implementing `Context`).

use crate::context::Context;
use crate::error::ContextError;
use gort_chan::RecvOnly;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// A context of your own (Go: a type implementing the `Context`
/// interface), made a [`Context`] by [`Context::from_custom`]. gort's
/// contexts derived from it are cancelled when its [`done`](Self::done)
/// channel closes: through its [`after_func`](Self::after_func) if it has
/// one (Go's `afterFuncer`), else by a watcher thread per derived context
/// (Go's goroutine in `propagateCancel`), which ends when either is done.
///
/// ```
/// use gort_chan::RecvOnly;
/// use gort_context::{Context, ContextError, CustomContext};
///
/// // Done when its owner says so, like a server's shutdown signal.
/// struct Shutdown { done: RecvOnly<()> }
/// impl CustomContext for Shutdown {
///     fn done(&self) -> Option<&RecvOnly<()>> { Some(&self.done) }
///     fn err(&self) -> Option<ContextError> {
///         self.done.is_closed().then_some(ContextError::Canceled)
///     }
/// }
///
/// let (tx, rx) = gort_chan::bounded(0);
/// let shutdown = Context::from_custom(Shutdown { done: rx.into() });
/// let (request, _cancel) = shutdown.with_cancel();
/// tx.close();
/// assert!(request.done().recv_blocking().is_err()); // closed: cancelled
/// assert_eq!(request.err(), Some(ContextError::Canceled));
/// ```
pub trait CustomContext: Send + Sync + 'static {
    /// When the context will be cancelled, if it has a deadline (Go:
    /// `Deadline`).
    fn deadline(&self) -> Option<Instant> {
        None
    }

    /// A channel closed when the context is done; `None` if it never is
    /// (Go: `Done`, nil). It must be the same channel at every call.
    fn done(&self) -> Option<&RecvOnly<()>>;

    /// Why the context is done; `None` until it is (Go: `Err`). Must be
    /// `Some` once `done` is closed.
    fn err(&self) -> Option<ContextError>;

    /// The context value lookups continue in, if it wraps one (Go: a
    /// custom type embedding its parent `Context`, whose `Value` it
    /// inherits). By default it holds no values. [`Context::cause`] looks
    /// for the cause here too (as Go's `Cause` does through `Value`); and a
    /// wrapper whose [`done`](Self::done) is the wrapped gort context's own
    /// channel costs its children no watcher (Go's `parentCancelCtx`).
    fn values(&self) -> Option<&Context> {
        None
    }

    /// Go's `afterFuncer`: arranges for `f` to run once, on a thread of its
    /// own (never inline in this call), after the context is done; returns
    /// a function that unregisters `f` (true if that stopped it from
    /// running). `None` (the default): not supported, and gort watches
    /// `done` with a thread instead.
    #[allow(clippy::type_complexity)]
    fn after_func(&self, f: Box<dyn FnOnce() + Send>) -> Option<Box<dyn FnOnce() -> bool + Send>> {
        drop(f);
        None
    }

    /// The context's name in [`Context`]'s `Debug` output (Go: `String`);
    /// by default the type's name.
    fn name(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::any::type_name::<Self>())
    }
}

/// Watcher threads started for custom parents (Go's test counter
/// `goroutines`).
pub(crate) static WATCHERS: AtomicUsize = AtomicUsize::new(0);

/// How many watcher threads `propagateCancel` started so far for parents
/// without [`CustomContext::after_func`] (Go's internal test counter).
#[doc(hidden)]
pub fn watchers_started() -> usize {
    WATCHERS.load(Ordering::Relaxed)
}
