//! gort-chan against std, crossbeam-channel, flume, kanal, async-channel,
//! tokio's mpsc and Go: SPSC/MPSC/MPMC at capacities 0, 1 and 1024, ping-pong
//! round trips (with a raw atomic ping-pong as the limit), the async forms
//! on tokio (and gort-chan also on gort's own runtime, "gort (gort rt)";
//! the ratio is computed for gort on tokio), and Go's own channel
//! benchmarks (runtime/chan_test.go).

pub mod adapters;
pub mod shapes;

use crate::exec::Exec;
use crate::{ImplKind, Table, Workload};
use adapters::{Async, AsyncChannel, Blocking, Crossbeam, Flume, Gort, Kanal, Std, Tokio};
use shapes::{AsyncShape, BlockingShape, Burst, ChanSync, Creation, Flow, Nonblocking, PingPong};

const SECTION: &str = "chan";

fn add_blocking<C: Blocking>(
    w: Workload,
    kind: ImplKind,
    cap: usize,
    shape: impl BlockingShape,
) -> Workload {
    if shape.supports::<C>(cap) {
        w.with(C::NAME, kind, move |n| shape.run::<C>(cap, n))
    } else {
        w
    }
}

fn add_async<C: Async>(
    w: Workload,
    kind: ImplKind,
    cap: usize,
    shape: impl AsyncShape,
    exec: Exec,
) -> Workload {
    if shape.supports::<C>(cap) {
        let name = format!("{}{}", C::NAME, exec.suffix());
        w.with(name, kind, move |n| shape.run::<C>(cap, n, exec))
    } else {
        w
    }
}

/// A thread workload with every blocking implementation, and Go's twin.
fn blocking(name: &str, unit: &'static str, cap: usize, shape: impl BlockingShape) -> Workload {
    let w = Workload::new(SECTION, name, unit);
    let w = add_blocking::<Gort>(w, ImplKind::Gort, cap, shape);
    let w = add_blocking::<Std>(w, ImplKind::Peer, cap, shape);
    let w = add_blocking::<Crossbeam>(w, ImplKind::Peer, cap, shape);
    let w = add_blocking::<Flume>(w, ImplKind::Peer, cap, shape);
    let w = add_blocking::<Kanal>(w, ImplKind::Peer, cap, shape);
    let w = add_blocking::<AsyncChannel>(w, ImplKind::Peer, cap, shape);
    w.go(name)
}

/// A task workload with every async implementation, and Go's twin.
fn tasks(name: &str, unit: &'static str, cap: usize, shape: impl AsyncShape) -> Workload {
    let w = Workload::new(SECTION, name, unit);
    let w = add_async::<Gort>(w, ImplKind::Gort, cap, shape, Exec::Tokio);
    let w = add_async::<Gort>(w, ImplKind::Gort, cap, shape, Exec::Gort);
    let w = add_async::<Tokio>(w, ImplKind::Peer, cap, shape, Exec::Tokio);
    let w = add_async::<AsyncChannel>(w, ImplKind::Peer, cap, shape, Exec::Tokio);
    let w = add_async::<Flume>(w, ImplKind::Peer, cap, shape, Exec::Tokio);
    let w = add_async::<Kanal>(w, ImplKind::Peer, cap, shape, Exec::Tokio);
    w.go(name)
}

/// Every channel workload, in report order.
pub fn workloads() -> Vec<Workload> {
    let spsc = Flow {
        producers: 1,
        consumers: 1,
    };
    let mpsc = Flow {
        producers: 4,
        consumers: 1,
    };
    let mpmc = Flow {
        producers: 4,
        consumers: 4,
    };
    let prodcons = Flow {
        producers: 2,
        consumers: 2,
    };
    let mut v = Vec::new();
    for cap in [0, 1, 1024] {
        v.push(blocking(&format!("spsc/cap{cap}"), "msg", cap, spsc));
        v.push(blocking(&format!("mpsc4/cap{cap}"), "msg", cap, mpsc));
        v.push(blocking(&format!("mpmc4x4/cap{cap}"), "msg", cap, mpmc));
    }
    v.push(
        blocking("pingpong", "round trip", 0, PingPong)
            .limit("atomic spin", shapes::atomic_ping_pong),
    );
    for cap in [0, 1, 1024] {
        v.push(tasks(&format!("async/spsc/cap{cap}"), "msg", cap, spsc));
        v.push(tasks(&format!("async/mpsc4/cap{cap}"), "msg", cap, mpsc));
    }
    v.push(tasks("async/pingpong", "round trip", 0, PingPong));
    v.push(blocking("go/ChanNonblocking", "op", 0, Nonblocking));
    v.push(blocking(
        "go/ChanUncontended",
        "100 sends+recvs",
        100,
        Burst { shared: false },
    ));
    v.push(blocking(
        "go/ChanContended",
        "100 sends+recvs",
        200,
        Burst { shared: true },
    ));
    v.push(blocking("go/ChanSync", "msg", 0, ChanSync));
    for cap in [0, 10, 100] {
        v.push(blocking(
            &format!("go/ChanProdCons{cap}"),
            "msg",
            cap,
            prodcons,
        ));
    }
    v.push(blocking("go/ChanCreation", "channel", 1, Creation));
    v
}

/// Bytes allocated per channel of `usize`, by creating 100 of them.
fn bytes_per_channel<C: Blocking>(cap: usize) -> Option<usize> {
    const N: usize = 100;
    let (a, chans) =
        crate::alloc::allocated_by(|| (0..N).map(|_| C::channel(cap)).collect::<Vec<_>>())?;
    let vec_bytes = N * std::mem::size_of::<(C::Tx, C::Rx)>();
    drop(chans);
    Some(a.bytes.saturating_sub(vec_bytes) / N)
}

/// Memory per channel, gort against crossbeam, flume, kanal and Go.
pub fn tables() -> Vec<Table> {
    let caps = [0usize, 1024];
    let mut rows = Vec::new();
    let mut row = |name: &str, f: &dyn Fn(usize) -> Option<String>| {
        let mut r = vec![name.to_string()];
        r.extend(caps.iter().map(|&c| f(c).unwrap_or_else(|| "–".into())));
        rows.push(r);
    };
    fn ours<C: Blocking>(cap: usize) -> Option<String> {
        bytes_per_channel::<C>(cap).map(|b| b.to_string())
    }
    row("gort", &ours::<Gort>);
    row("crossbeam", &ours::<Crossbeam>);
    row("flume", &ours::<Flume>);
    row("kanal", &ours::<Kanal>);
    row("std", &ours::<Std>);
    row("go", &|cap| {
        crate::go::output(SECTION, &["alloc", &cap.to_string()])
            .ok()
            .map(|s| s.trim().to_string())
    });
    vec![Table {
        section: SECTION,
        title: "Bytes allocated per channel of usize (Go: `hchan` is 96 bytes plus the buffer)"
            .into(),
        columns: ["impl", "cap 0", "cap 1024"].map(String::from).to_vec(),
        rows,
    }]
}
