//! The future of [`Once::call_once_async`](crate::Once::call_once_async):
//! Go's `Once.doSlow` as a state machine that can wait, run an initialiser
//! that awaits, and be dropped at any point.

use crate::once::{Once, Runner, Turn};
use core::fmt;
use core::future::Future;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::{Context, Poll};
use gort_park::{Claim, Sudog};

impl Once {
    /// Like [`call_once`](Self::call_once), but waits asynchronously, and
    /// the initialiser is a future: `f` is called, and its future awaited,
    /// only by the caller that runs the initialiser.
    ///
    /// A panic in `f` or in a poll of its future counts as done (Go's rule),
    /// and propagates to the caller that polled it.
    ///
    /// Cancel-safe: dropping the returned future before it completes leaves
    /// nothing behind. If it was running the initialiser, the initialiser's
    /// future is dropped and the Once is not done: the running role passes
    /// to the caller that has waited longest (or, with none waiting, to the
    /// next caller), which runs its own initialiser. One exception, by Go's
    /// panic rule: if dropping the initialiser's future panics, that is a
    /// panic of the initialiser, so the Once is done and every waiting
    /// caller returns (the panic propagates out of the drop).
    ///
    /// ```
    /// use gort_once::Once;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let once = Once::new();
    /// let mut config = None;
    /// once.call_once_async(|| async {
    ///     tokio::task::yield_now().await; // e.g. read a file
    ///     config = Some("loaded");
    /// })
    /// .await;
    /// assert_eq!(config, Some("loaded"));
    /// once.call_once_async(|| async { unreachable!() }).await;
    /// # });
    /// ```
    pub fn call_once_async<F, Fut>(&self, f: F) -> CallOnceAsync<'_, F, Fut>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = ()>,
    {
        CallOnceAsync::new(self, f)
    }
}

/// The future returned by
/// [`Once::call_once_async`](crate::Once::call_once_async).
///
/// It completes when an initialiser of its Once has finished. See that
/// method for the panic rule and cancel-safety.
///
/// ```
/// use gort_once::{CallOnceAsync, Once};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let once = Once::new();
/// let init = async {};
/// let call: CallOnceAsync<'_, _, _> = once.call_once_async(|| init);
/// call.await;
/// assert!(once.is_done());
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct CallOnceAsync<'a, F, Fut> {
    once: &'a Once,
    /// This caller's initialiser; taken when it gets the turn to run.
    f: Option<F>,
    /// The initialiser's future while this caller runs it. Structurally
    /// pinned: only ever polled in place or dropped in place.
    fut: Option<Fut>,
    /// This future holds the Once's running role (outside of `poll`, where
    /// a `Runner` on the stack holds it, so that a panic finishes the run).
    runner: bool,
    /// Whether `sg` is in the Once's wait queue (not yet seen woken).
    queued: bool,
    claim: Claim,
    sg: Sudog<()>,
    _pin: PhantomPinned,
}

impl<'a, F, Fut> CallOnceAsync<'a, F, Fut>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    pub(crate) fn new(once: &'a Once, f: F) -> Self {
        Self {
            once,
            f: Some(f),
            fut: None,
            runner: false,
            queued: false,
            claim: Claim::new(),
            sg: Sudog::new(0, None),
            _pin: PhantomPinned,
        }
    }
}

impl<F, Fut> CallOnceAsync<'_, F, Fut>
where
    Fut: Future<Output = ()>,
{
    /// Polls the initialiser this caller runs. While it is polled, the role
    /// sits in a `Runner` on the stack: a panic in the poll finishes the run
    /// (the Once is done, Go's rule) and leaves `runner` false.
    ///
    /// # Safety
    /// `self` is pinned, and `fut` is `Some`.
    unsafe fn poll_initialiser(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.runner = false;
        let runner = Runner::new(self.once);
        // SAFETY: `fut` is structurally pinned (the caller's contract) and
        // `Some` (ditto).
        let fut = unsafe { Pin::new_unchecked(self.fut.as_mut().unwrap_unchecked()) };
        if fut.poll(cx).is_pending() {
            runner.keep();
            self.runner = true;
            return Poll::Pending;
        }
        // Dropped in place; then `runner` marks the Once done (even if this
        // drop panics).
        self.fut = None;
        drop(runner);
        Poll::Ready(())
    }
}

impl<F, Fut> Future for CallOnceAsync<'_, F, Fut>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = ()>,
{
    type Output = ();

    /// Port of `Once.doSlow` for a task: take a turn; run the initialiser if
    /// it is ours, else wait in the queue until the running one finishes
    /// (then complete) or is abandoned, which hands the running role to the
    /// longest waiter (then run ours).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `fut`, `claim` and `sg` are structurally pinned and never
        // moved out; the other fields are plain data.
        let this = unsafe { self.get_unchecked_mut() };
        if this.runner {
            // SAFETY: pinned; `runner` implies `fut` is `Some`.
            return unsafe { this.poll_initialiser(cx) };
        }
        let turn = if this.queued {
            this.claim.register(cx.waker());
            if this.claim.settled().is_none() {
                return Poll::Pending;
            }
            this.queued = false;
            // SAFETY: queued by `turn`, and the claim is done.
            unsafe { Once::woken(&this.sg) }
        } else if this.once.is_done() {
            Turn::Done
        } else if let Some(turn) = this.once.try_turn() {
            turn
        } else {
            this.claim.register(cx.waker());
            // SAFETY: `sg` and `claim` are pinned inside this future, whose
            // `Drop` takes `sg` out of the queue if it is still there.
            unsafe { this.once.turn(&this.sg, &this.claim) }
        };
        match turn {
            Turn::Done => Poll::Ready(()),
            Turn::Queued => {
                this.queued = true;
                Poll::Pending
            }
            Turn::Run => {
                // A panic in `f` drops the runner: the Once is done.
                let runner = Runner::new(this.once);
                let f = this.f.take().expect("one turn to run per caller");
                this.fut = Some(f());
                runner.keep();
                this.runner = true;
                // SAFETY: pinned; `fut` was just set.
                unsafe { this.poll_initialiser(cx) }
            }
        }
    }
}

impl<F, Fut> Drop for CallOnceAsync<'_, F, Fut> {
    fn drop(&mut self) {
        if self.queued {
            // SAFETY: `sg` was queued by `turn` on this Once.
            unsafe { self.once.leave_queue(&self.sg) };
        }
        if self.runner {
            // If dropping the initialiser panics, `runner` is dropped while
            // unwinding and finishes the run: Go's panic rule (documented on
            // `call_once_async`).
            let runner = Runner::new(self.once);
            self.fut = None;
            runner.abandon();
        }
    }
}

impl<F, Fut> fmt::Debug for CallOnceAsync<'_, F, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOnceAsync")
            .field("once", self.once)
            .field("running", &self.runner)
            .field("queued", &self.queued)
            .finish_non_exhaustive()
    }
}
