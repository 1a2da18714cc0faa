//! Backend statistics in HAProxy's words (`show stat`'s `status`, `check_status`, `chkfail`,
//! `chkdown`, `lastchg`) and their mapping onto the API's `backend-stats`.
//!
//! The same types describe the model's servers and the ones `linux::haproxy` reads from a real
//! HAProxy's stats socket, so the two compare with `==`.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use super::check::CheckStatus;

/// A server's `status` column, as HAProxy prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerStatus {
    /// `UP`: fully up.
    Up,
    /// `UP h/f`: up, `h` failures into `f` (HAProxy prints `health - rise + 1` of `fall`).
    UpGoingDown {
        /// The first number.
        health: u32,
        /// `fall`.
        fall: u32,
    },
    /// `DOWN`.
    Down,
    /// `DOWN h/r`: down, `h` successes of the `r` needed.
    DownGoingUp {
        /// Successes so far.
        health: u32,
        /// `rise`.
        rise: u32,
    },
    /// `no check`: not checked, always up.
    NoCheck,
    /// `MAINT`: disabled by an administrator (or an unresolvable address).
    Maint,
    /// `NOLB` / `DRAIN`: up but taking no new traffic.
    NoLb,
}

impl ServerStatus {
    /// From HAProxy's check counter: `running` is the server's state, `health` HAProxy's
    /// `check.health` (0 ..= rise + fall − 1).
    pub fn from_health(running: bool, health: u32, rise: u32, fall: u32) -> Self {
        if running {
            if health + 1 >= rise + fall {
                ServerStatus::Up
            } else {
                ServerStatus::UpGoingDown {
                    health: (health + 1).saturating_sub(rise),
                    fall,
                }
            }
        } else if health == 0 {
            ServerStatus::Down
        } else {
            ServerStatus::DownGoingUp { health, rise }
        }
    }

    /// Whether the server takes traffic.
    pub fn is_up(self) -> bool {
        matches!(
            self,
            ServerStatus::Up | ServerStatus::UpGoingDown { .. } | ServerStatus::NoCheck
        )
    }

    /// The API's `server_state`. The facts file's guess: `UP` → running, `DOWN` and `MAINT`
    /// → stopped, going up → starting, going down and `NOLB` → stopping.
    pub fn server_state(self) -> ServerState {
        match self {
            ServerStatus::Up | ServerStatus::NoCheck => ServerState::Running,
            ServerStatus::Down | ServerStatus::Maint => ServerState::Stopped,
            ServerStatus::DownGoingUp { .. } => ServerState::Starting,
            ServerStatus::UpGoingDown { .. } | ServerStatus::NoLb => ServerState::Stopping,
        }
    }

    /// Parses `show stat`'s `status` of a server; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Self> {
        let counts = |rest: &str| -> Option<(u32, u32)> {
            let (a, b) = rest.trim().split_once('/')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        };
        Some(match s.trim() {
            "UP" => ServerStatus::Up,
            "DOWN" | "DOWN (agent)" => ServerStatus::Down,
            "no check" => ServerStatus::NoCheck,
            "NOLB" | "DRAIN" | "DRAIN (agent)" => ServerStatus::NoLb,
            s if s.starts_with("MAINT") => ServerStatus::Maint,
            s if s.starts_with("UP ") => {
                let (health, fall) = counts(&s[3..])?;
                ServerStatus::UpGoingDown { health, fall }
            }
            s if s.starts_with("DOWN ") => {
                let (health, rise) = counts(&s[5..])?;
                ServerStatus::DownGoingUp { health, rise }
            }
            s if s.starts_with("NOLB ") || s.starts_with("DRAIN ") => ServerStatus::NoLb,
            _ => return None,
        })
    }
}

impl fmt::Display for ServerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerStatus::Up => f.write_str("UP"),
            ServerStatus::UpGoingDown { health, fall } => write!(f, "UP {health}/{fall}"),
            ServerStatus::Down => f.write_str("DOWN"),
            ServerStatus::DownGoingUp { health, rise } => write!(f, "DOWN {health}/{rise}"),
            ServerStatus::NoCheck => f.write_str("no check"),
            ServerStatus::Maint => f.write_str("MAINT"),
            ServerStatus::NoLb => f.write_str("NOLB"),
        }
    }
}

/// The API's `server_state` (`BackendServerStatsServerState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerState {
    /// `stopped`.
    Stopped,
    /// `starting`.
    Starting,
    /// `running`.
    Running,
    /// `stopping`.
    Stopping,
}

impl ServerState {
    /// The API's value.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerState::Stopped => "stopped",
            ServerState::Starting => "starting",
            ServerState::Running => "running",
            ServerState::Stopping => "stopping",
        }
    }
}

/// One server's statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerStats {
    /// The server's address.
    pub address: IpAddr,
    /// Its port (`forward_port`).
    pub port: u16,
    /// `status`.
    pub status: ServerStatus,
    /// `check_status` of the last completed check.
    pub check_status: CheckStatus,
    /// `check_code`: the HTTP status of the last HTTP check, if any.
    pub check_code: Option<u16>,
    /// `chkfail`: failed checks counted against the server.
    pub failed_checks: u64,
    /// `chkdown`: UP → DOWN transitions.
    pub down_transitions: u64,
    /// When the status last changed between up and down (model: on its clock; HAProxy: now
    /// minus `lastchg` seconds).
    pub last_change: Duration,
}

impl ServerStats {
    /// The API's `server_state`.
    pub fn server_state(&self) -> ServerState {
        self.status.server_state()
    }

    /// The API's `last_health_check_status`.
    pub fn last_health_check_status(&self) -> &'static str {
        self.check_status.api_status()
    }
}

/// One backend's statistics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendStats {
    /// The backend's name.
    pub backend: String,
    /// Its servers, in order.
    pub servers: Vec<ServerStats>,
}

impl BackendStats {
    /// The addresses of the servers that take traffic.
    pub fn up(&self) -> Vec<IpAddr> {
        self.servers
            .iter()
            .filter(|s| s.status.is_up())
            .map(|s| s.address)
            .collect()
    }

    /// The addresses of the servers that do not.
    pub fn down(&self) -> Vec<IpAddr> {
        self.servers
            .iter()
            .filter(|s| !s.status.is_up())
            .map(|s| s.address)
            .collect()
    }
}

/// A server's status changed after a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthEvent {
    /// When the check completed.
    pub at: Duration,
    /// The backend.
    pub backend: String,
    /// The server's address.
    pub server: IpAddr,
    /// The status before.
    pub from: ServerStatus,
    /// The status after.
    pub to: ServerStatus,
    /// The check that did it.
    pub check_status: CheckStatus,
}

impl HealthEvent {
    /// Whether the server stopped taking traffic.
    pub fn went_down(&self) -> bool {
        self.from.is_up() && !self.to.is_up()
    }

    /// Whether the server started taking traffic.
    pub fn went_up(&self) -> bool {
        !self.from.is_up() && self.to.is_up()
    }
}

impl fmt::Display for HealthEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} backend {:?} server {}: {} → {} ({})",
            self.at,
            self.backend,
            self.server,
            self.from,
            self.to,
            self.check_status.as_str()
        )
    }
}
