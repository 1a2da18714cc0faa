//! # linux — peerlab's Linux side
//!
//! Real networks for the running world: network namespaces, cables (veth pairs) with 802.1Q
//! VLAN subinterfaces, drivers for customer routers (FRR, BIRD, GoBGP) running in those
//! namespaces, VRRP speakers, and the rendering of a `dataplane` model's FIBs into the kernels.
//!
//! The provider side (peerlab) runs in its namespace; each customer router runs in its own
//! [`Netns`], plugged into the provider by a [`Link`]: a veth pair with a VLAN subinterface at
//! each end, the /31 and /127 of the link on them. A [`peer`] driver starts a daemon there
//! with generated config, asks it for its sessions and routes, changes what it announces,
//! crashes and restarts it.
//!
//! ```no_run
//! # fn main() -> linux::Result<()> {
//! use linux::peer::{self, PeerConfig, PeerKind};
//! use linux::{Link, LinkConfig, Netns};
//!
//! let ns = Netns::create("onprem")?;
//! let link = Link::create(None, &ns, &LinkConfig::new(2001)?)?;
//! let mut config = PeerConfig::interlink(64512, &link.config().addressing);
//! config.announce_v4 = vec!["10.1.0.0/16".parse().unwrap()];
//! let router = peer::start(PeerKind::Frr, &ns, &config)?;
//! // … point peerlab at link.config().addressing.scw_ipv4 …
//! println!("{}", router.log_tail());
//! # Ok(()) }
//! ```
//!
//! Everything is synchronous and cleans up on Drop: daemons are killed, temporary
//! directories, veths and namespaces deleted, also when a test panics. It needs root
//! (namespaces, veths) and the daemons installed; a missing daemon binary is an error naming
//! the `apt-get install` line.
//!
//! The [`kernel`] module renders a `dataplane` VRF's FIB into a namespace's routing table
//! (only routes of `proto 250`, by difference, idempotent); [`vrrp_speaker`] runs the model's
//! VRRP state machine for real in a namespace, moving the virtual address with the master.
//!
//! The Load Balancer's side: [`haproxy`] runs one Debian HAProxy per LB in its namespace,
//! rendered from a [`dataplane::lb::LbConfig`], checked, reloaded seamlessly, watched and
//! restarted, with backend stats from its stats socket; [`service`] serves a host's HTTP
//! services (`services = [{ port, http = { body, paths } }]`) inside the host's namespace.
//! Both are async (tokio) and agree with the in-memory model of `dataplane::lb` (tested).

pub mod addressing;
mod error;
pub mod haproxy;
pub mod kernel;
pub mod link;
pub mod netns;
pub mod peer;
pub mod process;
pub mod render;
pub mod router;
pub mod service;
mod vlan;
pub mod vrrp_speaker;

pub use addressing::LinkAddressing;
pub use error::{Error, Result};
pub use link::{Link, LinkConfig, VlanInterface};
pub use netns::Netns;
pub use vlan::VlanMode;
