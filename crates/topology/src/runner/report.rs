//! The report of a run: one row per expectation and step, as a table for people or JSON for
//! machines (`--json`).

use serde_json::{Value, json};
use std::time::Duration;

/// What came of one expectation or step.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// What was checked or done.
    pub what: String,
    /// Whether it held (or succeeded).
    pub ok: bool,
    /// What was seen, or why it failed.
    pub detail: String,
    /// When it was settled, on the runner's clock since the topology was up.
    pub at: Duration,
}

impl Outcome {
    /// An outcome from a check's or action's result.
    pub fn new(what: String, result: super::error::Verdict, at: Duration) -> Self {
        let (ok, detail) = match result {
            Ok(d) => (true, d),
            Err(d) => (false, d.0),
        };
        Self {
            what,
            ok,
            detail,
            at,
        }
    }
}

/// A row: where in the topology, and what came of it.
#[derive(Clone, Debug)]
pub struct Row {
    /// `expect #2`, `step 3`.
    pub phase: String,
    /// The outcome.
    pub outcome: Outcome,
}

/// The whole report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The topology's name.
    pub topology: String,
    /// `virtual` (embedded routers) or `real`.
    pub clock: &'static str,
    /// Rows in order.
    pub rows: Vec<Row>,
}

impl Report {
    /// An empty report.
    pub fn new(topology: &str, clock: &'static str) -> Self {
        Self {
            topology: topology.to_string(),
            clock,
            rows: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn push(&mut self, phase: String, outcome: Outcome) {
        self.rows.push(Row { phase, outcome });
    }

    /// Whether every row passed.
    pub fn passed(&self) -> bool {
        self.rows.iter().all(|r| r.outcome.ok)
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "topology": self.topology,
            "passed": self.passed(),
            "clock": self.clock,
            "results": self.rows.iter().map(|r| json!({
                "phase": r.phase,
                "check": r.outcome.what,
                "ok": r.outcome.ok,
                "at_ms": u64::try_from(r.outcome.at.as_millis()).unwrap_or(u64::MAX),
                "detail": r.outcome.detail,
            })).collect::<Vec<_>>(),
        })
    }

    /// The report as a table.
    pub fn to_table(&self) -> String {
        let header = ["", "phase", "check", "at", "detail"];
        let rows: Vec<[String; 5]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    if r.outcome.ok { "ok" } else { "FAIL" }.to_string(),
                    r.phase.clone(),
                    r.outcome.what.clone(),
                    format!("{:.1}s", r.outcome.at.as_secs_f64()),
                    r.outcome.detail.clone(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i + 1 == cells.len() {
                    s.push_str(cell);
                } else {
                    s.push_str(&format!("{cell:<w$}  "));
                }
            }
            s.trim_end().to_string() + "\n"
        };
        out.push_str(&line(&header.map(str::to_string)));
        for row in &rows {
            out.push_str(&line(row));
        }
        let failed = self.rows.iter().filter(|r| !r.outcome.ok).count();
        let total = self.rows.len();
        out.push_str(&format!(
            "{}: {} of {total} passed ({} clock){}\n",
            self.topology,
            total - failed,
            self.clock,
            if failed == 0 {
                String::new()
            } else {
                format!(", {failed} FAILED")
            }
        ));
        out
    }
}
