//! [`HSet`]: a set on top of [`HMap`] with `()` values, with std's
//! `HashSet` API.

use crate::error::TryReserveError;
use crate::map::HMap;
use crate::set_iter::{Drain, IntoIter, Iter};
use ahash::RandomState;
use core::borrow::Borrow;
use core::fmt;
use core::hash::{BuildHasher, Hash};
use core::ops::{BitAnd, BitOr, BitXor, Sub};

/// A hash set on Go's classic map: an [`HMap`] with `()` values, with std's
/// `HashSet` API. Iteration order is randomised per iteration, as the map's.
///
/// ```
/// use gort_hmap::HSet;
///
/// let mut s = HSet::new();
/// assert!(s.insert("go"));
/// assert!(!s.insert("go"));
/// assert!(s.contains("go"));
/// let t: HSet<&str> = ["go", "rust"].into_iter().collect();
/// assert!(s.is_subset(&t));
/// ```
pub struct HSet<T, S = RandomState> {
    map: HMap<T, (), S>,
}

impl<T> HSet<T, RandomState> {
    /// An empty set; it allocates nothing until the first insert.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let s: HSet<u32> = HSet::new();
    /// assert!(s.is_empty());
    /// ```
    pub fn new() -> Self {
        HSet { map: HMap::new() }
    }

    /// An empty set with room for `capacity` elements (see
    /// [`HMap::with_capacity`]).
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let s: HSet<u32> = HSet::with_capacity(10);
    /// assert!(s.capacity() >= 10);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        HSet {
            map: HMap::with_capacity(capacity),
        }
    }
}

impl<T, S> HSet<T, S> {
    /// An empty set that hashes with `hasher`.
    ///
    /// ```
    /// use gort_hmap::HSet;
    /// use std::hash::RandomState;
    ///
    /// let mut s = HSet::with_hasher(RandomState::new());
    /// s.insert(2);
    /// assert!(s.contains(&2));
    /// ```
    pub fn with_hasher(hasher: S) -> Self {
        HSet {
            map: HMap::with_hasher(hasher),
        }
    }

    /// An empty set with room for `capacity` elements, hashing with `hasher`.
    ///
    /// ```
    /// use gort_hmap::HSet;
    /// use std::hash::RandomState;
    ///
    /// let s: HSet<u8, _> = HSet::with_capacity_and_hasher(10, RandomState::new());
    /// assert!(s.capacity() >= 10);
    /// ```
    pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
        HSet {
            map: HMap::with_capacity_and_hasher(capacity, hasher),
        }
    }

    /// The set's hasher.
    ///
    /// ```
    /// use gort_hmap::HSet;
    /// use std::hash::RandomState;
    ///
    /// let s: HSet<u8, RandomState> = HSet::with_hasher(RandomState::new());
    /// let _h: &RandomState = s.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        self.map.hasher()
    }

    /// How many elements fit before the next doubling.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let s: HSet<u8> = HSet::new();
    /// assert_eq!(s.capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.map.capacity()
    }

    /// The elements, in this iteration's random order.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let s = HSet::from([1, 2, 3]);
    /// assert_eq!(s.iter().sum::<i32>(), 6);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter::new(self.map.keys())
    }

    /// The number of elements.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// assert_eq!(HSet::from([1, 2]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the set has no elements.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// assert!(HSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Empties the set, handing out its elements (see [`HMap::drain`]).
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s = HSet::from([1, 2]);
    /// assert_eq!(s.drain().count(), 2);
    /// assert!(s.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T> {
        Drain::new(self.map.drain())
    }

    /// Keeps only the elements for which `f` returns true.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s: HSet<u32> = (0..10).collect();
    /// s.retain(|x| x % 3 == 0);
    /// assert_eq!(s.len(), 4);
    /// ```
    pub fn retain<F: FnMut(&T) -> bool>(&mut self, mut f: F) {
        self.map.retain(|k, _| f(k));
    }

    /// Removes every element, keeping the bucket array.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s = HSet::from([1]);
    /// s.clear();
    /// assert!(s.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

