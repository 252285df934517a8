//! Go's `cancelCtx`, and the `timerCtx` and `afterFuncCtx` built on it,
//! as one node type; with `propagateCancel`, `removeChild` and the
//! `cancel` methods of all three (context/context.go, go1.23).
//!
//! Lock order: a parent's `state` before a child's, as Go (only
//! `propagate` holds both, and it takes the child's through `cancel` only
//! after releasing the parent's). Nothing else holds two nodes' locks: a
//! cancel takes its node's children out under its lock and cancels them
//! after unlocking, depth first, with an explicit stack (Go recurses with
//! each ancestor's lock held; a deep tree cannot overflow the stack here).
//!
//! What Go gets from those held locks, `err`'s publication gives here:
//! go1.23's `Err` reads `err` under the node's lock, so once it returns
//! non-nil, `done` is closed and every descendant is cancelled. A node's
//! error code is stored before its `done` closes (so whoever `done` wakes
//! sees it set); [`PUBLISHED`] is added once the node's whole subtree is
//! cancelled, and `err()` that finds the code without it waits for it.

use crate::children::{Children, Slot, UNLISTED};
use crate::context::{Context, Parent};
use crate::error::{Cause, ContextError};
use crate::go::go;
use crate::slab::Slab;
use crate::sync::{AtomicBool, AtomicU8, Ordering};
use gort_chan::{RecvOnly, Sender};
use gort_park::Mutex;
use std::sync::{Arc, OnceLock};
use std::task::Waker;
use std::time::Instant;

/// A cancelable context node (Go: `cancelCtx`; with a deadline, Go's
/// `timerCtx`; with a function, Go's `afterFuncCtx`).
///
/// 96 bytes on 64-bit targets: what only some nodes need lives in boxes
/// ([`Kind`], [`Cold`]), so the node of a plain `with_cancel` (the common
/// case) stays within the small sizes that malloc serves from its fast
/// lists (128 bytes with the `Arc` counts). Checked by a test.
pub(crate) struct CancelCtx {
    /// The parent (Go: the embedded `Context`).
    pub(crate) parent: Context,
    state: Mutex<State>,
    /// The done channel, made on first use (Go: `done`, an `atomic.Value`
    /// set under `mu`): set only under `state`'s lock, read without it.
    done: OnceLock<RecvOnly<()>>,
    /// This node's index in its parent's [`Children`] (guarded by the
    /// parent's lock).
    slot: Slot,
    /// The error once cancelled (a [`ContextError::code`]; 0 = not yet),
    /// stored under `state`'s lock before `done` closes, plus
    /// [`PUBLISHED`] once the subtree is cancelled. Deviation: go1.23 reads
    /// `err` under the lock; here `err()` is one atomic load.
    err: AtomicU8,
    /// What deadline and `after_func` nodes add; `None` for a plain one.
    kind: Option<Box<Kind>>,
}

/// The fields of Go's `timerCtx` and `afterFuncCtx`.
struct Kind {
    /// Go's `timerCtx.deadline`.
    deadline: Option<Instant>,
    /// Go's `timerCtx.timer`. Lock order: the node's `state`, then this.
    timer: Mutex<Option<gort_time::Timer>>,
    /// Go's `afterFuncCtx`: the function and the `once` that either starts
    /// it or stops it from running.
    after: Option<AfterFunc>,
}

struct AfterFunc {
    once: AtomicBool,
    f: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

/// The fields Go guards with `cancelCtx.mu`.
#[derive(Default)]
struct State {
    /// Go's `children`: empty until the first child, and again once
    /// cancelled.
    children: Children,
    /// The sender of an open `done` channel; dropping it closes `done`.
    done_tx: Option<Sender<()>>,
    /// The rest, boxed on first use: most nodes never set any of it.
    cold: Option<Box<Cold>>,
}

/// The fields of [`State`] that most nodes never set.
#[derive(Default)]
struct Cold {
    /// Go's `cause`, set with `err` by the first cancel; `None` once
    /// cancelled stands for the error itself (Go stores `err` there: here
    /// the default costs no reference count, nor this box).
    cause: Option<Cause>,
    /// Go's `stopCtx.stop`: unregisters this node from a custom parent's
    /// `after_func`.
    stop: Option<Stop>,
    /// The wakers of pending `cancelled()` futures (taken by the cancel).
    waiters: Slab<Waker>,
}

impl State {
    fn cold(&mut self) -> &mut Cold {
        self.cold.get_or_insert_with(Box::default)
    }

