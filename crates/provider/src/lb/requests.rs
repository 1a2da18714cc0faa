//! The bodies of the Load Balancer calls, as the SDKs send them: the zoned and regional APIs
//! share them, except that the zoned attach and detach carry `private_network_id` in the body
//! (the regional ones have it in the path).
//!
//! Optional fields are `Option`s because the SDKs send `null` for lists and objects they do not
//! set (terraform sends `"tags": null`). A missing field the SDK marks as required is a
//! `required` argument error; an unknown enum value is a `format` one (the API layer's body
//! extractor names the field).

use super::backend_types::{
    EmptyConfig, ForwardPortAlgorithm, HealthCheckWire, OnMarkedDownAction, Protocol,
    ProxyProtocol, StickySessionsType,
};
use super::duration::{Millis, ProtoDuration};
use super::frontend_types::{
    AclActionRedirectRedirectType, AclActionType, AclHttpFilter, RouteMatch,
};
use super::other_types::{PrivateNetworkDhcpConfig, PrivateNetworkStaticConfig};
use super::types::{SslCompatibilityLevel, SubscriberEmailConfig, SubscriberWebhookConfig};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `CreateLb` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateLbRequest {
    /// Name (the SDKs make one up when absent; so do we: `lb-` and the ID's start).
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Offer (`LB-S`…, any case).
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// An existing free flexible IP to attach.
    pub ip_id: Option<Uuid>,
    /// Assign a new IPv4 flexible IP (default `true`: a public LB).
    pub assign_flexible_ip: Option<bool>,
    /// Assign a new IPv6 flexible IP too (default `false`).
    pub assign_flexible_ipv6: Option<bool>,
    /// Existing free flexible IPs to attach.
    pub ip_ids: Option<Vec<Uuid>>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Minimal client TLS version.
    pub ssl_compatibility_level: Option<SslCompatibilityLevel>,
    /// Project (one of `project_id`, `organization_id`).
    pub project_id: Option<Uuid>,
    /// Organization.
    pub organization_id: Option<Uuid>,
}

/// `UpdateLb` body (PUT: name and description are required).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateLbRequest {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Tags (`null`: unchanged).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Minimal client TLS version (`null` or `unknown`: unchanged).
    #[serde(default)]
    pub ssl_compatibility_level: Option<SslCompatibilityLevel>,
}

/// `MigrateLb` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrateLbRequest {
    /// Target offer.
    #[serde(rename = "type")]
    pub type_: String,
}

/// `CreateIp` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateIpRequest {
    /// IPv6 rather than IPv4.
    pub is_ipv6: bool,
    /// Reverse DNS name.
    pub reverse: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Project.
    pub project_id: Option<Uuid>,
    /// Organization.
    pub organization_id: Option<Uuid>,
}

/// `UpdateIp` body (PATCH).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateIpRequest {
    /// Reverse DNS name.
    pub reverse: Option<String>,
    /// Attach to this LB.
    pub lb_id: Option<Uuid>,
    /// Tags.
    pub tags: Option<Vec<String>>,
}

/// `CreateBackend` and `UpdateBackend` body. An update leaves the health check and the servers
/// alone (as recorded), so it ignores `health_check` and `server_ip`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BackendRequest {
    /// Name.
    pub name: Option<String>,
    /// Protocol (required).
    pub forward_protocol: Option<Protocol>,
    /// Servers' port (required, 1–65535).
    pub forward_port: Option<u32>,
    /// Algorithm (required).
    pub forward_port_algorithm: Option<ForwardPortAlgorithm>,
    /// Stickiness (required).
    pub sticky_sessions: Option<StickySessionsType>,
    /// Cookie name (required with `cookie`).
    pub sticky_sessions_cookie_name: Option<String>,
    /// Deprecated PROXY v2 switch.
    pub send_proxy_v2: Option<bool>,
    /// `timeout server`.
    pub timeout_server: Option<Millis>,
    /// `timeout connect`.
    pub timeout_connect: Option<Millis>,
    /// `timeout tunnel`.
    pub timeout_tunnel: Option<Millis>,
    /// On marked down.
    pub on_marked_down_action: Option<OnMarkedDownAction>,
    /// PROXY protocol.
    pub proxy_protocol: Option<ProxyProtocol>,
    /// Failover website.
    pub failover_host: Option<String>,
    /// TLS to servers.
    pub ssl_bridging: Option<bool>,
    /// Skip verification.
    pub ignore_ssl_server_verify: Option<bool>,
    /// Redispatch.
    pub redispatch_attempt_count: Option<u32>,
    /// Retries.
    pub max_retries: Option<u32>,
    /// Per-server connection limit.
    pub max_connections: Option<u32>,
    /// Queue timeout.
    pub timeout_queue: Option<ProtoDuration>,
    /// Host header / SNI to servers.
    pub host: Option<String>,
    /// The health check (required on create).
    pub health_check: Option<HealthCheckWire>,
    /// Servers (create).
    pub server_ip: Option<Vec<String>>,
}

/// `AddBackendServers`, `RemoveBackendServers` and `SetBackendServers` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendServersRequest {
    /// Addresses.
    pub server_ip: Vec<String>,
}

