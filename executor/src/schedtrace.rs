//! `GORTDEBUG=schedtrace=N[,scheddetail=1]`: Go's `schedtrace` (runtime/
//! proc.go), printed by sysmon to standard error every N ms.
// sysmon does not run under loom.
#![cfg_attr(gort_loom, allow(dead_code))]

use crate::shared::{Config, Shared};
use gort_sync::Ordering::*;

/// The tracing asked for by `GORTDEBUG` (Go: `debug.schedtrace`,
/// `debug.scheddetail`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Trace {
    /// Period in ms; 0: off.
    pub(crate) period_ms: u64,
    pub(crate) detail: bool,
}

impl Trace {
    /// Parses the builder's `GORTDEBUG` value (Go's `GODEBUG` syntax:
    /// comma-separated `name=value`; unknown names are ignored).
    pub(crate) fn parse(v: &str) -> Trace {
        let mut t = Trace::default();
        for (name, value) in v.split(',').filter_map(|kv| kv.split_once('=')) {
            let value = value.trim().parse::<u64>().unwrap_or(0);
            match name.trim() {
                "schedtrace" => t.period_ms = value,
                "scheddetail" => t.detail = value > 0,
                _ => {}
            }
        }
        t
    }

    pub(crate) fn from_env(config: &Config) -> Trace {
        config
            .gortdebug
            .as_deref()
            .map(Trace::parse)
            .unwrap_or_default()
    }

    pub(crate) fn on(&self) -> bool {
        self.period_ms > 0
    }

    /// Whether a line is due at `now` (ns); records it as printed.
    pub(crate) fn due(&self, now: u64, last: &mut u64) -> bool {
        if !self.on() || *last + self.period_ms * 1_000_000 > now {
            return false;
        }
        *last = now;
        true
    }

    /// Port of `schedtrace`: prints the `SCHED` line (and with
    /// `scheddetail`, one line per P).
    pub(crate) fn print(&self, shared: &Shared, now: u64) {
        eprint!("{}", self.format(shared, now));
    }

    /// The text `print` writes.
    ///
    /// *Deviation*: `threads` counts the runtime's Ms plus sysmon (Go's
    /// `mcount` also counts `block_on`'s thread, `m0`); a P line has no
    /// `m=` (Ms have no ids here) or `gfreecnt=` (the P's private free
    /// list), and there are no M and G lines.
    pub(crate) fn format(&self, shared: &Shared, now: u64) -> String {
        use core::fmt::Write;
        let s = shared.lock();
        let procs = shared.procs();
        let mut out = format!(
            "SCHED {}ms: gomaxprocs={} idleprocs={} threads={} spinningthreads={} needspinning={} idlethreads={} runqueue={}",
            now / 1_000_000,
            procs,
            shared.npidle.load(Relaxed),
            s.mcount + 1,
            shared.nmspinning.load(Relaxed),
            u32::from(shared.needspinning.load(Relaxed)),
            s.midle.len(),
            s.runq.len(),
        );
        if self.detail {
            let _ = writeln!(
                out,
                " gcwaiting={} nmidlelocked=0 stopwait={} sysmonwait={}",
                shared.gcwaiting.load(Relaxed),
                s.stopwait,
                shared.sysmonwait.load(Relaxed)
            );
            for id in 0..procs {
                let p = shared.p(id);
                let status = p.status.load(Relaxed);
                let _ = writeln!(
                    out,
                    "  P{id}: status={status} schedtick={} syscalltick={} runqsize={} timerslen={}",
                    p.schedtick.load(Relaxed),
                    p.syscalltick.load(Relaxed),
                    p.runq.len(),
                    p.timers.len(),
                );
            }
        } else {
            for id in 0..procs {
                let open = if id == 0 { "[" } else { "" };
                let _ = write!(out, " {open}{}", shared.p(id).runq.len());
            }
            out.push_str("]\n");
        }
        out
    }
}

#[cfg(all(test, not(gort_loom)))]
mod tests {
    use super::Trace;

    #[test]
    fn parses_godebug_syntax() {
        assert_eq!(
            Trace::parse("schedtrace=1000"),
            Trace {
                period_ms: 1000,
                detail: false
            }
        );
        assert_eq!(
            Trace::parse("gctrace=1, schedtrace=50,scheddetail=1"),
            Trace {
                period_ms: 50,
                detail: true
            }
        );
        assert!(!Trace::parse("schedtrace=x,nonsense").on());
        assert!(!Trace::parse("").on());
    }

    #[test]
    fn due_every_period() {
        let t = Trace::parse("schedtrace=10");
        let mut last = 0;
        assert!(!t.due(5_000_000, &mut last));
        assert!(t.due(10_000_000, &mut last));
        assert!(!t.due(19_000_000, &mut last));
        assert!(t.due(20_000_000, &mut last));
        assert!(!Trace::default().due(u64::MAX, &mut last));
    }

    #[test]
    fn formats_go_sched_lines() {
        let rt = crate::Runtime::builder().procs(3).build().unwrap();
        let shared = &rt.handle().shared;
        let line = Trace::parse("schedtrace=1").format(shared, 2_500_000);
        assert_eq!(
            line,
            "SCHED 2ms: gomaxprocs=3 idleprocs=3 threads=1 spinningthreads=0 needspinning=0 \
             idlethreads=0 runqueue=0 [0 0 0]\n"
        );
        let detail = Trace::parse("schedtrace=1,scheddetail=1").format(shared, 0);
        let lines: Vec<_> = detail.lines().collect();
        assert_eq!(lines.len(), 4, "{detail}");
        assert!(
            lines[0].ends_with(" gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=false")
                || lines[0].ends_with(" gcwaiting=false nmidlelocked=0 stopwait=0 sysmonwait=true"),
            "{detail}"
        );
        assert_eq!(
            lines[1],
            "  P0: status=0 schedtick=0 syscalltick=0 runqsize=0 timerslen=0"
        );
    }
}
