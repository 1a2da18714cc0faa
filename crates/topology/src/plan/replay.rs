//! The fork on the virtual clock: a topology replayed in memory up to a step, looked at before
//! and after the step (each time once the world has settled).

use super::{Plan, Planned, StepPlan, diff, embedded};
use crate::format::Topology;
use crate::runner::report::Report;
use crate::runner::{Lab, Mode, RunError, Why, bring_up, on_runtime, steps};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;
use world::forecast::{Look, SessionName};

/// How often a settling world is looked at.
pub const POLL: Duration = Duration::from_millis(100);
/// How long nothing may change before the world counts as settled (longer than the engine's
/// ConnectRetry, so a session retrying comes up within it).
pub const QUIET: Duration = Duration::from_secs(10);
/// The longest a world is let settle.
pub const SETTLE_LIMIT: Duration = Duration::from_secs(300);

/// Lets the world settle: looks every [`POLL`] until nothing changed for [`QUIET`]. The last
/// look, and whether it settled within [`SETTLE_LIMIT`].
pub async fn settle(lab: &Lab) -> Result<(Look, bool), Why> {
    let start = Instant::now();
    let mut last = lab.world.look_now().await?;
    let mut quiet_since = Instant::now();
    loop {
        tokio::time::sleep(POLL).await;
        let now = lab.world.look_now().await?;
        if !diff(&last, &now).is_empty() {
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= QUIET {
            return Ok((now, true));
        }
        last = now;
        if start.elapsed() >= SETTLE_LIMIT {
            return Ok((last, false));
        }
    }
}

/// What one replay saw: the report of what was played before the step, the step's plan, and
/// the session each router peers in (router → link name or OVH configuration name).
struct Replayed {
    report: Report,
    planned: Option<Planned>,
    peers_in: BTreeMap<String, String>,
}

/// Router → the session it peers in, named as the plan's session changes name it.
async fn peers_in(lab: &Lab) -> BTreeMap<String, String> {
    let Ok(inputs) = lab.world.inputs().await else {
        return BTreeMap::new();
    };
    let names = world::forecast::session_names(&inputs);
    let plugged = lab
        .plugged
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .map(|(router, p)| (router.clone(), p.landing.session()))
        .collect::<Vec<_>>();
    plugged
        .into_iter()
        .filter_map(|(router, session)| {
            let name = match names.get(&session)? {
                SessionName::Link { link, .. } => link.clone(),
                SessionName::Ovh { name } => name.clone(),
            };
            Some((router, name))
        })
        .collect()
}

/// Brings `topology` up in memory, plays up to step `index` (from 0) and, when it acts, plans
/// it; `index` past the end plays everything.
async fn replay(topology: Topology, path: String, index: usize) -> Result<Replayed, RunError> {
    let name = topology.name.get_ref().clone();
    let lab = bring_up(topology, &path, Mode::Virtual).await?;
    let mut report = Report::new(&name, "virtual");
    steps::play_upto(&lab, &mut report, &|_| {}, index).await;
    let Some(step) = lab.topology.steps.get(index).map(|s| s.get_ref().clone()) else {
        return Ok(Replayed {
            report,
            planned: None,
            peers_in: BTreeMap::new(),
        });
    };
    let mut peers = peers_in(&lab).await;
    let (before, _) = settle(&lab).await.map_err(|w| RunError::Refused(w.0))?;
    // A drill is planned as its failure, before anything is restored.
    let acted = match &step.drill {
        Some(d) => crate::runner::drill::inject(&lab, d).await,
        None => steps::act_settled(&lab, &step).await,
    };
    let planned = match acted {
        Err(why) => Planned::Fails { why: why.0 },
        Ok(detail) => {
            let (after, settled) = settle(&lab).await.map_err(|w| RunError::Refused(w.0))?;
            Planned::Changes {
                changes: diff(&before, &after),
                detail,
                predicted_with: Vec::new(),
                settled,
            }
        }
    };
    // A router may peer in a new session after the step (a link created, a VLAN changed).
    for (router, session) in peers_in(&lab).await {
        peers.entry(router).or_insert(session);
    }
    Ok(Replayed {
        report,
        planned: Some(planned),
        peers_in: peers,
    })
}

/// The daemon routers a step's change depends on: those it acts on, those whose routes change,
/// and those whose session changes (a daemon's reaction to its session is its own).
fn depends_on(
    step: &crate::format::Step,
    planned: &Planned,
    daemons: &[(String, String)],
    peers_in: &BTreeMap<String, String>,
) -> Vec<String> {
    let Planned::Changes { changes, .. } = planned else {
        return Vec::new();
    };
    let named = |name: &str| {
        let acted_on = [
            step.router.as_ref().map(|r| r.name.get_ref()),
            step.drill
                .as_ref()
                .and_then(|d| d.router.as_ref())
                .map(|r| r.get_ref()),
        ];
        acted_on.iter().flatten().any(|r| *r == name)
            || changes
                .routes
                .iter()
                .any(|r| r.place == format!("router \"{name}\""))
            || peers_in.get(name).is_some_and(|session| {
                changes
                    .sessions
                    .iter()
                    .any(|s| s.session == *session || s.session.starts_with(&format!("{session} ")))
            })
    };
    daemons
        .iter()
        .filter(|(name, _)| named(name))
        .map(|(name, kind)| format!("{name} ({kind})"))
        .collect()
}

/// Plans every step of `topology` (`path` names it in errors). Each replay runs on a runtime
/// of its own, on the paused clock, and everything it started ends with it. `progress` is told
/// of each step as it is planned.
pub fn plan(topology: &Topology, path: &str, progress: &dyn Fn(&str)) -> Result<Plan, RunError> {
    let (topology, daemons) = embedded(topology);
    let mut notes = vec![
        "each step is applied to the world replayed in memory on the virtual clock and settled after the steps before it".to_string(),
    ];
    for (name, kind) in &daemons {
        notes.push(format!(
            "router {name} is {kind}: planned with peerlab's embedded router in its place (same AS, announcements and plug; its own configuration is not read)"
        ));
    }
    let total = topology.steps.len();
    let mut plans: Vec<Option<Planned>> = vec![None; total];
    let mut reports: Vec<Report> = Vec::new();
    let acting: Vec<usize> = (0..total)
        .filter(|&i| {
            topology
                .steps
                .get(i)
                .is_some_and(|s| s.get_ref().expect.is_none())
        })
        .collect();
    // The last replay plays everything, for the expectations after the last acting step.
    let trailing = acting.last().is_none_or(|&last| last + 1 < total);
    let runs = acting.iter().copied().chain(trailing.then_some(total));
    for index in runs {
        if let Some(step) = topology.steps.get(index) {
            progress(&format!(
                "step {}: {}",
                index + 1,
                steps::describe_step(step.get_ref())
            ));
        }
        let (t, p) = (topology.clone(), path.to_string());
        let replayed = on_runtime(false, move |_| replay(t, p, index))?;
        if let (Some(planned), Some(step)) = (replayed.planned, topology.steps.get(index)) {
            let with = depends_on(step.get_ref(), &planned, &daemons, &replayed.peers_in);
            let planned = match planned {
                Planned::Changes {
                    changes,
                    detail,
                    settled,
                    ..
                } => Planned::Changes {
                    changes,
                    detail,
                    predicted_with: with,
                    settled,
                },
                other => other,
            };
            if let Some(slot) = plans.get_mut(index) {
                *slot = Some(planned);
            }
        }
        reports.push(replayed.report);
    }
    let mut out = Vec::new();
    for (i, step) in topology.steps.iter().enumerate() {
        let phase = format!("step {}", i + 1);
        let planned = match plans.get_mut(i).and_then(Option::take) {
            Some(p) => p,
            None => {
                let row = reports
                    .iter()
                    .find_map(|r| r.rows.iter().find(|row| row.phase == phase));
                match row {
                    Some(row) => Planned::Expectation {
                        holds: Some(row.outcome.ok),
                        detail: row.outcome.detail.clone(),
                    },
                    None => Planned::Expectation {
                        holds: None,
                        detail: "not reached".to_string(),
                    },
                }
            }
        };
        out.push(StepPlan {
            step: i + 1,
            what: steps::describe_step(step.get_ref()),
            planned,
        });
    }
    Ok(Plan {
        topology: topology.name.get_ref().clone(),
        notes,
        steps: out,
    })
}
