//! What a timer channel asks of its timer: go1.23's `hchan.timer`, as the
//! channel's receive paths and `selectgo` call it. gort-time implements it.

/// The timer feeding a timer channel (Go: `hchan.timer`, go1.23). The
/// channel calls it on the receive paths; gort-time implements it.
///
/// Lock order: a channel's lock may be held while `block` and `unblock`
/// run, so they may take the timer's own locks but never a
/// channel lock. The timer takes a channel lock (to send or drain) only
/// while holding no timer lock that those take.
pub trait TimerHook: Send + Sync + 'static {
    /// Go's `t.maybeRunChan()`: if the timer is due and not managed by the
    /// timer heap, send its value now. Called without the channel lock,
    /// before a receive (or a select's receive case) looks at the channel.
    fn maybe_run(&self);
    /// Go's `blockTimerChan(c)`: a receiver is about to wait on the channel;
    /// make sure the timer heap will fire the timer. Called with the
    /// channel's lock held. If it panics, it must have counted the receiver
    /// first: the channel then takes the receiver out again and calls
    /// `unblock` before the panic goes on.
    fn block(&self);
    /// Go's `unblockTimerChan(c)`: a receiver that `block` counted stopped
    /// waiting. Called with or without the channel's lock held.
    fn unblock(&self);
}
