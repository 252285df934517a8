//! The `Context` handle (Go: the `Context` interface and its implementations
//! `emptyCtx`, `valueCtx`, `withoutCancelCtx`, and the constructors).

use crate::cancel_ctx::CancelCtx;
use crate::cancelled::Cancelled;
use crate::custom::CustomContext;
use crate::error::{Cause, ContextError};
use crate::funcs::{CancelCauseFunc, CancelFunc};
use crate::key::Key;
use gort_chan::RecvOnly;
use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A cancellation signal, a deadline and request-scoped values, passed down
/// a tree of tasks and threads (Go: `context.Context`).
///
/// A cheap handle: cloning it shares the same context. Derive children
/// with the `with_*` methods; cancelling a context cancels every context
/// derived from it. Wait for cancellation with [`done`](Self::done) (a
/// receive-only channel for `select!` arms, as Go's `<-ctx.Done()`) or
/// [`cancelled`](Self::cancelled) (a future).
///
/// ```
/// use gort_context::{Context, ContextError};
/// use std::time::Duration;
///
/// let (ctx, cancel) = Context::background().with_timeout(Duration::from_secs(60));
/// let (child, _child_cancel) = ctx.with_cancel();
/// assert!(child.err().is_none());
/// cancel.cancel();
/// assert_eq!(child.err(), Some(ContextError::Canceled));
/// assert!(child.done().recv_blocking().is_err()); // closed
/// ```
#[derive(Clone)]
pub struct Context(Repr);

#[derive(Clone)]
enum Repr {
    /// Go's `backgroundCtx`.
    Background,
    /// Go's `todoCtx`.
    Todo,
    /// Go's `*cancelCtx` and `*timerCtx`: the node, and how many
    /// `with_cancel` levels below it this context is (0: the node itself).
    /// *Deviation*: a `with_cancel` child of a node already cancelled is
    /// born cancelled with the node's error and cause and can never change,
    /// nor have children of its own: it shares the node (no allocation;
    /// Go makes a `cancelCtx`), counting the levels only for `Debug`.
    Cancel(Arc<CancelCtx>, u32),
    /// Go's `*valueCtx`.
    Value(Arc<ValueCtx>),
    /// Go's `withoutCancelCtx`.
    WithoutCancel(Arc<Context>),
    /// A user's type (Go: any other `Context`).
    Custom(Arc<dyn CustomContext>),
}

/// Go's `valueCtx`.
struct ValueCtx {
    parent: Context,
    key: usize,
    key_name: &'static str,
    value_type: &'static str,
    value: Box<dyn Any + Send + Sync>,
}

