//! Go's test/chan/*.go select programs (go1.23), re-expressed: select.go,
//! select2.go (no allocation per select), select3.go (blocking rules,
//! without its sleeps), select4.go/select5.go (evaluation order),
//! select6.go, select7.go, doubleselect.go, and the select forms of
//! test/closedchan.go.
#![cfg(not(gort_loom))]

use gort_chan::{Receiver, RecvError, SendError, Sender, bounded, never};
use gort_select::{select, select_blocking};
use gort_testkit::{CountingAlloc, allocated_by, poll_noop};
use std::cell::Cell;
use std::collections::HashSet;
use std::pin::pin;

/// select.go: send arms with a default; a filled arm is switched off (Go: set
/// to nil); each send value is evaluated once per select, even when default
/// wins.
#[test]
fn select_go() {
    let counter = Cell::new(0u32);
    let shift = Cell::new(0u32);
    let get_value = || {
        counter.set(counter.get() + 1);
        1u32 << shift.get()
    };
    let send = |a: Option<&Sender<u32>>, b: Option<&Sender<u32>>| {
        let (mut a, mut b) = (a, b);
        let mut i = 0;
        loop {
            // Go's nil channel arm: an arm whose value is still evaluated
            // but which can never be chosen is modelled by a full channel.
            let (full_tx, _full_rx) = bounded::<u32>(0);
            let (ta, tb) = (a.unwrap_or(&full_tx), b.unwrap_or(&full_tx));
            let done = select_blocking! {
                send(ta, get_value()) -> r => { r.unwrap(); i += 1; a = None; false },
                send(tb, get_value()) -> r => { r.unwrap(); i += 1; b = None; false },
                default => true,
            };
            if done {
                return i;
            }
            shift.set(shift.get() + 1);
        }
    };
    let (at, ar) = bounded::<u32>(1);
    let (bt, br) = bounded::<u32>(1);
    assert_eq!(send(Some(&at), Some(&bt)), 2);
    let (av, bv) = (ar.recv_blocking().unwrap(), br.recv_blocking().unwrap());
    assert_eq!(av | bv, 3, "bad values {av} {bv}");
    assert_eq!(send(Some(&at), None), 1);
    assert_eq!(counter.get(), 10);
}

/// select4.go: only the chosen arm's result is used (Go also checks that
/// the receive target of a losing arm is not evaluated; here results are
/// bound only in the winning body).
#[test]
fn select4() {
    let (c_tx, c) = bounded::<i32>(1);
    let (_c1_tx, c1) = bounded::<i32>(0);
    c_tx.send_blocking(42).unwrap();
    let x: i32;
    select_blocking! {
        recv(c1) -> _ => panic!("BUG: c1 is empty"),
        recv(c) -> v => x = v.unwrap(),
    }
    assert_eq!(x, 42);
}

/// select5.go's order checks: operands and send values are evaluated once,
/// in source order, before any arm runs; a losing send value is dropped.
#[test]
fn evaluation_order() {
    let order = std::cell::RefCell::new(Vec::new());
    let note = |what: &'static str| order.borrow_mut().push(what);
    let (tx, rx) = bounded::<i32>(1);
    let (tx2, _rx2) = bounded::<i32>(0);
    let r = select_blocking! {
        send({ note("chan 1"); &tx2 }, { note("value 1"); 1 }) -> r => r,
        recv({ note("chan 2"); &rx }) -> _ => unreachable!("rx is empty"),
        send({ note("chan 3"); &tx }, { note("value 3"); 3 }) -> r => r,
    };
    assert_eq!(r, Ok(()));
    assert_eq!(
        *order.borrow(),
        ["chan 1", "value 1", "chan 2", "chan 3", "value 3"]
    );
    assert_eq!(rx.try_recv(), Ok(3));
}

/// select6.go: a select that lost on one channel leaves no stale waiter there
/// (Go issue 2075: a woken select was still queued on c1).
#[test]
fn select6() {
    let (c1t, c1) = bounded::<bool>(0);
    let (c2t, c2) = bounded::<bool>(0);
    let (c3t, c3) = bounded::<bool>(0);
    std::thread::scope(|s| {
        let c1a = c1.clone();
        s.spawn(move || c1a.recv_blocking().unwrap());
        s.spawn(|| {
            select_blocking! {
                recv(c1) -> _ => panic!("dummy"),
                recv(c2) -> _ => c3t.send_blocking(true).unwrap(),
            }
            c1.recv_blocking().unwrap();
        });
        s.spawn(|| c2t.send_blocking(true).unwrap());
        c3.recv_blocking().unwrap();
        c1t.send_blocking(true).unwrap();
        c1t.send_blocking(true).unwrap();
    });
}

/// select7.go: a receiver (plain, one-arm select, two-arm select) and a
/// sender (the same three forms) meet on an unbuffered channel.
#[test]
fn select7() {
    type Recv = fn(Receiver<i32>);
    let recvs: [Recv; 3] = [
        |c| {
            c.recv_blocking().unwrap();
        },
        |c| select_blocking! { recv(c) -> v => { v.unwrap(); } },
        |c| {
            let (_t, c2) = bounded::<i32>(0);
            select_blocking! {
                recv(c) -> v => { v.unwrap(); },
                recv(c2) -> _ => unreachable!(),
            }
        },
    ];
    for recv in recvs {
        for form in 0..3 {
            let (c_tx, c) = bounded::<i32>(0);
            let t = std::thread::spawn(move || recv(c));
            match form {
                0 => c_tx.send_blocking(1).unwrap(),
                1 => select_blocking! { send(c_tx, 1) -> r => r.unwrap() },
                _ => {
                    let (c2, _c2r) = bounded::<i32>(0);
                    select_blocking! {
                        send(c_tx, 1) -> r => r.unwrap(),
                        send(c2, 1) -> _ => unreachable!(),
                    }
                }
            }
            t.join().unwrap();
        }
    }
}

