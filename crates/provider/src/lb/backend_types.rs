//! Backends and their health check (SDK `Backend`, `HealthCheck`, the check configs and the
//! backend enums).
//!
//! The health check's protocol is a one-of on the wire (`tcp_config`, `mysql_config`,
//! `pgsql_config`, `ldap_config`, `redis_config`, `http_config`, `https_config`); here it is
//! [`HealthCheckConfig`], converted at the serde boundary. A check without any config is a TCP
//! check and is answered with `tcp_config: {}`, as recorded.

use super::duration::{Millis, ProtoDuration};
use super::types::Lb;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Backend protocol (SDK `Protocol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// TCP (HAProxy `mode tcp`).
    Tcp,
    /// HTTP (HAProxy `mode http`).
    Http,
}

/// Balancing algorithm (SDK `ForwardPortAlgorithm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ForwardPortAlgorithm {
    Roundrobin,
    Leastconn,
    First,
}

/// Stickiness (SDK `StickySessionsType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum StickySessionsType {
    None,
    Cookie,
    Table,
}

/// What happens to sessions of a server marked down (SDK `OnMarkedDownAction`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum OnMarkedDownAction {
    #[default]
    OnMarkedDownActionNone,
    ShutdownSessions,
}

/// PROXY protocol towards the servers (SDK `ProxyProtocol`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ProxyProtocol {
    /// Not given (then `send_proxy_v2` decides between `v2` and `none`).
    #[default]
    ProxyProtocolUnknown,
    ProxyProtocolNone,
    ProxyProtocolV1,
    ProxyProtocolV2,
    ProxyProtocolV2Ssl,
    ProxyProtocolV2SslCn,
}

/// An HTTP health check (SDK `HealthCheckHttpConfig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckHttpConfig {
    /// Path (or URL) requested.
    pub uri: String,
    /// Method.
    pub method: String,
    /// Expected status; `None`: any 2xx or 3xx (HAProxy's default).
    pub code: Option<u32>,
    /// Host header.
    pub host_header: String,
}

/// An HTTPS health check (SDK `HealthCheckHttpsConfig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckHttpsConfig {
    /// Path (or URL) requested.
    pub uri: String,
    /// Method.
    pub method: String,
    /// Expected status; `None`: any 2xx or 3xx.
    pub code: Option<u32>,
    /// Host header.
    pub host_header: String,
    /// SNI sent.
    pub sni: String,
}

/// A database check's user (SDK `HealthCheckMysqlConfig` / `HealthCheckPgsqlConfig`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckUserConfig {
    /// User.
    pub user: String,
}

/// An empty config object (`tcp_config: {}`, `ldap_config: {}`, `redis_config: {}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmptyConfig {}

/// The protocol of a health check: the one-of of the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HealthCheckConfig {
    /// A TCP connect.
    Tcp,
    /// MySQL (HAProxy `option mysql-check user`).
    Mysql(HealthCheckUserConfig),
    /// PostgreSQL (HAProxy `option pgsql-check user`).
    Pgsql(HealthCheckUserConfig),
    /// LDAPv3 bind (HAProxy `option ldap-check`).
    Ldap,
    /// Redis PING/+PONG (HAProxy `option redis-check`).
    Redis,
    /// HTTP.
    Http(HealthCheckHttpConfig),
    /// HTTPS.
    Https(HealthCheckHttpsConfig),
}

/// A backend's health check (SDK `HealthCheck`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "HealthCheckWire", try_from = "HealthCheckWire")]
pub struct HealthCheck {
    /// Port checked.
    pub port: u32,
    /// Interval (HAProxy `inter`), ms. Default 3000.
    pub check_delay: Millis,
    /// Timeout (HAProxy `timeout check`), ms. Default 1000.
    pub check_timeout: Millis,
    /// Failures before a server is down (HAProxy `fall`).
    pub check_max_retries: u32,
    /// PROXY protocol on the check (HAProxy `check-send-proxy`).
    pub check_send_proxy: bool,
    /// Interval while a server is changing state (HAProxy `fastinter`). Default 0.5 s.
    pub transient_check_delay: ProtoDuration,
    /// The protocol.
    pub config: HealthCheckConfig,
}

