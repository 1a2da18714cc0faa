//! Real networks for peerlab tests: network namespaces, InterLink
//! cross-connects wired with veth pairs and 802.1Q VLANs, and drivers for
//! customer routers (FRR, BIRD, GoBGP) running in those namespaces.
//!
//! The provider side (peerlab) runs on the host; each customer router runs
//! in its own [`Netns`], plugged into the host by a [`Link`]: a veth pair
//! with a VLAN subinterface at each end, the /31 and /127 of the link on
//! them. A [`peer`] driver starts a daemon there with generated config,
//! asks it for its sessions and routes, changes what it announces, crashes
//! and restarts it.
//!
//! ```no_run
//! # fn main() -> topology::Result<()> {
//! use topology::peer::{self, PeerConfig, PeerKind};
//! use topology::{Link, LinkConfig, Netns};
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
//! Everything is synchronous and cleans up on Drop: daemons are killed,
//! temporary directories, veths and namespaces deleted, also when a test
//! panics. It needs root (namespaces, veths) and the daemons installed; a
//! missing daemon binary panics with the `apt-get install` line.
//!
//! The [`kernel`] module renders a `dataplane` VRF's FIB into a namespace's
//! routing table (only routes of `proto 250`, by difference, idempotent);
//! [`vrrp_speaker`] runs the model's VRRP state machine for real in a
//! namespace, moving the virtual address with the master. [`format`] is the
//! topology file (the TOML contract of DESIGN.md) with its reference checks.
//!
//! Not here: the runner and the embedded peer (the `peerlab` binary).

pub mod addressing;
mod error;
pub mod format;
pub mod kernel;
pub mod link;
pub mod netns;
pub mod peer;
pub mod process;
mod vlan;
pub mod vrrp_speaker;

pub use addressing::LinkAddressing;
pub use error::{Error, Result};
pub use link::{Link, LinkConfig, VlanInterface};
pub use netns::Netns;
pub use vlan::VlanMode;
