//! OVHcloud Connect's side of the model: the provider node `ovh` with one routing table (the
//! vRack), a port per l3 PoP configuration on its /30 (OVH's address), a segment per l3
//! datacenter configuration with its gateway, the sessions' accepted routes via the
//! neighbour and the `network` extras' static routes.
//!
//! While a datacenter's VRRP group is on, OVH's two routers `A` and `B` are two ports of the
//! `ovh` node and the gateway is a VRRP virtual address held by the master: the real speakers'
//! (namespace mode) or the in-memory election's. Otherwise (a `bgp` extra) one port holds the
//! gateway.

use super::{DatacenterSegment, GatewayInput, Inputs, Model, OVH, Observed, PortDevice};
use crate::attachment::Plug;
use dataplane::{DEFAULT_VRF, InterfaceConfig, NextHop, NodeId, NodeRole, SegmentId};
use ipnet::{IpNet, Ipv4Net};
use provider::ovh_connect::rules::{Extra, gateway, vrid};
use provider::ovh_connect::view::{DatacenterView, PopView};
use provider::ovh_connect::{ConfigStatus, PopType};
use std::net::IpAddr;

/// A PoP configuration's name: its label, else its ID.
pub fn pop_label(inputs: &Inputs, pop: &PopView) -> String {
    inputs
        .attachments
        .labels
        .pops
        .get(&pop.interface_id)
        .cloned()
        .unwrap_or_else(|| pop.id.to_string())
}

/// A datacenter configuration's name: its label, else its ID.
pub fn datacenter_label(inputs: &Inputs, d: &DatacenterView) -> String {
    inputs
        .attachments
        .labels
        .datacenters
        .get(&(d.vrack.clone(), d.datacenter_id))
        .cloned()
        .unwrap_or_else(|| d.id.to_string())
}

/// An extra's name: its label, else its ID.
pub fn extra_label(inputs: &Inputs, id: u64) -> String {
    inputs
        .attachments
        .labels
        .extras
        .get(&id)
        .cloned()
        .unwrap_or_else(|| id.to_string())
}

/// The segment an OVH session's customer side is on, and the session's label as a route's
/// source (`ovh pop "dc2"`, `ovh extra "rbx-bgp"`).
pub fn session_segment(
    model: &Model,
    inputs: &Inputs,
    session: &str,
) -> Option<(SegmentId, String)> {
    let ovh = &inputs.ovh;
    if let Some(pop) = ovh
        .pops
        .iter()
        .find(|p| p.session.as_deref() == Some(session))
    {
        let label = pop_label(inputs, pop);
        let segment = model.net.segment_id(&format!("ovh pop {label}"))?;
        return Some((segment, format!("ovh pop \"{label}\"")));
    }
    let extra = ovh
        .extras
        .iter()
        .find(|e| e.session.as_deref() == Some(session))?;
    let d = model
        .datacenters
        .iter()
        .find(|d| d.config_id == extra.datacenter_config)?;
    Some((
        d.segment,
        format!("ovh extra \"{}\"", extra_label(inputs, extra.id)),
    ))
}

/// The segment of the l3 datacenter configuration of `datacenter_id` in `vrack`, if active.
pub fn datacenter_segment<'m>(
    model: &'m Model,
    inputs: &Inputs,
    vrack: &str,
    datacenter_id: u64,
) -> Option<&'m DatacenterSegment> {
    let config = inputs
        .ovh
        .datacenters
        .iter()
        .find(|d| d.vrack == vrack && d.datacenter_id == datacenter_id && d.l3.is_some())?;
    model.datacenters.iter().find(|d| d.config_id == config.id)
}

/// Puts a router's cable device on the provider's side of its OVH session: the PoP's port, or
/// the datacenter's bridge.
pub fn place_device(model: &mut Model, session: &str, segment: SegmentId, device: &str) {
    if session.starts_with("ovh-pop-") {
        let port = model.node(OVH).and_then(|ovh| {
            model
                .net
                .interfaces_of(ovh)
                .find(|(_, i)| i.segment == segment)
                .map(|(id, _)| id)
        });
        if let Some(interface) = port {
            model.port_devices.push(PortDevice {
                interface,
                device: device.to_string(),
                vlan: None,
            });
        }
    } else {
        model.bridge_ports.push((segment, device.to_string()));
    }
}

/// The devices of the bindings (attachments without a router) whose plug `on` accepts.
fn bindings(inputs: &Inputs, on: impl Fn(&Plug) -> bool) -> Vec<String> {
    inputs
        .attachments
        .plugged
        .iter()
        .filter(|a| a.router.is_none() && on(&a.plug))
        .filter_map(|a| a.device.clone())
        .collect()
}

/// The routes a session accepted, via `neighbour`, with the session's state.
fn session_routes(
    model: &mut Model,
    observed: &Observed,
    ovh: NodeId,
    session: &str,
    label: &str,
    neighbour: IpAddr,
) -> Result<(), dataplane::Error> {
    let s = observed
        .sessions
        .get(session)
        .and_then(|s| s.session(engine::Family::Ipv4));
    let vrf = model.net.vrf_mut(ovh, DEFAULT_VRF)?;
    vrf.set_session(
        label,
        s.is_some_and(|s| s.status == engine::SessionStatus::Up),
    );
    for prefix in s.map(|s| s.accepted.clone()).unwrap_or_default() {
        vrf.install_bgp(prefix, NextHop::Gateway(neighbour), label);
    }
    Ok(())
}

