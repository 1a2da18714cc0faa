//! OVHcloud Connect in the running topology's `dataplane` model ([`super::model`]), for `reach`
//! and `peerlab trace` through OVH.
//!
//! - The provider node `ovh`, one routing table (the vRack): a port per l3 PoP configuration
//!   on the /30 (OVH's address), and a port per l3 datacenter configuration carrying its
//!   gateway (the `bgp` extra's local address; with VRRP, see below).
//! - Its routes: what each BGP session (PoP, `bgp` extra) accepted, via the neighbour, with the
//!   session's state; each active `network` extra as a static route via its `nextHop`.
//! - Each router plugged into a PoP or a datacenter: its port on that segment, the routes it
//!   learned from OVH via OVH's address.
//! - Each declared `network` extra's next hop: a router on the datacenter segment (default
//!   route to the gateway) with the extra's subnet behind it.
//! - Each host of a datacenter (`ovh_datacenter`): behind the next hop whose subnet holds its
//!   address, else in the datacenter subnet, with a default route to its gateway.
//!
//! - While a datacenter's VRRP group is on, OVH's two routers `A` and `B` are two ports of the
//!   `ovh` node, the gateway a VRRP virtual address held by the master the election gave: the
//!   API's model, or in namespace mode the real speakers ([`super::ovh_vrrp`]).
//!
//! l2 PoPs and their datacenters are [`super::ovh_l2`]'s (one vRack segment).

use super::ovh::Created;
use super::runner::World;
use dataplane::{DEFAULT_VRF, InterfaceConfig, Network, NextHop, NodeId, NodeRole};
use ipnet::{IpNet, Ipv4Net};
use serde_json::Value;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use topology::format::{ExtraType, PopType};

/// The OVH provider node's name.
pub const OVH: &str = "ovh";

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The subnet of an OVH configuration as the API shows it now (`None` once deleted).
async fn subnet_of(world: &World, c: &Created) -> Option<Ipv4Net> {
    let config = super::ovh::get(world, &c.path).await.ok()?;
    if config.get("status").and_then(Value::as_str) != Some("active") {
        return None;
    }
    config.get("subnet")?.as_str()?.parse().ok()
}

/// The engine's view of an OVH session: whether it is up and what it accepted.
async fn session(world: &World, id: &str) -> (bool, Vec<IpNet>) {
    match world.engine.snapshot(id).await {
        Ok(snapshot) => match snapshot.session(engine::Family::Ipv4) {
            Some(s) => (
                s.status == engine::SessionStatus::Up,
                s.accepted.iter().copied().collect(),
            ),
            None => (false, Vec::new()),
        },
        Err(_) => (false, Vec::new()),
    }
}

/// A router's port on `segment` at `address`, with the routes it learned via `via`.
async fn plug_router(
    world: &World,
    net: &mut Network,
    node: NodeId,
    segment: dataplane::SegmentId,
    address: IpNet,
    via: Ipv4Addr,
    peer: &str,
) -> Result<(), String> {
    net.add_interface(
        node,
        InterfaceConfig::new("uplink", segment).address(address),
    )
    .map_err(err)?;
    let name = net.node(node).map(|n| n.name.clone()).unwrap_or_default();
    let learned = world.router_routes(&name).await.unwrap_or_default();
    let vrf = net.vrf_mut(node, DEFAULT_VRF).map_err(err)?;
    for prefix in learned.iter().filter(|p| p.addr().is_ipv4()) {
        vrf.install_bgp(*prefix, NextHop::Gateway(IpAddr::V4(via)), peer);
    }
    Ok(())
}

