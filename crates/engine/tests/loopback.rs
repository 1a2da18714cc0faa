//! The engine against a customer router made of `bgp-session`'s own driver, over real TCP on
//! loopback (127.0.10.0/31: Scaleway on .0, the customer on .1). No privileges needed.
//!
//! It checks the InterLink rules end to end: `prefix_filter_in` decides what is accepted,
//! `prefix_filter_out` what of the VPC is announced, the route-propagation toggle gates both,
//! replacing a policy changes the accepted set without a session reset, and removing the link
//! sends the peer a Cease.

use bgp_session::driver::{Command, DriverConfig, Listener, PeerHandle, SessionEvent, spawn};
use bgp_session::{DownReason, SessionConfig};
use bgp_wire::attribute::{AsPath, AsSegment, Origin};
use bgp_wire::{AttributeValue, Nlri, PathAttribute, Update};
use engine::{Engine, EngineEvent, EngineHandle, Family, LinkSpec, SessionStatus, SessionTimers};
use ipnet::IpNet;
use rib::RoutingPolicy;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

const GUARD: Duration = Duration::from_secs(20);
const CUSTOMER_AS: u32 = 64512;

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|p| p.parse().unwrap()).collect()
}

fn set(list: &[&str]) -> BTreeSet<IpNet> {
    nets(list).into_iter().collect()
}

fn policy(accept: &[&str], announce: &[&str]) -> RoutingPolicy {
    RoutingPolicy::new(false, nets(accept), nets(announce)).unwrap()
}

/// The customer's router: a driver on 127.0.10.1 that connects to Scaleway's side and accepts
/// its connections too.
async fn customer(port: u16) -> (PeerHandle, Listener) {
    let me = IpAddr::V4(Ipv4Addr::new(127, 0, 10, 1));
    let scaleway = IpAddr::V4(Ipv4Addr::new(127, 0, 10, 0));
    let mut config = SessionConfig::new(CUSTOMER_AS, 12876, Ipv4Addr::new(192, 0, 2, 1));
    config.connect_retry_time = Duration::from_secs(1);
    // A refused connect sends the FSM to Idle (RFC 4271 §8.2.2); come back quickly.
    config.idle_hold_time = Some(Duration::from_millis(200));
    let mut driver = DriverConfig::new(config, SocketAddr::new(scaleway, port));
    driver.local_addr = Some(SocketAddr::new(me, 0));
    let handle = spawn(driver).unwrap();
    let listener = Listener::bind(SocketAddr::new(me, port)).await.unwrap();
    listener.register(scaleway, &handle);
    handle.send(Command::Start).unwrap();
    (handle, listener)
}

fn announce(prefixes: &[&str]) -> Update {
    Update {
        attributes: vec![
            PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
            PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                vec![CUSTOMER_AS],
            )]))),
            PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(127, 0, 10, 1))),
        ],
        nlri: nets(prefixes).into_iter().map(Nlri::new).collect(),
        ..Update::default()
    }
}

/// What the customer has learned from Scaleway, kept up to date from its session's events.
#[derive(Default)]
struct Learned(BTreeSet<IpNet>);

impl Learned {
    fn apply(&mut self, event: &SessionEvent) {
        if let SessionEvent::Received(update, _) = event {
            update.withdrawn.iter().for_each(|n| {
                self.0.remove(&n.prefix);
            });
            self.0.extend(update.nlri.iter().map(|n| n.prefix));
        }
    }
}

