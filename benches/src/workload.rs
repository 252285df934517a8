//! What the report measures: named workloads, each run by several
//! implementations (gort and its peers) on the same job.

use crate::measure::Measurement;
use std::fmt;
use std::time::Duration;

/// One job (e.g. "SPSC, cap 1024"), with every implementation that runs it.
pub struct Workload {
    /// The report section it belongs to (e.g. "chan").
    pub section: &'static str,
    /// Its name inside the section (e.g. "spsc/cap1024").
    pub name: String,
    /// What one iteration is (e.g. "msg", "op", "round trip").
    pub unit: &'static str,
    /// The implementations, gort's first by convention.
    pub impls: Vec<Impl>,
    /// The shortest sample that measures this job (see
    /// [`sample_at_least`](Self::sample_at_least)).
    pub min_sample: Duration,
}

/// One implementation of a workload: runs `iters` iterations and reports
/// what the timed part cost.
pub struct Impl {
    /// Shown in the report: "gort", "crossbeam", "go", "limit", ...
    pub name: String,
    /// Whether this row is gort's own (the others are peers or limits).
    pub kind: ImplKind,
    run: Box<dyn FnMut(u64) -> Measurement>,
}

/// The role of an implementation in the ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImplKind {
    /// A gort crate: the ratio is computed for it.
    Gort,
    /// A peer to beat (std, crossbeam, flume, Go, ...).
    Peer,
    /// A bound, not a competitor (e.g. a raw atomic ping-pong).
    Limit,
}

impl Workload {
    /// A workload with no implementations yet.
    ///
    /// ```
    /// use gort_bench::{Workload, measure};
    /// let w = Workload::new("demo", "sum", "op")
    ///     .gort("gort", |n| measure(|| (0..n).sum::<u64>()))
    ///     .peer("std", |n| measure(|| (0..n).fold(0u64, |a, b| a + b)));
    /// assert_eq!(w.impls.len(), 2);
    /// ```
    pub fn new(section: &'static str, name: impl Into<String>, unit: &'static str) -> Self {
        Self {
            section,
            name: name.into(),
            unit,
            impls: Vec::new(),
            min_sample: Duration::ZERO,
        }
    }

    /// Makes every sample of this job last at least `d`, whatever the run's
    /// sample length: for a job with its own slow rhythm (a neighbour that
    /// blocks 10 ms at a time), whose rate means something only over many
    /// periods.
    ///
    /// ```
    /// use gort_bench::{Workload, measure};
    /// use std::time::Duration;
    /// let w = Workload::new("demo", "sum", "op").sample_at_least(Duration::from_millis(50));
    /// assert_eq!(w.min_sample, Duration::from_millis(50));
    /// ```
    pub fn sample_at_least(mut self, d: Duration) -> Self {
        self.min_sample = d;
        self
    }

    /// Adds gort's implementation.
    pub fn gort(
        self,
        name: impl Into<String>,
        run: impl FnMut(u64) -> Measurement + 'static,
    ) -> Self {
        self.with(name, ImplKind::Gort, run)
    }

    /// Adds a peer's implementation.
    pub fn peer(
        self,
        name: impl Into<String>,
        run: impl FnMut(u64) -> Measurement + 'static,
    ) -> Self {
        self.with(name, ImplKind::Peer, run)
    }

    /// Adds a limit row (shown, never counted as a peer to beat).
    pub fn limit(
        self,
        name: impl Into<String>,
        run: impl FnMut(u64) -> Measurement + 'static,
    ) -> Self {
        self.with(name, ImplKind::Limit, run)
    }

    /// Adds an implementation of the given kind.
    pub fn with(
        mut self,
        name: impl Into<String>,
        kind: ImplKind,
        run: impl FnMut(u64) -> Measurement + 'static,
    ) -> Self {
        self.impls.push(Impl {
            name: name.into(),
            kind,
            run: Box::new(run),
        });
        self
    }

    /// The full name, `section/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.section, self.name)
    }
}

impl Impl {
    /// Runs `iters` iterations.
    pub fn run(&mut self, iters: u64) -> Measurement {
        (self.run)(iters)
    }
}

impl fmt::Debug for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workload")
            .field("id", &self.id())
            .field("unit", &self.unit)
            .field("min_sample", &self.min_sample)
            .field("impls", &self.impls)
            .finish()
    }
}

impl fmt::Debug for Impl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Impl")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
