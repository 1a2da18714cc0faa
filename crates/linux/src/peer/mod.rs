//! Drivers for the customer's router: a real BGP daemon (FRR bgpd, BIRD 2,
//! GoBGP) started in a [`Netns`] with a generated config.
//!
//! Every driver does the same things through the daemon's own CLI: start,
//! crash (`stop`, SIGKILL) and `restart`, report a session's state and the
//! routes learned from a neighbour, change what is announced at run time,
//! shut a session down with a message, and show the end of its log and its
//! version. The daemons listen on port 179 inside their namespace and
//! connect actively too (to port 179 of their neighbours, or the configured
//! `neighbour_port`); timers are short (keepalive a third of the hold time,
//! ConnectRetry 1 s by default) so tests are quick; no policy gets in the
//! way: everything learned is accepted, exactly the configured prefixes are
//! announced, tagged with attributes only when [`ExportTags`] says so.
//!
//! Each neighbour carries the family of its address: an InterLink link has
//! an IPv4 session for IPv4 unicast and an IPv6 session for IPv6 unicast.
//! With `multiprotocol` every session carries both (the golden captures
//! record IPv6 over an IPv4 session).
//!
//! Not for: installing learned routes in the namespace's kernel (the
//! daemons run without zebra / kernel protocol), or policies.

mod bird;
mod config;
mod driver;
mod export;
mod frr;
mod gobgp;

pub use bird::Bird;
pub use config::{ExportTags, Family, Neighbour, PeerConfig, PeerKind, SCALEWAY_ASN};
pub use driver::{Peer, SessionState};
pub use frr::Frr;
pub use gobgp::Gobgp;

use crate::netns::Netns;
use crate::{Error, Result};
use ipnet::IpNet;
use std::path::Path;

/// Starts a `kind` router in `ns`; returns once its control socket answers
/// (the sessions come up later).
///
/// # Panics
///
/// When the daemon is not installed, with the `apt-get install` line.
pub fn start(kind: PeerKind, ns: &Netns, config: &PeerConfig) -> Result<Box<dyn Peer>> {
    Ok(match kind {
        PeerKind::Frr => Box::new(Frr::start(ns, config)?),
        PeerKind::Bird => Box::new(Bird::start(ns, config)?),
        PeerKind::Gobgp => Box::new(Gobgp::start(ns, config)?),
    })
}

/// The configuration file a `kind` daemon is started with for `config` (FRR's `bgpd.conf`,
/// BIRD's `bird.conf`, GoBGP's `gobgpd.toml`), for running it elsewhere, e.g. in a containerlab
/// export. GoBGP's announcements are not in its file: [`gobgp_announce`] gives the commands.
pub fn config_file(kind: PeerKind, config: &PeerConfig) -> String {
    match kind {
        PeerKind::Frr => frr::config(config),
        PeerKind::Bird => bird::config(config),
        PeerKind::Gobgp => gobgp::config(config),
    }
}

/// The `gobgp` arguments that add `prefix` to gobgpd's global RIB: how GoBGP announces.
pub fn gobgp_announce(prefix: &IpNet) -> Vec<String> {
    gobgp::rib("add", prefix)
}

/// Whether `kind`'s programs are installed: `Err` names the missing program and the Debian
/// package to install (unlike [`start`], which panics).
pub fn check_installed(kind: PeerKind) -> Result<()> {
    let needed: &[(&str, &str)] = match kind {
        PeerKind::Frr => &[(frr::ZEBRA, "frr"), (frr::BGPD, "frr"), (frr::VTYSH, "frr")],
        PeerKind::Bird => &[(bird::BIRD, "bird2"), (bird::BIRDC, "bird2")],
        PeerKind::Gobgp => &[(gobgp::GOBGPD, "gobgpd"), (gobgp::GOBGP, "gobgpd")],
    };
    for (path, package) in needed {
        if !Path::new(path).is_file() {
            return Err(Error::invalid(
                "installation",
                format!("{path} is missing: install it with `apt-get install -y {package}`"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addressing::LinkAddressing;

    #[test]
    fn every_generated_config_ends_with_the_raw_snippet() {
        let a = LinkAddressing::slot(0);
        let mut c = PeerConfig::interlink(64512, &a);
        assert!(!frr::config(&c).contains("RAW"));
        c.raw_config = "# RAW snippet".to_string();
        for text in [frr::config(&c), bird::config(&c), gobgp::config(&c)] {
            assert!(text.ends_with("\n# RAW snippet\n"), "{text}");
        }
    }

    #[test]
    fn installed_daemons_are_checked_without_panicking() {
        // Each answer is Ok or an error naming the package; never a panic.
        for kind in [PeerKind::Frr, PeerKind::Bird, PeerKind::Gobgp] {
            if let Err(e) = check_installed(kind) {
                assert!(e.to_string().contains("apt-get install -y"), "{e}");
            }
        }
    }
}
