//! gort-mq against the channels a Rust user would use as a topic's queue,
//! against tokio's `broadcast` and async-broadcast for fan-out, and against
//! the seed's message queue written in Go (topics in a `sync.Map`, channels
//! as queues: `benches/go/mq/`).
//!
//! - `compete/PxC/cap1024` (threads) and `async/compete/PxC/cap1024`
//!   (tasks): `P` publishers publish `n` messages in all to one topic,
//!   shared by `C` competing consumers. gort-mq publishes by topic name
//!   (a SyncMap lookup per publish, as Go's twin does); the peers send on
//!   the channel itself. "gort-chan" is the same flow on a bare gort
//!   channel: the broker's cost is the gap to it (a limit row, not a peer).
//! - `async/fanout/1xS/capK`: one publisher, `S` subscribers, each gets
//!   every message. async-broadcast waits while full, as gort-mq does;
//!   tokio's `broadcast` never waits: a subscriber that falls behind loses
//!   messages (`Lagged`), so its row does less work.

use super::chan::adapters::{Async, AsyncChannel, Blocking, Crossbeam, Flume, Kanal};
use super::chan::shapes::{AsyncShape, BlockingShape, Flow};
use crate::exec::Exec;
use crate::{ImplKind, Measurement, Workload, measure};
use gort_mq::{Broker, Consumer, Publisher};

const SECTION: &str = "mq";
const TOPIC: &str = "t";
const OPEN: &str = "the topic stays open during a workload";

/// gort-mq's competing consumers, through the channel adapters.
#[derive(Debug)]
struct Mq;

impl Blocking for Mq {
    const NAME: &'static str = "gort-mq";
    const MIN_CAP: usize = 1;
    type Tx = Broker<usize>;
    type Rx = Consumer<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        let broker = Broker::new(cap);
        let consumer = broker.consumer(TOPIC);
        (broker, consumer)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.publish_blocking(TOPIC, v).expect(OPEN)
    }
    fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv_blocking().expect(OPEN)
    }
    fn try_recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.try_recv().ok()
    }
}

/// gort-mq through a [`Publisher`] handle (no lookup per message).
#[derive(Debug)]
struct MqHandle;

impl Async for MqHandle {
    const NAME: &'static str = "gort-mq Publisher";
    const MIN_CAP: usize = 1;
    type Tx = Publisher<usize>;
    type Rx = Consumer<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        let broker = Broker::new(cap);
        let consumer = broker.consumer(TOPIC);
        (broker.publisher(TOPIC), consumer)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    async fn send(tx: &Self::Tx, v: usize) {
        tx.publish(v).await.expect(OPEN)
    }
    async fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().await.expect(OPEN)
    }
}

impl Blocking for MqHandle {
    const NAME: &'static str = "gort-mq Publisher";
    const MIN_CAP: usize = 1;
    type Tx = Publisher<usize>;
    type Rx = Consumer<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        <Self as Async>::channel(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    fn send(tx: &Self::Tx, v: usize) {
        tx.publish_blocking(v).expect(OPEN)
    }
    fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv_blocking().expect(OPEN)
    }
    fn try_recv(rx: &mut Self::Rx) -> Option<usize> {
        rx.try_recv().ok()
    }
}

impl Async for Mq {
    const NAME: &'static str = "gort-mq";
    const MIN_CAP: usize = 1;
    type Tx = Broker<usize>;
    type Rx = Consumer<usize>;
    fn channel(cap: usize) -> (Self::Tx, Self::Rx) {
        <Self as Blocking>::channel(cap)
    }
    fn clone_rx(rx: &Self::Rx) -> Self::Rx {
        rx.clone()
    }
    async fn send(tx: &Self::Tx, v: usize) {
        tx.publish(TOPIC, v).await.expect(OPEN)
    }
    async fn recv(rx: &mut Self::Rx) -> usize {
        rx.recv().await.expect(OPEN)
    }
}

fn blocking_row<C: Blocking>(w: Workload, kind: ImplKind, cap: usize, flow: Flow) -> Workload {
    w.with(C::NAME, kind, move |n| {
        BlockingShape::run::<C>(flow, cap, n)
    })
}

fn async_row<C: Async>(
    w: Workload,
    kind: ImplKind,
    cap: usize,
    flow: Flow,
    exec: Exec,
) -> Workload {
    let name = format!("{}{}", C::NAME, exec.suffix());
    w.with(name, kind, move |n| {
        AsyncShape::run::<C>(flow, cap, n, exec)
    })
}

/// One publisher task publishes `n` messages; `subs` subscriber tasks each
/// receive them all (or, for tokio's broadcast, what they did not lose).
trait FanOut {
    const NAME: &'static str;
    fn run(subs: usize, cap: usize, n: u64, exec: Exec) -> Measurement;
}

struct MqFanOut;
struct TokioBroadcast;
struct AsyncBroadcast;

/// Times one fan-out on `exec`: a task per receiver running `read`, and
/// one task running `publish`, until all of them end.
fn time_fan_out<R, RF, PF>(
    exec: Exec,
    receivers: Vec<R>,
    read: impl Fn(R) -> RF,
    publish: PF,
) -> Measurement
where
    RF: Future<Output = ()> + Send + 'static,
    PF: Future<Output = ()> + Send + 'static,
{
    measure(|| {
        exec.block_on(async {
            let readers: Vec<_> = receivers.into_iter().map(|r| exec.spawn(read(r))).collect();
            exec.spawn(publish).join().await;
            for r in readers {
                r.join().await;
            }
        })
    })
}

