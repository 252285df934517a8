//! A receive arm: `recv(rx) -> res => ...` (Go: a receive `scase`).

use crate::case::{Case, ChanLock, Sealed};
use core::fmt;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::Waker;
use gort_chan::raw::{Chan, Received};
use gort_chan::{Receiver, RecvError};
use gort_park::{Claim, Sudog};

/// A receive arm of a select. Built by the `select!` macros and by
/// [`Select::recv`](crate::Select::recv); not meant to be used directly.
#[doc(hidden)]
pub struct RecvCase<'a, T> {
    /// `None` for [`never`](gort_chan::never).
    chan: Option<&'a Chan<T>>,
    sg: Sudog<T>,
    /// Whether `sg` may be in `chan`'s `recvq` (and `block` was called on
    /// the channel's timer).
    queued: bool,
    /// The outcome once this arm completed.
    out: Option<Result<T, RecvError>>,
    _pin: PhantomPinned,
}

impl<'a, T> RecvCase<'a, T> {
    /// An arm receiving from `rx`.
    pub fn new(rx: &'a Receiver<T>) -> Self {
        Self {
            chan: gort_chan::raw::receiver_chan(rx),
            sg: Sudog::new(0, None),
            queued: false,
            out: None,
            _pin: PhantomPinned,
        }
    }

    /// The outcome, if this arm is the one that completed.
    pub fn take(self: Pin<&mut Self>) -> Option<Result<T, RecvError>> {
        // SAFETY: `out` is not structurally pinned.
        unsafe { self.get_unchecked_mut() }.out.take()
    }

    /// Whether the arm receives from `rx`'s channel.
    pub(crate) fn is_on(&self, rx: &Receiver<T>) -> bool {
        match (self.chan, gort_chan::raw::receiver_chan(rx)) {
            (Some(a), Some(b)) => core::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }

    #[allow(clippy::type_complexity)]
    fn fields(
        self: Pin<&mut Self>,
    ) -> (
        Option<&'a Chan<T>>,
        Pin<&mut Sudog<T>>,
        &mut bool,
        &mut Option<Result<T, RecvError>>,
    ) {
        // SAFETY: only `sg` is structurally pinned, and it is handed out
        // pinned; the other fields may move freely.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        let sg = unsafe { Pin::new_unchecked(&mut this.sg) };
        (this.chan, sg, &mut this.queued, &mut this.out)
    }
}

impl<T> Sealed for RecvCase<'_, T> {}

impl<'a, T: 'a> Case<'a> for RecvCase<'a, T> {
    fn chan(&self) -> Option<&'a dyn ChanLock> {
        self.chan.map(|c| c as &dyn ChanLock)
    }

    fn is_recv(&self) -> bool {
        true
    }

    unsafe fn poll(self: Pin<&mut Self>) -> Option<Option<Waker>> {
        let (chan, _, _, out) = self.fields();
        let chan = chan?;
        // SAFETY: the caller holds the lock.
        let st = unsafe { chan.state() };
        match st.recv(chan.cap()) {
            Received::Value(v, waker) => {
                *out = Some(Ok(v));
                Some(waker)
            }
            // Go's `rclose`: a receive on a closed channel is ready.
            Received::Closed => {
                *out = Some(Err(RecvError));
                Some(None)
            }
            Received::Blocked => None,
        }
    }

    unsafe fn enqueue(self: Pin<&mut Self>, claim: &Claim, index: usize) {
        let (chan, mut sg, queued, _) = self.fields();
        let chan = chan.expect("never() arms are not queued");
        sg.as_mut().set_case(index);
        // SAFETY: the caller holds the lock and keeps `claim` alive until
        // `dequeue`; `sg` is pinned inside this arm, whose `Drop` unlinks it
        // if no `dequeue` came.
        unsafe { chan.state().recvq.enqueue(&sg, claim) };
        *queued = true;
        if let Some(t) = chan.timer() {
            t.block();
        }
    }

    unsafe fn dequeue(self: Pin<&mut Self>) {
        let (chan, sg, queued, _) = self.fields();
        if !core::mem::take(queued) {
            return;
        }
        let chan = chan.expect("never() arms are not queued");
        // SAFETY: the caller holds the lock; `sg` was queued in `recvq`.
        unsafe { chan.state().recvq.remove(&sg) };
        if let Some(t) = chan.timer() {
            t.unblock();
        }
    }

    unsafe fn finish(self: Pin<&mut Self>) {
        let (_, sg, queued, out) = self.fields();
        debug_assert!(!*queued, "finish runs after dequeue");
        // SAFETY: the claim is done with our index, so the completer is
        // finished with `sg`, which is out of every queue.
        *out = Some(unsafe {
            if sg.success() {
                Ok(sg.take_elem().expect("a completed receive holds its value"))
            } else {
                Err(RecvError)
            }
        });
    }

    unsafe fn give_back(self: Pin<&mut Self>) -> Option<Waker> {
        let (chan, _, _, out) = self.fields();
        let chan = chan?;
        // A stale timer value (`TimerHook::keep_returned`) stays in `out`, to
        // be dropped with the arm after unlocking.
        if chan.timer().is_some_and(|t| !t.keep_returned()) {
            return None;
        }
        match out.take() {
            // SAFETY: the caller holds the lock.
            Some(Ok(v)) => unsafe { chan.state().give_back(v) },
            _ => None,
        }
    }
}

impl<T> Drop for RecvCase<'_, T> {
    /// Normally the select's own clean-up dequeued the arm already. If the
    /// select was leaked (`mem::forget`) while queued, the arm unlinks itself
    /// here, so a channel never points at freed memory.
    fn drop(&mut self) {
        if !self.queued {
            return;
        }
        let chan = self.chan.expect("never() arms are not queued");
        let guard = chan.lock_raw();
        // SAFETY: we hold the lock; `sg` was queued in `recvq`.
        let removed = unsafe { chan.state().recvq.remove(&self.sg) };
        let stale = chan.timer().is_some_and(|t| !t.keep_returned());
        // SAFETY: as above; if the sudog was dequeued, its completer is done
        // with it (we hold the lock it completed under).
        let waker =
            match unsafe { (!removed && !stale && self.sg.success()).then(|| self.sg.take_elem()) }
            {
                // SAFETY: we hold the lock.
                Some(Some(v)) => unsafe { chan.state().give_back(v) },
                _ => None,
            };
        if let Some(t) = chan.timer() {
            t.unblock();
        }
        // SAFETY: we hold the lock.
        unsafe { chan.publish() };
        drop(guard);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for RecvCase<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvCase")
            .field("never", &self.chan.is_none())
            .field("queued", &self.queued)
            .field("completed", &self.out.is_some())
            .finish()
    }
}
