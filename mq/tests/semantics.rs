//! The topic rules, one at a time: where a message goes, back-pressure,
//! all-or-nothing fan-out, closing, and the receive faces.

use gort_mq::{Broker, PublishError, RecvCtxError, TryPublishError, TryRecvError};
use gort_testkit::{Flag, Tracker, counting_waker, poll_noop, poll_once};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::thread;

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn messages_wait_in_the_queue_for_a_later_consumer() {
    let broker = Broker::new(4);
    broker.publish_blocking("t", 1).unwrap();
    broker.publish_blocking("t", 2).unwrap();
    assert_eq!(broker.len("t"), 2);
    let c = broker.consumer("t");
    assert_eq!((c.try_recv(), c.try_recv()), (Ok(1), Ok(2)));
    assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn competing_consumers_each_take_a_message_once() {
    let broker = Broker::new(8);
    let a = broker.consumer("t");
    let b = a.clone();
    for i in 0..8 {
        broker.try_publish("t", i).unwrap();
    }
    let mut got: Vec<i32> = (0..4).map(|_| a.try_recv().unwrap()).collect();
    got.extend((0..4).map(|_| b.try_recv().unwrap()));
    assert_eq!(got, (0..8).collect::<Vec<_>>());
    assert!(a.try_recv().is_err() && b.try_recv().is_err());
}

#[test]
fn a_fan_out_only_topic_does_not_fill_the_queue() {
    let broker = Broker::new(2);
    let s = broker.subscribe("t");
    for i in 0..10 {
        broker.try_publish("t", i).unwrap();
        assert_eq!(s.try_recv(), Ok(i));
    }
    assert_eq!(
        broker.len("t"),
        0,
        "no consumer, a subscription: the queue is not a target"
    );
}

#[test]
fn with_a_consumer_the_queue_gets_every_message_too() {
    let broker = Broker::new(4);
    let c = broker.consumer("t");
    let s = broker.subscribe("t");
    broker.try_publish("t", 'a').unwrap();
    assert_eq!((c.try_recv(), s.try_recv()), (Ok('a'), Ok('a')));
    drop(c);
    broker.try_publish("t", 'b').unwrap();
    assert_eq!(
        broker.len("t"),
        0,
        "the last consumer left: the queue is no target"
    );
    assert_eq!(s.try_recv(), Ok('b'));
}

#[test]
fn a_subscription_gets_only_later_messages_and_unsubscribes_on_drop() {
    let broker = Broker::new(4);
    broker.try_publish("t", 1).unwrap();
    let s = broker.subscribe("t");
    broker.try_publish("t", 2).unwrap();
    assert_eq!(s.try_recv(), Ok(2));
    assert_eq!(s.try_recv(), Err(TryRecvError::Empty));
    drop(s);
    broker.try_publish("t", 3).unwrap();
    let c = broker.consumer("t");
    assert_eq!(
        (c.try_recv(), c.try_recv()),
        (Ok(1), Ok(3)),
        "without subscriptions the queue takes all"
    );
}

#[test]
fn each_subscription_gets_its_own_clone() {
    let tracker = Tracker::new();
    let broker = Broker::new(4);
    let subs: Vec<_> = (0..3).map(|_| broker.subscribe("t")).collect();
    broker.publish_blocking("t", tracker.make(7)).unwrap();
    assert_eq!(tracker.created(), 3, "two clones and the original");
    for s in &subs {
        assert_eq!(s.try_recv().unwrap().id, 7);
    }
    assert_eq!(tracker.live(), 0);
}

#[test]
fn a_full_subscription_makes_try_publish_refuse_all_targets() {
    let broker = Broker::new(1);
    let fast = broker.subscribe("t");
    let slow = broker.subscribe("t");
    broker.try_publish("t", 1).unwrap();
    assert_eq!(fast.try_recv(), Ok(1));
    assert_eq!(broker.try_publish("t", 2), Err(TryPublishError::Full(2)));
    assert_eq!(
        fast.try_recv(),
        Err(TryRecvError::Empty),
        "refused: no target got it"
    );
    assert_eq!(slow.try_recv(), Ok(1));
    broker.try_publish("t", 3).unwrap();
    assert_eq!((fast.try_recv(), slow.try_recv()), (Ok(3), Ok(3)));
}

#[test]
fn a_blocked_fan_out_publish_waits_for_the_slow_subscriber() {
    let broker = Broker::new(1);
    let fast = broker.subscribe("t");
    let slow = broker.subscribe("t");
    broker.try_publish("t", 1).unwrap();
    assert_eq!(fast.try_recv(), Ok(1));
    let publisher = {
        let broker = broker.clone();
        thread::spawn(move || broker.publish_blocking("t", 2))
    };
    // Whenever the publisher runs, it can only complete after `slow`
    // takes its message: `fast` receives 2 only after that.
    assert_eq!(slow.recv_blocking(), Ok(1));
    assert_eq!(fast.recv_blocking(), Ok(2));
    assert_eq!(slow.recv_blocking(), Ok(2));
    assert_eq!(publisher.join().unwrap(), Ok(()));
}

#[test]
fn a_waiting_fan_out_publish_cancelled_delivers_nothing() {
    let tracker = Tracker::new();
    let broker = Broker::new(1);
    let a = broker.subscribe("t");
    let b = broker.subscribe("t");
    broker.try_publish("t", tracker.make(1)).unwrap();
    assert_eq!(a.try_recv().unwrap().id, 1);
    {
        let mut publish = pin!(broker.publish("t", tracker.make(2)));
        assert!(poll_noop(publish.as_mut()).is_pending(), "b is full");
        assert_eq!(
            b.try_recv().unwrap().id,
            1,
            "room now, but the publish was not polled"
        );
    }
    assert!(a.try_recv().is_err() && b.try_recv().is_err());
    assert_eq!(tracker.live(), 0);
    assert_eq!(
        tracker.drops_of(2),
        1,
        "the cancelled message was dropped, never cloned"
    );
}

#[test]
fn a_receive_through_select_wakes_a_waiting_fan_out_publisher() {
    let broker = Broker::new(1);
    let a = broker.subscribe("t");
    let b = broker.consumer("t");
    broker.try_publish("t", 1).unwrap();
    assert_eq!(b.try_recv(), Ok(1));
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut publish = pin!(broker.publish("t", 2));
    assert!(
        poll_once(publish.as_mut(), &waker).is_pending(),
        "a is full"
    );
    let got = gort_select::select_blocking! { recv(a) -> v => v };
    assert_eq!(got, Ok(1));
    assert!(
        flag.is_woken(),
        "the receive through select made the last room"
    );
    assert_eq!(poll_once(publish.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!((a.try_recv(), b.try_recv()), (Ok(2), Ok(2)));
}

#[test]
fn only_a_receive_from_the_channel_a_publisher_found_full_wakes_it() {
    let broker = Broker::new(1);
    let first = broker.subscribe("t");
    let second = broker.subscribe("t");
    broker.try_publish("t", 1).unwrap();
    let (waker, wakes) = counting_waker();
    let mut publish = pin!(broker.publish("t", 2));
    assert!(
        poll_once(publish.as_mut(), &waker).is_pending(),
        "both are full"
    );
    assert_eq!(second.try_recv(), Ok(1));
    assert_eq!(
        wakes.count(),
        0,
        "the publisher waits on `first`, found full first"
    );
    assert_eq!(first.try_recv(), Ok(1));
    assert_eq!(wakes.count(), 1);
    assert_eq!(poll_once(publish.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!((first.try_recv(), second.try_recv()), (Ok(2), Ok(2)));
}

#[test]
fn waiters_moving_to_the_queue_pass_the_wake_up_on() {
    // Two fan-out publishers wait; the subscription leaves, so the topic
    // becomes a plain queue, which is full: each waiter moves to the
    // queue's send queue, and must pass the one wake-up on.
    let broker = Broker::new(1);
    broker.try_publish("t", 0).unwrap();
    let s = broker.subscribe("t");
    broker.try_publish("t", 1).unwrap();
    let (w1, wakes1) = counting_waker();
    let (w2, wakes2) = counting_waker();
    let mut p1 = pin!(broker.publish("t", 2));
    let mut p2 = pin!(broker.publish("t", 3));
    assert!(poll_once(p1.as_mut(), &w1).is_pending());
    assert!(poll_once(p2.as_mut(), &w2).is_pending());
    drop(s);
    assert_eq!(
        wakes1.count() + wakes2.count(),
        1,
        "one wake-up for two waiters"
    );
    let (first, first_waker, second, second_waker, second_wakes) = if wakes1.count() == 1 {
        (p1.as_mut(), &w1, p2.as_mut(), &w2, &wakes2)
    } else {
        (p2.as_mut(), &w2, p1.as_mut(), &w1, &wakes1)
    };
    assert!(
        poll_once(first, first_waker).is_pending(),
        "now waiting in the queue"
    );
    assert_eq!(second_wakes.count(), 1, "the wake-up was passed on");
    assert!(poll_once(second, second_waker).is_pending());
    let c = broker.consumer("t");
    let mut got = Vec::new();
    let mut done = [false, false];
    for _ in 0..3 {
        got.push(c.recv_blocking().unwrap());
        if !done[0] {
            done[0] = poll_once(p1.as_mut(), &w1).is_ready();
        }
        if !done[1] {
            done[1] = poll_once(p2.as_mut(), &w2).is_ready();
        }
    }
    assert_eq!(done, [true, true]);
    got.sort_unstable();
    assert_eq!(got, [0, 2, 3]);
}

#[test]
fn a_panicking_clone_delivers_to_no_target() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static CLONES: AtomicUsize = AtomicUsize::new(0);
    #[derive(Debug, PartialEq)]
    struct Fragile(u32);
    impl Clone for Fragile {
        fn clone(&self) -> Self {
            if CLONES.fetch_add(1, Ordering::Relaxed) == 1 {
                panic!("the second clone fails");
            }
            Fragile(self.0)
        }
    }
    let broker = Broker::new(4);
    let c = broker.consumer("t");
    let subs: Vec<_> = (0..3).map(|_| broker.subscribe("t")).collect();
    let publish = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        broker.try_publish("t", Fragile(1))
    }));
    assert!(publish.is_err(), "the clone's panic reaches the publisher");
    assert!(c.try_recv().is_err());
    assert!(subs.iter().all(|s| s.try_recv().is_err()), "all or nothing");
    broker.try_publish("t", Fragile(2)).unwrap();
    assert_eq!(c.try_recv(), Ok(Fragile(2)), "the topic still works");
}

#[test]
fn unsubscribing_releases_publishers_waiting_on_that_subscription() {
    let broker = Broker::new(1);
    let keep = broker.subscribe("t");
    let leave = broker.subscribe("t");
    broker.try_publish("t", 1).unwrap();
    assert_eq!(keep.try_recv(), Ok(1));
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut publish = pin!(broker.publish("t", 2));
    assert!(poll_once(publish.as_mut(), &waker).is_pending());
    drop(leave);
    assert!(flag.is_woken());
    assert_eq!(poll_once(publish.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(keep.try_recv(), Ok(2));
}

#[test]
fn a_full_queue_makes_publish_wait_like_a_channel_send() {
    let broker = Broker::new(1);
    broker.try_publish("t", 1).unwrap();
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(flag.clone());
    let mut publish = pin!(broker.publish("t", 2));
    assert!(poll_once(publish.as_mut(), &waker).is_pending());
    let c = broker.consumer("t");
    assert_eq!(c.try_recv(), Ok(1));
    assert!(flag.is_woken());
    assert_eq!(poll_once(publish.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(c.try_recv(), Ok(2));
}

#[test]
fn close_topic_drains_then_ends_and_returns_blocked_messages() {
    let broker = Broker::new(1);
    let c = broker.consumer("t");
    let s = broker.subscribe("t");
    broker.try_publish("t", 1).unwrap();
    let mut queued = pin!(broker.publish("t", 2));
    assert!(poll_noop(queued.as_mut()).is_pending());
    assert!(broker.close_topic("t"));
    assert!(!broker.topics().contains(&"t".to_string()));
    assert_eq!(
        poll_noop(queued.as_mut()),
        Poll::Ready(Err(PublishError::Closed(2)))
    );
    assert_eq!((c.recv_blocking(), s.recv_blocking()), (Ok(1), Ok(1)));
    assert!(c.recv_blocking().is_err() && s.recv_blocking().is_err());
    assert!(c.is_closed());
    // The name is free again.
    let c2 = broker.consumer("t");
    broker.try_publish("t", 4).unwrap();
    assert_eq!(c2.try_recv(), Ok(4));
    assert!(
        c.try_recv().is_err(),
        "the old consumer stays with the old topic"
    );
}

#[test]
fn close_returns_the_message_of_a_blocked_publisher() {
    for fan_out in [false, true] {
        let broker = Broker::new(1);
        let _s = fan_out.then(|| broker.subscribe("t"));
        broker.try_publish("t", 1).unwrap();
        let blocked = {
            let broker = broker.clone();
            thread::spawn(move || broker.publish_blocking("t", 2))
        };
        // Blocked or not yet started: either way the closed broker refuses.
        broker.close();
        assert_eq!(blocked.join().unwrap(), Err(PublishError::Closed(2)));
    }
}

#[test]
fn a_closed_broker_refuses_everything() {
    let broker = Broker::new(2);
    let c = broker.consumer("a");
    broker.try_publish("a", 1).unwrap();
    broker.close();
    assert!(broker.is_closed());
    assert!(broker.topics().is_empty());
    assert_eq!(c.try_recv(), Ok(1));
    assert_eq!(c.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(broker.try_publish("a", 2), Err(TryPublishError::Closed(2)));
    assert_eq!(
        block_on(broker.publish("b", 3)),
        Err(PublishError::Closed(3))
    );
    assert!(broker.consumer("c").recv_blocking().is_err());
    assert!(broker.subscribe("c").recv_blocking().is_err());
    assert!(
        broker.topics().is_empty(),
        "a closed broker keeps no new topic"
    );
}

#[test]
fn consumers_work_as_streams_and_in_async_select() {
    use futures_core::{FusedStream, Stream};
    let broker = Broker::new(4);
    let c = broker.consumer("t");
    let s = broker.subscribe("t");
    block_on(async {
        broker.publish("t", 1).await.unwrap();
        broker.publish("t", 2).await.unwrap();
        let got = gort_select::select! {
            recv(c) -> v => v,
        };
        assert_eq!(got, Ok(1));
        let mut c = c.into_stream();
        let next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut c).poll_next(cx)).await;
        assert_eq!(next, Some(2));
        assert_eq!(s.recv().await, Ok(1));
        broker.close_topic("t");
        assert_eq!(s.recv().await, Ok(2));
        let end = std::future::poll_fn(|cx| std::pin::Pin::new(&mut c).poll_next(cx)).await;
        assert_eq!(end, None);
        assert!(c.is_terminated());
        assert!(format!("{c:?}").starts_with("InboxStream"));
    });
}

#[test]
fn a_stream_gives_a_message_it_holds_back_when_it_is_undone() {
    use futures_core::Stream;
    let broker = Broker::new(4);
    let mut stream = broker.consumer("t").into_stream();
    let other = broker.consumer("t");
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    assert!(
        std::pin::Pin::new(&mut stream)
            .poll_next(&mut cx)
            .is_pending()
    );
    broker.try_publish("t", 1).unwrap();
    broker.try_publish("t", 2).unwrap();
    assert_eq!(
        other.try_recv(),
        Ok(2),
        "1 was handed to the waiting stream"
    );
    let c = stream.into_inner();
    assert_eq!(c.try_recv(), Ok(1), "given back, ahead of later messages");
}

#[test]
fn recv_ctx_ends_on_cancel_close_or_a_message() {
    let broker = Broker::new(4);
    let c = broker.consumer("t");
    let (ctx, cancel) = gort_context::Context::background().with_cancel();
    block_on(async {
        broker.publish("t", 1).await.unwrap();
        assert_eq!(c.recv_ctx(&ctx).await, Ok(1));
        let waiting = async {
            let got = c.recv_ctx(&ctx).await;
            assert_eq!(
                got,
                Err(RecvCtxError::Context(gort_context::ContextError::Canceled))
            );
        };
        let mut waiting = pin!(waiting);
        assert!(poll_noop(waiting.as_mut()).is_pending());
        cancel.cancel();
        waiting.await;
    });
    let fresh = gort_context::Context::background();
    broker.close_topic("t");
    assert_eq!(c.recv_ctx_blocking(&fresh), Err(RecvCtxError::Closed));
}

#[test]
fn a_publisher_handle_publishes_as_the_broker_does_and_stays_with_its_topic() {
    let broker = Broker::new(1);
    let p = broker.publisher("t");
    let c = broker.consumer("t");
    let s = broker.subscribe("t");
    p.try_publish(1).unwrap();
    assert_eq!(p.try_publish(2), Err(TryPublishError::Full(2)));
    let mut waiting = pin!(p.publish(2));
    assert!(poll_noop(waiting.as_mut()).is_pending());
    assert_eq!((c.try_recv(), s.try_recv()), (Ok(1), Ok(1)));
    assert_eq!(poll_noop(waiting.as_mut()), Poll::Ready(Ok(())));
    assert_eq!((c.try_recv(), s.try_recv()), (Ok(2), Ok(2)));
    assert!(broker.close_topic("t"));
    assert!(p.is_closed());
    assert_eq!(p.publish_blocking(3), Err(PublishError::Closed(3)));
    let fresh = broker.consumer("t");
    assert_eq!(p.clone().try_publish(4), Err(TryPublishError::Closed(4)));
    assert_eq!(
        fresh.try_recv(),
        Err(TryRecvError::Empty),
        "the new topic got nothing"
    );
    assert!(format!("{p:?}").starts_with("Publisher"));
}

#[test]
fn a_recv_ctx_ended_by_its_context_holds_no_message() {
    let broker = Broker::new(4);
    let c = broker.consumer("t");
    let (ctx, cancel) = gort_context::Context::background().with_cancel();
    let mut f = pin!(c.recv_ctx(&ctx));
    assert!(poll_noop(f.as_mut()).is_pending());
    cancel.cancel();
    assert_eq!(
        poll_noop(f.as_mut()),
        Poll::Ready(Err(RecvCtxError::Context(
            gort_context::ContextError::Canceled
        )))
    );
    broker.try_publish("t", 5).unwrap();
    assert_eq!(
        c.try_recv(),
        Ok(5),
        "the finished future (still alive) took nothing"
    );
}

#[test]
fn debug_output_does_not_need_debug_messages() {
    #[derive(Clone)]
    struct Opaque;
    let broker = Broker::new(1);
    let c = broker.consumer("t");
    let s = broker.subscribe("t");
    let f = broker.publish("t", Opaque);
    assert!(format!("{broker:?}").starts_with("Broker"));
    assert!(format!("{c:?}").starts_with("Consumer"));
    assert!(format!("{s:?}").starts_with("Subscription"));
    assert!(format!("{f:?}").starts_with("PublishFuture"));
    assert_eq!(format!("{:?}", PublishError::Closed(Opaque)), "Closed(..)");
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Broker<String>>();
    send_sync::<gort_mq::Consumer<String>>();
    send_sync::<gort_mq::Subscription<String>>();
    let broker = Broker::new(1);
    send(&broker.publish("t", String::new()));
    let c = broker.consumer("t");
    send(&c.recv());
}

#[test]
fn a_publish_by_name_outlives_the_broker_handle() {
    let broker = Broker::new(1);
    let c = broker.consumer("t");
    let publish = {
        let handle = broker.clone();
        handle.publish("t", 7)
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::spawn(publish).await.unwrap().unwrap();
        assert_eq!(c.recv().await, Ok(7));
    });
}

#[test]
#[should_panic(expected = "capacity_per_topic must be at least 1")]
fn a_zero_capacity_is_refused() {
    let _ = Broker::<u8>::new(0);
}
