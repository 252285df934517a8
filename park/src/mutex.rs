//! Go's runtime mutex (runtime/lock_futex.go, go1.23: `lock2`, `unlock2`):
//! the lock every gort channel takes. It spins briefly, yields once, then
//! sleeps on a futex — channel critical sections are a few dozen
//! instructions, so a contended lock is usually free again within the spin.
//!
//! On Linux it is Go's algorithm on a futex word, with one deviation: Go's
//! `unlock2` swaps the key to learn whether anyone sleeps (an atomic
//! read-modify-write on every unlock, about half the cost of an uncontended
//! channel operation on x86). Here sleepers are counted beside the key, and
//! unlock is a plain release store followed by a load of that count, made
//! safe by an asymmetric fence pair ([`crate::barrier`]): the unlocker's
//! light fence is free, and a locker about to sleep pays the heavy one
//! (`membarrier`) once per sleep, next to the futex calls it pays anyway.
//! The first sleep in the process registers it for `membarrier` (an RCU
//! grace period, ~11 ms here, once), unless an earlier
//! [`barrier::init`](crate::barrier::init) did (gort's executor calls it
//! from its sysmon thread at start); until then unlock is Go's swap (plus
//! a load of the sleeper count).
//! Elsewhere (and under loom and Miri, which model neither `membarrier` nor
//! this protocol) it wraps std's `Mutex<()>`, whose own futex lock has the
//! same shape.

use core::fmt;
use core::ops::{Deref, DerefMut};

/// A mutual-exclusion lock (Go: the runtime's `mutex`) around a value of
/// type `T`, `()` when the data it guards lives beside it (as an hchan's
/// state does). No poisoning: a panic while the lock is held unlocks it and
/// leaves the value as the panic left it (Go's runtime mutex has no such
/// notion either).
///
/// ```
/// let m = gort_park::Mutex::new(0);
/// *m.lock() += 1;
/// let g = m.lock();
/// assert!(m.try_lock().is_none());
/// assert_eq!(*g, 1);
/// drop(g);
/// assert!(m.try_lock().is_some());
/// ```
pub struct Mutex<T: ?Sized = ()> {
    /// `UNLOCKED` or `LOCKED`; the futex word sleepers wait on.
    #[cfg(all(target_os = "linux", not(gort_loom), not(miri)))]
    key: crate::sync::AtomicU32,
    /// Lockers registered to sleep (Go: a key of `mutex_sleeping`).
    #[cfg(all(target_os = "linux", not(gort_loom), not(miri)))]
    sleepers: crate::sync::AtomicU32,
    /// The guarded value: accessed only through a guard.
    #[cfg(all(target_os = "linux", not(gort_loom), not(miri)))]
    data: core::cell::UnsafeCell<T>,
    #[cfg(any(not(target_os = "linux"), gort_loom, miri))]
    inner: crate::sync::Mutex<T>,
}

/// Holds a [`Mutex`] locked and gives access to its value; unlocks it when
/// dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized = ()> {
    #[cfg(all(target_os = "linux", not(gort_loom), not(miri)))]
    mutex: &'a Mutex<T>,
    /// `Sync` only if `T` is (the guard hands out `&T`); `Send` as `T`.
    #[cfg(all(target_os = "linux", not(gort_loom), not(miri)))]
    _value: core::marker::PhantomData<&'a mut T>,
    #[cfg(any(not(target_os = "linux"), gort_loom, miri))]
    guard: crate::sync::MutexGuard<'a, T>,
}

#[cfg(all(target_os = "linux", not(gort_loom), not(miri)))]
mod futex {
    use super::{Deref, DerefMut, Mutex, MutexGuard};
    use crate::barrier;
    use crate::sync::{AtomicU32, Ordering};
    use core::cell::UnsafeCell;
    use core::marker::PhantomData;

