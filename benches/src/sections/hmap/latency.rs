//! The latency of single inserts while a map grows from empty to 4M entries:
//! the point of Go's incremental growth. Each insert is timed on its own
//! (two clock reads, the same overhead for every map); a run reports the
//! median, the 99th, 99.9th and 99.99th percentiles and the maximum, and the
//! table shows the median of each over several runs, so that one page fault
//! or preemption does not decide the maximum.

use super::impls::BenchMap;
use super::u64_key;
use std::time::Instant;

/// The statistics of one run, in ns.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// 99.99th percentile.
    pub p9999: u64,
    /// Maximum.
    pub max: u64,
}

impl Latency {
    /// The statistics of a set of latencies.
    pub fn of(mut ns: Vec<u64>) -> Latency {
        ns.sort_unstable();
        let at = |q: f64| ns[((ns.len() as f64 * q) as usize).min(ns.len() - 1)];
        Latency {
            p50: at(0.5),
            p99: at(0.99),
            p999: at(0.999),
            p9999: at(0.9999),
            max: *ns.last().expect("at least one insert"),
        }
    }

    /// Each statistic's median over `runs`.
    pub fn median(runs: &[Latency]) -> Latency {
        let med = |f: fn(&Latency) -> u64| {
            let mut v: Vec<u64> = runs.iter().map(f).collect();
            v.sort_unstable();
            v[v.len() / 2]
        };
        Latency {
            p50: med(|l| l.p50),
            p99: med(|l| l.p99),
            p999: med(|l| l.p999),
            p9999: med(|l| l.p9999),
            max: med(|l| l.max),
        }
    }

    /// Parses the Go twin's `p50 p99 p999 p9999 max` line.
    pub fn parse(line: &str) -> Option<Latency> {
        let v: Vec<u64> = line
            .split_whitespace()
            .map(|s| s.parse().ok())
            .collect::<Option<_>>()?;
        match v[..] {
            [p50, p99, p999, p9999, max] => Some(Latency {
                p50,
                p99,
                p999,
                p9999,
                max,
            }),
            _ => None,
        }
    }
}

/// One run: `n` inserts into an empty `M`, each timed.
pub fn run<M: BenchMap<u64>>(n: u64) -> Latency {
    let mut ns = Vec::with_capacity(n as usize);
    let mut m = M::new();
    for i in 0..n {
        let k = u64_key(i);
        let t = Instant::now();
        m.insert(k, i);
        ns.push(t.elapsed().as_nanos() as u64);
    }
    drop(m);
    Latency::of(ns)
}
