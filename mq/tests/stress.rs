//! Random mixes of publishes (blocking, async, try, cancelled), competing
//! consumers, subscriptions that come and go, and a close in the middle,
//! on threads and tokio tasks, with counting `Drop` messages. Every
//! published message must be received exactly once by the consumer group
//! and by every subscription that lived through the run, in each
//! publisher's order; every refused or cancelled one nowhere; nothing
//! leaks.

use gort_mq::{Broker, Consumer, Subscription};
use gort_testkit::{Tracked, Tracker, poll_noop};
use std::collections::HashSet;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::thread;

const PUBLISHERS: u64 = 4;
const PER_PUBLISHER: u64 = 1500;

/// What happened to each publish, recorded by its publisher.
#[derive(Default)]
struct Outcomes {
    published: Mutex<Vec<u64>>,
    refused: Mutex<Vec<u64>>,
}

impl Outcomes {
    fn record(&self, id: u64, published: bool) {
        let list = if published {
            &self.published
        } else {
            &self.refused
        };
        list.lock().unwrap().push(id);
    }
}

fn id_of(publisher: u64, seq: u64) -> u64 {
    publisher << 32 | seq
}

/// Receives until the topic ends; the ids in order.
fn drain_consumer(c: &Consumer<Tracked>) -> Vec<u64> {
    std::iter::from_fn(|| c.recv_blocking().ok().map(|m| m.id)).collect()
}

fn drain_subscription(s: &Subscription<Tracked>) -> Vec<u64> {
    std::iter::from_fn(|| s.recv_blocking().ok().map(|m| m.id)).collect()
}

/// One publisher's way of publishing, chosen by its index.
fn publish_one(broker: &Broker<Tracked>, tracker: &Arc<Tracker>, id: u64, style: u64) -> bool {
    let m = tracker.make(id);
    match style % 5 {
        0 => broker.publish_blocking("t", m).is_ok(),
        1 => broker.try_publish("t", m).is_ok(),
        2 => {
            // An async publish polled once: cancelled if it would wait.
            let mut f = pin!(broker.publish("t", m));
            matches!(poll_noop(f.as_mut()), Poll::Ready(Ok(())))
        }
        _ => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            rt.block_on(broker.publish("t", m)).is_ok()
        }
    }
}

fn check_in_order(received: &[u64], label: &str) {
    for p in 0..PUBLISHERS {
        let seqs: Vec<u64> = received
            .iter()
            .filter(|id| *id >> 32 == p)
            .copied()
            .collect();
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "{label}: publisher {p}'s messages out of order or duplicated"
        );
    }
}