/// A health check as the wire has it: every config is an optional field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheckWire {
    /// Port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Interval, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_delay: Option<Millis>,
    /// Timeout, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_timeout: Option<Millis>,
    /// Failures before down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_max_retries: Option<u32>,
    /// PROXY protocol on the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_send_proxy: Option<bool>,
    /// Transient interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transient_check_delay: Option<ProtoDuration>,
    /// TCP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_config: Option<EmptyConfig>,
    /// MySQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mysql_config: Option<HealthCheckUserConfig>,
    /// PostgreSQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pgsql_config: Option<HealthCheckUserConfig>,
    /// LDAP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldap_config: Option<EmptyConfig>,
    /// Redis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redis_config: Option<EmptyConfig>,
    /// HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_config: Option<HealthCheckHttpConfig>,
    /// HTTPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub https_config: Option<HealthCheckHttpsConfig>,
}

/// Default check interval (Scaleway's health-check documentation: 3 s).
pub const DEFAULT_CHECK_DELAY_MS: u64 = 3000;
/// Default check timeout (1 s).
pub const DEFAULT_CHECK_TIMEOUT_MS: u64 = 1000;
/// Default transient interval (0.5 s).
pub const DEFAULT_TRANSIENT_CHECK_DELAY_MS: u64 = 500;

impl HealthCheckWire {
    /// The config one-of: `Ok(None)` when none is set, `Err(names)` when several are.
    pub fn config(&self) -> Result<Option<HealthCheckConfig>, Vec<&'static str>> {
        let mut set: Vec<(&'static str, HealthCheckConfig)> = Vec::new();
        if self.tcp_config.is_some() {
            set.push(("tcp_config", HealthCheckConfig::Tcp));
        }
        if let Some(c) = &self.mysql_config {
            set.push(("mysql_config", HealthCheckConfig::Mysql(c.clone())));
        }
        if let Some(c) = &self.pgsql_config {
            set.push(("pgsql_config", HealthCheckConfig::Pgsql(c.clone())));
        }
        if self.ldap_config.is_some() {
            set.push(("ldap_config", HealthCheckConfig::Ldap));
        }
        if self.redis_config.is_some() {
            set.push(("redis_config", HealthCheckConfig::Redis));
        }
        if let Some(c) = &self.http_config {
            set.push(("http_config", HealthCheckConfig::Http(c.clone())));
        }
        if let Some(c) = &self.https_config {
            set.push(("https_config", HealthCheckConfig::Https(c.clone())));
        }
        if set.len() > 1 {
            return Err(set.into_iter().map(|(n, _)| n).collect());
        }
        Ok(set.pop().map(|(_, c)| c))
    }
}

impl From<HealthCheck> for HealthCheckWire {
    fn from(h: HealthCheck) -> Self {
        let mut w = HealthCheckWire {
            port: Some(h.port),
            check_delay: Some(h.check_delay),
            check_timeout: Some(h.check_timeout),
            check_max_retries: Some(h.check_max_retries),
            check_send_proxy: Some(h.check_send_proxy),
            transient_check_delay: Some(h.transient_check_delay),
            ..Default::default()
        };
        match h.config {
            HealthCheckConfig::Tcp => w.tcp_config = Some(EmptyConfig {}),
            HealthCheckConfig::Mysql(c) => w.mysql_config = Some(c),
            HealthCheckConfig::Pgsql(c) => w.pgsql_config = Some(c),
            HealthCheckConfig::Ldap => w.ldap_config = Some(EmptyConfig {}),
            HealthCheckConfig::Redis => w.redis_config = Some(EmptyConfig {}),
            HealthCheckConfig::Http(c) => w.http_config = Some(c),
            HealthCheckConfig::Https(c) => w.https_config = Some(c),
        }
        w
    }
}

