//! `cargo run --release -p gort-bench`: gort against its peers, side by side.

use gort_bench::{Config, report};

#[global_allocator]
static ALLOC: gort_bench::alloc::CountingAlloc = gort_bench::alloc::CountingAlloc;
use std::path::PathBuf;
use std::time::Instant;

const USAGE: &str = "\
gort-bench: gort against std, crossbeam and the best crate of each area (and Go)

usage: cargo run --release -p gort-bench -- [options]
  --filter TEXT   only workloads whose section/name contains TEXT (repeatable)
  --impl NAME     only this implementation (repeatable; for profiling)
  --full          longer samples and 15 repetitions instead of 7
  --reps N        repetitions per implementation (at least 7 for the report)
  --json PATH     where to write the JSON results
                  (default: target/gort-bench/report.json)
  --list          list the workloads and exit
  --no-progress   no progress bar on stderr
  -h, --help      this text";

fn main() {
    let mut cfg = Config::quick();
    let mut json: Option<PathBuf> = None;
    let mut list = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| fail(&format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--filter" => cfg.filters.push(value("--filter")),
            "--impl" => cfg.impls.push(value("--impl")),
            "--full" => {
                let keep = (cfg.filters.clone(), cfg.impls.clone(), cfg.progress);
                cfg = Config::full();
                (cfg.filters, cfg.impls, cfg.progress) = keep;
            }
            "--reps" => {
                cfg.reps = value("--reps")
                    .parse()
                    .unwrap_or_else(|_| fail("--reps needs a number"))
            }
            "--json" => json = Some(PathBuf::from(value("--json"))),
            "--list" => list = true,
            "--no-progress" => cfg.progress = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            // `cargo bench` passes --bench to every target; ignore it.
            "--bench" => {}
            other => fail(&format!("unknown option {other}")),
        }
    }
    let workloads = gort_bench::sections::all(|s| cfg.selects_section(s));
    if list {
        for w in workloads.iter().filter(|w| cfg.selects(&w.id())) {
            let impls: Vec<&str> = w.impls.iter().map(|i| i.name.as_str()).collect();
            println!("{}  [{}]", w.id(), impls.join(", "));
        }
        return;
    }
    let go = gort_bench::go::toolchain();
    println!("# gort-bench report\n");
    println!(
        "{} repetitions per implementation, interleaved; samples of ~{} ms.",
        cfg.reps,
        cfg.sample.as_millis(),
    );
    match &go {
        Ok(v) => println!("Go twins: {v}.\n"),
        Err(why) => println!("Go twins: not run ({why}).\n"),
    }
    let started = Instant::now();
    let mut section = "";
    let results = gort_bench::run_each(workloads, &cfg, |w| {
        if w.section != section {
            section = w.section;
            println!("## {section}\n");
        }
        println!("{}", report::markdown_table(w));
    });
    println!(
        "{} workloads in {:.0} s.\n",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    let tables = gort_bench::sections::tables(|s| cfg.selects_section(s));
    for t in &tables {
        println!("{}", t.markdown());
    }
    println!("{}", report::markdown_summary(&results));

    let dir = report::out_dir();
    let json = json.unwrap_or_else(|| dir.join("report.json"));
    let meta = [
        ("reps", cfg.reps.to_string()),
        ("sample_ms", cfg.sample.as_millis().to_string()),
        ("go", go.clone().unwrap_or_else(|e| e)),
        (
            "threads",
            std::thread::available_parallelism()
                .map_or(0, |n| n.get())
                .to_string(),
        ),
    ];
    let svg = dir.join("report.svg");
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| {
            if let Some(parent) = json.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&json, report::json(&results, &tables, &meta))
        })
        .and_then(|()| std::fs::write(&svg, report::svg(&results)));
    match written {
        Ok(()) => println!("Wrote {} and {}.", json.display(), svg.display()),
        Err(e) => fail(&format!("writing the report: {e}")),
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("gort-bench: {msg}\n\n{USAGE}");
    std::process::exit(2)
}
