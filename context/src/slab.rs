//! A vector whose entries keep their index until removed; a removed
//! entry's index is reused by the next insertion. O(1) insert and remove,
//! and an entry's index is a stable handle (a child's slot in its parent,
//! a waiting future's slot in its context).

/// Entries of `T` at stable indices.
pub(crate) struct Slab<T> {
    entries: Vec<Option<T>>,
    /// Indices of the empty entries.
    free: Vec<usize>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            entries: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len() - self.free.len()
    }

    /// Adds `value`; its index.
    pub(crate) fn insert(&mut self, value: T) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.entries[i] = Some(value);
                i
            }
            None => {
                self.entries.push(Some(value));
                self.entries.len() - 1
            }
        }
    }

    /// The entry at `index`, if there is one.
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        self.entries.get(index)?.as_ref()
    }

    /// The entry at `index`, if there is one, to change it.
    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        self.entries.get_mut(index)?.as_mut()
    }

    /// Removes the entry at `index`, if there is one.
    pub(crate) fn remove(&mut self, index: usize) -> Option<T> {
        let value = self.entries.get_mut(index)?.take()?;
        self.free.push(index);
        Some(value)
    }

    /// Removes some entry (the last one; for draining); `None` when empty.
    pub(crate) fn pop(&mut self) -> Option<T> {
        while let Some(e) = self.entries.pop() {
            if e.is_some() {
                return e;
            }
            // An empty slot leaves the free list with it.
            let gone = self.entries.len();
            if let Some(at) = self.free.iter().position(|&i| i == gone) {
                self.free.swap_remove(at);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Slab;

    #[test]
    fn indices_are_stable_and_reused() {
        let mut s = Slab::default();
        let a = s.insert('a');
        let b = s.insert('b');
        let c = s.insert('c');
        assert_eq!((a, b, c, s.len()), (0, 1, 2, 3));
        assert_eq!(s.remove(b), Some('b'));
        assert_eq!(s.remove(b), None);
        assert_eq!(s.get_mut(c), Some(&mut 'c'));
        assert_eq!(s.get(b), None);
        assert_eq!(s.insert('d'), b);
        assert_eq!(s.len(), 3);
        assert_eq!(s.remove(a), Some('a'));
        assert_eq!(s.pop(), Some('c'));
        assert_eq!(s.len(), 1);
        // Slot 0 is free, slot 2 is gone with the pop.
        assert_eq!(s.insert('e'), a);
        assert_eq!(s.insert('f'), 2);
        let mut drained: Vec<char> = std::iter::from_fn(|| s.pop()).collect();
        drained.sort_unstable();
        assert_eq!(drained, ['d', 'e', 'f']);
        assert_eq!(s.len(), 0);
        assert_eq!(s.insert('g'), 0);
        assert_eq!(s.insert('h'), 1);
        assert_eq!(s.remove(1), Some('h'));
        // The empty last slot leaves with the pop, and its free entry too.
        assert_eq!(s.pop(), Some('g'));
        assert_eq!((s.len(), s.pop()), (0, None));
        assert_eq!(s.insert('i'), 0);
        assert_eq!(s.insert('j'), 1);
    }
}
