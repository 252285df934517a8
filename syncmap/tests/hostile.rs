//! Hostile user code: keys whose `Hash`, `Eq` or `Clone` panics on the N-th
//! call (swept over every N a script makes), and values whose `Drop` calls
//! back into the same map.
//!
//! A panic in key code must leave the map as if the panicking call never
//! happened (the map hashes before it changes anything and undoes a copy of
//! the read map that a panicking clone interrupted), and must not poison or
//! brick it: the rest of the script still matches a `HashMap` oracle.

use gort_syncmap::SyncMap;
use std::cell::Cell;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Trap {
    Hash,
    Eq,
    Clone,
}

thread_local! {
    /// Calls of each kind so far, and the call that panics.
    static CALLS: Cell<[u64; 3]> = const { Cell::new([0; 3]) };
    static TRAP: Cell<Option<(Trap, u64)>> = const { Cell::new(None) };
}

fn called(kind: Trap) {
    let mut calls = CALLS.get();
    calls[kind as usize] += 1;
    CALLS.set(calls);
    if TRAP.get() == Some((kind, calls[kind as usize])) {
        TRAP.set(None);
        panic!("hostile {kind:?} #{}", calls[kind as usize]);
    }
}

#[derive(Debug)]
struct Evil(u8);

impl Hash for Evil {
    fn hash<H: Hasher>(&self, state: &mut H) {
        called(Trap::Hash);
        self.0.hash(state);
    }
}

impl PartialEq for Evil {
    fn eq(&self, other: &Self) -> bool {
        called(Trap::Eq);
        self.0 == other.0
    }
}

impl Eq for Evil {}

impl Clone for Evil {
    fn clone(&self) -> Self {
        called(Trap::Clone);
        Evil(self.0)
    }
}

/// A map with a fixed hasher, so that every run of the script makes the same
/// calls (which `Eq` calls happen depends on the hashes).
type Map = SyncMap<Evil, u32, BuildHasherDefault<DefaultHasher>>;

#[derive(Clone, Copy, Debug)]
enum Op {
    Store(u8, u32),
    Load(u8),
    LoadOrStore(u8, u32),
    Swap(u8, u32),
    Delete(u8),
    LoadAndDelete(u8),
    Cas(u8, u32, u32),
    Cad(u8, u32),
    Range,
    Clear,
}

/// A script that goes through promotions (loads that miss, `range`), dirty
/// copies (new keys after a promotion), expunged entries (deleted before a
/// copy) and their revival.
fn script() -> Vec<Op> {
    use Op::*;
    let mut ops = vec![Store(1, 10), Store(2, 20), Store(3, 30), Range];
    ops.extend([Delete(2), Store(4, 40), Load(9), Load(9), Load(9), Load(9)]);
    ops.extend([Store(2, 21), Delete(1), Store(5, 50), LoadOrStore(1, 11)]);
    ops.extend([
        Swap(3, 31),
        Cas(3, 31, 32),
        Cad(4, 40),
        LoadAndDelete(5),
        Range,
    ]);
    ops.extend([
        Delete(3),
        Store(6, 60),
        LoadOrStore(3, 33),
        Swap(7, 70),
        Load(7),
    ]);
    ops.extend([Cas(7, 70, 71), Cad(7, 71), Load(6), Load(6), Load(6), Clear]);
    ops.extend([Store(1, 12), LoadOrStore(2, 22), Range, Load(1), Load(2)]);
    ops
}

/// Runs `op` on the map; the result as text.
fn run(m: &Map, op: Op) -> String {
    match op {
        Op::Store(k, v) => format!("{:?}", m.store(Evil(k), v)),
        Op::Load(k) => format!("{:?}", m.load(&Evil(k))),
        Op::LoadOrStore(k, v) => format!("{:?}", m.load_or_store(Evil(k), v)),
        Op::Swap(k, v) => format!("{:?}", m.swap(Evil(k), v)),
        Op::Delete(k) => format!("{:?}", m.delete(&Evil(k))),
        Op::LoadAndDelete(k) => format!("{:?}", m.load_and_delete(&Evil(k))),
        Op::Cas(k, o, n) => format!("{:?}", m.compare_and_swap(&Evil(k), &o, n)),
        Op::Cad(k, o) => format!("{:?}", m.compare_and_delete(&Evil(k), &o)),
        Op::Range => {
            let mut n = 0;
            m.range(|_, _| {
                n += 1;
                true
            });
            format!("{n}")
        }
        Op::Clear => format!("{:?}", m.clear()),
    }
}

