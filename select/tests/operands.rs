//! Every operand form a select arm accepts, in both macros and in selects of
//! one arm, one arm plus `default`, and several arms: a receiver by value
//! expression (`rx`, borrowed by the macro), a reference (`&rx`), a
//! temporary (`after(d)`, Go's `case <-time.After(d):`), a method call
//! (`timer.c()`, `holder.rx()`), and send values that are temporaries.
//! Go evaluates every operand once, in source order, before the select.
#![cfg(not(gort_loom))]

use gort_chan::{Receiver, Sender, bounded};
use gort_select::{select, select_blocking};
use gort_time::{Timer, after};
use std::cell::Cell;
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

struct Holder {
    rx: Receiver<u32>,
    tx: Sender<u32>,
}

impl Holder {
    fn rx(&self) -> &Receiver<u32> {
        &self.rx
    }

    fn tx(&self) -> &Sender<u32> {
        &self.tx
    }
}

fn holder(cap: usize) -> Holder {
    let (tx, rx) = bounded(cap);
    Holder { rx, tx }
}

#[test]
fn blocking_temporary_operand_in_a_general_select() {
    let (_tx, rx) = bounded::<u32>(0);
    let got = select_blocking! {
        recv(rx) -> _ => "rx",
        recv(after(Duration::from_millis(1))) -> v => { v.unwrap(); "after" },
    };
    assert_eq!(got, "after");
}

#[test]
fn blocking_temporary_operand_alone_and_with_default() {
    let got = select_blocking! {
        recv(after(Duration::ZERO)) -> v => v.is_ok(),
    };
    assert!(got);
    let got = select_blocking! {
        recv(after(HOUR)) -> _ => false,
        default => true,
    };
    assert!(got);
    let got = select_blocking! {
        recv(after(HOUR)) -> _ => false,
        recv(after(HOUR)) -> _ => false,
        default(Duration::from_millis(1)) => true,
    };
    assert!(got);
}

#[test]
fn blocking_reference_value_and_method_operands() {
    let h = holder(1);
    h.tx.try_send(1).unwrap();
    let r = &h.rx;
    let got = select_blocking! {
        recv(r) -> v => v.unwrap(),
        recv(&h.rx) -> v => v.unwrap(),
        recv(h.rx()) -> v => v.unwrap(),
    };
    assert_eq!(got, 1);
    let timer = Timer::new(Duration::ZERO);
    let got = select_blocking! {
        recv(timer.c()) -> v => v.is_ok(),
        recv(h.rx()) -> _ => false,
    };
    assert!(got);
    let sent = select_blocking! {
        send(h.tx(), 2) -> r => r.is_ok(),
        send(&h.tx, 3) -> r => r.is_ok(),
        recv(h.rx) -> _ => false,
    };
    assert!(sent);
}

#[test]
fn blocking_send_value_and_operand_are_evaluated_once_in_order() {
    let h = holder(2);
    let order = Cell::new(Vec::new());
    let note = |what: &'static str| {
        let mut v = order.take();
        v.push(what);
        order.set(v);
    };
    select_blocking! {
        send({ note("tx1"); h.tx() }, { note("v1"); 1 }) -> r => r.unwrap(),
        recv({ note("rx"); &h.rx }) -> _ => {},
        send({ note("tx2"); &h.tx }, { note("v2"); 2 }) -> r => r.unwrap(),
    }
    assert_eq!(order.take(), ["tx1", "v1", "rx", "tx2", "v2"]);
}

#[test]
fn async_operand_forms() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let h = holder(1);
        let got = select! {
            recv(h.rx) -> _ => "rx",
            recv(after(Duration::from_millis(1))) -> v => { v.unwrap(); "after" },
        };
        assert_eq!(got, "after");
        let got = select! {
            recv(after(HOUR)) -> _ => false,
            default => true,
        };
        assert!(got);
        let got = select! {
            recv(after(HOUR)) -> _ => false,
            recv(h.rx()) -> _ => false,
            default(Duration::from_millis(1)) => true,
        };
        assert!(got);
        let timer = Timer::new(Duration::ZERO);
        let got = select! {
            recv(timer.c()) -> v => v.is_ok(),
            recv(&h.rx) -> _ => false,
        };
        assert!(got);
        let sent = select! {
            send(h.tx(), 5) -> r => r.is_ok(),
            recv(h.rx()) -> _ => false,
        };
        assert!(sent);
        let got = select! {
            recv(h.rx()) -> v => v.unwrap(),
        };
        assert_eq!(got, 5);
    });
}

/// A send value's temporaries die when the value is evaluated, and an
/// operand's temporaries (kept alive during the select) die before the
/// winning arm's body runs: a `MutexGuard` in either is released by then.
#[test]
fn temporaries_are_dropped_before_the_body_runs() {
    use std::sync::Mutex;
    let counter = Mutex::new(5);
    let h = Mutex::new(holder(1));
    let (_idle_tx, idle) = bounded::<u32>(0);
    let sent = select_blocking! {
        send(h.lock().unwrap().tx(), *counter.lock().unwrap()) -> r => {
            assert!(counter.try_lock().is_ok(), "the value's guard is still held");
            assert!(h.try_lock().is_ok(), "the operand's guard is still held");
            r.is_ok()
        },
        recv(idle) -> _ => false,
    };
    assert!(sent);
    let got = select_blocking! {
        recv(h.lock().unwrap().rx()) -> v => {
            assert!(h.try_lock().is_ok(), "the operand's guard is still held");
            v.unwrap()
        },
        recv(idle) -> _ => 0,
    };
    assert_eq!(got, 5);
}

/// A receive-only view (Go's `<-chan T`) is a receive operand like a
/// receiver: by value, by reference, in one-arm selects with `default`, in
/// the async macro and in the dynamic `Select`; a closed view's arm yields
/// `Err` (Go: `<-ctx.Done()` on a cancelled context).
#[test]
fn recv_only_views_are_receive_operands() {
    let h = holder(2);
    let view = h.rx.recv_only();
    h.tx.try_send(1).unwrap();
    let got = select_blocking! {
        recv(view) -> v => v.unwrap(),
        recv(gort_chan::never::<u32>()) -> _ => 0,
    };
    assert_eq!(got, 1);
    let got = select_blocking! {
        recv(&view) -> v => v.ok(),
        default => None,
    };
    assert_eq!(got, None);

    h.tx.try_send(2).unwrap();
    let mut sel = gort_select::Select::new();
    let i = sel.recv(&view);
    let mut done = sel.try_select().expect("a value is ready");
    assert_eq!(done.index(), i);
    assert_eq!(done.recv(&view), Ok(2));

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        h.tx.try_send(3).unwrap();
        let got = select! {
            recv(view) -> v => v.unwrap(),
            recv(after(HOUR)) -> _ => 0,
        };
        assert_eq!(got, 3);
    });

    let (closer, done) = bounded::<()>(0);
    let done = done.recv_only();
    closer.close();
    let got = select_blocking! {
        recv(done) -> r => r,
        default(HOUR) => Ok(()),
    };
    assert_eq!(got, Err(gort_chan::RecvError));
}
