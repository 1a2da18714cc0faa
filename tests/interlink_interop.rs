//! peerlab's provider edge against real FRR, BIRD and GoBGP routers.
//!
//! Each router runs in its own network namespace, wired to the host (where the engine runs, as
//! Scaleway's side) over a veth pair with a VLAN interface on each side, using the link
//! addressing of DESIGN.md: a /31 from 169.254.0.0/16 with Scaleway on the even address and a
//! /127. The routers come from Debian's packages; a missing one fails the test.
//!
//! Each test walks an InterLink link through its life: both sessions come up; `prefix_filter_in`
//! decides what the engine accepts; the VPC prefixes inside `prefix_filter_out` (and only those)
//! reach the router once route propagation is enabled, and leave when it is disabled; replacing
//! a policy changes the accepted set without a session reset; killing the router is detected and
//! restarting it brings the sessions back. A mismatched VLAN keeps the sessions down.

use engine::{
    Engine, EngineHandle, Family, LinkSpec, SessionSnapshot, SessionStatus, SessionTimers,
};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use linux::peer::{self, PeerConfig, PeerKind};
use linux::{Link, LinkConfig, Netns};
use rib::RoutingPolicy;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const CUSTOMER_AS: u32 = 64512;
/// Long enough for GoBGP, which waits 5 s after a session drops before it accepts again.
const DEADLINE: Duration = Duration::from_secs(45);

fn nets(list: &[&str]) -> Vec<IpNet> {
    list.iter().map(|p| p.parse().unwrap()).collect()
}

fn set(list: &[&str]) -> BTreeSet<IpNet> {
    nets(list).into_iter().collect()
}

fn v4_policy(accept: &[&str], announce: &[&str]) -> RoutingPolicy {
    RoutingPolicy::new(false, nets(accept), nets(announce)).unwrap()
}

fn v6_policy(accept: &[&str], announce: &[&str]) -> RoutingPolicy {
    RoutingPolicy::new(true, nets(accept), nets(announce)).unwrap()
}

/// The engine on its own runtime, driven from the (blocking) test thread.
struct Provider {
    runtime: tokio::runtime::Runtime,
    engine: EngineHandle,
}

