//! Set operations of [`HSet`] (std's `difference`, `symmetric_difference`,
//! `intersection`, `union`) and the iterators they return.

use crate::set::HSet;
use crate::set_iter::Iter;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::iter::FusedIterator;

impl<T, S> HSet<T, S>
where
    T: Eq + Hash,
    S: BuildHasher,
{
    /// The elements of `self` that are not in `other`.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let a = HSet::from([1, 2, 3]);
    /// let b = HSet::from([2]);
    /// let mut d: Vec<_> = a.difference(&b).copied().collect();
    /// d.sort();
    /// assert_eq!(d, [1, 3]);
    /// ```
    pub fn difference<'a>(&'a self, other: &'a HSet<T, S>) -> Difference<'a, T, S> {
        Difference::new(self.iter(), other)
    }

    /// The elements in exactly one of the two sets.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let a = HSet::from([1, 2]);
    /// let b = HSet::from([2, 3]);
    /// let mut d: Vec<_> = a.symmetric_difference(&b).copied().collect();
    /// d.sort();
    /// assert_eq!(d, [1, 3]);
    /// ```
    pub fn symmetric_difference<'a>(
        &'a self,
        other: &'a HSet<T, S>,
    ) -> SymmetricDifference<'a, T, S> {
        SymmetricDifference::new(self.difference(other), other.difference(self))
    }

    /// The elements in both sets (walking the smaller one).
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let a = HSet::from([1, 2]);
    /// let b = HSet::from([2, 3]);
    /// assert_eq!(a.intersection(&b).collect::<Vec<_>>(), [&2]);
    /// ```
    pub fn intersection<'a>(&'a self, other: &'a HSet<T, S>) -> Intersection<'a, T, S> {
        if self.len() <= other.len() {
            Intersection::new(self.iter(), other)
        } else {
            Intersection::new(other.iter(), self)
        }
    }

    /// The elements in either set, each once.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let a = HSet::from([1, 2]);
    /// let b = HSet::from([2, 3]);
    /// let mut u: Vec<_> = a.union(&b).copied().collect();
    /// u.sort();
    /// assert_eq!(u, [1, 2, 3]);
    /// ```
    pub fn union<'a>(&'a self, other: &'a HSet<T, S>) -> Union<'a, T, S> {
        if self.len() >= other.len() {
            Union::new(self.iter(), other.difference(self))
        } else {
            Union::new(other.iter(), self.difference(other))
        }
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
