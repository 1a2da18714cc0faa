//! The running topology as a `dataplane` network, for `reach` expectations and `peerlab trace`.
//!
//! Built afresh from what runs now:
//! - the provider node `scaleway`, with a VRF per VPC;
//! - on it, a VLAN port per link on the link's physical port (its dedicated connection, or
//!   its partner), carrying Scaleway's addresses, and a gateway port per private network
//!   (its first address);
//! - in each VPC's VRF, the routes the engine installs from the links attached to it, and
//!   the routes it withheld and why: filtered by `prefix_filter_in`, route propagation
//!   disabled, session down;
//! - each customer router, plugged on its VLAN into the port of the link it is plugged into,
//!   with the link's peer addresses, the routes it learned, what the provider does not
//!   announce to it and why, and a LAN for the hosts behind it (its first free address);
//! - each host, with a default route to its gateway.
//!
//! A pulled cable is the router's port down. The model is the control plane's view of
//! forwarding; [`super::kernels`] renders it into the kernels with real daemons.

use super::runner::{LinkInfo, World};
use dataplane::{
    DEFAULT_VRF, InterfaceConfig, Network, NextHop, NodeId, NodeRole, VlanId, WithheldReason,
    WithheldRoute,
};
use engine::Family;
use ipnet::IpNet;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

/// The provider node's name.
pub const PROVIDER: &str = "scaleway";

