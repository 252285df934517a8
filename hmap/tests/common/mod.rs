//! Shared test helpers: objects that account for every drop, keys whose
//! `Hash`/`Eq` panic on the N-th call, and hashers that collide.

#![allow(dead_code)] // each test file uses a subset

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::Once;

/// The payload of a panic a test injected on purpose.
pub struct Injected;

/// Silences the default panic message for injected panics only.
pub fn quiet_injected_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Injected>() {
                default(info);
            }
        }));
    });
}

/// Runs `f`, returning `Err(())` if it panicked with an injected panic (any
/// other panic goes on).
pub fn catch_injected<R>(f: impl FnOnce() -> R) -> Result<R, ()> {
    quiet_injected_panics();
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => Ok(r),
        Err(payload) if payload.is::<Injected>() => Err(()),
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Accounts for every tracked object of one test, and injects panics.
#[derive(Default)]
pub struct Tracker {
    next_id: Cell<u64>,
    live: RefCell<HashSet<u64>>,
    created: Cell<u64>,
    double_drops: Cell<u64>,
    hash_calls: Cell<u64>,
    eq_calls: Cell<u64>,
    /// Panic on this hash call (1-based); 0: never.
    pub panic_on_hash: Cell<u64>,
    /// Panic on this eq call (1-based); 0: never.
    pub panic_on_eq: Cell<u64>,
    /// Panic on this clone call (1-based); 0: never.
    pub panic_on_clone: Cell<u64>,
    clone_calls: Cell<u64>,
    /// Objects whose drop panics (each once).
    pub panic_on_drop: RefCell<HashSet<u64>>,
}

impl Tracker {
    pub fn new() -> Rc<Self> {
        Rc::new(Tracker::default())
    }

    fn register(self: &Rc<Self>) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.live.borrow_mut().insert(id);
        self.created.set(self.created.get() + 1);
        id
    }

    /// A tracked object with logical value `value`.
    pub fn obj(self: &Rc<Self>, value: u64) -> Obj {
        Obj {
            id: self.register(),
            value,
            t: self.clone(),
        }
    }

    pub fn live(&self) -> usize {
        self.live.borrow().len()
    }

    pub fn created(&self) -> u64 {
        self.created.get()
    }

    pub fn hash_calls(&self) -> u64 {
        self.hash_calls.get()
    }

    pub fn eq_calls(&self) -> u64 {
        self.eq_calls.get()
    }

    pub fn clone_calls(&self) -> u64 {
        self.clone_calls.get()
    }

    /// No object was dropped twice and every object was dropped.
    pub fn assert_all_dropped_once(&self) {
        assert_eq!(self.double_drops.get(), 0, "an object was dropped twice");
        assert_eq!(self.live(), 0, "objects leaked: {:?}", self.live.borrow());
    }

    pub fn assert_no_double_drop(&self) {
        assert_eq!(self.double_drops.get(), 0, "an object was dropped twice");
    }

    fn tick(counter: &Cell<u64>, trigger: &Cell<u64>) {
        let n = counter.get() + 1;
        counter.set(n);
        if trigger.get() == n {
            panic::panic_any(Injected);
        }
    }
}

/// A tracked object: hashes and compares by `value`; every `Hash`, `Eq` and
/// `Clone` call is counted and may panic; every drop is accounted for.
pub struct Obj {
    pub id: u64,
    pub value: u64,
    t: Rc<Tracker>,
}

impl Hash for Obj {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Tracker::tick(&self.t.hash_calls, &self.t.panic_on_hash);
        self.value.hash(state);
    }
}

impl PartialEq for Obj {
    fn eq(&self, other: &Self) -> bool {
        Tracker::tick(&self.t.eq_calls, &self.t.panic_on_eq);
        self.value == other.value
    }
}

impl Eq for Obj {}

impl Clone for Obj {
    fn clone(&self) -> Self {
        Tracker::tick(&self.t.clone_calls, &self.t.panic_on_clone);
        self.t.obj(self.value)
    }
}

impl std::fmt::Debug for Obj {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Obj({})", self.value)
    }
}

impl Drop for Obj {
    fn drop(&mut self) {
        if !self.t.live.borrow_mut().remove(&self.id) {
            self.t.double_drops.set(self.t.double_drops.get() + 1);
        }
        if self.t.panic_on_drop.borrow_mut().remove(&self.id) {
            panic::panic_any(Injected);
        }
    }
}

/// A hasher whose output is `value % modulus` of the `u64`s written to it:
/// with modulus 1 every key collides (Go's test of a constant hash).
#[derive(Clone, Copy, Debug)]
pub struct Colliding {
    pub modulus: u64,
}

pub struct CollidingHasher {
    modulus: u64,
    h: u64,
}

impl Hasher for CollidingHasher {
    fn finish(&self) -> u64 {
        self.h % self.modulus
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.h = self.h.wrapping_mul(31).wrapping_add(u64::from(b));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.h = self.h.wrapping_mul(31).wrapping_add(v);
    }
}

impl BuildHasher for Colliding {
    type Hasher = CollidingHasher;

    fn build_hasher(&self) -> CollidingHasher {
        CollidingHasher {
            modulus: self.modulus,
            h: 0,
        }
    }
}
