//! The customer's side of the model: the attachments' routers on the ports their plugs land
//! on, a predicted peer on each link no router is plugged into, and the hosts.

use super::scaleway::{link_label, policy_name};
use super::{Inputs, Model, Observed, add_host, first_free};
use crate::attachment::{Attachment, Host, HostPlace};
use crate::landing::{Landing, LinkLanding, OvhLanding, landing, router_link};
use dataplane::{
    DEFAULT_VRF, InterfaceConfig, NextHop, NodeId, NodeRole, SegmentId, VlanId, WithheldReason,
    WithheldRoute,
};
use engine::{Family, SessionStatus};
use ipnet::IpNet;
use provider::interlink::LinkView;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The name of the predicted peer of a link no router is plugged into.
pub fn predicted_peer(link: &str) -> String {
    format!("peer of link {link}")
}

/// Adds the routers, the predicted peers and the hosts.
pub fn add(
    model: &mut Model,
    inputs: &Inputs,
    observed: &Observed,
) -> Result<(), dataplane::Error> {
    let mut landed = BTreeSet::new();
    for a in &inputs.attachments.plugged {
        if a.router.is_none() {
            continue;
        }
        let node = model.add_node(&a.name, NodeRole::Router)?;
        match landing(&inputs.links, &inputs.ovh, &a.plug) {
            Some(Landing::Link(l)) => {
                landed.insert(l.link_id);
                let learned = observed.learned.get(&a.name).cloned().unwrap_or_default();
                link_uplink(model, inputs, observed, node, a, &l, &learned)?;
            }
            Some(Landing::Ovh(o)) => ovh_uplink(model, inputs, observed, node, a, &o)?,
            None => {}
        }
        lan(model, inputs, node, &a.name, None)?;
    }
    for view in inputs.links.iter().filter(|v| !landed.contains(&v.link.id)) {
        predicted(model, inputs, observed, view)?;
    }
    for host in &inputs.attachments.hosts {
        placed_host(model, inputs, host)?;
    }
    Ok(())
}

/// A router's port on its link's segment, with the routes it learned and the VPC's prefixes
/// the provider does not announce to it and why.
fn link_uplink(
    model: &mut Model,
    inputs: &Inputs,
    observed: &Observed,
    node: NodeId,
    a: &Attachment,
    l: &LinkLanding,
    learned: &BTreeSet<IpNet>,
) -> Result<(), dataplane::Error> {
    let Some(segment) = model.net.segment_id(&l.port) else {
        return Ok(());
    };
    let mut port = InterfaceConfig::new("uplink", segment)
        .address(l.peer[0])
        .address(l.peer[1]);
    if let Ok(vlan) = VlanId::new(l.tag) {
        port = port.vlan(vlan);
    }
    let port = model.net.add_interface(node, port)?;
    model.host_ports.insert(a.name.clone(), port);
    if !a.up {
        model.net.set_interface_up(port, false)?;
    }
    let vrf = model.net.vrf_mut(node, DEFAULT_VRF)?;
    let label = link_label(&l.name);
    for prefix in learned {
        let gateway = if prefix.addr().is_ipv4() {
            l.scw[0].addr()
        } else {
            l.scw[1].addr()
        };
        vrf.install_bgp(*prefix, NextHop::Gateway(gateway), &label);
    }
    not_announced(model, node, inputs, observed, l, learned)
}

