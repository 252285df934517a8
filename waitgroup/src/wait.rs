//! The future of [`WaitGroup::wait`](crate::WaitGroup::wait): Go's `Wait`
//! for a task, which may be dropped before it is released.

use crate::waitgroup::{Inner, WaitGroup};
use core::fmt;
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use gort_park::Acquire;

impl WaitGroup {
    /// Waits asynchronously until the counter is zero (Go: `WaitGroup.Wait`).
    ///
    /// The future registers as a waiter when first polled; if the counter is
    /// zero then, it is ready at once.
    ///
    /// Cancel-safe: dropping the future before it completes takes its
    /// registration back, so it leaves nothing behind that could release a
    /// later wait early. If the counter reached zero just as the future was
    /// dropped, the drop waits (spinning, never parking) for the releasing
    /// `add` to hand out this waiter's share, which takes as long as that
    /// `add`'s short release loop.
    ///
    /// # Panics
    ///
    /// "sync: WaitGroup is reused before previous Wait has returned" if, when
    /// released, the future finds that the group's next round has already
    /// begun (best-effort detection, as in Go).
    ///
    /// ```
    /// use gort_waitgroup::WaitGroup;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let wg = WaitGroup::new();
    /// for _ in 0..3 {
    ///     let guard = wg.guard();
    ///     tokio::spawn(async move {
    ///         tokio::task::yield_now().await;
    ///         drop(guard);
    ///     });
    /// }
    /// wg.wait().await;
    /// # });
    /// ```
    pub fn wait(&self) -> WaitFuture<'_> {
        WaitFuture::new(&self.inner)
    }
}

/// The future returned by [`WaitGroup::wait`](crate::WaitGroup::wait); it
/// completes when the group's counter is zero.
///
/// Cancel-safe: see [`WaitGroup::wait`](crate::WaitGroup::wait).
///
/// ```
/// use gort_waitgroup::{WaitFuture, WaitGroup};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let wg = WaitGroup::new();
/// let wait: WaitFuture<'_> = wg.wait();
/// wait.await; // the counter is zero
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct WaitFuture<'a> {
    inner: &'a Inner,
    /// Counted in the group's waiters, and not yet released.
    registered: bool,
    /// Completed: later polls return `Ready` at once.
    finished: bool,
    /// Go's `runtime_Semacquire(&wg.sema)`. Structurally pinned; dropped
    /// by hand in `Drop`, before the registration is taken back.
    acquire: ManuallyDrop<Acquire<'a>>,
}

impl<'a> WaitFuture<'a> {
    pub(crate) fn new(inner: &'a Inner) -> Self {
        Self {
            inner,
            registered: false,
            finished: false,
            acquire: ManuallyDrop::new(inner.sema.acquire()),
        }
    }
}

impl Future for WaitFuture<'_> {
    type Output = ();

    /// Port of `WaitGroup.Wait`: register unless the counter is zero, then
    /// sleep on the semaphore until the `add` that zeroes it releases us.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: only `acquire` is pinned (projected below) and nothing is
        // moved out of `self`.
        let this = unsafe { self.get_unchecked_mut() };
        if this.finished {
            return Poll::Ready(());
        }
        if !this.registered {
            // Go: the preemption check in `Wait`'s prologue.
            if gort_park::hook::preempt_check(cx) {
                return Poll::Pending;
            }
            if !this.inner.register_waiter() {
                this.finished = true;
                return Poll::Ready(());
            }
            this.registered = true;
        }
        // SAFETY: `acquire` is structurally pinned: it lives inside the
        // pinned future and is only ever dropped in place.
        let acquire = unsafe { Pin::new_unchecked(&mut *this.acquire) };
        if acquire.poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.registered = false;
        this.finished = true;
        if let Err(misuse) = this.inner.check_released() {
            misuse.raise();
        }
        Poll::Ready(())
    }
}

impl Drop for WaitFuture<'_> {
    /// Leaves nothing behind: the registration is taken back, or, if the
    /// counter already reached zero, the unit released for this waiter is
    /// consumed (see `Inner::unregister_waiter`).
    fn drop(&mut self) {
        if self.registered {
            // SAFETY: a registered future was polled, hence pinned; the
            // acquire is still in place (it is dropped only below).
            let acquire = unsafe { Pin::new_unchecked(&mut *self.acquire) };
            let mut cx = Context::from_waker(Waker::noop());
            if acquire.poll(&mut cx).is_ready() {
                // Released: our unit is consumed and the state was reset.
                self.registered = false;
            }
        }
        // Leaves the semaphore's queue; a unit handed to us in the meantime
        // is released again, to the next waiter or the counter.
        // SAFETY: dropped exactly once, in place; never used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.acquire) };
        if self.registered && !self.inner.unregister_waiter() {
            self.inner.take_owed_unit();
        }
    }
}

impl fmt::Debug for WaitFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFuture")
            .field("registered", &self.registered)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
