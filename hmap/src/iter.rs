//! The iterators of [`HMap`](crate::HMap) that project one side of an entry:
//! keys or values, borrowed or owned. Each wraps one of the entry iterators
//! of `raw::iter` and keeps its random order and exact length.

use crate::raw::{IntoIter, Iter, IterMut};
use core::fmt;
use core::iter::FusedIterator;

/// Defines a projecting iterator: the struct, `Iterator` (with `size_hint`),
/// `ExactSizeIterator`, `FusedIterator`, `Default` and `Debug` (which lists
/// what is left, without consuming it).
macro_rules! projection {
    (
        $(#[$doc:meta])*
        $name:ident<$($lt:lifetime,)? K, V> wraps $inner:ty, yields $item:ty,
        by |$pat:pat_param| $proj:expr, shows $show:ident, lists |$it:ident| $list:expr
    ) => {
        $(#[$doc])*
        pub struct $name<$($lt,)? K, V> {
            inner: $inner,
        }

        impl<$($lt,)? K, V> $name<$($lt,)? K, V> {
            pub(crate) fn new(inner: $inner) -> Self {
                $name { inner }
            }
        }

        impl<$($lt,)? K, V> Iterator for $name<$($lt,)? K, V> {
            type Item = $item;

            #[inline]
            fn next(&mut self) -> Option<$item> {
                self.inner.next().map(|$pat| $proj)
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                self.inner.size_hint()
            }
        }

        impl<$($lt,)? K, V> ExactSizeIterator for $name<$($lt,)? K, V> {}
        impl<$($lt,)? K, V> FusedIterator for $name<$($lt,)? K, V> {}

        impl<$($lt,)? K, V> Default for $name<$($lt,)? K, V> {
            /// An iterator that produces nothing.
            fn default() -> Self {
                $name { inner: Default::default() }
            }
        }

        impl<$($lt,)? K, V> fmt::Debug for $name<$($lt,)? K, V>
        where
            $show: fmt::Debug,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let $it = &self.inner;
                f.debug_list().entries($list).finish()
            }
        }
    };
}

projection! {
    /// The keys of an [`HMap`](crate::HMap), made by
    /// [`HMap::keys`](crate::HMap::keys).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 'a')]);
    /// assert_eq!(m.keys().collect::<Vec<_>>(), [&1]);
    /// ```
    Keys<'a, K, V> wraps Iter<'a, K, V>, yields &'a K,
    by |(k, _)| k, shows K, lists |it| it.clone().map(|(k, _)| k)
}

projection! {
    /// The values of an [`HMap`](crate::HMap), made by
    /// [`HMap::values`](crate::HMap::values).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 'a')]);
    /// assert_eq!(m.values().collect::<Vec<_>>(), [&'a']);
    /// ```
    Values<'a, K, V> wraps Iter<'a, K, V>, yields &'a V,
    by |(_, v)| v, shows V, lists |it| it.clone().map(|(_, v)| v)
}

projection! {
    /// The values of an [`HMap`](crate::HMap), mutably, made by
    /// [`HMap::values_mut`](crate::HMap::values_mut).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let mut m = HMap::from([(1, 10)]);
    /// for v in m.values_mut() {
    ///     *v += 1;
    /// }
    /// assert_eq!(m[&1], 11);
    /// ```
    ValuesMut<'a, K, V> wraps IterMut<'a, K, V>, yields &'a mut V,
    by |(_, v)| v, shows V, lists |it| it.iter().map(|(_, v)| v)
}

projection! {
    /// The keys of an [`HMap`](crate::HMap), by value, made by
    /// [`HMap::into_keys`](crate::HMap::into_keys).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 'a')]);
    /// assert_eq!(m.into_keys().collect::<Vec<_>>(), [1]);
    /// ```
    IntoKeys<K, V> wraps IntoIter<K, V>, yields K,
    by |(k, _)| k, shows K, lists |it| it.iter().map(|(k, _)| k)
}

projection! {
    /// The values of an [`HMap`](crate::HMap), by value, made by
    /// [`HMap::into_values`](crate::HMap::into_values).
    ///
    /// ```
    /// use gort_hmap::HMap;
    ///
    /// let m = HMap::from([(1, 'a')]);
    /// assert_eq!(m.into_values().collect::<Vec<_>>(), ['a']);
    /// ```
    IntoValues<K, V> wraps IntoIter<K, V>, yields V,
    by |(_, v)| v, shows V, lists |it| it.iter().map(|(_, v)| v)
}

impl<K, V> Clone for Keys<'_, K, V> {
    fn clone(&self) -> Self {
        Keys {
            inner: self.inner.clone(),
        }
    }
}

impl<K, V> Clone for Values<'_, K, V> {
    fn clone(&self) -> Self {
        Values {
            inner: self.inner.clone(),
        }
    }
}
