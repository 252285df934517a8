//! Why a context ended (Go: `Canceled`, `DeadlineExceeded`) and the cause
//! behind it (Go: `Cause`).

use std::error::Error;
use std::fmt;
use std::sync::{Arc, LazyLock};

/// What [`Context::err`](crate::Context::err) reports once a context is
/// done (Go: the `Canceled` and `DeadlineExceeded` errors).
///
/// ```
/// use gort_context::{Context, ContextError};
/// let (ctx, cancel) = Context::background().with_cancel();
/// cancel.cancel();
/// assert_eq!(ctx.err(), Some(ContextError::Canceled));
/// assert_eq!(ContextError::Canceled.to_string(), "context canceled");
/// assert!(ContextError::DeadlineExceeded.is_timeout());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextError {
    /// The context was cancelled (Go: `context.Canceled`).
    Canceled,
    /// The context's deadline passed (Go: `context.DeadlineExceeded`).
    DeadlineExceeded,
}

/// The cause of a cancellation (Go: the `error` given to a
/// `CancelCauseFunc`, or the `cause` of `WithDeadlineCause`). Without one,
/// the cause is the [`ContextError`] itself.
pub type Cause = Arc<dyn Error + Send + Sync>;

impl ContextError {
    /// True for [`DeadlineExceeded`](Self::DeadlineExceeded) (Go: its
    /// `Timeout()` method, which makes it a `net.Error`).
    pub fn is_timeout(self) -> bool {
        self == ContextError::DeadlineExceeded
    }

    /// This error as a [`Cause`] (one shared allocation per variant).
    ///
    /// ```
    /// use gort_context::ContextError;
    /// let cause = ContextError::Canceled.into_cause();
    /// assert_eq!(cause.downcast_ref(), Some(&ContextError::Canceled));
    /// ```
    pub fn into_cause(self) -> Cause {
        static CANCELED: LazyLock<Cause> = LazyLock::new(|| Arc::new(ContextError::Canceled));
        static EXCEEDED: LazyLock<Cause> =
            LazyLock::new(|| Arc::new(ContextError::DeadlineExceeded));
        match self {
            ContextError::Canceled => CANCELED.clone(),
            ContextError::DeadlineExceeded => EXCEEDED.clone(),
        }
    }

    /// The code stored in a context's atomic error word (0: not done).
    pub(crate) fn code(self) -> u8 {
        match self {
            ContextError::Canceled => 1,
            ContextError::DeadlineExceeded => 2,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<ContextError> {
        match code {
            1 => Some(ContextError::Canceled),
            2 => Some(ContextError::DeadlineExceeded),
            _ => None,
        }
    }
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
            ContextError::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl Error for ContextError {}

impl From<ContextError> for std::io::Error {
    /// `DeadlineExceeded` maps to `TimedOut`, `Canceled` to `Interrupted`.
    fn from(e: ContextError) -> Self {
        let kind = match e {
            ContextError::Canceled => std::io::ErrorKind::Interrupted,
            ContextError::DeadlineExceeded => std::io::ErrorKind::TimedOut,
        };
        std::io::Error::new(kind, e)
    }
}
