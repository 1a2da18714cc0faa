//! `drill = { … }`: a failover drill with measured convergence — a cable pulled, a router
//! killed or OVH's VRRP master crashed while a probe stream runs between two hosts.
//!
//! ```toml
//! [[steps]]
//! drill = { cable = "prod", probe = { from = "laptop", to = "app1" }, restore_after = "3s" }
//! [[steps]]
//! drill = { router = "onprem", probe = { from = "laptop", to = "app1" }, within = "2m" }
//! [[steps]]
//! drill = { vrrp_master = "rbx", probe = { from = "office", to = "db1" } }
//! ```
//!
//! Exactly one of `cable` (a link, whose router's cable is pulled), `router` (stopped: its
//! sessions end) and `vrrp_master` (a datacenter configuration: the router holding its VRRP
//! gateway crashes) is given. `restore_after` undoes the failure that long after it (the cable
//! plugged back, the router or the VRRP router started again); without it the failure stays.
//! `within` bounds the measurement (default 60 s).

use super::{Name, Within};
use serde::Deserialize;

/// The default measurement window.
pub const DEFAULT_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

/// A failover drill.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drill {
    /// A link, by name: its router's cable is pulled.
    #[serde(default)]
    pub cable: Option<Name>,
    /// A router, by name: it is stopped (killed).
    #[serde(default)]
    pub router: Option<Name>,
    /// An OVH datacenter configuration, by name: its VRRP master crashes.
    #[serde(default)]
    pub vrrp_master: Option<Name>,
    /// The probe stream: one probe every 10 ms from one host to another (both ways, as ping).
    pub probe: Probe,
    /// Undo the failure this long after it.
    #[serde(default)]
    pub restore_after: Option<Within>,
    /// How long to measure at most (default 60 s).
    #[serde(default)]
    pub within: Option<Within>,
}

/// `probe = { from = "laptop", to = "app1" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// The host the probes start from.
    pub from: Name,
    /// The host probed.
    pub to: Name,
}

impl Drill {
    /// The failure, in the report's words (`cable prod pulled`).
    pub fn failure(&self) -> String {
        if let Some(c) = &self.cable {
            return format!("cable of link {} pulled", c.get_ref());
        }
        if let Some(r) = &self.router {
            return format!("router {} killed", r.get_ref());
        }
        if let Some(d) = &self.vrrp_master {
            return format!("VRRP master of {} crashed", d.get_ref());
        }
        "nothing".to_string()
    }

    /// How long the measurement may take.
    pub fn window(&self) -> std::time::Duration {
        self.within.map_or(DEFAULT_WITHIN, |w| w.0)
    }
}
