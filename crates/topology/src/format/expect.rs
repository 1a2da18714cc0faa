//! `[[expect]]`: what must hold — a session's state, routes present or absent at a router or a
//! VPC, or reachability between two hosts — within a time on the runner's clock.

use super::{Name, Within};
use ipnet::IpNet;
use serde::Deserialize;

/// One expectation. Exactly one of `session`, `routes_at`, `reach`, `ovh_session`,
/// `ovh_active` and `vrrp_master` is given.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// A link's session, with `state`.
    #[serde(default)]
    pub session: Option<SessionExpect>,
    /// The state the session must be in (default `established`).
    #[serde(default)]
    pub state: Option<SessionState>,
    /// Where routes are looked at, with `present` and `absent`.
    #[serde(default)]
    pub routes_at: Option<RoutesAt>,
    /// Each of these has a route equal to it or more specific.
    #[serde(default)]
    pub present: Vec<IpNet>,
    /// None of these has a route equal to it or more specific.
    #[serde(default)]
    pub absent: Vec<IpNet>,
    /// Whether one host reaches another.
    #[serde(default)]
    pub reach: Option<Reach>,
    /// OVHcloud Connect: the BGP session of an l3 PoP configuration or of a `bgp` extra, by
    /// name, with `state` (`established` or `down`).
    #[serde(default)]
    pub ovh_session: Option<Name>,
    /// OVHcloud Connect: a PoP configuration, datacenter configuration or extra, by name, is
    /// `active` as the API shows it, and its tasks are `done`.
    #[serde(default)]
    pub ovh_active: Option<Name>,
    /// OVHcloud Connect: the VRRP gateway of a datacenter configuration, by name, has a master.
    #[serde(default)]
    pub vrrp_master: Option<Name>,
    /// With `vrrp_master`: the master must be this router (`A` or `B`); without it, any.
    #[serde(default)]
    pub router: Option<super::VrrpRouter>,
    /// How long it may take to hold (default 30 s on the runner's clock).
    #[serde(default)]
    pub within: Option<Within>,
}

/// `session = { link = "prod", family = "ipv4" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionExpect {
    /// The link, by name.
    pub link: Name,
    /// Which of its two sessions (default ipv4).
    #[serde(default)]
    pub family: SessionFamily,
}

/// A link's session.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum SessionFamily {
    /// The IPv4 session.
    #[default]
    Ipv4,
    /// The IPv6 session.
    Ipv6,
}

impl SessionFamily {
    /// `ipv4` or `ipv6`.
    pub fn name(self) -> &'static str {
        match self {
            SessionFamily::Ipv4 => "ipv4",
            SessionFamily::Ipv6 => "ipv6",
        }
    }
}

/// A session state to expect: an RFC 4271 FSM state, or the API's `down` / `disabled`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Established (`bgp_v4_status = up`).
    Established,
    /// Configured and not Established (`bgp_v4_status = down`).
    Down,
    /// Not configured (`bgp_v4_status = disabled`).
    Disabled,
    /// Idle.
    Idle,
    /// Connect.
    Connect,
    /// Active.
    Active,
    /// OpenSent.
    OpenSent,
    /// OpenConfirm.
    OpenConfirm,
}

impl SessionState {
    /// The name as written in a topology.
    pub fn name(self) -> &'static str {
        match self {
            SessionState::Established => "established",
            SessionState::Down => "down",
            SessionState::Disabled => "disabled",
            SessionState::Idle => "idle",
            SessionState::Connect => "connect",
            SessionState::Active => "active",
            SessionState::OpenSent => "open_sent",
            SessionState::OpenConfirm => "open_confirm",
        }
    }
}

/// `routes_at = { vpc = "prod" }` or `routes_at = { router = "onprem" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutesAt {
    /// A VPC: the routes the provider installs toward it.
    #[serde(default)]
    pub vpc: Option<Name>,
    /// A customer router: the routes it learned from the provider.
    #[serde(default)]
    pub router: Option<Name>,
}

/// `reach = { from = "laptop", to = "app1" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reach {
    /// The source host.
    pub from: Name,
    /// The destination host.
    pub to: Name,
    /// Whether it must reach (default true) or must not.
    #[serde(default = "yes")]
    pub reachable: bool,
}

fn yes() -> bool {
    true
}
