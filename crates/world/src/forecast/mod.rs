//! What the world looks like, and what it would look like after a change: the ground `peerlab
//! plan` stands on.
//!
//! A [`Look`] is one picture of the running world in the words of a change review: each BGP
//! session's state, the routes each VPC, provider table and router holds (the BGP routes of
//! the model's tables), for every pair of customer hosts whether a ping gets through and, when
//! not, where and why it stops (the trace's words), and who holds each OVH VRRP gateway. [`look`] takes it from the model's
//! inputs and what runs; [`World::look_now`] from the world as it runs now.
//!
//! [`World::forecast`] answers "what would this API call change" without changing anything: it
//! copies the InterLink state, applies the change to the copy (the same provider method the API
//! calls), predicts what the engine's sessions would hold ([`predict`]) and looks at both
//! worlds. What is predicted and what is not is listed in [`predict`]'s documentation and in
//! each [`Forecast::predicted`].
//!
//! Not here: comparing two looks and the report (`topology::plan`), the SDK's method names (the
//! `api` crate's plan endpoint).

pub mod predict;

use crate::attachment::{Host, HostPlace};
use crate::model::{self, Inputs, Model, Observed};
use crate::{World, WorldError};
use chrono::{DateTime, Utc};
use dataplane::{NodeRole, RouteSource};
use engine::{Family, SessionStatus};
use ipnet::IpNet;
use provider::interlink::InterLink;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Which BGP session.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SessionName {
    /// One of an InterLink link's two sessions.
    Link {
        /// The link's name.
        link: String,
        /// `ipv4` or `ipv6`.
        family: String,
    },
    /// An OVHcloud Connect session: an l3 PoP configuration's or a `bgp` extra's (by the name
    /// the customer gave it, else the engine's session ID).
    Ovh {
        /// Its name.
        name: String,
    },
}

impl std::fmt::Display for SessionName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionName::Link { link, family } => write!(f, "{link} {family}"),
            SessionName::Ovh { name } => f.write_str(name),
        }
    }
}

/// One session at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionLook {
    /// Which one.
    pub session: SessionName,
    /// `up`, `down` or `disabled` (the API's `bgp_v4_status` words).
    pub status: String,
    /// The RFC 4271 FSM state (`Established`, `Idle` …), or `disabled`.
    pub state: String,
    /// How many times it reached Established (a reset shows as a higher count).
    pub established: u32,
    /// Why it last went down, if it did.
    #[serde(default)]
    pub last_down: Option<String>,
}

/// The BGP routes one place holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutesLook {
    /// `VPC "prod"`, `provider "ovh"`, `router "onprem"`.
    pub place: String,
    /// Its BGP routes.
    pub prefixes: BTreeSet<IpNet>,
}

/// Whether one host reaches another (both ways, as a ping).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachLook {
    /// The host the ping starts from.
    pub from: String,
    /// The host pinged.
    pub to: String,
    /// Whether the echo and its reply both get there.
    pub delivered: bool,
    /// `delivered`, or where and why the echo (or its reply) stops, in the trace's words.
    pub verdict: String,
}

/// An OVH datacenter's VRRP gateway: who holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayLook {
    /// The datacenter configuration (by the name the customer gave it, else its ID).
    pub datacenter: String,
    /// `A` or `B` (the master), `none` (no master elected) or `off` (a `bgp` extra replaces
    /// VRRP).
    pub master: String,
}

/// One picture of the world.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Look {
    /// Every configured session (sorted).
    pub sessions: Vec<SessionLook>,
    /// Every VPC, provider table and router with its BGP routes (sorted by place).
    pub routes: Vec<RoutesLook>,
    /// Every pair of customer hosts, customer-side hosts first.
    pub reach: Vec<ReachLook>,
    /// Every OVH VRRP gateway (sorted).
    #[serde(default)]
    pub gateways: Vec<GatewayLook>,
}

/// What a change would do: the world before and after, and what had to be predicted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// The world now.
    pub before: Look,
    /// The world once the change has settled, as predicted.
    pub after: Look,
    /// What the prediction assumed, in words (one line each).
    pub predicted: Vec<String>,
}

/// `up`, `down` or `disabled`.
pub fn status_word(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Up => "up",
        SessionStatus::Down => "down",
        SessionStatus::Disabled => "disabled",
    }
}

