//! `peerlab plan`: what each step of a topology will change, before it runs — sessions that
//! go up or down, prefixes that appear or vanish at each VPC, provider table and router, and
//! host pairs whose reachability changes, each with the trace's reason.
//!
//! The world is forked on the virtual clock by deterministic replay ([`replay`]): for each step
//! that acts (an API call, a cable, a router, a wait, an OVH or VRRP step, a drill's failure),
//! the topology is brought up in memory, its expectations and the steps before it are played
//! as `peerlab up` plays them, the world is let settle and looked at, the step is applied, the
//! world is let settle again and looked at once more; [`diff`] says what changed. Settling is
//! the expectations' polling: a look every 100 ms until nothing has changed for
//! [`replay::QUIET`] (at most [`replay::SETTLE_LIMIT`]), all on the virtual clock.
//! An expectation step changes nothing; the plan says whether it would hold there.
//!
//! A topology with FRR, BIRD or GoBGP routers is planned with peerlab's embedded router in
//! their place (same AS, announcements and plug; their own configuration is not read): a step
//! whose effect depends on such a router says so ([`Planned::Changes::predicted_with`]).
//!
//! On a running world (`peerlab plan --server URL --call '…'`), the running `serve` or kept
//! topology forecasts one SDK call itself ([`world::World::forecast`], the `api` crate's
//! `POST /peerlab/v1/plan`); [`call`] reads `--call` and [`diff`] compares its before and after.
//!
//! Not here: the command line (`peerlab`).

pub mod call;
pub mod diff;
pub mod replay;

pub use diff::{Changes, diff};

use crate::format::{RouterKind, Topology};
use serde::Serialize;

/// What one step will do.
#[derive(Clone, Debug, Serialize)]
pub struct StepPlan {
    /// Its number (from 1, as in the report).
    pub step: usize,
    /// What it is, in the report's words.
    pub what: String,
    /// What it will do.
    #[serde(flatten)]
    pub planned: Planned,
}

/// What a step will do.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Planned {
    /// An expectation: it changes nothing; whether it would hold there.
    Expectation {
        /// Whether it would hold (`None`: not reached, a step before it cannot be played).
        holds: Option<bool>,
        /// What it would see, or why not.
        detail: String,
    },
    /// The step's changes.
    Changes {
        /// What changed.
        changes: Changes,
        /// What the step itself said (`status active`, `cable pulled` …).
        detail: String,
        /// FRR, BIRD or GoBGP routers whose behaviour the change depends on, predicted with
        /// peerlab's embedded router (`onprem (frr)`).
        predicted_with: Vec<String>,
        /// False when the world was still changing at [`replay::SETTLE_LIMIT`].
        settled: bool,
    },
    /// The step would fail (the API refuses the call, the router does not exist …).
    Fails {
        /// Why.
        why: String,
    },
}

/// A whole plan.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// The topology's name.
    pub topology: String,
    /// What the plan assumed, one line each.
    pub notes: Vec<String>,
    /// Every step, in order.
    pub steps: Vec<StepPlan>,
}

/// The topology with every router embedded, and the daemons it replaced (`name (kind)`).
pub fn embedded(topology: &Topology) -> (Topology, Vec<(String, String)>) {
    let mut t = topology.clone();
    let mut daemons = Vec::new();
    for r in &mut t.routers {
        if r.kind != RouterKind::Embedded {
            daemons.push((r.name.get_ref().clone(), r.kind.name().to_string()));
            r.kind = RouterKind::Embedded;
        }
    }
    (t, daemons)
}

impl Plan {
    /// The plan as text: one block per step, one line per change.
    pub fn text(&self) -> String {
        let mut out = format!("plan of {}\n", self.topology);
        for note in &self.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
        for s in &self.steps {
            out.push_str(&format!("step {}: {}\n", s.step, s.what));
            match &s.planned {
                Planned::Expectation { holds, detail } => {
                    let verdict = match holds {
                        Some(true) => "would hold",
                        Some(false) => "would FAIL",
                        None => "not reached",
                    };
                    out.push_str(&format!(
                        "  an expectation (changes nothing): {verdict}: {detail}\n"
                    ));
                }
                Planned::Fails { why } => out.push_str(&format!("  FAILS: {why}\n")),
                Planned::Changes {
                    changes,
                    predicted_with,
                    settled,
                    ..
                } => {
                    if !predicted_with.is_empty() {
                        out.push_str(&format!(
                            "  depends on {}: predicted with peerlab's embedded router\n",
                            predicted_with.join(", ")
                        ));
                    }
                    let lines = changes.lines();
                    if lines.is_empty() {
                        out.push_str("  no change\n");
                    }
                    for line in lines {
                        out.push_str(&format!("  {line}\n"));
                    }
                    if !settled {
                        out.push_str(&format!(
                            "  (still changing after {} s of virtual time)\n",
                            replay::SETTLE_LIMIT.as_secs()
                        ));
                    }
                }
            }
        }
        out
    }

    /// Whether every step can be played and every expectation would hold.
    pub fn passes(&self) -> bool {
        self.steps.iter().all(|s| match &s.planned {
            Planned::Expectation { holds, .. } => *holds == Some(true),
            Planned::Fails { .. } => false,
            Planned::Changes { .. } => true,
        })
    }
}
