//! Go's `select`, ported from go1.23's `runtime/select.go` (`selectgo`): wait
//! on several [gort-chan](gort_chan) operations at once, with Go's random
//! poll order, locking in channel-address order, one shared claim per select
//! (Go's `selectDone`) and exactly one committed arm.
//!
//! | Go | gort-select |
//! |---|---|
//! | `select { case v, ok := <-a: .. case b <- x: .. }` | `select! { recv(a) -> v => .., send(b, x) -> r => .. }` |
//! | the same in a thread | `select_blocking! { .. }` |
//! | `default:` | `default => ..` |
//! | `case <-time.After(d):` | `default(d) => ..`, or `recv(gort_time::after(d)) -> _ => ..` |
//! | a case on a nil channel | a case on `gort_chan::never()`: never chosen |
//! | `select {}` | `select! {}`: never completes |
//! | `reflect.Select(cases)` | [`Select`]: `recv(&rx)`, `send(&tx, v)`, then `select().await` |
//!
//! - [`select!`]: async, usable inside async code.
//! - [`select_blocking!`]: blocks the calling OS thread.
//! - [`Select`]: a select built at run time (Go's `reflect.Select`).
//!
//! ```
//! use gort_select::select_blocking;
//!
//! let (tx, rx) = gort_chan::bounded::<u32>(1);
//! let (quit_tx, quit_rx) = gort_chan::bounded::<()>(0);
//! tx.send_blocking(1).unwrap();
//! drop(quit_tx); // closing makes the quit arm ready
//! let mut got = Vec::new();
//! loop {
//!     select_blocking! {
//!         recv(rx) -> v => got.push(v.unwrap()),
//!         recv(quit_rx) -> _ => break,
//!     }
//! }
//! // The value may or may not have been received before quit won.
//! assert!(got.len() <= 1);
//! ```
//!
//! Timeouts are `default(d)` arms (no timer channel is allocated) or receive
//! arms on a timer channel.
//!
//! # How it is built
//!
//! Go's `selectgo` runs in gort-chan (as in Go, where `select.go` sits beside
//! `chan.go` and reaches into `hchan`): the random poll order, the lock
//! order, the shared claim and the three passes live there, next to every
//! other rule about a waiting operation. This crate is the statement's
//! surface: the macros, the `default` arms (whose async timeout is a
//! gort-time `Sleep`) and the dynamic [`Select`].
#![deny(unsafe_op_in_unsafe_fn)]

mod dynamic;
mod future;
mod macros;
mod operand;

pub use dynamic::{Select, Selected, SelectedFuture};
pub use operand::RecvOperand;

/// What the macros expand to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::future::{Default, SelectFuture};
    use core::pin::Pin;
    pub use gort_chan::raw::Case;
    use gort_chan::{RecvError, SendError, Sender, TryRecvError, TrySendError};
    pub use gort_park::hook::blocking;
    pub use gort_time::sleep;

    pub use crate::operand::RecvOperand;

    /// The winning receive arm's outcome; its operand is told when it took
    /// a value.
    pub fn take_recv<'a, T>(
        arm: Pin<&mut Case<'_, T>>,
        rx: impl RecvOperand<'a, T>,
    ) -> Result<T, RecvError> {
        let out = arm
            .take_recv()
            .expect("select: the winning arm has an outcome");
        crate::operand::took(rx, out)
    }

    /// The winning send arm's outcome.
    pub fn take_sent<'a, T>(
        arm: Pin<&mut Case<'_, T>>,
        _tx: impl SendOperand<'a, T>,
    ) -> Result<(), SendError<T>> {
        arm.take_sent()
            .expect("select: the winning arm has an outcome")
    }

    /// A send operand: `tx` or `&tx`, as for [`RecvOperand`](crate::RecvOperand).
    #[diagnostic::on_unimplemented(
        message = "a `send(..)` arm takes a channel's sending side, not `{Self}`",
        label = "not a `Sender<T>`",
        note = "pass a `gort_chan::Sender<T>` (by value or by reference) and the value: `send(tx, value) -> result => ..`; to receive, write `recv(receiver) -> result => ..`"
    )]
    pub trait SendOperand<'a, T> {
        /// The sender.
        fn sender(self) -> &'a Sender<T>;
    }

    impl<'a, T> SendOperand<'a, T> for &'a Sender<T> {
        fn sender(self) -> &'a Sender<T> {
            self
        }
    }

    impl<'a, T> SendOperand<'a, T> for &&'a Sender<T> {
        fn sender(self) -> &'a Sender<T> {
            self
        }
    }

    /// Go's `selectnbrecv`: one receive arm and a default. `None`: the
    /// default runs.
    pub fn try_recv<'a, T: 'a>(rx: impl RecvOperand<'a, T>) -> Option<Result<T, RecvError>> {
        match rx.receiver().try_recv() {
            Ok(v) => {
                rx.received();
                Some(Ok(v))
            }
            Err(TryRecvError::Closed) => Some(Err(RecvError)),
            Err(TryRecvError::Empty) => None,
        }
    }

    /// Go's `selectnbsend`: one send arm and a default. `None`: the default
    /// runs (and the value is dropped, as a losing send arm's).
    pub fn try_send<'a, T: 'a>(
        tx: impl SendOperand<'a, T>,
        value: T,
    ) -> Option<Result<(), SendError<T>>> {
        match tx.sender().try_send(value) {
            Ok(()) => Some(Ok(())),
            Err(TrySendError::Closed(v)) => Some(Err(SendError(v))),
            Err(TrySendError::Full(_)) => None,
        }
    }
}