    const UNLOCKED: u32 = 0;
    const LOCKED: u32 = 1;
    /// Go's `active_spin`, `active_spin_cnt` and `passive_spin`.
    const ACTIVE_SPIN: u32 = 4;
    const ACTIVE_SPIN_CNT: u32 = 30;
    /// Deviation: `active_spin` once the heavy fence is `membarrier`. Go
    /// weighs its spin against a futex sleep and wake-up; here a sleeper
    /// also pays a `membarrier`, an interrupt to every CPU running the
    /// process (8.4 µs here with one other thread running, against 0.5 µs
    /// for a `sched_yield`), so it tries the lock four times as often first.
    /// Measured on the channel benchmarks (figures in `park/README.md`):
    /// buffered rows on threads 0.6-0.8x the time and CPU per message.
    const ACTIVE_SPIN_FENCED: u32 = 16;
    const PASSIVE_SPIN: u32 = 1;

    // SAFETY: the value is reached only through a guard, and guards exclude
    // each other, as std's `Mutex` (same bounds).
    unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
    // SAFETY: as above.
    unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

    impl<T> Mutex<T> {
        /// An unlocked mutex holding `value`.
        pub const fn new(value: T) -> Self {
            Self {
                key: AtomicU32::new(UNLOCKED),
                sleepers: AtomicU32::new(0),
                data: UnsafeCell::new(value),
            }
        }
    }

    impl<T: ?Sized> Mutex<T> {
        /// Locks, spinning briefly and then sleeping (Go: `lock2`).
        #[inline]
        pub fn lock(&self) -> MutexGuard<'_, T> {
            // Speculative grab.
            if self.key.swap(LOCKED, Ordering::Acquire) != UNLOCKED {
                self.lock_slow();
            }
            self.guard()
        }

