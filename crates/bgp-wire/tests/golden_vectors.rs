//! The golden bytes recorded from FRR, BIRD and GoBGP (tests/golden/*.hex) decode to what the
//! daemons were told to send, and re-encode to exactly the same bytes.
//!
//! The scenario (crates/linux/tests/golden_capture/scenario.rs, which records them): each
//! daemon, AS 4200000001, announces 10.1.0.0/16, 10.2.0.0/16 and 2001:db8:1::/48 with
//! communities 65000:100 65000:200, rt 65000:300, large community 4200000001:1:2, MED 50 and its
//! AS prepended twice; then 10.3.1.0/24 and 2001:db8:2::/48 untagged; End-of-RIB; withdraws the
//! untagged two; shuts the session down.

use bgp_wire::attribute::{AsSegment, Community, ExtendedCommunity, LargeCommunity};
use bgp_wire::notification::{cease_subcode, code};
use bgp_wire::{Afi, AttributeValue, Capability, Context, Message, Nlri, Safi, Update};
use std::path::Path;

const DAEMON_AS: u32 = 4_200_000_001;

/// The messages of one golden file, decoded, after checking each re-encodes exactly.
fn load(name: &str) -> Vec<Message> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cx = Context {
        four_octet_as: !name.ends_with("-as2.hex"),
        ..Context::default()
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let bytes = hex::decode(line).expect("hex");
            let decoded =
                bgp_wire::decode(&bytes, &cx).unwrap_or_else(|n| panic!("{name}: {n} for {line}"));
            assert_eq!(
                decoded.rfc7606, None,
                "{name}: a daemon sent a malformed UPDATE: {line}"
            );
            let again = decoded.message.to_vec(&cx).expect("encode");
            assert_eq!(hex::encode(again), line, "{name}: re-encoding differs");
            decoded.message
        })
        .collect()
}

fn updates(messages: &[Message]) -> impl Iterator<Item = &Update> {
    messages.iter().filter_map(|m| match m {
        Message::Update(u) => Some(u),
        _ => None,
    })
}

fn prefixes(list: &[Nlri]) -> Vec<String> {
    list.iter().map(|n| n.prefix.to_string()).collect()
}

/// The UPDATE announcing `prefix`, classic or in MP_REACH.
fn announcing<'a>(messages: &'a [Message], prefix: &str) -> &'a Update {
    updates(messages)
        .find(|u| {
            let mp = u.mp_reach().map(|m| prefixes(&m.nlri)).unwrap_or_default();
            prefixes(&u.nlri).iter().chain(&mp).any(|p| p == prefix)
        })
        .unwrap_or_else(|| panic!("no UPDATE announces {prefix}"))
}

fn assert_tagged(update: &Update, as2: bool) {
    let a = |t| {
        update
            .attribute(t)
            .unwrap_or_else(|| panic!("attribute {t} missing"))
    };
    use bgp_wire::attribute::type_code::*;
    assert_eq!(a(MULTI_EXIT_DISC), &AttributeValue::MultiExitDisc(50));
    assert_eq!(
        a(COMMUNITIES),
        &AttributeValue::Communities(vec![
            Community(65000 << 16 | 100),
            Community(65000 << 16 | 200)
        ])
    );
    // Route target, 2-octet AS specific (type 0x00, subtype 0x02): 65000:300.
    let rt = ExtendedCommunity([0x00, 0x02, 0xfd, 0xe8, 0, 0, 0x01, 0x2c]);
    assert_eq!(
        a(EXTENDED_COMMUNITIES),
        &AttributeValue::ExtendedCommunities(vec![rt])
    );
    assert_eq!(
        a(LARGE_COMMUNITY),
        &AttributeValue::LargeCommunities(vec![LargeCommunity([DAEMON_AS, 1, 2])])
    );
    let prepended = |asn| AsSegment::Sequence(vec![asn; 3]);
    if as2 {
        let AttributeValue::AsPath(path) = a(AS_PATH) else {
            panic!("AS_PATH")
        };
        assert_eq!(path.0, vec![prepended(u32::from(bgp_wire::AS_TRANS))]);
        let AttributeValue::As4Path(path4) = a(AS4_PATH) else {
            panic!("AS4_PATH")
        };
        assert_eq!(path4.0, vec![prepended(DAEMON_AS)]);
    } else {
        let AttributeValue::AsPath(path) = a(AS_PATH) else {
            panic!("AS_PATH")
        };
        assert_eq!(path.0, vec![prepended(DAEMON_AS)]);
        assert_eq!(update.attribute(AS4_PATH), None);
    }
}

fn check(daemon: &str, as2: bool) {
    let name = format!("{daemon}{}.hex", if as2 { "-as2" } else { "" });
    let messages = load(&name);

    let Some(Message::Open(open)) = messages.first() else {
        panic!("{name}: no OPEN first")
    };
    assert_eq!(
        open.my_as,
        bgp_wire::AS_TRANS,
        "a 4-octet AS goes as AS_TRANS in my_as"
    );
    assert_eq!(open.asn(), DAEMON_AS);
    let caps: Vec<_> = open.capabilities().collect();
    assert!(caps.contains(&&Capability::FourOctetAs(DAEMON_AS)));
    assert!(caps.contains(&&Capability::RouteRefresh));
    for afi in [Afi::IPV4, Afi::IPV6] {
        assert!(caps.iter().any(|c| matches!(c, Capability::Multiprotocol(m)
            if m.afi == afi && m.safi == Safi::UNICAST)));
    }
    assert!(messages.contains(&Message::Keepalive));

    let v4 = announcing(&messages, "10.1.0.0/16");
    assert!(prefixes(&v4.nlri).contains(&"10.2.0.0/16".to_string()));
    assert_tagged(v4, as2);
    let v6 = announcing(&messages, "2001:db8:1::/48");
    let mp = v6.mp_reach().expect("IPv6 goes in MP_REACH_NLRI");
    assert_eq!((mp.afi, mp.safi), (Afi::IPV6, Safi::UNICAST));
    assert_tagged(v6, as2);
    let plain = announcing(&messages, "10.3.1.0/24");
    assert_eq!(
        plain.attribute(bgp_wire::attribute::type_code::COMMUNITIES),
        None
    );

    let eors: Vec<_> = updates(&messages).filter_map(Update::end_of_rib).collect();
    assert!(
        eors.contains(&(Afi::IPV4, Safi::UNICAST)),
        "{name}: End-of-RIB IPv4"
    );
    assert!(
        eors.contains(&(Afi::IPV6, Safi::UNICAST)),
        "{name}: End-of-RIB IPv6"
    );

    assert!(updates(&messages).any(|u| prefixes(&u.withdrawn) == ["10.3.1.0/24"]));
    assert!(updates(&messages).any(|u| {
        u.mp_unreach()
            .is_some_and(|m| prefixes(&m.withdrawn) == ["2001:db8:2::/48"])
    }));

    let Some(Message::Notification(n)) = messages.last() else {
        panic!("{name}: no NOTIFICATION last")
    };
    assert_eq!(
        (n.code, n.subcode),
        (code::CEASE, cease_subcode::ADMINISTRATIVE_SHUTDOWN)
    );
    assert_eq!(n.shutdown_communication(), Some("peerlab golden"));
}

#[test]
fn frr() {
    check("frr", false);
}

#[test]
fn frr_as2() {
    check("frr", true);
}

#[test]
fn bird() {
    check("bird", false);
}

#[test]
fn bird_as2() {
    check("bird", true);
}

#[test]
fn gobgp() {
    check("gobgp", false);
}

#[test]
fn gobgp_as2() {
    check("gobgp", true);
}
