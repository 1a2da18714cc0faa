//! The markdown tables: the main comparison (every receiver, both sources, the main size) and
//! the scaling series (fast source, every size).

use crate::measure::Sample;
use crate::sources::FAST;
use std::fmt::Write as _;

const MIB: f64 = 1024.0 * 1024.0;

/// One run's outcome.
pub struct Row {
    /// The receiver's name.
    pub receiver: &'static str,
    /// The source's name.
    pub source: &'static str,
    /// Routes announced.
    pub routes: usize,
    /// How many runs succeeded (the figures are their medians).
    pub runs: usize,
    /// What was measured, or why the run failed.
    pub outcome: Result<Sample, String>,
}

/// Both tables, as markdown.
pub fn render(rows: &[Row], main_routes: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {} routes, every source\n", thousands(main_routes));
    out.push_str(
        "| receiver | source | Established → all routes (s) | → CPU quiet (s) | CPU (s) \
         | CPU per route (µs) | idle RSS (MiB) | peak RSS (MiB) | RSS after (MiB) \
         | peak RSS per route (B) | runs |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for row in rows.iter().filter(|r| r.routes == main_routes) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.receiver,
            row.source,
            main_cells(row),
            row.runs
        );
    }
    let _ = writeln!(out, "\n### Scaling (fast source)\n");
    out.push_str(
        "| receiver | routes | Established → all routes (s) | → CPU quiet (s) | CPU (s) \
         | CPU per route (µs) | peak RSS (MiB) | peak RSS per route (B) | runs |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let mut scaling: Vec<&Row> = rows.iter().filter(|r| r.source == FAST).collect();
    scaling.sort_by_key(|r| (r.receiver, r.routes));
    for row in scaling {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.receiver,
            thousands(row.routes),
            scaling_cells(row),
            row.runs
        );
    }
    out
}

fn main_cells(row: &Row) -> String {
    match &row.outcome {
        Ok(s) => format!(
            "{:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1} | {:.1} | {:.0}",
            s.converged.as_secs_f64(),
            s.settled.as_secs_f64(),
            s.cpu.as_secs_f64(),
            per_route_us(s, row.routes),
            s.idle_rss as f64 / MIB,
            s.peak_rss as f64 / MIB,
            s.settled_rss as f64 / MIB,
            rss_per_route(s, row.routes),
        ),
        Err(e) => failed(e),
    }
}

fn scaling_cells(row: &Row) -> String {
    match &row.outcome {
        Ok(s) => format!(
            "{:.2} | {:.2} | {:.2} | {:.2} | {:.1} | {:.0}",
            s.converged.as_secs_f64(),
            s.settled.as_secs_f64(),
            s.cpu.as_secs_f64(),
            per_route_us(s, row.routes),
            s.peak_rss as f64 / MIB,
            rss_per_route(s, row.routes),
        ),
        Err(e) => failed(e),
    }
}

fn failed(error: &str) -> String {
    let first = error.lines().next().unwrap_or(error).replace('|', "/");
    format!("failed: {first}")
}

fn per_route_us(s: &Sample, routes: usize) -> f64 {
    s.cpu.as_secs_f64() * 1e6 / routes.max(1) as f64
}

fn rss_per_route(s: &Sample, routes: usize) -> f64 {
    s.peak_rss.saturating_sub(s.idle_rss) as f64 / routes.max(1) as f64
}

/// 1000000 → 1,000,000.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|group| std::str::from_utf8(group).unwrap_or("?"))
        .collect();
    groups.join(",")
}
