//! The two ends of a channel, `bounded` (Go's `make(chan T, n)`) and `never`
//! (Go's nil channel).

use crate::error::{
    RecvError, RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError,
};
use crate::hchan::Chan;
use crate::recv::RecvFuture;
use crate::send::SendFuture;
use crate::sync::Ordering;
use core::fmt;
use core::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Creates a channel with room for `cap` values (Go: `make(chan T, cap)`);
/// `cap == 0` makes an unbuffered channel, where a send completes only when a
/// receiver takes the value.
///
/// # Panics
///
/// If the buffer cannot be allocated (Go: "makechan: size out of range"),
/// e.g. for `bounded(usize::MAX)`.
///
/// ```
/// let (tx, rx) = gort_chan::bounded(2);
/// tx.send_blocking("a").unwrap();
/// tx.send_blocking("b").unwrap();
/// assert_eq!((tx.len(), tx.capacity()), (2, 2));
/// assert_eq!(rx.recv_blocking(), Ok("a"));
/// ```
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Chan::new(cap, None));
    (Sender { chan: chan.clone() }, Receiver { chan: Some(chan) })
}

/// A receiver that is never ready (Go: a nil channel): receiving blocks
/// forever, and a `select` arm on it never fires. Use it to switch an arm off.
///
/// ```
/// use std::time::Duration;
/// let rx = gort_chan::never::<u32>();
/// assert_eq!(rx.try_recv(), Err(gort_chan::TryRecvError::Empty));
/// assert!(rx.recv_timeout(Duration::from_millis(1)).is_err());
/// assert!(!rx.close());
/// ```
pub fn never<T>() -> Receiver<T> {
    Receiver { chan: None }
}

fn deadline(d: Duration) -> Option<Instant> {
    Instant::now().checked_add(d)
}

/// The sending end of a channel. Clone it to have several senders; the
/// channel closes when the last one is dropped.
pub struct Sender<T> {
    pub(crate) chan: Arc<Chan<T>>,
}

/// The receiving end of a channel. Clone it to have several receivers (each
/// value goes to exactly one); when the last one is dropped the channel
/// closes and its buffered values are dropped.
pub struct Receiver<T> {
    /// `None` for [`never`](fn@crate::never).
    pub(crate) chan: Option<Arc<Chan<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting asynchronously for room or a receiver (Go:
    /// `c <- v`).
    ///
    /// Resolves to `Err(SendError(value))` if the channel is or becomes
    /// closed before the value is taken. Cancel-safe: see [`SendFuture`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let (tx, rx) = gort_chan::bounded(1);
    /// tx.send(5).await.unwrap();
    /// assert_eq!(rx.recv().await, Ok(5));
    /// # });
    /// ```
    pub fn send(&self, value: T) -> SendFuture<'_, T> {
        SendFuture::new(&self.chan, value)
    }

    /// Sends `value`, blocking the thread until there is room or a receiver
    /// takes it. Do not call it from async code: use [`send`](Self::send).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(0);
    /// let t = std::thread::spawn(move || rx.recv_blocking());
    /// tx.send_blocking(1).unwrap(); // returns once the receiver has it
    /// assert_eq!(t.join().unwrap(), Ok(1));
    /// ```
    pub fn send_blocking(&self, value: T) -> Result<(), SendError<T>> {
        self.chan
            .send_blocking(value, None)
            .map_err(|e| SendError(e.into_inner()))
    }