impl FanOut for MqFanOut {
    const NAME: &'static str = "gort-mq";
    fn run(subs: usize, cap: usize, n: u64, exec: Exec) -> Measurement {
        let broker = Broker::new(cap);
        let subscriptions: Vec<_> = (0..subs).map(|_| broker.subscribe(TOPIC)).collect();
        let read = move |s: gort_mq::Subscription<usize>| async move {
            for _ in 0..n {
                std::hint::black_box(s.recv().await.expect(OPEN));
            }
        };
        let publish = async move {
            for i in 0..n {
                broker.publish(TOPIC, i as usize).await.expect(OPEN);
            }
        };
        time_fan_out(exec, subscriptions, read, publish)
    }
}

impl FanOut for TokioBroadcast {
    const NAME: &'static str = "tokio broadcast";
    fn run(subs: usize, cap: usize, n: u64, exec: Exec) -> Measurement {
        use tokio::sync::broadcast::{self, error::RecvError};
        let (tx, _) = broadcast::channel(cap);
        let receivers: Vec<_> = (0..subs).map(|_| tx.subscribe()).collect();
        let read = |mut rx: broadcast::Receiver<usize>| async move {
            loop {
                match rx.recv().await {
                    Ok(v) => {
                        std::hint::black_box(v);
                    }
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        };
        let publish = async move {
            for i in 0..n {
                tx.send(i as usize).expect("a receiver is alive");
            }
        };
        time_fan_out(exec, receivers, read, publish)
    }
}

impl FanOut for AsyncBroadcast {
    const NAME: &'static str = "async-broadcast";
    fn run(subs: usize, cap: usize, n: u64, exec: Exec) -> Measurement {
        let (tx, rx) = async_broadcast::broadcast(cap);
        let mut receivers: Vec<_> = (1..subs).map(|_| rx.new_receiver()).collect();
        receivers.push(rx);
        let read = move |mut rx: async_broadcast::Receiver<usize>| async move {
            for _ in 0..n {
                std::hint::black_box(rx.recv().await.expect(OPEN));
            }
        };
        let publish = async move {
            for i in 0..n {
                tx.broadcast(i as usize).await.expect(OPEN);
            }
        };
        time_fan_out(exec, receivers, read, publish)
    }
}

fn fan_out_row<F: FanOut>(
    w: Workload,
    kind: ImplKind,
    subs: usize,
    cap: usize,
    exec: Exec,
) -> Workload {
    let name = format!("{}{}", F::NAME, exec.suffix());
    w.with(name, kind, move |n| F::run(subs, cap, n, exec))
}

/// The section's workloads.
pub fn workloads() -> Vec<Workload> {
    let mut v = Vec::new();
    let cap = 1024;
    let flow = Flow {
        producers: 4,
        consumers: 4,
    };
    let name = format!("compete/4x4/cap{cap}");
    let w = Workload::new(SECTION, name.clone(), "msg");
    let w = blocking_row::<Mq>(w, ImplKind::Gort, cap, flow);
    let w = blocking_row::<MqHandle>(w, ImplKind::Gort, cap, flow);
    let w = blocking_row::<Kanal>(w, ImplKind::Peer, cap, flow);
    let w = blocking_row::<Flume>(w, ImplKind::Peer, cap, flow);
    let w = blocking_row::<Crossbeam>(w, ImplKind::Peer, cap, flow);
    let w = blocking_row::<super::chan::adapters::Gort>(w, ImplKind::Limit, cap, flow);
    v.push(w.go(&name));

    let name = format!("async/compete/4x4/cap{cap}");
    let w = Workload::new(SECTION, name.clone(), "msg");
    let w = async_row::<Mq>(w, ImplKind::Gort, cap, flow, Exec::Tokio);
    let w = async_row::<Mq>(w, ImplKind::Gort, cap, flow, Exec::Gort);
    let w = async_row::<MqHandle>(w, ImplKind::Gort, cap, flow, Exec::Tokio);
    let w = async_row::<Kanal>(w, ImplKind::Peer, cap, flow, Exec::Tokio);
    let w = async_row::<Flume>(w, ImplKind::Peer, cap, flow, Exec::Tokio);
    let w = async_row::<AsyncChannel>(w, ImplKind::Peer, cap, flow, Exec::Tokio);
    let w = async_row::<super::chan::adapters::Gort>(w, ImplKind::Limit, cap, flow, Exec::Tokio);
    v.push(w.go(&name));

    for cap in [16, 1024] {
        let subs = 4;
        let name = format!("async/fanout/1x{subs}/cap{cap}");
        let w = Workload::new(SECTION, name.clone(), "msg");
        let w = fan_out_row::<MqFanOut>(w, ImplKind::Gort, subs, cap, Exec::Tokio);
        let w = fan_out_row::<MqFanOut>(w, ImplKind::Gort, subs, cap, Exec::Gort);
        let w = fan_out_row::<TokioBroadcast>(w, ImplKind::Peer, subs, cap, Exec::Tokio);
        let w = fan_out_row::<AsyncBroadcast>(w, ImplKind::Peer, subs, cap, Exec::Tokio);
        v.push(w.go(&name));
    }
    v
}
