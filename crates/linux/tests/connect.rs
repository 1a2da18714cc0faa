//! Each daemon, started in a customer namespace wired to the host, really
//! tries to reach the provider side: it opens TCP connections to Scaleway's
//! /31 and /127 addresses on port 179, where the test listens.

mod common;

use linux::peer::{self, PeerConfig, PeerKind};
use linux::{Link, LinkConfig, Netns};
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::thread;
use std::time::{Duration, Instant};

/// GoBGP makes its first active attempt 5–10 s after it starts (it
/// raises any ConnectRetry under 5 s to 5 s, and waits a random 1–2 ×).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Waits up to `timeout` for a connection on `listener`; returns where it
/// came from.
fn accept_within(listener: &TcpListener, timeout: Duration) -> io::Result<SocketAddr> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + timeout;
    loop {
        match listener.accept() {
            Ok((_stream, from)) => return Ok(from),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

fn connects_to_the_provider_side(kind: PeerKind) {
    let ns = Netns::create(kind.name()).expect("namespace");
    let link = Link::create(None, &ns, &LinkConfig::new(2001).expect("config")).expect("link");
    let a = link.config().addressing;
    let scw: [IpAddr; 2] = [a.scw_ipv4.addr().into(), a.scw_ipv6.addr().into()];
    let listeners = scw.map(|address| {
        TcpListener::bind((address, 179)).unwrap_or_else(|e| panic!("bind {address}:179: {e}"))
    });
    let mut config = PeerConfig::interlink(64512, &a);
    config.announce_v4 = vec!["10.1.0.0/16".parse().expect("prefix")];
    let router = peer::start(kind, &ns, &config).expect("router");
    for (listener, address) in listeners.iter().zip(scw) {
        match accept_within(listener, CONNECT_TIMEOUT) {
            Ok(from) => {
                let expected: IpAddr = if address.is_ipv4() {
                    a.peer_ipv4.addr().into()
                } else {
                    a.peer_ipv6.addr().into()
                };
                assert_eq!(from.ip(), expected, "{kind} connected from elsewhere");
            }
            Err(e) => panic!(
                "{kind} did not connect to {address}:179: {e}\n{}",
                router.log_tail()
            ),
        }
    }
}

#[test]
fn frr_connects_to_the_provider_side() {
    connects_to_the_provider_side(PeerKind::Frr);
}

#[test]
fn bird_connects_to_the_provider_side() {
    connects_to_the_provider_side(PeerKind::Bird);
}

#[test]
fn gobgp_connects_to_the_provider_side() {
    connects_to_the_provider_side(PeerKind::Gobgp);
}

#[test]
fn a_stopped_router_says_so() {
    let ns = Netns::create("stopped").expect("namespace");
    let link = Link::create(None, &ns, &LinkConfig::new(1500).expect("config")).expect("link");
    let a = link.config().addressing;
    for kind in PeerKind::ALL {
        let mut router = peer::start(kind, &ns, &PeerConfig::interlink(64512, &a)).expect("router");
        assert!(router.is_running());
        let scw = a.scw_ipv4.addr().into();
        assert!(
            router.session_state(scw).is_ok(),
            "{kind}: {}",
            router.log_tail()
        );
        assert!(
            router
                .session_state("192.0.2.1".parse().expect("address"))
                .is_err()
        );
        router.stop().expect("stop");
        assert!(!router.is_running());
        assert!(matches!(
            router.session_state(scw),
            Err(linux::Error::Stopped { .. })
        ));
    }
}
