//! OVHcloud Connect (`/1.0/ovhCloudConnect/…`) and its side of the vRack (`/1.0/vrack/…`).
//!
//! [`OvhConnect`] holds the services, interfaces and vRacks of the catalogue and what the calls
//! make of them: PoP configurations (`l2` or `l3`), datacenter configurations, datacenter extras
//! (`network` static routes, `bgp` sessions) and tasks. Reads take `&self`; writes take
//! `&mut self` and `now`, and answer OVH's way ([`OvhError`] otherwise).
//!
//! Lifecycle ([`task`]): every change makes a task, `todo` → `doing` (from half the delay) →
//! `done`, after [`Settings::ovh_task_secs`](crate::catalogue::Settings::ovh_task_secs); the
//! change takes effect when its task is done. Resources go `init` → `active` → `toDelete` →
//! gone. A task whose resource vanished meanwhile ends in `error`. Time is `now` plus a
//! virtual offset that [`OvhConnect::advance_clock`] moves forward, so tests skip the delays.
//!
//! Datacenter configurations belong to the vRack: every PoP configuration of the same type in
//! the vRack shares them, so a second service in a vRack inherits the datacenters already
//! configured, and deleting one service's PoP configuration leaves a datacenter configuration
//! that another PoP configuration still uses.
//!
//! What the engine must run comes out as plain data: [`OvhConnect::sessions`] (the l3 PoP
//! sessions and the `bgp` extras' sessions, with what each announces),
//! [`OvhConnect::static_routes`] and [`OvhConnect::vrrp_groups`] (a model until the data
//! plane runs VRRP).
//!
//! Not here: HTTP and OVH's request signatures (the `api` crate), the BGP sessions themselves
//! (the engine), forwarding (the data plane).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use provider::catalogue::{Catalogue, ovh::{DEMO_SERVICE_A, DEMO_VRACK}};
//! use provider::ovh_connect::{OvhConnect, VrackTaskStatus};
//!
//! let now = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
//! let mut ovh = OvhConnect::new(&Catalogue::default().resolved());
//! let task = ovh.link_vrack(DEMO_VRACK, &DEMO_SERVICE_A.to_string(), now).unwrap();
//! assert_eq!(task.status, VrackTaskStatus::Todo);
//! ovh.advance_clock(60);
//! ovh.advance(now);
//! assert_eq!(ovh.service(&DEMO_SERVICE_A.to_string()).unwrap().vrack.as_deref(), Some(DEMO_VRACK));
//! ```

mod config;
pub mod error;
mod persisted;
pub mod rules;
mod service;
pub mod task;
mod task_record;
pub mod types;
pub mod view;

#[cfg(test)]
mod tests;

pub use error::OvhError;
pub use task_record::Effect;
pub use types::*;

use crate::catalogue::Catalogue;
use crate::table::Table;
use chrono::{DateTime, Duration, Utc};
use ipnet::Ipv4Net;
use rules::{Extra, L3Datacenter, L3Pop};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use uuid::Uuid;

/// A service as the model keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ServiceRecord {
    pub uuid: Uuid,
    pub pop: String,
    pub bandwidth: String,
    pub provider: String,
    pub description: String,
    pub vrack: Option<String>,
    pub interfaces: Vec<u64>,
}

/// An interface.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InterfaceRecord {
    pub service: Uuid,
    pub locked: bool,
    /// The light measured on the port it is bound to (`None`: not bound, taken as `up`).
    #[serde(default)]
    pub light: Option<LightStatus>,
    /// When its status (lock or light) last changed (model time); `None`: never since the
    /// model started.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
}

/// A PoP configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PopRecord {
    pub service: Uuid,
    pub interface_id: u64,
    pub kind: PopType,
    pub l3: Option<L3Pop>,
    pub status: ConfigStatus,
}

/// A datacenter configuration, shared by the PoP configurations of its type in its vRack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DatacenterRecord {
    pub vrack: String,
    pub kind: PopType,
    pub pops: BTreeSet<u64>,
    pub datacenter_id: u64,
    pub l3: Option<L3Datacenter>,
    pub status: ConfigStatus,
    /// When it became active (model time).
    #[serde(default)]
    pub active_since: Option<DateTime<Utc>>,
}

