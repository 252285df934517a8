//! One case of a select (Go: `scase`): an [`Op`] on one channel, and the
//! type-erased views `selectgo` works with.

use crate::error::{RecvError, SendError};
use crate::handles::{Receiver, Sender};
use crate::hchan::Chan;
use crate::op::Op;
use crate::select::held::{AnyChan, Held};
use core::fmt;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::task::Waker;
use gort_park::Claim;

/// One case of a select: a receive from, or a send on, one channel (Go:
/// `scase`). Built by gort-select's macros and dynamic `Select`.
pub struct Case<'a, T> {
    /// `None` for [`never`](crate::never): never ready, never queued.
    chan: Option<&'a Chan<T>>,
    op: Op<T>,
    _pin: PhantomPinned,
}

impl<'a, T> Case<'a, T> {
    /// A case receiving from `rx`.
    pub fn recv(rx: &'a Receiver<T>) -> Self {
        Self {
            chan: rx.chan.as_deref(),
            op: Op::new_recv(),
            _pin: PhantomPinned,
        }
    }

    /// A case sending `value` on `tx` (the value is evaluated once, here).
    pub fn send(tx: &'a Sender<T>, value: T) -> Self {
        Self {
            chan: Some(&tx.chan),
            op: Op::new_send(value),
            _pin: PhantomPinned,
        }
    }

    fn parts(self: Pin<&mut Self>) -> (Option<&'a Chan<T>>, Pin<&mut Op<T>>) {
        // SAFETY: `op` is structurally pinned and handed out pinned; `chan`
        // is a shared reference.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above.
        (this.chan, unsafe { Pin::new_unchecked(&mut this.op) })
    }

    /// The outcome of a receive case that won.
    pub fn take_recv(self: Pin<&mut Self>) -> Option<Result<T, RecvError>> {
        self.parts().1.take_recv()
    }

    /// The outcome of a send case that won (`Err` gives the value back: the
    /// channel was closed).
    pub fn take_sent(self: Pin<&mut Self>) -> Option<Result<(), SendError<T>>> {
        self.parts().1.take_sent()
    }

    /// The value of a send case that did not win.
    pub fn take_unsent(self: Pin<&mut Self>) -> Option<T> {
        self.parts().1.take_unsent()
    }
}

impl<T> Drop for Case<'_, T> {
    /// Normally the select dequeued every case already. If the select was
    /// leaked (`mem::forget`) while queued, the case unlinks itself here,
    /// so a channel never points at freed memory, and a value a sender
    /// handed it goes back. (The select's claim, which the sudog points to,
    /// is leaked with the select, so it stays valid.)
    fn drop(&mut self) {
        // SAFETY: `drop` runs on a pinned (or never pinned) value.
        let (chan, op) = unsafe { Pin::new_unchecked(self) }.parts();
        // A `never()` case is never queued.
        if let Some(chan) = chan {
            op.abandon(chan, || false);
        }
    }
}

impl<T> fmt::Debug for Case<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("never", &self.chan.is_none())
            .field("op", &self.op)
            .finish()
    }
}

pub(crate) mod sealed {
    use super::*;

    /// What `selectgo` does with a case, its element type erased. Private:
    /// only gort-chan's select drives cases.
    pub trait CaseOps<'a> {
        /// The case's channel; `None` for `never()`.
        fn chan(&self) -> Option<&'a dyn AnyChan>;
        /// Whether this is a receive case.
        fn is_recv(&self) -> bool;
        /// Pass 1 for this case, under its channel's lock `held`:
        /// `Some(peer waker)` if it completed.
        fn attempt(self: Pin<&mut Self>, held: &mut Held<'_>) -> Option<Option<Waker>>;
        /// Pass 2: queues the case as case `index` of the select whose
        /// claim is `claim`.
        ///
        /// # Safety
        /// As [`Op::enqueue`]: the claim outlives the case's stay in the
        /// queue, which ends with [`dequeue`](Self::dequeue) (or the case's
        /// `Drop`).
        unsafe fn enqueue(self: Pin<&mut Self>, held: &mut Held<'_>, claim: &Claim, index: usize);
        /// Pass 3: leaves the queue; `won`: the claim is done with this case.
        fn dequeue(self: Pin<&mut Self>, held: &mut Held<'_>, won: bool);
        /// The select is dropped after this case won: a received value goes
        /// back (see [`Op::give_back`]).
        fn give_back(self: Pin<&mut Self>, held: &mut Held<'_>) -> Option<Waker>;
    }

    /// What `selectgo` does with the list of cases.
    pub trait CasesOps<'a> {
        /// How many cases.
        fn len(&self) -> usize;
        /// Case `i`.
        fn case(&mut self, i: usize) -> Pin<&mut dyn AnyCase<'a>>;
        /// Case `i`'s channel.
        fn chan(&self, i: usize) -> Option<&'a dyn AnyChan>;
    }
}

use sealed::{CaseOps, CasesOps};

/// A [`Case`] of any element type, whose channel is borrowed for at least
/// `'a` (sealed: only `Case` implements it).
pub trait AnyCase<'a>: CaseOps<'a> {}

impl<'a, 'b: 'a, T: 'b> AnyCase<'a> for Case<'b, T> {}

impl<'a, 'b: 'a, T: 'b> CaseOps<'a> for Case<'b, T> {
    fn chan(&self) -> Option<&'a dyn AnyChan> {
        self.chan.map(|c| c as &dyn AnyChan)
    }

    fn is_recv(&self) -> bool {
        self.op.is_recv()
    }

    fn attempt(self: Pin<&mut Self>, held: &mut Held<'_>) -> Option<Option<Waker>> {
        let (chan, op) = self.parts();
        op.attempt(chan?, held)
    }

    unsafe fn enqueue(self: Pin<&mut Self>, held: &mut Held<'_>, claim: &Claim, index: usize) {
        let (chan, op) = self.parts();
        let chan = chan.expect("never() cases are not queued");
        // SAFETY: forwarded; the case's `Drop` dequeues it if the select
        // did not, and `chan` outlives the case (`'a`).
        unsafe { op.enqueue(chan, held, claim, index) };
    }

    fn dequeue(self: Pin<&mut Self>, held: &mut Held<'_>, won: bool) {
        let (chan, op) = self.parts();
        if let Some(chan) = chan {
            op.dequeue(chan, held, won);
        }
    }

    fn give_back(self: Pin<&mut Self>, held: &mut Held<'_>) -> Option<Waker> {
        let (chan, op) = self.parts();
        op.give_back(chan?, held)
    }
}

/// The cases of one select, in source order (sealed).
pub trait Cases<'a>: CasesOps<'a> {}

/// The cases of a `select!`: `(first, (second, ... ()))`.
impl Cases<'_> for () {}

impl<'a> CasesOps<'a> for () {
    fn len(&self) -> usize {
        0
    }

