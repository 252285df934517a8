//! A send arm: `send(tx, v) -> res => ...` (Go: a send `scase`).

use crate::case::{Case, ChanLock, Sealed};
use core::fmt;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::Waker;
use gort_chan::raw::{Chan, Sent};
use gort_chan::{SendError, Sender};
use gort_park::{Claim, Sudog};

/// A send arm of a select. Built by the `select!` macros and by
/// [`Select::send`](crate::Select::send); not meant to be used directly.
#[doc(hidden)]
pub struct SendCase<'a, T> {
    chan: &'a Chan<T>,
    /// The value while it is not in the sudog: before pass 2, and after
    /// pass 3 took it back from a losing arm.
    value: Option<T>,
    sg: Sudog<T>,
    /// Whether `sg` may be in `chan`'s `sendq`.
    queued: bool,
    /// The outcome once this arm completed.
    out: Option<Result<(), SendError<T>>>,
    _pin: PhantomPinned,
}

impl<'a, T> SendCase<'a, T> {
    /// An arm sending `value` on `tx` (the value is evaluated once, here).
    pub fn new(tx: &'a Sender<T>, value: T) -> Self {
        Self {
            chan: gort_chan::raw::sender_chan(tx),
            value: Some(value),
            sg: Sudog::new(0, None),
            queued: false,
            out: None,
            _pin: PhantomPinned,
        }
    }

    /// The outcome, if this arm is the one that completed.
    pub fn take(self: Pin<&mut Self>) -> Option<Result<(), SendError<T>>> {
        // SAFETY: `out` is not structurally pinned.
        unsafe { self.get_unchecked_mut() }.out.take()
    }

    /// The value of an arm that did not send it.
    pub(crate) fn take_unsent(self: Pin<&mut Self>) -> Option<T> {
        // SAFETY: `value` is not structurally pinned.
        unsafe { self.get_unchecked_mut() }.value.take()
    }

    /// Whether the arm sends on `tx`'s channel.
    pub(crate) fn is_on(&self, tx: &Sender<T>) -> bool {
        core::ptr::eq(self.chan, gort_chan::raw::sender_chan(tx))
    }

    #[allow(clippy::type_complexity)]
    fn fields(
        self: Pin<&mut Self>,
    ) -> (
        &'a Chan<T>,
        &mut Option<T>,
        Pin<&mut Sudog<T>>,
        &mut bool,
        &mut Option<Result<(), SendError<T>>>,
    ) {
        // SAFETY: only `sg` is structurally pinned, and it is handed out
        // pinned; the other fields may move freely.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let sg = unsafe { Pin::new_unchecked(&mut this.sg) };
        (
            this.chan,
            &mut this.value,
            sg,
            &mut this.queued,
            &mut this.out,
        )
    }
}

impl<T> Sealed for SendCase<'_, T> {}

impl<'a, T: 'a> Case<'a> for SendCase<'a, T> {
    fn chan(&self) -> Option<&'a dyn ChanLock> {
        Some(self.chan)
    }

    fn is_recv(&self) -> bool {
        false
    }

    unsafe fn poll(self: Pin<&mut Self>) -> Option<Option<Waker>> {
        let (chan, value, _, _, out) = self.fields();
        let v = value
            .take()
            .expect("a send arm is polled once, with its value");
        // SAFETY: the caller holds the lock.
        match unsafe { chan.state() }.send(chan.cap(), v) {
            Sent::Done(waker) => {
                *out = Some(Ok(()));
                Some(waker)
            }
            // Go's `sclose` panics; gort hands the value back in `Err`.
            Sent::Closed(v) => {
                *out = Some(Err(SendError(v)));
                Some(None)
            }
            Sent::Blocked(v) => {
                *value = Some(v);
                None
            }
        }
    }

    unsafe fn enqueue(self: Pin<&mut Self>, claim: &Claim, index: usize) {
        let (chan, value, mut sg, queued, _) = self.fields();
        sg.as_mut().set_case(index);
        let v = value.take().expect("a send arm is queued with its value");
        // SAFETY: `sg` is not queued, so its slot is ours.
        unsafe { sg.put_elem(v) };
        // SAFETY: the caller holds the lock and keeps `claim` alive until
        // `dequeue`; `sg` is pinned inside this arm, whose `Drop` unlinks it
        // if no `dequeue` came.
        unsafe { chan.state().sendq.enqueue(&sg, claim) };
        *queued = true;
    }

    unsafe fn dequeue(self: Pin<&mut Self>) {
        let (chan, value, sg, queued, _) = self.fields();
        if !core::mem::take(queued) {
            return;
        }
        // SAFETY: the caller holds the lock; `sg` was queued in `sendq`.
        if unsafe { chan.state().sendq.remove(&sg) } {
            // Lost: the value comes back (it is dropped with the arm, after
            // unlocking, or handed back by the dynamic `Select`).
            // SAFETY: removed under the lock, so the slot is ours.
            *value = unsafe { sg.take_elem() };
        }
    }

    unsafe fn finish(self: Pin<&mut Self>) {
        let (_, _, sg, queued, out) = self.fields();
        debug_assert!(!*queued, "finish runs after dequeue");
        // SAFETY: the claim is done with our index, so the completer is
        // finished with `sg`, which is out of every queue.
        *out = Some(unsafe {
            if sg.success() {
                Ok(())
            } else {
                // Woken by close: Go panics "send on closed channel".
                Err(SendError(
                    sg.take_elem()
                        .expect("a send woken by close keeps its value"),
                ))
            }
        });
    }

    unsafe fn give_back(self: Pin<&mut Self>) -> Option<Waker> {
        // A completed send delivered its value; a failed one keeps it in
        // `out`, dropped with the arm.
        None
    }
}

impl<T> Drop for SendCase<'_, T> {
    /// Unlinks the arm if its select was leaked while queued (see
    /// `RecvCase::drop`). An unsent value is dropped with the arm.
    fn drop(&mut self) {
        if !self.queued {
            return;
        }
        let guard = self.chan.lock_raw();
        // SAFETY: we hold the lock; `sg` was queued in `sendq`.
        unsafe {
            self.chan.state().sendq.remove(&self.sg);
            self.chan.publish();
        }
        drop(guard);
    }
}

impl<T> fmt::Debug for SendCase<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendCase")
            .field("queued", &self.queued)
            .field("completed", &self.out.is_some())
            .finish()
    }
}