impl Provider {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let engine = {
            let _context = runtime.enter();
            Engine::spawn()
        };
        Provider { runtime, engine }
    }

    fn snapshot(&self, family: Family) -> Option<SessionSnapshot> {
        let snapshot = self.runtime.block_on(self.engine.snapshot("prod")).unwrap();
        snapshot.session(family).cloned()
    }

    /// Waits until `done` holds for the session of `family`; panics with `what` otherwise.
    fn wait(
        &self,
        family: Family,
        what: &str,
        done: impl Fn(&SessionSnapshot) -> bool,
    ) -> SessionSnapshot {
        let start = Instant::now();
        loop {
            let snapshot = self.snapshot(family).expect("session configured");
            if done(&snapshot) {
                return snapshot;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{what}: {family:?} session is {snapshot:#?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Waits until the router's view of `family` equals `want`.
fn router_sees(router: &dyn peer::Peer, family: peer::Family, want: &BTreeSet<IpNet>) {
    let start = Instant::now();
    loop {
        let routes = router.received_routes(family).unwrap();
        if &routes == want {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{:?} holds {routes:?} for {family:?}, want {want:?}\n{}",
            router.kind(),
            router.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn link_spec(link: &Link) -> LinkSpec {
    let a = link.config().addressing;
    let ipv4 = Ipv4Net::new(a.scw_ipv4.addr(), 31).unwrap();
    let ipv6 = Ipv6Net::new(a.scw_ipv6.addr(), 127).unwrap();
    let mut spec = LinkSpec::new("prod", CUSTOMER_AS, ipv4, ipv6);
    spec.timers = SessionTimers {
        hold_time: 9,
        connect_retry: Duration::from_secs(1),
        idle_hold: Duration::from_secs(1),
    };
    spec.policy_v4 = Some(v4_policy(&["10.1.0.0/16"], &["172.16.0.0/16"]));
    spec.policy_v6 = Some(v6_policy(&["2001:db8:1::/48"], &["fd10::/16"]));
    spec.vpc_prefixes = nets(&[
        "172.16.4.0/22",
        "192.168.50.0/24",
        "fd10:4::/64",
        "fd20::/64",
    ]);
    spec
}

fn customer(link: &Link) -> PeerConfig {
    let mut config = PeerConfig::interlink(CUSTOMER_AS, &link.config().addressing);
    config.announce_v4 = ["10.1.0.0/16", "10.1.5.0/24", "10.2.0.0/16"]
        .map(|p| p.parse().unwrap())
        .into();
    config.announce_v6 = ["2001:db8:1::/48", "2001:db8:2::/48"]
        .map(|p| p.parse().unwrap())
        .into();
    config
}

fn both_up(provider: &Provider, what: &str) {
    for family in Family::ALL {
        provider.wait(family, what, |s| s.status == SessionStatus::Up);
    }
}

fn interlink_life(kind: PeerKind) {
    let ns = Netns::create(kind.name()).unwrap();
    let link = Link::create(None, &ns, &LinkConfig::new(2001).unwrap()).unwrap();
    let provider = Provider::start();
    provider
        .runtime
        .block_on(provider.engine.add_link(link_spec(&link)))
        .unwrap();
    let mut router = peer::start(kind, &ns, &customer(&link)).unwrap();

    // The IPv4 and IPv6 sessions reach Established.
    both_up(&provider, "sessions up");

    // Filtering in: what is inside prefix_filter_in is accepted, the rest is not.
    let v4 = provider.wait(Family::Ipv4, "IPv4 routes received", |s| {
        s.received.len() == 3
    });
    assert_eq!(v4.accepted, set(&["10.1.0.0/16", "10.1.5.0/24"]));
    let v6 = provider.wait(Family::Ipv6, "IPv6 routes received", |s| {
        s.received.len() == 2
    });
    assert_eq!(v6.accepted, set(&["2001:db8:1::/48"]));
    // Propagation is off by default: nothing installed, nothing announced.
    assert!(v4.installed.is_empty() && v4.announced.is_empty());
    router_sees(router.as_ref(), peer::Family::Ipv4, &set(&[]));

    // Filtering out: enabling propagation announces the VPC prefixes inside prefix_filter_out.
    let propagation = |on| {
        provider
            .runtime
            .block_on(provider.engine.set_route_propagation("prod", on))
            .unwrap()
    };
    propagation(true);
    router_sees(
        router.as_ref(),
        peer::Family::Ipv4,
        &set(&["172.16.4.0/22"]),
    );
    router_sees(router.as_ref(), peer::Family::Ipv6, &set(&["fd10:4::/64"]));
    provider.wait(Family::Ipv4, "installed toward the VPC", |s| {
        s.installed == s.accepted
    });

    // Disabling propagation withdraws everything at the router; enabling restores it.
    propagation(false);
    router_sees(router.as_ref(), peer::Family::Ipv4, &set(&[]));
    router_sees(router.as_ref(), peer::Family::Ipv6, &set(&[]));
    propagation(true);
    router_sees(
        router.as_ref(),
        peer::Family::Ipv4,
        &set(&["172.16.4.0/22"]),
    );

    // Replacing the policy changes the accepted set with no session reset.
    let before = provider.snapshot(Family::Ipv4).unwrap().established_count;
    let replaced = v4_policy(&["10.2.0.0/16"], &["172.16.0.0/16", "192.168.0.0/16"]);
    provider
        .runtime
        .block_on(
            provider
                .engine
                .set_policy("prod", Family::Ipv4, Some(replaced)),
        )
        .unwrap();
    provider.wait(Family::Ipv4, "policy replaced", |s| {
        s.accepted == set(&["10.2.0.0/16"])
    });
    router_sees(
        router.as_ref(),
        peer::Family::Ipv4,
        &set(&["172.16.4.0/22", "192.168.50.0/24"]),
    );
    let after = provider.snapshot(Family::Ipv4).unwrap();
    assert_eq!(
        (after.status, after.established_count),
        (SessionStatus::Up, before),
        "no flap"
    );
    let scw_v4 = link.config().addressing.scw_ipv4.addr().into();
    assert_eq!(
        router.session_state(scw_v4).unwrap(),
        peer::SessionState::Established
    );

    // Killing the router is detected; restarting it brings both sessions back.
    router.stop().unwrap();
    for family in Family::ALL {
        provider.wait(family, "router killed", |s| {
            s.status == SessionStatus::Down && s.received.is_empty()
        });
    }
    router.restart().unwrap();
    both_up(&provider, "router restarted");
    router_sees(
        router.as_ref(),
        peer::Family::Ipv4,
        &set(&["172.16.4.0/22", "192.168.50.0/24"]),
    );
}

/// With the router's VLAN different from the link's, nothing crosses and no session comes up.
fn mismatched_vlan(kind: PeerKind) {
    let ns = Netns::create(&format!("{}-vlan", kind.name())).unwrap();
    let mut config = LinkConfig::new(2001).unwrap();
    config.peer_vlan = 2002;
    let link = Link::create(None, &ns, &config).unwrap();
    let provider = Provider::start();
    provider
        .runtime
        .block_on(provider.engine.add_link(link_spec(&link)))
        .unwrap();
    let router = peer::start(kind, &ns, &customer(&link)).unwrap();
    // Several connect retries of both sides fit in this window.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(8) {
        for family in Family::ALL {
            let s = provider.snapshot(family).unwrap();
            assert_eq!(
                s.status,
                SessionStatus::Down,
                "{kind:?} {family:?} came up across VLANs 2001/2002"
            );
            assert_eq!(s.established_count, 0);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let scw_v4 = link.config().addressing.scw_ipv4.addr().into();
    assert_ne!(
        router.session_state(scw_v4).unwrap(),
        peer::SessionState::Established
    );
}

#[test]
fn frr_interlink() {
    interlink_life(PeerKind::Frr);
}

#[test]
fn bird_interlink() {
    interlink_life(PeerKind::Bird);
}

#[test]
fn gobgp_interlink() {
    interlink_life(PeerKind::Gobgp);
}

#[test]
fn frr_mismatched_vlan_stays_down() {
    mismatched_vlan(PeerKind::Frr);
}

#[test]
fn bird_mismatched_vlan_stays_down() {
    mismatched_vlan(PeerKind::Bird);
}

#[test]
fn gobgp_mismatched_vlan_stays_down() {
    mismatched_vlan(PeerKind::Gobgp);
}

/// RFC 4724 against FRR: a restarting FRR that keeps its forwarding state keeps its routes in
/// peerlab (stale, still installed) while it is gone; when it is back, its End-of-RIB deletes
/// the stale routes it did not announce again.
#[test]
fn frr_graceful_restart_keeps_routes_stale_until_end_of_rib() {
    let ns = Netns::create("gr-frr").unwrap();
    let link = Link::create(None, &ns, &LinkConfig::new(2001).unwrap()).unwrap();
    let provider = Provider::start();
    let mut spec = link_spec(&link);
    spec.enable_route_propagation = true;
    provider
        .runtime
        .block_on(provider.engine.add_link(spec))
        .unwrap();
    let mut config = customer(&link);
    config.raw_config = String::from(
        "router bgp 64512\n bgp graceful-restart\n bgp graceful-restart preserve-fw-state\n",
    );
    let mut router = peer::start(PeerKind::Frr, &ns, &config).unwrap();
    both_up(&provider, "sessions up");
    provider.wait(Family::Ipv4, "the configured routes", |s| {
        s.accepted == set(&["10.1.0.0/16", "10.1.5.0/24"])
    });

    // One more route at run time.
    let announced: Vec<Ipv4Net> = ["10.1.0.0/16", "10.1.5.0/24", "10.1.9.0/24", "10.2.0.0/16"]
        .map(|p| p.parse().unwrap())
        .into();
    router
        .set_announced(&announced, &config.announce_v6)
        .unwrap();
    let all = set(&["10.1.0.0/16", "10.1.5.0/24", "10.1.9.0/24"]);
    let established = provider
        .wait(Family::Ipv4, "the run-time route", |s| s.accepted == all)
        .established_count;

    // bgpd dies without a NOTIFICATION: its routes stay, stale, and stay installed.
    router.stop().unwrap();
    let down = provider.wait(Family::Ipv4, "the session down", |s| {
        s.status == SessionStatus::Down
    });
    assert_eq!(down.accepted, all, "stale routes kept while FRR restarts");
    assert_eq!(down.installed, all, "and still installed toward the VPC");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(provider.snapshot(Family::Ipv4).unwrap().accepted, all);

    // Back without 10.1.9.0/24 (the driver rewrites the config file of a stopped router): FRR
    // announces its other routes and End-of-RIB, which deletes the stale 10.1.9.0/24.
    router
        .set_announced(&config.announce_v4, &config.announce_v6)
        .unwrap();
    router.restart().unwrap();
    provider.wait(Family::Ipv4, "End-of-RIB deletes the stale route", |s| {
        s.status == SessionStatus::Up
            && s.established_count > established
            && s.accepted == set(&["10.1.0.0/16", "10.1.5.0/24"])
    });
}
