//! Checking the peer's OPEN (RFC 4271 §6.2, RFC 6793, RFC 6286) and what the two OPENs agree on
//! (RFC 5492 capabilities), including the `bgp_wire::Context` that follows.
//!
//! This is pure: it compares our configuration with one OPEN. It does not track state or send
//! anything; the FSM turns an `Err` into the NOTIFICATION it sends.

use crate::SessionConfig;
use bgp_wire::capability::{AddPathFamily, GracefulRestartFamily};
use bgp_wire::notification::{code, open_subcode};
use bgp_wire::{AS_TRANS, AddPath, Afi, Capability, Context, Notification, Open, Safi};
use std::net::Ipv4Addr;
use std::time::Duration;

/// What the session agreed on, known once the peer's OPEN is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    /// The peer's AS (from the 4-octet AS capability when present).
    pub peer_as: u32,
    /// The peer's BGP Identifier.
    pub peer_bgp_identifier: Ipv4Addr,
    /// The hold time: the smaller of the two proposals; zero means no hold timer and no
    /// keepalives.
    pub hold_time: Duration,
    /// The keepalive interval: a third of the hold time, zero when the hold time is.
    pub keepalive_time: Duration,
    /// The families both sides advertised. A peer without any Multiprotocol capability supports
    /// IPv4 unicast only (RFC 4760 §8).
    pub families: Vec<(Afi, Safi)>,
    /// Both sides advertised 4-octet AS support (RFC 6793).
    pub four_octet_as: bool,
    /// Both sides advertised Route Refresh (RFC 2918).
    pub route_refresh: bool,
    /// Both sides advertised Enhanced Route Refresh (RFC 7313).
    pub enhanced_route_refresh: bool,
    /// Both sides advertised Extended Message (RFC 8654).
    pub extended_message: bool,
    /// The peer's Graceful Restart capability, when both sides advertised one: as helper we keep
    /// its routes stale for its restart time if the connection drops (RFC 4724 §4.2).
    pub graceful_restart: Option<PeerGracefulRestart>,
    /// ADD-PATH per family: whether we may receive and send path identifiers (RFC 7911 §4).
    pub add_path: Vec<AddPathNegotiated>,
}

/// The peer's Graceful Restart capability (RFC 4724 §3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerGracefulRestart {
    /// How long the peer expects us to keep its routes after the connection drops.
    pub restart_time: Duration,
    /// The Restart State (R) bit: the peer has just restarted.
    pub restart_state: bool,
    /// The families whose forwarding state the peer keeps across a restart, with their
    /// Forwarding State (F) bit. Only these routes are kept stale.
    pub families: Vec<GracefulRestartFamily>,
}

/// ADD-PATH for one family, as negotiated (RFC 7911 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddPathNegotiated {
    /// The family's AFI.
    pub afi: Afi,
    /// The family's SAFI.
    pub safi: Safi,
    /// NLRI the peer sends us carry a path identifier.
    pub receive: bool,
    /// NLRI we send carry a path identifier.
    pub send: bool,
}

impl Negotiated {
    /// Whether a family was negotiated.
    pub fn has_family(&self, afi: Afi, safi: Safi) -> bool {
        self.families.contains(&(afi, safi))
    }

    /// The context to decode what the peer sends.
    pub fn decode_context(&self) -> Context {
        self.context(|a| a.receive)
    }

    /// The context to encode what we send.
    pub fn encode_context(&self) -> Context {
        self.context(|a| a.send)
    }

    /// `bgp_wire::AddPath` is per AFI and applies to unicast NLRI: the unicast family decides.
    fn context(&self, dir: impl Fn(&AddPathNegotiated) -> bool) -> Context {
        let on = |afi: Afi| {
            self.add_path
                .iter()
                .any(|a| a.afi == afi && a.safi == Safi::UNICAST && dir(a))
        };
        Context {
            four_octet_as: self.four_octet_as,
            add_path: AddPath {
                ipv4: on(Afi::IPV4),
                ipv6: on(Afi::IPV6),
            },
            extended_message: self.extended_message,
        }
    }
}

