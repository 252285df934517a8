//! Random context trees under concurrent cancels and deadlines: every
//! `done()` is ready exactly when the context or an ancestor (up to a
//! `without_cancel`) was cancelled, every `after_func` runs exactly when it
//! should, parents keep exactly their live children, no deadline fires
//! early, values are dropped exactly once, and once the trees are dropped
//! nothing the test thread allocated is left (counting allocator).
#![cfg(not(gort_loom))]

use gort_context::{AfterFuncStop, CancelFunc, Cause, Context, ContextError, Key, after_func};
use gort_testkit::alloc::{CountingAlloc, kept_by, kept_now};
use gort_testkit::tracked::{Tracked, Tracker};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

#[global_allocator]
static A: CountingAlloc = CountingAlloc;

static VALUE: Key<Tracked> = Key::new("value");

/// A failure guard for waits that must end (never a synchronisation).
const GUARD: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Cancel,
    Timeout,
    Value,
    WithoutCancel,
    AfterFunc,
}

struct Node {
    kind: Kind,
    parent: Option<usize>,
    /// `None` for an `after_func` (it is not a context).
    ctx: Option<Context>,
    cancel: Option<CancelFunc>,
    stop: Option<AfterFuncStop>,
    /// This test stopped the node's `after_func` (a `stop` returned true).
    stopped: std::sync::atomic::AtomicBool,
    /// Runs of this node's `after_func`, or of the probe on a timeout node.
    runs: Arc<AtomicU32>,
    /// When the probe on a timeout node saw it done.
    seen_done: Arc<Mutex<Option<Instant>>>,
    deadline: Option<Instant>,
    cause: Option<Cause>,
}

struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn build(rng: &mut fastrand::Rng, n: usize, tracker: &Arc<Tracker>, timeouts: bool) -> Tree {
        let (root, cancel) = Context::background().with_cancel();
        let mut nodes = vec![Node::new(Kind::Cancel, None, Some(root), Some(cancel))];
        for i in 1..n {
            let parent = loop {
                let p = rng.usize(0..nodes.len());
                if nodes[p].ctx.is_some() {
                    break p;
                }
            };
            let pctx = nodes[parent].ctx.clone().unwrap();
            let kind = match rng.u32(0..100) {
                0..40 => Kind::Cancel,
                40..55 if timeouts => Kind::Timeout,
                40..55 => Kind::Cancel,
                55..75 => Kind::Value,
                75..80 => Kind::WithoutCancel,
                _ => Kind::AfterFunc,
            };
            let node = match kind {
                Kind::Cancel => {
                    let (c, f) = pctx.with_cancel();
                    Node::new(kind, Some(parent), Some(c), Some(f))
                }
                Kind::Timeout => {
                    let d = Duration::from_micros(rng.u64(0..3000));
                    let cause: Cause = Arc::new(std::io::Error::other(format!("node {i}")));
                    let deadline = Instant::now() + d;
                    let (c, f) = pctx.with_deadline_cause(deadline, cause.clone());
                    let mut node = Node::new(kind, Some(parent), Some(c.clone()), Some(f));
                    node.deadline = Some(deadline);
                    node.cause = Some(cause);
                    // A probe: when did the node end? (`after_func` runs
                    // after the cancel, so never before it.)
                    let (runs, seen) = (node.runs.clone(), node.seen_done.clone());
                    node.stop = Some(after_func(&c, move || {
                        *seen.lock().unwrap() = Some(Instant::now());
                        runs.fetch_add(1, Ordering::SeqCst);
                    }));
                    node
                }
                Kind::Value => {
                    let c = pctx.with_value(&VALUE, tracker.make(i as u64));
                    Node::new(kind, Some(parent), Some(c), None)
                }
                Kind::WithoutCancel => {
                    Node::new(kind, Some(parent), Some(pctx.without_cancel()), None)
                }
                Kind::AfterFunc => {
                    let mut node = Node::new(kind, Some(parent), None, None);
                    let runs = node.runs.clone();
                    node.stop = Some(after_func(&pctx, move || {
                        runs.fetch_add(1, Ordering::SeqCst);
                    }));
                    node
                }
            };
            nodes.push(node);
        }
        Tree { nodes }
    }

    /// Whether node `i` must be done, given the explicitly cancelled nodes
    /// (every node's parent comes before it).
    fn expected_done(&self, explicit: &[bool]) -> Vec<bool> {
        let mut done = vec![false; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            let inherited = match (n.kind, n.parent) {
                (Kind::WithoutCancel, _) | (_, None) => false,
                (_, Some(p)) => done[p],
            };
            done[i] = explicit[i] || inherited;
        }
        done
    }

    /// The nearest cancelable ancestor a node registers with (through
    /// value nodes; none past a `without_cancel`).
    fn registered_with(&self, i: usize) -> Option<usize> {
        let mut p = self.nodes[i].parent?;
        loop {
            match self.nodes[p].kind {
                Kind::Cancel | Kind::Timeout => return Some(p),
                Kind::Value => p = self.nodes[p].parent?,
                Kind::WithoutCancel | Kind::AfterFunc => return None,
            }
        }
    }
}

