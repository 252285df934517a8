//! Iterating over received values (Go: `for v := range c`).

use crate::handles::Receiver;
use core::fmt;

/// A blocking iterator over a channel's values; ends when the channel is
/// closed and drained. From [`Receiver::iter`].
pub struct Iter<'a, T> {
    pub(crate) rx: &'a Receiver<T>,
}

/// A non-blocking iterator over the values ready now. From
/// [`Receiver::try_iter`].
pub struct TryIter<'a, T> {
    pub(crate) rx: &'a Receiver<T>,
}

/// An owning blocking iterator; ends when the channel is closed and drained.
///
/// ```
/// let (tx, rx) = gort_chan::bounded(2);
/// std::thread::spawn(move || {
///     tx.send_blocking(1).unwrap();
///     tx.send_blocking(2).unwrap();
/// });
/// assert_eq!(rx.into_iter().sum::<i32>(), 3);
/// ```
pub struct IntoIter<T> {
    rx: Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.rx.recv_blocking().ok()
    }
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.rx.recv_blocking().ok()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter { rx: self }
    }
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("rx", self.rx).finish()
    }
}

impl<T> fmt::Debug for TryIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryIter").field("rx", self.rx).finish()
    }
}

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter").field("rx", &self.rx).finish()
    }
}
