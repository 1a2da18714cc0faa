//! The customer's side of a running topology, as a customer's automation would run it: the
//! routers and hosts become the world's attachments ([`attach`]), and each router is
//! configured from what lands on its plug ([`reconcile`]): the link on its connection and VLAN
//! (from the link's `peer_bgp_config`), or OVH's session on its interface or datacenter. A
//! link created, changed or deleted later through the API (a kept topology, an `api` step) is
//! followed the same way: [`spawn`] runs the reconcile after every change of the world.
//!
//! - Embedded routers (in memory) are plugged into the engine's in-memory [`Wiring`] under the
//!   session's engine link ID; a router tagging another VLAN than the link's is not plugged (a
//!   VLAN mismatch: its sessions stay down).
//! - Routers in namespaces get a cable (a veth with a VLAN subinterface at each end: the
//!   link's VLAN on the provider's side, the router's on its own) and their daemon configured
//!   with the addresses the API gave; the provider's end of the cable becomes the attachment's
//!   device, where the world's renderer puts the provider's port.

use super::error::{Result, RunError, Why};
use super::lab::{Lab, Mode, RouterHandle};
use crate::format::{ExtraType, Host as TopologyHost, Plug as TopologyPlug};
use ipnet::{IpNet, Ipv4Net};
use linux::LinkAddressing;
use linux::router::daemon;
use std::collections::BTreeSet;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::{Arc, Weak};
use world::attachment::{
    Attachment, Attachments, CustomerRouter, Host, HostPlace, Labels, LearnedRoutes, Plug,
};
use world::landing::{Landing, LinkLanding, OvhLanding};

/// The VLAN a daemon's cable to an OVH session is tagged with: OVH's API has no VLAN for a PoP
/// configuration (it is agreed with the cross-connect), so the runner picks one.
pub const OVH_VLAN: u16 = 100;

/// What a router is plugged into now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plugged {
    /// The session it peers with.
    pub landing: Landing,
}

/// Where a router learned its routes, for the world's model.
#[derive(Debug)]
struct Routes(RouterHandle);

impl LearnedRoutes for Routes {
    fn learned(&self) -> Pin<Box<dyn Future<Output = BTreeSet<IpNet>> + Send + '_>> {
        Box::pin(learned(&self.0))
    }
}

/// What a router learned from the provider, both families (nothing when it cannot say).
pub async fn learned(router: &RouterHandle) -> BTreeSet<IpNet> {
    match router {
        RouterHandle::Embedded(r) => r.learned(),
        RouterHandle::Daemon(d) => daemon::blocking(d, |d| d.learned())
            .await
            .unwrap_or_default(),
    }
}

/// The vRack a service of the topology is in.
fn vrack_of_service(lab: &Lab, service: &str) -> Option<String> {
    let ovh = lab.topology.ovh_connect.as_ref()?;
    let s = ovh.services.iter().find(|s| s.name.get_ref() == service)?;
    Some(
        s.vrack
            .clone()
            .unwrap_or_else(|| provider::catalogue::ovh::DEMO_VRACK.to_string()),
    )
}

/// The vRack and datacenter of datacenter configuration `name`.
fn datacenter_place(lab: &Lab, name: &str) -> Option<(String, u64)> {
    let ovh = lab.topology.ovh_connect.as_ref()?;
    let d = ovh
        .datacenter_configs
        .iter()
        .find(|d| d.name.get_ref() == name)?;
    let pop = ovh
        .pop_configs
        .iter()
        .find(|p| p.name.get_ref() == d.pop_config.get_ref())?;
    let service = ovh.service_of_interface(*pop.interface_id.get_ref())?;
    Some((
        vrack_of_service(lab, service.name.get_ref())?,
        d.datacenter_id,
    ))
}

