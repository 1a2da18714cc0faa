//! What lands on a plug: the provider resource whose session a customer device on that port
//! peers with, and the addresses each side takes. A pure function of the provider state, so the
//! model, the kernel renderer and the customer's automation (the topology runner configuring a
//! router from `peer_bgp_config`) all agree.

use crate::attachment::Plug;
use ipnet::{IpNet, Ipv4Net};
use provider::interlink::{LinkPort, LinkView};
use provider::ovh_connect::rules::{Extra, gateway};
use provider::ovh_connect::view::OvhView;
use provider::ovh_connect::{ConfigStatus, PopType};
use uuid::Uuid;

/// An InterLink link on a plug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkLanding {
    /// The link (also its engine link ID, as a string).
    pub link_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its port's name (the connection's or the partner's).
    pub port: String,
    /// The link's VLAN (Scaleway's side tags it).
    pub vlan: u16,
    /// The VLAN the customer's side tags (the plug's, else the link's): another one is a
    /// VLAN mismatch.
    pub tag: u16,
    /// Scaleway's ASN.
    pub scw_asn: u32,
    /// The customer's ASN as the link says it.
    pub peer_asn: u32,
    /// Scaleway's IPv4 and IPv6 addresses, with their prefix lengths.
    pub scw: [IpNet; 2],
    /// The customer's IPv4 and IPv6 addresses.
    pub peer: [IpNet; 2],
}

/// An OVHcloud Connect session on a plug: an l3 PoP (the /30), or a `bgp` extra (the
/// datacenter subnet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OvhLanding {
    /// The engine session (`ovh-pop-N`, `ovh-extra-N`).
    pub session: String,
    /// OVH's address, with its prefix length.
    pub ovh: Ipv4Net,
    /// The customer's address.
    pub customer: Ipv4Net,
    /// OVH's ASN.
    pub ovh_asn: u32,
    /// The customer's ASN.
    pub customer_asn: u32,
}

/// What lands on a plug.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Landing {
    /// An InterLink link.
    Link(LinkLanding),
    /// An OVHcloud Connect session.
    Ovh(OvhLanding),
}

impl Landing {
    /// The engine link ID of its session(s).
    pub fn session(&self) -> String {
        match self {
            Landing::Link(l) => l.link_id.to_string(),
            Landing::Ovh(o) => o.session.clone(),
        }
    }
}

fn link_landing(view: &LinkView, tag: Option<u16>) -> Option<LinkLanding> {
    let link = &view.link;
    let (scw, peer) = (
        link.scw_bgp_config.as_ref()?,
        link.peer_bgp_config.as_ref()?,
    );
    Some(LinkLanding {
        link_id: link.id,
        name: link.name.clone(),
        port: view.port.name().to_string(),
        vlan: link.vlan,
        tag: tag.unwrap_or(link.vlan),
        scw_asn: scw.asn,
        peer_asn: peer.asn,
        scw: [scw.ipv4.into(), scw.ipv6.into()],
        peer: [peer.ipv4.into(), peer.ipv6.into()],
    })
}

/// The links on `plug` that have addresses (every one on a connection for a binding).
pub fn link_landings(links: &[LinkView], plug: &Plug) -> Vec<LinkLanding> {
    let on = |v: &&LinkView| match (plug, &v.port) {
        (Plug::Connection { connection_id, .. }, LinkPort::Connection { id, .. }) => {
            id == connection_id
        }
        (Plug::Partner { partner_id, .. }, LinkPort::Partner { id, .. }) => id == partner_id,
        (Plug::Link { link_id }, _) => v.link.id == *link_id,
        _ => false,
    };
    let tag = match plug {
        Plug::Connection { vlan, .. } | Plug::Partner { vlan, .. } => *vlan,
        _ => None,
    };
    links
        .iter()
        .filter(on)
        .filter_map(|v| link_landing(v, tag))
        .collect()
}

/// The one link a router on `plug` peers with: the one on its VLAN, else another on its port
/// (which a VLAN mismatch keeps down).
pub fn router_link(links: &[LinkView], plug: &Plug) -> Option<LinkLanding> {
    let all = link_landings(links, plug);
    all.iter()
        .find(|l| l.vlan == l.tag)
        .or(all.first())
        .cloned()
}

/// The OVH session a router on `plug` peers with: the l3 PoP configuration of its interface,
/// or the active `bgp` extra of its datacenter whose neighbour ASN is the router's.
pub fn ovh_landing(ovh: &OvhView, plug: &Plug) -> Option<OvhLanding> {
    match plug {
        Plug::OvhInterface { interface_id } => {
            let pop = ovh.pops.iter().find(|p| {
                p.interface_id == *interface_id
                    && p.kind == PopType::L3
                    && p.status != ConfigStatus::ToDelete
            })?;
            let l3 = pop.l3?;
            let len = l3.subnet.prefix_len();
            Some(OvhLanding {
                session: format!("ovh-pop-{}", pop.id),
                ovh: Ipv4Net::new(l3.ovh_address(), len).ok()?,
                customer: Ipv4Net::new(l3.customer_address(), len).ok()?,
                ovh_asn: l3.ovh_bgp_area,
                customer_asn: l3.customer_bgp_area,
            })
        }
        Plug::OvhDatacenter {
            vrack,
            datacenter_id,
            asn,
        } => ovh
            .datacenters
            .iter()
            .filter(|d| &d.vrack == vrack && d.datacenter_id == *datacenter_id)
            .find_map(|d| {
                let l3 = d.l3?;
                let len = l3.subnet.prefix_len();
                ovh.extras
                    .iter()
                    .filter(|e| e.datacenter_config == d.id && e.status != ConfigStatus::ToDelete)
                    .find_map(|e| match e.extra {
                        Extra::Bgp { area, ip } if asn.is_none_or(|a| a == area) => {
                            Some(OvhLanding {
                                session: format!("ovh-extra-{}", e.id),
                                ovh: Ipv4Net::new(gateway(l3.subnet), len).ok()?,
                                customer: Ipv4Net::new(ip, len).ok()?,
                                ovh_asn: l3.ovh_bgp_area,
                                customer_asn: area,
                            })
                        }
                        _ => None,
                    })
            }),
        _ => None,
    }
}

/// What a router on `plug` peers with, if anything.
pub fn landing(links: &[LinkView], ovh: &OvhView, plug: &Plug) -> Option<Landing> {
    match plug {
        Plug::OvhInterface { .. } | Plug::OvhDatacenter { .. } => {
            ovh_landing(ovh, plug).map(Landing::Ovh)
        }
        _ => router_link(links, plug).map(Landing::Link),
    }
}
