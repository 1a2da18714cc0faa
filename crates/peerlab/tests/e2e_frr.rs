//! End to end: FRR in a network namespace meets `peerlab serve` over a bound dedicated
//! connection, everything driven through the official Python SDK.
//!
//! A veth pair joins the root namespace (where `serve` runs, its config binding `demo-dc2-10g`
//! to the host end) and a customer namespace. Through the SDK: a v4 routing policy, a
//! self-hosted link on VLAN 2001 (peer ASN 64512) with the policy and the demo VPC. `serve`
//! puts the link's Scaleway addresses on `HOST.2001`; the test puts the peer addresses on
//! `PEER.2001` in the namespace and starts FRR there, announcing 10.1.0.0/16 and 10.2.0.0/16.
//! Checked: the IPv4 session comes up (`bgp_v4_status` "up"), enabling route propagation
//! brings the VPC's 172.16.0.0/22 to FRR, disabling it withdraws it, deleting the link removes
//! the host's VLAN interface.
//!
//! Needs root, iproute2, FRR and `.venv` with the Scaleway SDK; fails (never skips) without.
//! Everything (serve, FRR, interfaces, namespace) is removed on Drop, also on failure.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::io::{BufRead, BufReader};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use topology::peer::{self, Family, Peer, PeerConfig, PeerKind, SessionState};
use topology::{LinkAddressing, Netns, VlanInterface};

const VLAN: u16 = 2001;
const PEER_ASN: u32 = 64512;
const VPC_PREFIX: &str = "172.16.0.0/22";

/// The SDK calls, one per run: `setup`, `status LINK`, `propagation LINK on|off`,
/// `delete LINK`.
const SDK_SCRIPT: &str = r#"
import json, sys
from scaleway import Client
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API

url, token, project, command = sys.argv[1:5]
api = InterlinkV1Beta1API(Client(
    access_key="SCWXXXXXXXXXXXXXXXXX", secret_key=token, default_project_id=project,
    default_region="fr-par", api_url=url,
))
if command == "setup":
    policy = api.create_routing_policy(
        name="e2e-frr-v4", is_ipv6=False,
        prefix_filter_in=["10.1.0.0/16"], prefix_filter_out=["172.16.0.0/22"],
    )
    link = api.create_link(
        name="e2e-frr", pop_id="5ca1e000-0000-4000-8000-a00000000001", bandwidth_mbps=1000,
        connection_id="5ca1e000-0000-4000-8000-c00000000001", vlan=2001, peer_asn=64512,
    )
    api.attach_routing_policy(link_id=link.id, routing_policy_id=policy.id)
    link = api.attach_vpc(link_id=link.id, vpc_id="5ca1e000-0000-4000-8000-d00000000001")
    print(json.dumps({
        "link_id": link.id,
        "scw_ipv4": link.scw_bgp_config.ipv4, "scw_ipv6": link.scw_bgp_config.ipv6,
        "peer_ipv4": link.peer_bgp_config.ipv4, "peer_ipv6": link.peer_bgp_config.ipv6,
    }))
elif command == "status":
    print(str(api.get_link(link_id=sys.argv[5]).bgp_v4_status))
elif command == "propagation":
    if sys.argv[6] == "on":
        link = api.enable_route_propagation(link_id=sys.argv[5])
    else:
        link = api.disable_route_propagation(link_id=sys.argv[5])
    print(link.enable_route_propagation)
elif command == "delete":
    print(api.delete_link(link_id=sys.argv[5]).id)
"#;

const DEMO_TOKEN: &str = "5ca1e000-0000-4000-8000-e00000000001";
const DEMO_PROJECT: &str = "5ca1e000-0000-4000-8000-000000000002";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The veth pair; Drop deletes it (both ends).
struct Veth {
    host: String,
    peer: String,
}

impl Veth {
    fn create(ns: &Netns) -> Veth {
        // `peHEXPIDh.2001` fits the 15 characters of an interface name.
        let base = format!("pe{:x}", std::process::id());
        let veth = Veth {
            host: format!("{base}h"),
            peer: format!("{base}p"),
        };
        let _ = Command::new("ip")
            .args(["link", "del", &veth.host])
            .output();
        let out = Command::new("ip")
            .args(["link", "add", &veth.host, "type", "veth", "peer", "name"])
            .args([&veth.peer, "netns", ns.name()])
            .output()
            .expect("ip");
        assert!(out.status.success(), "ip link add: {out:?}");
        veth
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host])
            .output();
    }
}

/// `peerlab serve`; Drop stops it with SIGINT (it deletes its interfaces), then SIGKILL.
struct Serve {
    child: Child,
    url: String,
    log: mpsc::Receiver<String>,
}

