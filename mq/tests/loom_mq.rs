//! loom models of the broker's protocols:
//!
//! - a topic created on first use racing [`Broker::close`]: the creator's
//!   topic is closed and not kept (either `close` finds it in the map, or
//!   the creator sees the closed flag after storing it);
//! - a fan-out publish waiting for room racing the receive that makes it:
//!   the publisher is woken (no lost wake-up: loom reports a deadlock);
//! - a fan-out publish waiting for room in the queue (a consumer's) racing
//!   the consumer's receive, and one waiting on two full subscriptions
//!   drained by two receiving threads: each channel's wanted flag and the
//!   wake-up token get the publisher through;
//! - a fan-out publish waiting for room racing a close (of the broker, so
//!   that a publish that starts after it is refused rather than creating a
//!   new topic): the message is delivered to every subscription or given
//!   back, never both, never neither, never to one only.
//!
//! Not covered: the SyncMap's own promotion protocol (gort-syncmap's models
//! cover it), the async face (it runs the same `offer`/token steps as the
//! blocking face modelled here), and more than two threads.
#![cfg(gort_loom)]

use gort_mq::{Broker, PublishError};
use loom::thread;

#[test]
fn topic_creation_racing_broker_close() {
    loom::model(|| {
        let broker = Broker::<u8>::new(1);
        let creator = {
            let broker = broker.clone();
            thread::spawn(move || broker.consumer("t"))
        };
        broker.close();
        let consumer = creator.join().unwrap();
        assert!(consumer.is_closed(), "the creator's topic was closed");
        assert!(broker.topics().is_empty(), "a closed broker keeps no topic");
        assert!(broker.try_publish("t", 1).is_err());
    });
}

#[test]
fn waiting_fan_out_publish_racing_the_receive_that_makes_room() {
    loom::model(|| {
        let broker = Broker::new(1);
        let a = broker.subscribe("t");
        let b = broker.subscribe("t");
        broker.try_publish("t", 1).unwrap();
        assert_eq!(a.try_recv(), Ok(1));
        let publisher = {
            let broker = broker.clone();
            thread::spawn(move || broker.publish_blocking("t", 2))
        };
        assert_eq!(b.recv_blocking(), Ok(1));
        assert_eq!(publisher.join().unwrap(), Ok(()));
        assert_eq!((a.try_recv(), b.try_recv()), (Ok(2), Ok(2)));
    });
}

#[test]
fn waiting_fan_out_publish_racing_the_consumer_that_makes_queue_room() {
    loom::model(|| {
        let broker = Broker::new(1);
        let sub = broker.subscribe("t");
        let queue = broker.consumer("t");
        broker.try_publish("t", 1).unwrap();
        assert_eq!(sub.try_recv(), Ok(1));
        let publisher = {
            let broker = broker.clone();
            thread::spawn(move || broker.publish_blocking("t", 2))
        };
        assert_eq!(queue.recv_blocking(), Ok(1));
        assert_eq!(publisher.join().unwrap(), Ok(()));
        assert_eq!((sub.try_recv(), queue.try_recv()), (Ok(2), Ok(2)));
    });
}

#[test]
fn waiting_fan_out_publish_on_two_full_subscriptions() {
    loom::model(|| {
        let broker = Broker::new(1);
        let a = broker.subscribe("t");
        let b = broker.subscribe("t");
        broker.try_publish("t", 1).unwrap();
        let publisher = {
            let broker = broker.clone();
            thread::spawn(move || broker.publish_blocking("t", 2))
        };
        let reader = thread::spawn(move || (a.recv_blocking(), a.recv_blocking()));
        assert_eq!((b.recv_blocking(), b.recv_blocking()), (Ok(1), Ok(2)));
        assert_eq!(publisher.join().unwrap(), Ok(()));
        assert_eq!(reader.join().unwrap(), (Ok(1), Ok(2)));
    });
}

#[test]
fn waiting_fan_out_publish_racing_close() {
    loom::model(|| {
        let broker = Broker::new(1);
        let a = broker.subscribe("t");
        let b = broker.subscribe("t");
        broker.try_publish("t", 1).unwrap();
        assert_eq!(a.try_recv(), Ok(1));
        let publisher = {
            let broker = broker.clone();
            thread::spawn(move || broker.publish_blocking("t", 2))
        };
        let closer = {
            let broker = broker.clone();
            thread::spawn(move || broker.close())
        };
        assert_eq!(b.recv_blocking(), Ok(1));
        closer.join().unwrap();
        let outcome = publisher.join().unwrap();
        let (got_a, got_b) = (a.recv_blocking().ok(), b.recv_blocking().ok());
        assert_eq!(got_a, got_b, "all or nothing");
        match outcome {
            Ok(()) => assert_eq!(got_a, Some(2)),
            Err(PublishError::Closed(m)) => {
                assert_eq!(m, 2);
                assert_eq!(got_a, None);
            }
        }
    });
}