impl Node {
    /// Stops the node's `after_func`; true if that stopped it.
    fn stop(&self) -> bool {
        let stopped = self.stop.as_ref().unwrap().stop();
        if stopped {
            self.stopped.store(true, Ordering::SeqCst);
        }
        stopped
    }

    fn new(
        kind: Kind,
        parent: Option<usize>,
        ctx: Option<Context>,
        cancel: Option<CancelFunc>,
    ) -> Node {
        Node {
            kind,
            parent,
            ctx,
            cancel,
            stop: None,
            stopped: std::sync::atomic::AtomicBool::new(false),
            runs: Arc::new(AtomicU32::new(0)),
            seen_done: Arc::new(Mutex::new(None)),
            deadline: None,
            cause: None,
        }
    }
}

/// Cancels `picked` nodes from three threads at once, in random orders.
fn cancel_concurrently(tree: &Tree, picked: &[usize], seed: u64) {
    let funcs: Vec<CancelFunc> = picked
        .iter()
        .map(|&i| tree.nodes[i].cancel.clone().unwrap())
        .collect();
    let barrier = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..3)
        .map(|t| {
            let mut mine: Vec<CancelFunc> = funcs.iter().skip(t).step_by(3).cloned().collect();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                fastrand::Rng::with_seed(seed + t as u64).shuffle(&mut mine);
                barrier.wait();
                for f in mine {
                    f.cancel();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < GUARD, "timed out waiting until {what}");
        std::thread::yield_now();
    }
}

/// Warms up what lives for the whole process (gort-time's timer and
/// runner threads, the clock's base), so the leak check counts only the
/// trees.
fn warm_up() {
    let (ctx, _cancel) = Context::background().with_timeout(Duration::from_micros(10));
    let (tx, rx) = std::sync::mpsc::channel();
    let _stop = after_func(&ctx, move || tx.send(()).unwrap());
    rx.recv_timeout(GUARD).unwrap();
    drop(ctx.done());
    // The first blocking wait of this thread makes its `std::thread::Thread`
    // (kept by the thread).
    let (ctx, _cancel) = Context::background().with_timeout(Duration::from_millis(1));
    assert!(ctx.done().recv_timeout(GUARD).is_err());
    // The shared default causes and closed channel, made on this thread.
    drop(ContextError::Canceled.into_cause());
    drop(ContextError::DeadlineExceeded.into_cause());
    let (ctx, cancel) = Context::background().with_cancel();
    cancel.cancel();
    drop(ctx.done());
    assert!(after_func(&Context::background().with_cancel().0, || ()).stop());
    // gort-time's heap grows its storage for as many timers as a round
    // holds, once, and keeps it.
    let timers: Vec<_> = (0..1000)
        .map(|_| Context::background().with_timeout(Duration::from_secs(3600)))
        .collect();
    for (_, cancel) in &timers {
        cancel.cancel();
    }
}

#[test]
fn random_trees_cancel_exactly_and_leak_nothing() {
    warm_up();
    let (kept, ()) = kept_by(|| {
        for round in 0..4u64 {
            with_tracker(|tracker| cancel_round(round, tracker));
        }
        for round in 0..4u64 {
            with_tracker(|tracker| deadline_round(round, tracker));
        }
        // A deadline timer holds its context until it leaves gort-time's
        // heap (once due) and its runner job (if it fired) returns: other
        // threads free those blocks a little after the trees are dropped.
        // A leak never gets there.
        wait_until("everything the trees allocated is freed", || {
            kept_now() == 0
        });
    })
    .expect("CountingAlloc is installed");
    assert_eq!(kept, 0, "blocks allocated by the trees still alive");
}

/// Runs a round with a fresh tracker of its values: each is dropped once,
/// all of them once the round's tree is gone (the last few by other
/// threads: a deadline timer holds its context until it leaves the heap).
fn with_tracker(round: impl FnOnce(&Arc<Tracker>)) {
    let tracker = Tracker::new();
    round(&tracker);
    wait_until("every value is dropped", || tracker.live() == 0);
    tracker.assert_none_dropped_twice();
}

