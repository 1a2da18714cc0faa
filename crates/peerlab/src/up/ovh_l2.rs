//! OVHcloud Connect l2 in `peerlab up`: an l2 PoP extends the customer's vRack to the
//! customer's port, and each l2 datacenter configuration of that PoP adds a datacenter to it
//! (the OVHcloud Connect guide). No BGP, no addresses on OVH's side: one L2 broadcast domain.
//!
//! In the model ([`add`]), each vRack that an l2 PoP configuration extends is one segment
//! `vrack pn-…`, with on it:
//! - the hosts on the customer's side of the PoP (`plug = { ovh_service, interface }`);
//! - the hosts of each of its l2 datacenter configurations (`ovh_datacenter`).
//!
//! Each host has one port `eth0` on the segment, with its address and prefix length, and no
//! gateway: `reach` between two of them is delivered on the connected subnet. A host is on the
//! vRack only while OVH's API shows what puts it there: its PoP configuration `active` (and
//! its service still in that vRack), and for a datacenter host its datacenter configuration
//! `active` too. Otherwise its port is cut off ([`dataplane::Network::detach_interface`]) and
//! a trace to it says why: `no L2 path to 192.168.100.30 (sbg-server/eth0): datacenter "sbg" is
//! not in vRack pn-100002 (its configuration is deleted)`, or `l2 PoP "dc2" is not active`.
//!
//! In namespace mode ([`wire`]), each vRack segment is a bridge `vrN` in the provider
//! namespace, without addresses; the hosts are namespaces on it, as `super::kernels` wires every
//! host on its segment's bridge, and a host the model cuts off has its bridge port down
//! (`super::kernels`, at each rendering), so `ping` agrees with the model.
//!
//! Not here: VLANs on the customer's port (OVH's API has none for a PoP), several l2 PoPs of
//! one service, or moving a service to another vRack while running (a host of a service no
//! longer in its vRack is cut off, not moved).

use super::model::Model;
use super::runner::World;
use dataplane::{InterfaceConfig, Network, NodeId, NodeRole, SegmentId};
use ipnet::IpNet;
use linux::Netns;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use topology::format::{PopConfig, PopType, Topology};

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The vRacks the topology's l2 PoP configurations extend, each with those PoPs and the name
/// of their service.
pub fn vracks(topology: &Topology) -> BTreeMap<String, Vec<(&PopConfig, &str)>> {
    let mut vracks: BTreeMap<String, Vec<(&PopConfig, &str)>> = BTreeMap::new();
    let Some(ovh) = &topology.ovh_connect else {
        return vracks;
    };
    for p in ovh.pop_configs.iter().filter(|p| p.kind == PopType::L2) {
        let Some(service) = ovh.service_of_interface(*p.interface_id.get_ref()) else {
            continue;
        };
        let vrack = service
            .vrack
            .clone()
            .unwrap_or_else(|| provider::catalogue::ovh::DEMO_VRACK.to_string());
        vracks
            .entry(vrack)
            .or_default()
            .push((p, service.name.get_ref().as_str()));
    }
    vracks
}

/// The model's segment name for a vRack.
pub fn segment_name(vrack: &str) -> String {
    format!("vrack {vrack}")
}

/// The status of OVH configuration `name` as the API shows it now: `active`, `init`,
/// `toDelete` … or `deleted` once the API no longer has it.
async fn status(world: &World, name: &str) -> String {
    let Some(created) = world.ovh.created.get(name) else {
        return "not created".to_string();
    };
    match super::ovh::get(world, &created.path).await {
        Ok(config) => config
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string(),
        Err(_) => "deleted".to_string(),
    }
}

/// Whether service `name` is in `vrack` as the API shows it now.
async fn service_in(world: &World, name: &str, vrack: &str) -> bool {
    let Some(uuid) = world.ovh.services.get(name) else {
        return false;
    };
    match super::ovh::get(world, &format!("/1.0/ovhCloudConnect/{uuid}")).await {
        Ok(service) => service.get("vrack").and_then(Value::as_str) == Some(vrack),
        Err(_) => false,
    }
}

