//! What a driver is told: the daemon ([`PeerKind`]), the router's AS, router ID, neighbours
//! ([`Neighbour`], each of one [`Family`]), what it announces and its timers
//! ([`PeerConfig`]), checked before any daemon sees it.

use crate::addressing::LinkAddressing;
use crate::{Error, Result};
use ipnet::{Ipv4Net, Ipv6Net};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// Scaleway's AS number on every InterLink session.
pub const SCALEWAY_ASN: u32 = 12876;

/// The daemons there is a driver for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeerKind {
    /// FRR's bgpd, standalone (no zebra).
    Frr,
    /// BIRD 2.
    Bird,
    /// GoBGP's gobgpd.
    Gobgp,
}

impl PeerKind {
    /// All of them.
    pub const ALL: [PeerKind; 3] = [PeerKind::Frr, PeerKind::Bird, PeerKind::Gobgp];

    /// The name used in topology files: `frr`, `bird`, `gobgp`.
    pub fn name(self) -> &'static str {
        match self {
            PeerKind::Frr => "frr",
            PeerKind::Bird => "bird",
            PeerKind::Gobgp => "gobgp",
        }
    }
}

impl fmt::Display for PeerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An address family, here always with the unicast SAFI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    /// The family an address belongs to.
    pub fn of(address: IpAddr) -> Family {
        if address.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        }
    }
}

/// One BGP neighbour of the router. The session carries the unicast family
/// of `address` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Neighbour {
    pub address: IpAddr,
    pub asn: u32,
}

/// What a driver configures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerConfig {
    /// A name for logs and the daemon's hostname setting.
    pub name: String,
    /// The router's own AS.
    pub asn: u32,
    pub router_id: Ipv4Addr,
    pub neighbours: Vec<Neighbour>,
    /// Originated IPv4 prefixes, announced to the IPv4 neighbours.
    pub announce_v4: Vec<Ipv4Net>,
    /// Originated IPv6 prefixes, announced to the IPv6 neighbours.
    pub announce_v6: Vec<Ipv6Net>,
    /// Hold time in seconds (3 or more); the keepalive interval is a third.
    pub hold_time: u16,
    /// ConnectRetry in seconds.
    pub connect_retry: u16,
    /// A raw snippet in the daemon's own configuration language, appended to the generated
    /// configuration (a topology's `config = "…"`); empty for none.
    pub raw_config: String,
}

impl PeerConfig {
    /// The customer side of an InterLink link: AS `asn` on the odd (peer)
    /// addresses, Scaleway (AS 12876) as the IPv4 and the IPv6 neighbour,
    /// nothing announced yet, hold time 9 s.
    pub fn interlink(asn: u32, addressing: &LinkAddressing) -> Self {
        PeerConfig {
            name: String::from("customer"),
            asn,
            router_id: addressing.peer_ipv4.addr(),
            neighbours: vec![
                Neighbour {
                    address: addressing.scw_ipv4.addr().into(),
                    asn: SCALEWAY_ASN,
                },
                Neighbour {
                    address: addressing.scw_ipv6.addr().into(),
                    asn: SCALEWAY_ASN,
                },
            ],
            announce_v4: Vec::new(),
            announce_v6: Vec::new(),
            hold_time: 9,
            connect_retry: 1,
            raw_config: String::new(),
        }
    }

    /// The Scaleway side of a link played by a real daemon, for testing the
    /// drivers against each other: AS 12876 on the even addresses, the
    /// customer (`peer_asn`) as neighbours.
    pub fn scaleway(peer_asn: u32, addressing: &LinkAddressing) -> Self {
        PeerConfig {
            name: String::from("scaleway"),
            asn: SCALEWAY_ASN,
            router_id: addressing.scw_ipv4.addr(),
            neighbours: vec![
                Neighbour {
                    address: addressing.peer_ipv4.addr().into(),
                    asn: peer_asn,
                },
                Neighbour {
                    address: addressing.peer_ipv6.addr().into(),
                    asn: peer_asn,
                },
            ],
            ..PeerConfig::interlink(SCALEWAY_ASN, addressing)
        }
    }

    /// The keepalive interval: a third of the hold time, at least 1 s.
    pub fn keepalive(&self) -> u16 {
        (self.hold_time / 3).max(1)
    }

    /// The neighbours of one family.
    pub fn neighbours_of(&self, family: Family) -> impl Iterator<Item = &Neighbour> {
        self.neighbours
            .iter()
            .filter(move |n| Family::of(n.address) == family)
    }

    /// The configured neighbour at `address`, or [`Error::UnknownNeighbour`].
    pub fn neighbour(&self, address: IpAddr) -> Result<&Neighbour> {
        self.neighbours
            .iter()
            .find(|n| n.address == address)
            .ok_or(Error::UnknownNeighbour(address))
    }

    /// Refuses what no daemon would take.
    pub(super) fn validate(&self) -> Result<()> {
        if self.hold_time < 3 {
            return Err(Error::invalid(
                "hold time",
                format!("{} s; BGP needs 3 s or more", self.hold_time),
            ));
        }
        if self.connect_retry == 0 {
            return Err(Error::invalid("ConnectRetry time", "0 s"));
        }
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '-';
        if self.name.is_empty() || !self.name.chars().all(valid) {
            return Err(Error::invalid(
                "router name",
                format!("{:?}: letters, digits and -", self.name),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interlink_config_has_both_scaleway_sessions() {
        let a = LinkAddressing::slot(0);
        let c = PeerConfig::interlink(64512, &a);
        assert_eq!(c.neighbours_of(Family::Ipv4).count(), 1);
        assert_eq!(c.neighbours_of(Family::Ipv6).count(), 1);
        assert!(c.neighbours.iter().all(|n| n.asn == SCALEWAY_ASN));
        assert_eq!(c.router_id, a.peer_ipv4.addr());
        let s = PeerConfig::scaleway(64512, &a);
        assert_eq!(s.asn, SCALEWAY_ASN);
        assert_eq!(
            s.neighbour(a.peer_ipv6.addr().into()).map(|n| n.asn).ok(),
            Some(64512)
        );
    }
}
