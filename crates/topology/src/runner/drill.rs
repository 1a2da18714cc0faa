//! The `drill` step: a failure injected while a probe stream runs between two hosts, and the
//! convergence measured on the runner's clock ([`Measured`]):
//! - the time until the provider withdraws what it learned over the failed session (its
//!   routes leave the provider's tables; a VRRP failover withdraws nothing);
//! - the time until traffic gets through again (over another path, or the same one once the
//!   failure is undone with `restore_after`);
//! - how long probes were dropped.
//!
//! In memory the probes are the model's: one every 10 ms of virtual time, each a ping's two
//! directions traced through the world's model (the same walk as `reach`). In namespace mode
//! they are a real `ping -i 0.01` from the source host's namespace; a probe counts as dropped
//! when its echo reply never came (the numbers are then on the wall clock, at ping's 10 ms
//! resolution). The provider's withdrawal is read from the engine every 10 ms in both modes.
//!
//! A drill passes when the probe gets through before the failure and again within `within`.

use super::error::{Verdict, Why};
use super::lab::Lab;
use super::steps::act_settled;
use crate::format::{
    Drill, LinkAction, LinkState, RouterAction, RouterOperation, Step, VrrpAction, VrrpOperation,
    VrrpRouter,
};
use engine::Family;
use serde::Serialize;
use std::time::Duration;
use tokio::time::Instant;

/// One probe every 10 ms.
pub const PROBE_EVERY: Duration = Duration::from_millis(10);
/// With no probe lost, how long after the provider withdrew the drill keeps watching.
const GRACE: Duration = Duration::from_secs(1);

/// What a drill measured (milliseconds on the runner's clock since the failure).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Measured {
    /// What failed.
    pub failure: String,
    /// The probe stream's source and destination.
    pub probe: (String, String),
    /// Probes sent after the failure.
    pub probes: u32,
    /// Of which dropped.
    pub probes_dropped: u32,
    /// How long probes were dropped (dropped × 10 ms).
    pub dropped_ms: u64,
    /// Until the provider withdrew the failed session's routes (`None`: nothing to withdraw,
    /// or not within the window).
    pub withdrawn_after_ms: Option<u64>,
    /// Until the first probe got through after the first one dropped (`None` when none was
    /// dropped, or none got through again).
    pub traffic_back_after_ms: Option<u64>,
    /// Whether the probe came back over another path than before the failure.
    pub other_path: Option<bool>,
    /// When the failure was undone (`restore_after`).
    pub restored_after_ms: Option<u64>,
    /// Whether the failed session had routes the provider could withdraw.
    pub withdrawable: bool,
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

impl Measured {
    /// The report's words.
    pub fn text(&self) -> String {
        let mut parts = vec![self.failure.clone()];
        parts.push(match (self.withdrawn_after_ms, self.withdrawable) {
            (Some(t), _) => format!("the provider withdrew after {}", seconds(t)),
            (None, true) => "the provider did not withdraw (its session stayed up)".to_string(),
            (None, false) => "the provider had nothing to withdraw".to_string(),
        });
        let back = match (self.probes_dropped, self.traffic_back_after_ms) {
            (0, _) => "no probe was dropped".to_string(),
            (_, None) => "traffic did not come back".to_string(),
            (_, Some(t)) => {
                let how = match (self.other_path, self.restored_after_ms) {
                    (Some(true), _) => " over another path".to_string(),
                    (_, Some(r)) if r <= t => format!(" once restored at {}", seconds(r)),
                    _ => " over the same path".to_string(),
                };
                format!("traffic back after {}{how}", seconds(t))
            }
        };
        parts.push(back);
        parts.push(format!(
            "{} → {}: probes dropped for {} ({} of {})",
            self.probe.0,
            self.probe.1,
            seconds(self.dropped_ms),
            self.probes_dropped,
            self.probes
        ));
        parts.join("; ")
    }

