//! Frontends, their ACLs and routes (SDK `Frontend`, `Acl`, `AclMatch`, `AclAction`, `Route`,
//! `RouteMatch`), as kept and as answered.
//!
//! Answers embed parents as the real service does: an ACL carries its frontend, which carries
//! its default backend and its LB; a route carries only IDs.

use super::backend_types::Backend;
use super::duration::Millis;
use super::other_types::Certificate;
use super::types::Lb;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A frontend's own fields (without its backend, LB and certificate objects).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontendConfig {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Listening port (unique on the LB).
    pub inbound_port: u32,
    /// HAProxy `timeout client`, ms (`null` until set, as recorded).
    pub timeout_client: Option<Millis>,
    /// Certificates served (TLS offload when not empty).
    pub certificate_ids: Vec<Uuid>,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// HTTP/3 (not emulated: kept and answered).
    pub enable_http3: bool,
    /// New connections per second; `null` for none (a request's 0 is answered `null`, as
    /// recorded).
    pub connection_rate_limit: Option<u32>,
    /// Access logs (not emulated: kept and answered).
    pub enable_access_logs: bool,
}

/// A frontend (SDK `Frontend`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frontend {
    /// The frontend.
    #[serde(flatten)]
    pub config: FrontendConfig,
    /// Its default backend (with its LB).
    pub backend: Backend,
    /// Its LB.
    pub lb: Lb,
    /// Deprecated: the first of `certificate_ids`, or `null`.
    pub certificate: Option<Certificate>,
}

/// ACL action type (SDK `AclActionType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum AclActionType {
    Allow,
    Deny,
    Redirect,
}

/// Redirect kind (SDK `AclActionRedirectRedirectType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AclActionRedirectRedirectType {
    /// `Location:` a URL (placeholders `{{host}}`, `{{path}}`, `{{query}}`, `{{scheme}}`).
    Location,
    /// Same URL, another scheme.
    Scheme,
}

/// A redirect (SDK `AclActionRedirect`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclActionRedirect {
    /// Kind.
    #[serde(rename = "type")]
    pub type_: AclActionRedirectRedirectType,
    /// URL or scheme.
    pub target: String,
    /// 301, 302, 303, 307 or 308 (302 when not given).
    pub code: u32,
}

/// What an ACL does (SDK `AclAction`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclAction {
    /// Allow, deny (HTTP 403 / TCP reject) or redirect.
    #[serde(rename = "type")]
    pub type_: AclActionType,
    /// The redirect, for `redirect` only (`null` otherwise).
    pub redirect: Option<AclActionRedirect>,
}

/// HTTP filter kind (SDK `AclHttpFilter`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum AclHttpFilter {
    #[default]
    AclHttpFilterNone,
    PathBegin,
    PathEnd,
    Regex,
    HttpHeaderMatch,
}

/// What an ACL matches (SDK `AclMatch`): source subnets AND the HTTP filter, inverted if asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclMatch {
    /// Client addresses or CIDRs (`["0.0.0.0/0"]` when none are given, as recorded).
    pub ip_subnet: Vec<String>,
    /// Match Scaleway Edge Services' addresses (not emulated: kept and answered).
    pub ips_edge_services: bool,
    /// The HTTP filter (HTTP backends only).
    pub http_filter: AclHttpFilter,
    /// Its values (any of).
    pub http_filter_value: Vec<String>,
    /// The header of `http_header_match`.
    pub http_filter_option: Option<String>,
    /// Act when the condition does NOT match.
    pub invert: bool,
}

/// An ACL's own fields (without its frontend).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclConfig {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Condition.
    #[serde(rename = "match")]
    pub match_: AclMatch,
    /// Action.
    pub action: AclAction,
    /// Priority: ascending, first match wins (kept as given).
    pub index: u32,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Description.
    pub description: String,
}

/// An ACL (SDK `Acl`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acl {
    /// The ACL.
    #[serde(flatten)]
    pub config: AclConfig,
    /// Its frontend (with backend and LB).
    pub frontend: Frontend,
}

/// What a route matches (SDK `RouteMatch`): one of `sni`, `host_header`, `path_begin`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteMatch {
    /// TLS SNI (TCP frontends: HAProxy `req.ssl_sni`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sni: Option<String>,
    /// HTTP Host header (HTTP frontends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_header: Option<String>,
    /// Path prefix (HTTP frontends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_begin: Option<String>,
    /// Subdomains of `sni` / `host_header` match too.
    #[serde(default)]
    pub match_subdomains: bool,
}

/// The condition of a route, typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteCondition {
    /// TLS SNI.
    Sni(String),
    /// HTTP Host header.
    HostHeader(String),
    /// Path prefix.
    PathBegin(String),
}

impl RouteMatch {
    /// The one condition set, or the names of those set when it is not exactly one.
    pub fn condition(&self) -> Result<RouteCondition, Vec<&'static str>> {
        let mut set = Vec::new();
        if let Some(v) = &self.sni {
            set.push(("sni", RouteCondition::Sni(v.clone())));
        }
        if let Some(v) = &self.host_header {
            set.push(("host_header", RouteCondition::HostHeader(v.clone())));
        }
        if let Some(v) = &self.path_begin {
            set.push(("path_begin", RouteCondition::PathBegin(v.clone())));
        }
        if let [(_, condition)] = set.as_slice() {
            return Ok(condition.clone());
        }
        Err(set.into_iter().map(|(n, _)| n).collect())
    }
}

/// A route (SDK `Route`): a frontend's traffic matching a condition goes to another backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// ID.
    pub id: Uuid,
    /// Frontend.
    pub frontend_id: Uuid,
    /// Target backend.
    pub backend_id: Uuid,
    /// Condition.
    #[serde(rename = "match")]
    pub match_: RouteMatch,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
