//! Panic safety: a key whose `Hash`, `Eq` or `Clone` panics, a destructor
//! that panics, and a panicking `retain` closure, at every possible point of
//! runs that cross several growths. After each injected panic the map must
//! be valid (`debug_check`), hold exactly the entries of a model updated
//! only by operations that returned, keep working, and in the end every
//! tracked object must have been dropped exactly once.

mod common;

use common::{Colliding, Obj, Tracker, catch_injected};
use gort_hmap::HMap;
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::rc::Rc;

type Model = BTreeMap<u64, u64>;

fn contents<S: BuildHasher>(m: &HMap<Obj, Obj, S>) -> Model {
    let c: Model = m.iter().map(|(k, v)| (k.value, v.value)).collect();
    assert_eq!(c.len(), m.len());
    c
}

/// One step of the script, applied to the map and, if it returns, to the model.
fn step<S: BuildHasher + Clone>(
    t: &Rc<Tracker>,
    m: &mut HMap<Obj, Obj, S>,
    model: &mut Model,
    i: u64,
) {
    let k = i % 48;
    match i % 7 {
        0..=2 => {
            m.insert(t.obj(k), t.obj(i));
            model.insert(k, i);
        }
        3 => {
            let got = m.remove(&t.obj(k)).map(|v| v.value);
            assert_eq!(got, model.remove(&k));
        }
        4 => {
            let v = m.entry(t.obj(k + 1)).or_insert_with(|| t.obj(i));
            let v = v.value;
            assert_eq!(v, *model.entry(k + 1).or_insert(i));
        }
        5 => {
            let got = m.get(&t.obj(k)).map(|v| v.value);
            assert_eq!(got, model.get(&k).copied());
        }
        _ => {
            if i % 21 == 6 {
                m.reserve(8);
            } else {
                m.retain(|k, _| k.value % 11 != 3);
                model.retain(|k, _| k % 11 != 3);
            }
        }
    }
}

const STEPS: u64 = 160;

/// Runs the script with the N-th call of one kind panicking, for every N
/// until a run completes with no panic. Returns how many runs panicked.
fn sweep<S: BuildHasher + Clone>(hasher: S, arm: impl Fn(&Tracker, u64)) -> u64 {
    for n in 1.. {
        let t = Tracker::new();
        arm(&t, n);
        let mut m: HMap<Obj, Obj, S> = HMap::with_hasher(hasher.clone());
        let mut model = Model::new();
        let mut grew = 0;
        let mut hit = false;
        for i in 0..STEPS {
            if catch_injected(|| step(&t, &mut m, &mut model, i)).is_err() {
                hit = true;
                m.debug_check()
                    .unwrap_or_else(|e| panic!("n={n} step {i}: {e}"));
                assert_eq!(contents(&m), model, "n={n} step {i}");
                break;
            }
            grew = grew.max(m.debug_stats().b);
        }
        if !hit {
            assert!(grew >= 3, "the run crosses at least two growths");
            return n - 1;
        }
        // The map keeps working after the panic: finish the run without it.
        arm(&t, 0);
        for i in 0..STEPS {
            step(&t, &mut m, &mut model, i);
        }
        m.debug_check().unwrap();
        assert_eq!(contents(&m), model);
        drop(m);
        t.assert_all_dropped_once();
    }
    unreachable!()
}

#[test]
fn hash_panics_at_every_call() {
    let n = sweep(ahash::RandomState::new(), |t, n| t.panic_on_hash.set(n));
    assert!(n > 100, "{n} panicking runs");
}

#[test]
fn hash_panics_at_every_call_with_overflow_chains() {
    let n = sweep(Colliding { modulus: 8 }, |t, n| t.panic_on_hash.set(n));
    assert!(n > 100, "{n} panicking runs");
}

#[test]
fn eq_panics_at_every_call() {
    let n = sweep(ahash::RandomState::new(), |t, n| t.panic_on_eq.set(n));
    assert!(n > 50, "{n} panicking runs");
}

#[test]
fn eq_panics_at_every_call_with_overflow_chains() {
    let n = sweep(Colliding { modulus: 8 }, |t, n| t.panic_on_eq.set(n));
    assert!(n > 100, "{n} panicking runs");
}

/// Builds a map of `n` tracked entries that is in the middle of a growth.
fn growing_map(t: &Rc<Tracker>, n: u64) -> HMap<Obj, Obj> {
    let mut m = HMap::new();
    let mut i = 0;
    while i < n || !m.debug_stats().growing {
        m.insert(t.obj(i), t.obj(i));
        i += 1;
    }
    m
}

