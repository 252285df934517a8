//! Go's TestMapMatchesRWMutex and TestMapMatchesDeepCopy (sync/map_test.go),
//! re-expressed with proptest: random call sequences applied to a `SyncMap`
//! and to a reference map give the same result for every call and the same
//! final contents.
//!
//! As in Go, the value is set only for Store and LoadOrStore: Swap stores Go's
//! nil (here `None`, a present value), and CompareAndSwap / CompareAndDelete
//! compare against it. The references are Go's two: a mutex around a map
//! (`RWMutexMap`) and a copy-on-write map (`DeepCopyMap`).

use gort_syncmap::SyncMap;
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Val = Option<String>;

/// Go's `mapInterface`.
trait MapInterface: Default {
    fn load(&self, k: &str) -> Option<Val>;
    fn store(&self, k: String, v: Val);
    fn load_or_store(&self, k: String, v: Val) -> (Val, bool);
    fn load_and_delete(&self, k: &str) -> Option<Val>;
    fn delete(&self, k: &str);
    fn swap(&self, k: String, v: Val) -> Option<Val>;
    fn compare_and_swap(&self, k: &str, old: &Val, new: Val) -> bool;
    fn compare_and_delete(&self, k: &str, old: &Val) -> bool;
    fn clear(&self);
    fn contents(&self) -> HashMap<String, Val>;
}

impl MapInterface for SyncMap<String, Val> {
    fn load(&self, k: &str) -> Option<Val> {
        SyncMap::load(self, k)
    }
    fn store(&self, k: String, v: Val) {
        SyncMap::store(self, k, v)
    }
    fn load_or_store(&self, k: String, v: Val) -> (Val, bool) {
        SyncMap::load_or_store(self, k, v)
    }
    fn load_and_delete(&self, k: &str) -> Option<Val> {
        SyncMap::load_and_delete(self, k)
    }
    fn delete(&self, k: &str) {
        SyncMap::delete(self, k)
    }
    fn swap(&self, k: String, v: Val) -> Option<Val> {
        SyncMap::swap(self, k, v)
    }
    fn compare_and_swap(&self, k: &str, old: &Val, new: Val) -> bool {
        SyncMap::compare_and_swap(self, k, old, new)
    }
    fn compare_and_delete(&self, k: &str, old: &Val) -> bool {
        SyncMap::compare_and_delete(self, k, old)
    }
    fn clear(&self) {
        SyncMap::clear(self)
    }
    fn contents(&self) -> HashMap<String, Val> {
        let mut out = HashMap::new();
        self.range(|k, v| {
            assert!(
                out.insert(k.clone(), v.clone()).is_none(),
                "range visited {k} twice"
            );
            true
        });
        out
    }
}

/// Go's `RWMutexMap`.
#[derive(Default)]
struct MutexMap(Mutex<HashMap<String, Val>>);