/// The world's plug of a router's or host's `plug`.
async fn plug_of(lab: &Lab, plug: &TopologyPlug, asn: u32) -> Result<Option<Plug>> {
    let tag = plug.vlan.and_then(|v| u16::try_from(v).ok());
    if let Some(link) = &plug.link {
        let link_id = lab
            .link_id(link)
            .await
            .map_err(|e| RunError::Refused(e.0))?;
        return Ok(Some(Plug::Link { link_id }));
    }
    if let Some(name) = plug.connection.clone() {
        let id = lab
            .world
            .read(move |s| s.interlink.connection_id(&name))
            .await?;
        return Ok(id.map(|connection_id| Plug::Connection {
            connection_id,
            vlan: tag,
        }));
    }
    if let Some(name) = plug.partner.clone() {
        let id = lab
            .world
            .read(move |s| s.interlink.partner_id(&name))
            .await?;
        return Ok(id.map(|partner_id| Plug::Partner {
            partner_id,
            vlan: tag,
        }));
    }
    if let (Some(_), Some(interface)) = (&plug.ovh_service, plug.interface) {
        return Ok(Some(Plug::OvhInterface {
            interface_id: u64::from(interface),
        }));
    }
    if let Some(dc) = &plug.ovh_datacenter {
        return Ok(
            datacenter_place(lab, dc).map(|(vrack, datacenter_id)| Plug::OvhDatacenter {
                vrack,
                datacenter_id,
                asn: Some(asn),
            }),
        );
    }
    Ok(None)
}

/// `10.1.0.10/16` → its prefix length.
fn prefix_len(text: &str) -> Option<u8> {
    text.split_once('/').and_then(|(_, l)| l.parse().ok())
}

/// A `network` extra of datacenter configuration `dc` whose subnet holds `address`.
fn extra_behind(lab: &Lab, dc: &str, address: IpAddr) -> Option<String> {
    let ovh = lab.topology.ovh_connect.as_ref()?;
    ovh.extras
        .iter()
        .filter(|e| e.kind == ExtraType::Network && e.datacenter_config.get_ref() == dc)
        .find(|e| {
            e.subnet
                .as_deref()
                .and_then(|s| s.parse::<IpNet>().ok())
                .is_some_and(|s| s.contains(&address))
        })
        .map(|e| format!("next hop {}", e.name.get_ref()))
}

/// Where a topology host sits.
fn host_place(lab: &Lab, h: &TopologyHost, address: IpAddr) -> Option<HostPlace> {
    if let (Some(vpc), Some(pn)) = (&h.vpc, &h.private_network) {
        let vpc_id = lab.vpcs.get(vpc.get_ref())?;
        let private_network_id =
            provider::ids::stable_uuid("private_network", &format!("{vpc_id}/{}", pn.get_ref()));
        return Some(HostPlace::PrivateNetwork { private_network_id });
    }
    if let Some(router) = &h.router {
        return Some(HostPlace::Behind {
            node: router.get_ref().clone(),
        });
    }
    if let Some(dc) = &h.ovh_datacenter {
        if let Some(node) = extra_behind(lab, dc.get_ref(), address) {
            return Some(HostPlace::Behind { node });
        }
        let (vrack, datacenter_id) = datacenter_place(lab, dc.get_ref())?;
        return Some(HostPlace::OvhDatacenter {
            vrack,
            datacenter_id,
        });
    }
    let plug = h.plug.as_ref()?.get_ref();
    let service = plug.ovh_service.as_deref()?;
    Some(HostPlace::OvhInterface {
        interface_id: u64::from(plug.interface?),
        vrack: vrack_of_service(lab, service)?,
    })
}

/// The servers at the next hops of the topology's `network` extras: each on its datacenter's
/// segment, forwarding to the extra's subnet.
fn next_hop_servers(lab: &Lab) -> Vec<Host> {
    let Some(ovh) = &lab.topology.ovh_connect else {
        return Vec::new();
    };
    ovh.extras
        .iter()
        .filter(|e| e.kind == ExtraType::Network)
        .filter_map(|e| {
            let dc = e.datacenter_config.get_ref();
            let config = ovh
                .datacenter_configs
                .iter()
                .find(|d| d.name.get_ref() == dc)?;
            let subnet: Ipv4Net = config.subnet.as_deref()?.parse().ok()?;
            let next_hop: Ipv4Addr = e.next_hop.as_deref()?.parse().ok()?;
            let lan: IpNet = e.subnet.as_deref()?.parse().ok()?;
            if !subnet.contains(&next_hop) {
                return None;
            }
            let (vrack, datacenter_id) = datacenter_place(lab, dc)?;
            Some(Host {
                name: format!("next hop {}", e.name.get_ref()),
                address: IpAddr::V4(next_hop),
                prefix_len: Some(subnet.prefix_len()),
                place: HostPlace::OvhDatacenter {
                    vrack,
                    datacenter_id,
                },
                lan: Some(lan),
            })
        })
        .collect()
}

