//! What the model keeps of each resource, and the settings of its clock.

use super::backend_types::BackendConfig;
use super::frontend_types::{AclConfig, FrontendConfig, Route};
use super::other_types::{CertificateConfig, PrivateNetworkStatus, ServerReport};
use super::types::{InstanceStatus, SslCompatibilityLevel, Subscriber};
use super::zone::Zone;
use crate::error::{Precondition, ProviderError};
use chrono::{DateTime, Utc};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use uuid::Uuid;

/// How long the transient statuses last, and where flexible IPs come from.
///
/// The real service takes about 3 s to create an LB (`to_create` → `creating` → `ready`) and as
/// long to migrate one, as recorded. peerlab's defaults are shorter so that a change is live
/// within the 1 s target and the SDK's waiters (first poll after 1 s) see the final
/// status at their first poll; a virtual clock makes them whatever a test wants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LbSettings {
    /// Seed of the ID generator.
    pub id_seed: u64,
    /// How long a new LB stays `to_create`.
    pub to_create_ms: u64,
    /// How long it is then `creating` (its instance `unknown`).
    pub creating_ms: u64,
    /// How long the instance stays `pending` after a change before the clock alone makes it
    /// `ready`; `None`: until the data plane reports ([`super::LoadBalancers::set_instance_status`]).
    pub config_apply_ms: Option<u64>,
    /// How long a migration lasts.
    pub migrating_ms: u64,
    /// How long a deleted LB is answered `to_delete` before it is gone (404).
    pub to_delete_ms: u64,
    /// How long a Let's Encrypt certificate stays `pending`.
    pub certificate_ms: u64,
    /// How long an attachment (or a detachment) to a private network stays `pending`.
    pub private_network_ms: u64,
    /// At most this many private networks per LB (Scaleway: 8).
    pub max_private_networks: u32,
    /// Where IPv4 flexible IPs come from: 198.18.0.0/15 (RFC 2544's benchmarking range, so that
    /// they never collide with a real network of a topology; Scaleway's are public).
    pub flexible_ipv4_pool: Ipv4Net,
    /// Where IPv6 flexible IPs come from: 2001:db8:1b::/48 (documentation range).
    pub flexible_ipv6_pool: Ipv6Net,
}

impl Default for LbSettings {
    fn default() -> Self {
        Self {
            id_seed: 0x1b5c_a1e0,
            to_create_ms: 200,
            creating_ms: 500,
            config_apply_ms: Some(300),
            migrating_ms: 700,
            to_delete_ms: 300,
            certificate_ms: 700,
            private_network_ms: 300,
            max_private_networks: 8,
            flexible_ipv4_pool: Ipv4Net::new_assert(Ipv4Addr::new(198, 18, 0, 0), 15),
            flexible_ipv6_pool: Ipv6Net::new_assert(
                Ipv6Addr::new(0x2001, 0xdb8, 0x1b, 0, 0, 0, 0, 0),
                48,
            ),
        }
    }
}

/// Where an LB is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    ToCreate,
    Creating,
    Ready,
    Migrating { to_type: String },
    ToDelete,
}

/// An LB's instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct InstanceRecord {
    pub id: Uuid,
    pub status: InstanceStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Why the data plane put it in `error` (HAProxy's refusal).
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LbRecord {
    pub seq: u64,
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub zone: Zone,
    pub tags: Vec<String>,
    pub type_: String,
    pub ssl_compatibility_level: SslCompatibilityLevel,
    pub subscriber_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub phase: Phase,
    pub phase_since: DateTime<Utc>,
    pub instance: InstanceRecord,
    /// What the data plane reported of each (backend, server address).
    pub server_reports: BTreeMap<(Uuid, String), ServerReport>,
}

impl LbRecord {
    /// Refuses changes to an LB that is migrating or being deleted (`transient_state`). Changes
    /// while it is being created are accepted and applied once it is ready (our choice: the
    /// sources are silent).
    pub fn check_changeable(&self) -> Result<(), ProviderError> {
        let state = match self.phase {
            Phase::Migrating { .. } => "migrating",
            Phase::ToDelete => "to_delete",
            _ => return Ok(()),
        };
        Err(ProviderError::TransientState {
            resource: "lb".into(),
            resource_id: self.id.to_string(),
            current_state: state.into(),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IpRecord {
    pub seq: u64,
    pub id: Uuid,
    pub address: IpAddr,
    pub lb_id: Option<Uuid>,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub reverse: String,
    pub tags: Vec<String>,
    pub zone: Zone,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BackendRecord {
    pub seq: u64,
    pub lb_id: Uuid,
    pub config: BackendConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FrontendRecord {
    pub seq: u64,
    pub lb_id: Uuid,
    pub backend_id: Uuid,
    pub config: FrontendConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AclRecord {
    pub seq: u64,
    pub frontend_id: Uuid,
    pub config: AclConfig,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RouteRecord {
    pub seq: u64,
    pub lb_id: Uuid,
    pub route: Route,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CertificateRecord {
    pub seq: u64,
    pub lb_id: Uuid,
    pub config: CertificateConfig,
    /// The certificate chain and private key as HAProxy loads them (`""` while pending).
    pub pem: String,
    /// SHA-1 of the leaf certificate (kept for custom certificates, whose answer shows `""`).
    pub sha1: String,
    /// Let's Encrypt: the names to issue for once due.
    pub letsencrypt: Option<(String, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SubscriberRecord {
    pub seq: u64,
    pub project_id: Uuid,
    pub zone: Zone,
    pub created_at: DateTime<Utc>,
    pub subscriber: Subscriber,
}

/// How an attachment was asked to address the LB.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Addressing {
    /// `static_config` with these addresses as given.
    Static(Vec<String>),
    /// `dhcp_config`, `ipam_ids` or nothing: answered as `dhcp_config`.
    Dhcp,
    /// `ipam_config`.
    Ipam,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AttachmentRecord {
    pub seq: u64,
    pub lb_id: Uuid,
    pub private_network_id: Uuid,
    pub vpc_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: PrivateNetworkStatus,
    /// Set while a detachment is under way (then the attachment goes).
    pub detaching: bool,
    pub addressing: Addressing,
    /// The IPAM IP of the LB on the network.
    pub ipam_ip_id: Uuid,
    /// Its address, with the subnet's prefix length.
    pub address: IpNet,
    /// Whether the LB booked it (then it is released on detach; an `ipam_ids` IP is only
    /// detached).
    pub booked_by_lb: bool,
    pub mac_address: String,
}

/// A precondition failure saying what still uses a resource.
pub(crate) fn still_in_use(what: impl Into<String>) -> ProviderError {
    ProviderError::precondition(Precondition::ResourceStillInUse, what)
}