/// Checks the peer's OPEN against our configuration and works out what the session agrees on.
///
/// An error is the OPEN Message Error NOTIFICATION to send: 2/2 Bad Peer AS, 2/3 Bad BGP
/// Identifier, 2/6 Unacceptable Hold Time.
pub fn negotiate(config: &SessionConfig, open: &Open) -> Result<Negotiated, Notification> {
    let open_error = |subcode| Notification::new(code::OPEN_MESSAGE, subcode, []);
    let peer_caps: Vec<&Capability> = open.capabilities().collect();
    let four_octet = peer_caps.iter().find_map(|c| match c {
        Capability::FourOctetAs(asn) => Some(*asn),
        _ => None,
    });
    // RFC 6793 §3/§4.2: AS_TRANS is not a real AS; a 2-octet AS must be the same in both places.
    let inconsistent =
        |asn: u32| asn == u32::from(AS_TRANS) || (asn <= 0xffff && u32::from(open.my_as) != asn);
    if four_octet.is_some_and(inconsistent) {
        return Err(open_error(open_subcode::BAD_PEER_AS));
    }
    let peer_as = open.asn();
    if peer_as != config.peer_as {
        return Err(open_error(open_subcode::BAD_PEER_AS));
    }
    // RFC 6286 §2.2: non-zero, and unique within the AS.
    let id = open.bgp_identifier;
    if id.is_unspecified() || (config.is_ibgp() && id == config.bgp_identifier) {
        return Err(open_error(open_subcode::BAD_BGP_IDENTIFIER));
    }
    if matches!(open.hold_time, 1 | 2)
        || (open.hold_time != 0 && open.hold_time < config.min_hold_time)
    {
        return Err(open_error(open_subcode::UNACCEPTABLE_HOLD_TIME));
    }
    let hold_time = Duration::from_secs(u64::from(open.hold_time.min(config.hold_time)));

    let has = |want: &Capability| peer_caps.contains(&want);
    let peer_families: Vec<(Afi, Safi)> = peer_caps
        .iter()
        .filter_map(|c| match c {
            Capability::Multiprotocol(mp) => Some((mp.afi, mp.safi)),
            _ => None,
        })
        .collect();
    let peer_families = if peer_families.is_empty() {
        vec![(Afi::IPV4, Safi::UNICAST)]
    } else {
        peer_families
    };
    let ours = if config.families.is_empty() {
        vec![(Afi::IPV4, Safi::UNICAST)]
    } else {
        config.families.clone()
    };
    let families: Vec<(Afi, Safi)> = ours
        .into_iter()
        .filter(|f| peer_families.contains(f))
        .collect();

    let graceful_restart = config.graceful_restart.and_then(|_| {
        peer_caps.iter().find_map(|c| match c {
            Capability::GracefulRestart(gr) => Some(PeerGracefulRestart {
                restart_time: Duration::from_secs(u64::from(gr.restart_time)),
                restart_state: gr.flags & 0x8 != 0,
                families: gr.families.clone(),
            }),
            _ => None,
        })
    });

    let peer_add_path: Vec<AddPathFamily> = peer_caps
        .iter()
        .filter_map(|c| match c {
            Capability::AddPath(f) => Some(f.iter().copied()),
            _ => None,
        })
        .flatten()
        .collect();
    let add_path = config
        .add_path
        .iter()
        .filter(|ours| families.contains(&(ours.afi, ours.safi)))
        .filter_map(|ours| {
            let theirs = peer_add_path
                .iter()
                .find(|p| p.afi == ours.afi && p.safi == ours.safi)?;
            let negotiated = AddPathNegotiated {
                afi: ours.afi,
                safi: ours.safi,
                receive: ours.send_receive & 1 != 0 && theirs.send_receive & 2 != 0,
                send: ours.send_receive & 2 != 0 && theirs.send_receive & 1 != 0,
            };
            (negotiated.receive || negotiated.send).then_some(negotiated)
        })
        .collect();

    Ok(Negotiated {
        peer_as,
        peer_bgp_identifier: id,
        hold_time,
        keepalive_time: hold_time / 3,
        families,
        four_octet_as: four_octet.is_some(),
        route_refresh: config.route_refresh && has(&Capability::RouteRefresh),
        enhanced_route_refresh: config.enhanced_route_refresh
            && has(&Capability::EnhancedRouteRefresh),
        extended_message: config.extended_message && has(&Capability::ExtendedMessage),
        graceful_restart,
        add_path,
    })
}