/// A datacenter extra.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ExtraRecord {
    pub datacenter_config: u64,
    pub extra: Extra,
    pub status: ConfigStatus,
}

/// The OVHcloud Connect state (see the [module](self)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhConnect {
    pub(crate) services: Table<Uuid, ServiceRecord>,
    pub(crate) interfaces: Table<u64, InterfaceRecord>,
    pub(crate) vracks: Table<String, Vrack>,
    pub(crate) datacenters: Table<u64, Datacenter>,
    pub(crate) pops: Table<u64, PopRecord>,
    pub(crate) datacenter_configs: Table<u64, DatacenterRecord>,
    pub(crate) extras: Table<u64, ExtraRecord>,
    pub(crate) tasks: Table<u64, task_record::TaskRecord>,
    pub(crate) next_id: u64,
    pub(crate) task_secs: u64,
    /// Virtual time added to the wall clock, in seconds.
    pub(crate) clock_offset_secs: i64,
    /// When the model first ran ([`OvhConnect::advance`], model time): the interfaces' status
    /// dates start there.
    #[serde(default)]
    pub(crate) started: Option<DateTime<Utc>>,
}

/// A BGP session the engine must run for OVHcloud Connect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhSession {
    /// `ovh-pop-{id}` for an l3 PoP configuration, `ovh-extra-{id}` for a `bgp` extra.
    pub id: String,
    /// OVH's ASN (`ovhBgpArea`).
    pub local_asn: u32,
    /// The customer's ASN.
    pub peer_asn: u32,
    /// OVH's address.
    pub local: Ipv4Addr,
    /// The customer's address.
    pub peer: Ipv4Addr,
    /// What OVH announces: the active datacenter subnets and static routes behind the PoP.
    pub announce: Vec<Ipv4Net>,
    /// The OVH routing instance each prefix of `announce` lives in, when it is not this
    /// session's: a datacenter subnet and its static routes belong to the datacenter
    /// configuration's instance (its `ovhBgpArea`, which "will appear in AS path"), reached
    /// at its gateway address. A PoP session announces them as learned from that instance.
    #[serde(default)]
    pub announce_from: Vec<OvhOrigin>,
    /// The sessions whose learned routes this one announces too: a PoP session announces what
    /// the `bgp` extras of its datacenters learn, a `bgp` extra what the PoP sessions of its
    /// datacenter learn. Never from one PoP to another (OVH does not forward between PoPs).
    #[serde(default)]
    pub learned_from: Vec<String>,
}

/// Where an announced prefix comes from inside OVH: another routing instance than the
/// session's ([`OvhSession::announce_from`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OvhOrigin {
    /// The prefix.
    pub prefix: Ipv4Net,
    /// The instance's ASN (the datacenter configuration's `ovhBgpArea`).
    pub asn: u32,
    /// The instance's address (the datacenter subnet's gateway).
    pub address: Ipv4Addr,
}

/// A static route a `network` extra installs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticRoute {
    /// The extra.
    pub extra_id: u64,
    /// The routed prefix.
    pub prefix: Ipv4Net,
    /// The gateway.
    pub next_hop: Ipv4Addr,
}

/// VRRP state of a datacenter configuration's gateway (a model until the data plane exists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum VrrpState {
    /// OVH's routers answer for the virtual address.
    Master,
    /// Turned off by a `bgp` extra.
    Off,
}

/// A datacenter configuration's VRRP gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VrrpGroup {
    /// The datacenter configuration.
    pub datacenter_config_id: u64,
    /// Its subnet.
    pub subnet: Ipv4Net,
    /// The virtual address (the subnet's first usable one).
    pub virtual_address: Ipv4Addr,
    /// On, or off because of a `bgp` extra.
    pub state: VrrpState,
    /// When the datacenter configuration became active (model time): the routers start then.
    pub since: DateTime<Utc>,
}