/// What a context's cancellation depends on (Go: what `parent.Done()` and
/// `parentCancelCtx` tell `propagateCancel`).
#[derive(Clone, Copy)]
pub(crate) enum Parent<'a> {
    /// Never cancelled (Go: a nil `Done`).
    Never,
    /// The nearest gort cancel node (Go: `parentCancelCtx` found one).
    Gort(&'a Arc<CancelCtx>),
    /// A custom context with a `done` channel.
    Custom(&'a Arc<dyn CustomContext>),
}

impl Context {
    /// The root of every context tree: never cancelled, no deadline, no
    /// values (Go: `context.Background()`). Allocates nothing.
    ///
    /// ```
    /// let ctx = gort_context::Context::background();
    /// assert!(ctx.err().is_none() && ctx.deadline().is_none());
    /// assert_eq!(format!("{ctx:?}"), "context.Background");
    /// ```
    pub fn background() -> Context {
        Context(Repr::Background)
    }

    /// Like [`background`](Self::background), for code not yet given a
    /// context (Go: `context.TODO()`).
    ///
    /// ```
    /// assert_eq!(format!("{:?}", gort_context::Context::todo()), "context.TODO");
    /// ```
    pub fn todo() -> Context {
        Context(Repr::Todo)
    }

    /// Makes a context of your own type usable as a parent (see
    /// [`CustomContext`]).
    pub fn from_custom(custom: impl CustomContext) -> Context {
        Context(Repr::Custom(Arc::new(custom)))
    }

    /// A child cancelled by the returned [`CancelFunc`] or when this
    /// context is (Go: `WithCancel`). Call the `CancelFunc` when the work
    /// is done: it releases the child's place in this context.
    ///
    /// ```
    /// use gort_context::Context;
    /// let (parent, cancel_parent) = Context::background().with_cancel();
    /// let (child, _cancel_child) = parent.with_cancel();
    /// cancel_parent.cancel();
    /// assert!(child.err().is_some());
    /// ```
    #[must_use = "dropping the CancelFunc does not cancel; call `cancel()` when the work is done"]
    pub fn with_cancel(&self) -> (Context, CancelFunc) {
        let (ctx, node, own) = self.cancel_child();
        (ctx, CancelFunc::new(node, own))
    }

    /// Like [`with_cancel`](Self::with_cancel), with a function that
    /// records a cause (Go: `WithCancelCause`). `err()` is still
    /// `Canceled`; [`cause`](Self::cause) returns the cause.
    ///
    /// ```
    /// use gort_context::{Cause, Context, ContextError};
    /// use std::sync::Arc;
    /// let (ctx, cancel) = Context::background().with_cancel_cause();
    /// let why: Cause = Arc::new(std::io::Error::other("disk full"));
    /// cancel.cancel(Some(why));
    /// assert_eq!(ctx.err(), Some(ContextError::Canceled));
    /// assert_eq!(ctx.cause().unwrap().to_string(), "disk full");
    /// ```
    #[must_use = "dropping the CancelCauseFunc does not cancel; call `cancel()` when the work is done"]
    pub fn with_cancel_cause(&self) -> (Context, CancelCauseFunc) {
        let (ctx, node, _) = self.cancel_child();
        (ctx, CancelCauseFunc::new(node))
    }

    /// A child that is cancelled at `at` at the latest (Go:
    /// `WithDeadline`). If this context's deadline is earlier, the child
    /// just inherits it (Go returns `WithCancel(parent)` then).
    ///
    /// ```
    /// use gort_context::{Context, ContextError};
    /// use std::time::Instant;
    /// let (ctx, _cancel) = Context::background().with_deadline(Instant::now());
    /// assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
    /// ```
    #[must_use = "dropping the CancelFunc does not cancel; call `cancel()` when the work is done"]
    pub fn with_deadline(&self, at: Instant) -> (Context, CancelFunc) {
        self.deadline_ctx(at, None)
    }

    /// Like [`with_deadline`](Self::with_deadline); when the deadline
    /// passes, [`cause`](Self::cause) returns `cause` (Go:
    /// `WithDeadlineCause`). The returned `CancelFunc` does not set it.
    #[must_use = "dropping the CancelFunc does not cancel; call `cancel()` when the work is done"]
    pub fn with_deadline_cause(&self, at: Instant, cause: Cause) -> (Context, CancelFunc) {
        self.deadline_ctx(at, Some(cause))
    }

    /// [`with_deadline`](Self::with_deadline)`(now + d)` (Go:
    /// `WithTimeout`). A `d` too large for an `Instant` never expires.
    ///
    /// ```
    /// use gort_context::{Context, ContextError};
    /// use std::time::Duration;
    /// let (ctx, _cancel) = Context::background().with_timeout(Duration::from_millis(1));
    /// assert!(ctx.done().recv_blocking().is_err());
    /// assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
    /// ```
    #[must_use = "dropping the CancelFunc does not cancel; call `cancel()` when the work is done"]
    pub fn with_timeout(&self, d: Duration) -> (Context, CancelFunc) {
        self.timeout_ctx(d, None)
    }

    /// [`with_deadline_cause`](Self::with_deadline_cause)`(now + d, cause)`
    /// (Go: `WithTimeoutCause`).
    #[must_use = "dropping the CancelFunc does not cancel; call `cancel()` when the work is done"]
    pub fn with_timeout_cause(&self, d: Duration, cause: Cause) -> (Context, CancelFunc) {
        self.timeout_ctx(d, Some(cause))
    }

    /// A child carrying `value` under `key` (Go: `WithValue`); lookups
    /// through the child find it, the nearest binding winning.
    ///
    /// ```
    /// use gort_context::{Context, Key};
    /// static REQUEST_ID: Key<u64> = Key::new("request-id");
    /// let ctx = Context::background().with_value(&REQUEST_ID, 7);
    /// let (child, _cancel) = ctx.with_cancel();
    /// assert_eq!(child.value(&REQUEST_ID), Some(&7));
    /// ```
    pub fn with_value<T: Send + Sync + 'static>(&self, key: &'static Key<T>, value: T) -> Context {
        Context(Repr::Value(Arc::new(ValueCtx {
            parent: self.clone(),
            key: key.id(),
            key_name: key.name(),
            value_type: std::any::type_name::<T>(),
            value: Box::new(value),
        })))
    }

    /// The value bound to `key` by the nearest `with_value` up the chain,
    /// borrowed (Go: `Value`).
    pub fn value<T: Send + Sync + 'static>(&self, key: &'static Key<T>) -> Option<&T> {
        let id = key.id();
        let mut c = self;
        loop {
            c = match &c.0 {
                Repr::Value(v) if v.key == id => return v.value.downcast_ref(),
                Repr::Value(v) => &v.parent,
                Repr::Cancel(cc, _) => &cc.parent,
                Repr::WithoutCancel(p) => p,
                Repr::Custom(custom) => custom.values()?,
                Repr::Background | Repr::Todo => return None,
            };
        }
    }

    /// A child with this context's values but none of its cancellation or
    /// deadline (Go: `WithoutCancel`).
    ///
    /// ```
    /// use gort_context::Context;
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// let detached = ctx.without_cancel();
    /// cancel.cancel();
    /// assert!(detached.err().is_none());
    /// ```
    pub fn without_cancel(&self) -> Context {
        Context(Repr::WithoutCancel(Arc::new(self.clone())))
    }

    /// A channel that is closed when this context is cancelled (Go:
    /// `Done`). For a context that can never be cancelled it is never
    /// ready (Go: nil). Made on first use: contexts nobody waits on never
    /// allocate one. In a select arm, a cancelled context's `done()` yields
    /// `Err(RecvError)`.
    ///
    /// ```
    /// use gort_context::Context;
    /// use std::time::Duration;
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// let (tx, rx) = gort_chan::bounded::<u32>(1);
    /// cancel.cancel();
    /// let why = gort_select::select_blocking! {
    ///     recv(rx) -> _ => "a value",
    ///     recv(ctx.done()) -> _ => "cancelled",
    /// };
    /// assert_eq!(why, "cancelled");
    /// # drop(tx);
    /// ```
    pub fn done(&self) -> RecvOnly<()> {
        match self.done_ref() {
            Some(done) => done.clone(),
            None => gort_chan::never().into(),
        }
    }

    /// The `done` channel, borrowed; `None` if the context is never
    /// cancelled.
    pub(crate) fn done_ref(&self) -> Option<&RecvOnly<()>> {
        match self.parent() {
            Parent::Never => None,
            Parent::Gort(c) => Some(c.done()),
            Parent::Custom(custom) => custom.done(),
        }
    }

    /// A future that completes when this context is cancelled (never, for
    /// one that cannot be).
    ///
    /// ```
    /// use gort_context::Context;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let (ctx, cancel) = Context::background().with_cancel();
    /// tokio::spawn(async move { cancel.cancel() });
    /// ctx.cancelled().await;
    /// assert!(ctx.err().is_some());
    /// # });
    /// ```
    pub fn cancelled(&self) -> Cancelled<'_> {
        match self.parent() {
            Parent::Never => Cancelled::never(),
            Parent::Gort(c) => Cancelled::node(c),
            Parent::Custom(custom) => match custom.done() {
                Some(done) => Cancelled::done(done),
                None => Cancelled::never(),
            },
        }
    }

    /// `None` while the context is live; why it ended once it is done (Go:
    /// `Err`). Set before [`done`](Self::done) closes.
    pub fn err(&self) -> Option<ContextError> {
        match self.parent() {
            Parent::Never => None,
            Parent::Gort(c) => c.err(),
            Parent::Custom(custom) => custom.err(),
        }
    }

    /// The cause of the cancellation (Go: `context.Cause`): what was given
    /// to a [`CancelCauseFunc`], the cause of a `*_cause` deadline that
    /// passed, the parent's cause if the parent's cancellation reached this
    /// context, else the [`ContextError`] itself. `None` while live.
    ///
    /// As go1.23's `Cause`: the cause of the nearest cancelable gort context
    /// up the chain (through a custom context's
    /// [`values`](CustomContext::values)), else `err()` itself.
    pub fn cause(&self) -> Option<Cause> {
        match self.cancel_node() {
            Some(c) => c.cause(),
            None => self.err().map(ContextError::into_cause),
        }
    }

    /// When the context will be cancelled, if it has a deadline (Go:
    /// `Deadline`).
    ///
    /// ```
    /// use gort_context::Context;
    /// use std::time::{Duration, Instant};
    /// let at = Instant::now() + Duration::from_secs(5);
    /// let (ctx, _cancel) = Context::background().with_deadline(at);
    /// assert_eq!(ctx.deadline(), Some(at));
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        let mut c = self;
        loop {
            c = match &c.0 {
                Repr::Cancel(cc, _) => match cc.deadline() {
                    Some(d) => return Some(d),
                    None => &cc.parent,
                },
                Repr::Value(v) => &v.parent,
                Repr::Custom(custom) => return custom.deadline(),
                Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => return None,
            };
        }
    }

    /// The number of contexts registered for cancellation with this one
    /// (Go's tests read `len(p.children)`); 0 for a context that is not a
    /// cancelable node.
    #[doc(hidden)]
    pub fn children_len(&self) -> usize {
        match &self.0 {
            Repr::Cancel(c, 0) => c.children_len(),
            _ => 0,
        }
    }

    /// Where this context's `done`, `err` and cancellation come from: the
    /// nearest gort cancel node, or a custom context with a `done`
    /// channel, or nothing (Go: a nil `Done`).
    pub(crate) fn parent(&self) -> Parent<'_> {
        let mut c = self;
        loop {
            c = match &c.0 {
                Repr::Cancel(cc, _) => return Parent::Gort(cc),
                Repr::Value(v) => &v.parent,
                Repr::Custom(custom) if custom.done().is_some() => return Parent::Custom(custom),
                Repr::Custom(_) | Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => {
                    return Parent::Never;
                }
            };
        }
    }

    /// Port of `parentCancelCtx` (with the `parent.Done() == nil` test of
    /// `propagateCancel`): as [`parent`](Self::parent), except that a
    /// custom context whose `done` is the very channel of the gort node
    /// its values come from (a wrapper, Go's embedding) resolves to that
    /// node, so children register there and need no watcher.
    pub(crate) fn cancel_parent(&self) -> Parent<'_> {
        match self.parent() {
            Parent::Custom(custom) => {
                let done = custom.done().expect("Parent::Custom has a done channel");
                match custom.values().and_then(Context::cancel_node) {
                    Some(p) if p.done_if_made().is_some_and(|d| d.same_channel(done)) => {
                        Parent::Gort(p)
                    }
                    _ => Parent::Custom(custom),
                }
            }
            other => other,
        }
    }

    /// The nearest gort cancel node up the value chain (Go:
    /// `c.Value(&cancelCtxKey)`): through values and custom contexts'
    /// [`values`](CustomContext::values), not past `without_cancel`.
    pub(crate) fn cancel_node(&self) -> Option<&Arc<CancelCtx>> {
        let mut c = self;
        loop {
            c = match &c.0 {
                Repr::Cancel(cc, _) => return Some(cc),
                Repr::Value(v) => &v.parent,
                Repr::Custom(custom) => custom.values()?,
                Repr::Background | Repr::Todo | Repr::WithoutCancel(_) => return None,
            };
        }
    }

    /// A `with_cancel` child and the node its cancel function cancels; true
    /// if the node is the child's own (then the function also removes it
    /// from this context's children). A child of a node (or of a level
    /// below one) that is already cancelled shares that node, one level
    /// further down (Go's `propagateCancel` would make it and cancel it at
    /// once).
    fn cancel_child(&self) -> (Context, Arc<CancelCtx>, bool) {
        if let Repr::Cancel(c, born) = &self.0 {
            if let Some(born) = born.checked_add(1).filter(|_| c.err().is_some()) {
                return (Context(Repr::Cancel(c.clone(), born)), c.clone(), false);
            }
        }
        let c = self.with_cancel_node(None, None);
        (Context(Repr::Cancel(c.clone(), 0)), c, true)
    }

    /// Go's `withCancel` (and the start of `WithDeadlineCause`, and
    /// `AfterFunc`): a node under this context, registered with it.
    pub(crate) fn with_cancel_node(
        &self,
        deadline: Option<Instant>,
        after: Option<Box<dyn FnOnce() + Send>>,
    ) -> Arc<CancelCtx> {
        let parent = self.cancel_parent();
        if let (Parent::Gort(p), None) = (parent, &after) {
            // Go's non-blocking receive from `parent.Done()` (without
            // making the channel): a child of a cancelled parent is made
            // cancelled. (An `after_func`'s must run its function:
            // `propagate` cancels it.)
            if let Some(err) = p.err() {
                return CancelCtx::new_cancelled(self.clone(), deadline, err, p.cause_recorded());
            }
        }
        let c = CancelCtx::new(self.clone(), deadline, after);
        c.propagate(parent);
        c
    }

    /// Port of `WithDeadlineCause`.
    fn deadline_ctx(&self, at: Instant, cause: Option<Cause>) -> (Context, CancelFunc) {
        if self.deadline().is_some_and(|cur| cur < at) {
            // The current deadline is sooner than the new one.
            return self.with_cancel();
        }
        let c = self.with_cancel_node(Some(at), None);
        let ctx = Context(Repr::Cancel(c.clone(), 0));
        match at.checked_duration_since(Instant::now()) {
            Some(dur) if !dur.is_zero() => {
                c.arm(dur, cause);
                (ctx, CancelFunc::new(c, true))
            }
            _ => {
                // The deadline has already passed.
                c.cancel(true, ContextError::DeadlineExceeded, cause);
                (ctx, CancelFunc::new(c, false))
            }
        }
    }

    fn timeout_ctx(&self, d: Duration, cause: Option<Cause>) -> (Context, CancelFunc) {
        match Instant::now().checked_add(d) {
            Some(at) => self.deadline_ctx(at, cause),
            None => self.with_cancel(),
        }
    }
}

