//! The surface gort-select and gort-time build on (Go lets `selectgo` and
//! the timer code reach into `hchan`): safe, type-checked calls only, no
//! channel state handed out. Unstable: the crates of this workspace that
//! use it are released together.

pub use crate::hook::TimerHook;
pub use crate::select::{AnyCase, Case, Cases, DynCases, SelectGo, as_recv, as_send};
pub use crate::timer::{WeakChan, timer_channel};

/// The [`Receiver`](crate::Receiver) behind a [`RecvOnly`](crate::RecvOnly)
/// view, for gort-select's receive operands (which take either kind). Not
/// for closing the channel: that is what the view withholds.
pub fn receiver_of<T>(view: &crate::RecvOnly<T>) -> &crate::Receiver<T> {
    view.receiver()
}
