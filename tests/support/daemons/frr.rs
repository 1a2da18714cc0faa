//! FRR bgpd, run standalone: no zebra (`-Z`), no BGP listener (`-p 0`), no
//! TCP vty (`-P 0`), its vty socket in the temp dir for vtysh.

use super::{
    Daemon, Process, Setup, require_binary, run, temp_dir, version_of, wait_ready, write_file,
};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const BGPD: &str = "/usr/lib/frr/bgpd";
const VTYSH: &str = "/usr/bin/vtysh";

pub struct Frr {
    // Field order matters: the process dies before its directory goes.
    process: Process,
    dir: tempfile::TempDir,
    setup: Setup,
    version: String,
}

impl Frr {
    pub fn start(setup: &Setup) -> Result<Self, String> {
        let bgpd = require_binary(BGPD, "frr");
        require_binary(VTYSH, "frr");
        let version = version_of(&bgpd, &["--version"], "bgpd version")?;
        let dir = temp_dir("peerlab-frr-")?;
        let conf = dir.path().join("bgpd.conf");
        write_file(&conf, &config(setup))?;
        let mut cmd = Command::new(&bgpd);
        cmd.arg("-f")
            .arg(&conf)
            .arg("-i")
            .arg(dir.path().join("bgpd.pid"))
            .arg("--vty_socket")
            .arg(dir.path())
            .args(["-Z", "-n", "-p", "0", "-A", "127.0.0.1", "-P", "0"])
            // -S: stay root without the frr/frrvty user and group checks.
            .args(["-S", "--log", "stdout", "--log-level", "debugging"]);
        let mut process = Process::spawn("frr bgpd", cmd, &dir.path().join("bgpd.log"))?;
        // The vty socket shows up once the config has been read.
        wait_ready(&mut process, Duration::from_secs(10), || {
            vtysh(dir.path(), &["show bgp summary"])
        })?;
        Ok(Frr {
            process,
            dir,
            setup: setup.clone(),
            version,
        })
    }

    fn vtysh(&self, commands: &[&str]) -> Result<String, String> {
        vtysh(self.dir.path(), commands)
    }

    fn router_bgp(&self) -> String {
        format!("router bgp {}", self.setup.local_as)
    }
}

impl Daemon for Frr {
    fn version(&self) -> &str {
        &self.version
    }

    fn check_running(&mut self) -> Result<(), String> {
        self.process.check_running()
    }

    fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    fn withdraw(&mut self) -> Result<(), String> {
        let router = self.router_bgp();
        let mut commands = vec!["configure terminal".to_owned(), router];
        for ipv6 in [false, true] {
            commands.push(address_family(ipv6).to_owned());
            let gone = self.setup.routes(ipv6, true).filter(|r| r.withdrawn);
            commands.extend(gone.map(|r| format!("no network {}", r.prefix)));
            commands.push("exit-address-family".to_owned());
        }
        let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
        self.vtysh(&commands).map(drop)
    }

    fn shutdown_session(&mut self) -> Result<(), String> {
        let router = self.router_bgp();
        let shutdown = format!(
            "neighbor {} shutdown message peerlab golden",
            self.setup.peer_addr
        );
        self.vtysh(&["configure terminal", &router, &shutdown])
            .map(drop)
    }
}

/// Runs vtysh commands against the bgpd whose vty socket is in `dir` only.
fn vtysh(dir: &Path, commands: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new(VTYSH);
    cmd.arg("--vty_socket").arg(dir).args(["-d", "bgpd"]);
    for c in commands {
        cmd.args(["-c", c]);
    }
    run(&mut cmd)
}

fn address_family(ipv6: bool) -> &'static str {
    if ipv6 {
        "address-family ipv6 unicast"
    } else {
        "address-family ipv4 unicast"
    }
}

/// bgpd.conf: one eBGP neighbor that bgpd connects to on the recorder's
/// port, networks announced without zebra (`no bgp network import-check`),
/// and an outbound route-map per family tagging the `tagged` routes.
fn config(s: &Setup) -> String {
    let networks = |ipv6: bool| -> String {
        s.routes(ipv6, true)
            .map(|r| format!("  network {}\n", r.prefix))
            .collect()
    };
    format!(
        r#"hostname peerlab-frr
debug bgp neighbor-events
debug bgp updates
{route_map4}{route_map6}router bgp {local_as}
 bgp router-id {router_id}
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 timers bgp 3 9
 neighbor {peer} remote-as {peer_as}
 neighbor {peer} port {peer_port}
 neighbor {peer} timers connect 1
 neighbor {peer} advertisement-interval 0
 neighbor {peer} disable-connected-check
 address-family ipv4 unicast
{networks4}  neighbor {peer} activate
  neighbor {peer} route-map EXPORT4 out
 exit-address-family
 address-family ipv6 unicast
{networks6}  neighbor {peer} activate
  neighbor {peer} route-map EXPORT6 out
 exit-address-family
"#,
        route_map4 = route_map(s, false),
        route_map6 = route_map(s, true),
        local_as = s.local_as,
        router_id = s.router_id,
        peer = s.peer_addr,
        peer_as = s.peer_as,
        peer_port = s.peer_port,
        networks4 = networks(false),
        networks6 = networks(true),
    )
}

/// The outbound route-map of one family: the `tagged` routes get the
/// scenario's attributes, the others pass unchanged.
fn route_map(s: &Setup, ipv6: bool) -> String {
    let (ip, fam) = if ipv6 { ("ipv6", "6") } else { ("ip", "4") };
    let prefix_list: String = s
        .routes(ipv6, true)
        .filter(|r| r.tagged)
        .map(|r| format!("{ip} prefix-list TAGGED{fam} permit {}\n", r.prefix))
        .collect();
    format!(
        r#"{prefix_list}route-map EXPORT{fam} permit 10
 match {ip} address prefix-list TAGGED{fam}
 set community 65000:100 65000:200
 set extcommunity rt 65000:300
 set large-community {asn}:1:2
 set metric 50
 set as-path prepend {asn} {asn}
route-map EXPORT{fam} permit 20
"#,
        asn = s.local_as
    )
}
