//! The report: markdown tables on stdout, JSON and an SVG chart on disk.

use crate::runner::{ImplResult, WorkloadResult};
use crate::workload::ImplKind;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `target/gort-bench/` of this workspace (or of `CARGO_TARGET_DIR`).
pub fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("gort-bench")
}

/// A table a section adds to the report beside its timings (e.g. memory
/// per channel).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The section it belongs to.
    pub section: &'static str,
    /// Its heading.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// One row per line, one cell per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// As markdown.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "#### {}\n\n| {} |\n|{}\n",
            self.title,
            self.columns.join(" | "),
            "---|".repeat(self.columns.len())
        );
        for row in &self.rows {
            let _ = writeln!(s, "| {} |", row.join(" | "));
        }
        s
    }

    fn json(&self) -> String {
        let cells = |v: &[String]| v.iter().map(|c| json_str(c)).collect::<Vec<_>>().join(",");
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|r| format!("[{}]", cells(r)))
            .collect();
        format!(
            "{{\"section\":{},\"title\":{},\"columns\":[{}],\"rows\":[{}]}}",
            json_str(self.section),
            json_str(&self.title),
            cells(&self.columns),
            rows.join(",")
        )
    }
}

fn ns(v: f64) -> String {
    if !v.is_finite() {
        "–".to_string()
    } else if v >= 100_000.0 {
        format!("{:.0}µs", v / 1000.0)
    } else if v >= 10_000.0 {
        format!("{:.1}µs", v / 1000.0)
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// One workload as a markdown table.
pub fn markdown_table(w: &WorkloadResult) -> String {
    let mut s = String::new();
    let best = w.best_median();
    let _ = writeln!(s, "#### {} (ns per {})\n", w.id(), w.unit);
    let _ = writeln!(s, "| impl | median | min–max | CPU/{} | vs best |", w.unit);
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    for i in &w.impls {
        let name = match i.kind {
            ImplKind::Gort => format!("**{}**", i.name),
            ImplKind::Peer => i.name.clone(),
            ImplKind::Limit => format!("_{} (limit)_", i.name),
        };
        if let Some(e) = &i.error {
            let _ = writeln!(s, "| {name} | failed: {} | | | |", e.replace('|', "/"));
            continue;
        }
        let rel = i.median() / best;
        let rel = if rel <= 1.0005 {
            "best".to_string()
        } else {
            format!("{rel:.2}× slower")
        };
        let _ = writeln!(
            s,
            "| {name} | {} | {}–{} | {} | {rel} |",
            ns(i.median()),
            ns(i.min()),
            ns(i.max()),
            ns(i.cpu_median()),
        );
    }
    if let Some(v) = w.verdict() {
        let _ = writeln!(
            s,
            "\ngort vs best peer ({}): **{:.2}**{}",
            v.peer,
            v.ratio,
            if v.tie { " (tie: ranges overlap)" } else { "" }
        );
    }
    s
}

/// The closing summary: one line per workload with gort's ratio.
pub fn markdown_summary(results: &[WorkloadResult]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "### Summary: gort vs the best peer (ratio ≥ 1.00: gort at least as fast)\n"
    );
    let _ = writeln!(
        s,
        "| workload | gort | best peer | peer | ratio | CPU gort/peer | verdict |"
    );
    let _ = writeln!(s, "|---|---:|---:|---|---:|---:|---|");
    for w in results {
        let (Some(g), Some(p), Some(v)) = (w.gort(), w.best_peer(), w.verdict()) else {
            continue;
        };
        let verdict = if v.tie {
            "tie"
        } else if v.ratio >= 1.0 {
            "win"
        } else {
            "behind"
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.2} | {:.2} | {verdict} |",
            w.id(),
            ns(g.median()),
            ns(p.median()),
            v.peer,
            v.ratio,
            g.cpu_median() / p.cpu_median(),
        );
    }
    s
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "null".to_string()
    }
}

fn json_impl(i: &ImplResult) -> String {
    let samples: Vec<String> = i
        .samples
        .iter()
        .map(|s| format!("[{},{}]", json_num(s.wall_ns), json_num(s.cpu_ns)))
        .collect();
    format!(
        "{{\"name\":{},\"kind\":{},\"iters\":{},\"median_ns\":{},\"min_ns\":{},\"max_ns\":{},\"cpu_median_ns\":{},\"error\":{},\"samples_wall_cpu_ns\":[{}]}}",
        json_str(&i.name),
        json_str(&format!("{:?}", i.kind).to_lowercase()),
        i.iters,
        json_num(i.median()),
        json_num(i.min()),
        json_num(i.max()),
        json_num(i.cpu_median()),
        i.error.as_deref().map_or("null".to_string(), json_str),
        samples.join(","),
    )
}

