//! End to end: FRR in a network namespace peers with an OVHcloud Connect l3 PoP of
//! `peerlab serve`, everything driven through the official `ovh` Python client.
//!
//! Two veth pairs join the root namespace (where `serve` runs) to a customer namespace at the
//! PoP and to a customer namespace in the datacenter; `serve`'s config binds the demo service's
//! interface 9001 to the first and datacenter RBX of vRack `pn-100001` to the second. Through
//! the `ovh` client: the service joins the vRack, gets an l3 PoP configuration
//! (100.66.77.0/30, OVH AS 65501, customer AS 65001), a datacenter configuration
//! (100.66.78.0/28, OVH AS 65502) and a `network` extra (172.20.0.0/16 via 100.66.78.5).
//! `serve` puts OVH's 100.66.77.1/30 and the datacenter gateway 100.66.78.1/28 on the host ends;
//! the test puts 100.66.77.2/30 and 100.66.78.4/28 on the namespace ends (untagged) and starts
//! FRR in both.
//! Checked: the interface's `lightStatus` is `down` until the customer's end is up, then `ok`;
//! the PoP session comes up (FRR Established, and `up` in peerlab's OVH state), FRR
//! learns the datacenter subnet and the static route's prefix; deleting the extra withdraws the
//! prefix; a `bgp` extra toward 100.66.78.4 (AS 65100) brings up a session with the datacenter
//! FRR and turns the VRRP gateway off, and the two routers learn each other's prefix through
//! OVH; deleting the PoP configuration takes both sessions and both addresses away.
//!
//! Needs root, iproute2, FRR and `.venv` with the `ovh` client; fails (never skips) without.
//! Everything (serve, FRR, interfaces, namespace) is removed on Drop, also on failure.

use ipnet::IpNet;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use topology::Netns;
use topology::peer::{self, Family, Neighbour, Peer, PeerConfig, PeerKind, SessionState};

const SERVICE: &str = "0c0c0000-0000-4000-8000-0000000000a1";
const INTERFACE: u64 = 9001;
const OVH_ADDRESS: Ipv4Addr = Ipv4Addr::new(100, 66, 77, 1);
const CUSTOMER_ADDRESS: &str = "100.66.77.2/30";
const CUSTOMER_ASN: u32 = 65001;
const OVH_ASN: u32 = 65501;
const DATACENTER_SUBNET: &str = "100.66.78.0/28";
const STATIC_PREFIX: &str = "172.20.0.0/16";

/// The `ovh` client calls, one per run: `setup`, `status` (`{"pop": …, "extra": …}`), `light`,
/// `vrrp`,
/// `delete-extra`, `add-bgp`, `delete-pop`.
const OVH_SCRIPT: &str = r#"
import json, sys
import ovh, requests

url, command = sys.argv[1:3]
ovh.client.ENDPOINTS["peerlab"] = url + "/1.0"
c = ovh.Client(endpoint="peerlab", application_key="peerlabdemoappkey",
               application_secret="peerlabdemoapplicationsecret0001",
               consumer_key="peerlabdemoconsumerkey0000000001")
svc = "0c0c0000-0000-4000-8000-0000000000a1"
admin = {"X-Auth-Token": "5ca1e000-0000-4000-8000-e000000000ad"}

def settle():
    requests.post(url + "/peerlab/v1/admin/ovh/advance-clock", json={"seconds": 3600},
                  headers=admin, timeout=5).raise_for_status()

if command == "setup":
    c.post("/vrack/pn-100001/ovhCloudConnect", ovhCloudConnect=svc)
    settle()
    pop = c.post(f"/ovhCloudConnect/{svc}/config/pop", interfaceId=9001, type="l3",
                 customerBgpArea=65001, ovhBgpArea=65501, subnet="100.66.77.0/30")
    dc = c.post(f"/ovhCloudConnect/{svc}/config/pop/{pop['id']}/datacenter",
                datacenterId=1, ovhBgpArea=65502, subnet="100.66.78.0/28")
    extra = c.post(f"/ovhCloudConnect/{svc}/config/pop/{pop['id']}/datacenter/{dc['id']}/extra",
                   type="network", nextHop="100.66.78.5", subnet="172.20.0.0/16")
    settle()
    for t in c.get(f"/ovhCloudConnect/{svc}/task"):
        assert c.get(f"/ovhCloudConnect/{svc}/task/{t}")["status"] == "done", t
    print(json.dumps({"pop": pop["id"], "dc": dc["id"], "extra": extra["id"]}))
elif command == "status":
    state = requests.get(url + "/peerlab/v1/admin/ovh/state", headers=admin, timeout=5).json()
    print(json.dumps({s["id"].split("-")[1]: s["status"] for s in state["sessions"]},
                     sort_keys=True))
