//! `[[steps]]`: what the runner does, in order — API calls by the SDK's method names, link down
//! and up, router stop, start and restart, waits, and expectations between them.

use super::{Expect, Name, Within};
use ipnet::IpNet;
use serde::Deserialize;

/// One step. Exactly one of `api`, `link`, `router`, `wait`, `expect`, `ovh`, `vrrp` and
/// `drill` is given.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// An API call.
    #[serde(default)]
    pub api: Option<ApiCall>,
    /// A link's cable pulled or plugged back.
    #[serde(default)]
    pub link: Option<LinkAction>,
    /// A router stopped, started or restarted.
    #[serde(default)]
    pub router: Option<RouterAction>,
    /// Let time pass (on the runner's clock).
    #[serde(default)]
    pub wait: Option<Within>,
    /// An expectation at this point.
    #[serde(default)]
    pub expect: Option<Expect>,
    /// An OVHcloud Connect call ([`super::OvhAction`]).
    #[serde(default)]
    pub ovh: Option<super::OvhAction>,
    /// One of OVH's VRRP routers of a datacenter crashed, stopped or started
    /// ([`VrrpAction`]).
    #[serde(default)]
    pub vrrp: Option<VrrpAction>,
    /// A failover drill with measured convergence ([`super::Drill`]).
    #[serde(default)]
    pub drill: Option<super::Drill>,
}

/// The SDK methods a step may call, and the arguments each needs.
pub const API_CALLS: &[(&str, &[&str])] = &[
    ("enable_route_propagation", &["link"]),
    ("disable_route_propagation", &["link"]),
    ("attach_vpc", &["link", "vpc"]),
    ("detach_vpc", &["link"]),
    ("attach_routing_policy", &["link", "routing_policy"]),
    ("detach_routing_policy", &["link", "routing_policy"]),
    ("set_routing_policy", &["link", "routing_policy"]),
    ("update_link", &["link"]),
    ("delete_link", &["link"]),
    ("update_routing_policy", &["routing_policy"]),
];

/// `api = { call = "disable_route_propagation", link = "prod" }`: an SDK method and its
/// arguments, resources by name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiCall {
    /// The SDK's method name (see [`API_CALLS`]).
    pub call: Name,
    /// The link, by name.
    #[serde(default)]
    pub link: Option<Name>,
    /// The VPC, by name.
    #[serde(default)]
    pub vpc: Option<Name>,
    /// The routing policy, by name.
    #[serde(default)]
    pub routing_policy: Option<Name>,
    /// `update_link`: a new peer ASN.
    #[serde(default)]
    pub peer_asn: Option<u32>,
    /// `update_routing_policy`: new input filter.
    #[serde(default)]
    pub prefix_filter_in: Option<Vec<IpNet>>,
    /// `update_routing_policy`: new output filter.
    #[serde(default)]
    pub prefix_filter_out: Option<Vec<IpNet>>,
}

/// `link = { name = "prod", state = "down" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkAction {
    /// The link, by name.
    pub name: Name,
    /// Down (cable pulled) or up.
    pub state: LinkState,
}

/// A cable's state.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LinkState {
    /// Pulled: the router's connections on it fail, new ones cannot be made.
    Down,
    /// Plugged back.
    Up,
}

/// `router = { name = "onprem", action = "restart" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterAction {
    /// The router, by name.
    pub name: Name,
    /// What to do.
    pub action: RouterOperation,
}

/// What to do to a router.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RouterOperation {
    /// Stop it (its sessions go down).
    Stop,
    /// Start it again.
    Start,
    /// Stop it and start it again.
    Restart,
}

/// `vrrp = { datacenter = "rbx", router = "A", action = "crash" }`: one of OVH's two VRRP
/// routers of an l3 datacenter configuration (by name) fails or comes back.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VrrpAction {
    /// The datacenter configuration, by name.
    pub datacenter: Name,
    /// `A` or `B`.
    pub router: VrrpRouter,
    /// What happens to it.
    pub action: VrrpOperation,
}

/// One of OVH's two routers of a datacenter's VRRP gateway: `A` (the subnet's second address,
/// priority 200) or `B` (the third, priority 100).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VrrpRouter {
    /// The second address, priority 200: master when both run.
    A,
    /// The third address, priority 100.
    B,
}

impl VrrpRouter {
    /// `A` or `B`.
    pub fn name(self) -> &'static str {
        match self {
            VrrpRouter::A => "A",
            VrrpRouter::B => "B",
        }
    }
}

/// What happens to a VRRP router (RFC 5798).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VrrpOperation {
    /// It dies silently: a backup takes over after Master_Down_Interval.
    Crash,
    /// Clean shutdown, with a priority-0 advertisement: a backup takes over after Skew_Time.
    Stop,
    /// It comes back and, preempting, takes the gateway back if its priority is the highest.
    Start,
}

impl VrrpOperation {
    /// `crash`, `stop` or `start`.
    pub fn name(self) -> &'static str {
        match self {
            VrrpOperation::Crash => "crash",
            VrrpOperation::Stop => "stop",
            VrrpOperation::Start => "start",
        }
    }
}