/// The VPC's prefixes the provider does not announce to the customer's side of link `l` (what
/// it did not learn), and why: no policy, the session down, propagation off, or
/// `prefix_filter_out`.
fn not_announced(
    model: &mut Model,
    node: NodeId,
    inputs: &Inputs,
    observed: &Observed,
    l: &LinkLanding,
    learned: &BTreeSet<IpNet>,
) -> Result<(), dataplane::Error> {
    let label = link_label(&l.name);
    let view = inputs.links.iter().find(|v| v.link.id == l.link_id);
    let snapshot = observed.sessions.get(&l.link_id.to_string());
    let vpc_subnets: Vec<IpNet> = view
        .and_then(|v| v.link.vpc_id)
        .map(|vpc| {
            inputs
                .private_networks
                .iter()
                .filter(|pn| pn.vpc_id == vpc)
                .flat_map(|pn| pn.subnets.iter().map(|s| s.subnet))
                .collect()
        })
        .unwrap_or_default();
    let propagation = view.is_some_and(|v| v.link.enable_route_propagation);
    let vrf = model.net.vrf_mut(node, DEFAULT_VRF)?;
    for family in Family::ALL {
        let session = snapshot.and_then(|s| s.session(family));
        if let Some(s) = session {
            vrf.set_session(label.as_str(), s.status == SessionStatus::Up);
        }
        let policy = view.and_then(|v| match family {
            Family::Ipv4 => v.link.routing_policy_v4_id,
            Family::Ipv6 => v.link.routing_policy_v6_id,
        });
        for subnet in vpc_subnets
            .iter()
            .filter(|p| p.addr().is_ipv4() == (family == Family::Ipv4))
            .filter(|p| !learned.contains(p))
        {
            let reason = match session {
                None => WithheldReason::FilteredByPolicy {
                    filter: format!("routing_policy_{} (none attached)", &family.name()[2..]),
                },
                Some(s) if s.status != SessionStatus::Up => WithheldReason::SessionDown,
                Some(_) if !propagation => WithheldReason::PropagationDisabled,
                Some(_) => WithheldReason::FilteredByPolicy {
                    filter: format!(
                        "prefix_filter_out of routing policy \"{}\"",
                        policy_name(inputs, policy)
                    ),
                },
            };
            vrf.withhold(WithheldRoute::not_announced(
                *subnet,
                label.as_str(),
                reason,
            ));
        }
    }
    Ok(())
}

/// A router's port on an OVH segment (an l3 PoP's, or a datacenter's for a `bgp` extra), with
/// the IPv4 routes it learned via OVH's address.
fn ovh_uplink(
    model: &mut Model,
    inputs: &Inputs,
    observed: &Observed,
    node: NodeId,
    a: &Attachment,
    o: &OvhLanding,
) -> Result<(), dataplane::Error> {
    let Some((segment, label)) = super::ovh::session_segment(model, inputs, &o.session) else {
        return Ok(());
    };
    let port = model.net.add_interface(
        node,
        InterfaceConfig::new("uplink", segment).address(o.customer.into()),
    )?;
    model.host_ports.insert(a.name.clone(), port);
    if !a.up {
        model.net.set_interface_up(port, false)?;
    }
    if let Some(device) = &a.device {
        super::ovh::place_device(model, &o.session, segment, device);
    }
    let learned = observed.learned.get(&a.name).cloned().unwrap_or_default();
    let vrf = model.net.vrf_mut(node, DEFAULT_VRF)?;
    for prefix in learned.iter().filter(|p| p.addr().is_ipv4()) {
        vrf.install_bgp(*prefix, NextHop::Gateway(IpAddr::V4(o.ovh.addr())), &label);
    }
    Ok(())
}

/// What a customer router on a link no router is plugged into would have: the link's peer
/// addresses and what the provider announces to it.
fn predicted(
    model: &mut Model,
    inputs: &Inputs,
    observed: &Observed,
    view: &LinkView,
) -> Result<(), dataplane::Error> {
    let plug = crate::attachment::Plug::Link {
        link_id: view.link.id,
    };
    let Some(l) = router_link(&inputs.links, &plug) else {
        return Ok(());
    };
    let Some(segment) = model.net.segment_id(&l.port) else {
        return Ok(());
    };
    let node = model.add_node(&predicted_peer(&l.name), NodeRole::Router)?;
    let mut port = InterfaceConfig::new("uplink", segment)
        .address(l.peer[0])
        .address(l.peer[1]);
    if let Ok(vlan) = VlanId::new(l.vlan) {
        port = port.vlan(vlan);
    }
    model.net.add_interface(node, port)?;
    let label = link_label(&l.name);
    let mut learned = BTreeSet::new();
    if let Some(snapshot) = observed.sessions.get(&l.link_id.to_string()) {
        for family in Family::ALL {
            if let Some(s) = snapshot.session(family)
                && s.status == SessionStatus::Up
            {
                learned.extend(s.announced.iter().copied());
            }
        }
    }
    let vrf = model.net.vrf_mut(node, DEFAULT_VRF)?;
    for prefix in &learned {
        let scw = if prefix.addr().is_ipv4() {
            l.scw[0]
        } else {
            l.scw[1]
        };
        vrf.install_bgp(*prefix, NextHop::Gateway(scw.addr()), &label);
    }
    not_announced(model, node, inputs, observed, &l, &learned)
}