/// Cancels only: exact `done`/`err` state, `after_func` runs and parents'
/// child sets at quiescence.
fn cancel_round(round: u64, tracker: &Arc<Tracker>) {
    let mut rng = fastrand::Rng::with_seed(1000 + round);
    let tree = Tree::build(&mut rng, 2000, tracker, false);
    let n = tree.nodes.len();

    // Some after_funcs are stopped before any cancel: they never run.
    let mut stopped = vec![false; n];
    for (i, node) in tree.nodes.iter().enumerate() {
        if node.kind == Kind::AfterFunc && rng.u32(0..4) == 0 {
            assert!(node.stop(), "a first stop stops");
            stopped[i] = true;
        }
    }
    let mut explicit = vec![false; n];
    let picked: Vec<usize> = (0..n)
        .filter(|&i| tree.nodes[i].kind == Kind::Cancel && rng.u32(0..10) == 0)
        .collect();
    for &i in &picked {
        explicit[i] = true;
    }
    cancel_concurrently(&tree, &picked, round);
    let done = tree.expected_done(&explicit);

    let mut expected_runs = 0;
    for (i, node) in tree.nodes.iter().enumerate() {
        match &node.ctx {
            Some(ctx) => {
                let want = done[i].then_some(ContextError::Canceled);
                assert_eq!(ctx.err(), want, "node {i} ({:?})", node.kind);
                let ready = ctx.done().try_recv();
                let want = if done[i] {
                    Err(gort_chan::TryRecvError::Closed)
                } else {
                    Err(gort_chan::TryRecvError::Empty)
                };
                assert_eq!(ready, want, "node {i}'s done channel");
            }
            None => {
                let parent = node.parent.unwrap();
                if done[parent] && !stopped[i] {
                    expected_runs += 1;
                }
            }
        }
    }
    let runs = || {
        tree.nodes
            .iter()
            .map(|n| n.runs.load(Ordering::SeqCst))
            .sum::<u32>()
    };
    wait_until("every due after_func ran", || runs() >= expected_runs);
    for (i, node) in tree.nodes.iter().enumerate() {
        if node.kind == Kind::AfterFunc {
            let should = done[node.parent.unwrap()] && !stopped[i];
            assert_eq!(
                node.runs.load(Ordering::SeqCst),
                u32::from(should),
                "after_func {i}"
            );
            // A function that ran (or was stopped) cannot be stopped now.
            assert_eq!(node.stop(), !should && !stopped[i]);
        }
    }
    // Parents hold exactly their live registered children (a stopped or
    // cancelled one has left).
    let mut registered = vec![0usize; n];
    for (i, node) in tree.nodes.iter().enumerate() {
        let live = match node.kind {
            Kind::Cancel | Kind::Timeout => !done[i],
            // Every after_func either ran, was stopped just above, or was
            // stopped before: none is left registered.
            Kind::AfterFunc => false,
            Kind::Value | Kind::WithoutCancel => continue,
        };
        if let (true, Some(p)) = (live, tree.registered_with(i)) {
            registered[p] += 1;
        }
    }
    for (i, node) in tree.nodes.iter().enumerate() {
        if let Some(ctx) = &node.ctx {
            assert_eq!(ctx.children_len(), registered[i], "children of node {i}");
        }
    }
    cancel_all(&tree, round);
}

/// Cancels every node from other threads (a cancel may start a runner
/// thread for an `after_func`: not this thread's allocation to count), then
/// waits for every `after_func` to have run or been stopped.
fn cancel_all(tree: &Tree, seed: u64) {
    let all: Vec<usize> = (0..tree.nodes.len())
        .filter(|&i| tree.nodes[i].cancel.is_some())
        .collect();
    cancel_concurrently(tree, &all, seed);
    for node in &tree.nodes {
        if node.kind == Kind::AfterFunc && !node.stopped.load(Ordering::SeqCst) && !node.stop() {
            wait_until("a cancelled after_func ran", || {
                node.runs.load(Ordering::SeqCst) == 1
            });
        }
    }
}

/// Deadlines racing cancels: every timeout node ends; one that ended by
/// its own deadline (its own cause) ended no earlier than the deadline.
fn deadline_round(round: u64, tracker: &Arc<Tracker>) {
    let mut rng = fastrand::Rng::with_seed(2000 + round);
    let tree = Tree::build(&mut rng, 1000, tracker, true);
    let picked: Vec<usize> = (0..tree.nodes.len())
        .filter(|&i| tree.nodes[i].kind == Kind::Cancel && rng.u32(0..20) == 0)
        .collect();
    cancel_concurrently(&tree, &picked, round);
    for (i, node) in tree.nodes.iter().enumerate() {
        if node.kind != Kind::Timeout {
            continue;
        }
        let ctx = node.ctx.as_ref().unwrap();
        assert!(
            ctx.done().recv_timeout(GUARD).is_err(),
            "timeout node {i} never ended"
        );
        let err = ctx.err().expect("done means err is set");
        wait_until("the probe ran", || node.runs.load(Ordering::SeqCst) == 1);
        let seen = node.seen_done.lock().unwrap().expect("the probe ran");
        let cause = ctx.cause().expect("done means a cause");
        if Arc::ptr_eq(&cause, node.cause.as_ref().unwrap()) {
            assert_eq!(err, ContextError::DeadlineExceeded);
            assert!(
                seen >= node.deadline.unwrap(),
                "node {i}'s deadline fired early"
            );
        }
    }
    cancel_all(&tree, round);
}
