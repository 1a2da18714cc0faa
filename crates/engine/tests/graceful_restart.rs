//! The engine as a Graceful Restart helper (RFC 4724 §4.2), against a customer speaking BGP by
//! hand over real TCP on loopback (127.0.11.0/31), so that it can drop its connection without a
//! NOTIFICATION, as a crashing or restarting router does.
//!
//! The customer lists IPv4 unicast in its Graceful Restart capability with the Forwarding State
//! bit, announces three prefixes, then drops the connection:
//! - the routes stay accepted (stale) while the session is down, also through refused
//!   reconnection attempts;
//! - after the reconnection, a re-announced route is fresh, the others stay stale until the
//!   End-of-RIB, which deletes them;
//! - a new OPEN without the Forwarding State bit deletes the stale routes at once;
//! - a peer that does not come back loses its routes when its restart time runs out;
//! - a NOTIFICATION (not a crash) deletes everything at once.

use bgp_wire::attribute::{AsPath, AsSegment, Origin};
use bgp_wire::capability::{GracefulRestart, GracefulRestartFamily, Multiprotocol};
use bgp_wire::{
    Afi, AttributeValue, Capability, Context, Message, Nlri, Notification, Open, OptionalParameter,
    PathAttribute, Safi, Update,
};
use engine::{
    Engine, EngineHandle, Family, LinkSpec, SessionSnapshot, SessionStatus, SessionTimers,
};
use ipnet::IpNet;
use rib::RoutingPolicy;
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const GUARD: Duration = Duration::from_secs(20);
const CUSTOMER_AS: u32 = 64512;
const CUSTOMER: Ipv4Addr = Ipv4Addr::new(127, 0, 11, 1);

fn set(list: &[&str]) -> BTreeSet<IpNet> {
    list.iter().map(|p| p.parse().unwrap()).collect()
}

/// The customer's side of one TCP connection, speaking BGP by hand.
struct Customer {
    stream: TcpStream,
}

impl Customer {
    /// Accepts the engine's connection and brings the session to Established with an OPEN whose
    /// Graceful Restart capability has `restart_time` and, if `forwarding`, IPv4 unicast with
    /// the Forwarding State bit.
    async fn accept(listener: &TcpListener, restart_time: u16, forwarding: bool) -> Customer {
        let (stream, _) = tokio::time::timeout(GUARD, listener.accept())
            .await
            .expect("the engine connects")
            .unwrap();
        let mut customer = Customer { stream };
        assert!(matches!(customer.read().await, Message::Open(_)));
        let families = if forwarding {
            vec![GracefulRestartFamily {
                afi: Afi::IPV4,
                safi: Safi::UNICAST,
                flags: 0x80,
            }]
        } else {
            Vec::new()
        };
        let open = Open {
            my_as: CUSTOMER_AS as u16,
            hold_time: 90,
            bgp_identifier: CUSTOMER,
            parameters: vec![OptionalParameter::Capabilities(vec![
                Capability::Multiprotocol(Multiprotocol {
                    afi: Afi::IPV4,
                    reserved: 0,
                    safi: Safi::UNICAST,
                }),
                Capability::FourOctetAs(CUSTOMER_AS),
                Capability::GracefulRestart(GracefulRestart {
                    flags: 0x8, // Restart State: "I have just restarted"
                    restart_time,
                    families,
                }),
            ])],
            extended_parameters_length: false,
        };
        customer.write(&Message::Open(open)).await;
        customer.write(&Message::Keepalive).await;
        assert_eq!(customer.read().await, Message::Keepalive);
        customer
    }

    async fn write(&mut self, message: &Message) {
        let bytes = message.to_vec(&Context::default()).unwrap();
        self.stream.write_all(&bytes).await.unwrap();
    }

    /// The next message, skipping KEEPALIVEs once Established is not in question.
    async fn read(&mut self) -> Message {
        let mut header = [0u8; 19];
        tokio::time::timeout(GUARD, self.stream.read_exact(&mut header))
            .await
            .expect("a message from the engine")
            .unwrap();
        let length = usize::from(u16::from_be_bytes([header[16], header[17]]));
        let mut message = header.to_vec();
        message.resize(length, 0);
        self.stream.read_exact(&mut message[19..]).await.unwrap();
        bgp_wire::decode(&message, &Context::default())
            .unwrap()
            .message
    }

    async fn announce(&mut self, prefixes: &[&str]) {
        let update = Update {
            attributes: vec![
                PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
                PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                    vec![CUSTOMER_AS],
                )]))),
                PathAttribute::new(AttributeValue::NextHop(CUSTOMER)),
            ],
            nlri: set(prefixes).into_iter().map(Nlri::new).collect(),
            ..Update::default()
        };
        self.write(&Message::Update(update)).await;
    }

    async fn end_of_rib(&mut self) {
        self.write(&Message::Update(Update::default())).await;
    }
}