/// All results as JSON.
pub fn json(results: &[WorkloadResult], tables: &[Table], meta: &[(&str, String)]) -> String {
    let meta: Vec<String> = meta
        .iter()
        .map(|(k, v)| format!("{}:{}", json_str(k), json_str(v)))
        .collect();
    let workloads: Vec<String> = results
        .iter()
        .map(|w| {
            let verdict = w.verdict().map_or("null".to_string(), |v| {
                format!(
                    "{{\"peer\":{},\"ratio\":{},\"tie\":{}}}",
                    json_str(&v.peer),
                    json_num(v.ratio),
                    v.tie
                )
            });
            let impls: Vec<String> = w.impls.iter().map(json_impl).collect();
            format!(
                "{{\"section\":{},\"name\":{},\"unit\":{},\"verdict\":{},\"impls\":[{}]}}",
                json_str(w.section),
                json_str(&w.name),
                json_str(w.unit),
                verdict,
                impls.join(",")
            )
        })
        .collect();
    let tables: Vec<String> = tables.iter().map(Table::json).collect();
    format!(
        "{{\"meta\":{{{}}},\"workloads\":[\n{}\n],\"tables\":[\n{}\n]}}\n",
        meta.join(","),
        workloads.join(",\n"),
        tables.join(",\n")
    )
}

/// One colour per implementation name: gort's red, the limits grey, and the
/// peers distinct colours in order of first appearance in the report (so a
/// name keeps its colour from chart row to chart row).
struct Colors<'a> {
    peers: Vec<&'a str>,
}

impl<'a> Colors<'a> {
    const PALETTE: [&'static str; 12] = [
        "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2", "#9c755f", "#ff9da7",
        "#17becf", "#8c564b", "#1f3b73", "#6b8e23",
    ];

    fn new(results: &'a [WorkloadResult]) -> Self {
        let mut peers: Vec<&str> = Vec::new();
        for i in results.iter().flat_map(|w| &w.impls) {
            if i.kind == ImplKind::Peer && !peers.contains(&i.name.as_str()) {
                peers.push(&i.name);
            }
        }
        Self { peers }
    }

    fn of(&self, name: &str, kind: ImplKind) -> &'static str {
        match kind {
            ImplKind::Gort => "#e15759",
            ImplKind::Limit => "#bab0ac",
            ImplKind::Peer => {
                let i = self.peers.iter().position(|p| *p == name).unwrap_or(0);
                Self::PALETTE[i % Self::PALETTE.len()]
            }
        }
    }
}

/// A duration in ns as a label with its unit: "87.5 ns", "49.9 µs", "3.2 ms".
fn with_unit(v: f64) -> String {
    if !v.is_finite() {
        "–".to_string()
    } else if v >= 1_000_000.0 {
        format!("{:.1} ms", v / 1_000_000.0)
    } else if v >= 1_000.0 {
        format!("{:.1} µs", v / 1_000.0)
    } else {
        format!("{v:.1} ns")
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A horizontal bar chart: per workload, each implementation's speed relative
/// to the fastest (the longest bar is the fastest; labels give ns/op).
pub fn svg(results: &[WorkloadResult]) -> String {
    const ROW: f64 = 14.0;
    const LABEL: f64 = 330.0;
    const BAR: f64 = 420.0;
    let colors = Colors::new(results);
    let mut body = String::new();
    // The legend: one swatch per implementation, gort and the limits first.
    let mut legend: Vec<(&str, ImplKind)> = Vec::new();
    for i in results.iter().flat_map(|w| &w.impls) {
        if !legend.iter().any(|(n, _)| *n == i.name) {
            legend.push((&i.name, i.kind));
        }
    }
    legend.sort_by_key(|(_, k)| match k {
        ImplKind::Gort => 0,
        ImplKind::Peer => 1,
        ImplKind::Limit => 2,
    });
    let (mut x, mut y) = (4.0, 30.0);
    for (name, kind) in legend {
        let width = 14.0 + 6.5 * name.chars().count() as f64 + 12.0;
        if x + width > LABEL + BAR + 110.0 {
            (x, y) = (4.0, y + ROW);
        }
        let _ = writeln!(
            body,
            r#"<rect x="{x:.0}" y="{:.0}" width="10" height="10" fill="{}"/><text x="{:.0}" y="{:.0}">{}</text>"#,
            y + 1.0,
            colors.of(name, kind),
            x + 14.0,
            y + 10.0,
            xml(name),
        );
        x += width;
    }
    y += ROW + 8.0;
    for w in results {
        let best = w.best_median();
        let _ = writeln!(
            body,
            r#"<text x="4" y="{:.0}" font-weight="bold">{} (time per {})</text>"#,
            y + 10.0,
            xml(&w.id()),
            xml(w.unit)
        );
        y += ROW + 2.0;
        for i in &w.impls {
            let (len, label) = if i.ok() {
                (BAR * best / i.median(), with_unit(i.median()))
            } else {
                (0.0, "failed".to_string())
            };
            let _ = writeln!(
                body,
                r#"<text x="{:.0}" y="{:.0}" text-anchor="end">{}</text><rect x="{LABEL:.0}" y="{:.0}" width="{len:.1}" height="{:.0}" fill="{}"/><text x="{:.0}" y="{:.0}">{}</text>"#,
                LABEL - 6.0,
                y + 10.0,
                xml(&i.name),
                y + 1.0,
                ROW - 3.0,
                colors.of(&i.name, i.kind),
                LABEL + len + 4.0,
                y + 10.0,
                xml(&label),
            );
            y += ROW;
        }
        y += 8.0;
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">gort-bench: bar length = speed relative to the fastest (longer is faster)</text>\n{body}</svg>\n",
        LABEL + BAR + 120.0,
        y + 10.0
    )
}
