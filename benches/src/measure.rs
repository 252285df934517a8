//! Wall and CPU time of one timed section.
//!
//! CPU time is the whole process's user + system time from `getrusage`, so the
//! time every thread of a workload spends spinning shows up next to the wall
//! time it saves.

use std::time::{Duration, Instant};

/// What one sample of a workload cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measurement {
    /// Elapsed wall-clock time.
    pub wall: Duration,
    /// User + system CPU time of the whole process over the same span.
    pub cpu: Duration,
}

/// Runs `f` and measures it. Start worker threads before calling this and let
/// them wait on a barrier inside `f`, so their start-up is not timed.
///
/// ```
/// let m = gort_bench::measure(|| (0..1000u64).sum::<u64>());
/// assert!(m.wall > std::time::Duration::ZERO);
/// ```
pub fn measure<R>(f: impl FnOnce() -> R) -> Measurement {
    let cpu0 = process_cpu_time();
    let t0 = Instant::now();
    std::hint::black_box(f());
    let wall = t0.elapsed();
    let cpu = process_cpu_time().saturating_sub(cpu0);
    Measurement { wall, cpu }
}

/// User + system CPU time consumed so far by this process, all threads.
pub fn process_cpu_time() -> Duration {
    #[repr(C)]
    struct Timeval {
        sec: i64,
        usec: i64,
    }
    #[repr(C)]
    struct Rusage {
        utime: Timeval,
        stime: Timeval,
        rest: [i64; 14],
    }
    unsafe extern "C" {
        fn getrusage(who: i32, usage: *mut Rusage) -> i32;
    }
    const RUSAGE_SELF: i32 = 0;
    let mut usage = std::mem::MaybeUninit::<Rusage>::zeroed();
    // SAFETY: `getrusage` writes one `struct rusage` (whose x86_64/aarch64
    // Linux layout `Rusage` mirrors) into the pointer and touches nothing else.
    let rc = unsafe { getrusage(RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return Duration::ZERO;
    }
    // SAFETY: `getrusage` succeeded, so the struct is initialised (and it was
    // zeroed before).
    let usage = unsafe { usage.assume_init() };
    let tv = |t: &Timeval| Duration::new(t.sec as u64, (t.usec * 1000) as u32);
    tv(&usage.utime) + tv(&usage.stime)
}
