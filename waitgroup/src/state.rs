//! The packed state word of Go's `WaitGroup.state` and the misuse Go panics on.
//!
//! Layout (Go's): the counter, read as an `i32`, in the high 32 bits; the
//! number of registered waiters, a `u32`, in the low 32 bits. One atomic add
//! of `delta << 32` changes the counter and reports the waiters in the same
//! step, which is what lets `add` decide alone whether it must release them.

/// One unit of the counter.
pub(crate) const COUNTER_ONE: u64 = 1 << 32;

/// The counter half of a state word (Go: `int32(state >> 32)`).
#[inline(always)]
pub(crate) fn counter(state: u64) -> i32 {
    (state >> 32) as i32
}

/// The waiter half of a state word (Go: `uint32(state)`).
#[inline(always)]
pub(crate) fn waiters(state: u64) -> u32 {
    state as u32
}

/// `delta` shifted into the counter half (Go: `uint64(delta) << 32`); two's
/// complement makes a negative delta a subtraction from the counter.
#[inline(always)]
pub(crate) fn counter_delta(delta: i32) -> u64 {
    (i64::from(delta) as u64) << 32
}

/// A contract violation; every one panics with Go's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Misuse {
    /// More `done`s than `add`s.
    Negative,
    /// The counter would pass `i32::MAX` (Go wraps silently; see the crate docs).
    Overflow,
    /// An `add` from zero raced a `wait`.
    AddDuringWait,
    /// An `add` started the next round before every `wait` of this one returned.
    Reused,
}

impl Misuse {
    /// Go's panic message.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Misuse::Negative => "sync: negative WaitGroup counter",
            Misuse::Overflow => "sync: WaitGroup counter overflow",
            Misuse::AddDuringWait => "sync: WaitGroup misuse: Add called concurrently with Wait",
            Misuse::Reused => "sync: WaitGroup is reused before previous Wait has returned",
        }
    }

    /// Panics with Go's message (a `&'static str` payload, as Go's string panics).
    #[cold]
    #[track_caller]
    pub(crate) fn raise(self) -> ! {
        std::panic::panic_any(self.message())
    }
}