/// A health check naming more than one of its one-of configurations.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("only one of {} may be set", .0.join(", "))]
pub struct OneOfError(pub Vec<&'static str>);

impl TryFrom<HealthCheckWire> for HealthCheck {
    type Error = OneOfError;

    /// Reads an answer's health check back (missing fields take the defaults).
    fn try_from(w: HealthCheckWire) -> Result<Self, OneOfError> {
        let config = w
            .config()
            .map_err(OneOfError)?
            .unwrap_or(HealthCheckConfig::Tcp);
        Ok(HealthCheck {
            port: w.port.unwrap_or(0),
            check_delay: w.check_delay.unwrap_or(Millis(DEFAULT_CHECK_DELAY_MS)),
            check_timeout: w.check_timeout.unwrap_or(Millis(DEFAULT_CHECK_TIMEOUT_MS)),
            check_max_retries: w.check_max_retries.unwrap_or(0),
            check_send_proxy: w.check_send_proxy.unwrap_or(false),
            transient_check_delay: w
                .transient_check_delay
                .unwrap_or(ProtoDuration(DEFAULT_TRANSIENT_CHECK_DELAY_MS)),
            config,
        })
    }
}

/// A backend's own fields, as kept and as answered (without its LB).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendConfig {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Protocol.
    pub forward_protocol: Protocol,
    /// Servers' port.
    pub forward_port: u32,
    /// Algorithm.
    pub forward_port_algorithm: ForwardPortAlgorithm,
    /// Stickiness.
    pub sticky_sessions: StickySessionsType,
    /// Cookie of cookie stickiness (`""` otherwise).
    pub sticky_sessions_cookie_name: String,
    /// The health check.
    pub health_check: HealthCheck,
    /// Servers' addresses, in the order given.
    pub pool: Vec<String>,
    /// HAProxy `timeout server`, ms (default 300000).
    pub timeout_server: Millis,
    /// HAProxy `timeout connect`, ms (default 5000).
    pub timeout_connect: Millis,
    /// HAProxy `timeout tunnel`, ms (default 900000).
    pub timeout_tunnel: Millis,
    /// On marked down.
    pub on_marked_down_action: OnMarkedDownAction,
    /// PROXY protocol.
    pub proxy_protocol: ProxyProtocol,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Object Storage website served when every server is down.
    pub failover_host: Option<String>,
    /// TLS towards the servers.
    pub ssl_bridging: bool,
    /// Skip server certificate verification (`null` until set, as recorded).
    pub ignore_ssl_server_verify: Option<bool>,
    /// HAProxy `option redispatch N` (`null` until set).
    pub redispatch_attempt_count: Option<u32>,
    /// HAProxy `retries` (default 3).
    pub max_retries: u32,
    /// Server `maxconn` (`null` until set).
    pub max_connections: Option<u32>,
    /// HAProxy `timeout queue` (default `"0s"`, as recorded).
    pub timeout_queue: ProtoDuration,
    /// Host header / SNI towards the servers (`""` when unset).
    pub host: String,
    /// Deprecated: whether `proxy_protocol` is `proxy_protocol_v2`.
    pub send_proxy_v2: bool,
}

/// A backend (SDK `Backend`): its fields and its LB.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backend {
    /// The backend.
    #[serde(flatten)]
    pub config: BackendConfig,
    /// Its LB.
    pub lb: Lb,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_recorded_health_check_reads_and_writes_back() {
        let recorded = json!({"check_delay":60000,"check_max_retries":2,"check_send_proxy":false,
            "check_timeout":30000,"port":80,"tcp_config":{},"transient_check_delay":"0.500s"});
        let h: HealthCheck = serde_json::from_value(recorded.clone()).unwrap();
        assert_eq!(h.check_delay, Millis(60_000));
        assert_eq!(h.config, HealthCheckConfig::Tcp);
        assert_eq!(serde_json::to_value(&h).unwrap(), recorded);
        let https = json!({"check_delay":10000,"check_max_retries":3,"check_send_proxy":true,
            "check_timeout":15000,"port":81,"transient_check_delay":"0.200s",
            "https_config":{"code":404,"host_header":"test.com","method":"POST","sni":"sni.test.com","uri":"http://test.com/health"}});
        let h: HealthCheck = serde_json::from_value(https.clone()).unwrap();
        assert!(matches!(h.config, HealthCheckConfig::Https(_)));
        assert_eq!(serde_json::to_value(&h).unwrap(), https);
    }

    #[test]
    fn two_configs_are_refused() {
        let w: HealthCheckWire =
            serde_json::from_value(json!({"tcp_config":{},"redis_config":{}})).unwrap();
        assert_eq!(w.config().unwrap_err(), vec!["tcp_config", "redis_config"]);
        assert!(
            serde_json::from_value::<HealthCheck>(json!({"tcp_config":{},"ldap_config":{}}))
                .is_err()
        );
    }
}