impl MapInterface for MutexMap {
    fn load(&self, k: &str) -> Option<Val> {
        self.0.lock().unwrap().get(k).cloned()
    }
    fn store(&self, k: String, v: Val) {
        self.0.lock().unwrap().insert(k, v);
    }
    fn load_or_store(&self, k: String, v: Val) -> (Val, bool) {
        let mut m = self.0.lock().unwrap();
        match m.get(&k) {
            Some(actual) => (actual.clone(), true),
            None => {
                m.insert(k, v.clone());
                (v, false)
            }
        }
    }
    fn load_and_delete(&self, k: &str) -> Option<Val> {
        self.0.lock().unwrap().remove(k)
    }
    fn delete(&self, k: &str) {
        self.0.lock().unwrap().remove(k);
    }
    fn swap(&self, k: String, v: Val) -> Option<Val> {
        self.0.lock().unwrap().insert(k, v)
    }
    fn compare_and_swap(&self, k: &str, old: &Val, new: Val) -> bool {
        match self.0.lock().unwrap().get_mut(k) {
            Some(v) if v == old => {
                *v = new;
                true
            }
            _ => false,
        }
    }
    fn compare_and_delete(&self, k: &str, old: &Val) -> bool {
        let mut m = self.0.lock().unwrap();
        if m.get(k) == Some(old) {
            m.remove(k);
            true
        } else {
            false
        }
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
    fn contents(&self) -> HashMap<String, Val> {
        self.0.lock().unwrap().clone()
    }
}

/// Go's `DeepCopyMap`: an immutable map replaced by a modified copy on
/// every write.
#[derive(Default)]
struct DeepCopyMap(Mutex<Arc<HashMap<String, Val>>>);

impl DeepCopyMap {
    fn read(&self) -> Arc<HashMap<String, Val>> {
        self.0.lock().unwrap().clone()
    }
    fn write<R>(&self, f: impl FnOnce(&mut HashMap<String, Val>) -> R) -> R {
        let mut cur = self.0.lock().unwrap();
        let mut copy = HashMap::clone(&cur);
        let r = f(&mut copy);
        *cur = Arc::new(copy);
        r
    }
}

impl MapInterface for DeepCopyMap {
    fn load(&self, k: &str) -> Option<Val> {
        self.read().get(k).cloned()
    }
    fn store(&self, k: String, v: Val) {
        self.write(|m| m.insert(k, v));
    }
    fn load_or_store(&self, k: String, v: Val) -> (Val, bool) {
        if let Some(actual) = self.read().get(&k) {
            return (actual.clone(), true);
        }
        self.write(|m| match m.get(&k) {
            Some(actual) => (actual.clone(), true),
            None => {
                m.insert(k, v.clone());
                (v, false)
            }
        })
    }
    fn load_and_delete(&self, k: &str) -> Option<Val> {
        self.write(|m| m.remove(k))
    }
    fn delete(&self, k: &str) {
        self.write(|m| m.remove(k));
    }
    fn swap(&self, k: String, v: Val) -> Option<Val> {
        self.write(|m| m.insert(k, v))
    }
    fn compare_and_swap(&self, k: &str, old: &Val, new: Val) -> bool {
        self.write(|m| match m.get_mut(k) {
            Some(v) if v == old => {
                *v = new;
                true
            }
            _ => false,
        })
    }
    fn compare_and_delete(&self, k: &str, old: &Val) -> bool {
        self.write(|m| {
            if m.get(k) == Some(old) {
                m.remove(k);
                true
            } else {
                false
            }
        })
    }
    fn clear(&self) {
        self.write(|m| m.clear());
    }
    fn contents(&self) -> HashMap<String, Val> {
        HashMap::clone(&self.read())
    }
}

/// Go's `mapCall`.
#[derive(Debug, Clone)]
enum Call {
    Load(String),
    Store(String, String),
    LoadOrStore(String, String),
    LoadAndDelete(String),
    Delete(String),
    Swap(String),
    CompareAndSwap(String, u64),
    CompareAndDelete(String),
    Clear,
}

/// Go's `mapCall.apply`: the (value, ok) each call reports.
fn apply(m: &impl MapInterface, c: &Call) -> (Val, bool) {
    match c {
        Call::Load(k) => m.load(k).map_or((None, false), |v| (v, true)),
        Call::Store(k, v) => {
            m.store(k.clone(), Some(v.clone()));
            (None, false)
        }
        Call::LoadOrStore(k, v) => m.load_or_store(k.clone(), Some(v.clone())),
        Call::LoadAndDelete(k) => m.load_and_delete(k).map_or((None, false), |v| (v, true)),
        Call::Delete(k) => {
            m.delete(k);
            (None, false)
        }
        Call::Swap(k) => m.swap(k.clone(), None).map_or((None, false), |v| (v, true)),
        Call::CompareAndSwap(k, new) => {
            if m.compare_and_swap(k, &None, Some(new.to_string())) {
                m.delete(k);
                (None, true)
            } else {
                (None, false)
            }
        }
        Call::CompareAndDelete(k) => {
            let deleted = m.compare_and_delete(k, &None) && m.load(k).is_none();
            (None, deleted)
        }
        Call::Clear => {
            m.clear();
            (None, false)
        }
    }
}

fn apply_calls<M: MapInterface>(calls: &[Call]) -> (Vec<(Val, bool)>, HashMap<String, Val>) {
    let m = M::default();
    let results = calls.iter().map(|c| apply(&m, c)).collect();
    (results, m.contents())
}

/// Go's `randValue`: 0 to 3 letters from `alphabet`.
fn value(alphabet: &'static str) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[{alphabet}]{{0,3}}")).unwrap()
}

/// Go's `mapCall.Generate`: one of the nine calls, uniformly.
fn call(alphabet: &'static str) -> impl Strategy<Value = Call> {
    let k = || value(alphabet);
    prop_oneof![
        k().prop_map(Call::Load),
        (k(), value("a-z")).prop_map(|(k, v)| Call::Store(k, v)),
        (k(), value("a-z")).prop_map(|(k, v)| Call::LoadOrStore(k, v)),
        k().prop_map(Call::LoadAndDelete),
        k().prop_map(Call::Delete),
        k().prop_map(Call::Swap),
        (k(), any::<u64>()).prop_map(|(k, n)| Call::CompareAndSwap(k, n)),
        k().prop_map(Call::CompareAndDelete),
        Just(Call::Clear),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// TestMapMatchesRWMutex, with Go's generator (keys over a-z).
    #[test]
    fn map_matches_mutex(calls in prop::collection::vec(call("a-z"), 0..100)) {
        prop_assert_eq!(apply_calls::<SyncMap<String, Val>>(&calls), apply_calls::<MutexMap>(&calls));
    }

    /// TestMapMatchesDeepCopy, with Go's generator.
    #[test]
    fn map_matches_deep_copy(calls in prop::collection::vec(call("a-z"), 0..100)) {
        prop_assert_eq!(apply_calls::<SyncMap<String, Val>>(&calls), apply_calls::<DeepCopyMap>(&calls));
    }

    /// The same check over a dense key space (keys over a-b, 15 of them), so
    /// that keys are revisited and sequences go through promotion, expunging
    /// and unexpunging many times.
    #[test]
    fn dense_keys_match_mutex(calls in prop::collection::vec(call("ab"), 0..300)) {
        prop_assert_eq!(apply_calls::<SyncMap<String, Val>>(&calls), apply_calls::<MutexMap>(&calls));
    }
}