    fn cause(&self) -> Option<&Cause> {
        self.cold.as_ref()?.cause.as_ref()
    }
}

/// Wake-ups a cancel runs (closing `done` channels, waking `cancelled()`
/// futures): each runs even if an earlier one panicked, and the first
/// panic resumes once the whole subtree is cancelled and published (a
/// panic halfway would leave `err()` waiting for a publication forever).
#[derive(Default)]
struct Wakes {
    panic: Option<Box<dyn std::any::Any + Send>>,
}

impl Wakes {
    fn run(&mut self, f: impl FnOnce()) {
        if let Err(p) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            self.panic.get_or_insert(p);
        }
    }

    fn resume_panic(self) {
        if let Some(p) = self.panic {
            std::panic::resume_unwind(p);
        }
    }
}

/// Go's `stopCtx.stop`: unregisters a node from a custom parent's
/// `after_func`.
type Stop = Box<dyn FnOnce() -> bool + Send>;

/// Go's `closedchan`: the done channel of a context cancelled before
/// anyone asked for one, shared. Under loom a channel cannot outlive the
/// model run that made it: each asks for its own.
fn closed() -> RecvOnly<()> {
    #[cfg(not(gort_loom))]
    {
        static CLOSED: std::sync::LazyLock<RecvOnly<()>> = std::sync::LazyLock::new(new_closed);
        CLOSED.clone()
    }
    #[cfg(gort_loom)]
    new_closed()
}

fn new_closed() -> RecvOnly<()> {
    let (tx, rx) = gort_chan::bounded(0);
    drop(tx);
    rx.into()
}

/// Added to a node's error code once the node and all its descendants are
/// cancelled.
const PUBLISHED: u8 = 0x80;

impl CancelCtx {
    /// A node under `parent`, not yet registered with it (see
    /// [`propagate`](Self::propagate)).
    pub(crate) fn new(
        parent: Context,
        deadline: Option<Instant>,
        after: Option<Box<dyn FnOnce() + Send>>,
    ) -> Arc<CancelCtx> {
        Self::with_state(parent, deadline, after, 0, State::default())
    }

    /// A node (not an `after_func`'s) under a `parent` found cancelled:
    /// what `propagateCancel`'s `child.cancel(false, parent.Err(),
    /// Cause(parent))` leaves, made so at once (nobody else can see it
    /// yet: no lock, no children, no channel, nothing to publish later).
    pub(crate) fn new_cancelled(
        parent: Context,
        deadline: Option<Instant>,
        err: ContextError,
        cause: Option<Cause>,
    ) -> Arc<CancelCtx> {
        let state = State {
            cold: cause.map(|cause| {
                Box::new(Cold {
                    cause: Some(cause),
                    ..Cold::default()
                })
            }),
            ..State::default()
        };
        Self::with_state(parent, deadline, None, err.code() | PUBLISHED, state)
    }

    fn with_state(
        parent: Context,
        deadline: Option<Instant>,
        after: Option<Box<dyn FnOnce() + Send>>,
        err: u8,
        state: State,
    ) -> Arc<CancelCtx> {
        let kind = (deadline.is_some() || after.is_some()).then(|| {
            Box::new(Kind {
                deadline,
                timer: Mutex::new(None),
                after: after.map(|f| AfterFunc {
                    once: AtomicBool::new(false),
                    f: Mutex::new(Some(f)),
                }),
            })
        });
        // Written straight into the allocation: `Arc::new` would build the
        // node on the stack and copy it, and the copy's wide loads of
        // fields just stored narrow stall on store forwarding (measured:
        // a quarter of a `with_cancel`).
        let mut node = Arc::<CancelCtx>::new_uninit();
        Arc::get_mut(&mut node)
            .expect("a new Arc has no other reference")
            .write(CancelCtx {
                parent,
                state: Mutex::new(state),
                done: OnceLock::new(),
                slot: Slot::new(UNLISTED),
                err: AtomicU8::new(err),
                kind,
            });
        // SAFETY: the `write` above initialised the node.
        unsafe { node.assume_init() }
    }

