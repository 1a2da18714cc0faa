//! # provider — the emulated cloud products as plain data and rules
//!
//! What peerlab's Scaleway-compatible API serves: **Scaleway InterLink** (PoPs, partners,
//! dedicated connections, links, routing policies) and **Scaleway IPAM** (IPs of VPC private
//! networks and of links' BGP sessions), with the official SDK's JSON field names and enum values,
//! its filters, `order_by` values and pagination, and Scaleway's error bodies.
//!
//! It is the pure core of the emulator: no HTTP, no sockets, no clock (every change takes `now`),
//! no randomness (IDs come from a seeded generator), no async. Changes give back
//! [`Intent`](interlink::Intent)s — plain data — for the engine that runs the BGP sessions; the
//! engine's findings come back through [`InterLink::set_session_status`](interlink::InterLink::set_session_status).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use provider::catalogue::demo;
//! use provider::interlink::{CreateLinkRequest, Intent, InterLink, LinkStatus};
//! use provider::{Caller, Region};
//!
//! let now = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
//! let mut interlink = InterLink::demo(now);
//! let me = Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID);
//! let (link, intents) = interlink
//!     .create_link(
//!         Region::FrPar,
//!         &me,
//!         CreateLinkRequest {
//!             name: "prod".into(),
//!             pop_id: Some(demo::POP_DC2_ID),
//!             bandwidth_mbps: 1000,
//!             connection_id: Some(demo::CONNECTION_DC2_ID),
//!             vlan: Some(2001),
//!             ..Default::default()
//!         },
//!         now,
//!     )
//!     .unwrap();
//! assert_eq!(link.status, LinkStatus::Ready);
//! assert_eq!(link.vlan, 2001);
//! assert_eq!(link.scw_bgp_config.unwrap().asn, 12876);
//! assert!(matches!(intents.as_slice(), [Intent::ConfigureLink(_)]));
//! // The JSON the API sends is the struct's serde form.
//! let json = serde_json::to_value(&link).unwrap();
//! assert_eq!(json["self"]["connection_id"], demo::CONNECTION_DC2_ID.to_string());
//! ```
//!
//! Modules:
//! - [`interlink`]: the InterLink state and one method per SDK call, plus engine/admin calls;
//! - [`ipam`]: the IPAM state and its calls;
//! - [`vpc`]: the VPC API (VPCs, private networks, subnets, routes) over the VPCs IPAM keeps;
//! - [`lb`]: Scaleway Load Balancer (`lb.v1`, zoned and regional), beside IPAM;
//! - [`ovh_connect`]: OVHcloud Connect and its side of the vRack, with OVH's error bodies;
//! - [`catalogue`]: what exists before the first call (projects and tokens, PoPs, partners,
//!   connections, VPCs) and the settings, as serde data, with a built-in [demo](catalogue::demo);
//! - [`table`]: [`Table`](table::Table), the map of resources by ID that every model keeps its
//!   resources in, which records the keys a write touched;
//! - [`persist`]: a model as rows for a store that writes only what changed (`world::store`,
//!   behind `peerlab serve --state`);
//! - [`snapshot`]: the whole state as one JSON document (the state file of earlier versions,
//!   read to migrate it);
//! - [`error`]: [`ProviderError`], whose variants are Scaleway's error bodies;
//! - [`list`], [`scope`], [`region`], [`ids`], [`naming`]: what every call shares (the last one:
//!   what a name and tags may be).
//!
//! Not here: HTTP routing, authentication headers (the API layer maps a token to a
//! [`Caller`] with [`Catalogue::principal`](catalogue::Catalogue::principal)), the BGP sessions
//! themselves.

pub mod catalogue;
pub mod error;
pub mod ids;
pub mod interlink;
pub mod ipam;
pub mod lb;
pub mod list;
pub mod naming;
pub mod ovh_connect;
pub mod persist;
pub mod region;
pub mod scope;
pub mod snapshot;
pub mod table;
pub mod vpc;

pub use error::ProviderError;
pub use region::Region;
pub use scope::Caller;
