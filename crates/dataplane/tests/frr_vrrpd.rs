//! VRRP interoperability with FRR's vrrpd, for real: FRR runs in one network namespace, a veth
//! pair leads to a second one where the test listens and speaks.
//!
//! - FRR's IPv4 and IPv6 advertisements, captured with tcpdump, decode with our codec (checksum
//!   included) and re-encode to the same bytes.
//! - Advertisements our [`VirtualRouter`] emits, encoded by our codec and sent from a raw socket,
//!   make FRR step down to Backup (higher priority) and take over again (priority 0), so FRR
//!   accepts our checksum and follows our state machine's messages.
//!
//! Needs root, FRR (zebra, vrrpd, vtysh), iproute2, tcpdump and python3 (for the raw socket).
//! A missing tool fails the test; it never skips.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use dataplane::vrrp::{Action, Addresses, Advertisement, Config, Event, VirtualRouter};

const ZEBRA: &str = "/usr/lib/frr/zebra";
const VRRPD: &str = "/usr/lib/frr/vrrpd";
const VRID: u8 = 5;
/// How long to wait for FRR to do something, at most.
const PATIENCE: Duration = Duration::from_secs(30);

/// Runs a command; its stdout, or an error with its stderr.
fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {}: {}: {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn must(program: &str, args: &[&str]) -> String {
    run(program, args).unwrap_or_else(|e| panic!("{e}"))
}

/// Two namespaces, a veth between them, FRR on one side. Dropping it stops FRR and removes the
/// namespaces and files, also when a test fails.
struct Lab {
    frr: String,
    peer: String,
    dir: PathBuf,
    children: Vec<Child>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = run("ip", &["netns", "del", &self.frr]);
        let _ = run("ip", &["netns", "del", &self.peer]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Lab {
    /// FRR with `vrrp 5` (priority 200, one-second advertisements, 10.0.0.1 and 2001:db8::1)
    /// on v0 = 10.0.0.2/24; the peer side v1 = 10.0.0.3/24.
    fn start(name: &str) -> Lab {
        for program in [ZEBRA, VRRPD] {
            assert!(
                std::path::Path::new(program).exists(),
                "{program} is missing: install FRR (scripts/test.sh does)"
            );
        }
        let id = std::process::id();
        let mut lab = Lab {
            frr: format!("dpv-{name}-frr-{id}"),
            peer: format!("dpv-{name}-peer-{id}"),
            dir: std::env::temp_dir().join(format!("dataplane-vrrp-{name}-{id}")),
            children: Vec::new(),
        };
        let (frr, peer) = (lab.frr.clone(), lab.peer.clone());
        must("ip", &["netns", "add", &frr]);
        must("ip", &["netns", "add", &peer]);
        must(
            "ip",
            &[
                "link", "add", "dpv0", "netns", &frr, "type", "veth", "peer", "name", "dpv1",
                "netns", &peer,
            ],
        );
        let ipn = |ns: &str, args: &[&str]| {
            let mut all = vec!["-n", ns];
            all.extend_from_slice(args);
            must("ip", &all);
        };
        ipn(&frr, &["link", "set", "lo", "up"]);
        ipn(&frr, &["link", "set", "dpv0", "name", "v0"]);
        ipn(&frr, &["addr", "add", "10.0.0.2/24", "dev", "v0"]);
        ipn(&frr, &["link", "set", "v0", "up"]);
        ipn(&peer, &["link", "set", "lo", "up"]);
        ipn(&peer, &["link", "set", "dpv1", "name", "v1"]);
        ipn(&peer, &["addr", "add", "10.0.0.3/24", "dev", "v1"]);
        ipn(&peer, &["link", "set", "v1", "up"]);

        std::fs::create_dir_all(&lab.dir).unwrap();
        let dir = lab.dir.to_str().unwrap().to_owned();
        std::fs::write(lab.dir.join("zebra.conf"), "hostname dpv\n").unwrap();
        let vrrpd_conf = format!(
            "hostname dpv\ninterface v0\n vrrp {VRID} version 3\n vrrp {VRID} priority 200\n \
             vrrp {VRID} advertisement-interval 1000\n vrrp {VRID} ip 10.0.0.1\n \
             vrrp {VRID} ipv6 2001:db8::1\n"
        );
        std::fs::write(lab.dir.join("vrrpd.conf"), vrrpd_conf).unwrap();
        must("chown", &["-R", "frr:frr", &dir]);
        for (daemon, program) in [("zebra", ZEBRA), ("vrrpd", VRRPD)] {
            let child = Command::new("ip")
                .args(["netns", "exec", &frr, program])
                .args(["-f", &format!("{dir}/{daemon}.conf")])
                .args(["-i", &format!("{dir}/{daemon}.pid")])
                .args(["-z", &format!("{dir}/zserv.api")])
                .args(["--vty_socket", &dir])
                .args(["-u", "frr", "-g", "frr", "-A", "127.0.0.1", "-P", "0"])
                .args(["--log", &format!("file:{dir}/{daemon}.log")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{program}: {e}"));
            lab.children.push(child);
            let socket = lab.dir.join(format!("{daemon}.vty"));
            lab.wait(&format!("{daemon}'s vty socket"), || {
                socket.exists().then_some(())
            });
        }
        // vrrpd holds the virtual addresses on macvlan devices carrying the virtual MACs. It
        // looks for them when zebra reports them, so they appear once vrrpd runs.
        sleep(Duration::from_secs(2));
        for (dev, mac) in [
            ("vrrp4-2-5", "00:00:5e:00:01:05"),
            ("vrrp6-2-5", "00:00:5e:00:02:05"),
        ] {
            ipn(
                &frr,
                &[
                    "link", "add", dev, "link", "v0", "type", "macvlan", "mode", "bridge",
                ],
            );
            ipn(&frr, &["link", "set", dev, "address", mac]);
            ipn(&frr, &["link", "set", dev, "up"]);
        }
        lab
    }

    /// Polls `probe` every 100 ms until it answers, or fails after [`PATIENCE`].
    fn wait<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = probe() {
                return value;
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("vrrpd.log")).unwrap_or_default();
                panic!("timed out waiting for {what}; vrrpd.log:\n{log}");
            }
            sleep(Duration::from_millis(100));
        }
    }

    /// A field of `show vrrp VRID`, e.g. `Status (v4)` → `Master`, `Skew Time (v4)` → `210 ms`.
    fn frr_show(&self, field: &str) -> Option<String> {
        let dir = self.dir.to_str()?;
        let show = format!("show vrrp {VRID}");
        let out = run("vtysh", &["--vty_socket", dir, "-d", "vrrpd", "-c", &show]).ok()?;
        // " Status (v4)                             Master"
        out.lines()
            .find_map(|l| l.trim_start().strip_prefix(field))
            .map(|rest| rest.trim().to_owned())
    }

    /// FRR's IPv4 state for the VRID: "Master", "Backup" or "Initialize".
    fn frr_v4_state(&self) -> Option<String> {
        self.frr_show("Status (v4)")
    }
}

/// The VRRP messages of a pcap file (Ethernet link type), with their IP source addresses.
fn vrrp_in_pcap(bytes: &[u8]) -> Vec<(IpAddr, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 24; // global header
    while let Some(record) = bytes.get(at..at + 16) {
        let len = u32::from_le_bytes([record[8], record[9], record[10], record[11]]) as usize;
        let Some(frame) = bytes.get(at + 16..at + 16 + len) else {
            break;
        };
        at += 16 + len;
        let Some(ip) = frame.get(14..) else { continue };
        match frame.get(12..14) {
            Some([0x08, 0x00]) => {
                let ihl = usize::from(ip[0] & 0x0f) * 4;
                let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
                let src: [u8; 4] = ip[12..16].try_into().unwrap();
                if ip[9] == 112 {
                    out.push((IpAddr::from(src), ip[ihl..total].to_vec()));
                }
            }
            Some([0x86, 0xdd]) => {
                let payload = usize::from(u16::from_be_bytes([ip[4], ip[5]]));
                let src: [u8; 16] = ip[8..24].try_into().unwrap();
                if ip[6] == 112 {
                    out.push((IpAddr::from(src), ip[40..40 + payload].to_vec()));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn frr_advertisements_decode_and_reencode() {
    let lab = Lab::start("cap");
    lab.wait("FRR to become master", || {
        (lab.frr_v4_state()? == "Master").then_some(())
    });
    // Our state machine computes FRR's timers for the same configuration: priority 200, 100 cs.
    let ours = VirtualRouter::new(Config::new(
        VRID,
        200,
        "10.0.0.2".parse().unwrap(),
        vec!["10.0.0.1".parse().unwrap()],
    ))
    .unwrap();
    let ms = |d: Duration| format!("{} ms", d.as_millis());
    assert_eq!(lab.frr_show("Skew Time (v4)"), Some(ms(ours.skew_time())));
    assert_eq!(
        lab.frr_show("Master Down Interval (v4)"),
        Some(ms(ours.master_down_interval()))
    );
    let pcap = lab.dir.join("vrrp.pcap");
    let pcap_str = pcap.to_str().unwrap();
    // FRR advertises each family once a second: a few seconds give both.
    let filter = "ip proto 112 or ip6 proto 112";
    must(
        "ip",
        &[
            "netns", "exec", &lab.peer, "timeout", "30", "tcpdump", "-i", "v1", "-U", "-c", "6",
            "-w", pcap_str, filter,
        ],
    );
    let messages = vrrp_in_pcap(&std::fs::read(&pcap).unwrap());
    let mut families = (false, false);
    for (source, bytes) in &messages {
        let ad = Advertisement::decode(bytes, *source)
            .unwrap_or_else(|e| panic!("FRR's advertisement from {source} ({bytes:02x?}): {e}"));
        assert_eq!(ad.vrid, VRID);
        assert_eq!(ad.priority, 200);
        assert_eq!(ad.max_adver_int, 100);
        match &ad.addresses {
            Addresses::V4(a) => {
                families.0 = true;
                assert_eq!(a, &["10.0.0.1".parse::<std::net::Ipv4Addr>().unwrap()]);
            }
            Addresses::V6(a) => {
                families.1 = true;
                assert_eq!(a, &["2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap()]);
            }
        }
        assert_eq!(&ad.encode(*source).unwrap(), bytes);
    }
    assert_eq!(
        families,
        (true, true),
        "{} messages: {messages:02x?}",
        messages.len()
    );
}

/// Sends `bytes` as VRRP from the peer namespace, once a second, until the child is killed.
fn send_forever(lab: &Lab, bytes: &[u8]) -> Child {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let script = "import socket, sys, time\n\
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)\n\
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)\n\
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('10.0.0.3'))\n\
        p = bytes.fromhex(sys.argv[1])\n\
        while True:\n    s.sendto(p, ('224.0.0.18', 0))\n    time.sleep(1)\n";
    Command::new("ip")
        .args(["netns", "exec", &lab.peer, "python3", "-c", script, &hex])
        .spawn()
        .expect("python3")
}

#[test]
fn frr_follows_our_advertisements() {
    let mut lab = Lab::start("ctl");
    lab.wait("FRR to become master", || {
        (lab.frr_v4_state()? == "Master").then_some(())
    });

    // Our router, priority 250, starts and (hearing nobody better) becomes master.
    let source: IpAddr = "10.0.0.3".parse().unwrap();
    let mut config = Config::new(VRID, 250, source, vec!["10.0.0.1".parse().unwrap()]);
    config.advertisement_interval = 100;
    let mut ours = VirtualRouter::new(config).unwrap();
    let mut actions = ours.handle(Duration::ZERO, Event::Startup);
    actions.extend(ours.poll(ours.next_deadline().unwrap()));
    let Some(Action::Send(hello)) = actions.iter().find(|a| matches!(a, Action::Send(_))) else {
        panic!("no advertisement in {actions:?}");
    };
    let sender = send_forever(&lab, &hello.encode(source).unwrap());
    lab.children.push(sender);
    lab.wait("FRR to step down to Backup", || {
        (lab.frr_v4_state()? == "Backup").then_some(())
    });

    // Our router shuts down: its priority-0 advertisement makes FRR take over after Skew_Time.
    if let Some(mut sender) = lab.children.pop() {
        let _ = sender.kill();
        let _ = sender.wait();
    }
    let goodbye = ours.handle(Duration::from_secs(5), Event::Shutdown);
    let Some(Action::Send(goodbye)) = goodbye.first() else {
        panic!("no goodbye in {goodbye:?}");
    };
    assert_eq!(goodbye.priority, 0);
    let sender = send_forever(&lab, &goodbye.encode(source).unwrap());
    lab.children.push(sender);
    lab.wait("FRR to become master again", || {
        (lab.frr_v4_state()? == "Master").then_some(())
    });
}
