//! Our VRRP speaker and FRR's vrrpd in one group, on a veth between two
//! namespaces: each follows the other's advertisements.
//!
//! 1. FRR (priority 200) is master; our speaker at 100 stays backup while
//!    it hears FRR.
//! 2. Our speaker at 254 preempts FRR: FRR goes to Backup, we hold the
//!    address.
//! 3. We stop cleanly (priority 0): FRR takes over.
//! 4. Our speaker at 100 is backup again; vrrpd is killed: we take over
//!    after Master_Down_Interval and hold the address.
//!
//! vrrpd holds the virtual addresses on macvlan devices with the virtual
//! MAC, which it expects to exist: the test creates `vrrp4-2-5` once vrrpd
//! runs, as FRR's documentation says to.
//!
//! Needs root and FRR (zebra, vrrpd, vtysh); a missing binary fails the
//! test.

mod common;

use common::wait_for;
use dataplane::vrrp::{Config, State};
use linux::Netns;
use linux::process::{Daemon, require_binary, run};
use linux::vrrp_speaker::Speaker;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const ZEBRA: &str = "/usr/lib/frr/zebra";
const VRRPD: &str = "/usr/lib/frr/vrrpd";
const VTYSH: &str = "/usr/bin/vtysh";
const VRID: u8 = 5;
const VIP: &str = "10.0.0.1";
/// FRR's `Status (v4)` for the VRID: `Master`, `Backup` or `Initialize`.
fn frr_state(dir: &Path) -> Option<String> {
    let show = format!("show vrrp {VRID}");
    let mut cmd = Command::new(VTYSH);
    cmd.arg("--vty_socket")
        .arg(dir)
        .args(["-d", "vrrpd", "-c", &show]);
    let out = run(&mut cmd).ok()?;
    out.lines()
        .find_map(|l| l.trim_start().strip_prefix("Status (v4)"))
        .map(|rest| rest.trim().to_owned())
}

fn has_vip(ns: &Netns) -> bool {
    ns.run("ip", ["-o", "-4", "addr", "show"])
        .is_ok_and(|out| out.contains(&format!(" {VIP}/")))
}

fn ours(ns: &Netns, priority: u8) -> Speaker {
    let mut config = Config::new(
        VRID,
        priority,
        "10.0.0.3".parse().unwrap(),
        vec![VIP.parse().unwrap()],
    );
    config.accept_mode = true;
    Speaker::start(ns, "v1", config).unwrap()
}

#[test]
fn our_speaker_and_frr_vrrpd_share_a_group() {
    for binary in [ZEBRA, VRRPD, VTYSH] {
        require_binary(binary, "frr");
    }
    let frr = Netns::create("vrrp-frr").unwrap();
    let peer = Netns::create("vrrp-ours").unwrap();
    let add = ["link", "add", "v0", "type", "veth", "peer", "name", "v1"];
    frr.run("ip", add.into_iter().chain(["netns", peer.name()]))
        .unwrap();
    for (ns, dev, addr) in [(&frr, "v0", "10.0.0.2/24"), (&peer, "v1", "10.0.0.3/24")] {
        ns.run("ip", ["addr", "add", addr, "dev", dev]).unwrap();
        ns.run("ip", ["link", "set", dev, "up"]).unwrap();
    }

    // zebra and vrrpd, as the frr user, their sockets in a private directory.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let id = |flag: &str| -> u32 {
        let out = run(Command::new("id").args([flag, "frr"])).unwrap();
        out.trim().parse().unwrap()
    };
    std::os::unix::fs::chown(&path, Some(id("-u")), Some(id("-g"))).unwrap();
    std::fs::write(path.join("zebra.conf"), "hostname interop\n").unwrap();
    let vrrpd_conf = format!(
        "hostname interop\ninterface v0\n vrrp {VRID} version 3\n vrrp {VRID} priority 200\n \
         vrrp {VRID} advertisement-interval 1000\n vrrp {VRID} ip {VIP}\n"
    );
    std::fs::write(path.join("vrrpd.conf"), vrrpd_conf).unwrap();
    let daemon = |name: &str, program: &str| {
        let mut cmd = frr.command(program);
        cmd.arg("-f")
            .arg(path.join(format!("{name}.conf")))
            .arg("-i")
            .arg(path.join(format!("{name}.pid")))
            .arg("-z")
            .arg(path.join("zserv.api"))
            .arg("--vty_socket")
            .arg(&path)
            .args(["-u", "frr", "-g", "frr", "-A", "127.0.0.1", "-P", "0"])
            .args(["--log", "stdout"]);
        let log = path.join(format!("{name}.log"));
        let daemon = Daemon::spawn(name, cmd, &log).unwrap();
        let socket = path.join(format!("{name}.vty"));
        wait_for(&format!("{name}'s vty socket"), || socket.exists());
        daemon
    };
    let _zebra = daemon("zebra", ZEBRA);
    let mut vrrpd = daemon("vrrpd", VRRPD);
    // The macvlan vrrpd holds the address on, with the virtual MAC.
    let mac = format!("00:00:5e:00:01:{VRID:02x}");
    let add = [
        "link",
        "add",
        "vrrp4-2-5",
        "link",
        "v0",
        "type",
        "macvlan",
        "mode",
        "bridge",
    ];
    frr.run("ip", add).unwrap();
    frr.run("ip", ["link", "set", "vrrp4-2-5", "address", &mac])
        .unwrap();
    frr.run("ip", ["link", "set", "vrrp4-2-5", "up"]).unwrap();
    wait_for("FRR becomes master", || {
        frr_state(&path).as_deref() == Some("Master")
    });

    // 1. FRR at 200 is master; we are backup at 100 and stay so.
    let since = Instant::now();
    let backup = ours(&peer, 100);
    wait_for("we hear three of FRR's advertisements", || {
        backup.received() >= 3
    });
    assert_eq!(backup.state(), State::Backup);
    assert_eq!(backup.became(State::Master, since), None);
    assert!(!has_vip(&peer));
    backup.stop();

    // 2. At 254 we preempt FRR.
    let preempting = ours(&peer, 254);
    wait_for("we become master", || preempting.state() == State::Master);
    wait_for("FRR steps down", || {
        frr_state(&path).as_deref() == Some("Backup")
    });
    assert!(has_vip(&peer));

    // 3. We stop cleanly: FRR takes over (after its Skew_Time).
    preempting.stop();
    assert!(!has_vip(&peer));
    wait_for("FRR takes over", || {
        frr_state(&path).as_deref() == Some("Master")
    });

    // 4. vrrpd dies while we are backup: we take over.
    let backup = ours(&peer, 100);
    wait_for("we hear FRR again", || backup.received() >= 2);
    let expected = backup.master_down_interval();
    let killed = Instant::now();
    vrrpd.kill();
    wait_for("we take over from the dead vrrpd", || {
        backup.became(State::Master, killed).is_some()
    });
    let took_over = backup.became(State::Master, killed).unwrap() - killed;
    assert!(has_vip(&peer));
    assert_eq!(backup.error(), None);
    println!("vrrpd killed: we took over after {took_over:?} (Master_Down_Interval {expected:?})");
    backup.stop();
}
