//! The tokio driver over loopback TCP.
//!
//! The socket tests run on tokio's real clock with the default (long) timers, which never fire
//! during a test: nothing waits on a timer, and the only time limit is a guard against a hang.
//! The hold-timer test runs in paused time, where the clock jumps straight to the deadline.

#![cfg(feature = "driver")]

use bgp_session::driver::{Command, DriverConfig, Listener, PeerHandle, SessionEvent, spawn};
use bgp_session::{DownReason, SessionConfig, State, StopReason};
use bgp_wire::attribute::{AsPath, AsSegment, Origin};
use bgp_wire::{AttributeValue, Context, Message, Nlri, Notification, PathAttribute, Update};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const GUARD: Duration = Duration::from_secs(20);

fn loopback(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

fn session(local_as: u32, peer_as: u32, id: u8, passive: bool) -> SessionConfig {
    let mut c = SessionConfig::new(local_as, peer_as, Ipv4Addr::new(10, 0, 0, id));
    c.passive = passive;
    c.idle_hold_time = None;
    c
}

/// The provider side: passive, serving connections from `peer` via the shared listener.
fn passive_side(listener: &Listener, peer: IpAddr, peer_as: u32) -> PeerHandle {
    let config = DriverConfig::new(session(65000, peer_as, 1, true), SocketAddr::new(peer, 179));
    let handle = spawn(config).unwrap();
    listener.register(peer, &handle);
    handle.send(Command::Start).unwrap();
    handle
}

/// A router connecting from `from` to the listener.
fn active_side(listener: &Listener, from: IpAddr, local_as: u32) -> PeerHandle {
    let mut config = DriverConfig::new(session(local_as, 65000, 2, false), listener.local_addr());
    config.local_addr = Some(SocketAddr::new(from, 0));
    let handle = spawn(config).unwrap();
    handle.send(Command::Start).unwrap();
    handle
}

/// Waits for the first event `pick` accepts, with a guard against a hang.
async fn wait_for<T>(peer: &mut PeerHandle, mut pick: impl FnMut(SessionEvent) -> Option<T>) -> T {
    tokio::time::timeout(GUARD, async {
        loop {
            let event = peer.next_event().await.expect("session task ended");
            if let Some(found) = pick(event) {
                return found;
            }
        }
    })
    .await
    .expect("event did not come")
}

async fn established(peer: &mut PeerHandle) {
    wait_for(peer, |e| {
        matches!(e, SessionEvent::Established(_)).then_some(())
    })
    .await
}

fn update() -> Update {
    Update {
        attributes: vec![
            PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
            PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                vec![65001],
            )]))),
            PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(10, 0, 0, 2))),
        ],
        nlri: vec![Nlri::new("198.51.100.0/24".parse().unwrap())],
        ..Update::default()
    }
}

/// Reads messages until the peer closes the connection.
async fn read_all_messages(stream: &mut TcpStream) -> Vec<Message> {
    let mut bytes = Vec::new();
    tokio::time::timeout(GUARD, stream.read_to_end(&mut bytes))
        .await
        .expect("connection not closed")
        .expect("read");
    split_messages(&bytes)
}

fn split_messages(mut bytes: &[u8]) -> Vec<Message> {
    let cx = Context::default();
    let mut out = Vec::new();
    while let Ok(Some(len)) = bgp_wire::header::frame(bytes, &cx) {
        out.push(bgp_wire::decode(&bytes[..len], &cx).unwrap().message);
        bytes = &bytes[len..];
    }
    assert!(bytes.is_empty(), "trailing bytes {bytes:?}");
    out
}

async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    socket.connect(to).await.unwrap()
}