/// Polls the engine until `done` holds for the link's IPv4 session.
async fn engine_shows(
    engine: &EngineHandle,
    what: &str,
    done: impl Fn(&SessionSnapshot) -> bool,
) -> SessionSnapshot {
    let polled = tokio::time::timeout(GUARD, async {
        loop {
            let snapshot = engine.snapshot("gr").await.unwrap();
            if let Some(s) = snapshot.session(Family::Ipv4).filter(|s| done(s)) {
                return s.clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    polled.unwrap_or_else(|_| panic!("the engine never showed {what}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_routes_live_through_a_restart_and_go_at_end_of_rib_or_timeout() {
    let listener = TcpListener::bind(SocketAddr::new(CUSTOMER.into(), 0))
        .await
        .expect("127.0.11.1 (loopback)");
    let port = listener.local_addr().unwrap().port();
    let engine = Engine::spawn();
    let mut spec = LinkSpec::new(
        "gr",
        CUSTOMER_AS,
        "127.0.11.0/31".parse().unwrap(),
        "fd00:11::/127".parse().unwrap(),
    );
    spec.port = port;
    spec.policy_v4 = Some(RoutingPolicy::new(false, set(&["10.0.0.0/8"]), []).unwrap());
    spec.enable_route_propagation = true;
    spec.timers = SessionTimers {
        hold_time: 90,
        connect_retry: Duration::from_millis(500),
        idle_hold: Duration::from_millis(200),
    };
    engine.add_link(spec).await.unwrap();

    // Established, three routes, End-of-RIB.
    let all = set(&["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]);
    let mut customer = Customer::accept(&listener, 30, true).await;
    customer
        .announce(&["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"])
        .await;
    customer.end_of_rib().await;
    engine_shows(&engine, "three routes", |s| s.accepted == all).await;

    // Crash: the connection drops without a NOTIFICATION. The routes are kept, still installed.
    drop(customer);
    let s = engine_shows(&engine, "the session down", |s| {
        s.status == SessionStatus::Down
    })
    .await;
    assert_eq!(
        s.accepted, all,
        "stale routes are kept while the peer restarts"
    );
    assert_eq!(s.installed, all, "and traffic keeps flowing to them");

    // While the peer restarts, the engine's connection attempts are refused: that keeps them.
    let address = listener.local_addr().unwrap();
    drop(listener);
    // Retries every 0.5 s after an idle hold of 0.2 s: several attempts are refused meanwhile.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let s = engine_shows(&engine, "the session down", |s| {
        s.status == SessionStatus::Down
    })
    .await;
    assert_eq!(
        s.accepted, all,
        "failed reconnections do not delete stale routes"
    );
    let listener = TcpListener::bind(address).await.unwrap();

    // Back: one route re-announced; the other two stay stale until End-of-RIB.
    let mut customer = Customer::accept(&listener, 30, true).await;
    engine_shows(&engine, "the session up", |s| s.status == SessionStatus::Up).await;
    customer.announce(&["10.1.0.0/16"]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let s = engine_shows(&engine, "the session up", |s| s.status == SessionStatus::Up).await;
    assert_eq!(s.accepted, all, "stale routes stay until End-of-RIB");
    customer.end_of_rib().await;
    engine_shows(&engine, "only the re-announced route", |s| {
        s.accepted == set(&["10.1.0.0/16"])
    })
    .await;

    // Crash again; the new OPEN does not keep the forwarding state: stale routes go at once.
    customer.announce(&["10.2.0.0/16"]).await;
    engine_shows(&engine, "two routes", |s| s.accepted.len() == 2).await;
    drop(customer);
    engine_shows(&engine, "the session down, routes kept", |s| {
        s.status == SessionStatus::Down && s.accepted.len() == 2
    })
    .await;
    let mut customer = Customer::accept(&listener, 30, false).await;
    engine_shows(&engine, "the stale routes deleted at Established", |s| {
        s.status == SessionStatus::Up && s.accepted.is_empty()
    })
    .await;

    // A NOTIFICATION (Cease) is no restart: nothing is kept.
    customer.announce(&["10.3.0.0/16"]).await;
    engine_shows(&engine, "one route", |s| s.accepted.len() == 1).await;
    let cease = Notification::new(6, 2, Vec::new());
    customer.write(&Message::Notification(cease)).await;
    drop(customer);
    engine_shows(&engine, "everything deleted after a NOTIFICATION", |s| {
        s.status == SessionStatus::Down && s.received.is_empty()
    })
    .await;

    // A peer with a 1 s restart time that does not come back loses its routes when it runs out.
    let mut customer = Customer::accept(&listener, 1, true).await;
    customer.announce(&["10.4.0.0/16"]).await;
    engine_shows(&engine, "one route", |s| s.accepted.len() == 1).await;
    drop(listener); // it will not come back
    drop(customer);
    engine_shows(&engine, "the session down, the route kept", |s| {
        s.status == SessionStatus::Down && s.accepted.len() == 1
    })
    .await;
    engine_shows(
        &engine,
        "the stale route deleted at the restart time",
        |s| s.received.is_empty(),
    )
    .await;
}
