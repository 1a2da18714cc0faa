//! Elections of whole groups on virtual time.

use std::net::IpAddr;
use std::time::Duration;

use proptest::prelude::*;

use super::*;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn address(i: usize) -> IpAddr {
    IpAddr::from([10, 0, 0, u8::try_from(i + 2).unwrap()])
}

fn router(i: usize, priority: u8, interval: u16) -> VirtualRouter {
    let mut config = Config::new(1, priority, address(i), vec!["10.0.0.1".parse().unwrap()]);
    config.advertisement_interval = interval;
    VirtualRouter::new(config).unwrap()
}

/// The index with the highest (priority, primary address).
fn expected_master(priorities: &[u8]) -> usize {
    (0..priorities.len())
        .max_by_key(|i| (priorities[*i], address(*i)))
        .unwrap()
}

#[test]
fn crash_fails_over_after_master_down_interval() {
    let mut group = Group::new();
    let a = group.add(router(0, 200, 100));
    let b = group.add(router(1, 100, 100));
    group.handle(Duration::ZERO, a, Event::Startup);
    group.handle(Duration::ZERO, b, Event::Startup);
    group.advance(secs(10));
    assert_eq!(group.master(), Some(a));
    // a became master at its Master_Down_Interval (3 s + 21 cs) and advertises every
    // second since; it dies after its last advertisement before 10 s.
    let last_ad = group.router(a).unwrap().next_deadline().unwrap() - secs(1);
    assert_eq!(last_ad, Duration::from_millis(9_210));
    group.set_connected(a, false);
    // b takes over exactly Master_Down_Interval (3 s + 60 cs) after the last advertisement
    // it heard.
    let expected = last_ad + group.router(b).unwrap().master_down_interval();
    assert_eq!(expected, Duration::from_millis(12_810));
    let log = group.advance(expected - Duration::from_nanos(1));
    assert!(log.iter().all(|(i, _)| *i == a), "{log:?}");
    assert_eq!(group.router(b).unwrap().state(), State::Backup);
    let log = group.advance(expected);
    assert!(log.contains(&(
        b,
        Action::BecomeMaster {
            addresses: vec!["10.0.0.1".parse().unwrap()]
        }
    )));
    assert_eq!(group.router(b).unwrap().state(), State::Master);
    // a, cut off, still believes it is master: both claim it until a hears b again.
    assert_eq!(group.masters(), vec![a, b]);
    group.set_connected(a, true);
    group.advance(secs(20));
    assert_eq!(group.master(), Some(a));
}

#[test]
fn graceful_shutdown_hands_over_after_skew_time() {
    let mut group = Group::new();
    let a = group.add(router(0, 200, 100));
    let b = group.add(router(1, 100, 100));
    group.handle(Duration::ZERO, a, Event::Startup);
    group.handle(Duration::ZERO, b, Event::Startup);
    group.advance(secs(10) + Duration::from_millis(500));
    group.handle(secs(10) + Duration::from_millis(500), a, Event::Shutdown);
    let skew = group.router(b).unwrap().skew_time();
    group.advance(secs(10) + Duration::from_millis(500) + skew - Duration::from_nanos(1));
    assert_eq!(group.masters(), Vec::<usize>::new());
    group.advance(secs(10) + Duration::from_millis(500) + skew);
    assert_eq!(group.master(), Some(b));
    // a comes back and, with Preempt_Mode, takes the role back within its Master_Down_Interval.
    group.handle(secs(20), a, Event::Startup);
    let mdi = group.router(a).unwrap().master_down_interval();
    group.advance(secs(20) + mdi);
    assert_eq!(group.master(), Some(a));
}

#[test]
fn owner_takes_over_at_once() {
    let mut group = Group::new();
    let backup = group.add(router(0, 100, 100));
    let owner = group.add(router(1, PRIORITY_OWNER, 100));
    group.handle(Duration::ZERO, backup, Event::Startup);
    group.advance(secs(10));
    assert_eq!(group.master(), Some(backup));
    let log = group.handle(secs(10), owner, Event::Startup);
    assert_eq!(group.master(), Some(owner));
    assert!(log.contains(&(backup, Action::BecomeBackup)));
}

#[test]
fn without_preemption_the_first_master_stays() {
    let mut group = Group::new();
    let low = group.add(router(0, 100, 100));
    let mut config = router(1, 200, 100).config().clone();
    config.preempt_mode = false;
    let high = group.add(VirtualRouter::new(config).unwrap());
    group.handle(Duration::ZERO, low, Event::Startup);
    group.advance(secs(10));
    group.handle(secs(10), high, Event::Startup);
    group.advance(secs(60));
    assert_eq!(group.master(), Some(low));
}

proptest! {
    /// Routers started together on a lossless segment elect exactly one master: the highest
    /// (priority, primary address), ties included.
    #[test]
    fn simultaneous_start_elects_the_highest(
        priorities in proptest::collection::vec(1u8..=255, 1..7),
        interval in 1u16..=300,
    ) {
        let mut group = Group::new();
        for (i, p) in priorities.iter().enumerate() {
            group.add(router(i, *p, interval));
        }
        for i in 0..priorities.len() {
            group.handle(Duration::ZERO, i, Event::Startup);
        }
        group.advance(secs(60));
        prop_assert_eq!(group.masters(), vec![expected_master(&priorities)]);
    }

    /// Routers started at random times, with distinct priorities and Preempt_Mode, end with the
    /// highest-priority one as the only master.
    #[test]
    fn staggered_start_elects_the_highest(
        priorities in proptest::sample::subsequence((1u8..=255).collect::<Vec<_>>(), 1..7)
            .prop_shuffle(),
        starts in proptest::collection::vec(0u64..20_000, 7),
        interval in 1u16..=300,
    ) {
        let mut group = Group::new();
        for (i, p) in priorities.iter().enumerate() {
            group.add(router(i, *p, interval));
        }
        let mut order: Vec<(u64, usize)> = (0..priorities.len()).map(|i| (starts[i], i)).collect();
        order.sort();
        for (at, i) in order {
            group.handle(Duration::from_millis(at), i, Event::Startup);
        }
        group.advance(secs(200));
        prop_assert_eq!(group.masters(), vec![expected_master(&priorities)]);
    }
}

