//! VRRP failover for real: three routers running [`Speaker`] on one L2
//! segment (veths into a bridge in its own namespace) and a host pinging
//! the virtual address.
//!
//! The master dies (no priority-0 advertisement): the virtual address moves
//! to the highest remaining priority after about Master_Down_Interval. That
//! one stops cleanly (priority 0): the last router takes over after about
//! Skew_Time. The first comes back and preempts. Measured times are printed
//! beside the model's intervals; only the order of events is asserted.
//!
//! Needs root. Run with `cargo test -p topology --test vrrp_failover -- --nocapture`.

mod common;

use common::wait_for;
use dataplane::vrrp::{Config, State};
use dataplane::{InterfaceConfig, InterfaceId, Network, NodeId, NodeRole};
use linux::Netns;
use linux::vrrp_speaker::Speaker;
use std::net::IpAddr;
use std::time::Instant;

const VIP: &str = "192.0.2.254";

/// A segment: a bridge in its own namespace, and namespaces plugged into
/// it by a veth each (`eth0` on their side, `192.0.2.N/24` on it).
struct Lan {
    bridge: Netns,
}

impl Lan {
    fn new() -> Lan {
        let bridge = Netns::create("vrrp-lan").unwrap();
        bridge
            .run("ip", ["link", "add", "br0", "type", "bridge"])
            .unwrap();
        bridge.run("ip", ["link", "set", "br0", "up"]).unwrap();
        Lan { bridge }
    }

    fn plug(&self, label: &str, host: u8) -> Netns {
        let ns = Netns::create(label).unwrap();
        let port = format!("p{host}");
        let add = ["link", "add", &port, "type", "veth", "peer", "name", "eth0"];
        self.bridge
            .run("ip", add.into_iter().chain(["netns", ns.name()]))
            .unwrap();
        self.bridge
            .run("ip", ["link", "set", &port, "master", "br0", "up"])
            .unwrap();
        let address = format!("192.0.2.{host}/24");
        ns.run("ip", ["addr", "add", &address, "dev", "eth0"])
            .unwrap();
        ns.run("ip", ["link", "set", "eth0", "up"]).unwrap();
        ns
    }
}

/// True when the virtual address is on one of the namespace's devices.
fn has_vip(ns: &Netns) -> bool {
    let out = ns.run("ip", ["-o", "-4", "addr", "show"]).unwrap();
    out.contains(&format!(" {VIP}/32"))
}

/// The virtual router MAC of VRID 1.
const VIRTUAL_MAC: &str = "00:00:5e:00:01:01";

fn ping(ns: &Netns, to: &str) -> bool {
    ns.run("ping", ["-c1", "-W1", to]).is_ok()
}

/// The MAC the host's ARP cache has for the virtual address.
fn neighbour(host: &Netns) -> String {
    host.run("ip", ["neigh", "show", VIP, "dev", "eth0"])
        .unwrap_or_default()
}

fn config(n: u8, priority: u8) -> Config {
    let primary: IpAddr = format!("192.0.2.{n}").parse().unwrap();
    let mut config = Config::new(1, priority, primary, vec![VIP.parse().unwrap()]);
    config.accept_mode = true;
    config
}

fn router(ns: &Netns, n: u8, priority: u8) -> Speaker {
    Speaker::start(ns, "eth0", config(n, priority)).unwrap()
}

/// The same segment in the model: three routers with the VRRP group, and
/// the host.
struct Model {
    net: Network,
    host: NodeId,
    routers: [InterfaceId; 3],
}

impl Model {
    fn new() -> Model {
        let mut net = Network::new();
        let lan = net.add_segment("lan").unwrap();
        let mut routers = Vec::new();
        for (n, priority) in [(1, 200), (2, 150), (3, 100)] {
            let node = net.add_node(format!("r{n}"), NodeRole::Router).unwrap();
            let address = format!("192.0.2.{n}/24").parse().unwrap();
            let eth0 = InterfaceConfig::new("eth0", lan).address(address);
            let eth0 = net.add_interface(node, eth0).unwrap();
            net.add_vrrp_router(eth0, &config(n, priority)).unwrap();
            routers.push(eth0);
        }
        let host = net.add_node("host", NodeRole::Host).unwrap();
        let eth0 = InterfaceConfig::new("eth0", lan).address("192.0.2.10/24".parse().unwrap());
        net.add_interface(host, eth0).unwrap();
        let routers = [routers[0], routers[1], routers[2]];
        Model { net, host, routers }
    }

    /// The trace to the virtual address while r1 is gone and r2, r3 are in
    /// `states`.
    fn without_master(&mut self, states: &[State; 2]) -> dataplane::Trace {
        self.net.set_interface_up(self.routers[0], false).unwrap();
        for (interface, state) in self.routers[1..].iter().zip(states) {
            let is_master = *state == State::Master;
            self.net.set_vrrp_master(*interface, 1, is_master).unwrap();
        }
        self.net.trace(self.host, VIP.parse().unwrap()).unwrap()
    }

