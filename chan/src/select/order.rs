//! Go's `pollorder` and `lockorder` (runtime/select.go, the first two loops
//! of `selectgo`): a random permutation of the arms, and the same arms
//! sorted by channel address with a heap sort built from the poll order, so
//! arms on one channel keep their random relative order.

use crate::select::held::AnyChan;
use crate::select::rand::cheaprandn;

/// Arms up to this many keep their orders inline (no allocation).
const INLINE: usize = 16;

/// The buffers, inline for small selects (one discriminant for all three).
enum Bufs {
    Inline {
        poll: [u16; INLINE],
        lock: [u16; INLINE],
        keys: [usize; INLINE],
    },
    Heap {
        poll: Vec<u16>,
        lock: Vec<u16>,
        keys: Vec<usize>,
    },
}

/// The orders of one select (Go: one `[u16; 2*ncases]` buffer), plus each
/// arm's lock slot: the index of its channel among the distinct channels
/// in lock order.
pub(crate) struct Order {
    bufs: Bufs,
    /// Arms in the orders: those not on a `never()` channel.
    n: usize,
}

impl Order {
    /// Pass 0: the poll order and the lock order of `ncases` arms, arm `i`
    /// on channel `chan(i)` (`None`: a `never()` arm, left out as Go leaves
    /// out nil channels). Runs each timer channel's `maybeRunChan`.
    #[inline]
    pub(crate) fn new<'a>(ncases: usize, chan: impl Fn(usize) -> Option<&'a dyn AnyChan>) -> Self {
        let bufs = if ncases <= INLINE {
            Bufs::Inline {
                poll: [0; INLINE],
                lock: [0; INLINE],
                keys: [0; INLINE],
            }
        } else {
            Self::heap(ncases)
        };
        let mut order = Self { bufs, n: 0 };
        order.build(ncases, chan);
        order
    }

    /// The buffers of a select with more than [`INLINE`] arms.
    #[cold]
    fn heap(ncases: usize) -> Bufs {
        assert!(ncases <= 1 << 16, "select: too many cases (max 65536)");
        Bufs::Heap {
            poll: vec![0; ncases],
            lock: vec![0; ncases],
            keys: vec![0; ncases],
        }
    }

    /// The poll order, the lock order, and by arm index the channel's sort
    /// key (read once per select) while the orders are built, then the
    /// arm's lock slot.
    #[inline]
    fn bufs(&self) -> (&[u16], &[u16], &[usize]) {
        match &self.bufs {
            Bufs::Inline { poll, lock, keys } => (poll, lock, keys),
            Bufs::Heap { poll, lock, keys } => (poll, lock, keys),
        }
    }

    #[inline]
    fn bufs_mut(&mut self) -> (&mut [u16], &mut [u16], &mut [usize]) {
        match &mut self.bufs {
            Bufs::Inline { poll, lock, keys } => (poll, lock, keys),
            Bufs::Heap { poll, lock, keys } => (poll, lock, keys),
        }
    }

    /// The arms in poll order.
    #[inline]
    pub(crate) fn poll(&self) -> &[u16] {
        &self.bufs().0[..self.n]
    }

    /// The arms in lock order.
    #[inline]
    pub(crate) fn lock(&self) -> &[u16] {
        &self.bufs().1[..self.n]
    }

    /// Arm `i`'s lock slot (see [`LockSet`](crate::select::lockset::LockSet)).
    #[inline]
    pub(crate) fn slot(&self, i: usize) -> usize {
        self.bufs().2[i]
    }

    /// Whether no arm has a channel.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Fills the orders (see [`new`](Self::new)); the buffers hold
    /// `ncases` arms.
    fn build<'a>(&mut self, ncases: usize, chan: impl Fn(usize) -> Option<&'a dyn AnyChan>) {
        let (poll, lock, keys) = self.bufs_mut();
        let mut norder = 0;
        for (i, key) in keys[..ncases].iter_mut().enumerate() {
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
        let key = |keys: &[usize], i: u16| keys[usize::from(i)];
        let poll = &poll[..norder];
        let lock = &mut lock[..norder];
        // Heap sort by address, guaranteed n log n with no extra memory;
        // built from the poll order so arms on one channel keep their
        // random order (Go's comment on the same loop).
        for (i, &p) in poll.iter().enumerate() {
            let mut j = i;
            let c = key(keys, p);
            while j > 0 && key(keys, lock[(j - 1) / 2]) < c {
                let k = (j - 1) / 2;
                lock[j] = lock[k];
                j = k;
            }
            lock[j] = p;
        }
        for i in (0..norder).rev() {
            let o = lock[i];
            let c = key(keys, o);
            lock[i] = lock[0];
            let mut j = 0;
            loop {
                let mut k = j * 2 + 1;
                if k >= i {
                    break;
                }
                if k + 1 < i && key(keys, lock[k]) < key(keys, lock[k + 1]) {
                    k += 1;
                }
                if c < key(keys, lock[k]) {
                    lock[j] = lock[k];
                    j = k;
                    continue;
                }
                break;
            }
            lock[j] = o;
        }
        debug_assert!(
            lock.windows(2).all(|w| key(keys, w[0]) <= key(keys, w[1])),
            "select: broken sort"
        );
        // Each distinct channel gets the next slot, in lock order; the keys
        // are not needed any more.
        let mut next = 0;
        let mut last = None;
        for &i in lock.iter() {
            let k = key(keys, i);
            if last.is_some_and(|l| l != k) {
                next += 1;
            }
            last = Some(k);
            keys[usize::from(i)] = next;
        }
        self.n = norder;
    }
}
