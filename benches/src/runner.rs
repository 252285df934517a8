//! Runs workloads: calibrates each implementation, then takes interleaved
//! repetitions so slow drifts of a shared machine hit every implementation
//! alike.

use crate::measure::Measurement;
use crate::workload::{ImplKind, Workload};
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// How long and how often to measure.
#[derive(Debug, Clone)]
pub struct Config {
    /// Interleaved repetitions per implementation (at least 7).
    pub reps: usize,
    /// Target wall time of one sample.
    pub sample: Duration,
    /// Only workloads whose `section/name` contains one of these run.
    pub filters: Vec<String>,
    /// Only implementations whose name is one of these run (all if empty).
    pub impls: Vec<String>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

impl Config {
    /// The default run: a few minutes for the whole report.
    pub fn quick() -> Self {
        Self {
            reps: 7,
            sample: Duration::from_millis(4),
            filters: Vec::new(),
            impls: Vec::new(),
            progress: true,
        }
    }

    /// A longer, steadier run (`--full`).
    pub fn full() -> Self {
        Self {
            reps: 15,
            sample: Duration::from_millis(60),
            ..Self::quick()
        }
    }

    /// Whether a section may hold workloads that pass the filters (so
    /// unselected sections need not even build theirs).
    pub fn selects_section(&self, name: &str) -> bool {
        self.filters.is_empty()
            || self.filters.iter().any(|f| match f.split_once('/') {
                Some((section, _)) => section == name,
                None => true,
            })
    }

    /// Whether the workload `id` passes the filters.
    pub fn selects(&self, id: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| id.contains(f.as_str()))
    }
}

/// The measured cost per iteration, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Wall time per iteration.
    pub wall_ns: f64,
    /// Process CPU time per iteration.
    pub cpu_ns: f64,
}

/// All samples of one implementation.
#[derive(Debug, Clone)]
pub struct ImplResult {
    /// Implementation name.
    pub name: String,
    /// gort, peer or limit.
    pub kind: ImplKind,
    /// Iterations per sample, after calibration.
    pub iters: u64,
    /// One entry per repetition; empty if the implementation failed.
    pub samples: Vec<Sample>,
    /// Why there are no samples, if so.
    pub error: Option<String>,
}

impl ImplResult {
    fn sorted(&self, f: impl Fn(&Sample) -> f64) -> Vec<f64> {
        let mut v: Vec<f64> = self.samples.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v
    }

    /// Median wall ns per iteration.
    pub fn median(&self) -> f64 {
        median(&self.sorted(|s| s.wall_ns))
    }

