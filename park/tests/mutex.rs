//! Go's runtime mutex: mutual exclusion under contention (a non-atomic
//! counter guarded by it must count every increment), sleeping and waking
//! (more threads than cores, long enough holds to reach the futex).
#![cfg(not(gort_loom))]

use gort_park::Mutex;
use std::cell::UnsafeCell;

struct Guarded {
    lock: Mutex,
    count: UnsafeCell<u64>,
}

// SAFETY: `count` is only touched while `lock` is held.
unsafe impl Sync for Guarded {}

#[test]
fn excludes_under_contention() {
    const THREADS: u64 = 6;
    const PER: u64 = 50_000;
    let g = Guarded {
        lock: Mutex::new(()),
        count: UnsafeCell::new(0),
    };
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let g = &g;
            s.spawn(move || {
                for i in 0..PER {
                    let _held = g.lock.lock();
                    // SAFETY: we hold the lock.
                    unsafe { *g.count.get() += 1 };
                    // Now and then hold it long enough that others sleep.
                    if (i + t) % 4096 == 0 {
                        std::thread::yield_now();
                    }
                }
            });
        }
    });
    assert_eq!(g.count.into_inner(), THREADS * PER);
}

#[test]
fn try_lock_fails_while_held() {
    let m = Mutex::new(());
    let held = m.lock();
    std::thread::scope(|s| {
        s.spawn(|| assert!(m.try_lock().is_none()));
    });
    drop(held);
    assert!(m.try_lock().is_some());
}

/// Every locker that goes to sleep is woken: holders keep the lock across
/// yields, so the others exhaust their spin and sleep on almost every
/// attempt. A lost wake-up would hang the test (the CI's timeout fails it);
/// the count proves exclusion.
#[test]
fn sleeping_lockers_are_woken() {
    const THREADS: u64 = 8;
    const PER: u64 = 2_000;
    let g = Guarded {
        lock: Mutex::new(()),
        count: UnsafeCell::new(0),
    };
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            let g = &g;
            s.spawn(move || {
                for _ in 0..PER {
                    let _held = g.lock.lock();
                    // SAFETY: we hold the lock.
                    unsafe { *g.count.get() += 1 };
                    std::thread::yield_now();
                    std::thread::yield_now();
                }
            });
        }
    });
    assert_eq!(g.count.into_inner(), THREADS * PER);
    assert!(g.lock.try_lock().is_some(), "the lock was left held");
}
