//! Scaleway's side of the model: the provider node, a VRF per VPC, a gateway port per private
//! network, a VLAN port per link with Scaleway's addresses, and each VPC's routes from the
//! engine's sessions with the ones withheld and why.

use super::{Inputs, Model, Observed, PortDevice, SCALEWAY, first_free};
use crate::attachment::HostPlace;
use crate::landing::{link_landings, router_link};
use dataplane::{
    DEFAULT_VRF, InterfaceConfig, NextHop, NodeRole, VlanId, WithheldReason, WithheldRoute,
};
use engine::{Family, SessionStatus};
use provider::interlink::LinkView;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use uuid::Uuid;

/// `link "prod"`: how a link is named as a route's source.
pub fn link_label(name: &str) -> String {
    format!("link \"{name}\"")
}

/// The name of a policy, or `?`.
pub(crate) fn policy_name(inputs: &Inputs, id: Option<Uuid>) -> String {
    id.and_then(|id| inputs.policy_names.get(&id).cloned())
        .unwrap_or_else(|| "?".to_string())
}

/// VRF names: the VPC's name, with its ID when two VPCs share one.
fn vrf_names(inputs: &Inputs) -> BTreeMap<Uuid, String> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &inputs.vpcs {
        *seen.entry(v.name.as_str()).or_default() += 1;
    }
    inputs
        .vpcs
        .iter()
        .map(|v| {
            let name = match seen.get(v.name.as_str()) {
                Some(1) => v.name.clone(),
                _ => format!("{} ({})", v.name, v.id),
            };
            (v.id, name)
        })
        .collect()
}

/// Adds Scaleway (nothing when there is neither a VPC nor a link).
pub fn add(
    model: &mut Model,
    inputs: &Inputs,
    observed: &Observed,
) -> Result<(), dataplane::Error> {
    if inputs.vpcs.is_empty() && inputs.links.is_empty() {
        return Ok(());
    }
    let provider = model.add_node(SCALEWAY, NodeRole::Provider)?;
    model.vrfs = vrf_names(inputs);
    for name in model.vrfs.values() {
        model.net.add_vrf(provider, name.as_str())?;
    }
    for pn in &inputs.private_networks {
        let Some(vrf) = model.vrfs.get(&pn.vpc_id).cloned() else {
            continue;
        };
        let name = format!("{vrf}/{}", pn.name);
        let segment = model.net.add_segment(&name)?;
        let taken: BTreeSet<IpAddr> = inputs
            .attachments
            .hosts
            .iter()
            .filter(|h| {
                h.place
                    == HostPlace::PrivateNetwork {
                        private_network_id: pn.id,
                    }
            })
            .map(|h| h.address)
            .collect();
        let mut port = InterfaceConfig::new(&name, segment).vrf(vrf.as_str());
        for subnet in &pn.subnets {
            if let Some(g) = first_free(subnet.subnet, &taken) {
                port = port.address(g);
            }
        }
        let port = model.net.add_interface(provider, port)?;
        model.private_networks.push((segment, port));
    }
    for view in &inputs.links {
        add_link(model, inputs, observed, view)?;
    }
    Ok(())
}

/// A link's VLAN port on its physical port, and its VPC's routes from it.
fn add_link(
    model: &mut Model,
    inputs: &Inputs,
    observed: &Observed,
    view: &LinkView,
) -> Result<(), dataplane::Error> {
    let link = &view.link;
    let (Some(scw), Some(peer)) = (&link.scw_bgp_config, &link.peer_bgp_config) else {
        return Ok(());
    };
    let Some(provider) = model.node(SCALEWAY) else {
        return Ok(());
    };
    let segment = model.segment(view.port.name())?;
    let vrf = link
        .vpc_id
        .and_then(|id| model.vrfs.get(&id).cloned())
        .unwrap_or_else(|| DEFAULT_VRF.to_string());
    let mut port = InterfaceConfig::new(format!("link {}", link.name), segment)
        .vrf(vrf.as_str())
        .address(scw.ipv4.into())
        .address(scw.ipv6.into());
    if let Ok(vlan) = VlanId::new(link.vlan) {
        port = port.vlan(vlan);
    }
    let port = model.net.add_interface(provider, port)?;
    // The port goes on the device of the attachment it lands on (a binding or a router's
    // cable), tagged with the link's VLAN.
    for a in &inputs.attachments.plugged {
        let Some(device) = &a.device else { continue };
        // A router's cable carries the link it peers with; a binding every link of its port.
        let lands = match &a.router {
            Some(_) => router_link(&inputs.links, &a.plug).is_some_and(|l| l.link_id == link.id),
            None => link_landings(&inputs.links, &a.plug)
                .iter()
                .any(|l| l.link_id == link.id),
        };
        if lands {
            model.port_devices.push(PortDevice {
                interface: port,
                device: device.clone(),
                vlan: Some(link.vlan),
            });
        }
    }
    let Some(snapshot) = observed.sessions.get(&link.id.to_string()) else {
        return Ok(());
    };
    let label = super::scaleway::link_label(&link.name);
    let vrf = model.net.vrf_mut(provider, &vrf)?;
    for family in Family::ALL {
        let Some(s) = snapshot.session(family) else {
            continue;
        };
        vrf.set_session(label.as_str(), s.status == SessionStatus::Up);
        let gateway = match family {
            Family::Ipv4 => IpAddr::V4(peer.ipv4.addr()),
            Family::Ipv6 => IpAddr::V6(peer.ipv6.addr()),
        };
        for prefix in &s.installed {
            vrf.install_bgp(*prefix, NextHop::Gateway(gateway), &label);
        }
        let policy = match family {
            Family::Ipv4 => link.routing_policy_v4_id,
            Family::Ipv6 => link.routing_policy_v6_id,
        };
        let filter = format!(
            "prefix_filter_in of routing policy \"{}\"",
            policy_name(inputs, policy)
        );
        for prefix in s.received.difference(&s.accepted) {
            let reason = WithheldReason::FilteredByPolicy {
                filter: filter.clone(),
            };
            vrf.withhold(WithheldRoute::new(*prefix, label.as_str(), reason));
        }
        for prefix in s.accepted.difference(&s.installed) {
            let reason = WithheldReason::PropagationDisabled;
            vrf.withhold(WithheldRoute::new(*prefix, label.as_str(), reason));
        }
    }
    Ok(())
}
