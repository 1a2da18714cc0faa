//! Routes and where they come from: [`PeerId`], [`Route`], and [`RibChanges`], the changes of a
//! peer's post-policy routes that feed the Loc-RIB.

use crate::attributes::PathAttributes;
use bgp_wire::Nlri;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// A BGP peer as the decision process sees it (RFC 4271 §9.1.2.2 d–f).
///
/// This speaker's own routes use [`PeerId::local`]: an unspecified address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerId {
    /// The peer's BGP Identifier (from its OPEN).
    pub bgp_id: Ipv4Addr,
    /// The peer's address on the session.
    pub address: IpAddr,
    /// The peer's AS.
    pub asn: u32,
    /// Whether the peer is in another AS.
    pub ebgp: bool,
}

impl PeerId {
    /// This speaker, as the source of the routes it originates.
    pub fn local(bgp_id: Ipv4Addr, asn: u32) -> Self {
        Self {
            bgp_id,
            address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            asn,
            ebgp: false,
        }
    }

    /// Whether this is [`PeerId::local`].
    pub fn is_local(&self) -> bool {
        self.address.is_unspecified()
    }

    /// `Some(ebgp)` for a peer, `None` for this speaker: the `learned_from` of
    /// [`PathAttributes::export`].
    pub fn learned_from(&self) -> Option<bool> {
        (!self.is_local()).then_some(self.ebgp)
    }
}

/// A route: a prefix, its ADD-PATH path identifier, its attributes and the peer it came from.
///
/// The prefix is always a network address (host bits cleared), whatever came on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The destination.
    pub prefix: IpNet,
    /// The ADD-PATH path identifier (RFC 7911), when the peer sends them.
    pub path_id: Option<u32>,
    /// The attributes, shared with the other prefixes of the same UPDATE.
    pub attributes: Arc<PathAttributes>,
    /// Where the route was learned.
    pub peer: PeerId,
}

impl Route {
    /// The route's key in its peer's Adj-RIB-In: prefix and path identifier.
    pub fn nlri(&self) -> Nlri {
        Nlri {
            path_id: self.path_id,
            prefix: self.prefix,
        }
    }
}

/// What changed in one peer's post-policy routes.
///
/// A key (prefix, path id) appears at most once across both lists; apply `withdrawn` then
/// `announced`. An announced route replaces the route with the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RibChanges {
    /// The peer.
    pub peer: PeerId,
    /// Routes that are new or whose attributes changed.
    pub announced: Vec<Route>,
    /// Routes that are gone.
    pub withdrawn: Vec<Nlri>,
}

impl RibChanges {
    /// No change.
    pub fn new(peer: PeerId) -> Self {
        Self {
            peer,
            announced: Vec::new(),
            withdrawn: Vec::new(),
        }
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.announced.is_empty() && self.withdrawn.is_empty()
    }
}
