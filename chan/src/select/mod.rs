//! Go's `select` statement machinery (runtime/select.go, go1.23): the
//! cases, the poll and lock orders, the lock set, and `selectgo` itself.
//!
//! It lives beside the channel (as in Go, where `select.go` reaches into
//! `hchan`): every rule about a queued sudog (whose claim it points to, who
//! may write its slot, when a value goes back, when the mirrors are
//! published) is enforced by this one crate. gort-select builds the
//! `select!` macros and the dynamic `Select` on the safe surface exported
//! through [`raw`](crate::raw).

mod case;
mod held;
mod lockset;
mod order;
mod rand;
mod selectgo;

pub use case::{AnyCase, Case, Cases, DynCases, as_recv, as_send};
pub use selectgo::SelectGo;