/// Adds OVH (nothing without a PoP or datacenter configuration).
pub fn add(
    model: &mut Model,
    inputs: &Inputs,
    observed: &Observed,
) -> Result<(), dataplane::Error> {
    let view = &inputs.ovh;
    let has_l3 = view.pops.iter().any(|p| p.kind == PopType::L3)
        || view.datacenters.iter().any(|d| d.kind == PopType::L3);
    if !has_l3 {
        return Ok(());
    }
    let ovh = model.add_node(OVH, NodeRole::Provider)?;
    for pop in view
        .pops
        .iter()
        .filter(|p| p.status == ConfigStatus::Active)
    {
        let Some(l3) = pop.l3 else { continue };
        let label = pop_label(inputs, pop);
        let len = l3.subnet.prefix_len();
        let segment = model.net.add_segment(format!("ovh pop {label}"))?;
        let own = Ipv4Net::new(l3.ovh_address(), len).unwrap_or(l3.subnet);
        let port = model.net.add_interface(
            ovh,
            InterfaceConfig::new(format!("pop {label}"), segment).address(own.into()),
        )?;
        // A binding of the interface carries OVH's address, untagged.
        for device in bindings(
            inputs,
            |plug| matches!(plug, Plug::OvhInterface { interface_id } if *interface_id == pop.interface_id),
        ) {
            model.port_devices.push(PortDevice {
                interface: port,
                device,
                vlan: None,
            });
        }
        if let Some(session) = &pop.session {
            let peer = format!("ovh pop \"{label}\"");
            let neighbour = IpAddr::V4(l3.customer_address());
            session_routes(model, observed, ovh, session, &peer, neighbour)?;
        }
    }
    for d in view
        .datacenters
        .iter()
        .filter(|d| d.status == ConfigStatus::Active)
    {
        let Some(l3) = d.l3 else { continue };
        let label = datacenter_label(inputs, d);
        let segment = model.net.add_segment(format!("ovh datacenter {label}"))?;
        let gw = Ipv4Net::new(gateway(l3.subnet), l3.subnet.prefix_len()).unwrap_or(l3.subnet);
        let vrrp = add_gateway(
            model,
            ovh,
            &label,
            d.id,
            segment,
            gw,
            inputs.gateways.get(&d.id),
        )?;
        // A binding of the datacenter is a port of its segment.
        for device in bindings(inputs, |plug| {
            matches!(plug, Plug::OvhDatacenter { vrack, datacenter_id, .. }
                if *vrack == d.vrack && *datacenter_id == d.datacenter_id)
        }) {
            model.bridge_ports.push((segment, device));
        }
        model.datacenters.push(DatacenterSegment {
            config_id: d.id,
            label,
            segment,
            gateway: gw,
            vrrp,
        });
        for e in view
            .extras
            .iter()
            .filter(|e| e.datacenter_config == d.id && e.status == ConfigStatus::Active)
        {
            match e.extra {
                Extra::Network { subnet, next_hop } => {
                    model.net.add_static_route(
                        ovh,
                        DEFAULT_VRF,
                        IpNet::V4(subnet),
                        IpAddr::V4(next_hop),
                    )?;
                }
                Extra::Bgp { ip, .. } => {
                    if let Some(session) = &e.session {
                        let peer = format!("ovh extra \"{}\"", extra_label(inputs, e.id));
                        session_routes(model, observed, ovh, session, &peer, IpAddr::V4(ip))?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// OVH's routers' ports on a datacenter segment.
type VrrpPorts = Vec<(
    provider::ovh_connect::rules::VrrpRouter,
    dataplane::InterfaceId,
)>;

/// OVH's side of a datacenter segment: while the VRRP group is on, OVH's two routers `A` and
/// `B` (their own addresses, the gateway as VRRP virtual address, held by the master, none
/// before one is elected; a router crashed or stopped is down in the group); otherwise (a
/// `bgp` extra) one port with the gateway.
fn add_gateway(
    model: &mut Model,
    ovh: NodeId,
    label: &str,
    config_id: u64,
    segment: SegmentId,
    gw: Ipv4Net,
    group: Option<&GatewayInput>,
) -> Result<Option<VrrpPorts>, dataplane::Error> {
    let Some(group) = group.filter(|g| g.on) else {
        model.net.add_interface(
            ovh,
            InterfaceConfig::new(format!("datacenter {label}"), segment).address(gw.into()),
        )?;
        return Ok(None);
    };
    let subnet = gw.trunc();
    let vrid = vrid(config_id);
    let mut ports = Vec::new();
    for router in provider::ovh_connect::rules::VrrpRouter::ALL {
        let own = Ipv4Net::new(router.address(subnet), gw.prefix_len()).unwrap_or(gw);
        let port = model.net.add_interface(
            ovh,
            InterfaceConfig::new(format!("datacenter {label} {}", router.name()), segment)
                .address(own.into()),
        )?;
        model
            .net
            .add_vrrp_group(port, vrid, vec![IpAddr::V4(gw.addr())], true)?;
        model
            .net
            .set_vrrp_master(port, vrid, group.master == Some(router))?;
        let running = group
            .running
            .iter()
            .find(|(r, _)| *r == router)
            .is_none_or(|(_, running)| *running);
        if !running {
            model.net.set_vrrp_down(port, vrid, true)?;
        }
        ports.push((router, port));
    }
    Ok(Some(ports))
}