    /// Go's `cancelCtx.Err`: `Some` only once `done` is closed and every
    /// descendant is cancelled (a cancel in progress is waited for, as
    /// go1.23's `Err` waits for the lock its `cancel` holds).
    pub(crate) fn err(&self) -> Option<ContextError> {
        let mut v = self.err.load(Ordering::Acquire);
        if v == 0 {
            return None;
        }
        while v & PUBLISHED == 0 {
            crate::sync::thread::yield_now();
            v = self.err.load(Ordering::Acquire);
        }
        ContextError::from_code(v & !PUBLISHED)
    }

    /// Whether a cancel has begun (the code is stored), without waiting.
    fn cancel_begun(&self) -> bool {
        self.err.load(Ordering::Acquire) != 0
    }

    /// Go's `timerCtx.deadline`: `None` for a node without one.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.kind.as_ref()?.deadline
    }

    fn after(&self) -> Option<&AfterFunc> {
        self.kind.as_ref()?.after.as_ref()
    }

    /// The done channel if it was made (Go: `c.done.Load()`).
    pub(crate) fn done_if_made(&self) -> Option<&RecvOnly<()>> {
        self.done.get()
    }

    /// Go's `cancelCtx.Done`: the done channel, made on first use.
    pub(crate) fn done(&self) -> &RecvOnly<()> {
        // Lock-free once made (Go's `atomic.Value` load). Under loom every
        // read takes the lock: loom cannot see the `OnceLock`'s ordering.
        #[cfg(not(gort_loom))]
        if let Some(done) = self.done.get() {
            return done;
        }
        let mut st = self.state.lock();
        self.done.get_or_init(|| {
            if self.cancel_begun() {
                // Cancelled before anyone asked (Go stores `closedchan`
                // in `cancel`; here the first `done()` does).
                return closed();
            }
            let (tx, rx) = gort_chan::bounded(0);
            st.done_tx = Some(tx);
            rx.into()
        })
    }

    /// The cause recorded by the first cancel (Go: `cancelCtx.cause`, read
    /// under `mu` by `Cause`).
    pub(crate) fn cause(&self) -> Option<Cause> {
        let st = self.state.lock();
        // The code is stored under this lock with the cause.
        let err = ContextError::from_code(self.err.load(Ordering::Relaxed) & !PUBLISHED);
        st.cause()
            .cloned()
            .or_else(|| err.map(ContextError::into_cause))
    }

    /// The cause as recorded (`None`: the error itself, or not cancelled).
    pub(crate) fn cause_recorded(&self) -> Option<Cause> {
        self.state.lock().cause().cloned()
    }

    /// The number of registered children (Go's tests read `len(children)`).
    pub(crate) fn children_len(&self) -> usize {
        self.state.lock().children.len()
    }

    /// Port of `cancelCtx.propagateCancel` (and its `afterFuncer` and
    /// watcher paths): arranges for this node to be cancelled when its
    /// parent is; `parent` is `self.parent.cancel_parent()`, which the
    /// caller has already looked at. Runs before the node is handed out, so
    /// nothing else can cancel it yet except its parent.
    pub(crate) fn propagate(self: &Arc<Self>, parent: Parent<'_>) {
        match parent {
            // Go: `parent.Done() == nil`: never cancelled.
            Parent::Never => {}
            Parent::Gort(p) => {
                let mut st = p.state.lock();
                if p.cancel_begun() {
                    // The code is set under this lock, with `cause`; no
                    // wait for the publication under it (see `err`).
                    drop(st);
                    self.cancel_by_parent();
                } else {
                    st.children.add(self, self.after().is_some());
                }
            }
            Parent::Custom(custom) => {
                let Some(done) = custom.done() else { return };
                if done.is_closed() {
                    self.cancel_by_parent();
                    return;
                }
                let child = self.clone();
                let on_done = Box::new(move || child.cancel_by_parent());
                if let Some(stop) = custom.after_func(on_done) {
                    // Go: `c.Context = stopCtx{parent, stop}`.
                    self.state.lock().cold().stop = Some(stop);
                    return;
                }
                self.watch();
            }
        }
    }

    /// Go's `child.cancel(false, parent.Err(), Cause(parent))`.
    fn cancel_by_parent(self: &Arc<Self>) {
        let err = self.parent.err().unwrap_or(ContextError::Canceled);
        let cause = match self.parent.parent() {
            // The node's error is `err`: its default cause is the same.
            Parent::Gort(p) => p.cause_recorded(),
            _ => self.parent.cause(),
        };
        self.cancel(false, err, cause);
    }

    /// Go's fallback goroutine in `propagateCancel`: waits for the parent's
    /// done or this node's, and cancels this node on the first.
    fn watch(self: &Arc<Self>) {
        crate::custom::WATCHERS.fetch_add(1, Ordering::Relaxed);
        let (child, parent) = (self.clone(), self.parent.clone());
        go(move || {
            let parent_done = parent.done();
            let child_done = child.done().clone();
            gort_select::select_blocking! {
                recv(parent_done) -> _ => child.cancel_by_parent(),
                recv(child_done) -> _ => {},
            }
        });
    }

    /// Port of `cancelCtx.cancel`, `timerCtx.cancel` and
    /// `afterFuncCtx.cancel`: the first call records `err` and `cause`
    /// (`None`: `err` itself), closes `done` and cancels every descendant;
    /// `remove` also takes the node out of its parent's set. Returns once
    /// the node and its subtree are cancelled, by this call or another.
    pub(crate) fn cancel(self: &Arc<Self>, remove: bool, err: ContextError, cause: Option<Cause>) {
        let cause = cause.as_ref();
        let mut wakes = Wakes::default();
        let Some(children) = self.cancel_one(remove, err, cause, &mut wakes) else {
            self.wait_published();
            return;
        };
        if children.len() == 0 {
            self.err.fetch_or(PUBLISHED, Ordering::Release);
        } else {
            // Depth first; a node is published once its children are.
            let mut stack = vec![(self.clone(), children)];
            while let Some((node, children)) = stack.last_mut() {
                match children.pop_live() {
                    Some(child) => match child.cancel_one(false, err, cause, &mut wakes) {
                        Some(grandchildren) => stack.push((child, grandchildren)),
                        // Another cancel of it is in progress.
                        None => child.wait_published(),
                    },
                    None => {
                        node.err.fetch_or(PUBLISHED, Ordering::Release);
                        stack.pop();
                    }
                }
            }
        }
        wakes.resume_panic();
    }

    /// Waits until a cancel in progress has cancelled the whole subtree.
    fn wait_published(&self) {
        while self.err.load(Ordering::Acquire) & PUBLISHED == 0 {
            crate::sync::thread::yield_now();
        }
    }

    /// Cancels this node alone; returns its children, still to cancel, or
    /// `None` if a cancel had already begun (Go: `c.err != nil`). (A child
    /// dropped meanwhile is skipped: nobody can see it.)
    fn cancel_one(
        self: &Arc<Self>,
        remove: bool,
        err: ContextError,
        cause: Option<&Cause>,
        wakes: &mut Wakes,
    ) -> Option<Children> {
        let mut st = self.state.lock();
        // Under the lock a load and a store would do; one exchange also
        // lets loom see this write race a lock-free `err()` (its
        // exploration tracks an object's last access only, and a load
        // here would hide the reader's load behind it).
        let first = self
            .err
            .compare_exchange(0, err.code(), Ordering::Release, Ordering::Relaxed)
            .is_ok();
        let mut children = Children::Empty;
        let mut done_tx = None;
        let mut waiters = None;
        if first {
            if let Some(cause) = cause {
                st.cold().cause = Some(cause.clone());
            }
            done_tx = st.done_tx.take();
            children = std::mem::take(&mut st.children);
            waiters = st.cold.as_mut().map(|c| std::mem::take(&mut c.waiters));
        }
        let timer = self.kind.as_ref().and_then(|k| k.timer.lock().take());
        // `removeChild`'s `stopCtx` case, read under this same lock.
        let stop = match &mut st.cold {
            Some(cold) if remove => cold.stop.take(),
            _ => None,
        };
        drop(st);
        // Closes `done` and wakes the `cancelled()` futures (after the code
        // is stored, before the node is published).
        if let Some(tx) = done_tx {
            wakes.run(|| drop(tx));
        }
        if let Some(mut waiters) = waiters {
            while let Some(w) = waiters.pop() {
                wakes.run(|| w.wake());
            }
        }
        if remove {
            self.remove_from_parent(stop);
        }
        if let Some(timer) = timer {
            timer.stop();
        }
        if let Some(after) = self.after() {
            if !after.once.swap(true, Ordering::AcqRel) {
                let f = after.f.lock().take();
                if let Some(f) = f {
                    go(f);
                }
            }
        }
        first.then_some(children)
    }

    /// Registers `cx`'s waker to be woken by the cancel (Go: a goroutine
    /// blocked in `<-ctx.Done()`), at `slot` (updated); true instead if the
    /// node is cancelled.
    pub(crate) fn wait(&self, slot: &mut usize, waker: &Waker) -> bool {
        if self.cancel_begun() {
            return true;
        }
        let mut st = self.state.lock();
        // The code is stored under this lock, with the waiters taken.
        if self.cancel_begun() {
            return true;
        }
        let waiters = &mut st.cold().waiters;
        let replaced = match waiters.get_mut(*slot) {
            Some(w) if w.will_wake(waker) => None,
            Some(w) => Some(std::mem::replace(w, waker.clone())),
            None => {
                *slot = waiters.insert(waker.clone());
                None
            }
        };
        drop(st);
        // Dropped unlocked: a waker is executor code.
        drop(replaced);
        false
    }

    /// Withdraws the registration at `slot` (a `cancelled()` future
    /// dropped before the cancel).
    pub(crate) fn unwait(&self, slot: usize) {
        let mut st = self.state.lock();
        let removed = st.cold.as_mut().and_then(|c| c.waiters.remove(slot));
        drop(st);
        drop(removed);
    }

    /// Port of `removeChild(c.Context, c)`.
    /// `stop`: the node's `stopCtx.stop`, taken by the caller under the
    /// node's lock.
    fn remove_from_parent(self: &Arc<Self>, stop: Option<Stop>) {
        if let Some(stop) = stop {
            stop();
            return;
        }
        if let Parent::Gort(p) = self.parent.cancel_parent() {
            p.remove_child(self);
        }
    }

    fn remove_child(&self, child: &CancelCtx) {
        let mut st = self.state.lock();
        let slot = child.slot.load(Ordering::Relaxed);
        let leftovers = st.children.remove(child.addr(), slot);
        drop(st);
        // Dropped unlocked: it may hold the last reference to a node.
        drop(leftovers);
    }

    /// Arms the deadline (Go: `time.AfterFunc(dur, ...)` in
    /// `WithDeadlineCause`, under `mu`, unless already cancelled).
    pub(crate) fn arm(self: &Arc<Self>, after: std::time::Duration, cause: Option<Cause>) {
        let st = self.state.lock();
        if self.cancel_begun() {
            return;
        }
        let kind = self.kind.as_ref().expect("a deadline node");
        let c = self.clone();
        *kind.timer.lock() = Some(gort_time::after_func(after, move || {
            c.cancel(true, ContextError::DeadlineExceeded, cause.clone());
        }));
        drop(st);
    }

    /// Claims the `after_func` node's `once` (Go: `stop`'s `once.Do`):
    /// true if `f` had not started, and now never will.
    pub(crate) fn stop_after_func(self: &Arc<Self>) -> bool {
        let after = self.after().expect("an after_func node");
        if after.once.swap(true, Ordering::AcqRel) {
            return false;
        }
        let f = after.f.lock().take();
        drop(f);
        self.cancel(true, ContextError::Canceled, None);
        true
    }

    /// The node's identity in its parent's [`Children`].
    pub(crate) fn addr(&self) -> usize {
        self as *const CancelCtx as usize
    }

    /// The node's index in its parent's [`Children`].
    pub(crate) fn slot(&self) -> &Slot {
        &self.slot
    }
}

impl Drop for CancelCtx {
    /// A node nobody can reach leaves its parent's set (see
    /// [`Children`]). A cancelled node has left it already.
    fn drop(&mut self) {
        if self.cancel_begun() {
            return;
        }
        if let Parent::Gort(p) = self.parent.cancel_parent() {
            p.remove_child(self);
        }
    }
}
#[cfg(all(
    test,
    target_pointer_width = "64",
    target_os = "linux",
    not(gort_loom),
    not(miri)
))]
mod tests {
    /// The size the type's docs give: with the `Arc`'s two counts, a plain
    /// node is a 112-byte allocation, inside glibc's fast bins (128).
    #[test]
    fn a_node_is_96_bytes() {
        assert_eq!(std::mem::size_of::<super::CancelCtx>(), 96);
    }
}
