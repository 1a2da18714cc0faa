//! What a recording must contain, checked on raw bytes only: message type at
//! offset 18 and path attribute codes found by walking each UPDATE.

use super::scenario::{self, AsMode, DAEMON_AS, ROUTES};
use super::wire::{self, Attribute, Update};
use std::collections::BTreeSet;

/// Every property the scenario promises, as a list of what is missing.
pub fn missing(mode: AsMode, msgs: &[Vec<u8>]) -> Vec<String> {
    let mut missing = Vec::new();
    let mut expect = |ok: bool, what: &str| {
        if !ok {
            missing.push(what.to_owned());
        }
    };
    let updates: Vec<Update> = msgs.iter().filter_map(|m| Update::parse(m).ok()).collect();
    let count = |t: u8| msgs.iter().filter(|m| wire::kind(m) == t).count();

    expect(
        msgs.first().map(|m| wire::kind(m)) == Some(wire::OPEN),
        "an OPEN first",
    );
    expect(
        open_as_ok(msgs.first(), mode),
        "OPEN with my_as AS_TRANS and capability 65 = 4200000001",
    );
    expect(
        count(wire::UPDATE) == updates.len(),
        "only well-formed UPDATEs",
    );
    expect(
        updates.iter().flat_map(|u| &u.attributes).all(flags_ok),
        "attribute flags matching each attribute's category",
    );
    expect(
        updates.iter().any(is_tagged),
        "an UPDATE with communities, ext/large communities and MED",
    );
    expect(
        updates.iter().any(|u| prepended(u, mode)),
        "an AS path starting with the daemon's AS repeated",
    );
    let ipv6_reach = updates
        .iter()
        .filter_map(Update::mp_reach)
        .any(|r| r.afi == wire::AFI_IPV6 && r.safi == wire::SAFI_UNICAST);
    expect(ipv6_reach, "an MP_REACH_NLRI with AFI 2");
    let everything: BTreeSet<String> = ROUTES.iter().map(|r| r.prefix.to_owned()).collect();
    expect(
        scenario::announced(msgs) == everything,
        "announcements of exactly the scenario's routes",
    );
    let gone: BTreeSet<String> = ROUTES
        .iter()
        .filter(|r| r.withdrawn)
        .map(|r| r.prefix.to_owned())
        .collect();
    expect(
        scenario::withdrawn(msgs) == gone,
        "withdrawals (IPv4 and MP_UNREACH) of the removed routes",
    );
    expect(scenario::has_ipv4_end_of_rib(msgs), "an IPv4 End-of-RIB");
    expect(scenario::has_ipv6_end_of_rib(msgs), "an IPv6 End-of-RIB");
    let cease = msgs.last().filter(|m| wire::kind(m) == wire::NOTIFICATION);
    expect(
        cease.is_some_and(|m| wire::body(m).first() == Some(&wire::NOTIFICATION_CEASE)),
        "a Cease NOTIFICATION last",
    );
    if mode == AsMode::TwoOctet {
        expect(
            updates
                .iter()
                .any(|u| u.attribute(wire::ATTR_AS4_PATH).is_some()),
            "an AS4_PATH",
        );
    }
    missing
}

/// Panics listing everything missing from the recording.
pub fn assert_complete(name: &str, mode: AsMode, msgs: &[Vec<u8>]) {
    let missing = missing(mode, msgs);
    assert!(
        missing.is_empty(),
        "{name}: the recording of {} messages lacks: {}",
        msgs.len(),
        missing.join("; ")
    );
}

/// The daemon's AS does not fit in 2 octets, so its OPEN always says
/// AS_TRANS and carries the real AS in the 4-octet AS capability.
fn open_as_ok(open: Option<&Vec<u8>>, _mode: AsMode) -> bool {
    open.filter(|m| wire::kind(m) == wire::OPEN)
        .is_some_and(|m| wire::open_as(m) == (wire::AS_TRANS as u16, Some(DAEMON_AS)))
}

/// The optional and transitive flag bits fit the attribute (RFC 4271 4.3):
/// well-known ones are transitive and not optional; MED and the MP_* ones
/// optional non-transitive; the communities and AS4_PATH optional transitive.
fn flags_ok(a: &Attribute) -> bool {
    let category = a.flags & 0xc0;
    match a.code {
        1..=3 | 5 => category == 0x40,
        wire::ATTR_MED | wire::ATTR_MP_REACH | wire::ATTR_MP_UNREACH => category == 0x80,
        wire::ATTR_COMMUNITIES
        | wire::ATTR_EXT_COMMUNITIES
        | wire::ATTR_AS4_PATH
        | wire::ATTR_LARGE_COMMUNITIES => category == 0xc0,
        _ => true,
    }
}

fn is_tagged(u: &Update) -> bool {
    [
        wire::ATTR_COMMUNITIES,
        wire::ATTR_EXT_COMMUNITIES,
        wire::ATTR_LARGE_COMMUNITIES,
        wire::ATTR_MED,
    ]
    .iter()
    .all(|&code| u.attribute(code).is_some())
}

/// The first AS_PATH segment starts with the daemon's AS three times (the
/// policy's two prepends plus the eBGP one). Towards a 2-octet peer that AS is
/// AS_TRANS in AS_PATH, and the real one must show in AS4_PATH.
fn prepended(u: &Update, mode: AsMode) -> bool {
    let starts_repeated = |code: u8, as_size: usize, asn: u32| {
        u.attribute(code).is_some_and(|a| {
            wire::as_path_segments(a.value, as_size)
                .first()
                .is_some_and(|(_, asns)| asns.len() >= 3 && asns[..3] == [asn, asn, asn])
        })
    };
    match mode {
        AsMode::FourOctet => starts_repeated(wire::ATTR_AS_PATH, 4, DAEMON_AS),
        AsMode::TwoOctet => {
            starts_repeated(wire::ATTR_AS_PATH, 2, wire::AS_TRANS)
                && starts_repeated(wire::ATTR_AS4_PATH, 4, DAEMON_AS)
        }
    }
}
