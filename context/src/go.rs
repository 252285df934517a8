//! Go's `go f()` for the package's own goroutines (an `AfterFunc`'s
//! function, the watcher of a custom parent): gort-time's `after_func`
//! runner threads, which start at once for a zero delay, run nothing else
//! meanwhile, and are reused.

use std::time::Duration;

/// Runs `f` once on a runner thread of its own (under loom: inline, as
/// gort-time's runners).
pub(crate) fn go(f: impl FnOnce() + Send + 'static) {
    let mut f = Some(f);
    drop(gort_time::after_func(Duration::ZERO, move || {
        if let Some(f) = f.take() {
            f();
        }
    }));
}