#[tokio::test]
async fn two_drivers_establish_exchange_an_update_and_stop() {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut provider = passive_side(&listener, loopback(2), 65001);
    let mut router = active_side(&listener, loopback(2), 65001);
    established(&mut router).await;
    established(&mut provider).await;

    router.send(Command::Announce(update())).unwrap();
    let (received, rfc7606) = wait_for(&mut provider, |e| match e {
        SessionEvent::Received(u, r) => Some((u, r)),
        _ => None,
    })
    .await;
    assert_eq!(received, update());
    assert_eq!(rfc7606, None);

    router
        .send(Command::Stop(StopReason::AdministrativeShutdown(Some(
            "bye".into(),
        ))))
        .unwrap();
    let reason = wait_for(&mut provider, |e| match e {
        SessionEvent::Down { reason, from, .. } => Some((reason, from)),
        _ => None,
    })
    .await;
    let DownReason::NotificationReceived(n) = &reason.0 else {
        panic!("{reason:?}")
    };
    assert_eq!((n.code, n.subcode), (6, 2));
    assert_eq!(n.shutdown_communication(), Some("bye"));
    assert_eq!(reason.1, State::Established);
    let stopped = wait_for(&mut router, |e| match e {
        SessionEvent::Down { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert!(matches!(stopped, DownReason::Stopped(_)));
}

#[tokio::test]
async fn garbage_gets_1_1_and_the_other_session_stays_up() {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut provider = passive_side(&listener, loopback(2), 65001);
    let mut router = active_side(&listener, loopback(2), 65001);
    let mut victim = passive_side(&listener, loopback(3), 65002);
    established(&mut router).await;
    established(&mut provider).await;

    let mut raw = connect_from(loopback(3), listener.local_addr()).await;
    raw.write_all(&[0u8; 19]).await.unwrap(); // no marker
    let messages = read_all_messages(&mut raw).await;
    assert!(
        matches!(messages.first(), Some(Message::Open(_))),
        "{messages:?}"
    );
    assert_eq!(
        messages.last(),
        Some(&Message::Notification(Notification::new(1, 1, [])))
    );
    let down = wait_for(&mut victim, |e| match e {
        SessionEvent::Down { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(down, DownReason::ErrorSent(Notification::new(1, 1, [])));

    // The first session did not notice: an UPDATE still goes through, and nothing went down.
    router.send(Command::Announce(update())).unwrap();
    let event = wait_for(&mut provider, Some).await;
    assert!(matches!(event, SessionEvent::Received(..)), "{event:?}");
}

#[tokio::test]
async fn max_prefix_count_over_the_limit_ends_the_session_with_6_1() {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut provider = passive_side(&listener, loopback(4), 65001);
    let mut router = active_side(&listener, loopback(4), 65001);
    established(&mut provider).await;
    established(&mut router).await;
    let (afi, safi) = (bgp_wire::Afi::IPV4, bgp_wire::Safi::UNICAST);
    provider
        .send(Command::SetMaxPrefix {
            afi,
            safi,
            limit: Some(1),
        })
        .unwrap();
    provider
        .send(Command::PrefixCount {
            afi,
            safi,
            count: 2,
        })
        .unwrap();
    let reason = wait_for(&mut router, |e| match e {
        SessionEvent::Down { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(
        reason,
        DownReason::NotificationReceived(Notification::new(6, 1, [0, 1, 1, 0, 0, 0, 1]))
    );
}

#[tokio::test(start_paused = true)]
async fn a_silent_peer_gets_4_0_after_the_large_hold_time() {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let _provider = passive_side(&listener, loopback(5), 65001);
    let mut raw = connect_from(loopback(5), listener.local_addr()).await;
    let started = tokio::time::Instant::now();
    // No guard here: in paused time the clock jumps to the next timer whenever the runtime is
    // idle, and the driver's hold timer is the only one.
    let mut bytes = Vec::new();
    raw.read_to_end(&mut bytes).await.unwrap();
    let messages = split_messages(&bytes);
    assert!(matches!(messages[0], Message::Open(_)));
    assert_eq!(
        messages.last(),
        Some(&Message::Notification(Notification::new(4, 0, [])))
    );
    assert!(tokio::time::Instant::now() - started >= Duration::from_secs(240));
}

/// A connector handing the far end of an in-memory pipe to `far`'s session.
#[derive(Debug)]
struct Pipe {
    far: tokio::sync::mpsc::UnboundedSender<bgp_session::driver::BoxStream>,
}

impl bgp_session::driver::Connector for Pipe {
    fn connect(&self) -> bgp_session::driver::Connecting {
        let (near, far) = tokio::io::duplex(64 * 1024);
        let sent = self.far.send(Box::new(far));
        Box::pin(async move {
            sent.map_err(|_| std::io::Error::from(std::io::ErrorKind::ConnectionRefused))?;
            Ok(Box::new(near) as bgp_session::driver::BoxStream)
        })
    }
}

/// Two sessions over an in-memory pipe, on paused time: no sockets. The session comes up,
/// carries an UPDATE, and when the pipe breaks both sides go down.
#[tokio::test(start_paused = true)]
async fn sessions_run_over_an_in_memory_stream() {
    let peer_addr: SocketAddr = "192.0.2.1:179".parse().unwrap();
    let mut passive = spawn(DriverConfig::new(session(65000, 65001, 1, true), peer_addr)).unwrap();
    passive.send(Command::Start).unwrap();

    let (far_tx, mut far_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut config = DriverConfig::new(session(65001, 65000, 2, false), peer_addr);
    config.connector = Some(std::sync::Arc::new(Pipe { far: far_tx }));
    let mut active = spawn(config).unwrap();
    active.send(Command::Start).unwrap();

    let far = far_rx.recv().await.unwrap();
    passive.accept_stream(far).unwrap();
    established(&mut active).await;
    established(&mut passive).await;

    active.send(Command::Announce(update())).unwrap();
    let received = wait_for(&mut passive, |e| match e {
        SessionEvent::Received(u, None) => Some(u),
        _ => None,
    })
    .await;
    assert_eq!(received.nlri, update().nlri);

    // The active side stops: a Cease reaches the passive side over the pipe.
    active
        .send(Command::Stop(StopReason::AdministrativeShutdown(None)))
        .unwrap();
    let reason = wait_for(&mut passive, |e| match e {
        SessionEvent::Down { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert!(
        matches!(reason, DownReason::NotificationReceived(ref n) if n.code == 6),
        "{reason:?}"
    );
}