/// A destructor that panics in `clear`, in the map's destructor, in
/// `retain`, in `drain` and in `into_iter`: every other object is still
/// dropped exactly once and the map is left valid.
#[test]
fn drop_panics() {
    for victim in 0..40u64 {
        for (case, f) in [
            (
                "clear",
                &(|m: &mut HMap<Obj, Obj>| m.clear()) as &dyn Fn(&mut HMap<Obj, Obj>),
            ),
            ("drop", &|m| drop(std::mem::take(m))),
            ("retain", &|m| m.retain(|k, _| k.value % 2 == 0)),
            ("drain", &|m| {
                let mut d = m.drain();
                d.next();
            }),
            ("into_iter", &|m| {
                let mut it = std::mem::take(m).into_iter();
                it.next();
            }),
        ] {
            let t = Tracker::new();
            let mut m = growing_map(&t, 30);
            // Pick the victim among the objects still in the map.
            let target = m
                .iter()
                .nth(victim as usize % m.len())
                .map(|(k, v)| if victim % 2 == 0 { k.id } else { v.id });
            t.panic_on_drop.borrow_mut().insert(target.unwrap());
            let _ = catch_injected(|| f(&mut m));
            t.assert_no_double_drop();
            m.debug_check().unwrap_or_else(|e| panic!("{case}: {e}"));
            for (k, v) in &m {
                assert_eq!(k.value, v.value, "{case}");
            }
            t.panic_on_drop.borrow_mut().clear();
            drop(m);
            t.assert_all_dropped_once();
        }
    }
}

/// A `retain` closure that panics at its N-th call leaves the map valid with
/// the entries it has not removed.
#[test]
fn retain_closure_panics() {
    for n in 0..60 {
        let t = Tracker::new();
        let mut m = growing_map(&t, 50);
        let mut model: Model = contents(&m);
        let mut calls = 0;
        let r = catch_injected(|| {
            m.retain(|k, _| {
                calls += 1;
                if calls == n {
                    std::panic::panic_any(common::Injected);
                }
                k.value % 3 != 0
            })
        });
        m.debug_check().unwrap();
        let now = contents(&m);
        if r.is_ok() {
            model.retain(|k, _| k % 3 != 0);
            assert_eq!(now, model);
        } else {
            // Exactly the removed entries are the multiples of 3 among them.
            assert!(now.len() <= model.len());
            for (k, v) in &model {
                assert!(now.get(k) == Some(v) || k % 3 == 0);
            }
        }
        drop(m);
        t.assert_all_dropped_once();
    }
}

/// `clone` of a growing map with a key or value clone panicking at every
/// call: the half-built copy is dropped cleanly and the source is intact.
#[test]
fn clone_panics() {
    for n in 1..130 {
        let t = Tracker::new();
        let m = growing_map(&t, 50);
        let before = contents(&m);
        t.panic_on_clone.set(n);
        let r = catch_injected(|| m.clone());
        t.panic_on_clone.set(0);
        t.assert_no_double_drop();
        match r {
            Ok(c) => {
                c.debug_check().unwrap();
                assert_eq!(contents(&c), before);
            }
            Err(()) => assert!(n <= 2 * before.len() as u64),
        }
        assert_eq!(contents(&m), before);
        drop(m);
        t.assert_all_dropped_once();
    }
}

/// `reserve` and `shrink_to` rebuild the table; a `Hash` panicking at every
/// call leaves the map as it was.
#[test]
fn rebuild_hash_panics() {
    let reserve = |m: &mut HMap<Obj, Obj>| m.reserve(500);
    let shrink = |m: &mut HMap<Obj, Obj>| m.shrink_to_fit();
    for (name, rebuild) in [
        ("reserve", &reserve as &dyn Fn(&mut HMap<Obj, Obj>)),
        ("shrink", &shrink),
    ] {
        for n in 1..80 {
            let t = Tracker::new();
            let mut m = growing_map(&t, 60);
            if name == "shrink" {
                m.retain(|k, _| k.value % 4 == 0);
            }
            let before = contents(&m);
            t.panic_on_hash.set(t.hash_calls() + n);
            let r = catch_injected(|| rebuild(&mut m));
            t.panic_on_hash.set(0);
            m.debug_check().unwrap();
            assert_eq!(contents(&m), before, "{name} n={n}");
            assert_eq!(
                r.is_err(),
                n <= before.len() as u64,
                "{name} n={n}: one hash per entry"
            );
            drop(m);
            t.assert_all_dropped_once();
        }
    }
}

/// Forgetting a drain (its destructor never runs, as with `mem::forget`)
/// leaks the drained entries (safely) and leaves the map empty and usable.
/// The forgotten drain is boxed and its address kept in a static, so that
/// LeakSanitizer, run on this suite, sees the intended leak as reachable.
#[test]
fn forgotten_drain() {
    static FORGOTTEN: std::sync::Mutex<Vec<usize>> = std::sync::Mutex::new(Vec::new());
    let t = Tracker::new();
    let mut m = growing_map(&t, 40);
    let mut d = m.drain();
    d.next();
    let forgotten = Box::into_raw(Box::new(d));
    FORGOTTEN.lock().unwrap().push(forgotten as usize);
    assert!(m.is_empty());
    m.debug_check().unwrap();
    m.insert(t.obj(1), t.obj(1));
    assert_eq!(m.len(), 1);
    drop(m);
    t.assert_no_double_drop();
    assert!(t.live() > 0, "the forgotten entries leak");
}