impl OvhConnect {
    /// The state of `catalogue` (resolved): its services, interfaces, vRacks and datacenters.
    pub fn new(catalogue: &Catalogue) -> Self {
        let ovh = &catalogue.ovh_connect;
        let mut services = BTreeMap::new();
        let mut interfaces = BTreeMap::new();
        for s in &ovh.services {
            for i in &s.interfaces {
                interfaces.insert(
                    i.id,
                    InterfaceRecord {
                        service: s.uuid,
                        locked: false,
                        light: None,
                        since: None,
                    },
                );
            }
            services.insert(
                s.uuid,
                ServiceRecord {
                    uuid: s.uuid,
                    pop: s.pop.clone(),
                    bandwidth: s.bandwidth.clone(),
                    provider: s.provider.clone(),
                    description: s.description.clone(),
                    vrack: s.vrack.clone(),
                    interfaces: s.interfaces.iter().map(|i| i.id).collect(),
                },
            );
        }
        let mut vracks: BTreeMap<String, Vrack> = ovh
            .vracks
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    Vrack {
                        name: v.name.clone(),
                        description: v.description.clone(),
                    },
                )
            })
            .collect();
        // A service declared in a vRack the catalogue does not list brings that vRack.
        for s in &ovh.services {
            if let Some(v) = &s.vrack {
                vracks.entry(v.clone()).or_insert_with(|| Vrack {
                    name: v.clone(),
                    description: String::new(),
                });
            }
        }
        Self {
            services: services.into(),
            interfaces: interfaces.into(),
            vracks: vracks.into(),
            datacenters: ovh
                .datacenters
                .iter()
                .map(|d| {
                    (
                        d.id,
                        Datacenter {
                            available: true,
                            id: d.id,
                            name: d.name.clone(),
                        },
                    )
                })
                .collect(),
            pops: Table::new(),
            datacenter_configs: Table::new(),
            extras: Table::new(),
            tasks: Table::new(),
            next_id: 1,
            task_secs: catalogue.settings.ovh_task_secs,
            clock_offset_secs: 0,
            started: None,
        }
    }

    /// Sets how long tasks take (`peerlab serve --ovh-task-secs`).
    pub fn set_task_secs(&mut self, secs: u64) {
        self.task_secs = secs;
    }

    /// Moves the virtual clock `secs` seconds forward (admin; tests).
    pub fn advance_clock(&mut self, secs: u64) {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        self.clock_offset_secs = self.clock_offset_secs.saturating_add(secs);
    }

    /// The model's time at wall time `now`.
    pub fn clock(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        // Past what a date can hold, the clock stays at the end of time.
        Duration::try_seconds(self.clock_offset_secs)
            .and_then(|offset| now.checked_add_signed(offset))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The model's time, as OVH's `/auth/time` gives it (Unix seconds).
    pub fn unix_time(&self, now: DateTime<Utc>) -> i64 {
        self.clock(now).timestamp()
    }

    pub(crate) fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    /// Whether the PoP configuration `id` runs a session now (l3, active, interface unlocked).
    fn pop_session_runs(&self, id: u64) -> bool {
        self.pops.get(&id).is_some_and(|pop| {
            pop.l3.is_some()
                && pop.status == ConfigStatus::Active
                && self
                    .interfaces
                    .get(&pop.interface_id)
                    .is_some_and(|i| !i.locked)
        })
    }

    /// The active `bgp` extras of the datacenter configuration `dc_id`, as session IDs.
    fn extra_sessions_of(&self, dc_id: u64) -> Vec<String> {
        self.extras
            .iter()
            .filter(|(_, e)| {
                e.datacenter_config == dc_id
                    && e.status == ConfigStatus::Active
                    && matches!(e.extra, Extra::Bgp { .. })
            })
            .map(|(id, _)| format!("ovh-extra-{id}"))
            .collect()
    }

    /// The BGP sessions the engine must run now.
    pub fn sessions(&self) -> Vec<OvhSession> {
        let mut out = Vec::new();
        for (id, pop) in &self.pops {
            let Some(l3) = pop.l3 else { continue };
            if !self.pop_session_runs(*id) {
                continue;
            }
            let mut announce = BTreeSet::new();
            let mut announce_from = Vec::new();
            let mut learned_from = BTreeSet::new();
            for (dc_id, dc) in &self.datacenter_configs {
                if dc.status != ConfigStatus::Active || !dc.pops.contains(id) {
                    continue;
                }
                learned_from.extend(self.extra_sessions_of(*dc_id));
                let mut own = Vec::new();
                if let Some(l3dc) = dc.l3 {
                    own.push(l3dc.subnet);
                }
                for route in self.static_routes() {
                    if self
                        .extras
                        .get(&route.extra_id)
                        .is_some_and(|e| e.datacenter_config == *dc_id)
                    {
                        own.push(route.prefix);
                    }
                }
                if let Some(l3dc) = dc.l3 {
                    announce_from.extend(own.iter().map(|&prefix| OvhOrigin {
                        prefix,
                        asn: l3dc.ovh_bgp_area,
                        address: rules::gateway(l3dc.subnet),
                    }));
                }
                announce.extend(own);
            }
            out.push(OvhSession {
                id: format!("ovh-pop-{id}"),
                local_asn: l3.ovh_bgp_area,
                peer_asn: l3.customer_bgp_area,
                local: l3.ovh_address(),
                peer: l3.customer_address(),
                announce: announce.into_iter().collect(),
                announce_from,
                learned_from: learned_from.into_iter().collect(),
            });
        }
        for (id, extra) in &self.extras {
            let Extra::Bgp { area, ip } = extra.extra else {
                continue;
            };
            let Some(dc) = self.datacenter_configs.get(&extra.datacenter_config) else {
                continue;
            };
            let (Some(l3dc), ConfigStatus::Active) = (dc.l3, extra.status) else {
                continue;
            };
            let learned_from = dc
                .pops
                .iter()
                .filter(|p| self.pop_session_runs(**p))
                .map(|p| format!("ovh-pop-{p}"))
                .collect();
            out.push(OvhSession {
                id: format!("ovh-extra-{id}"),
                local_asn: l3dc.ovh_bgp_area,
                peer_asn: area,
                local: rules::gateway(l3dc.subnet),
                peer: ip,
                announce: Vec::new(),
                announce_from: Vec::new(),
                learned_from,
            });
        }
        out
    }

    /// The static routes of the active `network` extras.
    pub fn static_routes(&self) -> Vec<StaticRoute> {
        self.extras
            .iter()
            .filter(|(_, e)| e.status == ConfigStatus::Active)
            .filter_map(|(id, e)| match e.extra {
                Extra::Network { subnet, next_hop } => Some(StaticRoute {
                    extra_id: *id,
                    prefix: subnet,
                    next_hop,
                }),
                Extra::Bgp { .. } => None,
            })
            .collect()
    }

    /// The VRRP gateways of the active l3 datacenter configurations.
    pub fn vrrp_groups(&self) -> Vec<VrrpGroup> {
        self.datacenter_configs
            .iter()
            .filter(|(_, dc)| dc.status == ConfigStatus::Active)
            .filter_map(|(id, dc)| {
                let l3 = dc.l3?;
                let bgp = self.extras.values().any(|e| {
                    e.datacenter_config == *id
                        && e.status == ConfigStatus::Active
                        && matches!(e.extra, Extra::Bgp { .. })
                });
                Some(VrrpGroup {
                    datacenter_config_id: *id,
                    subnet: l3.subnet,
                    virtual_address: rules::gateway(l3.subnet),
                    state: if bgp {
                        VrrpState::Off
                    } else {
                        VrrpState::Master
                    },
                    since: dc.active_since.unwrap_or(DateTime::<Utc>::MIN_UTC),
                })
            })
            .collect()
    }

    /// The gateway of the l3 configuration of datacenter `datacenter_id` in `vrack`, with its
    /// subnet's length (for bindings: the local interface of the datacenter side carries it).
    pub fn datacenter_gateway(&self, vrack: &str, datacenter_id: u64) -> Option<Ipv4Net> {
        self.datacenter_configs
            .values()
            .filter(|d| {
                d.vrack == vrack
                    && d.datacenter_id == datacenter_id
                    && d.status != ConfigStatus::ToDelete
            })
            .find_map(|d| d.l3)
            .and_then(|l3| Ipv4Net::new(rules::gateway(l3.subnet), l3.subnet.prefix_len()).ok())
    }

    /// The l3 PoP configuration of `interface_id`, when there is one (for bindings: the local
    /// interface carries OVH's address of its /30).
    pub fn l3_pop_of_interface(&self, interface_id: u64) -> Option<L3Pop> {
        self.pops
            .values()
            .filter(|p| p.interface_id == interface_id && p.status != ConfigStatus::ToDelete)
            .find_map(|p| p.l3)
    }
}
