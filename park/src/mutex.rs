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
//! Elsewhere (and under loom) it wraps std's `Mutex<()>`, whose own futex
//! lock has the same shape.

use core::fmt;

/// A mutual-exclusion lock guarding no data of its own (Go: `mutex`); the
/// data it guards lives beside it, reached only while a [`MutexGuard`] is
/// alive.
///
/// ```
/// let m = gort_park::Mutex::new();
/// let g = m.lock();
/// assert!(m.try_lock().is_none());
/// drop(g);
/// assert!(m.try_lock().is_some());
/// ```
pub struct Mutex {
    /// `UNLOCKED` or `LOCKED`; the futex word sleepers wait on.
    #[cfg(all(target_os = "linux", not(gort_loom)))]
    key: crate::sync::AtomicU32,
    /// Lockers registered to sleep (Go: a key of `mutex_sleeping`).
    #[cfg(all(target_os = "linux", not(gort_loom)))]
    sleepers: crate::sync::AtomicU32,
    #[cfg(any(not(target_os = "linux"), gort_loom))]
    inner: crate::sync::Mutex<()>,
}

/// Holds a [`Mutex`] locked; unlocks it when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a> {
    #[cfg(all(target_os = "linux", not(gort_loom)))]
    mutex: &'a Mutex,
    #[cfg(any(not(target_os = "linux"), gort_loom))]
    _guard: crate::sync::MutexGuard<'a, ()>,
}

#[cfg(all(target_os = "linux", not(gort_loom)))]
mod futex {
    use super::{Mutex, MutexGuard};
    use crate::barrier;
    use crate::sync::{AtomicU32, Ordering};

    const UNLOCKED: u32 = 0;
    const LOCKED: u32 = 1;
    /// Go's `active_spin`, `active_spin_cnt` and `passive_spin`.
    const ACTIVE_SPIN: u32 = 4;
    const ACTIVE_SPIN_CNT: u32 = 30;
    const PASSIVE_SPIN: u32 = 1;

    impl Mutex {
        /// An unlocked mutex.
        pub const fn new() -> Self {
            Self {
                key: AtomicU32::new(UNLOCKED),
                sleepers: AtomicU32::new(0),
            }
        }

        /// Locks, spinning briefly and then sleeping (Go: `lock2`).
        #[inline]
        pub fn lock(&self) -> MutexGuard<'_> {
            // Speculative grab.
            if self.key.swap(LOCKED, Ordering::Acquire) != UNLOCKED {
                self.lock_slow();
            }
            MutexGuard { mutex: self }
        }

        /// Locks if the lock is free.
        #[inline]
        pub fn try_lock(&self) -> Option<MutexGuard<'_>> {
            self.key
                .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .ok()
                .map(|_| MutexGuard { mutex: self })
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
            let spin = if multi_core() { ACTIVE_SPIN } else { 0 };
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

        /// Go's `unlock2`, without its atomic swap: a release store, the
        /// light fence, then a wake-up only if someone registered to sleep
        /// (see [`lock_slow`](Self::lock_slow)).
        #[inline]
        fn unlock(&self) {
            self.key.store(UNLOCKED, Ordering::Release);
            barrier::light();
            if self.sleepers.load(Ordering::Relaxed) != 0 {
                futex_wake_one(&self.key);
            }
        }

        pub(super) fn is_locked(&self) -> bool {
            self.key.load(Ordering::Relaxed) != UNLOCKED
        }
    }

    impl Drop for MutexGuard<'_> {
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

#[cfg(any(not(target_os = "linux"), gort_loom))]
impl Mutex {
    /// An unlocked mutex.
    #[cfg(not(gort_loom))]
    pub const fn new() -> Self {
        Self {
            inner: crate::sync::Mutex::new(()),
        }
    }

    /// An unlocked mutex.
    #[cfg(gort_loom)]
    pub fn new() -> Self {
        Self {
            inner: crate::sync::Mutex::new(()),
        }
    }

    /// Locks, blocking the thread until the lock is free.
    pub fn lock(&self) -> MutexGuard<'_> {
        // Nothing is guarded inside, so a poisoned lock is still consistent.
        MutexGuard {
            _guard: self.inner.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Locks if the lock is free.
    pub fn try_lock(&self) -> Option<MutexGuard<'_>> {
        match self.inner.try_lock() {
            Ok(g) => Some(MutexGuard { _guard: g }),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(MutexGuard {
                _guard: e.into_inner(),
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

impl Default for Mutex {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Mutex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mutex")
            .field("locked", &self.is_locked())
            .finish()
    }
}

impl fmt::Debug for MutexGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MutexGuard")
    }
}