/// The look of `inputs` as `observed` runs (builds the model).
pub fn look(inputs: &Inputs, observed: &Observed) -> Result<Look, WorldError> {
    let model = model::build(inputs, observed)?;
    Ok(look_at(&model, inputs, observed))
}

/// The look of `model`, built from `inputs` and `observed`.
pub fn look_at(model: &Model, inputs: &Inputs, observed: &Observed) -> Look {
    Look {
        sessions: sessions(inputs, observed),
        routes: routes(model),
        reach: reach(model, &inputs.attachments.hosts),
        gateways: gateways(inputs),
    }
}

fn gateways(inputs: &Inputs) -> Vec<GatewayLook> {
    let labels = &inputs.attachments.labels.datacenters;
    let mut out: Vec<GatewayLook> = inputs
        .gateways
        .iter()
        .map(|(id, g)| {
            let datacenter = inputs
                .ovh
                .datacenters
                .iter()
                .find(|d| d.id == *id)
                .and_then(|d| labels.get(&(d.vrack.clone(), d.datacenter_id)))
                .cloned()
                .unwrap_or_else(|| id.to_string());
            let master = match (g.on, g.master) {
                (false, _) => "off",
                (true, Some(m)) => m.name(),
                (true, None) => "none",
            };
            GatewayLook {
                datacenter,
                master: master.to_string(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.datacenter.cmp(&b.datacenter));
    out
}

fn session_look(session: SessionName, s: Option<&engine::SessionSnapshot>) -> SessionLook {
    match s {
        Some(s) => SessionLook {
            session,
            status: status_word(s.status).to_string(),
            state: format!("{:?}", s.state),
            established: s.established_count,
            last_down: s.last_down.clone(),
        },
        None => SessionLook {
            session,
            status: "disabled".to_string(),
            state: "disabled".to_string(),
            established: 0,
            last_down: None,
        },
    }
}

/// Every engine session's name: an InterLink link's ID → `Link` (one per family), an OVH
/// session's ID → `Ovh` (by the name the customer gave its configuration, else the ID).
pub fn session_names(inputs: &Inputs) -> BTreeMap<String, SessionName> {
    let mut out = BTreeMap::new();
    for v in &inputs.links {
        let name = SessionName::Link {
            link: v.link.name.clone(),
            family: String::new(),
        };
        out.insert(v.link.id.to_string(), name);
    }
    let labels = &inputs.attachments.labels;
    let pops = inputs.ovh.pops.iter().filter_map(|p| {
        let id = p.session.as_ref()?;
        Some((labels.pops.get(&p.interface_id), id))
    });
    let extras = inputs.ovh.extras.iter().filter_map(|e| {
        let id = e.session.as_ref()?;
        Some((labels.extras.get(&e.id), id))
    });
    for (label, id) in pops.chain(extras) {
        let name = SessionName::Ovh {
            name: label.cloned().unwrap_or_else(|| id.clone()),
        };
        out.insert(id.clone(), name);
    }
    out
}

fn sessions(inputs: &Inputs, observed: &Observed) -> Vec<SessionLook> {
    let mut out = Vec::new();
    for v in inputs.links.iter().filter(|v| v.in_service) {
        let Some(snapshot) = observed.sessions.get(&v.link.id.to_string()) else {
            continue;
        };
        for family in Family::ALL {
            let name = SessionName::Link {
                link: v.link.name.clone(),
                family: family.name().to_string(),
            };
            out.push(session_look(name, snapshot.session(family)));
        }
    }
    for (id, name) in session_names(inputs) {
        if matches!(name, SessionName::Link { .. }) {
            continue;
        }
        if let Some(snapshot) = observed.sessions.get(&id) {
            out.push(session_look(name, snapshot.session(Family::Ipv4)));
        }
    }
    out.sort_by(|a, b| a.session.cmp(&b.session));
    out
}

/// Where a VRF's routes are: `VPC "prod"` for Scaleway's VRFs, else the node (and its VRF
/// when it has several).
fn place(node: &dataplane::Node, vrf: &str) -> String {
    match node.role {
        NodeRole::Provider if node.name == model::SCALEWAY && vrf != dataplane::DEFAULT_VRF => {
            format!("VPC \"{vrf}\"")
        }
        NodeRole::Provider if vrf == dataplane::DEFAULT_VRF => {
            format!("provider \"{}\"", node.name)
        }
        NodeRole::Provider => format!("provider \"{}\" VRF \"{vrf}\"", node.name),
        _ => format!("router \"{}\"", node.name),
    }
}

fn routes(model: &Model) -> Vec<RoutesLook> {
    let mut out = Vec::new();
    for &id in model.nodes.values() {
        let Some(node) = model.net.node(id) else {
            continue;
        };
        if node.role == NodeRole::Host {
            continue;
        }
        for vrf in node.vrfs() {
            let prefixes = vrf
                .fib()
                .routes()
                .filter(|r| matches!(r.source, RouteSource::Bgp { .. }))
                .map(|r| r.prefix)
                .collect();
            out.push(RoutesLook {
                place: place(node, vrf.name()),
                prefixes,
            });
        }
    }
    out.sort_by(|a, b| a.place.cmp(&b.place));
    out.dedup_by(|a, b| a.place == b.place);
    out
}

/// Whether a host sits on the customer's side (behind a router, on an l2 interface).
fn customer_side(h: &Host) -> bool {
    matches!(
        h.place,
        HostPlace::Behind { .. } | HostPlace::OvhInterface { .. }
    )
}

/// `delivered`, or the trace's verdict without its addresses.
fn verdict(reach: &dataplane::Reach) -> String {
    let stopped = [&reach.forward, &reach.reverse]
        .into_iter()
        .find(|t| !t.is_delivered());
    match stopped {
        None => "delivered".to_string(),
        Some(t) => {
            let text = t.to_string();
            match text.split_once(": ") {
                Some((_, rest)) => rest.to_string(),
                None => text,
            }
        }
    }
}

fn reach(model: &Model, hosts: &[Host]) -> Vec<ReachLook> {
    // Servers at OVH next hops carry a LAN; they are the provider's plumbing, not hosts.
    let mut hosts: Vec<&Host> = hosts.iter().filter(|h| h.lan.is_none()).collect();
    hosts.sort_by_key(|h| !customer_side(h));
    let mut out = Vec::new();
    for (i, from) in hosts.iter().enumerate() {
        for to in hosts.iter().skip(i + 1) {
            let (Some(a), Some(b)) = (model.node(&from.name), model.node(&to.name)) else {
                continue;
            };
            let (delivered, verdict) = match model.net.reach(a, b) {
                Ok(r) => (r.is_reachable(), verdict(&r)),
                Err(e) => (false, e.to_string()),
            };
            out.push(ReachLook {
                from: from.name.clone(),
                to: to.name.clone(),
                delivered,
                verdict,
            });
        }
    }
    out
}

impl World {
    /// The world as it runs now.
    pub async fn look_now(&self) -> Result<Look, WorldError> {
        let inputs = self.inputs().await?;
        let observed = self.observed(&inputs).await;
        look(&inputs, &observed)
    }

    /// What `change` would do to the world, without doing it: `change` runs on a copy of the
    /// InterLink state at the world's time (the same provider method the API would call);
    /// its error, if any, is the answer. Nothing in the running world changes.
    pub async fn forecast<E: Send + 'static>(
        &self,
        change: impl FnOnce(&mut InterLink, DateTime<Utc>) -> Result<(), E> + Send + 'static,
    ) -> Result<Result<Forecast, E>, WorldError> {
        let now = (self.clock)();
        let inputs = self.inputs().await?;
        let before_state = self.read(|s| s.interlink.clone()).await?;
        let mut after_state = before_state.clone();
        if let Err(e) = change(&mut after_state, now) {
            return Ok(Err(e));
        }
        let _ = after_state.advance(now);
        let before_inputs = predict::with_interlink(&inputs, &before_state);
        let after_inputs = predict::with_interlink(&inputs, &after_state);
        let observed = self.observed(&before_inputs).await;
        let (predicted_observed, predicted) = predict::observed(
            &observed,
            (&before_inputs, &before_state),
            (&after_inputs, &after_state),
        );
        Ok(Ok(Forecast {
            before: look(&before_inputs, &observed)?,
            after: look(&after_inputs, &predicted_observed)?,
            predicted,
        }))
    }
}
