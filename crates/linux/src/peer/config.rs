//! What a driver is told: the daemon ([`PeerKind`]), the router's AS, router ID, neighbours
//! ([`Neighbour`], each of one [`Family`] unless the sessions are multiprotocol), what it
//! announces and tags ([`ExportTags`]) and its timers ([`PeerConfig`]), checked before any
//! daemon sees it.

use crate::addressing::LinkAddressing;
use crate::{Error, Result};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
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
    /// The TCP port the neighbours listen on: 179 unless a test peer listens elsewhere.
    pub neighbour_port: u16,
    /// Every session carries IPv4 and IPv6 unicast (RFC 4760), whatever its neighbour's
    /// address family; by default a session carries its neighbour's family only.
    pub multiprotocol: bool,
    /// GoBGP: graceful restart (RFC 4724) on every session, so that it sends End-of-RIB after
    /// its first UPDATEs. FRR and BIRD advertise the capability as helpers by default and send
    /// End-of-RIB anyway; they ignore this.
    pub graceful_restart: bool,
    /// Attributes added to some of the announced routes; none by default.
    pub export_tags: ExportTags,
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
            neighbour_port: 179,
            multiprotocol: false,
            graceful_restart: false,
            export_tags: ExportTags::default(),
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

    /// The neighbours whose sessions carry `family`: those of that address family, or every
    /// one when the sessions are [`multiprotocol`](Self::multiprotocol).
    pub fn neighbours_of(&self, family: Family) -> impl Iterator<Item = &Neighbour> {
        self.neighbours
            .iter()
            .filter(move |n| self.carries(n, family))
    }

    /// Whether the session with `neighbour` carries `family`.
    pub fn carries(&self, neighbour: &Neighbour, family: Family) -> bool {
        self.multiprotocol || Family::of(neighbour.address) == family
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
        if self.neighbour_port == 0 {
            return Err(Error::invalid("neighbour port", "0"));
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

/// Attributes added to the announced routes inside [`prefixes`](Self::prefixes); none by
/// default.
///
/// ```
/// use linux::peer::ExportTags;
///
/// let tags = ExportTags {
///     prefixes: vec!["10.1.0.0/16".parse().unwrap()],
///     communities: vec![(65000, 100)],
///     med: Some(50),
///     prepend: 2,
///     ..ExportTags::default()
/// };
/// assert!(!tags.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportTags {
    /// The announced prefixes that get the attributes (exact matches, both families).
    pub prefixes: Vec<IpNet>,
    /// COMMUNITIES (RFC 1997), as (AS, value).
    pub communities: Vec<(u16, u16)>,
    /// Route-target extended communities (RFC 4360), 2-octet AS specific, as (AS, value).
    pub route_targets: Vec<(u16, u32)>,
    /// LARGE_COMMUNITY values (RFC 8092), as (global administrator, local 1, local 2).
    pub large_communities: Vec<(u32, u32, u32)>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// How many times the router prepends its own AS, besides the one every eBGP speaker adds.
    pub prepend: u8,
}

impl ExportTags {
    /// No route is tagged.
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
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