impl Default for Context {
    /// [`Context::background`].
    fn default() -> Self {
        Context::background()
    }
}

impl fmt::Debug for Context {
    /// Go's `String` methods: `context.Background.WithCancel`,
    /// `….WithDeadline([remaining])`, `….WithValue(key, type)`,
    /// `….WithoutCancel`. (Go prints a value that has a `String` method
    /// by it; here values need not be `Debug`, so the type is printed.)
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Background => f.write_str("context.Background"),
            Repr::Todo => f.write_str("context.TODO"),
            Repr::Cancel(c, born) => {
                write!(f, "{:?}", c.parent)?;
                match c.deadline() {
                    None => f.write_str(".WithCancel")?,
                    Some(d) => {
                        let now = Instant::now();
                        f.write_str(".WithDeadline([")?;
                        match d.checked_duration_since(now) {
                            Some(left) => write!(f, "{left:?}")?,
                            None => write!(f, "-{:?}", now - d)?,
                        }
                        f.write_str("])")?;
                    }
                }
                (0..*born).try_for_each(|_| f.write_str(".WithCancel"))
            }
            Repr::Value(v) => write!(
                f,
                "{:?}.WithValue({}, {})",
                v.parent, v.key_name, v.value_type
            ),
            Repr::WithoutCancel(p) => write!(f, "{p:?}.WithoutCancel"),
            Repr::Custom(custom) => custom.name(f),
        }
    }
}