/// The LAN behind `node` (a router, or a server with `lan`): a segment with the gateway of each
/// subnet its hosts are in (`given`: the server's LAN, whose first address is the gateway).
fn lan(
    model: &mut Model,
    inputs: &Inputs,
    node: NodeId,
    name: &str,
    given: Option<IpNet>,
) -> Result<(), dataplane::Error> {
    let behind: Vec<&Host> = inputs
        .attachments
        .hosts
        .iter()
        .filter(|h| matches!(&h.place, HostPlace::Behind { node } if node == name))
        .collect();
    if behind.is_empty() && given.is_none() {
        return Ok(());
    }
    let taken: BTreeSet<IpAddr> = behind.iter().map(|h| h.address).collect();
    let subnets: BTreeSet<IpNet> = match given {
        Some(lan) => BTreeSet::from([lan.trunc()]),
        None => behind.iter().map(|h| host_net(h, &[]).trunc()).collect(),
    };
    let segment = model.net.add_segment(format!("{name}/lan"))?;
    model.lans.insert(name.to_string(), segment);
    let mut port = InterfaceConfig::new("lan", segment);
    for subnet in &subnets {
        let gateway = match given {
            Some(_) => subnet
                .hosts()
                .next()
                .and_then(|a| IpNet::new(a, subnet.prefix_len()).ok()),
            None => first_free(*subnet, &taken),
        };
        if let Some(g) = gateway {
            port = port.address(g);
        }
    }
    model.net.add_interface(node, port)?;
    Ok(())
}

/// A host's address with its prefix length: given, else its subnet's among `within`, else /24
/// or /64.
pub fn host_net(host: &Host, within: &[IpNet]) -> IpNet {
    let len = host.prefix_len.or_else(|| {
        within
            .iter()
            .find(|s| s.contains(&host.address))
            .map(|s| s.prefix_len())
    });
    let len = len.unwrap_or(if host.address.is_ipv4() { 24 } else { 64 });
    IpNet::new(host.address, len).unwrap_or_else(|_| IpNet::from(host.address))
}

/// The segment a host's place is on, the gateways there, and why it is cut off (if it is).
fn place_of(model: &Model, inputs: &Inputs, host: &Host) -> Option<(SegmentId, Vec<IpNet>)> {
    let port_addresses = |segment: SegmentId| -> Vec<IpNet> {
        model
            .nodes
            .values()
            .flat_map(|n| model.net.interfaces_of(*n))
            .filter(|(_, i)| i.segment == segment && i.name != "eth0")
            .flat_map(|(_, i)| i.addresses.clone())
            .collect()
    };
    match &host.place {
        HostPlace::PrivateNetwork { private_network_id } => {
            let pn = inputs
                .private_networks
                .iter()
                .find(|pn| pn.id == *private_network_id)?;
            let vrf = model.vrfs.get(&pn.vpc_id)?;
            let segment = model.net.segment_id(&format!("{vrf}/{}", pn.name))?;
            Some((segment, port_addresses(segment)))
        }
        HostPlace::Behind { node } => {
            let segment = *model.lans.get(node)?;
            Some((segment, port_addresses(segment)))
        }
        HostPlace::OvhDatacenter {
            vrack,
            datacenter_id,
        } => {
            let d = super::ovh::datacenter_segment(model, inputs, vrack, *datacenter_id)?;
            Some((d.segment, vec![d.gateway.into()]))
        }
        // l2: on the vRack segment ([`super::ovh_l2`]).
        HostPlace::OvhInterface { .. } => None,
    }
}

/// A host in its place (hosts of l2 vRacks are [`super::ovh_l2`]'s).
fn placed_host(model: &mut Model, inputs: &Inputs, host: &Host) -> Result<(), dataplane::Error> {
    if model.nodes.contains_key(&host.name) {
        return Ok(());
    }
    // Servers with a LAN first: hosts behind them need their LAN.
    let Some((segment, gateways)) = place_of(model, inputs, host) else {
        return Ok(());
    };
    let address = host_net(host, &gateways);
    let gateways: Vec<IpAddr> = gateways.iter().map(IpNet::addr).collect();
    let role = match host.lan {
        Some(_) => NodeRole::Router,
        None => NodeRole::Host,
    };
    let node = add_host(model, &host.name, role, segment, address, &gateways, None)?;
    if host.lan.is_some() {
        lan(model, inputs, node, &host.name, host.lan)?;
        // The hosts behind it, now that its LAN exists.
        let behind: Vec<Host> = inputs
            .attachments
            .hosts
            .iter()
            .filter(|h| matches!(&h.place, HostPlace::Behind { node } if *node == host.name))
            .cloned()
            .collect();
        for h in behind {
            placed_host(model, inputs, &h)?;
        }
    }
    Ok(())
}
