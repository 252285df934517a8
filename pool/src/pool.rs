//! Port of `Pool` (sync/pool.go): `Get`, `Put`, `getSlow`, with Go's GC hook
//! turned into an explicit [`Pool::clear`].

use crate::generation::{Gen, Generations};
use crate::registry::{self, Pin};
use core::fmt;

/// A set of temporary values that may be saved and retrieved individually:
/// Go's `sync.Pool`, for any `T: Send`.
///
/// A pool caches values that are expensive to make (buffers, scratch
/// structures) so that threads can reuse them instead of building new ones.
/// [`put`](Pool::put) gives a value to the pool; [`get`](Pool::get) takes
/// some pooled value, or makes one with the pool's constructor when none is
/// at hand. Which value a `get` returns is unspecified: treat every value you
/// get as dirty and reset what you rely on.
///
/// Each thread has its own cache in the pool (Go: one per P): a private slot
/// and a lock-free chain of rings. A thread takes from its own cache first,
/// then steals from other threads' caches, then from the victim cache, so
/// `get` and `put` touch no memory that other threads write in the common
/// case.
///
/// # Lifetime of pooled values
///
/// Go empties pools at each garbage collection: the cached values move to a
/// victim cache, and the victim cache of the previous cycle is dropped. Rust
/// has no collector, so a pool keeps what is put into it until
/// [`clear`](Pool::clear) (or the pool's drop): its memory is bounded by
/// what was put and not taken back. See [`clear`](Pool::clear) for when to
/// call it.
///
/// # Guarantees
///
/// - A value is handed to at most one caller, and a `put` *happens before*
///   the `get` that returns the same value (Go: "synchronizes before").
/// - Every value put is, exactly once, either returned by a `get` or dropped
///   by the second [`clear`](Pool::clear) after it was put, or by the pool's
///   drop. A thread that exits moves its private value to its shared
///   cache, where other threads find it.
/// - Neither the constructor nor a value's `Drop` runs while the pool's
///   internal state is borrowed: both may use the pool again.
///
/// # Example
///
/// ```
/// use gort_pool::Pool;
///
/// let buffers: Pool<Vec<u8>> = Pool::new(|| Vec::with_capacity(4096));
///
/// let mut buf = buffers.get();
/// buf.clear(); // a pooled value keeps its old contents
/// buf.extend_from_slice(b"hello");
/// assert_eq!(buf, b"hello");
/// buffers.put(buf);
///
/// // The same thread gets its own value back first.
/// assert!(buffers.get().capacity() >= 4096);
/// ```
///
/// Values move between threads, so they must be `Send`:
///
/// ```compile_fail
/// let pool = gort_pool::Pool::new(|| std::rc::Rc::new(0));
/// ```
pub struct Pool<T> {
    caches: Generations<T>,
    /// Go's `New`.
    new: Box<dyn Fn() -> T + Send + Sync>,
}

impl<T: Send> Pool<T> {
    /// A pool whose [`get`](Pool::get) calls `new` when no value is pooled
    /// (Go: the `New` field).
    ///
    /// ```
    /// use gort_pool::Pool;
    ///
    /// let pool = Pool::new(|| String::with_capacity(64));
    /// assert!(pool.get().capacity() >= 64);
    /// ```
    pub fn new(new: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Self {
            caches: Generations::new(),
            new: Box::new(new),
        }
    }

    /// Takes a pooled value, or makes one with the constructor (Go: `Get`
    /// with `New` set).
    ///
    /// The constructor runs on the calling thread, outside the pool.
    ///
    /// ```
    /// use gort_pool::Pool;
    ///
    /// let pool = Pool::new(|| 0u32);
    /// pool.put(7);
    /// assert_eq!(pool.get(), 7);
    /// assert_eq!(pool.get(), 0); // nothing pooled: constructed
    /// ```
    #[inline]
    pub fn get(&self) -> T {
        match self.try_get() {
            Some(x) => x,
            None => (self.new)(),
        }
    }

    /// Takes a pooled value, if one is found; never constructs (Go: `Get`
    /// on a pool without `New`).
    ///
    /// Port of `Get` (sync/pool.go): the thread's private slot, then the
    /// head of its shared chain, then `getSlow` (steals, then the victim). Like
    /// Go's, it may miss a value that another thread is putting at the same
    /// moment.
    ///
    /// ```
    /// use gort_pool::Pool;
    ///
    /// let pool = Pool::new(|| 0u32);
    /// assert_eq!(pool.try_get(), None);
    /// pool.put(1);
    /// assert_eq!(pool.try_get(), Some(1));
    /// ```
    #[inline]
    pub fn try_get(&self) -> Option<T> {
        registry::with_handle(|h| {
            let pin = h.pin();
            let pid = h.pid();
            let primary = self.caches.primary(&pin);
            if let Some(local) = primary.as_ref().and_then(|g| g.local_at(h.place())) {
                // SAFETY: this thread owns `pid`, and runs nothing else on
                // its local while pinned.
                if let Some(x) = unsafe { local.take_private() } {
                    return Some(x);
                }
                // Own head first: the most recently put value, for locality.
                // SAFETY: as above.
                if let Some(x) = unsafe { local.pop_head() } {
                    return Some(x);
                }
            }
            self.get_slow(pid, primary.as_deref(), &pin)
        })
    }

