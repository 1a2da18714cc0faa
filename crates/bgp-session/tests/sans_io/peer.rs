//! A peer with two connections: collision detection (RFC 4271 §6.8).

use crate::support::*;
use bgp_session::{
    ConnectionId, Direction, Event, Instant, Peer, PeerAction, SessionConfig, State, StopReason,
};
use bgp_wire::{Context, Message, decode};
use std::net::Ipv4Addr;

const CEASE_COLLISION: (u8, u8) = (6, 7);

fn deliver_to(peer: &mut Peer, now: Instant, conn: ConnectionId, m: Message) -> Vec<PeerAction> {
    let bytes = m.to_vec(&Context::default()).unwrap();
    let decoded = decode(&bytes, &peer.decode_context(conn));
    peer.on_message(now, conn, decoded)
}

fn sent_on(actions: &[PeerAction], on: ConnectionId) -> Vec<Message> {
    actions
        .iter()
        .filter_map(|a| match a {
            PeerAction::Send { conn, message, .. } if *conn == on => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn ceased(actions: &[PeerAction], on: ConnectionId) -> Option<(u8, u8)> {
    sent_on(actions, on).into_iter().find_map(|m| match m {
        Message::Notification(n) => Some((n.code, n.subcode)),
        _ => None,
    })
}

fn session_events(actions: &[PeerAction]) -> Vec<&PeerAction> {
    actions
        .iter()
        .filter(|a| {
            !matches!(
                a,
                PeerAction::Send { .. } | PeerAction::Close(_) | PeerAction::Connect(_)
            )
        })
        .collect()
}

/// Started at 0 s; our connection `out` is up in OpenSent and the peer's `inc` arrived too.
fn two_connections(local_id: Ipv4Addr) -> (Peer, ConnectionId, ConnectionId) {
    let mut config = local();
    config.bgp_identifier = local_id;
    let mut peer = Peer::new(config).unwrap();
    let [PeerAction::Connect(out), ..] = peer.handle(secs(0), Event::ManualStart)[..] else {
        panic!("no connect")
    };
    let actions = peer.connected(millis(100), out);
    assert!(matches!(sent_on(&actions, out)[..], [Message::Open(_)]));
    let (Some(inc), actions) = peer.accept(millis(150)) else {
        panic!("incoming refused")
    };
    assert!(matches!(sent_on(&actions, inc)[..], [Message::Open(_)]));
    assert_eq!(session_events(&actions), Vec::<&PeerAction>::new());
    assert_eq!(peer.connections().len(), 2);
    (peer, out, inc)
}

#[test]
fn higher_local_identifier_keeps_our_connection() {
    let (mut peer, out, inc) = two_connections(Ipv4Addr::new(10, 0, 0, 9));
    // The peer (10.0.0.2) sends its OPEN on both; the first arrives on our connection.
    let actions = deliver_to(&mut peer, secs(1), out, Message::Open(remote_open()));
    assert_eq!(ceased(&actions, inc), Some(CEASE_COLLISION));
    assert!(actions.contains(&PeerAction::Close(inc)));
    assert_eq!(sent_on(&actions, out), [Message::Keepalive]);
    assert_eq!(
        session_events(&actions),
        [&PeerAction::StateChange {
            from: State::OpenSent,
            to: State::OpenConfirm
        }]
    );
    // The OPEN on the closed connection is too late to matter.
    assert_eq!(
        deliver_to(&mut peer, secs(1), inc, Message::Open(remote_open())),
        []
    );
    let actions = deliver_to(&mut peer, secs(2), out, Message::Keepalive);
    assert!(matches!(actions.last(), Some(PeerAction::Established(_))));
    assert_eq!(
        peer.connections(),
        [(out, Direction::Outgoing, State::Established)]
    );
}

#[test]
fn lower_local_identifier_keeps_the_peers_connection() {
    let (mut peer, out, inc) = two_connections(Ipv4Addr::new(10, 0, 0, 1));
    let actions = deliver_to(&mut peer, secs(1), out, Message::Open(remote_open()));
    // Our connection loses: 6/7 on it, and the session carries on on the peer's, unseen.
    assert_eq!(ceased(&actions, out), Some(CEASE_COLLISION));
    assert!(actions.contains(&PeerAction::Close(out)));
    assert_eq!(sent_on(&actions, inc), []);
    assert_eq!(session_events(&actions), Vec::<&PeerAction>::new());
    assert_eq!(peer.state(), State::OpenSent);
    assert_eq!(
        peer.connections(),
        [(inc, Direction::Incoming, State::OpenSent)]
    );

    let actions = deliver_to(&mut peer, secs(1), inc, Message::Open(remote_open()));
    assert_eq!(sent_on(&actions, inc), [Message::Keepalive]);
    let actions = deliver_to(&mut peer, secs(2), inc, Message::Keepalive);
    assert!(matches!(actions.last(), Some(PeerAction::Established(_))));
}

#[test]
fn collision_resolved_from_the_incoming_side_too() {
    // The OPEN arrives first on the peer's connection; we have the higher identifier, so the
    // peer's connection is closed and ours kept.
    let (mut peer, out, inc) = two_connections(Ipv4Addr::new(10, 0, 0, 9));
    let actions = deliver_to(&mut peer, secs(1), inc, Message::Open(remote_open()));
    assert_eq!(ceased(&actions, inc), Some(CEASE_COLLISION));
    assert_eq!(sent_on(&actions, out), []);
    assert_eq!(
        peer.connections(),
        [(out, Direction::Outgoing, State::OpenSent)]
    );
}

#[test]
fn equal_identifiers_fall_back_to_the_as_numbers() {
    // eBGP with the same identifier (RFC 6286 §2.3): our AS 65000 < 65001 keeps theirs.
    let (mut peer, out, inc) = two_connections(REMOTE_ID);
    let actions = deliver_to(&mut peer, secs(1), out, Message::Open(remote_open()));
    assert_eq!(ceased(&actions, out), Some(CEASE_COLLISION));
    assert_eq!(
        peer.connections(),
        [(inc, Direction::Incoming, State::OpenSent)]
    );
}

#[test]
fn a_connection_colliding_with_an_established_one_is_closed() {
    let mut peer = Peer::new(local()).unwrap();
    let [PeerAction::Connect(out), ..] = peer.handle(secs(0), Event::ManualStart)[..] else {
        panic!()
    };
    peer.connected(secs(0), out);
    deliver_to(&mut peer, secs(1), out, Message::Open(remote_open()));
    deliver_to(&mut peer, secs(1), out, Message::Keepalive);
    assert_eq!(peer.state(), State::Established);

    let (Some(inc), _) = peer.accept(secs(5)) else {
        panic!()
    };
    let actions = deliver_to(&mut peer, secs(6), inc, Message::Open(remote_open()));
    assert_eq!(ceased(&actions, inc), Some(CEASE_COLLISION));
    assert_eq!(session_events(&actions), Vec::<&PeerAction>::new());
    assert_eq!(
        peer.connections(),
        [(out, Direction::Outgoing, State::Established)]
    );
}

#[test]
fn incoming_while_connecting_takes_over_and_the_attempt_may_become_the_second() {
    let mut peer = Peer::new(local()).unwrap();
    let [PeerAction::Connect(attempt), ..] = peer.handle(secs(0), Event::ManualStart)[..] else {
        panic!()
    };
    let (Some(inc), actions) = peer.accept(secs(1)) else {
        panic!()
    };
    assert!(matches!(sent_on(&actions, inc)[..], [Message::Open(_)]));
    assert_eq!(peer.state(), State::OpenSent);
    // The attempt completes after all: it is tracked as the second connection.
    let actions = peer.connected(secs(2), attempt);
    assert!(matches!(sent_on(&actions, attempt)[..], [Message::Open(_)]));
    assert_eq!(peer.connections().len(), 2);
}

#[test]
fn idle_refuses_connections_and_stop_closes_both() {
    let mut peer = Peer::new(local()).unwrap();
    assert_eq!(peer.accept(secs(0)).0, None);

    let (mut peer, out, inc) = two_connections(LOCAL_ID);
    let actions = peer.handle(secs(1), Event::ManualStop(StopReason::PeerDeconfigured));
    assert_eq!(ceased(&actions, out), Some((6, 3)));
    assert_eq!(ceased(&actions, inc), Some((6, 3)));
    assert!(actions.contains(&PeerAction::Close(out)) && actions.contains(&PeerAction::Close(inc)));
    assert_eq!(peer.state(), State::Idle);
    assert_eq!(peer.connections(), []);
}

#[test]
fn a_passive_peer_never_connects() {
    let mut config: SessionConfig = local();
    config.passive = true;
    let mut peer = Peer::new(config).unwrap();
    let actions = peer.handle(secs(0), Event::ManualStart);
    assert!(!actions.iter().any(|a| matches!(a, PeerAction::Connect(_))));
    assert_eq!(peer.state(), State::Active);
    assert_eq!(peer.next_deadline(), None);
    let (Some(_), _) = peer.accept(secs(1)) else {
        panic!()
    };
    assert_eq!(peer.state(), State::OpenSent);
}

#[test]
fn connect_retry_abandons_the_attempt_and_starts_a_new_one() {
    let mut peer = Peer::new(local()).unwrap();
    let [PeerAction::Connect(first), ..] = peer.handle(secs(0), Event::ManualStart)[..] else {
        panic!()
    };
    assert_eq!(peer.next_deadline(), Some(secs(120)));
    let actions = peer.on_timeout(secs(120));
    let [PeerAction::Close(closed), PeerAction::Connect(second)] = actions[..] else {
        panic!("{actions:?}")
    };
    assert_eq!(closed, first);
    assert_ne!(second, first);
    // The abandoned attempt completing late is closed at once.
    assert_eq!(peer.connected(secs(121), first), [PeerAction::Close(first)]);
    assert_eq!(peer.state(), State::Connect);
}
