//! A receive-only view of a channel (Go: `<-chan T`).

use crate::error::{RecvError, RecvTimeoutError, TryRecvError};
use crate::handles::Receiver;
use crate::iter::{IntoIter, Iter, TryIter};
use crate::recv::RecvFuture;
use core::fmt;
use std::time::Duration;

/// The receive half of a channel without the right to close it (Go:
/// `<-chan T`). Everything a [`Receiver`] receives with, nothing more:
/// holders can wait on it, drain it and range over it, but only whoever
/// holds the [`Sender`](crate::Sender) or a full `Receiver` can close it.
/// gort-time's timer channels and gort-context's `done()` are `RecvOnly`,
/// as Go's `Timer.C` and `ctx.Done()` are receive-only. `select!` and
/// `select_blocking!` take it as a receive operand, like a `Receiver`.
///
/// It counts as a receiver of its channel: a clone is another receiver,
/// and dropping the last receiver (of either kind) closes the channel.
///
/// ```
/// use gort_chan::{RecvOnly, bounded};
/// let (tx, rx) = bounded(1);
/// let view: RecvOnly<u8> = rx.recv_only();
/// tx.send_blocking(7).unwrap();
/// assert_eq!(view.try_recv(), Ok(7));
/// drop(tx);
/// assert!(view.is_closed());
/// ```
///
/// A view cannot close its channel:
///
/// ```compile_fail
/// let (_tx, rx) = gort_chan::bounded::<u8>(1);
/// rx.recv_only().close();
/// ```
pub struct RecvOnly<T> {
    rx: Receiver<T>,
}

impl<T> Receiver<T> {
    /// A receive-only view of this channel (Go: converting a `chan T` to
    /// `<-chan T`). It is another receiver of the channel.
    ///
    /// ```
    /// let (_tx, rx) = gort_chan::bounded::<u8>(0);
    /// let view = rx.recv_only();
    /// assert!(view.same_channel(&rx.recv_only()));
    /// ```
    pub fn recv_only(&self) -> RecvOnly<T> {
        RecvOnly { rx: self.clone() }
    }
}

impl<T> From<Receiver<T>> for RecvOnly<T> {
    /// Gives up the right to close: `rx` becomes receive-only.
    ///
    /// ```
    /// let (_tx, rx) = gort_chan::bounded::<u8>(0);
    /// let view = gort_chan::RecvOnly::from(rx);
    /// assert!(!view.is_closed());
    /// ```
    fn from(rx: Receiver<T>) -> Self {
        RecvOnly { rx }
    }
}

impl<T> RecvOnly<T> {
    /// Receives a value, waiting asynchronously; as [`Receiver::recv`]
    /// (cancel-safe, `Err(RecvError)` once closed and drained).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let (tx, rx) = gort_chan::bounded(1);
    /// tx.send(1).await.unwrap();
    /// assert_eq!(rx.recv_only().recv().await, Ok(1));
    /// # });
    /// ```
    pub fn recv(&self) -> RecvFuture<'_, T> {
        self.rx.recv()
    }

    /// Receives a value, blocking the thread; as [`Receiver::recv_blocking`].
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(1);
    /// tx.send_blocking(2).unwrap();
    /// assert_eq!(rx.recv_only().recv_blocking(), Ok(2));
    /// ```
    pub fn recv_blocking(&self) -> Result<T, RecvError> {
        self.rx.recv_blocking()
    }

    /// Receives a value if one is ready; as [`Receiver::try_recv`].
    ///
    /// ```
    /// let (_tx, rx) = gort_chan::bounded::<u8>(1);
    /// assert_eq!(rx.recv_only().try_recv(), Err(gort_chan::TryRecvError::Empty));
    /// ```
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Receives a value, blocking the thread up to `timeout`; as
    /// [`Receiver::recv_timeout`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let (_tx, rx) = gort_chan::bounded::<u8>(1);
    /// assert!(rx.recv_only().recv_timeout(Duration::from_millis(1)).is_err());
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        self.rx.recv_timeout(timeout)
    }

    /// Whether the channel is closed.
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded::<u8>(1);
    /// let view = rx.recv_only();
    /// tx.close();
    /// assert!(view.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }

    /// The number of values buffered (Go: `len(c)`).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(2);
    /// tx.send_blocking(1).unwrap();
    /// assert_eq!(rx.recv_only().len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// The buffer capacity (Go: `cap(c)`).
    ///
    /// ```
    /// assert_eq!(gort_chan::bounded::<u8>(3).1.recv_only().capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.rx.capacity()
    }

    /// Whether nothing is buffered.
    ///
    /// ```
    /// assert!(gort_chan::bounded::<u8>(3).1.recv_only().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    /// Whether the buffer is full (always true for an unbuffered channel).
    ///
    /// ```
    /// assert!(gort_chan::bounded::<u8>(0).1.recv_only().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.rx.is_full()
    }

    /// Whether both views belong to the same channel.
    ///
    /// ```
    /// let (_tx, rx) = gort_chan::bounded::<u8>(0);
    /// let view = rx.recv_only();
    /// assert!(view.same_channel(&view.clone()));
    /// ```
    pub fn same_channel(&self, other: &RecvOnly<T>) -> bool {
        self.rx.same_channel(&other.rx)
    }

    /// A blocking iterator over received values, ending when the channel is
    /// closed and drained (Go: `for v := range c`).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(2);
    /// tx.send_blocking(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.recv_only().iter().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        self.rx.iter()
    }

    /// An iterator over the values ready now; it never blocks.
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(2);
    /// tx.send_blocking(1).unwrap();
    /// assert_eq!(rx.recv_only().try_iter().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn try_iter(&self) -> TryIter<'_, T> {
        self.rx.try_iter()
    }

    /// The receiver behind the view, for the crates of this workspace that
    /// take either kind (gort-select's operands).
    pub(crate) fn receiver(&self) -> &Receiver<T> {
        &self.rx
    }
}

impl<T> Clone for RecvOnly<T> {
    fn clone(&self) -> Self {
        RecvOnly {
            rx: self.rx.clone(),
        }
    }
}

impl<'a, T> IntoIterator for &'a RecvOnly<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for RecvOnly<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        self.rx.into_iter()
    }
}

impl<T> fmt::Debug for RecvOnly<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RecvOnly").field(&self.rx).finish()
    }
}

#[cfg(feature = "stream")]
impl<T> RecvOnly<T> {
    /// A stream over this channel's values (it holds a clone of this view).
    pub fn stream(&self) -> crate::RecvStream<T> {
        self.rx.stream()
    }

    /// Turns this view into a stream of the channel's values.
    pub fn into_stream(self) -> crate::RecvStream<T> {
        self.rx.into_stream()
    }
}
