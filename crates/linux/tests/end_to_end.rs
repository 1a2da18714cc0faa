//! The drivers against each other: one daemon plays Scaleway (AS 12876 on
//! the even addresses) in one namespace, another the customer in a second
//! namespace, wired by a link. Each driver plays each role once.
//!
//! Checked: both sessions (IPv4 and IPv6) come up on both sides, each side
//! receives exactly what the other announces, `set_announced` changes what
//! the other side receives, `stop` (a crash) takes the sessions down on the
//! other side, `restart` brings them and the routes back.

mod common;

use common::eventually;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use linux::peer::{self, Family, Peer, PeerConfig, PeerKind, SessionState};
use linux::{Link, LinkConfig, Netns};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

/// GoBGP's first active connect comes 5–10 s after start, and after a
/// session drops it stays Idle (refusing connections) for a fixed 5 s; BIRD
/// and FRR come back within 2 s.
const SESSION_TIMEOUT: Duration = Duration::from_secs(25);
const ROUTES_TIMEOUT: Duration = Duration::from_secs(10);

fn v4(list: &[&str]) -> Vec<Ipv4Net> {
    list.iter()
        .map(|p| p.parse().expect("IPv4 prefix"))
        .collect()
}

fn v6(list: &[&str]) -> Vec<Ipv6Net> {
    list.iter()
        .map(|p| p.parse().expect("IPv6 prefix"))
        .collect()
}

fn set<N: Into<IpNet> + Copy>(list: &[N]) -> BTreeSet<IpNet> {
    list.iter().map(|&n| n.into()).collect()
}

/// Whether every session of `router` is Established (or, with `up` false,
/// none is).
fn sessions(router: &dyn Peer, up: bool) -> Result<bool, String> {
    let mut states = Vec::new();
    for n in &router.config().neighbours {
        let state = router.session_state(n.address).map_err(|e| e.to_string())?;
        states.push((n.address, state));
    }
    if states
        .iter()
        .all(|(_, s)| (*s == SessionState::Established) == up)
    {
        Ok(true)
    } else {
        Err(format!(
            "{} {}: {states:?}",
            router.kind(),
            router.config().name
        ))
    }
}

/// Whether `router` received exactly `v4` and `v6`; if not, the error says
/// what it has.
fn receives(router: &dyn Peer, v4: &[Ipv4Net], v6: &[Ipv6Net]) -> Result<bool, String> {
    let got4 = router
        .received_routes(Family::Ipv4)
        .map_err(|e| e.to_string())?;
    let got6 = router
        .received_routes(Family::Ipv6)
        .map_err(|e| e.to_string())?;
    if got4 == set(v4) && got6 == set(v6) {
        Ok(true)
    } else {
        Err(format!(
            "{} {} has {got4:?} {got6:?}",
            router.kind(),
            router.config().name
        ))
    }
}

fn scaleway_and_customer(scaleway_kind: PeerKind, customer_kind: PeerKind) {
    let scaleway_ns = Netns::create("scaleway").expect("namespace");
    let customer_ns = Netns::create("customer").expect("namespace");
    let link = Link::create(
        Some(&scaleway_ns),
        &customer_ns,
        &LinkConfig::new(2001).expect("config"),
    )
    .expect("link");
    let a = link.config().addressing;

    let scaleway_v4 = v4(&["172.16.0.0/16"]);
    let scaleway_v6 = v6(&["2001:db8:100::/48"]);
    let mut config = PeerConfig::scaleway(64512, &a);
    config.announce_v4 = scaleway_v4.clone();
    config.announce_v6 = scaleway_v6.clone();
    let scaleway = peer::start(scaleway_kind, &scaleway_ns, &config).expect("scaleway router");

    let customer_v4 = v4(&["10.1.0.0/16", "10.2.0.0/16"]);
    let customer_v6 = v6(&["2001:db8:1::/48"]);
    let mut config = PeerConfig::interlink(64512, &a);
    config.announce_v4 = customer_v4.clone();
    config.announce_v6 = customer_v6.clone();
    let mut customer = peer::start(customer_kind, &customer_ns, &config).expect("customer router");

    eventually(
        &[&*scaleway, &*customer],
        "sessions established",
        SESSION_TIMEOUT,
        || Ok(sessions(&*scaleway, true)? && sessions(&*customer, true)?),
    );
    eventually(
        &[&*scaleway, &*customer],
        "customer receives Scaleway's routes",
        ROUTES_TIMEOUT,
        || receives(&*customer, &scaleway_v4, &scaleway_v6),
    );
    eventually(
        &[&*scaleway, &*customer],
        "Scaleway receives the customer's routes",
        ROUTES_TIMEOUT,
        || receives(&*scaleway, &customer_v4, &customer_v6),
    );
    let peer_v4: IpAddr = a.peer_ipv4.addr().into();
    assert_eq!(
        scaleway.session_state(peer_v4).expect("state"),
        SessionState::Established
    );

    // One prefix withdrawn, one added, IPv6 emptied.
    let changed_v4 = v4(&["10.1.0.0/16", "10.3.0.0/16"]);
    customer
        .set_announced(&changed_v4, &[])
        .expect("set_announced");
    eventually(
        &[&*scaleway, &*customer],
        "Scaleway sees the new announcements",
        ROUTES_TIMEOUT,
        || receives(&*scaleway, &changed_v4, &[]),
    );

    customer.stop().expect("stop");
    eventually(
        &[&*scaleway],
        "Scaleway loses both sessions",
        ROUTES_TIMEOUT,
        || sessions(&*scaleway, false),
    );
    assert_eq!(
        scaleway.received_routes(Family::Ipv4).expect("routes"),
        BTreeSet::new()
    );

    customer.restart().expect("restart");
    eventually(
        &[&*scaleway, &*customer],
        "sessions back after restart",
        SESSION_TIMEOUT,
        || Ok(sessions(&*scaleway, true)? && sessions(&*customer, true)?),
    );
    eventually(
        &[&*scaleway, &*customer],
        "routes back after restart",
        ROUTES_TIMEOUT,
        || {
            Ok(receives(&*scaleway, &changed_v4, &[])?
                && receives(&*customer, &scaleway_v4, &scaleway_v6)?)
        },
    );
}

#[test]
fn frr_as_scaleway_bird_as_customer() {
    scaleway_and_customer(PeerKind::Frr, PeerKind::Bird);
}

#[test]
fn bird_as_scaleway_gobgp_as_customer() {
    scaleway_and_customer(PeerKind::Bird, PeerKind::Gobgp);
}

#[test]
fn gobgp_as_scaleway_frr_as_customer() {
    scaleway_and_customer(PeerKind::Gobgp, PeerKind::Frr);
}
