//! The routing information bases of a BGP speaker (RFC 4271 §3.2, §9) and InterLink's routing
//! policies, on [`prefix_trie`] (the Adj-RIB-In, which only looks prefixes up exactly, indexes
//! them in hash tables).
//!
//! - [`RoutingPolicy`]: `prefix_filter_in` / `prefix_filter_out`, each a [`PrefixFilter`] whose
//!   entries admit themselves and their more specifics; everything else is blocked.
//! - [`AdjRibIn`]: what one peer announced, pre- and post-policy; applies decoded UPDATEs with
//!   their RFC 7606 outcome, re-filters after a policy change, counts for max-prefix. Decoding
//!   and storing a full table takes it about 0.1 µs of CPU and 30 octets per route
//!   (`BENCHMARKS.md`, "Full table").
//! - [`LocRib`]: the best route per destination over all peers ([`decision`], RFC 4271
//!   §9.1.2.2), updated incrementally.
//! - [`AdjRibOut`]: what one peer was sent; the difference to send when routes, the outbound
//!   filter or the route-propagation toggle change, and [`packing`] into UPDATE messages.
//! - [`VpcRoutes`]: the learned routes installed toward the VPC.
//!
//! The prefixes of one UPDATE share one `Arc<PathAttributes>`, and equal attribute sets of
//! different UPDATEs are interned into one.
//!
//! ```
//! use bgp_wire::attribute::{AsPath, AsSegment, NextHop, Origin};
//! use bgp_wire::{AttributeValue, Context, Nlri, PathAttribute, Update};
//! use rib::{AdjRibIn, AdjRibOut, LocRib, PeerId, RoutingPolicy, VpcRoutes, packing};
//! use std::net::Ipv4Addr;
//!
//! // Scaleway's side of a link (AS 12876) and the customer's router.
//! let customer = PeerId {
//!     bgp_id: Ipv4Addr::new(192, 0, 2, 1),
//!     address: "169.254.0.1".parse().unwrap(),
//!     asn: 65000,
//!     ebgp: true,
//! };
//! let policy = RoutingPolicy::new(
//!     false,
//!     ["192.168.0.0/16".parse().unwrap()], // accepted from the customer
//!     ["172.16.0.0/12".parse().unwrap()],  // announced to the customer
//! )
//! .unwrap();
//! let enable_route_propagation = true;
//!
//! let mut adj_rib_in = AdjRibIn::new(customer);
//! let mut loc_rib = LocRib::new(12876);
//! let mut adj_rib_out = AdjRibOut::new(customer, 12876, NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 0)));
//! let mut vpc = VpcRoutes::new();
//!
//! // The customer announces two prefixes; the policy accepts one.
//! let update = Update {
//!     attributes: vec![
//!         PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
//!         PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(vec![65000])]))),
//!         PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
//!     ],
//!     nlri: vec![
//!         Nlri::new("192.168.1.0/24".parse().unwrap()),
//!         Nlri::new("10.0.0.0/8".parse().unwrap()),
//!     ],
//!     ..Update::default()
//! };
//! let changes = adj_rib_in.apply(&update, None, policy.prefix_filter_in());
//! let best = loc_rib.update(&changes); // only fed while propagation is enabled
//! vpc.update(&best);
//! assert!(vpc.lookup("192.168.1.7".parse().unwrap()).is_some());
//! assert!(vpc.lookup("10.0.0.1".parse().unwrap()).is_none());
//!
//! // The VPC's subnet is originated locally and announced to the customer.
//! let local = PeerId::local(Ipv4Addr::new(192, 0, 2, 254), 12876);
//! let mut originated = rib::RibChanges::new(local);
//! originated.announced.push(rib::Route {
//!     prefix: "172.16.4.0/22".parse().unwrap(),
//!     path_id: None,
//!     attributes: std::sync::Arc::new(rib::PathAttributes::local(NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 0)))),
//!     peer: local,
//! });
//! loc_rib.update(&originated);
//! let diff = adj_rib_out.sync(loc_rib.iter(), policy.prefix_filter_out(), enable_route_propagation);
//! assert_eq!(diff.announced_len(), 1); // 192.168.1.0/24 is not sent back to the customer
//! let messages = packing::updates(&diff, &Context::default()).unwrap();
//! assert_eq!(messages.len(), 1);
//!
//! // Turning propagation off withdraws it.
//! let diff = adj_rib_out.sync(loc_rib.iter(), policy.prefix_filter_out(), false);
//! assert_eq!(diff.withdraw.len(), 1);
//! ```
//!
//! What it does not do: I/O, timers or sessions (see `bgp-session`); route maps beyond
//! InterLink's prefix filters; IGP costs, next-hop resolution and ECMP; route reflection,
//! confederations and ADD-PATH sending; graceful-restart stale routes.

pub mod adj_rib_in;
pub mod adj_rib_out;
pub mod attributes;
pub mod decision;
mod intern;
pub mod loc_rib;
pub mod loop_detection;
pub mod packing;
pub mod policy;
pub mod prefix_filter;
pub mod route;
#[cfg(test)]
mod test_support;
pub mod vpc_routes;

pub use adj_rib_in::AdjRibIn;
pub use adj_rib_out::{AdjRibOut, OutDiff};
pub use attributes::{Export, MissingAttribute, PathAttributes};
pub use loc_rib::{BestChange, LocRib};
pub use packing::PackError;
pub use policy::{PolicyError, RoutingPolicy};
pub use prefix_filter::{PrefixFilter, PrefixFilterError};
pub use route::{PeerId, RibChanges, Route};
pub use vpc_routes::VpcRoutes;
