//! The engine over a [`Transport`] instead of TCP: every connection of a link's session is an
//! in-memory pipe to a customer router made of `bgp-session`'s driver, on tokio's paused clock.
//! No sockets, no privileges, no real time.

use bgp_session::SessionConfig;
use bgp_session::driver::{
    BoxStream, Command, Connecting, Connector, DriverConfig, PeerHandle, SessionEvent, spawn,
};
use bgp_wire::attribute::{AsPath, AsSegment, Origin};
use bgp_wire::{AttributeValue, Nlri, PathAttribute, Update};
use engine::{Engine, Family, LinkSpec, SessionStatus, Transport};
use ipnet::IpNet;
use rib::RoutingPolicy;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Hands the far end of each pipe to the customer's session, and counts the connections.
#[derive(Debug)]
struct Pipes {
    customer: mpsc::UnboundedSender<BoxStream>,
    opened: Arc<Mutex<Vec<(String, Family)>>>,
}

#[derive(Debug)]
struct PipeConnector {
    customer: mpsc::UnboundedSender<BoxStream>,
}

impl Connector for PipeConnector {
    fn connect(&self) -> Connecting {
        let (near, far) = tokio::io::duplex(64 * 1024);
        let sent = self.customer.send(Box::new(far));
        Box::pin(async move {
            sent.map_err(|_| std::io::Error::from(std::io::ErrorKind::ConnectionRefused))?;
            Ok(Box::new(near) as BoxStream)
        })
    }
}

impl Transport for Pipes {
    fn connector(&self, link: &str, family: Family) -> Arc<dyn Connector> {
        self.opened.lock().unwrap().push((link.to_string(), family));
        Arc::new(PipeConnector {
            customer: self.customer.clone(),
        })
    }
}

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|p| p.parse().unwrap()).collect()
}

/// The customer: passive, taking the streams the transport hands it.
fn customer() -> PeerHandle {
    let mut config = SessionConfig::new(64512, 12876, Ipv4Addr::new(192, 0, 2, 1));
    config.passive = true;
    let handle = spawn(DriverConfig::new(
        config,
        SocketAddr::from(([169, 254, 0, 0], 179)),
    ))
    .unwrap();
    handle.send(Command::Start).unwrap();
    handle
}

#[tokio::test(start_paused = true)]
async fn a_link_runs_over_a_transport_on_virtual_time() {
    let (tx, mut streams) = mpsc::unbounded_channel();
    let opened = Arc::new(Mutex::new(Vec::new()));
    let engine = Engine::spawn_with(Some(Arc::new(Pipes {
        customer: tx,
        opened: Arc::clone(&opened),
    })));
    let mut spec = LinkSpec::new(
        "prod",
        64512,
        "169.254.0.0/31".parse().unwrap(),
        "fd00::/127".parse().unwrap(),
    );
    spec.policy_v4 =
        Some(RoutingPolicy::new(false, nets(&["10.1.0.0/16"]), nets(&["172.16.0.0/16"])).unwrap());
    spec.vpc_prefixes = nets(&["172.16.4.0/22"]);
    spec.enable_route_propagation = true;
    engine.add_link(spec).await.unwrap();

    let mut router = customer();
    // The engine's first connection attempt comes through the transport.
    let stream = streams.recv().await.unwrap();
    router.accept_stream(stream).unwrap();
    let mut learned = Vec::new();
    // A guard on the virtual clock: a stuck session would let it run on.
    let guard = tokio::time::Instant::now() + Duration::from_secs(600);
    loop {
        let event = tokio::time::timeout_at(guard, router.next_event()).await;
        match event.expect("the session did not come up").unwrap() {
            SessionEvent::Established(_) => {
                let update = Update {
                    attributes: vec![
                        PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
                        PathAttribute::new(AttributeValue::AsPath(AsPath(vec![
                            AsSegment::Sequence(vec![64512]),
                        ]))),
                        PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
                    ],
                    nlri: nets(&["10.1.0.0/16", "10.2.0.0/16"])
                        .into_iter()
                        .map(Nlri::new)
                        .collect(),
                    ..Update::default()
                };
                router.send(Command::Announce(update)).unwrap();
            }
            SessionEvent::Received(update, _) if !update.nlri.is_empty() => {
                learned.extend(update.nlri.iter().map(|n| n.prefix));
                break;
            }
            _ => {}
        }
    }
    assert_eq!(learned, nets(&["172.16.4.0/22"]));
    // Let the UPDATE reach the engine (virtual time: nothing is waited for really).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let snapshot = engine.snapshot("prod").await.unwrap();
    let v4 = snapshot.session(Family::Ipv4).unwrap();
    assert_eq!(v4.status, SessionStatus::Up);
    assert_eq!(
        v4.installed.iter().copied().collect::<Vec<_>>(),
        nets(&["10.1.0.0/16"])
    );
    // Only the configured session asked the transport for a connector; nothing listened.
    assert_eq!(
        *opened.lock().unwrap(),
        vec![("prod".to_string(), Family::Ipv4)]
    );
}