    /// Whether traffic got through again (or never stopped).
    pub fn recovered(&self) -> bool {
        self.probes_dropped == 0 || self.traffic_back_after_ms.is_some()
    }
}

fn name(text: &str) -> crate::format::Name {
    toml::Spanned::new(0..0, text.to_string())
}

/// The step that injects (`undo = false`) or undoes the failure; `vrrp` is the router that
/// was master.
pub(crate) fn step_of(d: &Drill, undo: bool, vrrp: Option<VrrpRouter>) -> Option<Step> {
    let mut step = Step::default();
    if let Some(link) = &d.cable {
        let state = if undo { LinkState::Up } else { LinkState::Down };
        step.link = Some(LinkAction {
            name: link.clone(),
            state,
        });
    } else if let Some(router) = &d.router {
        let action = if undo {
            RouterOperation::Start
        } else {
            RouterOperation::Stop
        };
        step.router = Some(RouterAction {
            name: router.clone(),
            action,
        });
    } else if let Some(dc) = &d.vrrp_master {
        let action = if undo {
            VrrpOperation::Start
        } else {
            VrrpOperation::Crash
        };
        step.vrrp = Some(VrrpAction {
            datacenter: name(dc.get_ref()),
            router: vrrp?,
            action,
        });
    }
    Some(step)
}

/// The VRRP master the drill crashes, if it is a VRRP drill.
pub(crate) async fn vrrp_master(lab: &Lab, d: &Drill) -> Result<Option<VrrpRouter>, Why> {
    let Some(dc) = &d.vrrp_master else {
        return Ok(None);
    };
    match super::vrrp::master(lab, dc.get_ref()).await? {
        Some(m) => Ok(Some(m)),
        None => Err(Why(format!("{} has no VRRP master to crash", dc.get_ref()))),
    }
}

/// Injects the drill's failure only (what `peerlab plan` applies).
pub async fn inject(lab: &Lab, d: &Drill) -> Verdict {
    let master = vrrp_master(lab, d).await?;
    let step = step_of(d, false, master).ok_or("nothing to fail")?;
    act_settled(lab, &step).await?;
    Ok(d.failure())
}

/// The engine session whose routes the failure withdraws: the link's, or the router's.
fn failed_session(lab: &Lab, d: &Drill) -> Option<String> {
    let plugged = lab
        .plugged
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(router) = &d.router {
        return plugged.get(router.get_ref()).map(|p| p.landing.session());
    }
    None
}

/// The session the failure withdraws routes of, if it has any installed now.
pub(crate) async fn session_with_routes(lab: &Lab, d: &Drill) -> Result<Option<String>, Why> {
    let link = match &d.cable {
        Some(l) => Some(lab.link_id(l.get_ref()).await?.to_string()),
        None => failed_session(lab, d),
    };
    match link {
        Some(id) if installed(lab, &id).await > 0 => Ok(Some(id)),
        _ => Ok(None),
    }
}

/// How many routes the provider holds from session `id` (none when it is gone).
pub(crate) async fn installed(lab: &Lab, id: &str) -> usize {
    match lab.world.engine().snapshot(id).await {
        Ok(s) => Family::ALL
            .iter()
            .filter_map(|f| s.session(*f))
            .map(|s| s.installed.len())
            .sum(),
        Err(_) => 0,
    }
}

/// One probe through the model: whether both ways got through, and the path both took.
async fn probe(lab: &Lab, from: &str, to: &str) -> Result<(bool, Vec<String>), Why> {
    let model = lab.world.model().await?;
    let node = |n: &str| {
        model
            .node(n)
            .ok_or_else(|| Why(format!("{n} is not in the model")))
    };
    let reach = model
        .net
        .reach(node(from)?, node(to)?)
        .map_err(|e| Why(e.to_string()))?;
    if let Some(capture) = &lab.capture {
        capture.reach(&reach);
    }
    // The path: every hop of the echo and of its reply, with the ports it crossed.
    let path = [&reach.forward, &reach.reverse]
        .iter()
        .flat_map(|t| t.hops.iter().map(ToString::to_string))
        .collect();
    Ok((reach.is_reachable(), path))
}