/// Adds OVH, its routers' uplinks and the datacenter hosts to the model (nothing without
/// `[ovh_connect]`).
pub async fn add(
    world: &World,
    net: &mut Network,
    nodes: &mut HashMap<String, NodeId>,
) -> Result<(), String> {
    let Some(ovh) = &world.topology.ovh_connect else {
        return Ok(());
    };
    let provider = net.add_node(OVH, NodeRole::Provider).map_err(err)?;
    nodes.insert(OVH.to_string(), provider);

    for p in ovh.pop_configs.iter().filter(|p| p.kind == PopType::L3) {
        let name = p.name.get_ref();
        let Some(c) = world.ovh.created.get(name) else {
            continue;
        };
        let Some(subnet) = subnet_of(world, c).await else {
            continue;
        };
        let len = subnet.prefix_len();
        let (ovh_ip, customer) = (
            provider::ovh_connect::rules::nth(subnet, 1),
            provider::ovh_connect::rules::nth(subnet, 2),
        );
        let segment = net.add_segment(format!("ovh pop {name}")).map_err(err)?;
        let own = Ipv4Net::new(ovh_ip, len).map_err(err)?;
        net.add_interface(
            provider,
            InterfaceConfig::new(format!("pop {name}"), segment).address(own.into()),
        )
        .map_err(err)?;
        let peer = format!("ovh pop \"{name}\"");
        if let Some(id) = &c.session {
            let (up, accepted) = session(world, id).await;
            let vrf = net.vrf_mut(provider, DEFAULT_VRF).map_err(err)?;
            vrf.set_session(peer.as_str(), up);
            for prefix in accepted {
                vrf.install_bgp(prefix, NextHop::Gateway(IpAddr::V4(customer)), &peer);
            }
        }
        let interface = u32::try_from(*p.interface_id.get_ref()).ok();
        for r in world.topology.routers.iter().filter(|r| {
            let plug = r.plug.get_ref();
            plug.ovh_service.is_some() && plug.interface == interface
        }) {
            let Some(&node) = nodes.get(r.name.get_ref()) else {
                continue;
            };
            let address = Ipv4Net::new(customer, len).map_err(err)?;
            plug_router(world, net, node, segment, address.into(), ovh_ip, &peer).await?;
        }
    }

    for d in &ovh.datacenter_configs {
        let name = d.name.get_ref();
        let Some(c) = world.ovh.created.get(name) else {
            continue;
        };
        let Some(subnet) = subnet_of(world, c).await else {
            continue;
        };
        let len = subnet.prefix_len();
        let gateway = provider::ovh_connect::rules::nth(subnet, 1);
        let segment = net
            .add_segment(format!("ovh datacenter {name}"))
            .map_err(err)?;
        add_gateway(world, net, provider, name, c.id, segment, subnet).await?;
        for e in ovh
            .extras
            .iter()
            .filter(|e| e.datacenter_config.get_ref() == name)
        {
            let Some(created) = world.ovh.created.get(e.name.get_ref()) else {
                continue;
            };
            if super::ovh::get(world, &created.path).await.is_err() {
                continue; // deleted
            }
            match e.kind {
                ExtraType::Network => {
                    let (Some(prefix), Some(next_hop)) = (
                        e.subnet.as_deref().and_then(|s| s.parse::<IpNet>().ok()),
                        e.next_hop.as_deref().and_then(|s| s.parse::<IpAddr>().ok()),
                    ) else {
                        continue;
                    };
                    net.add_static_route(provider, DEFAULT_VRF, prefix, next_hop)
                        .map_err(err)?;
                }
                ExtraType::Bgp => {
                    let Some(neighbour) = e
                        .bgp_neighbor_ip
                        .as_deref()
                        .and_then(|s| s.parse::<Ipv4Addr>().ok())
                    else {
                        continue;
                    };
                    let peer = format!("ovh extra \"{}\"", e.name.get_ref());
                    if let Some(id) = &created.session {
                        let (up, accepted) = session(world, id).await;
                        let vrf = net.vrf_mut(provider, DEFAULT_VRF).map_err(err)?;
                        vrf.set_session(peer.as_str(), up);
                        for prefix in accepted {
                            vrf.install_bgp(prefix, NextHop::Gateway(IpAddr::V4(neighbour)), &peer);
                        }
                    }
                    for r in world.topology.routers.iter().filter(|r| {
                        r.plug.get_ref().ovh_datacenter.as_deref() == Some(name.as_str())
                            && e.bgp_neighbor_area == Some(r.asn)
                    }) {
                        let Some(&node) = nodes.get(r.name.get_ref()) else {
                            continue;
                        };
                        let address = Ipv4Net::new(neighbour, len).map_err(err)?;
                        plug_router(world, net, node, segment, address.into(), gateway, &peer)
                            .await?;
                    }
                }
            }
        }
        add_servers(world, net, nodes, name, segment, subnet)?;
    }
    super::ovh_l2::add(world, net, nodes).await
}