    /// Sends `value` if that can be done without waiting (Go: `select` with
    /// one send case and a `default`).
    ///
    /// ```
    /// use gort_chan::TrySendError;
    /// let (tx, _rx) = gort_chan::bounded(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.chan.try_send(value)
    }

    /// Like [`send_blocking`](Self::send_blocking), giving up after `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let (tx, _rx) = gort_chan::bounded(0);
    /// assert!(tx.send_timeout(1, Duration::from_millis(1)).unwrap_err().is_timeout());
    /// ```
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        self.chan.send_blocking(value, deadline(timeout))
    }

    /// Closes the channel (Go: `close(c)`): receivers drain what is buffered
    /// and then see it closed; waiting and later senders get their value back.
    /// Returns true if this call closed it (Go panics on a second close).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(1);
    /// tx.send_blocking(1).unwrap();
    /// assert!(tx.close());
    /// assert!(!tx.close());
    /// assert_eq!(rx.recv_blocking(), Ok(1));
    /// assert!(rx.recv_blocking().is_err());
    /// ```
    pub fn close(&self) -> bool {
        self.chan.close()
    }

    /// Whether the channel is closed.
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded::<()>(0);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// The number of values buffered (Go: `len(c)`); always 0 for an
    /// unbuffered channel, except briefly while a value handed back by a
    /// dropped receive future waits for a receiver.
    ///
    /// ```
    /// let (tx, _rx) = gort_chan::bounded(4);
    /// tx.send_blocking(1).unwrap();
    /// assert_eq!(tx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// The buffer capacity (Go: `cap(c)`).
    ///
    /// ```
    /// assert_eq!(gort_chan::bounded::<u8>(3).0.capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.reported_cap()
    }

    /// Whether nothing is buffered.
    ///
    /// ```
    /// assert!(gort_chan::bounded::<u8>(3).0.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the buffer is full (always true for an unbuffered channel).
    ///
    /// ```
    /// assert!(gort_chan::bounded::<u8>(0).0.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.len() >= self.capacity()
    }

    /// Whether both senders belong to the same channel.
    ///
    /// ```
    /// let (tx, _rx) = gort_chan::bounded::<u8>(0);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Receiver<T> {
    /// Receives a value, waiting asynchronously (Go: `v, ok := <-c`).
    /// Resolves to `Err(RecvError)` once the channel is closed and drained.
    ///
    /// Cancel-safe: see [`RecvFuture`].
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let (tx, rx) = gort_chan::bounded(0);
    /// tokio::spawn(async move { tx.send("hi").await });
    /// assert_eq!(rx.recv().await, Ok("hi"));
    /// assert!(rx.recv().await.is_err()); // the sender was dropped
    /// # });
    /// ```
    pub fn recv(&self) -> RecvFuture<'_, T> {
        RecvFuture::new(self.chan.as_deref())
    }

    /// Receives a value, blocking the thread. `Err(RecvError)` once the
    /// channel is closed and drained. On a [`never`](fn@crate::never) receiver it blocks
    /// forever. Do not call it from async code: use [`recv`](Self::recv).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(1);
    /// tx.send_blocking(3).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.recv_blocking(), Ok(3));
    /// assert_eq!(rx.recv_blocking(), Err(gort_chan::RecvError));
    /// ```
    pub fn recv_blocking(&self) -> Result<T, RecvError> {
        match &self.chan {
            Some(chan) => chan.recv_blocking(None).map_err(|_| RecvError),
            None => gort_park::hook::blocking(|| {
                loop {
                    std::thread::park();
                }
            }),
        }
    }

    /// Receives a value if one is ready (Go: `select` with one receive case
    /// and a `default`).
    ///
    /// ```
    /// use gort_chan::TryRecvError;
    /// let (tx, rx) = gort_chan::bounded(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send_blocking(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match &self.chan {
            Some(chan) => chan.try_recv(),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Like [`recv_blocking`](Self::recv_blocking), giving up after
    /// `timeout`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let (_tx, rx) = gort_chan::bounded::<u8>(1);
    /// assert!(rx.recv_timeout(Duration::from_millis(1)).is_err());
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        match &self.chan {
            Some(chan) => chan.recv_blocking(deadline(timeout)),
            None => {
                gort_park::hook::blocking(|| std::thread::sleep(timeout));
                Err(RecvTimeoutError::Timeout)
            }
        }
    }

    /// Closes the channel from the receiving side (as tokio's
    /// `Receiver::close`): senders fail from now on, and the values already
    /// buffered can still be received. Returns true if this call closed it;
    /// false if it was closed already or this is a [`never`](fn@crate::never) receiver.
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(2);
    /// tx.send_blocking(1).unwrap();
    /// assert!(rx.close());
    /// assert!(tx.send_blocking(2).is_err());
    /// assert_eq!(rx.recv_blocking(), Ok(1));
    /// ```
    pub fn close(&self) -> bool {
        self.chan.as_ref().is_some_and(|c| c.close())
    }

    /// Whether the channel is closed (a [`never`](fn@crate::never) receiver never is).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded::<u8>(1);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.as_ref().is_some_and(|c| c.is_closed())
    }

    /// The number of values buffered (Go: `len(c)`).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(4);
    /// tx.send_blocking(1).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.as_ref().map_or(0, |c| c.len())
    }

    /// The buffer capacity (Go: `cap(c)`); 0 for a [`never`](fn@crate::never) receiver.
    ///
    /// ```
    /// assert_eq!(gort_chan::bounded::<u8>(3).1.capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.as_ref().map_or(0, |c| c.reported_cap())
    }

    /// Whether nothing is buffered.
    ///
    /// ```
    /// assert!(gort_chan::bounded::<u8>(3).1.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the buffer is full (always true for an unbuffered channel).
    ///
    /// ```
    /// assert!(gort_chan::bounded::<u8>(0).1.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.len() >= self.capacity()
    }

    /// Whether both receivers belong to the same channel (all [`never`](fn@crate::never)
    /// receivers are the same, like Go's nil channels).
    ///
    /// ```
    /// let (_tx, rx) = gort_chan::bounded::<u8>(0);
    /// assert!(rx.same_channel(&rx.clone()));
    /// assert!(!rx.same_channel(&gort_chan::never()));
    /// ```
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        match (&self.chan, &other.chan) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }

    /// A blocking iterator over received values; it ends when the channel is
    /// closed and drained (Go: `for v := range c`).
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(3);
    /// for i in 0..3 { tx.send_blocking(i).unwrap() }
    /// drop(tx);
    /// assert_eq!(rx.iter().collect::<Vec<_>>(), [0, 1, 2]);
    /// ```
    pub fn iter(&self) -> crate::Iter<'_, T> {
        crate::Iter { rx: self }
    }

    /// An iterator over the values ready now; it never blocks.
    ///
    /// ```
    /// let (tx, rx) = gort_chan::bounded(3);
    /// tx.send_blocking(1).unwrap();
    /// assert_eq!(rx.try_iter().collect::<Vec<_>>(), [1]);
    /// ```
    pub fn try_iter(&self) -> crate::TryIter<'_, T> {
        crate::TryIter { rx: self }
    }
}

// A panic never leaves a channel inconsistent: every lock is released with
// the state whole (no poisoning), values and wakers leave it only after
// unlocking, and a waiter is never left queued by an unwinding owner.
impl<T> UnwindSafe for Sender<T> {}
impl<T> RefUnwindSafe for Sender<T> {}
impl<T> UnwindSafe for Receiver<T> {}
impl<T> RefUnwindSafe for Receiver<T> {}

fn add_handle(count: &crate::sync::AtomicUsize) {
    // As `Arc`: a count this large can only come from leaked handles.
    if count.fetch_add(1, Ordering::Relaxed) > isize::MAX as usize {
        std::process::abort();
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        add_handle(&self.chan.senders);
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        if let Some(chan) = &self.chan {
            add_handle(&chan.receivers);
        }
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.chan.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.chan.close();
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(chan) = &self.chan {
            if chan.receivers.fetch_sub(1, Ordering::AcqRel) == 1 {
                chan.close_and_drain();
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.chan.is_none() {
            return f.write_str("Receiver(never)");
        }
        f.debug_struct("Receiver")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}
