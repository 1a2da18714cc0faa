//! OVH's VRRP gateway of an l3 datacenter in `peerlab up`: the `vrrp = { datacenter, router,
//! action }` step and the `vrrp_master` expectation (with its optional `router`).
//!
//! In memory the election is the world's ([`world::vrrp`]); in namespace mode OVH's routers
//! `A` and `B` run for real ([`linux::render::vrrp`]): the step crashes, stops or starts a
//! speaker, and the expectation reads the speakers.

use super::error::{Verdict, Why};
use super::lab::Lab;
use crate::format::{VrrpAction, VrrpOperation, VrrpRouter};
use provider::ovh_connect::rules::VrrpRouter as Router;
use world::vrrp::RouterAction;

/// The product's router of the format's.
fn router(r: VrrpRouter) -> Router {
    match r {
        VrrpRouter::A => Router::A,
        VrrpRouter::B => Router::B,
    }
}

/// The world's action of the format's.
fn action(op: VrrpOperation) -> RouterAction {
    match op {
        VrrpOperation::Crash => RouterAction::Crash,
        VrrpOperation::Stop => RouterAction::Stop,
        VrrpOperation::Start => RouterAction::Start,
    }
}

/// The report's words for the step.
pub fn describe_action(a: &VrrpAction) -> String {
    format!(
        "vrrp {} {} {}",
        a.datacenter.get_ref(),
        a.router.name(),
        a.action.name()
    )
}

/// The report's words for `vrrp_master`.
pub fn describe(name: &str, router: Option<VrrpRouter>) -> String {
    match router {
        Some(r) => format!("vrrp gateway of {name} has master {}", r.name()),
        None => format!("vrrp gateway of {name} has a master"),
    }
}

/// The datacenter configuration's ID.
fn config_id(lab: &Lab, name: &str) -> Result<u64, Why> {
    lab.ovh
        .created
        .get(name)
        .map(|c| c.id)
        .ok_or_else(|| Why(format!("{name} was not created")))
}

/// Carries out the step: on the real speakers in namespace mode, else in the world's election.
pub async fn act(lab: &Lab, a: &VrrpAction) -> Verdict {
    let dc = a.datacenter.get_ref().clone();
    let (r, op) = (router(a.router), action(a.action));
    if let Some(kernels) = lab.kernels.clone()
        && kernels.vrrp().runs(&dc)
    {
        return tokio::task::spawn_blocking(move || kernels.vrrp().act(&dc, r, op))
            .await
            .map_err(|e| Why(e.to_string()))?
            .map_err(Why::from);
    }
    let id = config_id(lab, &dc)?;
    let master = lab
        .world
        .write(move |s, _| {
            let gateway = s.live.gateways.get_mut(&id).ok_or_else(|| {
                Why(format!(
                    "{dc} has no VRRP gateway (a bgp extra replaces it)"
                ))
            })?;
            gateway.act(r, op);
            Ok::<_, Why>(gateway.master())
        })
        .await??;
    let master = master.map_or("none", Router::name);
    Ok(format!("done in the model (master now: {master})"))
}

/// Whether `vrrp_master = name` (with `router`) holds now.
pub async fn check(lab: &Lab, name: &str, want: Option<VrrpRouter>) -> Verdict {
    let id = config_id(lab, name)?;
    let gateway = lab
        .world
        .read(move |s| s.live.gateways.get(&id).map(|g| (g.is_on(), g.master())))
        .await?;
    let Some((on, modelled)) = gateway else {
        return Err(Why(format!(
            "{name} has no VRRP gateway (a bgp extra replaces it)"
        )));
    };
    if !on {
        return Err(Why(format!(
            "the VRRP gateway of {name} is off (a bgp extra replaces it)"
        )));
    }
    let real = lab
        .kernels
        .as_ref()
        .and_then(|k| k.vrrp().master(name).map(|m| (m, k.vrrp().states(name))));
    let (master, how) = match real {
        Some((master, states)) => (master, format!(" (speakers: {states})")),
        None => (modelled, " (in the model)".to_string()),
    };
    match (master, want.map(router)) {
        (None, _) => Err(Why(format!("no master elected{how}"))),
        (Some(m), Some(w)) if m != w => Err(Why(format!(
            "router {} is master, not {}{how}",
            m.name(),
            w.name()
        ))),
        (Some(m), _) => Ok(format!("router {} is master{how}", m.name())),
    }
}