/// The names of OVH's configurations.
fn labels(lab: &Lab) -> Labels {
    let mut labels = Labels::default();
    let Some(ovh) = &lab.topology.ovh_connect else {
        return labels;
    };
    for p in &ovh.pop_configs {
        labels
            .pops
            .insert(*p.interface_id.get_ref(), p.name.get_ref().clone());
    }
    for d in &ovh.datacenter_configs {
        if let Some(place) = datacenter_place(lab, d.name.get_ref()) {
            labels.datacenters.insert(place, d.name.get_ref().clone());
        }
    }
    for e in &ovh.extras {
        if let Some(created) = lab.ovh.created.get(e.name.get_ref()) {
            labels.extras.insert(created.id, e.name.get_ref().clone());
        }
    }
    labels
}

/// Makes the topology's routers and hosts the world's attachments.
pub async fn attach(lab: &Lab, path: &str) -> Result<()> {
    let mut attachments = Attachments {
        labels: labels(lab),
        ..Default::default()
    };
    for r in &lab.topology.routers {
        let name = r.name.get_ref();
        let Some(handle) = lab.routers.get(name) else {
            continue;
        };
        let plug = plug_of(lab, r.plug.get_ref(), r.asn).await.map_err(|e| {
            RunError::Refused(format!(
                "{path}:{}: [[routers]] {name:?}: {e}",
                lab.topology.line(&r.name)
            ))
        })?;
        let Some(plug) = plug else { continue };
        attachments.put(Attachment {
            name: name.clone(),
            plug,
            device: None,
            router: Some(CustomerRouter {
                asn: r.asn,
                routes: Arc::new(Routes(handle.clone())),
            }),
            up: true,
        });
    }
    attachments.hosts.extend(next_hop_servers(lab));
    for h in &lab.topology.hosts {
        let Some(address) = h.ip() else { continue };
        let Some(place) = host_place(lab, h, address) else {
            continue;
        };
        attachments.put_host(Host {
            name: h.name.get_ref().clone(),
            address,
            prefix_len: prefix_len(h.address.get_ref()),
            place,
            lan: None,
        });
    }
    lab.world.attach(move |a| *a = attachments).await?;
    Ok(())
}

/// A cable's addressing for an OVH session: OVH and the customer on their subnet, and a /127
/// of the runner's own (OVH's sessions are IPv4 only).
fn ovh_addressing(o: &OvhLanding) -> Result<LinkAddressing> {
    let spare = LinkAddressing::allocate()?;
    Ok(LinkAddressing {
        scw_ipv4: o.ovh,
        peer_ipv4: o.customer,
        scw_ipv6: spare.scw_ipv6,
        peer_ipv6: spare.peer_ipv6,
    })
}

/// A link's cable addressing, from Scaleway's addresses.
fn link_addressing(l: &LinkLanding) -> Result<LinkAddressing> {
    match (l.scw[0].addr(), l.scw[1].addr()) {
        (IpAddr::V4(v4), IpAddr::V6(v6)) => Ok(LinkAddressing::from_scw(v4, v6)?),
        _ => Err(RunError::Refused(format!(
            "link {} has no IPv4 and IPv6 addresses",
            l.name
        ))),
    }
}

/// Unplugs `router` from what it was plugged into.
async fn unplug(lab: &Lab, router: &RouterHandle, was: &Landing) -> Result<()> {
    match router {
        RouterHandle::Embedded(_) => lab.wiring.unplug(&was.session()),
        RouterHandle::Daemon(d) => {
            daemon::blocking(d, |d| {
                d.unplug();
                Ok(())
            })
            .await?
        }
    }
    Ok(())
}