    /// Follows the speakers' states (`None` for a router that is gone),
    /// and checks that the trace to the virtual address and the host's
    /// ping agree, and that the trace ends at `master`.
    fn check(&mut self, states: [Option<State>; 3], host: &Netns, master: &str) {
        for (interface, state) in self.routers.into_iter().zip(states) {
            let is_master = state == Some(State::Master);
            self.net.set_vrrp_master(interface, 1, is_master).unwrap();
            self.net
                .set_interface_up(interface, state.is_some())
                .unwrap();
        }
        let trace = self.net.trace(self.host, VIP.parse().unwrap()).unwrap();
        println!("model: {trace}");
        assert!(trace.is_delivered(), "{trace}");
        assert!(
            trace.to_string().contains(&format!("router \"{master}\"")),
            "{trace}"
        );
        wait_for(&format!("the host's ping agrees: {trace}"), || {
            ping(host, VIP)
        });
    }
}

#[test]
fn the_virtual_address_follows_the_master() {
    let lan = Lan::new();
    let (ns1, ns2, ns3) = (
        lan.plug("vrrp-r1", 1),
        lan.plug("vrrp-r2", 2),
        lan.plug("vrrp-r3", 3),
    );
    let host = lan.plug("vrrp-host", 10);
    let mut model = Model::new();

    let r1 = router(&ns1, 1, 200);
    let r2 = router(&ns2, 2, 150);
    let r3 = router(&ns3, 3, 100);
    wait_for("r1 (priority 200) becomes master", || {
        assert_eq!(r1.error(), None);
        r1.state() == State::Master
    });
    assert_eq!(r2.state(), State::Backup);
    assert_eq!(r3.state(), State::Backup);
    assert!(has_vip(&ns1) && !has_vip(&ns2) && !has_vip(&ns3));
    assert!(
        ping(&host, VIP),
        "the host reaches the virtual address on r1"
    );
    assert!(
        neighbour(&host).contains(VIRTUAL_MAC),
        "{}",
        neighbour(&host)
    );
    model.check(
        [Some(r1.state()), Some(r2.state()), Some(r3.state())],
        &host,
        "r1",
    );
    // r2 has heard r1: its timers run on r1's advertisement interval.
    let expected_down = r2.master_down_interval();

    // r1 dies: r2, the highest remaining priority, takes over after
    // Master_Down_Interval; r3 stays backup.
    let crashed = r1.crash();
    assert!(!has_vip(&ns1));
    // Until a backup takes over, nobody holds the address: the model says
    // the backups do not answer for it, and the ping fails (checked only if
    // the ping ended before the takeover, which it does by seconds).
    let gone = model.without_master(&[r2.state(), r3.state()]);
    println!("model: {gone}");
    assert_eq!(gone.drop_reason().map(|r| r.kind()), Some("vrrp_backup"));
    let answered = ping(&host, VIP);
    if r2.became(State::Master, crashed).is_none() {
        assert!(!answered, "nobody holds the virtual address yet");
    }
    wait_for("r2 becomes master", || {
        r2.became(State::Master, crashed).is_some()
    });
    let took_over = r2.became(State::Master, crashed).unwrap();
    let failover = took_over - crashed;
    assert!(has_vip(&ns2), "the virtual address moved to r2");
    assert!(!has_vip(&ns3));
    assert_eq!(r3.state(), State::Backup);
    assert_eq!(
        r3.became(State::Master, crashed),
        None,
        "r3 never took over"
    );
    wait_for("the host reaches the virtual address on r2", || {
        ping(&host, VIP)
    });
    assert!(
        neighbour(&host).contains(VIRTUAL_MAC),
        "{}",
        neighbour(&host)
    );
    model.check([None, Some(r2.state()), Some(r3.state())], &host, "r2");
    println!(
        "VRRP crash failover (priority 200 → 150, 1 s advertisements): measured {:?}, \
         Master_Down_Interval {:?} (3 × 1 s + Skew_Time {:?})",
        failover,
        expected_down,
        r2.skew_time()
    );

    // r2 stops cleanly: its priority-0 advertisement hands over to r3 after
    // r3's Skew_Time.
    let expected_skew = r3.skew_time();
    let stopping = Instant::now();
    r2.stop();
    assert!(!has_vip(&ns2));
    wait_for("r3 becomes master", || {
        r3.became(State::Master, stopping).is_some()
    });
    let handover = r3.became(State::Master, stopping).unwrap() - stopping;
    assert!(has_vip(&ns3));
    wait_for("the host reaches the virtual address on r3", || {
        ping(&host, VIP)
    });
    model.check([None, None, Some(r3.state())], &host, "r3");
    println!(
        "VRRP clean-stop handover (priority 0, → 100): measured {handover:?}, Skew_Time {expected_skew:?}"
    );

    // r1 comes back: with Preempt_Mode it ignores r3's lower priority and
    // takes over when its Master_Down_Timer fires; r3 steps down.
    let back = Instant::now();
    let r1 = router(&ns1, 1, 200);
    wait_for("r1 preempts r3", || r1.state() == State::Master);
    wait_for("r3 steps down", || r3.became(State::Backup, back).is_some());
    wait_for("the address is only on r1", || {
        has_vip(&ns1) && !has_vip(&ns3)
    });
    wait_for("the host reaches the virtual address on r1 again", || {
        ping(&host, VIP)
    });
    model.check([Some(r1.state()), None, Some(r3.state())], &host, "r1");
    println!(
        "VRRP preemption (priority 200 returns): measured {:?}, Master_Down_Interval {:?}",
        r1.became(State::Master, back).unwrap() - back,
        r1.master_down_interval()
    );
    assert_eq!(r1.error(), None);
    assert_eq!(r3.error(), None);
}
