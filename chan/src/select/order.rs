//! Go's `pollorder` and `lockorder` (runtime/select.go, the first two loops
//! of `selectgo`): a random permutation of the arms, and the same arms
//! sorted by channel address with a heap sort built from the poll order, so
//! arms on one channel keep their random relative order.

use crate::select::held::AnyChan;
use crate::select::rand::cheaprandn;

/// Arms up to this many keep their orders inline (no allocation).
const INLINE: usize = 16;

/// A buffer of arm numbers or keys, inline for small selects.
enum Buf<T> {
    Inline([T; INLINE]),
    Heap(Vec<T>),
}

impl<T: Copy + Default> Buf<T> {
    fn new(n: usize) -> Self {
        if n <= INLINE {
            Buf::Inline([T::default(); INLINE])
        } else {
            Buf::Heap(vec![T::default(); n])
        }
    }

    fn all(&self) -> &[T] {
        match self {
            Buf::Inline(a) => a,
            Buf::Heap(v) => v,
        }
    }

    fn all_mut(&mut self) -> &mut [T] {
        match self {
            Buf::Inline(a) => a,
            Buf::Heap(v) => v,
        }
    }
}

/// The orders of one select (Go: one `[u16; 2*ncases]` buffer), plus each
/// arm's lock slot: the index of its channel among the distinct channels
/// in lock order.
pub(crate) struct Order {
    poll: Buf<u16>,
    lock: Buf<u16>,
    /// By arm index.
    slot: Buf<u16>,
    /// By arm index: the channel's sort key, read once per select.
    keys: Buf<usize>,
    /// Arms in the orders: those not on a `never()` channel.
    n: usize,
}

impl Order {
    pub(crate) fn new(ncases: usize) -> Self {
        assert!(ncases <= 1 << 16, "select: too many cases (max 65536)");
        Self {
            poll: Buf::new(ncases),
            lock: Buf::new(ncases),
            slot: Buf::new(ncases),
            keys: Buf::new(ncases),
            n: 0,
        }
    }

    /// The arms in poll order.
    pub(crate) fn poll(&self) -> &[u16] {
        &self.poll.all()[..self.n]
    }

    /// The arms in lock order.
    pub(crate) fn lock(&self) -> &[u16] {
        &self.lock.all()[..self.n]
    }

    /// Arm `i`'s lock slot (see [`LockSet`](crate::select::held::LockSet)).
    pub(crate) fn slot(&self, i: usize) -> usize {
        usize::from(self.slot.all()[i])
    }

    /// Whether no arm has a channel.
    pub(crate) fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Pass 0: the poll order and the lock order of `ncases` arms, arm `i`
    /// on channel `chan(i)` (`None`: a `never()` arm, left out as Go leaves
    /// out nil channels). Runs each timer channel's `maybeRunChan`.
    pub(crate) fn build<'a>(
        &mut self,
        ncases: usize,
        chan: impl Fn(usize) -> Option<&'a dyn AnyChan>,
    ) {
        let mut norder = 0;
        {
            let keys = self.keys.all_mut();
            let poll = self.poll.all_mut();
            for (i, key) in keys.iter_mut().enumerate().take(ncases) {
                let Some(c) = chan(i) else { continue };
                if let Some(t) = c.timer() {
                    t.maybe_run();
                }
                *key = c.sortkey();
                let j = cheaprandn(norder as u32 + 1) as usize;
                poll[norder] = poll[j];
                poll[j] = i as u16;
                norder += 1;
            }
        }
        self.n = norder;
        let keys = self.keys.all();
        let key = |i: u16| keys[usize::from(i)];
        let poll = &self.poll.all()[..norder];
        let lock = &mut self.lock.all_mut()[..norder];
        // Heap sort by address, guaranteed n log n with no extra memory;
        // built from the poll order so arms on one channel keep their
        // random order (Go's comment on the same loop).
        for (i, &p) in poll.iter().enumerate() {
            let mut j = i;
            let c = key(p);
            while j > 0 && key(lock[(j - 1) / 2]) < c {
                let k = (j - 1) / 2;
                lock[j] = lock[k];
                j = k;
            }
            lock[j] = p;
        }
        for i in (0..norder).rev() {
            let o = lock[i];
            let c = key(o);
            lock[i] = lock[0];
            let mut j = 0;
            loop {
                let mut k = j * 2 + 1;
                if k >= i {
                    break;
                }
                if k + 1 < i && key(lock[k]) < key(lock[k + 1]) {
                    k += 1;
                }
                if c < key(lock[k]) {
                    lock[j] = lock[k];
                    j = k;
                    continue;
                }
                break;
            }
            lock[j] = o;
        }
        debug_assert!(
            lock.windows(2).all(|w| key(w[0]) <= key(w[1])),
            "select: broken sort"
        );
        // Each distinct channel gets the next slot, in lock order.
        let slot = self.slot.all_mut();
        let mut next = 0u16;
        let mut last = None;
        for &i in lock.iter() {
            if last.is_some_and(|k| k != key(i)) {
                next += 1;
            }
            last = Some(key(i));
            slot[usize::from(i)] = next;
        }
    }
}
