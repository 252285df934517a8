//! A select whose arms are known only at run time (Go: `reflect.Select`).

use crate::RecvOperand;
use crate::future::{Default, SelectFuture};
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use gort_chan::raw::{Case, DynCases as Arms, as_recv, as_send};
use gort_chan::{RecvError, SendError, Sender};
use std::time::Duration;

/// A select built at run time, for a number of arms known only then (Go:
/// `reflect.Select`). Same semantics as [`select!`](crate::select!): a
/// random poll order, channels locked in address order, exactly one arm
/// commits.
///
/// Element types must be `Send` (the arms are boxed as `Send` trait objects
/// so that [`select`](Self::select) is a `Send` future).
///
/// ```
/// use gort_select::Select;
///
/// let (tx1, rx1) = gort_chan::bounded::<u32>(1);
/// let (tx2, rx2) = gort_chan::bounded::<&str>(1);
/// tx2.send_blocking("hi").unwrap();
///
/// let mut sel = Select::new();
/// let a = sel.recv(&rx1);
/// let b = sel.recv(&rx2);
/// let c = sel.send(&tx1, 7);
/// let mut done = sel.select_blocking();
/// if done.index() == b {
///     assert_eq!(done.recv(&rx2), Ok("hi"));
/// } else {
///     assert_eq!(done.index(), c); // rx1 is empty, so `a` cannot win
///     assert_eq!(done.send(&tx1), Ok(()));
/// }
/// # let _ = a;
/// ```
pub struct Select<'a> {
    arms: Arms<'a>,
}

impl<'a> Select<'a> {
    /// An empty select (with no arms it never completes, as in Go).
    pub fn new() -> Self {
        Self { arms: Vec::new() }
    }

    /// Adds an arm receiving from `rx`; returns its index.
    pub fn recv<T: Send + 'a>(&mut self, rx: impl RecvOperand<'a, T>) -> usize {
        self.arms.push(Box::pin(Case::recv(rx.receiver())));
        self.arms.len() - 1
    }

    /// Adds an arm sending `value` on `tx`; returns its index. If another arm
    /// wins, the value comes back through [`Selected::unsent`].
    pub fn send<T: Send + 'a>(&mut self, tx: &'a Sender<T>, value: T) -> usize {
        self.arms.push(Box::pin(Case::send(tx, value)));
        self.arms.len() - 1
    }

    /// The number of arms.
    pub fn len(&self) -> usize {
        self.arms.len()
    }

    /// Whether there are no arms.
    pub fn is_empty(&self) -> bool {
        self.arms.is_empty()
    }

    /// Waits asynchronously for an arm to complete.
    ///
    /// Cancel-safe: dropped before it completes, no arm has committed, except
    /// that a value a receive arm was already handed goes back to its
    /// channel; unsent values are dropped with the future.
    pub fn select(self) -> SelectedFuture<'a> {
        SelectedFuture {
            fut: SelectFuture::new(self.arms, Default::None),
        }
    }

    /// Blocks the thread until an arm completes. Do not call it from async
    /// code. With no arms it blocks forever (Go: `select {}`).
    pub fn select_blocking(self) -> Selected<'a> {
        self.run(Default::None)
            .expect("a select without default completes through an arm")
    }

    /// Completes an arm that is ready now, or hands the select back (Go:
    /// `reflect.Select` with a default case).
    pub fn try_select(self) -> Result<Selected<'a>, Select<'a>> {
        self.run_or_back(Default::Now)
    }

    /// Like [`select_blocking`](Self::select_blocking), giving up after
    /// `timeout` (then the select is handed back).
    pub fn select_timeout(self, timeout: Duration) -> Result<Selected<'a>, Select<'a>> {
        self.run_or_back(Default::After(timeout))
    }

    fn run(self, default: Default) -> Option<Selected<'a>> {
        self.run_or_back(default).ok()
    }

    fn run_or_back(self, default: Default) -> Result<Selected<'a>, Select<'a>> {
        let mut fut = core::pin::pin!(SelectFuture::new(self.arms, default));
        let index = fut.as_mut().run_blocking();
        let arms = core::mem::take(fut.as_mut().cases());
        match index {
            Some(index) => Ok(Selected { index, arms }),
            // Nothing committed: every send arm still has its value.
            None => Err(Select { arms }),
        }
    }
}

impl std::default::Default for Select<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Select<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Select")
            .field("arms", &self.arms.len())
            .finish()
    }
}

/// The arm that completed, with its outcome (and the other arms' unsent
/// values).
pub struct Selected<'a> {
    index: usize,
    arms: Arms<'a>,
}

impl<'a> Selected<'a> {
    /// The index of the arm that completed (as returned when it was added).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The outcome of the winning arm, a receive from `rx`.
    ///
    /// # Panics
    /// If the winning arm is not a receive from `rx`'s channel, or if its
    /// outcome was already taken.
    pub fn recv<'r, T: 'a + 'r>(&mut self, rx: impl RecvOperand<'r, T>) -> Result<T, RecvError> {
        let index = self.index;
        let out = as_recv(self.arms[index].as_mut(), rx.receiver())
            .unwrap_or_else(|| {
                panic!("Selected::recv: arm {index} is not a receive on this channel")
            })
            .take_recv()
            .expect("Selected::recv: the outcome was already taken");
        crate::operand::took(rx, out)
    }

    /// The outcome of the winning arm, a send on `tx`.
    ///
    /// # Panics
    /// If the winning arm is not a send on `tx`'s channel, or if its outcome
    /// was already taken.
    pub fn send<T: 'a>(&mut self, tx: &Sender<T>) -> Result<(), SendError<T>> {
        let index = self.index;
        as_send(self.arms[index].as_mut(), tx)
            .unwrap_or_else(|| panic!("Selected::send: arm {index} is not a send on this channel"))
            .take_sent()
            .expect("Selected::send: the outcome was already taken")
    }

    /// The value of send arm `index` on `tx`, if that arm did not send it.
    ///
    /// # Panics
    /// If arm `index` is not a send on `tx`'s channel.
    pub fn unsent<T: 'a>(&mut self, index: usize, tx: &Sender<T>) -> Option<T> {
        self.arms
            .get_mut(index)
            .and_then(|arm| as_send(arm.as_mut(), tx))
            .unwrap_or_else(|| {
                panic!("Selected::unsent: arm {index} is not a send on this channel")
            })
            .take_unsent()
    }
}

impl fmt::Debug for Selected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Selected")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// The future of [`Select::select`].
#[must_use = "futures do nothing unless polled"]
pub struct SelectedFuture<'a> {
    fut: SelectFuture<'a, Arms<'a>>,
}

impl<'a> Future for SelectedFuture<'a> {
    type Output = Selected<'a>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Selected<'a>> {
        // SAFETY: `fut` is structurally pinned.
        let mut fut = unsafe { self.map_unchecked_mut(|s| &mut s.fut) };
        let index = core::task::ready!(fut.as_mut().poll(cx))
            .expect("a select without default completes through an arm");
        let arms = core::mem::take(fut.cases());
        Poll::Ready(Selected { index, arms })
    }
}

impl fmt::Debug for SelectedFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelectedFuture")
            .field("fut", &self.fut)
            .finish()
    }
}