/// Whether a drill has seen enough: traffic got through again and, when the failure is undone,
/// it was undone (a withdrawal can no longer come); when it stays, the provider withdrew.
pub(crate) fn done(
    withdrawn: bool,
    through: bool,
    restore_after: Option<Duration>,
    restored: Option<u64>,
) -> bool {
    match restore_after {
        Some(_) => through && restored.is_some(),
        None => through && withdrawn,
    }
}

/// Runs the drill; the verdict and what was measured.
pub async fn run(lab: &Lab, d: &Drill) -> (Verdict, Option<Measured>) {
    match measure(lab, d).await {
        Ok(m) if m.recovered() => (Ok(m.text()), Some(m)),
        Ok(m) => (
            Err(Why(format!(
                "{} within {}",
                m.text(),
                seconds(ms(d.window()))
            ))),
            Some(m),
        ),
        Err(why) => (Err(why), None),
    }
}

async fn measure(lab: &Lab, d: &Drill) -> Result<Measured, Why> {
    if let Some(kernels) = lab.kernels.clone() {
        return super::drill_ping::measure(lab, d, kernels).await;
    }
    let (from, to) = (
        d.probe.from.get_ref().as_str(),
        d.probe.to.get_ref().as_str(),
    );
    let (ok, baseline) = probe(lab, from, to).await?;
    if !ok {
        let why = super::expect::reach_in(&lab.world.model().await?, from, to)
            .err()
            .map_or_else(String::new, |w| w.0);
        return Err(Why(format!(
            "before the drill {from} does not reach {to}: {why}"
        )));
    }
    let mut m = Measured {
        failure: d.failure(),
        probe: (from.to_string(), to.to_string()),
        ..Default::default()
    };
    let session = session_with_routes(lab, d).await?;
    m.withdrawable = session.is_some();
    let master = vrrp_master(lab, d).await?;
    let restore_after = d.restore_after.map(|r| r.0);
    let start = Instant::now();
    let step = step_of(d, false, master).ok_or("nothing to fail")?;
    act_settled(lab, &step).await?;
    let mut first_drop = None;
    loop {
        let t = start.elapsed();
        if m.restored_after_ms.is_none() && restore_after.is_some_and(|r| t >= r) {
            m.restored_after_ms = Some(ms(start.elapsed()));
            if let Some(undo) = step_of(d, true, master) {
                act_settled(lab, &undo).await?;
            }
        }
        let (ok, path) = probe(lab, from, to).await?;
        m.probes += 1;
        if !ok {
            m.probes_dropped += 1;
            first_drop.get_or_insert(t);
        } else if first_drop.is_some() && m.traffic_back_after_ms.is_none() {
            m.traffic_back_after_ms = Some(ms(t));
            m.other_path = Some(path != baseline);
        }
        if let Some(id) = &session
            && m.withdrawn_after_ms.is_none()
            && installed(lab, id).await == 0
        {
            m.withdrawn_after_ms = Some(ms(start.elapsed()));
        }
        let withdrawn = session.is_none() || m.withdrawn_after_ms.is_some();
        let through = m.traffic_back_after_ms.is_some() || (first_drop.is_none() && t >= GRACE);
        if done(withdrawn, through, restore_after, m.restored_after_ms) || t >= d.window() {
            break;
        }
        tokio::time::sleep(PROBE_EVERY).await;
    }
    if restore_after.is_some() && m.restored_after_ms.is_none() {
        m.restored_after_ms = Some(ms(start.elapsed()));
        if let Some(undo) = step_of(d, true, master) {
            act_settled(lab, &undo).await?;
        }
    }
    m.dropped_ms = u64::from(m.probes_dropped) * ms(PROBE_EVERY);
    Ok(m)
}