/// OVH's side of a datacenter segment: while the model's VRRP group is on, OVH's two routers
/// `A` and `B` (their own addresses, the gateway as VRRP virtual address, held by the master
/// the election gave, none before one is elected; a router crashed or stopped is down in
/// the group); otherwise (a `bgp` extra) one port with the gateway.
async fn add_gateway(
    world: &World,
    net: &mut Network,
    provider: NodeId,
    dc: &str,
    id: u64,
    segment: dataplane::SegmentId,
    subnet: Ipv4Net,
) -> Result<(), String> {
    let len = subnet.prefix_len();
    let gateway = provider::ovh_connect::rules::nth(subnet, 1);
    let group = super::ovh_vrrp::api_group(world, id)
        .await
        .ok()
        .flatten()
        .filter(|g| g.get("state").and_then(Value::as_str) == Some("master"));
    let Some(group) = group else {
        let own = Ipv4Net::new(gateway, len).map_err(err)?;
        net.add_interface(
            provider,
            InterfaceConfig::new(format!("datacenter {dc}"), segment).address(own.into()),
        )
        .map_err(err)?;
        return Ok(());
    };
    let vrid = u8::try_from(id % 255 + 1).unwrap_or(1);
    // In namespace mode the master is the real speakers' ([`super::ovh_vrrp`]).
    let real = world
        .linux
        .as_ref()
        .and_then(|l| l.vrrp().master(dc))
        .map(|m| m.map(topology::format::VrrpRouter::name));
    let master = real.unwrap_or_else(|| group.get("master").and_then(Value::as_str));
    // A router crashed or stopped (the `vrrp` step) is down in its group.
    let running = world.linux.as_ref().and_then(|l| l.vrrp().running(dc));
    let routers = group
        .get("routers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for r in routers {
        let (Some(name), Some(address)) = (
            r.get("name").and_then(Value::as_str),
            r.get("address")
                .and_then(Value::as_str)
                .and_then(|a| a.parse::<Ipv4Addr>().ok()),
        ) else {
            continue;
        };
        let own = Ipv4Net::new(address, len).map_err(err)?;
        let port = net
            .add_interface(
                provider,
                InterfaceConfig::new(format!("datacenter {dc} {name}"), segment)
                    .address(own.into()),
            )
            .map_err(err)?;
        net.add_vrrp_group(port, vrid, vec![IpAddr::V4(gateway)], true)
            .map_err(err)?;
        net.set_vrrp_master(port, vrid, master == Some(name))
            .map_err(err)?;
        let up = match &running {
            Some(routers) => routers
                .iter()
                .find(|(router, _)| router.name() == name)
                .is_none_or(|(_, running)| *running),
            None => r.get("running").and_then(Value::as_bool).unwrap_or(true),
        };
        if !up {
            net.set_vrrp_down(port, vrid, true).map_err(err)?;
        }
    }
    Ok(())
}

