//! Scaleway Load Balancer (`scaleway.lb.v1`): LBs, flexible IPs, backends (servers, health
//! check), frontends, ACLs, routes, certificates, statistics, offers, subscribers and private
//! network attachments, for both `LbV1ZonedAPI` (`/lb/v1/zones/{zone}/…`) and `LbV1API`
//! (`/lb/v1/regions/{region}/…`): every call takes a [`Locality`].
//!
//! [`LoadBalancers`] holds every resource, keyed by ID, with one method per SDK call. Reads take
//! `&self`; writes take `&mut self` and `now`; calls that touch addresses of private networks
//! take the [`Ipam`] state beside it (an attached private network gives the LB an IPAM IP whose
//! `resource` is `{type: lb_server, id, name, mac_address}`). Another project's resource is
//! answered like a missing one. The shapes, defaults and rules are the real service's, as
//! recorded (`shared/reference/scaleway-load-balancer-facts.md`); where the sources are silent the
//! code says what it chose.
//!
//! Time only moves when told ([`LoadBalancers::advance`]): `to_create → creating → ready`, the
//! instance `pending → ready` after each configuration change, `migrating → ready`, `to_delete`
//! then gone, certificates and attachments `pending → ready` (see `lifecycle.rs` and
//! [`LbSettings`]).
//!
//! For the data plane: [`LoadBalancers::running_config`] is the typed configuration of one LB;
//! [`LoadBalancers::set_instance_status`] and [`LoadBalancers::set_server_reports`] bring back
//! what HAProxy (or the model) found.
//!
//! Not here: HTTP, HAProxy, health checking itself.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use provider::Caller;
//! use provider::catalogue::demo;
//! use provider::lb::requests::CreateLbRequest;
//! use provider::lb::types::LbStatus;
//! use provider::lb::{LoadBalancers, Locality, Zone};
//!
//! let now = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
//! let me = Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID);
//! let here = Locality::Zone(Zone::FrPar1);
//! let mut lbs = LoadBalancers::default();
//! let req = CreateLbRequest { name: Some("web".into()), type_: Some("LB-S".into()), ..Default::default() };
//! let lb = lbs.create_lb(here, &me, req, now).unwrap();
//! assert_eq!(lb.status, LbStatus::ToCreate);
//! lbs.advance(now + Duration::seconds(1));
//! assert_eq!(lbs.get_lb(here, &me, lb.id).unwrap().status, LbStatus::Ready);
//! let running = lbs.running_config(lb.id).unwrap();
//! assert_eq!(running.flexible_ips.len(), 1); // a public LB
//! ```

mod acls;
pub mod backend_types;
mod backends;
mod cert_pem;
mod certificates;
pub mod duration;
pub mod frontend_types;
mod frontends;
mod ips;
mod lbs;
mod lifecycle;
pub mod list;
pub mod other_types;
mod private_networks;
mod records;
pub mod requests;
mod routes;
mod running;
mod stats;
mod subscribers;
pub mod types;
mod views;
pub mod zone;

pub use records::LbSettings;
pub use running::{
    LbRunning, RunningBackend, RunningCertificate, RunningFrontend, RunningPrivateNetwork,
};
pub use zone::{Locality, Zone};

use crate::error::ProviderError;
use crate::ids::IdGenerator;
use crate::scope::Caller;
use records::{
    AclRecord, AttachmentRecord, BackendRecord, CertificateRecord, FrontendRecord, IpRecord,
    LbRecord, RouteRecord, SubscriberRecord,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[cfg(doc)]
use crate::ipam::Ipam;

/// The `resource` of the Load Balancer API's 404 bodies (`{"message":"lbs not Found"}`), as
/// recorded for LBs, IPs, backends, frontends, certificates and private networks; the others
/// follow the pattern (our choice).
pub(crate) mod not_found {
    pub const LB: &str = "lbs";
    pub const IP: &str = "ips";
    pub const BACKEND: &str = "backend";
    pub const FRONTEND: &str = "frontend";
    pub const CERTIFICATE: &str = "certificate";
    pub const PRIVATE_NETWORK: &str = "privateNetwork";
    pub const ACL: &str = "acl";
    pub const ROUTE: &str = "route";
    pub const SUBSCRIBER: &str = "subscriber";
}

fn missing(resource: &str) -> ProviderError {
    ProviderError::LegacyNotFound {
        resource: resource.to_string(),
    }
}

/// The Load Balancer product's state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoadBalancers {
    pub(crate) settings: LbSettings,
    pub(crate) ids: IdGenerator,
    pub(crate) seq: u64,
    pub(crate) lbs: BTreeMap<Uuid, LbRecord>,
    pub(crate) ips: BTreeMap<Uuid, IpRecord>,
    pub(crate) backends: BTreeMap<Uuid, BackendRecord>,
    pub(crate) frontends: BTreeMap<Uuid, FrontendRecord>,
    pub(crate) acls: BTreeMap<Uuid, AclRecord>,
    pub(crate) routes: BTreeMap<Uuid, RouteRecord>,
    pub(crate) certificates: BTreeMap<Uuid, CertificateRecord>,
    pub(crate) subscribers: BTreeMap<Uuid, SubscriberRecord>,
    /// Attachments, by (LB, private network).
    pub(crate) attachments: BTreeMap<(Uuid, Uuid), AttachmentRecord>,
}

