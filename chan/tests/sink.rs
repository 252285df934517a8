//! `SendSink` (feature `stream`): values go through in order, a full buffer
//! holds `poll_flush` back until a receive makes room (and wakes it), a
//! closed channel gives the value back, and a sink dropped with a value in
//! flight drops it without delivering it later.
#![cfg(feature = "stream")]

use futures_sink::Sink;
use gort_chan::{SendError, bounded};
use gort_testkit::{Tracker, counting_waker};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn ready<T>(
    sink: std::pin::Pin<&mut gort_chan::SendSink<T>>,
    waker: &Waker,
) -> Poll<Result<(), SendError<T>>> {
    sink.poll_ready(&mut Context::from_waker(waker))
}

fn flush<T>(
    sink: std::pin::Pin<&mut gort_chan::SendSink<T>>,
    waker: &Waker,
) -> Poll<Result<(), SendError<T>>> {
    sink.poll_flush(&mut Context::from_waker(waker))
}

#[test]
fn values_go_through_in_order() {
    let (tx, rx) = bounded(4);
    let mut sink = pin!(tx.sink());
    for i in 0..4 {
        assert!(matches!(
            ready(sink.as_mut(), Waker::noop()),
            Poll::Ready(Ok(()))
        ));
        sink.as_mut().start_send(i).unwrap();
    }
    assert!(matches!(
        flush(sink.as_mut(), Waker::noop()),
        Poll::Ready(Ok(()))
    ));
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
}

#[test]
fn a_full_buffer_holds_the_flush_until_a_receive_makes_room() {
    let (tx, rx) = bounded(1);
    let mut sink = pin!(tx.into_sink());
    let (waker, wakes) = counting_waker();
    sink.as_mut().start_send(1).unwrap();
    assert!(matches!(flush(sink.as_mut(), &waker), Poll::Ready(Ok(()))));
    sink.as_mut().start_send(2).unwrap();
    assert!(
        flush(sink.as_mut(), &waker).is_pending(),
        "the buffer is full"
    );
    assert_eq!(wakes.count(), 0);
    assert_eq!(rx.try_recv(), Ok(1)); // moves the waiting 2 into the buffer
    assert_eq!(wakes.count(), 1, "the receive woke the sink");
    assert!(matches!(flush(sink.as_mut(), &waker), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn a_closed_channel_gives_the_value_back() {
    let (tx, rx) = bounded::<u8>(1);
    let mut sink = pin!(tx.sink());
    drop(rx);
    sink.as_mut().start_send(9).unwrap();
    assert!(matches!(
        flush(sink.as_mut(), Waker::noop()),
        Poll::Ready(Err(SendError(9)))
    ));
    assert!(sink.sender().is_closed());
}

#[test]
fn a_sink_dropped_with_a_value_in_flight_drops_it() {
    let tracker = Tracker::new();
    let (tx, rx) = bounded(0);
    {
        let mut sink = pin!(tx.sink());
        sink.as_mut().start_send(tracker.make(1)).unwrap();
        assert!(
            flush(sink.as_mut(), Waker::noop()).is_pending(),
            "nobody receives"
        );
    }
    assert_eq!(tracker.dropped(), 1, "dropped with the sink");
    assert!(rx.try_recv().is_err(), "and never delivered later");
}

#[test]
#[should_panic(expected = "start_send called before poll_ready")]
fn start_send_with_a_send_in_flight_is_a_contract_violation() {
    let (tx, _rx) = bounded(0);
    let mut sink = pin!(tx.sink());
    sink.as_mut().start_send(1).unwrap();
    assert!(flush(sink.as_mut(), Waker::noop()).is_pending());
    let _ = sink.as_mut().start_send(2);
}
