//! Wiring the model's segments, level-triggered: what the model has and the kernels do not is
//! made; provider ports that went away lose their VLAN subinterface.

use super::Kernels;
use super::vrrp::{DatacenterBridge, GatewayState};
use super::wire::{add_address, bridge, exists, forward, join_bridge, label, veth_into};
use super::wired::{HostNs, Wired};
use crate::kernel::MAIN_TABLE;
use crate::{Error, Netns, Result, VlanInterface};
use dataplane::{InterfaceId, NodeRole, SegmentId};
use ipnet::IpNet;
use provider::ovh_connect::rules::vrid;
use std::collections::BTreeSet;
use world::model::{Model, OVH, SCALEWAY};

/// The first table of a VPC's VRF when the provider holds several.
const FIRST_VRF_TABLE: u32 = 100;
/// OVH's routing table when the provider namespace also holds a VPC in `main`.
const OVH_TABLE: u32 = 200;

fn segment_name(model: &Model, segment: SegmentId) -> String {
    model
        .net
        .segment(segment)
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

fn addresses(model: &Model, interface: InterfaceId) -> Vec<IpNet> {
    model
        .net
        .interface(interface)
        .map(|i| i.addresses.clone())
        .unwrap_or_default()
}

fn interface_named(model: &Model, node: &str, name: &str) -> Option<InterfaceId> {
    let node = model.node(node)?;
    model.net.interface_id(node, name)
}

impl Kernels {
    /// Wires what `model` has that the kernels do not yet.
    pub(super) fn wire_segments(&self, wired: &mut Wired, model: &mut Model) -> Result<()> {
        self.choose_tables(wired, model);
        self.private_networks(wired, model)?;
        self.router_lans(wired, model)?;
        self.datacenters(wired, model)?;
        for (vrack, segment) in model.vracks.clone() {
            let name = segment_name(model, segment);
            if !wired.bridges.contains_key(&name) {
                let device = self.device_name(wired, "vr");
                bridge(&self.provider, &device, &[])?;
                wired.made.push(device.clone());
                tracing::debug!(%vrack, %device, "vRack bridge");
                wired.bridges.insert(name, (self.provider.clone(), device));
            }
        }
        self.port_devices(wired, model)?;
        self.wire_hosts(wired, model)?;
        orphans_down(wired, model)?;
        self.sync_ports(wired, model)
    }

    /// The kernel table of each VPC VRF with something to carry, and OVH's: `main` for the
    /// only VPC of the first rendering, else one table each; OVH's `main` unless a VPC has it.
    fn choose_tables(&self, wired: &mut Wired, model: &Model) {
        let Some(provider) = model.node(SCALEWAY) else {
            return self.choose_ovh_table(wired, model);
        };
        let used: BTreeSet<String> = model
            .net
            .interfaces_of(provider)
            .filter(|(id, i)| {
                model.port_devices.iter().any(|p| p.interface == *id)
                    || model
                        .host_ports
                        .values()
                        .filter_map(|p| model.net.interface(*p))
                        .any(|h| h.segment == i.segment)
            })
            .filter_map(|(id, _)| model.net.vrf_of(id).map(str::to_string))
            .collect();
        let first = wired.vrf_tables.is_empty();
        let fresh: Vec<String> = used
            .into_iter()
            .filter(|v| !wired.vrf_tables.contains_key(v))
            .collect();
        if first && fresh.len() == 1 {
            wired.vrf_tables.insert(fresh[0].clone(), MAIN_TABLE);
        } else {
            for vrf in fresh {
                let taken = wired.vrf_tables.values().filter(|t| **t != MAIN_TABLE);
                let table = FIRST_VRF_TABLE + u32::try_from(taken.count()).unwrap_or(0);
                wired.vrf_tables.insert(vrf, table);
            }
        }
        self.choose_ovh_table(wired, model);
    }

    fn choose_ovh_table(&self, wired: &mut Wired, model: &Model) {
        if wired.ovh_table.is_none() && model.node(OVH).is_some() {
            let main_taken = wired.vrf_tables.values().any(|t| *t == MAIN_TABLE);
            wired.ovh_table = Some(if main_taken { OVH_TABLE } else { MAIN_TABLE });
        }
    }

    /// A bridge `pnN` per private network that has hosts, with the provider's gateway
    /// addresses.
    fn private_networks(&self, wired: &mut Wired, model: &Model) -> Result<()> {
        let with_hosts: BTreeSet<SegmentId> = model
            .host_ports
            .values()
            .filter_map(|p| model.net.interface(*p))
            .map(|i| i.segment)
            .collect();
        for (segment, port) in model.private_networks.clone() {
            if !with_hosts.contains(&segment) {
                continue;
            }
            let name = segment_name(model, segment);
            let wanted = addresses(model, port);
            let device = match wired.bridges.get(&name) {
                Some((_, device)) => {
                    let device = device.clone();
                    for a in &wanted {
                        self.provider
                            .run("ip", ["addr", "replace", &a.to_string(), "dev", &device])?;
                    }
                    device
                }
                None => {
                    let device = self.device_name(wired, "pn");
                    bridge(&self.provider, &device, &wanted)?;
                    wired.made.push(device.clone());
                    wired
                        .bridges
                        .insert(name.clone(), (self.provider.clone(), device.clone()));
                    device
                }
            };
            if let Some(i) = model.net.interface(port) {
                wired
                    .devices
                    .insert((SCALEWAY.to_string(), i.name.clone()), device);
            }
        }
        Ok(())
    }

    /// Each customer router: forwarding, its cable's end, and its LAN as a bridge `lan`.
    fn router_lans(&self, wired: &mut Wired, model: &Model) -> Result<()> {
        let routers: Vec<(String, Netns, Option<String>)> = wired
            .routers
            .iter()
            .map(|(name, r)| {
                let uplink = r.cable_devices().map(|(_, _, peer)| peer);
                (name.clone(), r.netns().clone(), uplink)
            })
            .collect();
        for (name, ns, uplink) in routers {
            if wired.forwarding.insert(ns.name().to_string()) {
                forward(&ns)?;
            }
            match uplink {
                Some(device) => wired
                    .devices
                    .insert((name.clone(), "uplink".to_string()), device),
                None => wired.devices.remove(&(name.clone(), "uplink".to_string())),
            };
            let (Some(segment), Some(lan)) = (
                model.lans.get(&name).copied(),
                interface_named(model, &name, "lan"),
            ) else {
                continue;
            };
            if let std::collections::btree_map::Entry::Vacant(slot) =
                wired.bridges.entry(segment_name(model, segment))
            {
                bridge(&ns, "lan", &addresses(model, lan))?;
                slot.insert((ns.clone(), "lan".to_string()));
                wired
                    .devices
                    .insert((name.clone(), "lan".to_string()), "lan".to_string());
            }
        }
        Ok(())
    }

    /// OVH's datacenter bridges `dcN`, each holding the gateway or running OVH's VRRP routers
    /// as the model has it; a datacenter gone from the model stops its routers.
    fn datacenters(&self, wired: &mut Wired, model: &Model) -> Result<()> {
        let on_link = wired.ovh_table.filter(|t| *t == MAIN_TABLE);
        for d in &model.datacenters {
            if !wired.datacenters.contains_key(&d.label) {
                let n = wired.number("dc");
                let device = format!("{}dc{n}", self.prefix);
                bridge(&self.provider, &device, &[])?;
                wired.made.push(device.clone());
                wired.datacenters.insert(
                    d.label.clone(),
                    DatacenterBridge {
                        name: d.label.clone(),
                        device: device.clone(),
                        n,
                        gateway: d.gateway,
                        holds_gateway: false,
                    },
                );
                wired.bridges.insert(
                    segment_name(model, d.segment),
                    (self.provider.clone(), device),
                );
            }
            let state = match d.vrrp {
                Some(_) => GatewayState::Vrrp(vrid(d.config_id)),
                None => GatewayState::Single,
            };
            if let Some(bridge) = wired.datacenters.get_mut(&d.label) {
                self.vrrp
                    .reconcile(&self.provider, on_link, bridge, &state)?;
                let device = bridge.device.clone();
                for port in [
                    format!("datacenter {}", d.label),
                    format!("datacenter {} A", d.label),
                    format!("datacenter {} B", d.label),
                ] {
                    wired
                        .devices
                        .insert((OVH.to_string(), port), device.clone());
                }
            }
        }
        let gone: Vec<String> = wired
            .datacenters
            .keys()
            .filter(|label| !model.datacenters.iter().any(|d| &d.label == *label))
            .cloned()
            .collect();
        for label in gone {
            if let Some(bridge) = wired.datacenters.get_mut(&label) {
                self.vrrp
                    .reconcile(&self.provider, on_link, bridge, &GatewayState::Gone)?;
            }
        }
        // Routers' cables into a datacenter join its bridge.
        for (segment, device) in model.bridge_ports.clone() {
            let Some((_, bridge)) = wired.bridges.get(&segment_name(model, segment)) else {
                continue;
            };
            if wired.joined.insert(device.clone()) {
                join_bridge(&self.provider, &device, bridge)?;
            }
        }
        Ok(())
    }

    /// The provider's ports on attachments' devices: `DEV.VLAN` (made here when missing) or
    /// the device itself, with the port's addresses.
    fn port_devices(&self, wired: &mut Wired, model: &Model) -> Result<()> {
        let mut wanted = BTreeSet::new();
        for p in &model.port_devices {
            let Some(i) = model.net.interface(p.interface) else {
                continue;
            };
            let node = model
                .net
                .node(i.node)
                .map(|n| n.name.clone())
                .unwrap_or_default();
            let target = match p.vlan {
                Some(vlan) => format!("{}.{vlan}", p.device),
                None => p.device.clone(),
            };
            wanted.insert(target.clone());
            if !exists(&self.provider, &target) {
                let (Some(vlan), Some(IpNet::V4(v4)), Some(IpNet::V6(v6))) = (
                    p.vlan,
                    i.addresses.iter().find(|a| a.addr().is_ipv4()).copied(),
                    i.addresses.iter().find(|a| a.addr().is_ipv6()).copied(),
                ) else {
                    return Err(Error::invalid(
                        "attachment",
                        format!("device {target} does not exist"),
                    ));
                };
                let made = VlanInterface::create(Some(&self.provider), &p.device, vlan, v4, v6)?;
                wired.subinterfaces.insert(target.clone(), made);
            } else if p.vlan.is_none() {
                for a in &i.addresses {
                    if wired.lent.iter().any(|(l, d)| l == a && *d == target) {
                        continue;
                    }
                    add_address(&self.provider, a, &target).or_else(|_| {
                        self.provider
                            .run("ip", ["addr", "replace", &a.to_string(), "dev", &target])
                            .map(drop)
                    })?;
                    wired.lent.push((*a, target.clone()));
                }
                self.provider.run("ip", ["link", "set", &target, "up"])?;
            }
            wired.devices.insert((node, i.name.clone()), target);
        }
        // A port that went away (its link deleted) takes its subinterface with it, and the
        // addresses lent to a device go when their port does.
        wired.subinterfaces.retain(|name, _| wanted.contains(name));
        let lent_now: Vec<(IpNet, String)> = model
            .port_devices
            .iter()
            .filter(|p| p.vlan.is_none())
            .flat_map(|p| {
                let addresses = model
                    .net
                    .interface(p.interface)
                    .map(|i| i.addresses.clone())
                    .unwrap_or_default();
                addresses.into_iter().map(move |a| (a, p.device.clone()))
            })
            .collect();
        let gone: Vec<(IpNet, String)> = wired
            .lent
            .iter()
            .filter(|l| !lent_now.contains(l))
            .cloned()
            .collect();
        for (address, device) in gone {
            let _ = self
                .provider
                .run("ip", ["addr", "del", &address.to_string(), "dev", &device]);
            wired.lent.retain(|l| *l != (address, device.clone()));
        }
        let stale: Vec<(String, String)> = wired
            .devices
            .iter()
            .filter(|((node, port), device)| {
                (node == SCALEWAY && port.starts_with("link ")
                    || node == OVH && port.starts_with("pop "))
                    && !wanted.contains(*device)
            })
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            wired.devices.remove(&key);
        }
        Ok(())
    }

    /// A namespace per host (and next-hop server), cabled into its segment's bridge; a server
    /// also forwards and has its LAN as a bridge `lan`.
    fn wire_hosts(&self, wired: &mut Wired, model: &Model) -> Result<()> {
        loop {
            let mut progress = false;
            let pending: Vec<(String, InterfaceId)> = model
                .host_ports
                .iter()
                .filter(|(name, _)| {
                    !wired.routers.contains_key(*name) && !wired.hosts.contains_key(*name)
                })
                .map(|(n, p)| (n.clone(), *p))
                .collect();
            for (name, port) in pending {
                let Some(eth0) = model.net.interface(port) else {
                    continue;
                };
                let Some((gw_ns, bridge_dev)) = wired
                    .bridges
                    .get(&segment_name(model, eth0.segment))
                    .cloned()
                else {
                    continue;
                };
                let ns = Netns::create(&label(&name))?;
                let veth = self.device_name(wired, "hp");
                veth_into(&gw_ns, &veth, &bridge_dev, &ns, &eth0.addresses)?;
                wired
                    .devices
                    .insert((name.clone(), "eth0".to_string()), "eth0".to_string());
                let lan = interface_named(model, &name, "lan");
                let server = model
                    .node(&name)
                    .and_then(|n| model.net.node(n))
                    .is_some_and(|n| n.role == NodeRole::Router);
                if let (true, Some(lan)) = (server, lan) {
                    forward(&ns)?;
                    bridge(&ns, "lan", &addresses(model, lan))?;
                    wired
                        .devices
                        .insert((name.clone(), "lan".to_string()), "lan".to_string());
                    if let Some(segment) = model.lans.get(&name) {
                        wired.bridges.insert(
                            segment_name(model, *segment),
                            (ns.clone(), "lan".to_string()),
                        );
                    }
                }
                wired.hosts.insert(
                    name,
                    HostNs {
                        ns,
                        port: (gw_ns, veth),
                        address: eth0.addresses.first().map(IpNet::addr),
                    },
                );
                progress = true;
            }
            if !progress {
                return Ok(());
            }
        }
    }

    /// A host whose port the model has down (cut off an l2 vRack) has its bridge port down,
    /// and up again when the model has it up; only changes run `ip`.
    fn sync_ports(&self, wired: &mut Wired, model: &Model) -> Result<()> {
        for (name, host) in &wired.hosts {
            let Some(node) = model.node(name) else {
                continue;
            };
            let up = model.net.interfaces_of(node).all(|(_, i)| i.up);
            if up != wired.ports_down.contains(name) {
                continue;
            }
            let (ns, port) = &host.port;
            ns.run(
                "ip",
                ["link", "set", port.as_str(), if up { "up" } else { "down" }],
            )?;
            if up {
                wired.ports_down.remove(name);
            } else {
                wired.ports_down.insert(name.clone());
            }
        }
        Ok(())
    }
}

/// An interface of the model without a Linux device (a link no router is cabled to) carries
/// nothing: it is taken down in the model, so the model says what the kernels do.
fn orphans_down(wired: &Wired, model: &mut Model) -> Result<()> {
    let rendered: Vec<&String> = [SCALEWAY, OVH]
        .iter()
        .filter_map(|n| model.nodes.get_key_value(*n).map(|(k, _)| k))
        .chain(wired.routers.keys())
        .chain(wired.hosts.keys())
        .collect();
    let mut orphans = Vec::new();
    for name in rendered {
        let Some(node) = model.node(name) else {
            continue;
        };
        for (id, i) in model.net.interfaces_of(node) {
            if !wired.devices.contains_key(&(name.clone(), i.name.clone())) {
                orphans.push(id);
            }
        }
    }
    for id in orphans {
        model
            .net
            .set_interface_up(id, false)
            .map_err(|e| Error::invalid("model", e))?;
    }
    Ok(())
}