/// An UPDATE from the customer (AS 64512) with `path` as its AS_PATH.
fn update(path: &[u32], prefixes: &[&str]) -> Update {
    Update {
        attributes: vec![
            PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
            PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                path.to_vec(),
            )]))),
            PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
        ],
        nlri: nets(prefixes).into_iter().map(Nlri::new).collect(),
        ..Update::default()
    }
}

/// Runs link `spec` (everything accepted) against the customer, which sends `updates` once
/// established; what the engine accepted afterwards.
async fn accepted_after(mut spec: LinkSpec, updates: Vec<Update>) -> Vec<IpNet> {
    let (tx, mut streams) = mpsc::unbounded_channel();
    let engine = Engine::spawn_with(Some(Arc::new(Pipes {
        customer: tx,
        opened: Arc::new(Mutex::new(Vec::new())),
    })));
    let everything = nets(&["0.0.0.0/0"]);
    spec.policy_v4 = Some(RoutingPolicy::new(false, everything.clone(), everything).unwrap());
    spec.vpc_prefixes = nets(&["172.16.4.0/22"]);
    spec.enable_route_propagation = true;
    engine.add_link(spec).await.unwrap();
    let mut router = customer();
    router.accept_stream(streams.recv().await.unwrap()).unwrap();
    let guard = tokio::time::Instant::now() + Duration::from_secs(600);
    loop {
        let event = tokio::time::timeout_at(guard, router.next_event()).await;
        if let SessionEvent::Established(_) = event.expect("the session did not come up").unwrap() {
            break;
        }
    }
    for u in updates {
        router.send(Command::Announce(u)).unwrap();
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let snapshot = engine.snapshot("prod").await.unwrap();
    let v4 = snapshot.session(Family::Ipv4).unwrap();
    assert_eq!(v4.status, SessionStatus::Up);
    v4.accepted.iter().copied().collect()
}

fn spec() -> LinkSpec {
    LinkSpec::new(
        "prod",
        64512,
        "169.254.0.0/31".parse().unwrap(),
        "fd00::/127".parse().unwrap(),
    )
}

#[tokio::test(start_paused = true)]
async fn with_loop_detection_a_route_that_crossed_the_local_as_is_not_accepted() {
    // On by default, InterLink included.
    let with = spec();
    assert!(with.as_path_loop_detection);
    // The customer's own route, then the provider's prefix sent back (AS 12876 in the path),
    // then its own route again through the provider: the last one replaces (withdraws) the
    // first.
    let updates = || {
        vec![
            update(&[64512], &["10.1.0.0/16", "10.2.0.0/16"]),
            update(&[64512, 12876], &["172.16.4.0/22"]),
            update(&[64512, 12876, 64512], &["10.2.0.0/16"]),
        ]
    };
    assert_eq!(
        accepted_after(with, updates()).await,
        nets(&["10.1.0.0/16"])
    );
    // Off, every route the policy admits is accepted.
    let mut without = spec();
    without.as_path_loop_detection = false;
    assert_eq!(
        accepted_after(without, updates()).await,
        nets(&["10.1.0.0/16", "10.2.0.0/16", "172.16.4.0/22"])
    );
}

/// Runs link `spec` against the customer until the customer has received every prefix of
/// `expect`; the UPDATEs it received, and the engine.
async fn received_by_customer(
    spec: LinkSpec,
    expect: &[&str],
) -> (Vec<Update>, engine::EngineHandle, PeerHandle) {
    let (tx, mut streams) = mpsc::unbounded_channel();
    let engine = Engine::spawn_with(Some(Arc::new(Pipes {
        customer: tx,
        opened: Arc::new(Mutex::new(Vec::new())),
    })));
    engine.add_link(spec).await.unwrap();
    let mut router = customer();
    router.accept_stream(streams.recv().await.unwrap()).unwrap();
    let mut want: std::collections::BTreeSet<IpNet> = nets(expect).into_iter().collect();
    let mut received = Vec::new();
    let guard = tokio::time::Instant::now() + Duration::from_secs(600);
    while !want.is_empty() {
        let event = tokio::time::timeout_at(guard, router.next_event()).await;
        if let SessionEvent::Received(update, _) = event.expect("the routes did not come").unwrap()
        {
            for n in &update.nlri {
                want.remove(&n.prefix);
            }
            received.push(update);
        }
    }
    (received, engine, router)
}

/// The attributes the customer received with `prefix`.
fn attributes_of(updates: &[Update], prefix: &str) -> Vec<PathAttribute> {
    let prefix: IpNet = prefix.parse().unwrap();
    updates
        .iter()
        .rev()
        .find(|u| u.nlri.iter().any(|n| n.prefix == prefix))
        .map(|u| u.attributes.clone())
        .unwrap_or_default()
}

/// A route learned by another session, from AS 65010 at 192.0.2.9 (ORIGIN EGP, MED 5, a
/// community), to relay.
fn learned(prefix: &str, from: rib::PeerId) -> rib::Route {
    use bgp_wire::attribute::{Community, NextHop};
    let mut attributes = rib::PathAttributes::local(NextHop::Ipv4(Ipv4Addr::new(192, 0, 2, 9)));
    attributes.origin = Origin::Egp;
    attributes.as_path = AsPath(vec![AsSegment::Sequence(vec![65010])]);
    attributes.med = Some(5);
    attributes.communities = vec![Community(65010 << 16 | 7)];
    rib::Route {
        prefix: prefix.parse().unwrap(),
        path_id: None,
        attributes: Arc::new(attributes),
        peer: from,
    }
}

#[tokio::test(start_paused = true)]
async fn a_relayed_route_keeps_its_as_path_behind_the_local_as() {
    use bgp_wire::attribute::Community;
    let elsewhere = rib::PeerId {
        bgp_id: Ipv4Addr::new(192, 0, 2, 9),
        address: Ipv4Addr::new(192, 0, 2, 9).into(),
        asn: 65010,
        ebgp: true,
    };
    let mut spec = spec();
    let everything = nets(&["0.0.0.0/0"]);
    spec.policy_v4 = Some(RoutingPolicy::new(false, everything.clone(), everything).unwrap());
    spec.vpc_prefixes = nets(&["172.16.4.0/22", "10.20.0.0/16"]);
    spec.enable_route_propagation = true;
    spec.relayed = vec![
        learned("10.10.0.0/16", elsewhere),
        // Also originated here: announced as the link's own.
        learned("10.20.0.0/16", elsewhere),
    ];
    let (updates, engine, router) =
        received_by_customer(spec, &["172.16.4.0/22", "10.10.0.0/16", "10.20.0.0/16"]).await;

    let relayed = attributes_of(&updates, "10.10.0.0/16");
    let values: Vec<&AttributeValue> = relayed.iter().map(|a| &a.value).collect();
    assert!(values.contains(&&AttributeValue::Origin(Origin::Egp)));
    assert!(
        values.contains(&&AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
            vec![12876, 65010]
        )])))
    );
    // Next hop self; MED is not passed to another AS; communities travel on.
    assert!(values.contains(&&AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 0))));
    assert!(
        !values
            .iter()
            .any(|v| matches!(v, AttributeValue::MultiExitDisc(_)))
    );
    assert!(
        values.contains(&&AttributeValue::Communities(vec![Community(
            65010 << 16 | 7
        )]))
    );
    for own in ["172.16.4.0/22", "10.20.0.0/16"] {
        let attributes = attributes_of(&updates, own);
        assert!(
            attributes.iter().any(|a| a.value
                == AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(vec![12876])]))),
            "{own} is originated by the link: {attributes:?}"
        );
    }

    // What the customer announces is read back with its learned path.
    router
        .send(Command::Announce(update(
            &[64512, 65020],
            &["10.30.0.0/16"],
        )))
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let accepted = engine.accepted_routes("prod", Family::Ipv4).await.unwrap();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].prefix, "10.30.0.0/16".parse::<IpNet>().unwrap());
    assert_eq!(
        accepted[0].attributes.as_path,
        AsPath(vec![AsSegment::Sequence(vec![64512, 65020])])
    );
    assert_eq!(
        engine.accepted_routes("prod", Family::Ipv6).await.unwrap(),
        Vec::new()
    );
}

