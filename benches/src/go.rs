//! Go twins: small Go programs under `benches/go/<section>/` that run the same
//! workloads with Go's own runtime, so the report can show Go's row beside
//! the Rust ones.
//!
//! Protocol: the twin of section `s` is built once with `go build`; it is then
//! run as `<binary> <workload> <iters>` and prints one line, `<wall_ns>
//! <cpu_ns>`, for the timed part only (CPU time from `getrusage`). Without a
//! `go` toolchain on the `PATH` the report says so and carries on.

use crate::measure::Measurement;
use crate::workload::Workload;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// Where the twins' sources live.
pub fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("go")
}

/// The version line of the `go` toolchain, or why there is none.
pub fn toolchain() -> Result<String, String> {
    static VERSION: OnceLock<Result<String, String>> = OnceLock::new();
    VERSION
        .get_or_init(|| {
            let out = Command::new("go")
                .arg("version")
                .output()
                .map_err(|_| "no `go` toolchain on the PATH".to_string())?;
            if !out.status.success() {
                return Err("`go version` failed".to_string());
            }
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        })
        .clone()
}

/// Builds (once per run) the twin of `section`; its binary path, or why not.
pub fn binary(section: &str) -> Result<PathBuf, String> {
    static BUILT: OnceLock<Mutex<HashMap<String, Result<PathBuf, String>>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    built
        .entry(section.to_string())
        .or_insert_with(|| build(section))
        .clone()
}

fn build(section: &str) -> Result<PathBuf, String> {
    toolchain()?;
    let src = source_dir();
    if !src.join(section).is_dir() {
        return Err(format!("no Go twin for section {section}"));
    }
    let out_dir = crate::report::out_dir().join("go");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let bin = out_dir.join(section);
    if up_to_date(&bin, &[src.join(section), src.join("twin")]) {
        return Ok(bin);
    }
    let out = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(format!("./{section}"))
        .current_dir(&src)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "go build ./{section} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(bin)
}

/// Whether `bin` is newer than every file in `dirs` (then `go build` is
/// skipped: it is slow to start, and under a real-time scheduling class its
/// spinning threads can starve each other).
fn up_to_date(bin: &Path, dirs: &[PathBuf]) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let Some(built) = modified(bin) else {
        return false;
    };
    dirs.iter().all(|dir| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .flatten()
                .all(|e| modified(&e.path()).is_some_and(|m| m <= built))
        })
    })
}

/// Runs the twin of `section` with `args` and returns what it printed.
pub fn output(section: &str, args: &[&str]) -> Result<String, String> {
    let bin = binary(section)?;
    let out = Command::new(&bin)
        .args(args)
        .output()
        .map_err(|e| format!("running {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "Go twin {section} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs workload `name` of the twin of `section` for `iters` iterations.
///
/// Panics (caught by the runner, which then reports the row as failed) if the
/// twin cannot be built or run.
pub fn run(section: &str, name: &str, iters: u64) -> Measurement {
    let text = output(section, &[name, &iters.to_string()]).unwrap_or_else(|e| panic!("{e}"));
    let mut nums = text.split_whitespace().map(|s| s.parse::<u64>());
    match (nums.next(), nums.next()) {
        (Some(Ok(wall)), Some(Ok(cpu))) => Measurement {
            wall: Duration::from_nanos(wall),
            cpu: Duration::from_nanos(cpu),
        },
        _ => panic!("Go twin {section} {name} printed {text:?}, expected `<wall_ns> <cpu_ns>`"),
    }
}

impl Workload {
    /// Adds Go's row, run by the twin of this workload's section under the
    /// twin's own workload name `go_name`, when a Go toolchain is installed.
    pub fn go(self, go_name: &str) -> Self {
        if toolchain().is_err() {
            return self;
        }
        let (section, go_name) = (self.section, go_name.to_string());
        self.peer("go", move |iters| run(section, &go_name, iters))
    }
}
