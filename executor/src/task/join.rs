//! `JoinHandle` and `JoinError`: how a spawned G's result comes back.
//!
//! Go has no handle (a goroutine's result travels through a channel); this
//! is the Rust face of a G, with tokio's contract: awaitable, detach on
//! drop, `abort`.

use super::{TaskPtr, release};
use core::any::Any;
use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Why a G produced no output.
pub enum JoinError {
    /// The G's future panicked; the payload is the panic's (Go would crash
    /// the process; *Rust*: the panic is caught and returned here).
    Panic(Box<dyn Any + Send + 'static>),
    /// [`JoinHandle::abort`] dropped the future before it finished, or the
    /// runtime was dropped first.
    Aborted,
}

impl JoinError {
    /// True for [`JoinError::Panic`].
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panic(_))
    }

    /// True for [`JoinError::Aborted`].
    pub fn is_aborted(&self) -> bool {
        matches!(self, JoinError::Aborted)
    }

    /// The panic's message, when it was a string.
    fn message(&self) -> Option<&str> {
        match self {
            JoinError::Panic(p) => p
                .downcast_ref::<&'static str>()
                .copied()
                .or_else(|| p.downcast_ref::<String>().map(String::as_str)),
            JoinError::Aborted => None,
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.message()) {
            (JoinError::Panic(_), Some(m)) => f.debug_tuple("Panic").field(&m).finish(),
            (JoinError::Panic(_), None) => f.debug_tuple("Panic").field(&"..").finish(),
            (JoinError::Aborted, _) => f.write_str("Aborted"),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.message()) {
            (JoinError::Panic(_), Some(m)) => write!(f, "task panicked: {m}"),
            (JoinError::Panic(_), None) => f.write_str("task panicked"),
            (JoinError::Aborted, _) => f.write_str("task was aborted"),
        }
    }
}

impl std::error::Error for JoinError {}

/// The handle of a spawned G: a future of its result.
///
/// Dropping the handle detaches the G (it keeps running). Awaiting it yields
/// `Ok(output)`, or `Err` if the G panicked or was aborted.
///
/// ```
/// let rt = gort_executor::Runtime::new();
/// let h = rt.spawn(async { 6 * 7 });
/// assert_eq!(rt.block_on(h).unwrap(), 42);
/// ```
pub struct JoinHandle<T> {
    task: TaskPtr,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves the output (`T: Send`) out of the G and
// touches the G's atomics and the join-waker slot under the state protocol.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` allows only `abort` and `is_finished` (atomics).
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// Takes over the handle's reference.
    pub(crate) fn new(task: TaskPtr) -> Self {
        JoinHandle {
            task,
            _output: PhantomData,
        }
    }

    /// The G's id (Go's `goid`): unique within its runtime.
    pub fn id(&self) -> u64 {
        self.task.header().id
    }

    /// Asks for the G to stop: its future is dropped at the latest when it
    /// would next be polled, and the handle yields `Err(JoinError::Aborted)`.
    /// On a G that already finished it changes nothing.
    ///
    /// ```
    /// let rt = gort_executor::Runtime::new();
    /// let h = rt.spawn(std::future::pending::<()>());
    /// h.abort();
    /// assert!(rt.block_on(h).unwrap_err().is_aborted());
    /// ```
    pub fn abort(&self) {
        if self.task.header().state.to_cancelled() {
            // SAFETY: `to_cancelled` set NOTIFIED and added the reference.
            crate::ready::ready(unsafe { super::Notified::from_raw(self.task) });
        }
    }

    /// True once the G has finished (its result is ready).
    pub fn is_finished(&self) -> bool {
        self.task.header().state.is_complete()
    }

    /// Blocks the calling thread until the G finishes and returns its
    /// result. Must not be called from async code on another executor; on
    /// a gort worker it blocks that worker's M (the next issue hands its P
    /// off as Go's `entersyscallblock` does).
    ///
    /// ```
    /// let rt = gort_executor::Runtime::new();
    /// let h = rt.spawn(async { "done" });
    /// assert_eq!(h.join_blocking().unwrap(), "done");
    /// ```
    pub fn join_blocking(mut self) -> Result<T, JoinError> {
        let polled = gort_park::park_until(
            || {
                gort_park::with_current_waker(|w| {
                    match Pin::new(&mut self).poll(&mut Context::from_waker(w)) {
                        Poll::Ready(r) => Some(r),
                        Poll::Pending => None,
                    }
                })
            },
            None,
        );
        polled.expect("park_until without a deadline returns a value")
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let header = self.task.header();
        let state = &header.state;
        if !state.is_complete() {
            let registered = if state.has_join_waker() {
                let same = header.join_waker.with(|w| {
                    // SAFETY: JOIN_WAKER is set: the runner may read the
                    // slot, nobody writes it.
                    unsafe { &*w }
                        .as_ref()
                        .is_some_and(|w| w.will_wake(cx.waker()))
                });
                same || {
                    state.unset_join_waker().is_ok() && {
                        self.write_waker(cx);
                        state.set_join_waker().is_ok()
                    }
                }
            } else {
                self.write_waker(cx);
                state.set_join_waker().is_ok()
            };
            if registered {
                return Poll::Pending;
            }
        }
        let mut out = Poll::Pending;
        // SAFETY: COMPLETE is set and the handle owns the output; `out` has
        // the G's output type.
        unsafe {
            self.task
                .read_output((&mut out as *mut Poll<Result<T, JoinError>>).cast())
        };
        out
    }
}

impl<T> JoinHandle<T> {
    /// Writes the slot (JOIN_WAKER is clear: only the handle touches it).
    fn write_waker(&self, cx: &Context<'_>) {
        let waker = cx.waker().clone();
        let old = self.task.header().join_waker.with_mut(|w| {
            // SAFETY: JOIN_WAKER is clear, so the runner does not read the slot.
            unsafe { (*w).replace(waker) }
        });
        drop(old);
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let header = self.task.header();
        let (output, waker) = header.state.drop_join_interest();
        if output {
            // SAFETY: COMPLETE is set and the runner left the output to the
            // handle, which never read it (or it is already `Consumed`).
            unsafe { self.task.drop_output() };
        }
        if waker {
            // SAFETY: the state word gave the slot to the handle: the runner
            // will not read it (JOIN_WAKER cleared before completion) or is
            // done with it (cleared after).
            unsafe { header.drop_join_waker() };
        }
        release(self.task, 1);
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
