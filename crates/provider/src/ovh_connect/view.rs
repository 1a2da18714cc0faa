//! Typed reads of OVHcloud Connect for the owner of the running world: every configuration
//! with its identity, status and checked fields, and the services' vRacks. The world builds
//! the data-plane model from these, never from the API's JSON.

use super::rules::{Extra, L3Datacenter, L3Pop};
use super::{ConfigStatus, OvhConnect, PopType};
use std::collections::BTreeSet;
use uuid::Uuid;

/// A service: its vRack and interfaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceView {
    /// Its UUID (the API's `serviceName`).
    pub uuid: Uuid,
    /// The vRack it is in.
    pub vrack: Option<String>,
    /// Its interfaces' IDs.
    pub interfaces: Vec<u64>,
}

/// A PoP configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopView {
    /// Its ID.
    pub id: u64,
    /// Its service.
    pub service: Uuid,
    /// The interface it configures.
    pub interface_id: u64,
    /// `l2` or `l3`.
    pub kind: PopType,
    /// The l3 fields.
    pub l3: Option<L3Pop>,
    /// Its status.
    pub status: ConfigStatus,
    /// The engine session it runs now (`ovh-pop-{id}`), if any.
    pub session: Option<String>,
}

/// A datacenter configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatacenterView {
    /// Its ID.
    pub id: u64,
    /// The vRack it belongs to.
    pub vrack: String,
    /// `l2` or `l3`.
    pub kind: PopType,
    /// The PoP configurations it serves.
    pub pops: BTreeSet<u64>,
    /// The datacenter (`/ovhCloudConnect/datacenter` ID).
    pub datacenter_id: u64,
    /// The l3 fields.
    pub l3: Option<L3Datacenter>,
    /// Its status.
    pub status: ConfigStatus,
}

/// A datacenter extra.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtraView {
    /// Its ID.
    pub id: u64,
    /// Its datacenter configuration.
    pub datacenter_config: u64,
    /// What it is.
    pub extra: Extra,
    /// Its status.
    pub status: ConfigStatus,
    /// The engine session it runs now (`ovh-extra-{id}`), if a `bgp` extra is active.
    pub session: Option<String>,
}

/// Everything configured, in ID order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OvhView {
    /// The services.
    pub services: Vec<ServiceView>,
    /// The PoP configurations.
    pub pops: Vec<PopView>,
    /// The datacenter configurations.
    pub datacenters: Vec<DatacenterView>,
    /// The extras.
    pub extras: Vec<ExtraView>,
}

impl OvhView {
    /// The service an interface belongs to.
    pub fn service_of_interface(&self, interface_id: u64) -> Option<&ServiceView> {
        self.services
            .iter()
            .find(|s| s.interfaces.contains(&interface_id))
    }
}

impl OvhConnect {
    /// Every configuration as it is now.
    pub fn view(&self) -> OvhView {
        let running: BTreeSet<String> = self.sessions().into_iter().map(|s| s.id).collect();
        let session = |id: String| running.contains(&id).then_some(id);
        OvhView {
            services: self
                .services
                .values()
                .map(|s| ServiceView {
                    uuid: s.uuid,
                    vrack: s.vrack.clone(),
                    interfaces: s.interfaces.clone(),
                })
                .collect(),
            pops: self
                .pops
                .iter()
                .map(|(id, p)| PopView {
                    id: *id,
                    service: p.service,
                    interface_id: p.interface_id,
                    kind: p.kind,
                    l3: p.l3,
                    status: p.status,
                    session: session(format!("ovh-pop-{id}")),
                })
                .collect(),
            datacenters: self
                .datacenter_configs
                .iter()
                .map(|(id, d)| DatacenterView {
                    id: *id,
                    vrack: d.vrack.clone(),
                    kind: d.kind,
                    pops: d.pops.clone(),
                    datacenter_id: d.datacenter_id,
                    l3: d.l3,
                    status: d.status,
                })
                .collect(),
            extras: self
                .extras
                .iter()
                .map(|(id, e)| ExtraView {
                    id: *id,
                    datacenter_config: e.datacenter_config,
                    extra: e.extra,
                    status: e.status,
                    session: session(format!("ovh-extra-{id}")),
                })
                .collect(),
        }
    }
}