/// Plugs `router` into `landing`; the provider's device of its cable, if it has one.
async fn plug(lab: &Lab, router: &RouterHandle, landing: &Landing) -> Result<Option<String>> {
    match (router, landing, &lab.mode) {
        (RouterHandle::Embedded(r), Landing::Link(l), _) => {
            // Another VLAN on the same port: the frames never meet.
            if l.vlan == l.tag {
                lab.wiring.plug(
                    &l.link_id.to_string(),
                    Some(Arc::clone(r)),
                    l.peer[0].addr(),
                    l.peer[1].addr(),
                );
            }
            Ok(None)
        }
        (RouterHandle::Embedded(r), Landing::Ovh(o), _) => {
            r.set_peer_asn(&o.session, o.ovh_asn);
            let v6 = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
            lab.wiring.plug(
                &o.session,
                Some(Arc::clone(r)),
                IpAddr::V4(o.customer.addr()),
                v6,
            );
            Ok(None)
        }
        (RouterHandle::Daemon(d), Landing::Link(l), Mode::Real { provider }) => {
            let addressing = link_addressing(l)?;
            let (provider, id, vlan, tag) =
                (provider.clone(), l.link_id.to_string(), l.vlan, l.tag);
            daemon::blocking(d, move |d| {
                d.plug(&provider, &id, vlan, tag, addressing)?;
                Ok(d.cable_veth())
            })
            .await
            .map_err(Into::into)
        }
        (RouterHandle::Daemon(d), Landing::Ovh(o), Mode::Real { provider }) => {
            let addressing = ovh_addressing(o)?;
            let (provider, session, asn) = (provider.clone(), o.session.clone(), o.ovh_asn);
            daemon::blocking(d, move |d| {
                d.plug_ovh(&provider, &session, OVH_VLAN, addressing, asn)?;
                Ok(d.cable_devices().map(|(_, host, _)| host))
            })
            .await
            .map_err(Into::into)
        }
        (RouterHandle::Daemon(_), _, Mode::Virtual) => Ok(None),
    }
}

/// Configures every router from what lands on its plug now: plugged into a new link or
/// session, unplugged from one that went away. Running it twice changes nothing.
pub async fn reconcile(lab: &Lab) -> Result<()> {
    let attachments = lab.world.attachments().await?;
    for a in attachments.plugged.iter().filter(|a| a.router.is_some()) {
        let Some(router) = lab.routers.get(&a.name) else {
            continue;
        };
        let wanted = a.plug.clone();
        let landing = lab
            .world
            .read(move |s| {
                world::landing::landing(&s.interlink.link_views(), &s.ovh.view(), &wanted)
            })
            .await?;
        let was = lab
            .plugged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&a.name)
            .map(|p| p.landing.clone());
        if was == landing {
            continue;
        }
        if let Some(was) = &was {
            unplug(lab, router, was).await?;
        }
        let device = match &landing {
            Some(l) => plug(lab, router, l)
                .await
                .map_err(|e| RunError::Refused(format!("router {:?}: {e}", a.name)))?,
            None => None,
        };
        {
            let mut plugged = lab
                .plugged
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match &landing {
                Some(l) => plugged.insert(a.name.clone(), Plugged { landing: l.clone() }),
                None => plugged.remove(&a.name),
            };
        }
        let name = a.name.clone();
        lab.world
            .attach(move |all| {
                if let Some(a) = all.plugged.iter_mut().find(|a| a.name == name) {
                    a.device = device;
                    a.up = true;
                }
            })
            .await?;
    }
    Ok(())
}

/// Reconciles the customer's side after every change of the world, until the lab goes.
pub fn spawn(lab: &Arc<Lab>) {
    let weak: Weak<Lab> = Arc::downgrade(lab);
    let mut changes = lab.world.changes();
    tokio::spawn(async move {
        while changes.changed().await.is_ok() {
            let Some(lab) = weak.upgrade() else { break };
            if let Err(e) = reconcile(&lab).await {
                tracing::warn!(error = %e, "configuring the customer's routers");
            }
        }
    });
}

/// Pulls (`up = false`) or plugs back the cable of the router plugged into link `name`.
pub async fn set_cable(lab: &Lab, link: &str, up: bool) -> std::result::Result<String, Why> {
    let id = lab.link_id(link).await?.to_string();
    let router = lab
        .plugged
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .find(|(_, p)| p.landing.session() == id)
        .map(|(name, _)| name.clone());
    let Some(name) = router else {
        return Err(Why(format!("no router is cabled to link {link}")));
    };
    match lab.routers.get(&name) {
        Some(RouterHandle::Daemon(d)) => {
            daemon::blocking(d, move |d| d.set_cable_up(up)).await?;
        }
        Some(RouterHandle::Embedded(_)) => {
            if !lab.wiring.set_up(&id, up) {
                return Err(Why(format!("link {link} has no cable (not provisioned)")));
            }
        }
        None => return Err(Why(format!("no router {name}"))),
    }
    lab.world
        .attach(move |all| {
            if let Some(a) = all.plugged.iter_mut().find(|a| a.name == name) {
                a.up = up;
            }
        })
        .await?;
    Ok(if up {
        "cable plugged back"
    } else {
        "cable pulled"
    }
    .to_string())
}
