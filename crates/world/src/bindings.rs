//! `[[bindings]]` of `peerlab serve`: a provider port bound to a local network interface, so
//! that a router on the other end (of a veth, say) meets the emulated service. Each becomes a
//! world [`Attachment`] without a router, the same type as a topology's `plug`; the kernel
//! renderer (the Linux side's) then puts the provider's side on it:
//!
//! - `{ connection, interface }`: each self-hosted link on the dedicated connection gets a VLAN
//!   subinterface `IFNAME.VLAN` with Scaleway's addresses (the /31's even address, the /127's
//!   first), so its two BGP sessions run over it, and the VPC's routes go into the kernel;
//! - `{ ovh_service, ovh_interface, interface }`: while the OVH interface has an l3 PoP
//!   configuration, the interface carries OVH's address of its /30, untagged; it also reports
//!   its light (`incomingLightStatus`): `up` while it has a carrier, `down` otherwise;
//! - `{ ovh_vrack, ovh_datacenter, interface }`: the interface is a port of the datacenter's
//!   segment (a bridge holding its gateway, or OVH's VRRP routers), where `bgp` extras'
//!   sessions run.
//!
//! What the model no longer has goes away; everything goes when `serve` stops.

use crate::attachment::{Attachment, Plug};
use provider::catalogue::Catalogue;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why a binding cannot be made (one line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("binding: {0}")]
pub struct BindingError(String);

fn bail<T>(why: String) -> Result<T, BindingError> {
    Err(BindingError(why))
}

/// A `[[bindings]]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum BindingSpec {
    /// `{ connection, interface }`: a dedicated connection, by name or ID.
    Connection {
        /// The dedicated connection.
        connection: String,
        /// The local interface.
        interface: String,
    },
    /// `{ ovh_service, ovh_interface, interface }`.
    Ovh {
        /// The service (its UUID).
        ovh_service: Uuid,
        /// The OVH interface ID of the service.
        ovh_interface: u64,
        /// The local interface.
        interface: String,
    },
    /// `{ ovh_vrack, ovh_datacenter, interface }`.
    OvhDatacenter {
        /// The vRack.
        ovh_vrack: String,
        /// The datacenter ID.
        ovh_datacenter: u64,
        /// The local interface.
        interface: String,
    },
}

/// A name Linux takes for an interface.
fn valid_name(name: &str) -> bool {
    (1..=15).contains(&name.len())
        && !name.contains('/')
        && !name.chars().any(char::is_whitespace)
        && name != "."
        && name != ".."
}

/// The attachments of `specs`, checked against `catalogue` (resolved): known ports, each
/// bound once, valid interface names.
pub fn resolve(
    catalogue: &Catalogue,
    specs: &[BindingSpec],
) -> Result<Vec<Attachment>, BindingError> {
    let mut out: Vec<Attachment> = Vec::new();
    for spec in specs {
        let (plug, interface) = match spec {
            BindingSpec::Connection {
                connection,
                interface,
            } => {
                let c = catalogue
                    .dedicated_connections
                    .iter()
                    .find(|c| {
                        let id = c.id.unwrap_or_else(|| {
                            provider::ids::stable_uuid("dedicated_connection", &c.name)
                        });
                        &c.name == connection || &id.to_string() == connection
                    })
                    .ok_or_else(|| {
                        BindingError(format!("unknown dedicated connection {connection:?}"))
                    })?;
                let connection_id = c
                    .id
                    .unwrap_or_else(|| provider::ids::stable_uuid("dedicated_connection", &c.name));
                let plug = Plug::Connection {
                    connection_id,
                    vlan: None,
                };
                (plug, interface)
            }
            BindingSpec::Ovh {
                ovh_service,
                ovh_interface,
                interface,
            } => {
                let service = catalogue
                    .ovh_connect
                    .services
                    .iter()
                    .find(|s| s.uuid == *ovh_service)
                    .ok_or_else(|| BindingError(format!("unknown OVH service {ovh_service}")))?;
                if !service.interfaces.iter().any(|i| i.id == *ovh_interface) {
                    return bail(format!(
                        "OVH service {ovh_service} has no interface {ovh_interface}"
                    ));
                }
                let plug = Plug::OvhInterface {
                    interface_id: *ovh_interface,
                };
                (plug, interface)
            }
            BindingSpec::OvhDatacenter {
                ovh_vrack,
                ovh_datacenter,
                interface,
            } => {
                let ovh = &catalogue.ovh_connect;
                let known_vrack = ovh.vracks.iter().any(|v| &v.name == ovh_vrack)
                    || ovh
                        .services
                        .iter()
                        .any(|s| s.vrack.as_deref() == Some(ovh_vrack.as_str()));
                if !known_vrack {
                    return bail(format!("unknown vRack {ovh_vrack:?}"));
                }
                if !ovh.datacenters.iter().any(|d| d.id == *ovh_datacenter) {
                    return bail(format!("unknown OVH datacenter {ovh_datacenter}"));
                }
                let plug = Plug::OvhDatacenter {
                    vrack: ovh_vrack.clone(),
                    datacenter_id: *ovh_datacenter,
                    asn: None,
                };
                (plug, interface)
            }
        };
        if !valid_name(interface) {
            return bail(format!("{interface:?} is not an interface name"));
        }
        if out.iter().any(|a| a.plug == plug) {
            return bail(format!("{plug:?} is bound twice"));
        }
        out.push(Attachment {
            name: format!("binding {interface}"),
            plug,
            device: Some(interface.clone()),
            router: None,
            up: true,
        });
    }
    Ok(out)
}
