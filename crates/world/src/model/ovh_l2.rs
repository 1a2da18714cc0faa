//! OVHcloud Connect l2: an l2 PoP extends the customer's vRack to the customer's port, and
//! each l2 datacenter configuration of that PoP adds a datacenter to it (the OVHcloud Connect
//! guide). No BGP, no addresses on OVH's side: one L2 broadcast domain per vRack.
//!
//! Each vRack an l2 PoP extends (or a host expects to be on) is one segment `vrack NAME`, with
//! the hosts on the customer's side of its PoPs and those of its datacenters. A host is on the
//! vRack only while the provider state puts it there: its PoP configuration `active` and its
//! service in that vRack, and for a datacenter host its datacenter configuration `active`
//! too. Otherwise its port is cut off ([`dataplane::Network::detach_interface`]) and a trace to
//! it says why: `datacenter "sbg" is not in vRack pn-100002 (its configuration is deleted)`,
//! or `l2 PoP "dc2" is not active (its configuration is init)`.

use super::customer::host_net;
use super::{Inputs, Model, add_host};
use crate::attachment::{Host, HostPlace};
use dataplane::NodeRole;
use provider::ovh_connect::view::PopView;
use provider::ovh_connect::{ConfigStatus, PopType};
use std::collections::BTreeSet;

/// The model's segment name for a vRack.
pub fn segment_name(vrack: &str) -> String {
    format!("vrack {vrack}")
}

fn status_name(status: Option<ConfigStatus>) -> &'static str {
    match status {
        Some(ConfigStatus::Init) => "init",
        Some(ConfigStatus::Active) => "active",
        Some(ConfigStatus::ToDelete) => "toDelete",
        None => "deleted",
    }
}

/// Why the customer's side of interface `interface_id` is off vRack `vrack`, if it is.
fn pop_cut(inputs: &Inputs, interface_id: u64, vrack: &str) -> Option<String> {
    let pop: Option<&PopView> = inputs
        .ovh
        .pops
        .iter()
        .find(|p| p.interface_id == interface_id && p.kind == PopType::L2);
    let label = inputs
        .attachments
        .labels
        .pops
        .get(&interface_id)
        .cloned()
        .or_else(|| pop.map(|p| p.id.to_string()))
        .unwrap_or_else(|| format!("of interface {interface_id}"));
    let status = pop.map(|p| p.status);
    if status != Some(ConfigStatus::Active) {
        return Some(format!(
            "l2 PoP {label:?} is not active (its configuration is {})",
            status_name(status)
        ));
    }
    let service = inputs.ovh.service_of_interface(interface_id);
    if service.and_then(|s| s.vrack.as_deref()) != Some(vrack) {
        let name = service.map_or_else(|| "?".to_string(), |s| s.uuid.to_string());
        return Some(format!("service {name:?} is not in vRack {vrack}"));
    }
    None
}

/// Why datacenter `datacenter_id`'s hosts are off vRack `vrack`, if they are.
fn datacenter_cut(inputs: &Inputs, vrack: &str, datacenter_id: u64) -> Option<String> {
    let config = inputs
        .ovh
        .datacenters
        .iter()
        .find(|d| d.vrack == vrack && d.datacenter_id == datacenter_id);
    if let Some(config) = config {
        // The PoP it hangs off first: a PoP that is down takes its datacenters with it.
        for pop in inputs
            .ovh
            .pops
            .iter()
            .filter(|p| config.pops.contains(&p.id))
        {
            if let Some(why) = pop_cut(inputs, pop.interface_id, vrack) {
                return Some(why);
            }
        }
    }
    let status = config.map(|d| d.status);
    (status != Some(ConfigStatus::Active)).then(|| {
        let label = inputs
            .attachments
            .labels
            .datacenters
            .get(&(vrack.to_string(), datacenter_id))
            .cloned()
            .unwrap_or_else(|| datacenter_id.to_string());
        format!(
            "datacenter {label:?} is not in vRack {vrack} (its configuration is {})",
            status_name(status)
        )
    })
}

/// Whether datacenter `datacenter_id` of `vrack` is an l3 one now (its hosts are then on its
/// subnet, not on the vRack).
fn is_l3(inputs: &Inputs, vrack: &str, datacenter_id: u64) -> bool {
    inputs
        .ovh
        .datacenters
        .iter()
        .any(|d| d.vrack == vrack && d.datacenter_id == datacenter_id && d.l3.is_some())
}

/// The vRack an l2 host sits on, and why it is cut off (if it is).
fn l2_place(inputs: &Inputs, host: &Host) -> Option<(String, Option<String>)> {
    match &host.place {
        HostPlace::OvhInterface {
            interface_id,
            vrack,
        } => Some((vrack.clone(), pop_cut(inputs, *interface_id, vrack))),
        HostPlace::OvhDatacenter {
            vrack,
            datacenter_id,
        } if !is_l3(inputs, vrack, *datacenter_id) => {
            Some((vrack.clone(), datacenter_cut(inputs, vrack, *datacenter_id)))
        }
        _ => None,
    }
}

/// Adds each vRack segment and the hosts on it.
pub fn add(model: &mut Model, inputs: &Inputs) -> Result<(), dataplane::Error> {
    let mut vracks: BTreeSet<String> = inputs
        .ovh
        .pops
        .iter()
        .filter(|p| p.kind == PopType::L2)
        .filter_map(|p| {
            inputs
                .ovh
                .service_of_interface(p.interface_id)?
                .vrack
                .clone()
        })
        .collect();
    let hosts: Vec<(&Host, String, Option<String>)> = inputs
        .attachments
        .hosts
        .iter()
        .filter_map(|h| l2_place(inputs, h).map(|(v, cut)| (h, v, cut)))
        .collect();
    vracks.extend(hosts.iter().map(|(_, v, _)| v.clone()));
    for vrack in &vracks {
        let segment = model.net.add_segment(segment_name(vrack))?;
        model.vracks.push((vrack.clone(), segment));
    }
    for (host, vrack, cut) in hosts {
        let Some(&(_, segment)) = model.vracks.iter().find(|(v, _)| *v == vrack) else {
            continue;
        };
        // The format requires the prefix length on a vRack.
        let address = host_net(host, &[]);
        add_host(
            model,
            &host.name,
            NodeRole::Host,
            segment,
            address,
            &[],
            cut,
        )?;
    }
    Ok(())
}
