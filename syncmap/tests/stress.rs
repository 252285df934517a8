//! Stress: threads on disjoint and on shared keys, with every value
//! accounted for. Bounded by operation counts (a few seconds at most).
//!
//! Shared keys: each writer inserts unique tokens with `swap` and takes them
//! out with `load_and_delete` / `compare_and_delete`; every token must come
//! out exactly once (as a previous value, a deleted value, or the map's final
//! contents). Disjoint keys: each thread checks that every value it reads
//! back from its own keys is the one it last wrote. Readers check that a
//! value always belongs to its key. Tracked values prove nothing leaks.

use gort_syncmap::SyncMap;
use gort_testkit::{Tracked, Tracker};
use std::collections::HashSet;
use std::sync::Mutex;

const WRITERS: u64 = 2;
const OPS: u64 = 100_000;
const SHARED_KEYS: u64 = 16;

/// A token: writer in the high bits, sequence number in the low bits.
fn token(writer: u64, seq: u64) -> u64 {
    writer << 32 | seq
}

#[test]
fn shared_keys_every_token_comes_out_once() {
    let census = Tracker::new();
    let m: SyncMap<u64, Tracked> = SyncMap::new();
    let out = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let (m, out, census) = (&m, &out, &census);
            s.spawn(move || {
                let mut mine = Vec::new();
                for seq in 0..OPS {
                    let k = (seq * 7 + w) % SHARED_KEYS;
                    match seq % 5 {
                        0 | 1 => mine.extend(m.swap(k, census.make(token(w, seq))).map(|v| v.id)),
                        2 => mine.extend(m.load_and_delete(&k).map(|v| v.id)),
                        3 => {
                            // Take out whatever is there, if it is still there.
                            if let Some(v) = m.load(&k) {
                                if m.compare_and_delete(&k, &v) {
                                    mine.push(v.id);
                                }
                            }
                        }
                        _ => {
                            let (v, loaded) = m.load_or_store(k, census.make(token(w, seq)));
                            assert_eq!(loaded, v.id != token(w, seq));
                        }
                    }
                }
                out.lock().unwrap().extend(mine);
            });
        }
        // A reader ranging and loading meanwhile.
        let m = &m;
        s.spawn(move || {
            for _ in 0..200 {
                m.range(|_, v| v.id >> 32 < WRITERS);
                for k in 0..SHARED_KEYS {
                    m.load_with(&k, |v| assert!(v.id >> 32 < WRITERS));
                }
            }
        });
    });
    let mut seen: Vec<u64> = out.into_inner().unwrap();
    m.range(|_, v| {
        seen.push(v.id);
        true
    });
    let mut unique = HashSet::new();
    for id in &seen {
        assert!(unique.insert(*id), "token {id:#x} came out twice");
    }
    // Every token that went in: swaps (seq % 5 in 0..2) and the stores of
    // load_or_store (those whose token never came back as `v.id`).
    for w in 0..WRITERS {
        for seq in (0..OPS).filter(|s| s % 5 < 2) {
            assert!(
                unique.contains(&token(w, seq)),
                "token {:#x} was lost",
                token(w, seq)
            );
        }
    }
    drop(m);
    assert_eq!(census.live(), 0, "values leaked or were dropped twice");
}

#[test]
fn disjoint_keys_read_their_own_writes() {
    let census = Tracker::new();
    let m: SyncMap<u64, Tracked> = SyncMap::new();
    std::thread::scope(|s| {
        for t in 0..3u64 {
            let (m, census) = (&m, &census);
            s.spawn(move || {
                let base = t * 1000;
                let mut last = vec![None; 64];
                for seq in 0..OPS {
                    let i = (seq * 13) as usize % 64;
                    let k = base + i as u64;
                    let id = token(t, seq);
                    match seq % 4 {
                        0 => assert_eq!(
                            m.swap(k, census.make(id)).map(|v| v.id),
                            last[i].replace(id)
                        ),
                        1 => assert_eq!(m.load(&k).map(|v| v.id), last[i]),
                        2 if seq % 3 == 0 => {
                            assert_eq!(m.load_and_delete(&k).map(|v| v.id), last[i].take())
                        }
                        2 => {
                            let ok = m.compare_and_swap(
                                &k,
                                &census.make(last[i].unwrap_or(u64::MAX)),
                                census.make(id),
                            );
                            assert_eq!(ok, last[i].is_some());
                            if ok {
                                last[i] = Some(id);
                            }
                        }
                        _ => {
                            let (v, loaded) = m.load_or_store(k, census.make(id));
                            assert_eq!(loaded, last[i].is_some());
                            last[i] = Some(v.id);
                        }
                    }
                }
            });
        }
    });
    drop(m);
    assert_eq!(census.live(), 0, "values leaked or were dropped twice");
}
