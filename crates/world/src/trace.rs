//! `trace`: a packet's path through the model of the running world, hop by hop, and why it
//! stops, in a network engineer's words; in namespace mode with a real `ping` beside it.
//!
//! FROM is a node (a host, a router, `scaleway`) or an address; TO is a node (both directions
//! are traced, as a ping needs) or an address. An address a provider holds starts the packet
//! on that interface, in its VRF (the provider edge has a VRF per VPC: from a private network's
//! gateway or a link's Scaleway address, the packet is in that VPC). An address no node holds
//! is an outside host: the model places it behind the customer router the provider routes it
//! to (on an assumed /24 or /64), so `serve` with the customer's own router can be asked about
//! any address.

use crate::model::Model;
use dataplane::{DEFAULT_VRF, InterfaceConfig, InterfaceId, NextHop, NodeId, NodeRole};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// One traced direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TracedPacket {
    /// Its source address.
    pub source: IpAddr,
    /// Its destination address.
    pub destination: IpAddr,
    /// Whether it got there.
    pub delivered: bool,
    /// Why not (`no_route`, `filtered_by_policy`, `vlan_mismatch` …).
    pub reason: Option<String>,
    /// Its hops and verdict, as text.
    pub text: String,
}

/// What a real `ping -c1 -W1` did, next to the model's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PingAnswer {
    /// The host it was sent from.
    pub from: String,
    /// The address pinged (TO's).
    pub address: IpAddr,
    /// Whether an echo reply came back.
    pub answered: bool,
    /// Whether that is what the model says (`answered` exactly when `reachable`).
    pub agrees: bool,
}

/// The answer to "why can't FROM reach TO".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceAnswer {
    /// The source node.
    pub from: String,
    /// The destination, as given.
    pub to: String,
    /// Whether every traced direction got there.
    pub reachable: bool,
    /// The directions traced.
    pub packets: Vec<TracedPacket>,
    /// What a real `ping -c1 -W1` from FROM to TO did: in namespace mode, when both are
    /// hosts; `None` (`null`) otherwise, and always in memory.
    #[serde(default)]
    pub ping: Option<PingAnswer>,
}

impl PingAnswer {
    /// `ping from laptop to 172.16.4.10: answered` (or `no answer`), and, when the kernel
    /// and the model disagree, a second line that says so.
    pub fn lines(&self) -> String {
        let (what, past) = match self.answered {
            true => ("answered", "answered"),
            false => ("no answer", "got no answer"),
        };
        let (from, address) = (&self.from, self.address);
        let mut text = format!("ping from {from} to {address}: {what}");
        if !self.agrees {
            let model = match self.answered {
                true => "the model drops it",
                false => "the model delivers both ways",
            };
            text.push_str(&format!(
                "\nthe kernel and the model disagree: ping from {from} to {address} {past}; but {model}"
            ));
        }
        text
    }
}

impl TraceAnswer {
    /// Whether the packet got there and the ping, if any, agrees with the model.
    pub fn passed(&self) -> bool {
        self.reachable && self.ping.as_ref().is_none_or(|p| p.agrees)
    }

    /// The text: the hops, then what ping did.
    pub fn text(&self) -> String {
        let mut lines: Vec<String> = self.packets.iter().map(|p| p.text.clone()).collect();
        lines.extend(self.ping.as_ref().map(PingAnswer::lines));
        lines.join("\n")
    }
}

fn packet(trace: &dataplane::Trace) -> TracedPacket {
    TracedPacket {
        source: trace.source,
        destination: trace.destination,
        delivered: trace.is_delivered(),
        reason: trace.drop_reason().map(|r| r.kind().to_string()),
        text: format!("{trace:#}"),
    }
}

/// Why a trace cannot be made (one line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TraceError(pub String);

impl From<dataplane::Error> for TraceError {
    fn from(e: dataplane::Error) -> Self {
        TraceError(e.to_string())
    }
}