/// `(its configuration is deleted)`, `(its configuration is init)`.
fn because(status: &str) -> String {
    format!("its configuration is {status}")
}

/// Adds each vRack an l2 PoP extends, and the hosts on it, to the model (nothing without l2
/// PoP configurations).
pub async fn add(
    world: &World,
    net: &mut Network,
    nodes: &mut HashMap<String, NodeId>,
) -> Result<(), String> {
    let Some(ovh) = &world.topology.ovh_connect else {
        return Ok(());
    };
    for (vrack, pops) in vracks(&world.topology) {
        let segment = net.add_segment(segment_name(&vrack)).map_err(err)?;
        for (pop, service) in pops {
            let name = pop.name.get_ref();
            let pop_status = status(world, name).await;
            let pop_down = if pop_status != "active" {
                Some(format!(
                    "l2 PoP {name:?} is not active ({})",
                    because(&pop_status)
                ))
            } else if !service_in(world, service, &vrack).await {
                Some(format!("service {service:?} is not in vRack {vrack}"))
            } else {
                None
            };
            let interface = u32::try_from(*pop.interface_id.get_ref()).ok();
            for h in world.topology.hosts.iter().filter(|h| {
                h.plug.as_ref().is_some_and(|p| {
                    let p = p.get_ref();
                    p.ovh_service.as_deref() == Some(service) && p.interface == interface
                })
            }) {
                add_host(net, nodes, h, segment, pop_down.clone())?;
            }
            for d in ovh
                .datacenter_configs
                .iter()
                .filter(|d| d.pop_config.get_ref() == name)
            {
                let dc = d.name.get_ref();
                let cut = match &pop_down {
                    Some(why) => Some(why.clone()),
                    None => {
                        let dc_status = status(world, dc).await;
                        (dc_status != "active").then(|| {
                            format!(
                                "datacenter {dc:?} is not in vRack {vrack} ({})",
                                because(&dc_status)
                            )
                        })
                    }
                };
                for h in world
                    .topology
                    .hosts
                    .iter()
                    .filter(|h| h.ovh_datacenter.as_ref().map(|x| x.get_ref()) == Some(dc))
                {
                    add_host(net, nodes, h, segment, cut.clone())?;
                }
            }
        }
    }
    Ok(())
}

/// A host with its port `eth0` on the vRack `segment`, cut off with `cut` when given.
fn add_host(
    net: &mut Network,
    nodes: &mut HashMap<String, NodeId>,
    host: &topology::format::Host,
    segment: SegmentId,
    cut: Option<String>,
) -> Result<(), String> {
    // The format requires the prefix length on a vRack.
    let Ok(address) = host.address.get_ref().parse::<IpNet>() else {
        return Ok(());
    };
    let name = host.name.get_ref();
    let node = net.add_node(name.as_str(), NodeRole::Host).map_err(err)?;
    nodes.insert(name.clone(), node);
    let port = net
        .add_interface(node, InterfaceConfig::new("eth0", segment).address(address))
        .map_err(err)?;
    if let Some(why) = cut {
        net.detach_interface(port, why).map_err(err)?;
    }
    Ok(())
}

/// Namespace mode: a bridge `vrN` (no address: OVH has none on an l2 vRack) in the provider
/// namespace for each vRack segment of `model`, added to `segments` for the hosts.
pub fn wire(
    topology: &Topology,
    model: &Model,
    provider: &Netns,
    segments: &mut HashMap<SegmentId, (Netns, String)>,
) -> Result<(), String> {
    for (n, vrack) in vracks(topology).keys().enumerate() {
        let Some(segment) = model.net.segment_id(&segment_name(vrack)) else {
            continue;
        };
        let device = format!("vr{n}");
        provider
            .run("ip", ["link", "add", device.as_str(), "type", "bridge"])
            .map_err(err)?;
        provider
            .run("ip", ["link", "set", device.as_str(), "up"])
            .map_err(err)?;
        segments.insert(segment, (provider.clone(), device));
    }
    Ok(())
}