#[tokio::test(start_paused = true)]
async fn a_route_learned_from_the_peer_is_not_relayed_back_to_it() {
    let the_peer = rib::PeerId {
        bgp_id: Ipv4Addr::UNSPECIFIED,
        address: Ipv4Addr::new(169, 254, 0, 1).into(),
        asn: 64512,
        ebgp: true,
    };
    let elsewhere = rib::PeerId {
        address: Ipv4Addr::new(192, 0, 2, 9).into(),
        ..the_peer
    };
    let mut spec = spec();
    let everything = nets(&["0.0.0.0/0"]);
    spec.policy_v4 = Some(RoutingPolicy::new(false, everything.clone(), everything).unwrap());
    spec.enable_route_propagation = true;
    spec.relayed = vec![
        learned("10.10.0.0/16", the_peer),
        learned("10.11.0.0/16", elsewhere),
    ];
    let (updates, engine, _router) = received_by_customer(spec, &["10.11.0.0/16"]).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let announced = engine
        .snapshot("prod")
        .await
        .unwrap()
        .ipv4
        .unwrap()
        .announced;
    assert_eq!(
        announced.into_iter().collect::<Vec<_>>(),
        nets(&["10.11.0.0/16"])
    );
    assert!(attributes_of(&updates, "10.10.0.0/16").is_empty());
}