/// `CreateFrontend` and `UpdateFrontend` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrontendRequest {
    /// Name.
    pub name: Option<String>,
    /// Port (required).
    pub inbound_port: Option<u32>,
    /// Default backend (required).
    pub backend_id: Option<Uuid>,
    /// `timeout client`.
    pub timeout_client: Option<Millis>,
    /// Deprecated single certificate.
    pub certificate_id: Option<Uuid>,
    /// Certificates.
    pub certificate_ids: Option<Vec<Uuid>>,
    /// HTTP/3.
    pub enable_http3: Option<bool>,
    /// Connections per second (0: none).
    pub connection_rate_limit: Option<u32>,
    /// Access logs.
    pub enable_access_logs: Option<bool>,
}

/// An ACL redirect as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AclRedirectInput {
    /// Kind (default `location`).
    #[serde(rename = "type")]
    pub type_: Option<AclActionRedirectRedirectType>,
    /// URL or scheme.
    pub target: Option<String>,
    /// Code (default 302).
    pub code: Option<u32>,
}

/// An ACL action as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclActionInput {
    /// Kind.
    #[serde(rename = "type")]
    pub type_: AclActionType,
    /// Redirect.
    #[serde(default)]
    pub redirect: Option<AclRedirectInput>,
}

/// An ACL match as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AclMatchInput {
    /// Client subnets (`null`: everything).
    pub ip_subnet: Option<Vec<String>>,
    /// Edge Services.
    pub ips_edge_services: Option<bool>,
    /// HTTP filter.
    pub http_filter: Option<AclHttpFilter>,
    /// Its values.
    pub http_filter_value: Option<Vec<String>>,
    /// Header name (`http_header_match`).
    pub http_filter_option: Option<String>,
    /// Invert.
    pub invert: Option<bool>,
}

/// `CreateAcl`, `UpdateAcl` body and one entry of `SetAcls` (SDK `AclSpec`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclRequest {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Action (required).
    pub action: AclActionInput,
    /// Condition.
    #[serde(default, rename = "match")]
    pub match_: Option<AclMatchInput>,
    /// Priority (required).
    pub index: u32,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// `SetAcls` body (zoned API only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAclsRequest {
    /// The frontend's whole new ACL list.
    pub acls: Vec<AclRequest>,
}

/// `CreateRoute` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRouteRequest {
    /// Source frontend.
    pub frontend_id: Uuid,
    /// Target backend.
    pub backend_id: Uuid,
    /// Condition.
    #[serde(default, rename = "match")]
    pub match_: Option<RouteMatch>,
}

/// `UpdateRoute` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateRouteRequest {
    /// Target backend.
    pub backend_id: Uuid,
    /// Condition.
    #[serde(default, rename = "match")]
    pub match_: Option<RouteMatch>,
}

/// Let's Encrypt request (SDK `CreateCertificateRequestLetsencryptConfig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LetsencryptConfig {
    /// CN.
    pub common_name: String,
    /// Other names.
    #[serde(default)]
    pub subject_alternative_name: Option<Vec<String>>,
}

/// Imported certificate (SDK `CreateCertificateRequestCustomCertificate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomCertificate {
    /// PEM: the certificate chain and the private key.
    pub certificate_chain: String,
}

/// `CreateCertificate` body: exactly one of the two kinds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateCertificateRequest {
    /// Name.
    pub name: Option<String>,
    /// Let's Encrypt.
    pub letsencrypt: Option<LetsencryptConfig>,
    /// Import.
    pub custom_certificate: Option<CustomCertificate>,
}

/// `UpdateCertificate` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateCertificateRequest {
    /// Name.
    pub name: String,
}

/// `CreateSubscriber` and `UpdateSubscriber` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubscriberRequest {
    /// Name.
    pub name: Option<String>,
    /// E-mail (one of the two).
    pub email_config: Option<SubscriberEmailConfig>,
    /// Webhook.
    pub webhook_config: Option<SubscriberWebhookConfig>,
    /// Project (create only).
    pub project_id: Option<Uuid>,
    /// Organization (create only).
    pub organization_id: Option<Uuid>,
}

/// `SubscribeToLb` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeToLbRequest {
    /// The subscriber.
    pub subscriber_id: Uuid,
}

/// `AttachPrivateNetwork` body (the zoned API carries `private_network_id`; the regional one has
/// it in the path).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachPrivateNetworkRequest {
    /// The private network (zoned API).
    pub private_network_id: Option<Uuid>,
    /// A booked IPAM IPv4 address to use.
    pub ipam_ids: Option<Vec<Uuid>>,
    /// Static address (one of the three configs).
    pub static_config: Option<PrivateNetworkStaticConfig>,
    /// DHCP.
    pub dhcp_config: Option<PrivateNetworkDhcpConfig>,
    /// IPAM.
    pub ipam_config: Option<EmptyConfig>,
}

/// `DetachPrivateNetwork` body (zoned API).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetachPrivateNetworkRequest {
    /// The private network.
    pub private_network_id: Option<Uuid>,
}