fn run(close_midway: bool) {
    let tracker = Tracker::new();
    let broker = Broker::new(4);
    let outcomes = Arc::new(Outcomes::default());
    let group = broker.consumer("t");
    let lifelong = broker.subscribe("t");
    let group_received = Arc::new(Mutex::new(Vec::new()));

    thread::scope(|scope| {
        // The consumer group: two lifelong consumers and a churning one.
        let mut consumers = Vec::new();
        for _ in 0..2 {
            let c = group.clone();
            consumers.push(scope.spawn(move || drain_consumer(&c)));
        }
        let lifelong_reader = scope.spawn(|| drain_subscription(&lifelong));
        let churn = {
            let broker = broker.clone();
            let group_received = group_received.clone();
            scope.spawn(move || {
                let mut rng = fastrand::Rng::with_seed(7);
                for _ in 0..200 {
                    // A subscription that reads a few messages, then leaves.
                    let s = broker.subscribe("t");
                    let seen: Vec<u64> = (0..rng.usize(0..4))
                        .map_while(|_| s.recv_blocking().ok().map(|m| m.id))
                        .collect();
                    let unique: HashSet<_> = seen.iter().collect();
                    assert_eq!(unique.len(), seen.len(), "a subscription got a duplicate");
                    drop(s);
                    // A consumer that takes a few, then leaves.
                    let c = broker.consumer("t");
                    for _ in 0..rng.usize(0..3) {
                        match c.try_recv() {
                            Ok(m) => group_received.lock().unwrap().push(m.id),
                            Err(_) => break,
                        }
                    }
                    if broker.is_closed() {
                        break;
                    }
                }
            })
        };

        let publishers: Vec<_> = (0..PUBLISHERS)
            .map(|p| {
                let (broker, tracker, outcomes) = (&broker, &tracker, &outcomes);
                scope.spawn(move || {
                    for seq in 0..PER_PUBLISHER {
                        if close_midway && p == 0 && seq == PER_PUBLISHER / 2 {
                            broker.close();
                        }
                        let id = id_of(p, seq);
                        let ok = publish_one(broker, tracker, id, p + seq);
                        outcomes.record(id, ok);
                    }
                })
            })
            .collect();
        for p in publishers {
            p.join().unwrap();
        }
        broker.close_topic("t");
        churn.join().unwrap();
        let mut all = group_received.lock().unwrap().clone();
        for c in consumers {
            let got = c.join().unwrap();
            check_in_order(&got, "a consumer");
            all.extend(got);
        }
        let published: HashSet<u64> = outcomes.published.lock().unwrap().iter().copied().collect();
        let refused: HashSet<u64> = outcomes.refused.lock().unwrap().iter().copied().collect();
        assert_eq!(
            published.len() + refused.len(),
            (PUBLISHERS * PER_PUBLISHER) as usize
        );
        let group_set: HashSet<u64> = all.iter().copied().collect();
        assert_eq!(
            group_set.len(),
            all.len(),
            "the consumer group got a message twice"
        );
        assert_eq!(
            group_set, published,
            "the consumer group got exactly the published messages"
        );
        let sub = lifelong_reader.join().unwrap();
        check_in_order(&sub, "the lifelong subscription");
        let sub_set: HashSet<u64> = sub.iter().copied().collect();
        assert_eq!(
            sub_set, published,
            "the lifelong subscription got exactly the published messages"
        );
        if close_midway {
            assert!(!refused.is_empty() && !published.is_empty());
        }
    });
    drop((group, lifelong, broker));
    assert_eq!(tracker.live(), 0, "a message leaked or was dropped twice");
}

#[test]
fn mixed_publishers_consumers_and_subscriptions_lose_nothing() {
    run(false);
}

#[test]
fn a_close_midway_loses_nothing() {
    run(true);
}

/// Tokio tasks on a multi-thread runtime: async publishers and consumers
/// on one topic without subscriptions (the plain-channel path), then with.
#[test]
fn tasks_on_a_multi_thread_runtime() {
    for with_subscription in [false, true] {
        let tracker = Tracker::new();
        let broker = Broker::<Tracked>::new(8);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let consumers: Vec<_> = (0..3)
            .map(|_| {
                let c = broker.consumer("t");
                rt.spawn(async move {
                    let mut ids = Vec::new();
                    while let Ok(m) = c.recv().await {
                        ids.push(m.id);
                    }
                    ids
                })
            })
            .collect();
        let sub = with_subscription.then(|| {
            let s = broker.subscribe("t");
            rt.spawn(async move {
                let mut n = 0u64;
                while s.recv().await.is_ok() {
                    n += 1;
                }
                n
            })
        });
        let publishers: Vec<_> = (0..PUBLISHERS)
            .map(|p| {
                let (broker, tracker) = (broker.clone(), tracker.clone());
                rt.spawn(async move {
                    for seq in 0..PER_PUBLISHER {
                        broker
                            .publish("t", tracker.make(id_of(p, seq)))
                            .await
                            .unwrap();
                    }
                })
            })
            .collect();
        rt.block_on(async {
            for p in publishers {
                p.await.unwrap();
            }
            broker.close_topic("t");
            let mut all = Vec::new();
            for c in consumers {
                let got = c.await.unwrap();
                check_in_order(&got, "a consumer task");
                all.extend(got);
            }
            let unique: HashSet<u64> = all.iter().copied().collect();
            assert_eq!(unique.len(), all.len());
            assert_eq!(all.len() as u64, PUBLISHERS * PER_PUBLISHER);
            if let Some(sub) = sub {
                assert_eq!(sub.await.unwrap(), PUBLISHERS * PER_PUBLISHER);
            }
        });
        drop(rt);
        drop(broker);
        assert_eq!(tracker.live(), 0);
    }
}