    /// Port of `getSlow` (sync/pool.go): steal from the other threads'
    /// shared chains (starting at the next pid, own last), then try the
    /// victim cache (own private slot, then every chain starting with
    /// one's own), so that victim values age out when possible.
    ///
    /// Deviation: Go stops at once when its P has no local in the victim;
    /// here the other threads' victim chains are still searched.
    #[inline(never)]
    fn get_slow(&self, pid: usize, primary: Option<&Gen<T>>, pin: &Pin<'_>) -> Option<T> {
        let n = registry::len();
        if let Some(g) = primary {
            let mut other = pid;
            for _ in 0..n {
                other += 1;
                if other == n {
                    other = 0;
                }
                if let Some(x) = g.local(other).and_then(|l| l.pop_tail()) {
                    return Some(x);
                }
            }
        }
        let victim = self.caches.victim(pin)?;
        if victim.is_drained() {
            return None;
        }
        if let Some(local) = victim.local(pid) {
            // SAFETY: this thread owns `pid` and is pinned.
            if let Some(x) = unsafe { local.take_private() } {
                return Some(x);
            }
        }
        let mut other = pid;
        for _ in 0..n {
            if let Some(x) = victim.local(other).and_then(|l| l.pop_tail()) {
                return Some(x);
            }
            other += 1;
            if other == n {
                other = 0;
            }
        }
        victim.mark_drained();
        None
    }

    /// Adds `x` to the pool (Go: `Put`).
    ///
    /// Port of `Put` (sync/pool.go): the thread's private slot if it is
    /// empty, else the head of its shared chain. Never drops `x` and never
    /// blocks; it allocates when the thread's chain grows.
    ///
    /// ```
    /// use gort_pool::Pool;
    ///
    /// let pool = Pool::new(Vec::<u8>::new);
    /// pool.put(vec![1, 2, 3]);
    /// assert_eq!(pool.try_get(), Some(vec![1, 2, 3]));
    /// ```
    #[inline]
    pub fn put(&self, x: T) {
        registry::with_handle(move |h| {
            loop {
                let pin = h.pin();
                if let Some(g) = self.caches.primary(&pin) {
                    // SAFETY: this thread owns `pid`, and runs nothing else
                    // on its local while pinned.
                    unsafe { g.local_or_alloc(h.place()).put(x) };
                    return;
                }
                // Go's `pinSlow`: make the primary cache, unpinned.
                drop(pin);
                self.caches.install_primary();
            }
        })
    }

    /// Ages the pool by one step, as Go's garbage collector does at the
    /// start of each cycle (port of `poolCleanup`, sync/pool.go): the
    /// values cached now move to the victim cache, and the values of the
    /// previous victim cache are dropped.
    ///
    /// So a value that nobody takes survives one `clear` and is dropped by
    /// the second: `clear(); clear();` empties the pool. Values put while a
    /// `clear` runs land in either cache.
    ///
    /// When to call it: Go runs this at every GC, so an idle pool shrinks to
    /// nothing within two cycles. Without a collector, call `clear` on a
    /// schedule that fits the workload, for example from a maintenance
    /// thread every few seconds, or after a burst that filled the pool far
    /// beyond its steady-state size. A pool whose users put back what they
    /// take never grows past the largest number of values out at once, and
    /// needs no `clear` at all.
    ///
    /// `clear` may run concurrently with every other method. It waits until
    /// the pool operations in flight on other threads have finished (a few
    /// instructions each: they never block), then drops the old victim's
    /// values on the calling thread.
    ///
    /// ```
    /// use gort_pool::Pool;
    ///
    /// let pool = Pool::new(|| 0);
    /// pool.put(1);
    /// pool.clear(); // 1 is now in the victim cache
    /// assert_eq!(pool.try_get(), Some(1));
    /// pool.put(2);
    /// pool.clear();
    /// pool.clear(); // 2 was dropped
    /// assert_eq!(pool.try_get(), None);
    /// ```
    pub fn clear(&self) {
        self.caches.rotate();
    }
}

impl<T: Default + Send + 'static> Default for Pool<T> {
    /// A pool whose constructor is `T::default`.
    ///
    /// ```
    /// use gort_pool::Pool;
    ///
    /// let pool: Pool<Vec<u8>> = Pool::default();
    /// assert!(pool.get().is_empty());
    /// ```
    fn default() -> Self {
        Self::new(T::default)
    }
}

impl<T: Send> Extend<T> for Pool<T> {
    /// Puts every value of `iter` (into the calling thread's cache).
    ///
    /// ```
    /// use gort_pool::Pool;
    ///
    /// let mut pool = Pool::new(|| 0);
    /// pool.extend([1, 2]);
    /// let mut got = [pool.get(), pool.get()];
    /// got.sort();
    /// assert_eq!(got, [1, 2]);
    /// ```
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for x in iter {
            self.put(x);
        }
    }
}

impl<T> fmt::Debug for Pool<T> {
    /// Shows no values (they are spread over threads and may be in use).
    ///
    /// ```
    /// let pool = gort_pool::Pool::new(|| 0u8);
    /// assert_eq!(format!("{pool:?}"), "Pool { .. }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool").finish_non_exhaustive()
    }
}