/// doubleselect.go: a select sends each value on one of four channels, four
/// muxes forward to one channel; no value arrives twice.
#[test]
fn doubleselect() {
    const N: i32 = 20_000;
    let (c1t, c1) = bounded::<i32>(0);
    let (c2t, c2) = bounded::<i32>(0);
    let (c3t, c3) = bounded::<i32>(0);
    let (c4t, c4) = bounded::<i32>(0);
    let (cmux_t, cmux) = bounded::<i32>(0);
    std::thread::scope(|s| {
        s.spawn(move || {
            for i in 0..N {
                select_blocking! {
                    send(c1t, i) -> r => r.unwrap(),
                    send(c2t, i) -> r => r.unwrap(),
                    send(c3t, i) -> r => r.unwrap(),
                    send(c4t, i) -> r => r.unwrap(),
                }
            }
            // dropping the senders closes c1..c4
        });
        for input in [c1, c2, c3, c4] {
            let out = cmux_t.clone();
            s.spawn(move || input.iter().for_each(|v| out.send_blocking(v).unwrap()));
        }
        drop(cmux_t); // cmux closes when the four muxes are done
        let mut seen = HashSet::new();
        for v in &cmux {
            assert!(seen.insert(v), "got duplicate value: {v}");
        }
        assert_eq!(seen.len(), N as usize);
    });
}

/// select3.go's blocking rules, checked by polling once instead of sleeping:
/// selects on never() channels and empty selects never complete; a receive
/// from a closed channel and a send with buffer room never block; a send
/// arm on a closed channel fails (Go panics) instead of blocking.
#[test]
fn select3_blocking_rules() {
    let nil = never::<i32>();
    let (closed_tx, closed) = bounded::<i32>(0);
    closed_tx.close();
    // Never ready, never complete.
    assert!(
        poll_noop(pin!(async {
            select! {}
        }))
        .is_pending()
    );
    assert!(
        poll_noop(pin!(async {
            select! { recv(nil) -> _ => {} }
        }))
        .is_pending()
    );
    let (_t, idle) = bounded::<i32>(0);
    assert!(
        poll_noop(pin!(async {
            select! { recv(nil) -> _ => {}, recv(idle) -> _ => {} }
        }))
        .is_pending()
    );
    // A never() arm with a default: the default.
    assert!(select_blocking! { recv(nil) -> _ => false, default => true });
    // A receive from a closed channel is ready, ten times over.
    for _ in 0..10 {
        let r = select_blocking! { recv(closed) -> v => v };
        assert_eq!(r, Err(RecvError));
    }
    // A send with buffer room is ready.
    let (tx, _rx) = bounded::<i32>(1);
    assert!(select_blocking! { send(tx, 7) -> r => r.is_ok(), default => false });
    // A send on a closed channel is ready and fails with the value back,
    // even next to a default (Go panics).
    let r = select_blocking! { send(closed_tx, 7) -> r => r, default => Ok(()) };
    assert_eq!(r, Err(SendError(7)));
    let r = select_blocking! { send(closed_tx, 8) -> r => r, recv(idle) -> _ => Ok(()) };
    assert_eq!(r, Err(SendError(8)));
}

/// closedchan.go, select forms: a closed channel receives its buffered
/// value first, then reports closed; non-blocking forms count as selected.
#[test]
fn closed_chan_select_forms() {
    let (dummy_t, dummy) = bounded::<bool>(0);
    for cap in [0, 1] {
        let (tx, rx) = bounded::<i32>(cap);
        if cap == 1 {
            tx.send_blocking(1).unwrap();
        }
        tx.close();
        if cap == 1 {
            assert_eq!(
                select_blocking! { recv(rx) -> v => v, recv(dummy) -> _ => unreachable!() },
                Ok(1)
            );
        }
        for _ in 0..3 {
            assert_eq!(select_blocking! { recv(rx) -> v => v }, Err(RecvError));
            assert_eq!(
                select_blocking! { recv(rx) -> v => Some(v), default => None },
                Some(Err(RecvError))
            );
            assert_eq!(
                select_blocking! { recv(dummy) -> _ => None, recv(rx) -> v => Some(v), default => None },
                Some(Err(RecvError))
            );
        }
        assert_eq!(
            select_blocking! { send(tx, 2) -> r => r },
            Err(SendError(2))
        );
        assert_eq!(
            select_blocking! { send(tx, 3) -> r => r, recv(dummy) -> _ => unreachable!() },
            Err(SendError(3))
        );
    }
    drop(dummy_t);
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// select2.go: 100,000 selects receiving from a busy channel allocate
/// nothing (Go: the memory in use does not grow).
#[test]
fn select2_no_allocation_per_select() {
    const N: usize = 100_000;
    let (tx, c) = bounded::<i32>(0);
    let (_dummy_t, dummy) = bounded::<i32>(0);
    let sender = std::thread::spawn(move || (0..N).for_each(|_| tx.send_blocking(1).unwrap()));
    // Build the thread's lazily made state first: its unpark waker (made on
    // the first park, which the counted loop may or may not reach).
    gort_park::with_current_waker(|_| ());
    select_blocking! { recv(c) -> v => { v.unwrap(); }, recv(dummy) -> _ => panic!("dummy") }
    let (counted, ()) = allocated_by(|| {
        for _ in 1..N {
            select_blocking! {
                recv(c) -> v => { v.unwrap(); },
                recv(dummy) -> _ => panic!("dummy"),
            }
        }
    })
    .expect("installed");
    sender.join().unwrap();
    assert_eq!(counted.allocs, 0, "selects allocated");
}
