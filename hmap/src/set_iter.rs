//! The iterators of [`HSet`](crate::HSet).

use crate::iter::{IntoKeys, Keys};
use crate::raw;
use core::fmt;
use core::iter::FusedIterator;

/// The elements of an [`HSet`](crate::HSet), made by [`HSet::iter`](crate::HSet::iter).
///
/// ```
/// use gort_hmap::HSet;
///
/// let s = HSet::from([7]);
/// assert_eq!(s.iter().next(), Some(&7));
/// ```
pub struct Iter<'a, T> {
    keys: Keys<'a, T, ()>,
}

/// The elements of an [`HSet`](crate::HSet), by value (`for x in set`).
///
/// ```
/// use gort_hmap::HSet;
///
/// let s = HSet::from([7]);
/// assert_eq!(s.into_iter().collect::<Vec<_>>(), [7]);
/// ```
pub struct IntoIter<T> {
    keys: IntoKeys<T, ()>,
}

/// The elements drained from an [`HSet`](crate::HSet), made by [`HSet::drain`](crate::HSet::drain).
///
/// ```
/// use gort_hmap::HSet;
///
/// let mut s = HSet::from([7]);
/// assert_eq!(s.drain().collect::<Vec<_>>(), [7]);
/// ```
pub struct Drain<'a, T> {
    inner: raw::Drain<'a, T, ()>,
}

impl<'a, T> Iter<'a, T> {
    pub(crate) fn new(keys: Keys<'a, T, ()>) -> Self {
        Iter { keys }
    }
}

impl<T> IntoIter<T> {
    pub(crate) fn new(keys: IntoKeys<T, ()>) -> Self {
        IntoIter { keys }
    }
}

impl<'a, T> Drain<'a, T> {
    pub(crate) fn new(inner: raw::Drain<'a, T, ()>) -> Self {
        Drain { inner }
    }
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        self.keys.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.keys.size_hint()
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.keys.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.keys.size_hint()
    }
}

impl<T> Iterator for Drain<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.inner.next().map(|(k, ())| k)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}
impl<T> ExactSizeIterator for IntoIter<T> {}
impl<T> ExactSizeIterator for Drain<'_, T> {}
impl<T> FusedIterator for Iter<'_, T> {}
impl<T> FusedIterator for IntoIter<T> {}
impl<T> FusedIterator for Drain<'_, T> {}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            keys: self.keys.clone(),
        }
    }
}

impl<T> Default for Iter<'_, T> {
    /// An iterator that produces nothing.
    fn default() -> Self {
        Iter {
            keys: Keys::default(),
        }
    }
}

impl<T> Default for IntoIter<T> {
    /// An iterator that produces nothing.
    fn default() -> Self {
        IntoIter {
            keys: IntoKeys::default(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.keys, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.keys, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Drain<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.inner.iter().map(|(k, _)| k))
            .finish()
    }
}
