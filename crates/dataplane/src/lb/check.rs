//! A backend's health check: its configuration in the API's words, and what one check of one
//! server gives, in HAProxy's words (`check_status`: `L4OK`, `L4CON`, `L7STS` …).
//!
//! One check is a pure function of the check's configuration and of what answers at the
//! server ([`Endpoint`], handed in by the caller from the host's services and the data-plane
//! trace): [`run_check`] says whether it passed, which status HAProxy reports, and how long it took.
//! Counting `fall`/`rise` over time is [`crate::lb::health`]'s job.

use std::time::Duration;

use super::service::{AppProtocol, Endpoint, Listener};

/// HAProxy's `rise`: consecutive successes that bring a down server back. Scaleway's
/// configuring-health-checks.mdx: "back up after ~2 successes" (HAProxy's default too).
pub const RISE: u32 = 2;

/// `check_delay` default: 3000 ms.
pub const DEFAULT_CHECK_DELAY: Duration = Duration::from_millis(3000);
/// `check_timeout` default: 1000 ms.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_millis(1000);
/// `check_max_retries` default: 3.
pub const DEFAULT_CHECK_MAX_RETRIES: u32 = 3;
/// `transient_check_delay` default: 0.5 s.
pub const DEFAULT_TRANSIENT_CHECK_DELAY: Duration = Duration::from_millis(500);

/// `health_check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// `port` checked on each server.
    pub port: u16,
    /// `check_delay`: HAProxy's `inter`, between two checks of a server that is fully up or
    /// fully down.
    pub check_delay: Duration,
    /// `check_timeout`: HAProxy's `timeout check`.
    pub check_timeout: Duration,
    /// `check_max_retries`: HAProxy's `fall`, consecutive failures that mark a server down.
    pub check_max_retries: u32,
    /// `check_send_proxy`: the check sends the backend's PROXY header too.
    pub check_send_proxy: bool,
    /// `transient_check_delay`: HAProxy's `fastinter`, between checks of a server going up or
    /// down; zero means `check_delay`.
    pub transient_check_delay: Duration,
    /// The one-of check configuration (`tcp_config`, `http_config` …).
    pub config: CheckConfig,
}

impl HealthCheck {
    /// A TCP check of `port` with the real service's defaults: every 3000 ms, 1000 ms
    /// timeout, down after 3 failures, 0.5 s between transient checks.
    pub fn new(port: u16) -> Self {
        HealthCheck {
            port,
            check_delay: DEFAULT_CHECK_DELAY,
            check_timeout: DEFAULT_CHECK_TIMEOUT,
            check_max_retries: DEFAULT_CHECK_MAX_RETRIES,
            check_send_proxy: false,
            transient_check_delay: DEFAULT_TRANSIENT_CHECK_DELAY,
            config: CheckConfig::Tcp,
        }
    }

    /// The interval while the server is going up or down (`fastinter`, else `inter`).
    pub fn fastinter(&self) -> Duration {
        if self.transient_check_delay.is_zero() {
            self.check_delay
        } else {
            self.transient_check_delay
        }
    }
}

/// The check's one-of configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckConfig {
    /// `tcp_config`: the connection opens.
    Tcp,
    /// `mysql_config`: HAProxy's `mysql-check` as `user`.
    Mysql {
        /// `user`.
        user: String,
    },
    /// `pgsql_config`: HAProxy's `pgsql-check` as `user`.
    Pgsql {
        /// `user`.
        user: String,
    },
    /// `ldap_config`: an LDAPv3 bind answer.
    Ldap,
    /// `redis_config`: `+PONG`.
    Redis,
    /// `http_config`.
    Http(HttpCheck),
    /// `https_config`: the same over TLS, with `sni`.
    Https {
        /// `uri`, `method`, `code`, `host_header`.
        http: HttpCheck,
        /// `sni`.
        sni: Option<String>,
    },
}

impl CheckConfig {
    /// The API's one-of key.
    pub fn key(&self) -> &'static str {
        match self {
            CheckConfig::Tcp => "tcp_config",
            CheckConfig::Mysql { .. } => "mysql_config",
            CheckConfig::Pgsql { .. } => "pgsql_config",
            CheckConfig::Ldap => "ldap_config",
            CheckConfig::Redis => "redis_config",
            CheckConfig::Http(_) => "http_config",
            CheckConfig::Https { .. } => "https_config",
        }
    }
}

/// `http_config` / the HTTP part of `https_config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpCheck {
    /// `uri`: the path (and query) requested.
    pub uri: String,
    /// `method`.
    pub method: String,
    /// `code`: the status that passes; `None` passes any 2xx or 3xx (HAProxy's default).
    pub code: Option<u16>,
    /// `host_header`.
    pub host_header: Option<String>,
}

impl HttpCheck {
    /// `GET uri`, any 2xx/3xx, no Host header.
    pub fn get(uri: impl Into<String>) -> Self {
        HttpCheck {
            uri: uri.into(),
            method: "GET".into(),
            code: None,
            host_header: None,
        }
    }

    /// Whether an answer with `status` passes.
    pub fn passes(&self, status: u16) -> bool {
        match self.code {
            Some(code) => status == code,
            None => (200..400).contains(&status),
        }
    }
}

