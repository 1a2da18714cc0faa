//! The engine: the one owner of peerlab's running world.
//!
//! It runs the BGP side of InterLink links. A link has two sessions: an IPv4 one carrying IPv4
//! unicast and an IPv6 one carrying IPv6 unicast, each with its own [`RoutingPolicy`]. For each
//! session the engine keeps the peer's Adj-RIB-In (before and after `prefix_filter_in`) and the
//! Adj-RIB-Out (the VPC's prefixes that `prefix_filter_out` admits), and applies the
//! route-propagation toggle: while it is off nothing is announced and nothing learned is
//! installed toward the VPC.
//!
//! Like a real router, every session drops routes whose AS_PATH holds its own AS (RFC 4271
//! §9.1.2, [`LinkSpec::as_path_loop_detection`]). Besides the VPC's prefixes, which it
//! originates, a link can relay routes learned elsewhere with their AS_PATH
//! ([`LinkSpec::relayed`], [`EngineHandle::accepted_routes`]), as OVHcloud Connect does between
//! a PoP and a datacenter.
//!
//! The engine is a Graceful Restart helper (RFC 4724): when a peer that keeps its forwarding
//! state drops its connection without a NOTIFICATION, its routes stay installed, marked stale,
//! until it re-announces them and sends End-of-RIB, or its restart time runs out.
//!
//! Everything goes through one [`EngineHandle`] (an actor behind channels, no shared locks).
//! Session state changes are broadcast as [`EngineEvent`]s to whoever owns the engine (the API,
//! the topology runner).
//!
//! ```no_run
//! # async fn demo() -> Result<(), engine::EngineError> {
//! use engine::{Engine, Family, LinkSpec};
//! use rib::RoutingPolicy;
//!
//! let engine = Engine::spawn();
//! let mut spec = LinkSpec::new("prod", 64512, "169.254.10.0/31".parse().unwrap(),
//!                              "fd00:10::/127".parse().unwrap());
//! spec.policy_v4 = Some(RoutingPolicy::new(false, ["10.1.0.0/16".parse().unwrap()],
//!                                          ["172.16.0.0/16".parse().unwrap()]).unwrap());
//! spec.vpc_prefixes = vec!["172.16.4.0/22".parse().unwrap()];
//! spec.enable_route_propagation = true;
//! engine.add_link(spec).await?;
//! let snapshot = engine.snapshot("prod").await?;
//! println!("{:?}", snapshot.session(Family::Ipv4).map(|s| s.status));
//! # Ok(()) }
//! ```
//!
//! By default sessions run over TCP on the links' addresses; [`Engine::spawn_with`] takes a
//! [`Transport`] instead, which opens each session's connections itself (an in-memory pipe to
//! peerlab's embedded router, on tokio's paused clock).
//!
//! It does not decide whether a link may exist (the provider rules do) and does not forward
//! packets (the data plane does).

mod actor;
mod graceful_restart;
mod handle;
mod link;
mod session;

pub use handle::{Engine, EngineError, EngineHandle, Transport};
pub use link::{Family, LinkSpec, SessionTimers};
pub use session::{EngineEvent, LinkSnapshot, SessionCounts, SessionSnapshot, SessionStatus};

pub use rib::RoutingPolicy;