impl Default for LoadBalancers {
    fn default() -> Self {
        Self::new(LbSettings::default())
    }
}

impl LoadBalancers {
    /// An empty state.
    pub fn new(settings: LbSettings) -> Self {
        Self {
            ids: IdGenerator::new(settings.id_seed),
            settings,
            seq: 0,
            lbs: BTreeMap::new(),
            ips: BTreeMap::new(),
            backends: BTreeMap::new(),
            frontends: BTreeMap::new(),
            acls: BTreeMap::new(),
            routes: BTreeMap::new(),
            certificates: BTreeMap::new(),
            subscribers: BTreeMap::new(),
            attachments: BTreeMap::new(),
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &LbSettings {
        &self.settings
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The IDs of every LB (whatever its status or project), for the world's reconcile.
    pub fn lb_ids(&self) -> Vec<Uuid> {
        self.lbs.keys().copied().collect()
    }

    /// An LB the caller sees from `loc`.
    pub(crate) fn visible_lb(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
    ) -> Result<&LbRecord, ProviderError> {
        self.lbs
            .get(&lb_id)
            .filter(|l| loc.contains(l.zone) && caller.sees(l.project_id))
            .ok_or_else(|| missing(not_found::LB))
    }

    /// An LB the caller may change: seen, and neither migrating nor being deleted.
    pub(crate) fn changeable_lb(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
    ) -> Result<&LbRecord, ProviderError> {
        let lb = self.visible_lb(loc, caller, lb_id)?;
        lb.check_changeable()?;
        Ok(lb)
    }

    pub(crate) fn lb_mut(&mut self, lb_id: Uuid) -> Result<&mut LbRecord, ProviderError> {
        self.lbs
            .get_mut(&lb_id)
            .ok_or_else(|| missing(not_found::LB))
    }

    pub(crate) fn visible_backend(
        &self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
    ) -> Result<&BackendRecord, ProviderError> {
        self.backends
            .get(&backend_id)
            .filter(|b| self.visible_lb(loc, caller, b.lb_id).is_ok())
            .ok_or_else(|| missing(not_found::BACKEND))
    }

    pub(crate) fn visible_frontend(
        &self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
    ) -> Result<&FrontendRecord, ProviderError> {
        self.frontends
            .get(&frontend_id)
            .filter(|f| self.visible_lb(loc, caller, f.lb_id).is_ok())
            .ok_or_else(|| missing(not_found::FRONTEND))
    }

    pub(crate) fn visible_acl(
        &self,
        loc: Locality,
        caller: &Caller,
        acl_id: Uuid,
    ) -> Result<&AclRecord, ProviderError> {
        self.acls
            .get(&acl_id)
            .filter(|a| self.visible_frontend(loc, caller, a.frontend_id).is_ok())
            .ok_or_else(|| missing(not_found::ACL))
    }

    pub(crate) fn visible_route(
        &self,
        loc: Locality,
        caller: &Caller,
        route_id: Uuid,
    ) -> Result<&RouteRecord, ProviderError> {
        self.routes
            .get(&route_id)
            .filter(|r| self.visible_lb(loc, caller, r.lb_id).is_ok())
            .ok_or_else(|| missing(not_found::ROUTE))
    }

    pub(crate) fn visible_certificate(
        &self,
        loc: Locality,
        caller: &Caller,
        certificate_id: Uuid,
    ) -> Result<&CertificateRecord, ProviderError> {
        self.certificates
            .get(&certificate_id)
            .filter(|c| self.visible_lb(loc, caller, c.lb_id).is_ok())
            .ok_or_else(|| missing(not_found::CERTIFICATE))
    }

    pub(crate) fn visible_ip(
        &self,
        loc: Locality,
        caller: &Caller,
        ip_id: Uuid,
    ) -> Result<&IpRecord, ProviderError> {
        self.ips
            .get(&ip_id)
            .filter(|i| loc.contains(i.zone) && caller.sees(i.project_id))
            .ok_or_else(|| missing(not_found::IP))
    }

    pub(crate) fn visible_subscriber(
        &self,
        loc: Locality,
        caller: &Caller,
        subscriber_id: Uuid,
    ) -> Result<&SubscriberRecord, ProviderError> {
        self.subscribers
            .get(&subscriber_id)
            .filter(|s| loc.contains(s.zone) && caller.sees(s.project_id))
            .ok_or_else(|| missing(not_found::SUBSCRIBER))
    }
}

#[cfg(test)]
mod tests;
