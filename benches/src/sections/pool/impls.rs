//! The pools compared: gort-pool, a `Mutex<Vec<T>>` free list, object-pool,
//! and lockfree-object-pool's linear and spin-lock pools, behind one trait.

use gort_pool::Pool;
use std::sync::Mutex;

/// A pool of `T`s, as the workloads use it.
pub trait BenchPool<T: Send + Sync + 'static>: Sync + Sized {
    /// The name shown in the report.
    const NAME: &'static str;
    /// Whether this is gort's row.
    const GORT: bool = false;

    /// An empty pool whose gets make a new value with `make` on a miss.
    fn new(make: fn() -> T) -> Self;

    /// One round: get a value (made on a miss), run `f` on it, put it back.
    fn round<R>(&self, f: impl FnOnce(&mut T) -> R) -> R;
}

/// Go's `Put` and `Get` on a pool without `New`: for the pools that can take
/// in a value they did not make and report a miss.
pub trait PutGet: Sync {
    /// Adds `v` to the pool.
    fn put(&self, v: u64);
    /// Takes some value, if there is one.
    fn try_get(&self) -> Option<u64>;
}

/// gort-pool.
pub struct Gort<T>(Pool<T>);

impl<T: Send + Sync + 'static> BenchPool<T> for Gort<T> {
    const NAME: &'static str = "gort";
    const GORT: bool = true;
    fn new(make: fn() -> T) -> Self {
        Self(Pool::new(make))
    }
    #[inline]
    fn round<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut v = self.0.get();
        let r = f(&mut v);
        self.0.put(v);
        r
    }
}

impl PutGet for Gort<u64> {
    #[inline]
    fn put(&self, v: u64) {
        self.0.put(v)
    }
    #[inline]
    fn try_get(&self) -> Option<u64> {
        self.0.try_get()
    }
}

/// The free list everyone writes first: a `Vec` under a `Mutex`.
pub struct MutexVec<T> {
    free: Mutex<Vec<T>>,
    make: fn() -> T,
}

impl<T: Send + Sync + 'static> BenchPool<T> for MutexVec<T> {
    const NAME: &'static str = "Mutex<Vec>";
    fn new(make: fn() -> T) -> Self {
        Self {
            free: Mutex::new(Vec::new()),
            make,
        }
    }
    #[inline]
    fn round<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let got = self.free.lock().unwrap().pop();
        let mut v = got.unwrap_or_else(self.make);
        let r = f(&mut v);
        self.free.lock().unwrap().push(v);
        r
    }
}

impl PutGet for MutexVec<u64> {
    #[inline]
    fn put(&self, v: u64) {
        self.free.lock().unwrap().push(v)
    }
    #[inline]
    fn try_get(&self) -> Option<u64> {
        self.free.lock().unwrap().pop()
    }
}

/// The object-pool crate (a spin-locked `Vec`).
pub struct ObjectPool<T> {
    pool: object_pool::Pool<T>,
    make: fn() -> T,
}

impl<T: Send + Sync + 'static> BenchPool<T> for ObjectPool<T> {
    const NAME: &'static str = "object-pool";
    fn new(make: fn() -> T) -> Self {
        Self {
            pool: object_pool::Pool::new(0, make),
            make,
        }
    }
    #[inline]
    fn round<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut v = self.pool.pull(self.make);
        f(&mut v)
    }
}

impl PutGet for ObjectPool<u64> {
    #[inline]
    fn put(&self, v: u64) {
        self.pool.attach(v)
    }
    #[inline]
    fn try_get(&self) -> Option<u64> {
        self.pool.try_pull().map(|r| r.detach().1)
    }
}

/// lockfree-object-pool's `LinearObjectPool` (pages of slots claimed by CAS).
pub struct LockfreeLinear<T>(pub lockfree_object_pool::LinearObjectPool<T>);

impl<T: Send + Sync + 'static> BenchPool<T> for LockfreeLinear<T> {
    const NAME: &'static str = "lockfree-object-pool/linear";
    fn new(make: fn() -> T) -> Self {
        Self(lockfree_object_pool::LinearObjectPool::new(make, |_| ()))
    }
    #[inline]
    fn round<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut v = self.0.pull();
        f(&mut v)
    }
}

/// lockfree-object-pool's `SpinLockObjectPool`.
pub struct LockfreeSpinLock<T>(pub lockfree_object_pool::SpinLockObjectPool<T>);

impl<T: Send + Sync + 'static> BenchPool<T> for LockfreeSpinLock<T> {
    const NAME: &'static str = "lockfree-object-pool/spin_lock";
    fn new(make: fn() -> T) -> Self {
        Self(lockfree_object_pool::SpinLockObjectPool::new(make, |_| ()))
    }
    #[inline]
    fn round<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut v = self.0.pull();
        f(&mut v)
    }
}

/// No pool: every round allocates a new value and frees it.
pub struct Alloc<T>(fn() -> T);

impl<T: Send + Sync + 'static> BenchPool<T> for Alloc<T> {
    const NAME: &'static str = "alloc";
    fn new(make: fn() -> T) -> Self {
        Self(make)
    }
    #[inline]
    fn round<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut (self.0)())
    }
}

macro_rules! named_debug {
    ($($t:ident),*) => {$(
        impl<T> std::fmt::Debug for $t<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($t))
            }
        }
    )*};
}
named_debug!(
    Gort,
    MutexVec,
    ObjectPool,
    LockfreeLinear,
    LockfreeSpinLock,
    Alloc
);