    /// Fastest sample.
    pub fn min(&self) -> f64 {
        self.sorted(|s| s.wall_ns)
            .first()
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// Slowest sample.
    pub fn max(&self) -> f64 {
        self.sorted(|s| s.wall_ns)
            .last()
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// Median CPU ns per iteration.
    pub fn cpu_median(&self) -> f64 {
        median(&self.sorted(|s| s.cpu_ns))
    }

    /// Whether it produced samples.
    pub fn ok(&self) -> bool {
        !self.samples.is_empty()
    }
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The results of one workload.
#[derive(Debug, Clone)]
pub struct WorkloadResult {
    /// Section name.
    pub section: &'static str,
    /// Workload name inside the section.
    pub name: String,
    /// What one iteration is.
    pub unit: &'static str,
    /// One entry per implementation, in the workload's order.
    pub impls: Vec<ImplResult>,
}

/// How gort did against the best peer on one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The best peer's name.
    pub peer: String,
    /// best peer median / gort median: ≥ 1.0 means gort is at least as fast.
    pub ratio: f64,
    /// The min–max ranges of gort and the best peer overlap.
    pub tie: bool,
}

impl WorkloadResult {
    /// `section/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.section, self.name)
    }

    /// The fastest median of all implementations that ran.
    pub fn best_median(&self) -> f64 {
        self.impls
            .iter()
            .filter(|i| i.ok())
            .map(ImplResult::median)
            .fold(f64::INFINITY, f64::min)
    }

    /// gort's row (the first of kind `Gort`).
    pub fn gort(&self) -> Option<&ImplResult> {
        self.impls
            .iter()
            .find(|i| i.kind == ImplKind::Gort && i.ok())
    }

    /// The fastest peer.
    pub fn best_peer(&self) -> Option<&ImplResult> {
        self.impls
            .iter()
            .filter(|i| i.kind == ImplKind::Peer && i.ok())
            .min_by(|a, b| a.median().total_cmp(&b.median()))
    }

    /// gort against the best peer, if both ran.
    pub fn verdict(&self) -> Option<Verdict> {
        let (g, p) = (self.gort()?, self.best_peer()?);
        Some(Verdict {
            peer: p.name.clone(),
            ratio: p.median() / g.median(),
            tie: g.min() <= p.max() && p.min() <= g.max(),
        })
    }
}

/// Runs every selected workload and returns the results in order.
pub fn run(workloads: Vec<Workload>, cfg: &Config) -> Vec<WorkloadResult> {
    run_each(workloads, cfg, |_| {})
}

/// Like [`run`], calling `done` with each result as soon as it is measured
/// (so a long report shows its tables as it goes).
pub fn run_each(
    workloads: Vec<Workload>,
    cfg: &Config,
    mut done: impl FnMut(&WorkloadResult),
) -> Vec<WorkloadResult> {
    let workloads: Vec<Workload> = workloads
        .into_iter()
        .filter(|w| cfg.selects(&w.id()))
        .map(|mut w| {
            if !cfg.impls.is_empty() {
                w.impls.retain(|i| cfg.impls.contains(&i.name));
            }
            w
        })
        .collect();
    let total: usize = workloads
        .iter()
        .map(|w| w.impls.len() * (cfg.reps + 1))
        .sum();
    let mut bar = Progress::new(total, cfg.progress);
    workloads
        .into_iter()
        .map(|w| {
            let r = run_one(w, cfg, &mut bar);
            done(&r);
            r
        })
        .collect()
}

fn run_one(mut w: Workload, cfg: &Config, bar: &mut Progress) -> WorkloadResult {
    let id = w.id();
    let mut results: Vec<ImplResult> = w
        .impls
        .iter()
        .map(|i| ImplResult {
            name: i.name.clone(),
            kind: i.kind,
            iters: 0,
            samples: Vec::new(),
            error: None,
        })
        .collect();
    let sample = cfg.sample.max(w.min_sample);
    for (imp, res) in w.impls.iter_mut().zip(results.iter_mut()) {
        bar.step(&format!("{id}: {} (calibrating)", imp.name));
        match guarded(|| calibrate(|n| imp.run(n), sample)) {
            Ok(iters) => res.iters = iters,
            Err(e) => res.error = Some(e),
        }
    }
    let n = w.impls.len();
    for rep in 0..cfg.reps {
        // Rotate the order every repetition, so no implementation always
        // runs right after the same neighbour.
        for k in 0..n {
            let i = (k + rep) % n;
            let (imp, res) = (&mut w.impls[i], &mut results[i]);
            bar.step(&format!("{id}: {}", imp.name));
            if res.error.is_some() {
                continue;
            }
            let iters = res.iters;
            match guarded(|| imp.run(iters)) {
                Ok(m) => res.samples.push(per_iter(m, iters)),
                Err(e) => {
                    res.samples.clear();
                    res.error = Some(e);
                }
            }
        }
    }
    WorkloadResult {
        section: w.section,
        name: w.name,
        unit: w.unit,
        impls: results,
    }
}

fn per_iter(m: Measurement, iters: u64) -> Sample {
    Sample {
        wall_ns: m.wall.as_nanos() as f64 / iters as f64,
        cpu_ns: m.cpu.as_nanos() as f64 / iters as f64,
    }
}

/// Finds an iteration count whose sample takes about `target`.
///
/// The count grows from 1 until a sample takes at least `target / 8`; the
/// decision is then taken on the fastest of three runs (unless one run
/// already takes far longer than a sample should), so one scheduling hiccup
/// cannot lock in a tiny count.
fn calibrate(mut run: impl FnMut(u64) -> Measurement, target: Duration) -> u64 {
    let mut iters = 1u64;
    loop {
        let mut wall = run(iters).wall.max(Duration::from_nanos(1));
        if wall >= target / 8 && wall < target * 4 {
            wall = wall.min(run(iters).wall).min(run(iters).wall);
        }
        let wall = wall.max(Duration::from_nanos(1));
        if wall >= target / 8 || iters >= 1 << 40 {
            let scaled = iters as f64 * target.as_secs_f64() / wall.as_secs_f64();
            return (scaled.round() as u64).max(1);
        }
        iters = iters.saturating_mul(if wall < target / 100 { 10 } else { 2 });
    }
}

fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panicked".to_string())
    })
}

/// A one-line progress bar on stderr.
struct Progress {
    done: usize,
    total: usize,
    enabled: bool,
    started: Instant,
}

impl Progress {
    /// Drawn only when asked for and stderr is a terminal (a redirected
    /// or piped run gets no control characters in its log).
    fn new(total: usize, enabled: bool) -> Self {
        use std::io::IsTerminal;
        Self {
            done: 0,
            total: total.max(1),
            enabled: enabled && std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    fn step(&mut self, what: &str) {
        self.done += 1;
        if !self.enabled {
            return;
        }
        const WIDTH: usize = 30;
        let filled = WIDTH * self.done.min(self.total) / self.total;
        let mut label: String = what.chars().take(60).collect();
        label.push_str(&" ".repeat(60usize.saturating_sub(label.chars().count())));
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {:>4}/{} {:>4}s {label}",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            self.done.min(self.total),
            self.total,
            self.started.elapsed().as_secs(),
        );
        if self.done >= self.total {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}
