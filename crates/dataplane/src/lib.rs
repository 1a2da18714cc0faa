//! # dataplane — the emulated provider network's forwarding model
//!
//! VLAN (802.1Q) ports per connection and link, a VRF per VPC, FIBs built from the RIBs plus
//! connected and static routes (longest-prefix match), VRRP version 3 groups (RFC 5798) on a
//! clock that is handed in, and `trace`: a packet's hops and the reason it stops.
//!
//! Pure and deterministic: no sockets, no wall clock, no async runtime. The engine (or the
//! topology runner) builds a [`Network`], installs into each [`Vrf`] what BGP decided (routes
//! accepted while propagation is on, and the ones it withheld and why), reports link, session
//! and VRRP state, and asks [`Network::trace`] or [`Network::reach`] what a packet would do.
//!
//! | module | what |
//! |---|---|
//! | [`vlan`] | 802.1Q VLAN IDs and frame tags |
//! | [`fib`] | routes, next hops, longest-prefix match |
//! | [`vrf`] | a routing table, with the routes it withheld and the sessions feeding it |
//! | [`network`] | nodes, interfaces, L2 segments, static routes, VRRP bindings |
//! | [`trace`] | hop-by-hop walk, [`Verdict`] and [`DropReason`] |
//! | `show` | [`Network::show_routes`]: a VRF as `show ip route` prints it |
//! | [`vrrp`] | RFC 5798: the advertisement, the state machine, a group on a LAN |
//! | [`lb`] | the Scaleway Load Balancer: HAProxy's ACLs, routing, balancing and health checks |
//! | [`pcap`] | pcap files of the Ethernet frames a cable carried |
//!
//! ```
//! use dataplane::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut net = Network::new();
//! let xconnect = net.add_segment("dc2-xconnect")?;
//! let app = net.add_segment("prod/app")?;
//! let vlan = VlanId::new(2001)?;
//!
//! // The provider edge: VRF "prod" for the VPC, a VLAN port for link "prod", the VPC gateway.
//! let scw = net.add_node("scaleway", NodeRole::Provider)?;
//! net.add_vrf(scw, "prod")?;
//! net.add_interface(scw, InterfaceConfig::new("prod", xconnect).vrf("prod").vlan(vlan)
//!     .address("169.254.0.0/31".parse()?))?;
//! net.add_interface(scw, InterfaceConfig::new("app", app).vrf("prod")
//!     .address("172.16.4.1/22".parse()?))?;
//!
//! // The customer router, plugged on VLAN 2001, and a VPC host.
//! let onprem = net.add_node("onprem", NodeRole::Router)?;
//! net.add_interface(onprem, InterfaceConfig::new("eth0.2001", xconnect).vlan(vlan)
//!     .address("169.254.0.1/31".parse()?))?;
//! let app1 = net.add_node("app1", NodeRole::Host)?;
//! net.add_interface(app1, InterfaceConfig::new("eth0", app).address("172.16.4.10/22".parse()?))?;
//! net.add_static_route(app1, DEFAULT_VRF, "0.0.0.0/0".parse()?, "172.16.4.1".parse()?)?;
//!
//! // What BGP decided: the router learned the VPC; 10.2.0.0/16 was refused by policy.
//! let link = "link \"prod\"";
//! net.vrf_mut(onprem, DEFAULT_VRF)?.install_bgp(
//!     "172.16.4.0/22".parse()?, NextHop::Gateway("169.254.0.0".parse()?), "neighbor 169.254.0.0");
//! net.vrf_mut(scw, "prod")?.withhold(WithheldRoute::new("10.2.0.0/16".parse()?, link,
//!     WithheldReason::FilteredByPolicy { filter: "prefix_filter_in".into() }));
//!
//! assert!(net.trace(onprem, "172.16.4.10".parse()?)?.is_delivered());
//! let back = net.trace(app1, "10.2.0.10".parse()?)?;
//! assert_eq!(back.to_string(), "172.16.4.10 → 10.2.0.10: dropped at provider \"scaleway\" \
//!     VRF \"prod\": no route to 10.2.0.10; 10.2.0.0/16 was received from link \"prod\" but \
//!     rejected by prefix_filter_in");
//! # Ok(())
//! # }
//! ```
//!
//! Not here: rendering this state into Linux (kernel routes in namespaces) and driving VRRP
//! timers from a real clock; both belong to the topology runner.

#![warn(missing_docs)]

mod error;
pub mod fib;
mod ids;
mod interface;
pub mod lb;
pub mod network;
pub mod pcap;
mod show;
pub mod trace;
pub mod vlan;
pub mod vrf;
pub mod vrrp;

pub use fib::{Fib, NextHop, Route, RouteSource};
pub use network::{
    Error, Interface, InterfaceConfig, InterfaceId, Network, Node, NodeId, NodeRole, Segment,
    SegmentId, VrrpBinding,
};
pub use trace::{DropReason, Egress, Hop, Ingress, Place, Reach, Trace, Verdict};
pub use vlan::{InvalidVlanId, Tag, VlanId};
pub use vrf::{DEFAULT_VRF, Direction, Vrf, WithheldReason, WithheldRoute};