        /// Locks if the lock is free.
        #[inline]
        pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.key
                .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .ok()
                .map(|_| self.guard())
        }

        /// The guard of a lock just taken.
        #[inline]
        fn guard(&self) -> MutexGuard<'_, T> {
            MutexGuard {
                mutex: self,
                _value: PhantomData,
            }
        }

        /// The contended part of Go's `lock2`: spin, yield, then sleep until
        /// an unlock wakes us.
        ///
        /// Sleeping is a Dekker pair with [`unlock`](Self::unlock): we
        /// register in `sleepers`, fence (heavy), then test the key; the
        /// unlocker stores the key, fences (light), then tests `sleepers`.
        /// Either we see the key free, or the unlocker sees us registered
        /// and wakes a sleeper; the futex re-checks the key in the kernel,
        /// so a wake-up sent before we sleep is not lost either.
        #[cold]
        fn lock_slow(&self) {
            let spin = match (multi_core(), barrier::asymmetric()) {
                (false, _) => 0,
                (true, false) => ACTIVE_SPIN,
                (true, true) => ACTIVE_SPIN_FENCED,
            };
            for _ in 0..spin {
                if self.try_take() {
                    return;
                }
                for _ in 0..ACTIVE_SPIN_CNT {
                    core::hint::spin_loop();
                }
            }
            for _ in 0..PASSIVE_SPIN {
                if self.try_take() {
                    return;
                }
                std::thread::yield_now();
            }
            self.sleepers.fetch_add(1, Ordering::Relaxed);
            barrier::heavy();
            while self.key.swap(LOCKED, Ordering::Acquire) != UNLOCKED {
                futex_wait(&self.key, LOCKED);
            }
            self.sleepers.fetch_sub(1, Ordering::Relaxed);
        }

        /// Go's `for l.key == mutex_unlocked { if cas(...) { return } }`.
        #[inline]
        fn try_take(&self) -> bool {
            while self.key.load(Ordering::Relaxed) == UNLOCKED {
                if self
                    .key
                    .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return true;
                }
            }
            false
        }

        /// Go's `unlock2`, without its atomic swap once `membarrier` is in
        /// use: the store and the light fence (`barrier::store_light`), then
        /// a wake-up only if someone registered to sleep (see
        /// [`lock_slow`](Self::lock_slow)).
        #[inline]
        fn unlock(&self) {
            barrier::store_light(&self.key, UNLOCKED);
            if self.sleepers.load(Ordering::SeqCst) != 0 {
                futex_wake_one(&self.key);
            }
        }

        pub(super) fn is_locked(&self) -> bool {
            self.key.load(Ordering::Relaxed) != UNLOCKED
        }
    }

    impl<T: ?Sized> Deref for MutexGuard<'_, T> {
        type Target = T;

        #[inline]
        fn deref(&self) -> &T {
            // SAFETY: the guard holds the lock, so no `&mut T` exists.
            unsafe { &*self.mutex.data.get() }
        }
    }

    impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
        #[inline]
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: the guard holds the lock and is borrowed mutably, so
            // this is the only reference to the value.
            unsafe { &mut *self.mutex.data.get() }
        }
    }

    impl<T: ?Sized> Drop for MutexGuard<'_, T> {
        #[inline]
        fn drop(&mut self) {
            self.mutex.unlock();
        }
    }

    /// Go's `ncpu > 1`, read once: on one CPU spinning cannot help.
    fn multi_core() -> bool {
        static NCPU: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        *NCPU.get_or_init(getproccount) > 1
    }

    /// Go's `getproccount` (runtime/os_linux.go): the CPUs this thread may
    /// run on, from `sched_getaffinity` (no allocation, unlike std's
    /// `available_parallelism`, which also reads cgroup files).
    fn getproccount() -> u32 {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; the call writes at
        // most `size_of::<cpu_set_t>()` bytes into it.
        unsafe {
            let mut set: libc::cpu_set_t = core::mem::zeroed();
            if libc::sched_getaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return 1;
            }
            libc::CPU_COUNT(&set).max(1) as u32
        }
    }

    /// Go's `futexsleep(addr, val, -1)`: sleeps while `*key == val`;
    /// spurious wake-ups are allowed (the caller loops).
    fn futex_wait(key: &AtomicU32, val: u32) {
        // SAFETY: FUTEX_WAIT_PRIVATE reads the aligned u32 behind `key`,
        // which lives as long as this call; a null timeout waits forever.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                key.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                val,
                core::ptr::null::<libc::timespec>(),
            );
        }
    }

    /// Go's `futexwakeup(addr, 1)`.
    fn futex_wake_one(key: &AtomicU32) {
        // SAFETY: FUTEX_WAKE_PRIVATE only uses the address as a key.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                key.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                1,
            );
        }
    }
}

#[cfg(any(not(target_os = "linux"), gort_loom, miri))]
impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    #[cfg(not(gort_loom))]
    pub const fn new(value: T) -> Self {
        Self {
            inner: crate::sync::Mutex::new(value),
        }
    }

    /// An unlocked mutex holding `value`.
    #[cfg(gort_loom)]
    pub fn new(value: T) -> Self {
        Self {
            inner: crate::sync::Mutex::new(value),
        }
    }
}

#[cfg(any(not(target_os = "linux"), gort_loom, miri))]
impl<T: ?Sized> Mutex<T> {
    /// Locks, blocking the thread until the lock is free.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        // No poisoning (see the type's docs): a poisoned lock is taken as is.
        MutexGuard {
            guard: self.inner.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Locks if the lock is free.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        match self.inner.try_lock() {
            Ok(guard) => Some(MutexGuard { guard }),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(MutexGuard {
                guard: e.into_inner(),
            }),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    fn is_locked(&self) -> bool {
        match self.inner.try_lock() {
            Ok(_) | Err(std::sync::TryLockError::Poisoned(_)) => false,
            Err(std::sync::TryLockError::WouldBlock) => true,
        }
    }
}

#[cfg(any(not(target_os = "linux"), gort_loom, miri))]
impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

#[cfg(any(not(target_os = "linux"), gort_loom, miri))]
impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: ?Sized> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("locked", &self.is_locked())
            .finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MutexGuard").field(&&**self).finish()
    }
}