/// The election drives the forwarding model: the default gateway follows the master.
#[test]
fn the_gateway_follows_the_election_in_the_network() {
    use crate::{DEFAULT_VRF, InterfaceConfig, Network, NodeRole};

    let mut net = Network::new();
    let lan = net.add_segment("dc-lan").unwrap();
    let server = net.add_node("server", NodeRole::Host).unwrap();
    let eth = InterfaceConfig::new("eth0", lan).address("10.0.0.10/28".parse().unwrap());
    net.add_interface(server, eth).unwrap();
    net.add_static_route(
        server,
        DEFAULT_VRF,
        "0.0.0.0/0".parse().unwrap(),
        "10.0.0.1".parse().unwrap(),
    )
    .unwrap();
    let mut group = Group::new();
    let mut interfaces = Vec::new();
    for (i, (name, priority)) in [("ovh-a", 200), ("ovh-b", 100)].into_iter().enumerate() {
        let node = net.add_node(name, NodeRole::Provider).unwrap();
        let config =
            InterfaceConfig::new("dc", lan).address(ipnet::IpNet::new(address(i), 28).unwrap());
        let interface = net.add_interface(node, config).unwrap();
        let upstream = net.add_segment(format!("{name}-up")).unwrap();
        let up = InterfaceConfig::new("up", upstream).address("192.0.2.1/30".parse().unwrap());
        net.add_interface(node, up).unwrap();
        let vr = router(i, priority, 100);
        net.add_vrrp_router(interface, vr.config()).unwrap();
        group.add(vr);
        interfaces.push(interface);
    }
    let apply = |net: &mut Network, log: Vec<(usize, Action)>| {
        for (i, action) in log {
            net.apply_vrrp_action(interfaces[i], 1, &action).unwrap();
        }
    };
    let to = "192.0.2.1".parse().unwrap();
    assert_eq!(
        net.trace(server, to)
            .unwrap()
            .drop_reason()
            .map(|r| r.kind()),
        Some("vrrp_backup")
    );
    for i in 0..2 {
        let log = group.handle(Duration::ZERO, i, Event::Startup);
        apply(&mut net, log);
    }
    let log = group.advance(secs(10));
    apply(&mut net, log);
    let hops = net.trace(server, to).unwrap().hops;
    assert_eq!(hops.last().unwrap().at.node, "ovh-a");

    // ovh-a is stopped gracefully: ovh-b holds the gateway after Skew_Time.
    let log = group.handle(secs(10), 0, Event::Shutdown);
    apply(&mut net, log);
    assert_eq!(
        net.trace(server, to)
            .unwrap()
            .drop_reason()
            .map(|r| r.kind()),
        Some("vrrp_backup")
    );
    let log = group.advance(secs(11));
    apply(&mut net, log);
    let trace = net.trace(server, to).unwrap();
    assert!(trace.is_delivered());
    assert_eq!(trace.hops.last().unwrap().at.node, "ovh-b");
}

/// What happens to one router of a group at one instant.
#[derive(Clone, Copy, Debug)]
enum Disturbance {
    Startup,
    Shutdown,
    Disconnect,
    Connect,
}

fn arb_disturbance() -> impl Strategy<Value = Disturbance> {
    prop_oneof![
        Just(Disturbance::Startup),
        Just(Disturbance::Shutdown),
        Just(Disturbance::Disconnect),
        Just(Disturbance::Connect),
    ]
}

proptest! {
    /// Whatever starts, stops, crashes and comes back, once things are quiet the routers that
    /// run and are on the segment have exactly one master: the highest-priority one of them.
    #[test]
    fn settles_after_any_disturbance(
        priorities in proptest::sample::subsequence((1u8..=255).collect::<Vec<_>>(), 1..6)
            .prop_shuffle(),
        events in proptest::collection::vec((0u64..30_000, 0usize..6, arb_disturbance()), 0..20),
    ) {
        let n = priorities.len();
        let mut group = Group::new();
        for (i, p) in priorities.iter().enumerate() {
            group.add(router(i, *p, 100));
        }
        let mut connected = vec![true; n];
        let mut events: Vec<_> = events.into_iter().filter(|(_, i, _)| *i < n).collect();
        events.sort_by_key(|(t, _, _)| *t);
        for (t, i, what) in events {
            let now = Duration::from_millis(t);
            match what {
                Disturbance::Startup => drop(group.handle(now, i, Event::Startup)),
                Disturbance::Shutdown => drop(group.handle(now, i, Event::Shutdown)),
                Disturbance::Disconnect | Disturbance::Connect => {
                    group.advance(now);
                    let on = matches!(what, Disturbance::Connect);
                    group.set_connected(i, on);
                    connected[i] = on;
                }
            }
        }
        group.advance(secs(100));
        let running: Vec<usize> = (0..n)
            .filter(|i| connected[*i])
            .filter(|i| group.router(*i).unwrap().state() != State::Initialize)
            .collect();
        let masters: Vec<usize> = group
            .masters()
            .into_iter()
            .filter(|i| connected[*i])
            .collect();
        let expected: Vec<usize> = running.iter().copied().max_by_key(|i| priorities[*i]).into_iter().collect();
        prop_assert_eq!(masters, expected);
    }
}
