//! `PoolGuard`: the value goes back on drop, also when unwinding, and stays
//! out after `take`; counted with drop-tracking values.

use gort_pool::Pool;
use gort_testkit::{Tracked, Tracker};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};

#[test]
fn a_guard_puts_its_value_back_when_dropped() {
    let pool = Pool::new(|| 0u32);
    {
        let mut g = pool.get_guard();
        *g = 5;
    }
    assert_eq!(pool.try_get(), Some(5));
    assert_eq!(pool.try_get(), None);
}

#[test]
fn a_guard_puts_its_value_back_when_unwinding() {
    let pool = Pool::new(|| 1u32);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _g = pool.get_guard();
        panic!("a panic while the value is out");
    }));
    assert!(r.is_err());
    assert_eq!(pool.try_get(), Some(1));
}

#[test]
fn take_keeps_the_value_and_nothing_is_dropped_twice() {
    let tracker = Tracker::new();
    let t = tracker.clone();
    let ids = AtomicU64::new(0);
    let pool = Pool::new(move || t.make(ids.fetch_add(1, Ordering::Relaxed)));
    let kept: Tracked = pool.get_guard().take();
    assert_eq!(pool.try_get().map(|_| ()), None, "take does not put back");
    drop(pool.get_guard()); // constructed, then pooled
    drop(kept);
    drop(pool); // drops the pooled one
    assert_eq!(tracker.created(), 2);
    tracker.assert_each_dropped_once([0, 1]);
}
