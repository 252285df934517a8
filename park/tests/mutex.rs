//! Go's runtime mutex: mutual exclusion under contention (a non-atomic
//! counter guarded by it must count every increment), sleeping and waking
//! (more threads than cores, long enough holds to reach the futex).
#![cfg(not(gort_loom))]

use gort_park::Mutex;

/// `threads` threads each increment a counter under the lock `per` times,
/// calling `hold(thread, i)` while still holding it; returns the lock.
fn count_under_lock(threads: u64, per: u64, hold: impl Fn(u64, u64) + Sync) -> Mutex<u64> {
    let m = Mutex::new(0);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (m, hold) = (&m, &hold);
            s.spawn(move || {
                for i in 0..per {
                    let mut count = m.lock();
                    *count += 1;
                    hold(t, i);
                }
            });
        }
    });
    m
}

#[test]
fn excludes_under_contention() {
    const THREADS: u64 = 6;
    const PER: u64 = 50_000;
    let m = count_under_lock(THREADS, PER, |t, i| {
        // Now and then hold it long enough that others sleep.
        if (i + t) % 4096 == 0 {
            std::thread::yield_now();
        }
    });
    assert_eq!(*m.lock(), THREADS * PER);
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
    let m = count_under_lock(THREADS, PER, |_, _| {
        std::thread::yield_now();
        std::thread::yield_now();
    });
    assert_eq!(
        *m.try_lock().expect("the lock was left held"),
        THREADS * PER
    );
}
