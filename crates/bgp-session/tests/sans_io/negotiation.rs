//! Capability negotiation and the decoding context that follows from it.

use crate::support::*;
use bgp_session::{AddPathNegotiated, SessionConfig, negotiate};
use bgp_wire::capability::{AddPathFamily, GracefulRestart, GracefulRestartFamily};
use bgp_wire::{Afi, Capability, OptionalParameter, Safi};
use std::time::Duration;

const V4: (Afi, Safi) = (Afi::IPV4, Safi::UNICAST);
const V6: (Afi, Safi) = (Afi::IPV6, Safi::UNICAST);
const V4_MULTICAST: (Afi, Safi) = (Afi::IPV4, Safi::MULTICAST);

fn with_families(mut config: SessionConfig, families: &[(Afi, Safi)]) -> SessionConfig {
    config.families = families.to_vec();
    config
}

#[test]
fn families_are_the_intersection() {
    let ours = with_families(local(), &[V4, V6]);
    let theirs = with_families(remote(), &[V6, V4_MULTICAST]).open();
    let n = negotiate(&ours, &theirs).unwrap();
    assert_eq!(n.families, [V6]);
}

#[test]
fn a_peer_without_multiprotocol_speaks_ipv4_unicast_only() {
    let mut open = remote_open();
    open.parameters = vec![OptionalParameter::Capabilities(vec![
        Capability::FourOctetAs(65001),
    ])];
    let n = negotiate(&with_families(local(), &[V4, V6]), &open).unwrap();
    assert_eq!(n.families, [V4]);
    let n = negotiate(&with_families(local(), &[V6]), &open).unwrap();
    assert_eq!(n.families, []);
}

#[test]
fn a_two_octet_peer_means_a_two_octet_context() {
    let mut open = remote_open();
    open.parameters.clear();
    let n = negotiate(&local(), &open).unwrap();
    assert!(!n.four_octet_as);
    assert!(!n.route_refresh);
    assert!(!n.decode_context().four_octet_as);
    assert!(!n.encode_context().four_octet_as);
    let n = negotiate(&local(), &remote_open()).unwrap();
    assert!(n.four_octet_as && n.decode_context().four_octet_as);
    assert!(n.route_refresh);
}

#[test]
fn add_path_is_per_family_and_direction() {
    let mut ours = with_families(local(), &[V4, V6]);
    ours.add_path = vec![
        AddPathFamily {
            afi: Afi::IPV4,
            safi: Safi::UNICAST,
            send_receive: 3,
        },
        AddPathFamily {
            afi: Afi::IPV6,
            safi: Safi::UNICAST,
            send_receive: 1,
        },
    ];
    let mut theirs = with_families(remote(), &[V4, V6]);
    theirs.add_path = vec![
        // They only receive IPv4 path identifiers: we may send them, not receive them.
        AddPathFamily {
            afi: Afi::IPV4,
            safi: Safi::UNICAST,
            send_receive: 1,
        },
        AddPathFamily {
            afi: Afi::IPV6,
            safi: Safi::UNICAST,
            send_receive: 3,
        },
    ];
    let n = negotiate(&ours, &theirs.open()).unwrap();
    assert_eq!(
        n.add_path,
        [
            AddPathNegotiated {
                afi: Afi::IPV4,
                safi: Safi::UNICAST,
                receive: false,
                send: true
            },
            AddPathNegotiated {
                afi: Afi::IPV6,
                safi: Safi::UNICAST,
                receive: true,
                send: false
            },
        ]
    );
    let rx = n.decode_context().add_path;
    let tx = n.encode_context().add_path;
    assert_eq!((rx.ipv4, rx.ipv6), (false, true));
    assert_eq!((tx.ipv4, tx.ipv6), (true, false));
}

#[test]
fn extended_message_needs_both_sides() {
    let mut theirs = remote();
    theirs.extended_message = true;
    let n = negotiate(&local(), &theirs.open()).unwrap();
    assert!(!n.extended_message);
    let mut ours = local();
    ours.extended_message = true;
    let n = negotiate(&ours, &theirs.open()).unwrap();
    assert!(n.extended_message);
    assert_eq!(n.decode_context().max_message_len(), 65535);
}

#[test]
fn graceful_restart_is_the_peers_capability_when_we_help() {
    let mut open = remote_open();
    open.parameters.push(OptionalParameter::Capabilities(vec![
        Capability::GracefulRestart(GracefulRestart {
            flags: 0x8,
            restart_time: 90,
            families: vec![GracefulRestartFamily {
                afi: Afi::IPV4,
                safi: Safi::UNICAST,
                flags: 0x80,
            }],
        }),
    ]));
    assert_eq!(negotiate(&local(), &open).unwrap().graceful_restart, None);
    let mut ours = local();
    ours.graceful_restart = Some(120);
    let gr = negotiate(&ours, &open).unwrap().graceful_restart.unwrap();
    assert_eq!(gr.restart_time, Duration::from_secs(90));
    assert!(gr.restart_state);
    assert_eq!(gr.families.len(), 1);
}

#[test]
fn hold_time_is_the_smaller_proposal() {
    let mut open = remote_open();
    open.hold_time = 30;
    let n = negotiate(&local(), &open).unwrap();
    assert_eq!(n.hold_time, Duration::from_secs(30));
    assert_eq!(n.keepalive_time, Duration::from_secs(10));
}

#[test]
fn as_trans_in_the_capability_is_bad_peer_as() {
    let mut open = remote_open();
    open.parameters = vec![OptionalParameter::Capabilities(vec![
        Capability::FourOctetAs(u32::from(bgp_wire::AS_TRANS)),
    ])];
    let err = negotiate(&local(), &open).unwrap_err();
    assert_eq!((err.code, err.subcode), (2, 2));
}