impl Serve {
    fn start(config: &Path) -> Serve {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
            .args([
                "serve",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--config",
            ])
            .arg(config)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("peerlab serve");
        let (tx, log) = mpsc::channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    eprintln!("serve: {line}");
                    let _ = tx.send(line);
                }
            });
        }
        let serve = Serve {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match serve.log.recv_timeout(left) {
                Ok(line) if line.starts_with("listening: ") => return serve,
                Ok(_) => {}
                Err(e) => panic!("peerlab serve did not start: {e}"),
            }
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill(2) on our own child.
            unsafe { libc::kill(pid, libc::SIGINT) };
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs one SDK call; its stdout, trimmed.
fn sdk(script: &Path, url: &str, args: &[&str]) -> String {
    let python = root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: create it with `python3 -m venv .venv && .venv/bin/pip install scaleway`",
        python.display()
    );
    let out = Command::new(&python)
        .arg(script)
        .args([url, DEMO_TOKEN, DEMO_PROJECT])
        .args(args)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "SDK call {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Polls `check` every 250 ms until it is true; panics at `timeout` with `what` and FRR's log.
fn eventually(router: &dyn Peer, what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}; FRR's log:\n{}",
            router.log_tail()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    eprintln!("{what}: after {:?}", start.elapsed());
}

#[test]
fn frr_in_a_namespace_peers_over_a_bound_connection() {
    topology::process::require_binary("/usr/sbin/ip", "iproute2");
    topology::process::require_binary("/usr/lib/frr/bgpd", "frr");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let script = dir.path().join("sdk.py");
    std::fs::write(&script, SDK_SCRIPT).unwrap();

    let ns = Netns::create("e2e-frr").expect("namespace");
    let veth = Veth::create(&ns);
    let config = dir.path().join("peerlab.toml");
    std::fs::write(
        &config,
        format!(
            "[[bindings]]\nconnection = \"demo-dc2-10g\"\ninterface = \"{}\"\n",
            veth.host
        ),
    )
    .unwrap();
    let serve = Serve::start(&config);

    let setup: serde_json::Value =
        serde_json::from_str(&sdk(&script, &serve.url, &["setup"])).expect("setup output");
    let link_id = setup["link_id"].as_str().expect("link_id").to_string();
    let field = |name: &str| setup[name].as_str().expect(name).to_string();
    let scw_v4: Ipv4Net = field("scw_ipv4").parse().unwrap();
    let scw_v6: Ipv6Net = field("scw_ipv6").parse().unwrap();
    let addressing = LinkAddressing::from_scw(scw_v4.addr(), scw_v6.addr()).unwrap();
    assert_eq!(addressing.peer_ipv4, field("peer_ipv4").parse().unwrap());
    assert_eq!(addressing.peer_ipv6, field("peer_ipv6").parse().unwrap());

    let customer = VlanInterface::create(
        Some(&ns),
        &veth.peer,
        VLAN,
        addressing.peer_ipv4,
        addressing.peer_ipv6,
    )
    .expect("the customer's VLAN interface");
    customer
        .wait_usable(addressing.peer_ipv4, addressing.peer_ipv6)
        .expect("the customer's addresses");

    let mut config = PeerConfig::interlink(PEER_ASN, &addressing);
    config.announce_v4 = vec![
        "10.1.0.0/16".parse().unwrap(),
        "10.2.0.0/16".parse().unwrap(),
    ];
    let frr = peer::start(PeerKind::Frr, &ns, &config).expect("FRR");
    let scw: IpAddr = addressing.scw_ipv4.addr().into();

    eventually(&*frr, "bgp_v4_status up", Duration::from_secs(60), || {
        sdk(&script, &serve.url, &["status", &link_id]) == "up"
    });
    assert_eq!(frr.session_state(scw).unwrap(), SessionState::Established);

    let vpc: IpNet = VPC_PREFIX.parse().unwrap();
    let has_vpc = || {
        frr.received_routes(Family::Ipv4)
            .is_ok_and(|routes| routes.contains(&vpc))
    };
    assert!(
        !has_vpc(),
        "the VPC prefix came before propagation was enabled"
    );
    assert_eq!(
        sdk(&script, &serve.url, &["propagation", &link_id, "on"]),
        "True"
    );
    eventually(
        &*frr,
        "the VPC prefix at FRR",
        Duration::from_secs(20),
        has_vpc,
    );
    assert_eq!(
        sdk(&script, &serve.url, &["propagation", &link_id, "off"]),
        "False"
    );
    eventually(
        &*frr,
        "the VPC prefix withdrawn",
        Duration::from_secs(20),
        || !has_vpc(),
    );

    // Deleting the link takes serve's VLAN interface away.
    let host_vlan = format!(" {}.{VLAN}", veth.host);
    let host_has_vlan = || {
        Command::new("ip")
            .args(["-o", "link", "show"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&host_vlan))
    };
    assert!(host_has_vlan(), "no{host_vlan} on the host");
    assert_eq!(sdk(&script, &serve.url, &["delete", &link_id]), link_id);
    eventually(
        &*frr,
        "the host's VLAN interface gone",
        Duration::from_secs(10),
        || !host_has_vlan(),
    );
}
