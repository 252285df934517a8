//! What the whole-runtime loom models share.

/// Checks `f` under loom, at `LOOM_MAX_PREEMPTIONS` or else 2 preemptions
/// (a whole runtime at 3 takes many minutes).
pub fn model(f: impl Fn() + Send + Sync + 'static) {
    let mut b = loom::model::Builder::new();
    if b.preemption_bound.is_none() {
        b.preemption_bound = Some(2);
    }
    b.check(f);
}