/// The network and its nodes by name.
pub struct Model {
    /// The network.
    pub net: Network,
    /// Routers and hosts by topology name, and the provider.
    pub nodes: HashMap<String, NodeId>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The link router `name` is plugged into (by name, or on its connection or partner: the same
/// VLAN first, else another — a VLAN mismatch), with the VLAN the router tags.
pub fn router_link<'w>(world: &'w World, name: &str) -> Option<(&'w str, u16)> {
    let router = world
        .topology
        .routers
        .iter()
        .find(|r| r.name.get_ref() == name)?;
    let plug = router.plug.get_ref();
    let links = world.topology.interlink.as_ref()?.links.iter();
    let candidates: Vec<&topology::format::Link> = links
        .filter(|l| {
            plug.link.as_deref() == Some(l.name.get_ref().as_str())
                || (plug.connection.is_some()
                    && l.connection.as_ref().map(|c| c.get_ref()) == plug.connection.as_ref())
                || (plug.partner.is_some()
                    && l.partner.as_ref().map(|p| p.get_ref()) == plug.partner.as_ref())
        })
        .collect();
    let vlan_of = |l: &topology::format::Link| world.links.get(l.name.get_ref()).map(|i| i.vlan);
    let chosen = candidates
        .iter()
        .find(|l| plug.link.is_some() || plug.vlan == vlan_of(l).map(u32::from))
        .or(candidates.first())?;
    let info = world.links.get(chosen.name.get_ref())?;
    let vlan = plug
        .vlan
        .and_then(|v| u16::try_from(v).ok())
        .unwrap_or(info.vlan);
    Some((chosen.name.get_ref().as_str(), vlan))
}

/// The first address of `subnet` not in `taken`, with the subnet's length.
fn gateway(subnet: IpNet, taken: &BTreeSet<IpAddr>) -> Option<IpNet> {
    let len = subnet.prefix_len();
    subnet
        .hosts()
        .take(1024)
        .find(|a| !taken.contains(a))
        .and_then(|a| IpNet::new(a, len).ok())
}

/// A host's address with its prefix length (`/24` or `/64` when the topology gives none).
fn host_net(text: &str, address: IpAddr, within: &[IpNet]) -> Option<IpNet> {
    if let Ok(net) = text.parse::<IpNet>() {
        return Some(net);
    }
    if let Some(subnet) = within.iter().find(|s| s.contains(&address)) {
        return IpNet::new(address, subnet.prefix_len()).ok();
    }
    IpNet::new(address, if address.is_ipv4() { 24 } else { 64 }).ok()
}

/// The policy names of a link now (`routing_policy_v4_id` → name).
fn policy_name(world: &World, link: &Value, family: Family) -> String {
    let key = match family {
        Family::Ipv4 => "routing_policy_v4_id",
        Family::Ipv6 => "routing_policy_v6_id",
    };
    let id = link.get(key).and_then(Value::as_str).unwrap_or_default();
    world
        .policies
        .iter()
        .find(|(_, v)| v.as_str() == id)
        .map_or_else(|| "?".to_string(), |(k, _)| k.clone())
}

/// Builds the model of the topology as it runs now.
pub async fn build(world: &World) -> Result<Model, String> {
    let mut net = Network::new();
    let mut nodes = HashMap::new();
    let provider = net.add_node(PROVIDER, NodeRole::Provider).map_err(err)?;
    nodes.insert(PROVIDER.to_string(), provider);
    let vpc_names: HashMap<&str, &str> = world
        .vpcs
        .iter()
        .map(|(name, id)| (id.as_str(), name.as_str()))
        .collect();
    for vpc in &world.topology.vpcs {
        net.add_vrf(provider, vpc.name.get_ref().as_str())
            .map_err(err)?;
    }

    // Private networks and their hosts.
    let mut vpc_subnets: HashMap<String, Vec<IpNet>> = HashMap::new();
    for vpc in &world.topology.vpcs {
        for pn in &vpc.private_networks {
            let name = format!("{}/{}", vpc.name.get_ref(), pn.name);
            let segment = net.add_segment(&name).map_err(err)?;
            let subnets: Vec<IpNet> = pn.subnet.iter().chain(&pn.subnets).copied().collect();
            vpc_subnets
                .entry(vpc.name.get_ref().clone())
                .or_default()
                .extend(&subnets);
            let taken: BTreeSet<IpAddr> = world
                .topology
                .hosts
                .iter()
                .filter(|h| h.private_network.as_ref().map(|p| p.get_ref()) == Some(&pn.name))
                .filter_map(|h| h.ip())
                .collect();
            let mut port = InterfaceConfig::new(&name, segment).vrf(vpc.name.get_ref().as_str());
            let mut gateways = Vec::new();
            for subnet in &subnets {
                if let Some(g) = gateway(*subnet, &taken) {
                    port = port.address(g);
                    gateways.push(g.addr());
                }
            }
            net.add_interface(provider, port).map_err(err)?;
            for host in world.topology.hosts.iter().filter(|h| {
                h.vpc.as_ref().map(|v| v.get_ref()) == Some(vpc.name.get_ref())
                    && h.private_network.as_ref().map(|p| p.get_ref()) == Some(&pn.name)
            }) {
                let Some(address) = host.ip() else { continue };
                let Some(own) = host_net(host.address.get_ref(), address, &subnets) else {
                    continue;
                };
                add_host(
                    &mut net,
                    &mut nodes,
                    host.name.get_ref(),
                    segment,
                    own,
                    &gateways,
                )?;
            }
        }
    }

    // Links: the provider's VLAN ports and the VPC VRFs' routes.
    let mut link_json: HashMap<String, Value> = HashMap::new();
    for (name, info) in &world.links {
        let Some(addresses) = info.addresses else {
            continue;
        };
        let segment = match net.segment_id(&info.port) {
            Some(s) => s,
            None => net.add_segment(&info.port).map_err(err)?,
        };
        let link = world
            .api
            .interlink(
                axum::http::Method::GET,
                &format!("/links/{}", info.id),
                None,
            )
            .await
            .unwrap_or(Value::Null);
        let vrf = link
            .get("vpc_id")
            .and_then(Value::as_str)
            .and_then(|id| vpc_names.get(id).copied())
            .unwrap_or(DEFAULT_VRF)
            .to_string();
        let mut port = InterfaceConfig::new(format!("link {name}"), segment)
            .vrf(vrf.as_str())
            .address(addresses.scw_v4)
            .address(addresses.scw_v6);
        if let Ok(vlan) = VlanId::new(info.vlan) {
            port = port.vlan(vlan);
        }
        net.add_interface(provider, port).map_err(err)?;
        provider_routes(world, &mut net, provider, &vrf, name, info, &link).await?;
        link_json.insert(name.clone(), link);
    }

    // Routers, their ports and LANs, and the hosts behind them.
    for r in &world.topology.routers {
        let name = r.name.get_ref();
        let node = net.add_node(name.as_str(), NodeRole::Router).map_err(err)?;
        nodes.insert(name.clone(), node);
        if let Some((link_name, vlan)) = router_link(world, name)
            && let Some(info) = world.links.get(link_name)
            && let Some(addresses) = info.addresses
            && let Some(segment) = net.segment_id(&info.port)
        {
            let mut port = InterfaceConfig::new("uplink", segment)
                .address(addresses.peer_v4)
                .address(addresses.peer_v6);
            if let Ok(vlan) = VlanId::new(vlan) {
                port = port.vlan(vlan);
            }
            let port = net.add_interface(node, port).map_err(err)?;
            if world.cable_is_down(link_name) {
                net.set_interface_up(port, false).map_err(err)?;
            }
            let link = link_json.get(link_name).cloned().unwrap_or(Value::Null);
            router_routes(world, &mut net, node, link_name, info, &link, &vpc_subnets).await?;
        }
        // The LAN behind the router.
        let behind: Vec<_> = world
            .topology
            .hosts
            .iter()
            .filter(|h| h.router.as_ref().map(|x| x.get_ref()) == Some(name))
            .collect();
        if behind.is_empty() {
            continue;
        }
        let segment = net.add_segment(format!("{name}/lan")).map_err(err)?;
        let taken: BTreeSet<IpAddr> = behind.iter().filter_map(|h| h.ip()).collect();
        let subnets: BTreeSet<IpNet> = behind
            .iter()
            .filter_map(|h| host_net(h.address.get_ref(), h.ip()?, &[]).map(|n| n.trunc()))
            .collect();
        let mut lan = InterfaceConfig::new("lan", segment);
        let mut gateways = Vec::new();
        for subnet in &subnets {
            if let Some(g) = gateway(*subnet, &taken) {
                lan = lan.address(g);
                gateways.push(g.addr());
            }
        }
        net.add_interface(node, lan).map_err(err)?;
        for host in behind {
            let Some(address) = host.ip() else { continue };
            let Some(own) = host_net(host.address.get_ref(), address, &[]) else {
                continue;
            };
            add_host(
                &mut net,
                &mut nodes,
                host.name.get_ref(),
                segment,
                own,
                &gateways,
            )?;
        }
    }
    super::ovh_model::add(world, &mut net, &mut nodes).await?;
    Ok(Model { net, nodes })
}

fn add_host(
    net: &mut Network,
    nodes: &mut HashMap<String, NodeId>,
    name: &str,
    segment: dataplane::SegmentId,
    address: IpNet,
    gateways: &[IpAddr],
) -> Result<(), String> {
    let node = net.add_node(name, NodeRole::Host).map_err(err)?;
    nodes.insert(name.to_string(), node);
    net.add_interface(node, InterfaceConfig::new("eth0", segment).address(address))
        .map_err(err)?;
    // The gateway on the host's own subnet.
    if let Some(gw) = gateways.iter().find(|g| address.contains(*g)) {
        let default: IpNet = if gw.is_ipv4() {
            "0.0.0.0/0".parse().map_err(err)?
        } else {
            "::/0".parse().map_err(err)?
        };
        net.add_static_route(node, DEFAULT_VRF, default, *gw)
            .map_err(err)?;
    }
    Ok(())
}

/// The routes of a VPC's VRF from one link, and the ones it withheld.
async fn provider_routes(
    world: &World,
    net: &mut Network,
    provider: NodeId,
    vrf: &str,
    name: &str,
    info: &LinkInfo,
    link: &Value,
) -> Result<(), String> {
    let Some(addresses) = info.addresses else {
        return Ok(());
    };
    let Ok(snapshot) = world.engine.snapshot(&info.id).await else {
        return Ok(());
    };
    let peer = format!("link \"{name}\"");
    let vrf = net.vrf_mut(provider, vrf).map_err(err)?;
    for family in Family::ALL {
        let Some(s) = snapshot.session(family) else {
            continue;
        };
        vrf.set_session(peer.as_str(), s.status == engine::SessionStatus::Up);
        let gateway = match family {
            Family::Ipv4 => addresses.peer_v4.addr(),
            Family::Ipv6 => addresses.peer_v6.addr(),
        };
        for prefix in &s.installed {
            vrf.install_bgp(*prefix, NextHop::Gateway(gateway), &peer);
        }
        let filter = format!(
            "prefix_filter_in of routing policy \"{}\"",
            policy_name(world, link, family)
        );
        for prefix in s.received.difference(&s.accepted) {
            let reason = WithheldReason::FilteredByPolicy {
                filter: filter.clone(),
            };
            vrf.withhold(WithheldRoute::new(*prefix, peer.as_str(), reason));
        }
        for prefix in s.accepted.difference(&s.installed) {
            let reason = WithheldReason::PropagationDisabled;
            vrf.withhold(WithheldRoute::new(*prefix, peer.as_str(), reason));
        }
    }
    Ok(())
}

/// A router's learned routes, and what the provider does not announce to it and why.
async fn router_routes(
    world: &World,
    net: &mut Network,
    node: NodeId,
    link_name: &str,
    info: &LinkInfo,
    link: &Value,
    vpc_subnets: &HashMap<String, Vec<IpNet>>,
) -> Result<(), String> {
    let Some(addresses) = info.addresses else {
        return Ok(());
    };
    let router_name = net.node(node).map(|n| n.name.clone()).unwrap_or_default();
    let learned = world.router_routes(&router_name).await.unwrap_or_default();
    let peer = format!("link \"{link_name}\"");
    let snapshot = world.engine.snapshot(&info.id).await.ok();
    let vpc = link
        .get("vpc_id")
        .and_then(Value::as_str)
        .and_then(|id| world.vpcs.iter().find(|(_, v)| v.as_str() == id))
        .map(|(name, _)| name.clone());
    let propagation = link.get("enable_route_propagation") == Some(&Value::Bool(true));
    let vrf = net.vrf_mut(node, DEFAULT_VRF).map_err(err)?;
    for prefix in &learned {
        let gateway = if prefix.addr().is_ipv4() {
            addresses.scw_v4.addr()
        } else {
            addresses.scw_v6.addr()
        };
        vrf.install_bgp(*prefix, NextHop::Gateway(gateway), &peer);
    }
    for family in Family::ALL {
        let session = snapshot.as_ref().and_then(|s| s.session(family));
        if let Some(s) = session {
            vrf.set_session(peer.as_str(), s.status == engine::SessionStatus::Up);
        }
        let subnets = vpc
            .as_ref()
            .and_then(|v| vpc_subnets.get(v))
            .cloned()
            .unwrap_or_default();
        for subnet in subnets
            .iter()
            .filter(|p| p.addr().is_ipv4() == (family == Family::Ipv4))
            .filter(|p| !learned.contains(p))
        {
            let reason = match session {
                None => WithheldReason::FilteredByPolicy {
                    filter: match family {
                        Family::Ipv4 => "routing_policy_v4 (none attached)".to_string(),
                        Family::Ipv6 => "routing_policy_v6 (none attached)".to_string(),
                    },
                },
                Some(s) if s.status != engine::SessionStatus::Up => WithheldReason::SessionDown,
                Some(_) if !propagation => WithheldReason::PropagationDisabled,
                Some(_) => WithheldReason::FilteredByPolicy {
                    filter: format!(
                        "prefix_filter_out of routing policy \"{}\"",
                        policy_name(world, link, family)
                    ),
                },
            };
            vrf.withhold(WithheldRoute::not_announced(*subnet, peer.as_str(), reason));
        }
    }
    Ok(())
}

/// Whether `from` reaches `to` (both ways), with the traces in words.
pub async fn reach(world: &World, from: &str, to: &str) -> Result<String, String> {
    reach_in(&build(world).await?, from, to)
}

/// Whether `from` reaches `to` (both ways) in `model`, with the traces in words.
pub fn reach_in(model: &Model, from: &str, to: &str) -> Result<String, String> {
    let node = |name: &str| {
        model
            .nodes
            .get(name)
            .copied()
            .ok_or_else(|| format!("{name} is not in the model"))
    };
    let reach = model.net.reach(node(from)?, node(to)?).map_err(err)?;
    if reach.is_reachable() {
        Ok(format!("{}; {}", reach.forward, reach.reverse))
    } else if !reach.forward.is_delivered() {
        Err(reach.forward.to_string())
    } else {
        Err(reach.reverse.to_string())
    }
}

/// Why the `family` session of `link` may be down, seen from the data plane: the trace from
/// each router plugged into it to Scaleway's address (`; ` and the trace, or nothing when the
/// packet gets there).
pub async fn why_session_down(world: &World, link: &str, family: Family) -> String {
    let Some(info) = world.links.get(link) else {
        return String::new();
    };
    let Some(addresses) = info.addresses else {
        return String::new();
    };
    let Ok(model) = build(world).await else {
        return String::new();
    };
    let scw = match family {
        Family::Ipv4 => addresses.scw_v4.addr(),
        Family::Ipv6 => addresses.scw_v6.addr(),
    };
    let mut why = String::new();
    for r in &world.topology.routers {
        let name = r.name.get_ref();
        if router_link(world, name).map(|(l, _)| l) != Some(link) {
            continue;
        }
        let Some(&node) = model.nodes.get(name) else {
            continue;
        };
        if let Ok(trace) = model.net.trace(node, scw)
            && !trace.is_delivered()
        {
            why.push_str(&format!("; {trace}"));
        }
    }
    why
}

impl World {
    /// Whether link `name`'s cable was pulled by a step.
    pub fn cable_is_down(&self, name: &str) -> bool {
        self.cables_down
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(name)
    }
}
