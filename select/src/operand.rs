//! What a receive arm accepts: a [`Receiver`] or a [`RecvOnly`] view (Go
//! selects on a `chan T` and a `<-chan T` alike).

#[cfg(doc)]
use gort_chan::RecvOnly;
use gort_chan::raw::RecvSide;
use gort_chan::{Receiver, RecvError};

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
pub trait RecvOperand<'a, T>: sealed::Sealed + Copy {
    /// The channel's receiver (crate-internal use: it is not a way to
    /// close a receive-only view's channel).
    #[doc(hidden)]
    fn receiver(self) -> &'a Receiver<T>;

    /// Tells the operand that a receive through it took a value (gort-mq's
    /// consumers keep books per message; channels ignore it).
    #[doc(hidden)]
    fn received(self);
}

mod sealed {
    pub trait Sealed {}
}

impl<X: ?Sized> sealed::Sealed for &X {}

impl<'a, T, X: RecvSide<T> + ?Sized> RecvOperand<'a, T> for &'a X {
    fn receiver(self) -> &'a Receiver<T> {
        RecvSide::receiver(self)
    }

    fn received(self) {
        RecvSide::received(self)
    }
}

/// Hands a receive arm's outcome on, telling its operand when it took a value.
pub(crate) fn took<'a, T>(
    rx: impl RecvOperand<'a, T>,
    out: Result<T, RecvError>,
) -> Result<T, RecvError> {
    if out.is_ok() {
        rx.received();
    }
    out
}