/// HAProxy's `check_status` for the checks the model can give (HAProxy's `enum
/// healthcheck_status`, which Scaleway's check-status enum copies).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckStatus {
    /// `INI`: not checked yet.
    Ini,
    /// `L4OK`: the TCP connection opened.
    L4Ok,
    /// `L4TOUT`: the connection timed out.
    L4Tout,
    /// `L4CON`: the connection was refused, or the network is unreachable.
    L4Con,
    /// `L6RSP`: the TLS handshake failed.
    L6Rsp,
    /// `L7OK`: the application answered as expected.
    L7Ok,
    /// `L7STS`: an HTTP status the check does not accept.
    L7Sts,
    /// `L7RSP`: an answer that is not the expected protocol.
    L7Rsp,
    /// `L7TOUT`: connected, then no answer in time.
    L7Tout,
    /// Another of HAProxy's statuses (`SOCKERR`, `L6TOUT`, `L7OKC` …), which the model does
    /// not produce; it counts as failed.
    Other,
}

impl CheckStatus {
    /// HAProxy's name, as `show stat` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ini => "INI",
            CheckStatus::L4Ok => "L4OK",
            CheckStatus::L4Tout => "L4TOUT",
            CheckStatus::L4Con => "L4CON",
            CheckStatus::L6Rsp => "L6RSP",
            CheckStatus::L7Ok => "L7OK",
            CheckStatus::L7Sts => "L7STS",
            CheckStatus::L7Rsp => "L7RSP",
            CheckStatus::L7Tout => "L7TOUT",
            CheckStatus::Other => "other",
        }
    }

    /// The status named `name` by HAProxy (`show stat` prefixes `* ` while a check runs);
    /// `None` for an empty field, [`CheckStatus::Other`] for a status the model does not know.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim_start_matches("* ").trim();
        if name.is_empty() {
            return None;
        }
        let known = [
            CheckStatus::Ini,
            CheckStatus::L4Ok,
            CheckStatus::L4Tout,
            CheckStatus::L4Con,
            CheckStatus::L6Rsp,
            CheckStatus::L7Ok,
            CheckStatus::L7Sts,
            CheckStatus::L7Rsp,
            CheckStatus::L7Tout,
        ]
        .into_iter()
        .find(|s| s.as_str() == name);
        Some(known.unwrap_or(CheckStatus::Other))
    }

    /// Whether the check passed.
    pub fn passed(self) -> bool {
        matches!(self, CheckStatus::L4Ok | CheckStatus::L7Ok)
    }

    /// The API's `last_health_check_status`: `unknown` before the first check, else
    /// `passed` or `failed`.
    pub fn api_status(self) -> &'static str {
        match self {
            CheckStatus::Ini => "unknown",
            s if s.passed() => "passed",
            _ => "failed",
        }
    }
}

/// What one check gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckResult {
    /// HAProxy's status.
    pub status: CheckStatus,
    /// The HTTP status, for HTTP(S) checks that got an answer.
    pub code: Option<u16>,
    /// How long the check took.
    pub duration: Duration,
}

/// One check of a server whose port answers as `endpoint` (seen from the LB's address on its
/// network), for a backend whose connections time out after `timeout_connect`.
///
/// Durations follow HAProxy 2.6's `tcpcheck_eval_connect`: a connection that gets no answer
/// is given `min(check_delay, timeout_connect)`; a connected check that hangs is bounded by
/// the same deadline (2.6 resets it to `timeout check` only for a connect that completes
/// synchronously, which a TCP connect to another host never does). Answers and refusals take
/// no time in the model.
pub fn run_check(
    check: &HealthCheck,
    timeout_connect: Duration,
    endpoint: &Endpoint,
) -> CheckResult {
    let deadline = check.check_delay.min(timeout_connect);
    let at_once = |status, code| CheckResult {
        status,
        code,
        duration: Duration::ZERO,
    };
    let listener = match endpoint {
        Endpoint::Unreachable => {
            return CheckResult {
                status: CheckStatus::L4Tout,
                code: None,
                duration: deadline,
            };
        }
        Endpoint::Closed | Endpoint::NoRoute => return at_once(CheckStatus::L4Con, None),
        Endpoint::Listening(listener) => listener,
    };
    if matches!(check.config, CheckConfig::Tcp) {
        return at_once(CheckStatus::L4Ok, None);
    }
    match (listener, &check.config) {
        (Listener::Hung, _) => CheckResult {
            status: CheckStatus::L7Tout,
            code: None,
            duration: deadline,
        },
        // peerlab's services speak plain HTTP: a TLS handshake fails.
        (_, CheckConfig::Https { .. }) => at_once(CheckStatus::L6Rsp, None),
        (Listener::Http(service), CheckConfig::Http(http)) => {
            let status = service.status(&http.uri);
            if http.passes(status) {
                at_once(CheckStatus::L7Ok, Some(status))
            } else {
                at_once(CheckStatus::L7Sts, Some(status))
            }
        }
        (Listener::App(app), config) if app.passes(config) => at_once(CheckStatus::L7Ok, None),
        _ => at_once(CheckStatus::L7Rsp, None),
    }
}

impl AppProtocol {
    /// Whether a server speaking this protocol passes `config`.
    fn passes(self, config: &CheckConfig) -> bool {
        matches!(
            (self, config),
            (AppProtocol::Mysql, CheckConfig::Mysql { .. })
                | (AppProtocol::Pgsql, CheckConfig::Pgsql { .. })
                | (AppProtocol::Ldap, CheckConfig::Ldap)
                | (AppProtocol::Redis, CheckConfig::Redis)
        )
    }
}