elif command == "light":
    print(c.get(f"/ovhCloudConnect/{svc}/interface/9001")["lightStatus"])
elif command == "vrrp":
    state = requests.get(url + "/peerlab/v1/admin/ovh/state", headers=admin, timeout=5).json()
    print(" ".join(g["state"] for g in state["vrrpGroups"]))
elif command == "add-bgp":
    pop, dc = sys.argv[3:5]
    c.post(f"/ovhCloudConnect/{svc}/config/pop/{pop}/datacenter/{dc}/extra",
           type="bgp", bgpNeighborArea=65100, bgpNeighborIp="100.66.78.4")
    settle()
    print("ok")
elif command == "delete-extra":
    pop, dc, extra = sys.argv[3:6]
    c.delete(f"/ovhCloudConnect/{svc}/config/pop/{pop}/datacenter/{dc}/extra/{extra}")
    settle()
    print("ok")
elif command == "delete-pop":
    c.delete(f"/ovhCloudConnect/{svc}/config/pop/{sys.argv[3]}")
    settle()
    print(c.get(f"/ovhCloudConnect/{svc}/config/pop"))
"#;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The veth pair; Drop deletes it (both ends).
struct Veth {
    host: String,
    peer: String,
}

impl Veth {
    fn create(ns: &Netns, tag: &str) -> Veth {
        let base = format!("{tag}{:x}", std::process::id());
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

/// `peerlab serve`; Drop stops it with SIGINT (it removes its addresses), then SIGKILL.
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
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--ovh-task-secs", "100", "--config"])
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

/// Runs one `ovh` client call; its stdout, trimmed.
fn ovh(script: &Path, url: &str, args: &[&str]) -> String {
    let python = root().join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: create it with `python3 -m venv .venv && .venv/bin/pip install ovh`",
        python.display()
    );
    let out = Command::new(&python)
        .arg(script)
        .arg(url)
        .args(args)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "ovh call {args:?} failed: {}",
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

fn host_has_address(interface: &str, address: &str) -> bool {
    Command::new("ip")
        .args(["-o", "addr", "show", "dev", interface])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(&format!(" {address} ")))
}

/// Puts `address` on `interface` in `ns` and brings it up.
fn address_in(ns: &Netns, interface: &str, address: &str) {
    for args in [
        vec!["addr", "add", address, "dev", interface],
        vec!["link", "set", interface, "up"],
    ] {
        let out = ns.command("ip").args(&args).output().expect("ip");
        assert!(out.status.success(), "ip {args:?}: {out:?}");
    }
}

/// A customer router: FRR as `asn` at `router_id`, peering with OVH at `ovh` (`ovh_asn`).
fn customer(
    asn: u32,
    router_id: Ipv4Addr,
    ovh: Ipv4Addr,
    ovh_asn: u32,
    announce: &str,
) -> PeerConfig {
    PeerConfig {
        name: format!("customer-{asn}"),
        asn,
        router_id,
        neighbours: vec![Neighbour {
            address: ovh.into(),
            asn: ovh_asn,
        }],
        announce_v4: vec![announce.parse().expect("a prefix")],
        announce_v6: Vec::new(),
        hold_time: 9,
        connect_retry: 1,
    }
}

#[test]
fn frr_in_a_namespace_peers_with_an_ovh_l3_pop() {
    topology::process::require_binary("/usr/sbin/ip", "iproute2");
    topology::process::require_binary("/usr/lib/frr/bgpd", "frr");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let script = dir.path().join("ovh_calls.py");
    std::fs::write(&script, OVH_SCRIPT).unwrap();

    let ns = Netns::create("e2e-ovh").expect("namespace");
    let veth = Veth::create(&ns, "po");
    let dc_ns = Netns::create("e2e-ovhdc").expect("namespace");
    let dc_veth = Veth::create(&dc_ns, "pd");
    let config = dir.path().join("peerlab.toml");
    std::fs::write(
        &config,
        format!(
            "[[bindings]]\novh_service = \"{SERVICE}\"\novh_interface = {INTERFACE}\n\
             interface = \"{}\"\n\
             [[bindings]]\novh_vrack = \"pn-100001\"\novh_datacenter = 1\n\
             interface = \"{}\"\n",
            veth.host, dc_veth.host
        ),
    )
    .unwrap();
    let serve = Serve::start(&config);

    let setup: serde_json::Value =
        serde_json::from_str(&ovh(&script, &serve.url, &["setup"])).expect("setup output");
    let id = |name: &str| setup[name].as_u64().expect(name).to_string();
    let (pop, dc, extra) = (id("pop"), id("dc"), id("extra"));

    // No light on the bound port while the customer's end is down.
    let light = || ovh(&script, &serve.url, &["light"]);
    let wait = |what: &str, check: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !check() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "timed out waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    wait("lightStatus down", &|| light() == "down");

    // The customers' ends, untagged.
    address_in(&ns, &veth.peer, CUSTOMER_ADDRESS);
    wait("lightStatus ok", &|| light() == "ok");
    address_in(&dc_ns, &dc_veth.peer, "100.66.78.4/28");
    let frr = peer::start(
        PeerKind::Frr,
        &ns,
        &customer(
            CUSTOMER_ASN,
            Ipv4Addr::new(100, 66, 77, 2),
            OVH_ADDRESS,
            OVH_ASN,
            "10.50.0.0/16",
        ),
    )
    .expect("FRR at the PoP");
    let gateway = Ipv4Addr::new(100, 66, 78, 1);
    let dc_frr = peer::start(
        PeerKind::Frr,
        &dc_ns,
        &customer(
            65100,
            Ipv4Addr::new(100, 66, 78, 4),
            gateway,
            65502,
            "10.60.0.0/16",
        ),
    )
    .expect("FRR in the datacenter");
    let ovh_ip: IpAddr = OVH_ADDRESS.into();

    eventually(
        &*frr,
        "OVH's addresses on the host",
        Duration::from_secs(10),
        || {
            host_has_address(&veth.host, "100.66.77.1/30")
                && host_has_address(&dc_veth.host, "100.66.78.1/28")
        },
    );
    let status = || ovh(&script, &serve.url, &["status"]);
    eventually(
        &*frr,
        "the l3 PoP session up",
        Duration::from_secs(60),
        || status() == r#"{"pop": "up"}"#,
    );
    assert_eq!(
        frr.session_state(ovh_ip).unwrap(),
        SessionState::Established
    );
    assert_eq!(ovh(&script, &serve.url, &["vrrp"]), "master");

    let datacenter: IpNet = DATACENTER_SUBNET.parse().unwrap();
    let routed: IpNet = STATIC_PREFIX.parse().unwrap();
    let received = || frr.received_routes(Family::Ipv4).unwrap_or_default();
    eventually(
        &*frr,
        "the datacenter subnet and the static route at FRR",
        Duration::from_secs(20),
        || {
            let r = received();
            r.contains(&datacenter) && r.contains(&routed)
        },
    );

    // Deleting the `network` extra withdraws its prefix; the datacenter subnet stays.
    assert_eq!(
        ovh(&script, &serve.url, &["delete-extra", &pop, &dc, &extra]),
        "ok"
    );
    eventually(
        &*frr,
        "the static route withdrawn",
        Duration::from_secs(20),
        || {
            let r = received();
            !r.contains(&routed) && r.contains(&datacenter)
        },
    );

    // A `bgp` extra: a session with the datacenter router; VRRP goes off.
    assert_eq!(ovh(&script, &serve.url, &["add-bgp", &pop, &dc]), "ok");
    eventually(
        &*dc_frr,
        "the bgp extra's session up",
        Duration::from_secs(60),
        || status() == r#"{"extra": "up", "pop": "up"}"#,
    );
    assert_eq!(
        dc_frr.session_state(gateway.into()).unwrap(),
        SessionState::Established
    );
    assert_eq!(ovh(&script, &serve.url, &["vrrp"]), "off");
    // Routes cross: the datacenter router's prefix reaches the PoP's router, and back.
    let dc_prefix: IpNet = "10.60.0.0/16".parse().unwrap();
    let onprem_prefix: IpNet = "10.50.0.0/16".parse().unwrap();
    eventually(
        &*frr,
        "the datacenter router's prefix at the PoP's router",
        Duration::from_secs(20),
        || received().contains(&dc_prefix),
    );
    eventually(
        &*dc_frr,
        "the PoP router's prefix at the datacenter router",
        Duration::from_secs(20),
        || {
            dc_frr
                .received_routes(Family::Ipv4)
                .is_ok_and(|r| r.contains(&onprem_prefix))
        },
    );

    // Deleting the PoP configuration takes the sessions and OVH's addresses away.
    assert_eq!(ovh(&script, &serve.url, &["delete-pop", &pop]), "[]");
    eventually(
        &*frr,
        "OVH's addresses gone from the host",
        Duration::from_secs(10),
        || {
            !host_has_address(&veth.host, "100.66.77.1/30")
                && !host_has_address(&dc_veth.host, "100.66.78.1/28")
        },
    );
    assert_eq!(status(), "{}");
}