/// The servers of datacenter configuration `dc` (subnet `subnet` on `segment`): for each of
/// its declared `network` extras, the next hop as a router on the segment with the extra's
/// subnet behind it (there whether or not the extra is active: deleting the extra withdraws
/// OVH's static route, not the servers); then each host of the datacenter, behind the next
/// hop whose subnet holds its address, or on the datacenter segment, with a default route to
/// its gateway.
fn add_servers(
    world: &World,
    net: &mut Network,
    nodes: &mut HashMap<String, NodeId>,
    dc: &str,
    segment: dataplane::SegmentId,
    subnet: Ipv4Net,
) -> Result<(), String> {
    let Some(ovh) = &world.topology.ovh_connect else {
        return Ok(());
    };
    let default: IpNet = "0.0.0.0/0".parse().map_err(err)?;
    let gateway = provider::ovh_connect::rules::nth(subnet, 1);
    let mut behind: Vec<(Ipv4Net, dataplane::SegmentId, Ipv4Addr)> = Vec::new();
    for e in ovh
        .extras
        .iter()
        .filter(|e| e.kind == ExtraType::Network && e.datacenter_config.get_ref() == dc)
    {
        let (Some(routed), Some(next_hop)) = (
            e.subnet.as_deref().and_then(|s| s.parse::<Ipv4Net>().ok()),
            e.next_hop
                .as_deref()
                .and_then(|s| s.parse::<Ipv4Addr>().ok()),
        ) else {
            continue;
        };
        if !subnet.contains(&next_hop) {
            continue;
        }
        let name = e.name.get_ref();
        let node = net
            .add_node(format!("next hop {name}"), NodeRole::Router)
            .map_err(err)?;
        let own = Ipv4Net::new(next_hop, subnet.prefix_len()).map_err(err)?;
        net.add_interface(
            node,
            InterfaceConfig::new("eth0", segment).address(own.into()),
        )
        .map_err(err)?;
        net.add_static_route(node, DEFAULT_VRF, default, IpAddr::V4(gateway))
            .map_err(err)?;
        let lan = net.add_segment(format!("ovh extra {name}")).map_err(err)?;
        let lan_gateway = provider::ovh_connect::rules::nth(routed, 1);
        let lan_own = Ipv4Net::new(lan_gateway, routed.prefix_len()).map_err(err)?;
        net.add_interface(
            node,
            InterfaceConfig::new("lan", lan).address(lan_own.into()),
        )
        .map_err(err)?;
        behind.push((routed, lan, lan_gateway));
    }
    for h in world
        .topology
        .hosts
        .iter()
        .filter(|h| h.ovh_datacenter.as_ref().map(|d| d.get_ref().as_str()) == Some(dc))
    {
        let Some(IpAddr::V4(address)) = h.ip() else {
            continue;
        };
        let (on, len, via) = match behind
            .iter()
            .find(|(routed, _, _)| routed.contains(&address))
        {
            Some((routed, lan, lan_gateway)) => (*lan, routed.prefix_len(), *lan_gateway),
            None if subnet.contains(&address) => (segment, subnet.prefix_len(), gateway),
            None => continue,
        };
        let host = net
            .add_node(h.name.get_ref().as_str(), NodeRole::Host)
            .map_err(err)?;
        nodes.insert(h.name.get_ref().clone(), host);
        let own = Ipv4Net::new(address, len).map_err(err)?;
        net.add_interface(host, InterfaceConfig::new("eth0", on).address(own.into()))
            .map_err(err)?;
        net.add_static_route(host, DEFAULT_VRF, default, IpAddr::V4(via))
            .map_err(err)?;
    }
    Ok(())
}

/// The `ovh` node's port in the model that carries engine session `id`: `pop NAME` for an l3
/// PoP configuration, `datacenter NAME` for a `bgp` extra of datacenter configuration NAME.
pub fn session_port(world: &World, id: &str) -> Option<(String, String)> {
    let ovh = world.topology.ovh_connect.as_ref()?;
    let (name, _) = world
        .ovh
        .created
        .iter()
        .find(|(_, c)| c.session.as_deref() == Some(id))?;
    if ovh.pop_configs.iter().any(|p| p.name.get_ref() == name) {
        return Some((OVH.to_string(), format!("pop {name}")));
    }
    let extra = ovh.extras.iter().find(|e| e.name.get_ref() == name)?;
    Some((
        OVH.to_string(),
        format!("datacenter {}", extra.datacenter_config.get_ref()),
    ))
}