/// The same on a `HashMap`.
fn oracle(m: &mut HashMap<u8, u32>, op: Op) -> String {
    match op {
        Op::Store(k, v) => {
            m.insert(k, v);
            "()".to_string()
        }
        Op::Load(k) => format!("{:?}", m.get(&k).copied()),
        Op::LoadOrStore(k, v) => match m.get(&k) {
            Some(&a) => format!("{:?}", (a, true)),
            None => {
                m.insert(k, v);
                format!("{:?}", (v, false))
            }
        },
        Op::Swap(k, v) => format!("{:?}", m.insert(k, v)),
        Op::Delete(k) => {
            m.remove(&k);
            "()".to_string()
        }
        Op::LoadAndDelete(k) => format!("{:?}", m.remove(&k)),
        Op::Cas(k, o, n) => {
            let hit = m.get(&k) == Some(&o);
            if hit {
                m.insert(k, n);
            }
            format!("{hit:?}")
        }
        Op::Cad(k, o) => {
            let hit = m.get(&k) == Some(&o);
            if hit {
                m.remove(&k);
            }
            format!("{hit:?}")
        }
        Op::Range => format!("{}", m.len()),
        Op::Clear => format!("{:?}", m.clear()),
    }
}

fn contents(m: &Map) -> Vec<(u8, u32)> {
    let mut out = Vec::new();
    m.range(|k, &v| {
        out.push((k.0, v));
        true
    });
    out.sort();
    out
}

/// Runs the script with `trap` armed; returns whether it fired.
fn sweep_one(trap: Option<(Trap, u64)>) -> bool {
    CALLS.set([0; 3]);
    TRAP.set(trap);
    let m = Map::default();
    let mut model = HashMap::new();
    let mut fired = false;
    for op in script() {
        let armed = TRAP.get().is_some();
        match catch_unwind(AssertUnwindSafe(|| run(&m, op))) {
            Ok(got) => assert_eq!(got, oracle(&mut model, op), "{op:?} after trap {trap:?}"),
            // The trap fired in this call, which had no effect.
            Err(_) if armed && TRAP.get().is_none() => fired = true,
            // Any other panic is the map's own.
            Err(e) => std::panic::resume_unwind(e),
        }
    }
    TRAP.set(None);
    let mut want: Vec<(u8, u32)> = model.into_iter().collect();
    want.sort();
    assert_eq!(contents(&m), want, "contents after trap {trap:?}");
    fired
}

#[test]
fn panicking_key_code_is_harmless() {
    let prev = std::panic::take_hook();
    // Silence the traps' panics, and only them.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or("");
        if !msg.starts_with("hostile ") {
            eprintln!("{info}");
        }
    }));
    assert!(!sweep_one(None));
    let total = CALLS.get();
    println!(
        "the script calls Hash {}x, Eq {}x, Clone {}x",
        total[0], total[1], total[2]
    );
    for kind in [Trap::Hash, Trap::Eq, Trap::Clone] {
        assert!(total[kind as usize] > 0, "the script never calls {kind:?}");
        for n in 1..=total[kind as usize] {
            assert!(
                sweep_one(Some((kind, n))),
                "trap {kind:?} #{n} did not fire"
            );
        }
    }
    std::panic::set_hook(prev);
}

/// A value whose `Drop` loads from and stores into the map that held it.
#[derive(Debug)]
struct Bomb {
    key: u32,
    armed: bool,
}

static MAP: LazyLock<SyncMap<u32, Bomb>> = LazyLock::new(SyncMap::new);
static REENTERED: AtomicU64 = AtomicU64::new(0);

impl Clone for Bomb {
    fn clone(&self) -> Self {
        Bomb {
            key: self.key,
            armed: false,
        }
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed {
            let _ = MAP.load_with(&self.key, |b| b.key);
            MAP.store(
                1_000_000 + self.key % 8,
                Bomb {
                    key: 0,
                    armed: false,
                },
            );
            REENTERED.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[test]
fn value_drop_may_call_the_map() {
    let bomb = |key| Bomb { key, armed: true };
    for round in 0..300u32 {
        for k in 0..8 {
            MAP.store(k, bomb(k)); // overwrites retire values
        }
        MAP.delete(&(round % 8));
        let _ = MAP.swap(round % 8, bomb(round));
        let _ = MAP.load_and_delete(&((round + 1) % 8));
        MAP.store(100 + round, bomb(round)); // new keys: dirty copies
        let _ = MAP.load(&(100 + round)); // misses: promotions
        if round % 50 == 49 {
            MAP.range(|_, _| true);
            MAP.clear(); // drops entries that held armed values
        }
    }
    MAP.clear();
    assert!(REENTERED.load(Ordering::Relaxed) > 1000);
}
