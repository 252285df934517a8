//! The iterators of [`HSet`].

use crate::iter::{IntoKeys, Keys};
use crate::raw;
use crate::set::HSet;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;

/// The elements of an [`HSet`], made by [`HSet::iter`].
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

/// The elements of an [`HSet`], by value (`for x in set`).
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

/// The elements drained from an [`HSet`], made by [`HSet::drain`].
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

/// The elements of one set that are (`KEEP == true`) or are not
/// (`KEEP == false`) in another: the shared body of [`Intersection`] and
/// [`Difference`].
pub struct Filtered<'a, T, S, const KEEP: bool> {
    iter: Iter<'a, T>,
    other: &'a HSet<T, S>,
}

/// The elements of one set that are not in another, made by
/// [`HSet::difference`].
///
/// ```
/// use gort_hmap::HSet;
///
/// let a = HSet::from([1, 2]);
/// let b = HSet::from([2]);
/// assert_eq!(a.difference(&b).collect::<Vec<_>>(), [&1]);
/// ```
pub type Difference<'a, T, S> = Filtered<'a, T, S, false>;

/// The elements of one set that are also in another, made by
/// [`HSet::intersection`].
///
/// ```
/// use gort_hmap::HSet;
///
/// let a = HSet::from([1, 2]);
/// let b = HSet::from([2]);
/// assert_eq!(a.intersection(&b).collect::<Vec<_>>(), [&2]);
/// ```
pub type Intersection<'a, T, S> = Filtered<'a, T, S, true>;

impl<'a, T, S, const KEEP: bool> Filtered<'a, T, S, KEEP> {
    pub(crate) fn new(iter: Iter<'a, T>, other: &'a HSet<T, S>) -> Self {
        Filtered { iter, other }
    }
}

impl<'a, T: Eq + Hash, S: BuildHasher, const KEEP: bool> Iterator for Filtered<'a, T, S, KEEP> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let other = self.other;
        self.iter.find(|v| other.contains(*v) == KEEP)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.iter.size_hint().1)
    }
}

impl<T: Eq + Hash, S: BuildHasher, const KEEP: bool> FusedIterator for Filtered<'_, T, S, KEEP> {}

impl<T, S, const KEEP: bool> Clone for Filtered<'_, T, S, KEEP> {
    fn clone(&self) -> Self {
        Filtered {
            iter: self.iter.clone(),
            other: self.other,
        }
    }
}

impl<T: fmt::Debug + Eq + Hash, S: BuildHasher, const KEEP: bool> fmt::Debug
    for Filtered<'_, T, S, KEEP>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// The elements in exactly one of two sets, made by
/// [`HSet::symmetric_difference`].
///
/// ```
/// use gort_hmap::HSet;
///
/// let a = HSet::from([1]);
/// let b = HSet::from([2]);
/// assert_eq!(a.symmetric_difference(&b).count(), 2);
/// ```
pub struct SymmetricDifference<'a, T, S> {
    iter: core::iter::Chain<Difference<'a, T, S>, Difference<'a, T, S>>,
}

impl<'a, T: Eq + Hash, S: BuildHasher> SymmetricDifference<'a, T, S> {
    pub(crate) fn new(a: Difference<'a, T, S>, b: Difference<'a, T, S>) -> Self {
        SymmetricDifference { iter: a.chain(b) }
    }
}

/// The elements in either of two sets, each once, made by [`HSet::union`].
///
/// ```
/// use gort_hmap::HSet;
///
/// let a = HSet::from([1, 2]);
/// let b = HSet::from([2, 3]);
/// assert_eq!(a.union(&b).count(), 3);
/// ```
pub struct Union<'a, T, S> {
    iter: core::iter::Chain<Iter<'a, T>, Difference<'a, T, S>>,
}

impl<'a, T: Eq + Hash, S: BuildHasher> Union<'a, T, S> {
    pub(crate) fn new(all: Iter<'a, T>, rest: Difference<'a, T, S>) -> Self {
        Union {
            iter: all.chain(rest),
        }
    }
}

/// Defines `Iterator`, `FusedIterator`, `Clone` and `Debug` for a set
/// iterator that is a chain of two others.
macro_rules! chained {
    ($name:ident) => {
        impl<'a, T: Eq + Hash, S: BuildHasher> Iterator for $name<'a, T, S> {
            type Item = &'a T;

            fn next(&mut self) -> Option<&'a T> {
                self.iter.next()
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.iter.size_hint()
            }
        }

        impl<T: Eq + Hash, S: BuildHasher> FusedIterator for $name<'_, T, S> {}

        impl<T, S> Clone for $name<'_, T, S> {
            fn clone(&self) -> Self {
                $name {
                    iter: self.iter.clone(),
                }
            }
        }

        impl<T: fmt::Debug + Eq + Hash, S: BuildHasher> fmt::Debug for $name<'_, T, S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.clone()).finish()
            }
        }
    };
}

chained!(SymmetricDifference);
chained!(Union);
