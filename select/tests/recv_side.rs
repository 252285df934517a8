//! A receive operand that keeps books per received value (as gort-mq's
//! consumers do) is told once per value taken through every select form,
//! and never for a receive that found the channel closed or lost.

use gort_chan::raw::RecvSide;
use gort_chan::{Receiver, bounded};
use gort_select::{Select, select, select_blocking};
use std::cell::Cell;

struct Counting<T> {
    rx: Receiver<T>,
    taken: Cell<usize>,
}

impl<T> RecvSide<T> for Counting<T> {
    fn receiver(&self) -> &Receiver<T> {
        &self.rx
    }

    fn received(&self) {
        self.taken.set(self.taken.get() + 1);
    }
}

fn counting() -> (gort_chan::Sender<u32>, Counting<u32>) {
    let (tx, rx) = bounded(4);
    let c = Counting {
        rx,
        taken: Cell::new(0),
    };
    (tx, c)
}

#[test]
fn blocking_select_tells_the_winner_only() {
    let (tx, c) = counting();
    let (_tx2, other) = counting();
    tx.send_blocking(1).unwrap();
    let got = select_blocking! {
        recv(c) -> v => v,
        recv(&other) -> _ => unreachable!(),
    };
    assert_eq!(got, Ok(1));
    assert_eq!((c.taken.get(), other.taken.get()), (1, 0));
    tx.close();
    let got = select_blocking! { recv(&c) -> v => v, recv(other) -> _ => unreachable!() };
    assert!(got.is_err());
    assert_eq!(
        c.taken.get(),
        1,
        "a receive that found the channel closed took nothing"
    );
}

#[test]
fn non_blocking_form_tells_on_a_value() {
    let (tx, c) = counting();
    let got = select_blocking! { recv(c) -> v => v.ok(), default => None };
    assert_eq!((got, c.taken.get()), (None, 0));
    tx.send_blocking(2).unwrap();
    let got = select_blocking! { recv(c) -> v => v.ok(), default => None };
    assert_eq!((got, c.taken.get()), (Some(2), 1));
}

#[test]
fn async_select_tells_the_winner() {
    let (tx, c) = counting();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            tx.send(3).await.unwrap();
            let got = select! { recv(c) -> v => v };
            assert_eq!(got, Ok(3));
        });
    assert_eq!(c.taken.get(), 1);
}

#[test]
fn dynamic_select_tells_when_the_outcome_is_taken() {
    let (tx, c) = counting();
    tx.send_blocking(4).unwrap();
    let mut sel = Select::new();
    let i = sel.recv(&c);
    let mut done = sel.select_blocking();
    assert_eq!(done.index(), i);
    assert_eq!(c.taken.get(), 0, "told when the value is taken, not before");
    assert_eq!(done.recv(&c), Ok(4));
    assert_eq!(c.taken.get(), 1);
}