impl<T, S> HSet<T, S>
where
    T: Eq + Hash,
    S: BuildHasher,
{
    /// Makes room for `additional` more elements (see [`HMap::reserve`]).
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s: HSet<u32> = HSet::new();
    /// s.reserve(100);
    /// assert!(s.capacity() >= 100);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// Like [`reserve`](Self::reserve), reporting failure.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s: HSet<u32> = HSet::new();
    /// assert!(s.try_reserve(usize::MAX).is_err());
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.map.try_reserve(additional)
    }

    /// Shrinks the bucket array to fit the elements (see
    /// [`HMap::shrink_to_fit`]).
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s: HSet<u32> = HSet::with_capacity(1000);
    /// s.insert(1);
    /// s.shrink_to_fit();
    /// assert!(s.capacity() < 1000);
    /// ```
    pub fn shrink_to_fit(&mut self) {
        self.map.shrink_to_fit();
    }

    /// Shrinks the bucket array to hold `max(len, min_capacity)` elements.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s: HSet<u32> = HSet::with_capacity(1000);
    /// s.shrink_to(100);
    /// assert!(s.capacity() >= 100 && s.capacity() < 1000);
    /// ```
    pub fn shrink_to(&mut self, min_capacity: usize) {
        self.map.shrink_to(min_capacity);
    }

    /// Whether `value` is in the set.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let s = HSet::from(["a".to_string()]);
    /// assert!(s.contains("a"));
    /// ```
    pub fn contains<Q>(&self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.contains_key(value)
    }

    /// The stored element equal to `value`.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let s = HSet::from(["a".to_string()]);
    /// assert_eq!(s.get("a").map(String::as_str), Some("a"));
    /// ```
    pub fn get<Q>(&self, value: &Q) -> Option<&T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_key_value(value).map(|(k, _)| k)
    }

    /// Whether the two sets have no element in common.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// assert!(HSet::from([1]).is_disjoint(&HSet::from([2])));
    /// ```
    pub fn is_disjoint(&self, other: &HSet<T, S>) -> bool {
        self.intersection(other).next().is_none()
    }

    /// Whether every element of `self` is in `other`.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// assert!(HSet::from([1]).is_subset(&HSet::from([1, 2])));
    /// ```
    pub fn is_subset(&self, other: &HSet<T, S>) -> bool {
        self.len() <= other.len() && self.iter().all(|v| other.contains(v))
    }

    /// Whether every element of `other` is in `self`.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// assert!(HSet::from([1, 2]).is_superset(&HSet::from([2])));
    /// ```
    pub fn is_superset(&self, other: &HSet<T, S>) -> bool {
        other.is_subset(self)
    }

    /// Adds `value`; returns whether it was absent (a present element is
    /// kept, and `value` dropped).
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s = HSet::new();
    /// assert!(s.insert(1));
    /// assert!(!s.insert(1));
    /// ```
    pub fn insert(&mut self, value: T) -> bool {
        self.map.insert(value, ()).is_none()
    }

    /// Adds `value`, replacing an equal element and returning it.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s = HSet::new();
    /// assert_eq!(s.replace(vec![1]), None);
    /// assert_eq!(s.replace(vec![1]), Some(vec![1]));
    /// ```
    pub fn replace(&mut self, value: T) -> Option<T> {
        self.map.replace_key(value, ())
    }

    /// Removes `value`; returns whether it was present.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s = HSet::from([1]);
    /// assert!(s.remove(&1));
    /// assert!(!s.remove(&1));
    /// ```
    pub fn remove<Q>(&mut self, value: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove(value).is_some()
    }

    /// Removes and returns the stored element equal to `value`.
    ///
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// let mut s = HSet::from(["a".to_string()]);
    /// assert_eq!(s.take("a"), Some("a".to_string()));
    /// ```
    pub fn take<Q>(&mut self, value: &Q) -> Option<T>
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove_entry(value).map(|(k, _)| k)
    }
}

impl<T: Clone, S: Clone> Clone for HSet<T, S> {
    fn clone(&self) -> Self {
        HSet {
            map: self.map.clone(),
        }
    }
}

impl<T: Eq + Hash, S: BuildHasher> PartialEq for HSet<T, S> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.is_subset(other)
    }
}

impl<T: Eq + Hash, S: BuildHasher> Eq for HSet<T, S> {}

impl<T: fmt::Debug, S> fmt::Debug for HSet<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T, S: Default> Default for HSet<T, S> {
    /// An empty set with the default hasher.
    fn default() -> Self {
        HSet {
            map: HMap::default(),
        }
    }
}

impl<T: Eq + Hash, S: BuildHasher + Default> FromIterator<T> for HSet<T, S> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        HSet {
            map: iter.into_iter().map(|v| (v, ())).collect(),
        }
    }
}

impl<T: Eq + Hash, S: BuildHasher> Extend<T> for HSet<T, S> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.map.extend(iter.into_iter().map(|v| (v, ())));
    }
}

impl<'a, T: Eq + Hash + Copy + 'a, S: BuildHasher> Extend<&'a T> for HSet<T, S> {
    fn extend<I: IntoIterator<Item = &'a T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

impl<T: Eq + Hash, const N: usize> From<[T; N]> for HSet<T, RandomState> {
    /// ```
    /// use gort_hmap::HSet;
    ///
    /// assert_eq!(HSet::from([1, 2, 2]).len(), 2);
    /// ```
    fn from(arr: [T; N]) -> Self {
        arr.into_iter().collect()
    }
}

impl<T, S> IntoIterator for HSet<T, S> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter::new(self.map.into_keys())
    }
}

impl<'a, T, S> IntoIterator for &'a HSet<T, S> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Defines a set operator on references: `&a OP &b` collects `a.$method(b)`.
macro_rules! set_operator {
    ($trait:ident, $fn:ident, $method:ident, $what:literal) => {
        impl<T, S> $trait<&HSet<T, S>> for &HSet<T, S>
        where
            T: Eq + Hash + Clone,
            S: BuildHasher + Default,
        {
            type Output = HSet<T, S>;

            #[doc = concat!("The ", $what, " of two sets, as a new set.")]
            fn $fn(self, rhs: &HSet<T, S>) -> HSet<T, S> {
                self.$method(rhs).cloned().collect()
            }
        }
    };
}

set_operator!(BitOr, bitor, union, "union");
set_operator!(BitAnd, bitand, intersection, "intersection");
set_operator!(BitXor, bitxor, symmetric_difference, "symmetric difference");
set_operator!(Sub, sub, difference, "difference");
