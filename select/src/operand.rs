//! What a receive arm accepts: a [`Receiver`] or a [`RecvOnly`] view (Go
//! selects on a `chan T` and a `<-chan T` alike).

use gort_chan::{Receiver, RecvOnly};

/// A receive operand of [`select!`](crate::select!),
/// [`select_blocking!`](crate::select_blocking!) and [`Select`](crate::Select):
/// `&Receiver<T>` or `&RecvOnly<T>` (and one more `&` of either, as the
/// macros borrow what they are given). Sealed.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (tx, rx) = gort_chan::bounded(1);
/// let view = rx.recv_only();
/// tx.send(3).await.unwrap();
/// let got = gort_select::select! {
///     recv(view) -> v => v,
///     recv(gort_chan::never::<u8>()) -> _ => unreachable!(),
/// };
/// assert_eq!(got, Ok(3));
/// # });
/// ```
///
/// Anything else is refused at compile time, with a message naming what
/// the arm takes (here a `Sender` given to a `recv` arm):
///
/// ```compile_fail
/// let (tx, _rx) = gort_chan::bounded::<u8>(1);
/// gort_select::select_blocking! {
///     recv(tx) -> _v => {},
///     default => {},
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "a `recv(..)` arm takes a channel's receiving side, not `{Self}`",
    label = "not a `Receiver<T>` or `RecvOnly<T>`",
    note = "pass a `gort_chan::Receiver<T>` or `RecvOnly<T>` (by value or by reference); to send, write `send(sender, value) -> result => ..`"
)]
pub trait RecvOperand<'a, T>: sealed::Sealed {
    /// The channel's receiver (crate-internal use: it is not a way to
    /// close a receive-only view's channel).
    #[doc(hidden)]
    fn receiver(self) -> &'a Receiver<T>;
}

mod sealed {
    pub trait Sealed {}
}

impl<T> sealed::Sealed for &Receiver<T> {}
impl<T> sealed::Sealed for &&Receiver<T> {}
impl<T> sealed::Sealed for &RecvOnly<T> {}
impl<T> sealed::Sealed for &&RecvOnly<T> {}

impl<'a, T> RecvOperand<'a, T> for &'a Receiver<T> {
    fn receiver(self) -> &'a Receiver<T> {
        self
    }
}

impl<'a, T> RecvOperand<'a, T> for &&'a Receiver<T> {
    fn receiver(self) -> &'a Receiver<T> {
        self
    }
}

impl<'a, T> RecvOperand<'a, T> for &'a RecvOnly<T> {
    fn receiver(self) -> &'a Receiver<T> {
        gort_chan::raw::receiver_of(self)
    }
}

impl<'a, T> RecvOperand<'a, T> for &&'a RecvOnly<T> {
    fn receiver(self) -> &'a Receiver<T> {
        gort_chan::raw::receiver_of(self)
    }
}