/// Waits until the customer's view satisfies `done`, feeding it the customer's events.
async fn customer_sees(
    peer: &mut PeerHandle,
    learned: &mut Learned,
    done: impl Fn(&BTreeSet<IpNet>) -> bool,
) {
    tokio::time::timeout(GUARD, async {
        while !done(&learned.0) {
            let event = peer.next_event().await.expect("customer session ended");
            learned.apply(&event);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("customer view stayed {:?}", learned.0));
}

/// Polls the engine until `done` holds for the link's IPv4 session.
async fn engine_shows(
    engine: &EngineHandle,
    done: impl Fn(&engine::SessionSnapshot) -> bool,
) -> engine::SessionSnapshot {
    tokio::time::timeout(GUARD, async {
        loop {
            let snapshot = engine.snapshot("prod").await.unwrap();
            if let Some(s) = snapshot.session(Family::Ipv4).filter(|s| done(s)) {
                return s.clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("engine state never matched"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interlink_rules_over_a_real_session() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let port = 17900;
    let engine = Engine::spawn();
    let mut events = engine.subscribe();
    let mut spec = LinkSpec::new(
        "prod",
        CUSTOMER_AS,
        "127.0.10.0/31".parse().unwrap(),
        "fd00::/127".parse().unwrap(),
    );
    spec.port = port;
    spec.timers = SessionTimers {
        hold_time: 9,
        connect_retry: Duration::from_secs(1),
        idle_hold: Duration::from_millis(200),
    };
    spec.policy_v4 = Some(policy(&["10.1.0.0/16"], &["172.16.0.0/16"]));
    spec.vpc_prefixes = nets(&["172.16.4.0/22", "192.168.0.0/24", "fd00:4::/64"]);
    engine.add_link(spec).await.unwrap();
    let (mut peer, _listener) = customer(port).await;
    let mut learned = Learned::default();

    // The IPv4 session comes up; the IPv6 one has no policy and stays disabled.
    tokio::time::timeout(GUARD, async {
        loop {
            if let Ok(EngineEvent::SessionStatus {
                family: Family::Ipv4,
                status: SessionStatus::Up,
                ..
            }) = events.recv().await
            {
                break;
            }
        }
    })
    .await
    .expect("the IPv4 session did not come up");
    assert_eq!(
        engine.snapshot("prod").await.unwrap().status(Family::Ipv6),
        SessionStatus::Disabled
    );

    // Filtering in: the prefix and its more specifics are accepted, the rest is not.
    peer.send(Command::Announce(announce(&[
        "10.1.0.0/16",
        "10.1.5.0/24",
        "10.2.0.0/16",
    ])))
    .unwrap();
    let s = engine_shows(&engine, |s| s.received.len() == 3).await;
    assert_eq!(s.accepted, set(&["10.1.0.0/16", "10.1.5.0/24"]));
    // Propagation is off: nothing installed toward the VPC, nothing announced.
    assert!(s.installed.is_empty());
    assert!(s.announced.is_empty());

    // Enabling propagation announces exactly the VPC prefixes inside prefix_filter_out.
    engine.set_route_propagation("prod", true).await.unwrap();
    customer_sees(&mut peer, &mut learned, |l| !l.is_empty()).await;
    let s = engine_shows(&engine, |s| !s.installed.is_empty()).await;
    assert_eq!(learned.0, set(&["172.16.4.0/22"]));
    assert_eq!(s.installed, s.accepted);

    // Replacing the policy in place changes the accepted and announced sets, with no flap.
    engine
        .set_policy(
            "prod",
            Family::Ipv4,
            Some(policy(&["10.2.0.0/16"], &["192.168.0.0/16"])),
        )
        .await
        .unwrap();
    let s = engine_shows(&engine, |s| s.accepted == set(&["10.2.0.0/16"])).await;
    customer_sees(&mut peer, &mut learned, |l| l == &set(&["192.168.0.0/24"])).await;
    assert_eq!(s.established_count, 1, "the session was not reset");

    // Disabling propagation withdraws everything at the peer and uninstalls from the VPC.
    engine.set_route_propagation("prod", false).await.unwrap();
    customer_sees(&mut peer, &mut learned, BTreeSet::is_empty).await;
    assert!(
        engine_shows(&engine, |s| s.installed.is_empty())
            .await
            .announced
            .is_empty()
    );

    // A policy of the wrong family is refused.
    let v6 = RoutingPolicy::new(true, nets(&["2001:db8::/32"]), vec![]).unwrap();
    assert!(
        engine
            .set_policy("prod", Family::Ipv4, Some(v6))
            .await
            .is_err()
    );

    // Removing the link ends the session with Cease 6/3 (Peer De-configured).
    engine.remove_link("prod").await.unwrap();
    let reason = tokio::time::timeout(GUARD, async {
        loop {
            if let Some(SessionEvent::Down { reason, .. }) = peer.next_event().await {
                return reason;
            }
        }
    })
    .await
    .expect("the customer never saw the session go down");
    match reason {
        DownReason::NotificationReceived(n) => assert_eq!((n.code, n.subcode), (6, 3)),
        other => panic!("expected a Cease 6/3, got {other}"),
    }
}