    fn case(&mut self, i: usize) -> Pin<&mut dyn AnyCase<'a>> {
        unreachable!("select case {i} out of range")
    }

    fn chan(&self, i: usize) -> Option<&'a dyn AnyChan> {
        unreachable!("select case {i} out of range")
    }
}

/// Each case may borrow its channel for its own lifetime (a temporary
/// operand's is shorter than the others'): `'a` is what they all outlive.
impl<'a, 'b: 'a, T: 'b, R: Cases<'a>> Cases<'a> for (Pin<&mut Case<'b, T>>, R) {}

impl<'a, 'b: 'a, T: 'b, R: Cases<'a>> CasesOps<'a> for (Pin<&mut Case<'b, T>>, R) {
    fn len(&self) -> usize {
        1 + self.1.len()
    }

    fn case(&mut self, i: usize) -> Pin<&mut dyn AnyCase<'a>> {
        if i == 0 {
            self.0.as_mut()
        } else {
            self.1.case(i - 1)
        }
    }

    fn chan(&self, i: usize) -> Option<&'a dyn AnyChan> {
        if i == 0 {
            self.0.chan.map(|c| c as &dyn AnyChan)
        } else {
            self.1.chan(i - 1)
        }
    }
}

/// The cases of a dynamic select, boxed.
pub type DynCases<'a> = Vec<Pin<Box<dyn AnyCase<'a> + Send + 'a>>>;

impl<'a> Cases<'a> for DynCases<'a> {}

impl<'a> CasesOps<'a> for DynCases<'a> {
    fn len(&self) -> usize {
        <[_]>::len(self)
    }

    fn case(&mut self, i: usize) -> Pin<&mut dyn AnyCase<'a>> {
        self[i].as_mut()
    }

    fn chan(&self, i: usize) -> Option<&'a dyn AnyChan> {
        self[i].chan()
    }
}

/// The receive case on `rx`'s channel behind a type-erased case, if it is
/// one; `None` for another channel, a send case, or a `never()` receiver
/// (whose cases never complete).
pub fn as_recv<'p, 'a, T: 'a>(
    case: Pin<&'p mut (dyn AnyCase<'a> + Send + 'a)>,
    rx: &Receiver<T>,
) -> Option<Pin<&'p mut Case<'a, T>>> {
    let chan = rx.chan.as_deref()?;
    downcast(case, chan, true)
}

/// The send case on `tx`'s channel behind a type-erased case, if it is one.
pub fn as_send<'p, 'a, T: 'a>(
    case: Pin<&'p mut (dyn AnyCase<'a> + Send + 'a)>,
    tx: &Sender<T>,
) -> Option<Pin<&'p mut Case<'a, T>>> {
    downcast(case, &tx.chan, false)
}

fn downcast<'p, 'a, T: 'a>(
    case: Pin<&'p mut (dyn AnyCase<'a> + Send + 'a)>,
    chan: &Chan<T>,
    recv: bool,
) -> Option<Pin<&'p mut Case<'a, T>>> {
    // Compare without knowing the case's element type first.
    if case.is_recv() != recv || case.chan().map(|c| c.addr()) != Some(chan.addr()) {
        return None;
    }
    // Why the cast is sound: `Case` is the only `AnyCase` (sealed), so the
    // case is a `Case<'b, U>` (`'b: 'a`) whose channel, a live `Chan<U>`,
    // sits at the address of the live `Chan<T>` `chan`. Two live objects of
    // non-zero size never share an address, so it is the same channel,
    // created as one type: `U` is `T`. Seeing `'b` as `'a` is sound: the
    // case lives in a place that only requires `'a` (`dyn AnyCase<'a> +
    // 'a`), and a `Case<'a, T>` stored there (`Pin::set`) has the same
    // layout and vtable, lifetimes being erased.
    let cast = |c: &mut (dyn AnyCase<'a> + Send + 'a)| core::ptr::from_mut(c).cast::<Case<'a, T>>();
    // SAFETY: the same case, of type `Case<'a, T>` (above); it stays pinned where it is.
    Some(unsafe { case.map_unchecked_mut(|c| &mut *cast(c)) })
}
