//! The surface gort-select and gort-time build on (Go lets `selectgo` and
//! the timer code reach into `hchan`): safe, type-checked calls only, no
//! channel state handed out. Unstable: the crates of this workspace that
//! use it are released together.

pub use crate::hook::TimerHook;
pub use crate::select::{AnyCase, Case, Cases, DynCases, SelectGo, as_recv, as_send};
pub use crate::timer::{WeakChan, timer_channel};
