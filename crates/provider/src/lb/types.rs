//! The Load Balancer itself, its instances, its flexible IPs, subscribers and the offers
//! (SDK `Lb`, `Instance`, `Ip`, `Subscriber`, `LbType`), with the SDK's JSON names and the
//! shapes recorded from the real service (`ip_address: ""` on instances, `lb_id: null` on a free
//! IP, `subscriber: null`).

use super::zone::Zone;
use crate::region::Region;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Status of a Load Balancer (SDK `LbStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum LbStatus {
    Unknown,
    Ready,
    Pending,
    Stopped,
    Error,
    Locked,
    Migrating,
    ToCreate,
    Creating,
    ToDelete,
    Deleting,
}

impl LbStatus {
    /// Whether the SDK's `wait_for_lb` keeps waiting on it (`LB_TRANSIENT_STATUSES`).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            LbStatus::Pending
                | LbStatus::Migrating
                | LbStatus::ToCreate
                | LbStatus::Creating
                | LbStatus::ToDelete
                | LbStatus::Deleting
        )
    }
}

/// Status of an LB's underlying instance (SDK `InstanceStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum InstanceStatus {
    Unknown,
    Ready,
    Pending,
    Stopped,
    Error,
    Locked,
    Migrating,
}

/// Minimal TLS version accepted from clients (SDK `SSLCompatibilityLevel`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SslCompatibilityLevel {
    /// Not given: the service applies `intermediate`.
    SslCompatibilityLevelUnknown,
    /// TLS ≥ 1.2 (the default).
    #[default]
    SslCompatibilityLevelIntermediate,
    /// TLS 1.3 only.
    SslCompatibilityLevelModern,
    /// TLS ≥ 1.0.
    SslCompatibilityLevelOld,
}

impl SslCompatibilityLevel {
    /// `unknown` (not given) is `intermediate`, as terraform's recorded default shows.
    pub fn or_default(self) -> Self {
        match self {
            SslCompatibilityLevel::SslCompatibilityLevelUnknown => Self::default(),
            other => other,
        }
    }
}

/// An underlying instance of an LB (SDK `Instance`). Scaleway runs one per LB in this view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// Its ID (a new one after a migration).
    pub id: Uuid,
    /// Its status: `unknown` while the LB is `creating`, `pending` while a change is applied.
    pub status: InstanceStatus,
    /// Always `""` in the recorded answers.
    pub ip_address: String,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Zone.
    pub zone: Zone,
    /// Region.
    pub region: Region,
}

/// A flexible IP (SDK `Ip`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ip {
    /// ID.
    pub id: Uuid,
    /// The address, without prefix length.
    pub ip_address: String,
    /// The LB it is attached to, if any.
    pub lb_id: Option<Uuid>,
    /// Organization.
    pub organization_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Reverse DNS name (`51-15-231-200.lb.fr-par.scw.cloud` by default).
    pub reverse: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Zone.
    pub zone: Zone,
    /// Region.
    pub region: Region,
}

/// E-mail alerts (SDK `SubscriberEmailConfig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberEmailConfig {
    /// Address.
    pub email: String,
}

/// Webhook alerts (SDK `SubscriberWebhookConfig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberWebhookConfig {
    /// URI receiving POST requests.
    pub uri: String,
}

/// An alert subscriber (SDK `Subscriber`): exactly one of the two configs is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriber {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// E-mail config.
    pub email_config: Option<SubscriberEmailConfig>,
    /// Webhook config.
    pub webhook_config: Option<SubscriberWebhookConfig>,
}

/// A Load Balancer (SDK `Lb`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lb {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Status.
    pub status: LbStatus,
    /// Underlying instances (none while `to_create`; embedded LBs of read answers show none).
    pub instances: Vec<Instance>,
    /// Organization.
    pub organization_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Flexible IPs (none for a private LB).
    pub ip: Vec<Ip>,
    /// Tags.
    pub tags: Vec<String>,
    /// Frontends.
    pub frontend_count: u32,
    /// Backends.
    pub backend_count: u32,
    /// Offer, lowercase (`lb-s`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Alert subscriber.
    pub subscriber: Option<Subscriber>,
    /// Minimal client TLS version.
    pub ssl_compatibility_level: SslCompatibilityLevel,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Attached private networks.
    pub private_network_count: u32,
    /// Routes of its frontends.
    pub route_count: u32,
    /// Zone.
    pub zone: Zone,
    /// Region.
    pub region: Region,
}

/// Stock of an offer (SDK `LbTypeStock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum LbTypeStock {
    Unknown,
    LowStock,
    OutOfStock,
    Available,
}

/// A commercial offer (SDK `LbType`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LbType {
    /// Name (`LB-S`).
    pub name: String,
    /// Stock.
    pub stock_status: LbTypeStock,
    /// Bandwidth, bits per second.
    pub bandwidth: u64,
    /// Whether backend servers outside Scaleway are allowed.
    pub multicloud: bool,
    /// Description.
    pub description: String,
    /// Zone.
    pub zone: Zone,
    /// Region.
    pub region: Region,
}

/// The offers (name, bandwidth in bit/s, multicloud, description). Sizes and bandwidths from
/// Scaleway's "Load Balancer limitations" page (LB-S 200 Mbps, M 500 Mbps, L 1 Gbps, XL 4 Gbps);
/// "multi-cloud" (non-Scaleway backend servers) on L and XL only, as its troubleshooting page
/// says; names as the real API takes them (`LB-GP-M` in the recorded migrations). The
/// descriptions are ours.
pub const OFFERS: [(&str, u64, bool, &str); 4] = [
    ("LB-S", 200_000_000, false, "Load Balancer S: 200 Mbps"),
    ("LB-GP-M", 500_000_000, false, "Load Balancer M: 500 Mbps"),
    (
        "LB-GP-L",
        1_000_000_000,
        true,
        "Load Balancer L: 1 Gbps, multi-cloud",
    ),
    (
        "LB-GP-XL",
        4_000_000_000,
        true,
        "Load Balancer XL: 4 Gbps, multi-cloud",
    ),
];

/// The offer a `type` names (any case), as stored: lowercase (`LB-S` → `lb-s`, as recorded).
pub fn offer_type(requested: &str) -> Option<String> {
    OFFERS
        .iter()
        .find(|(name, ..)| name.eq_ignore_ascii_case(requested.trim()))
        .map(|(name, ..)| name.to_ascii_lowercase())
}
