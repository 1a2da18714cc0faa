//! Certificates, private network attachments and statistics (SDK `Certificate`,
//! `PrivateNetwork`, `BackendServerStats`, `LbStats`).

use super::backend_types::EmptyConfig;
use super::types::Lb;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Certificate kind (SDK `CertificateType`; `letsencryt` is the SDK's legacy spelling).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CertificateType {
    Letsencryt,
    Custom,
    Letsencrypt,
}

/// Certificate status (SDK `CertificateStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CertificateStatus {
    Pending,
    Ready,
    Error,
}

/// A certificate's own fields (without its LB).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateConfig {
    /// Kind.
    #[serde(rename = "type")]
    pub type_: CertificateType,
    /// ID.
    pub id: Uuid,
    /// Subject CN.
    pub common_name: String,
    /// Subject alternative names (DNS), without the CN.
    pub subject_alternative_name: Vec<String>,
    /// SHA-1 of the DER certificate, lowercase hex (`""` until issued, and for custom
    /// certificates, as recorded).
    pub fingerprint: String,
    /// Validity start (`0001-01-01T00:00:00Z` until issued, as recorded).
    pub not_valid_before: DateTime<Utc>,
    /// Validity end.
    pub not_valid_after: DateTime<Utc>,
    /// Status.
    pub status: CertificateStatus,
    /// Name.
    pub name: String,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Why it is in `error`.
    pub status_details: Option<String>,
}

/// A certificate (SDK `Certificate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// The certificate.
    #[serde(flatten)]
    pub config: CertificateConfig,
    /// Its LB.
    pub lb: Lb,
}

/// Status of an attachment (SDK `PrivateNetworkStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum PrivateNetworkStatus {
    Unknown,
    Ready,
    Pending,
    Error,
}

/// Static addressing (SDK `PrivateNetworkStaticConfig`), deprecated in favour of IPAM.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateNetworkStaticConfig {
    /// The LB's address (`192.168.1.1` or `192.168.1.1/25`), one.
    #[serde(default)]
    pub ip_address: Option<Vec<String>>,
}

/// DHCP addressing (SDK `PrivateNetworkDHCPConfig`): the IPAM IP it got.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateNetworkDhcpConfig {
    /// The IPAM IP (`null` while the attachment is `pending`, as recorded).
    #[serde(default)]
    pub ip_id: Option<Uuid>,
}

/// An LB's attachment to a private network (SDK `PrivateNetwork`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateNetwork {
    /// Its LB.
    pub lb: Lb,
    /// The IPAM IPs of the LB on it (`[]` while `pending`, and for a static config, as
    /// recorded).
    pub ipam_ids: Vec<Uuid>,
    /// The private network.
    pub private_network_id: Uuid,
    /// Status.
    pub status: PrivateNetworkStatus,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Static addressing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_config: Option<PrivateNetworkStaticConfig>,
    /// DHCP addressing (also what IPAM-booked addresses are answered as, as recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_config: Option<PrivateNetworkDhcpConfig>,
    /// IPAM addressing, when asked for by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipam_config: Option<EmptyConfig>,
}

/// A backend server's operational state (SDK `BackendServerStatsServerState`; HAProxy's
/// UP / DOWN / transitional states).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ServerState {
    Stopped,
    Starting,
    Running,
    Stopping,
}

/// The last health check's result (SDK `BackendServerStatsHealthCheckStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum HealthCheckStatus {
    Unknown,
    Neutral,
    Failed,
    Passed,
    Condpass,
}

/// One backend server's statistics (SDK `BackendServerStats`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendServerStats {
    /// The LB's instance.
    pub instance_id: Uuid,
    /// Backend.
    pub backend_id: Uuid,
    /// Server address.
    pub ip: String,
    /// State.
    pub server_state: ServerState,
    /// When the state last changed.
    pub server_state_changed_at: Option<DateTime<Utc>>,
    /// Last check.
    pub last_health_check_status: HealthCheckStatus,
}

/// `GetLbStats` answer (SDK `LbStats`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LbStats {
    /// Every server of every backend (or of one).
    pub backend_servers_stats: Vec<BackendServerStats>,
}

/// What the data plane reports of one server (HAProxy's stats socket, or the model).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerReport {
    /// State.
    pub server_state: ServerState,
    /// Last check.
    pub last_health_check_status: HealthCheckStatus,
    /// When the state last changed.
    pub server_state_changed_at: Option<DateTime<Utc>>,
}