fn names(model: &Model) -> String {
    model
        .nodes
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The node holding `address`, hosts and routers before providers.
fn owner(model: &Model, address: IpAddr) -> Option<NodeId> {
    let mut owners: Vec<(NodeId, NodeRole)> = model
        .nodes
        .values()
        .filter_map(|&n| {
            let node = model.net.node(n)?;
            model
                .net
                .interfaces_of(n)
                .any(|(_, i)| i.owns(address))
                .then_some((n, node.role))
        })
        .collect();
    owners.sort_by_key(|(_, role)| *role != NodeRole::Host);
    owners.first().map(|(n, _)| *n)
}

/// The provider interface holding `address`, if a provider holds it.
fn provider_interface(model: &Model, address: IpAddr) -> Option<InterfaceId> {
    model.nodes.values().find_map(|&n| {
        let provider = model
            .net
            .node(n)
            .is_some_and(|node| node.role == NodeRole::Provider);
        provider
            .then(|| model.net.interfaces_of(n).find(|(_, i)| i.owns(address)))
            .flatten()
            .map(|(id, _)| id)
    })
}

/// The router the providers route `address` to (the customer's side of a link or session):
/// through an installed route, else the link a withheld route came from (received but
/// filtered, or propagation off), whose port's far side is that router.
fn router_toward(model: &Model, address: IpAddr) -> Option<NodeId> {
    let providers: Vec<NodeId> = model
        .nodes
        .values()
        .copied()
        .filter(|&n| {
            model
                .net
                .node(n)
                .is_some_and(|n| n.role == NodeRole::Provider)
        })
        .collect();
    let vrfs = || {
        providers
            .iter()
            .flat_map(|&n| model.net.node(n).into_iter().flat_map(|node| node.vrfs()))
    };
    let routed = vrfs()
        .filter_map(|vrf| vrf.fib().lookup(address))
        .find_map(|route| match route.next_hop {
            NextHop::Gateway(gw) => owner(model, gw),
            _ => None,
        });
    routed.or_else(|| {
        let from = vrfs().find_map(|vrf| vrf.explain(address))?.from.clone();
        let link = from.strip_prefix("link \"")?.strip_suffix('"')?;
        let port = providers.iter().find_map(|&p| {
            model
                .net
                .interfaces_of(p)
                .find(|(_, i)| i.name == format!("link {link}"))
                .map(|(_, i)| (i.segment, i.vlan))
        })?;
        model.nodes.values().copied().find(|&n| {
            !providers.contains(&n)
                && model
                    .net
                    .interfaces_of(n)
                    .any(|(_, i)| (i.segment, i.vlan) == port)
        })
    })
}

/// An outside host at `address` behind the router the providers route it to.
fn outside_host(model: &mut Model, address: IpAddr) -> Result<NodeId, TraceError> {
    let router = router_toward(model, address).ok_or_else(|| {
        TraceError(format!(
            "no node holds {address} and no provider has a route to it (the nodes are {})",
            names(model)
        ))
    })?;
    let len = if address.is_ipv4() { 24 } else { 64 };
    let net = IpNet::new(address, len)
        .map_err(|e| TraceError(e.to_string()))?
        .trunc();
    let gateway = net
        .hosts()
        .find(|a| *a != address)
        .and_then(|a| IpNet::new(a, len).ok())
        .ok_or_else(|| TraceError(format!("no gateway beside {address}")))?;
    let segment = model.net.add_segment(format!("outside {address}"))?;
    model.net.add_interface(
        router,
        InterfaceConfig::new("outside", segment).address(gateway),
    )?;
    let host = model.net.add_node(address.to_string(), NodeRole::Host)?;
    let own = IpNet::new(address, len).map_err(|e| TraceError(e.to_string()))?;
    model
        .net
        .add_interface(host, InterfaceConfig::new("eth0", segment).address(own))?;
    let default = IpNet::new(address, 0)
        .map_err(|e| TraceError(e.to_string()))?
        .trunc();
    model
        .net
        .add_static_route(host, DEFAULT_VRF, default, gateway.addr())?;
    model.nodes.insert(address.to_string(), host);
    Ok(host)
}

/// The node FROM names: a node, the holder of an address, or an outside host.
fn source(model: &mut Model, from: &str) -> Result<NodeId, TraceError> {
    if let Some(n) = model.node(from) {
        return Ok(n);
    }
    match from.parse::<IpAddr>() {
        Ok(address) => match owner(model, address) {
            Some(n) => Ok(n),
            None => outside_host(model, address),
        },
        Err(_) => Err(TraceError(format!(
            "no node {from:?} (the nodes are {})",
            names(model)
        ))),
    }
}

/// Traces FROM → TO (and back when TO is a node) in `model`; `ping` is what a real ping did.
pub fn trace(model: &mut Model, from: &str, to: &str) -> Result<TraceAnswer, TraceError> {
    let start = source(model, from)?;
    let packets = match model.node(to) {
        Some(target) => {
            let reach = model.net.reach(start, target)?;
            vec![packet(&reach.forward), packet(&reach.reverse)]
        }
        None => {
            let address: IpAddr = to.parse().map_err(|_| {
                TraceError(format!(
                    "{to:?} is neither an address nor a node ({})",
                    names(model)
                ))
            })?;
            let on_provider = from
                .parse::<IpAddr>()
                .ok()
                .and_then(|a| provider_interface(model, a));
            let forward = match on_provider {
                Some(interface) => model.net.trace_from_interface(interface, address)?,
                None => model.net.trace(start, address)?,
            };
            let host = owner(model, address)
                .filter(|n| model.net.node(*n).is_some_and(|n| n.role == NodeRole::Host));
            match host {
                // A host's address: its answer too, like a ping.
                Some(target) if target != start && forward.is_delivered() => {
                    let back = model.net.trace(target, forward.source)?;
                    vec![packet(&forward), packet(&back)]
                }
                _ => vec![packet(&forward)],
            }
        }
    };
    let reachable = packets.iter().all(|p| p.delivered);
    Ok(TraceAnswer {
        from: from.to_string(),
        to: to.to_string(),
        reachable,
        packets,
        ping: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Inputs, Observed, build};
    use chrono::{TimeZone, Utc};
    use provider::catalogue::demo;
    use provider::interlink::{CreateLinkRequest, InterLink};
    use provider::vpc::{CreatePrivateNetworkRequest, CreateVpcRequest};
    use provider::{Caller, Region};

    /// A VPC and a private network made through the VPC API, and a link attached to it: the
    /// model has the VPC's VRF with the network's segment, and a packet from the link's
    /// Scaleway address starts in that VRF.
    #[test]
    fn a_vpc_made_through_the_api_is_a_vrf_traces_start_in() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let (r, me) = (
            Region::FrPar,
            Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID),
        );
        let mut s = InterLink::demo(now);
        let vpc = s
            .create_vpc(
                r,
                &me,
                CreateVpcRequest {
                    name: "tf-vpc".into(),
                    ..Default::default()
                },
                now,
            )
            .unwrap();
        let req = CreatePrivateNetworkRequest {
            name: "app".into(),
            vpc_id: Some(vpc.id),
            subnets: Some(vec!["10.42.0.0/24".into()]),
            ..Default::default()
        };
        s.create_private_network(r, &me, req, now).unwrap();
        let link = CreateLinkRequest {
            name: "l".into(),
            pop_id: Some(demo::POP_DC2_ID),
            bandwidth_mbps: 1000,
            connection_id: Some(demo::CONNECTION_DC2_ID),
            vlan: Some(1900),
            ..Default::default()
        };
        let link = s.create_link(r, &me, link, now).unwrap().0;
        s.attach_vpc(r, &me, link.id, vpc.id, now).unwrap();
        let ipam = s.ipam();
        let inputs = Inputs {
            vpcs: ipam.vpcs().cloned().collect(),
            private_networks: ipam.private_networks().cloned().collect(),
            links: s.link_views(),
            ..Default::default()
        };
        let mut model = build(&inputs, &Observed::default()).unwrap();
        assert_eq!(model.vrfs.get(&vpc.id).map(String::as_str), Some("tf-vpc"));
        let scw = link.scw_bgp_config.unwrap().ipv4.addr().to_string();
        let answer = trace(&mut model, &scw, "10.42.0.1").unwrap();
        assert!(answer.reachable, "{}", answer.text());
        assert!(
            answer.text().contains("VRF \"tf-vpc\""),
            "{}",
            answer.text()
        );
        let answer = trace(&mut model, &scw, "10.42.0.2").unwrap();
        assert!(
            answer.text().contains("out tf-vpc/app"),
            "{}",
            answer.text()
        );
        // The demo VPC is another routing domain.
        let answer = trace(&mut model, "10.42.0.1", "172.16.0.1").unwrap();
        assert_eq!(answer.packets[0].reason.as_deref(), Some("no_route"));
    }
}
