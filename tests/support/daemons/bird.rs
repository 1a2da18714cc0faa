//! BIRD 2: static protocols originate the routes, a BGP protocol with
//! per-channel export filters connects to the recorder. BIRD always listens
//! for its BGP protocols, so it gets its own address (127.0.0.2) and a port
//! that was free a moment ago, never 179.

use super::{
    Daemon, Process, Setup, free_port, require_binary, run, temp_dir, version_of, wait_ready,
    write_file,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const BIRD: &str = "/usr/sbin/bird";
const BIRDC: &str = "/usr/sbin/birdc";
/// BIRD's own address on the loopback.
const LOCAL_ADDR: &str = "127.0.0.2";
/// The name of the BGP protocol in the config.
const PROTOCOL: &str = "recorder";

pub struct Bird {
    // Field order matters: the process dies before its directory goes.
    process: Process,
    dir: tempfile::TempDir,
    setup: Setup,
    listen_port: u16,
    version: String,
}

impl Bird {
    pub fn start(setup: &Setup) -> Result<Self, String> {
        let bird = require_binary(BIRD, "bird2");
        require_binary(BIRDC, "bird2");
        let version = version_of(&bird, &["--version"], "BIRD version")?;
        let dir = temp_dir("peerlab-bird-")?;
        let listen_port = free_port()?;
        let conf = dir.path().join("bird.conf");
        write_file(&conf, &config(setup, listen_port, true))?;
        let mut cmd = Command::new(&bird);
        cmd.arg("-f")
            .arg("-c")
            .arg(&conf)
            .arg("-s")
            .arg(dir.path().join("bird.ctl"))
            .arg("-P")
            .arg(dir.path().join("bird.pid"));
        let mut process = Process::spawn("bird", cmd, &dir.path().join("bird.log"))?;
        wait_ready(&mut process, Duration::from_secs(10), || {
            birdc(dir.path(), &["show", "status"])
        })?;
        Ok(Bird {
            process,
            dir,
            setup: setup.clone(),
            listen_port,
            version,
        })
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("bird.conf")
    }

    fn birdc(&self, args: &[&str]) -> Result<String, String> {
        birdc(self.dir.path(), args)
    }
}

/// Runs one birdc command against the BIRD whose socket is in `dir`.
fn birdc(dir: &Path, args: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new(BIRDC);
    cmd.arg("-s").arg(dir.join("bird.ctl")).args(args);
    run(&mut cmd)
}

impl Daemon for Bird {
    fn version(&self) -> &str {
        &self.version
    }

    fn check_running(&mut self) -> Result<(), String> {
        self.process.check_running()
    }

    fn log_tail(&self) -> String {
        self.process.log_tail()
    }

    /// Rewrites the config without the withdrawn routes and reloads it.
    fn withdraw(&mut self) -> Result<(), String> {
        write_file(&self.conf(), &config(&self.setup, self.listen_port, false))?;
        let out = self.birdc(&["configure"])?;
        if out.contains("Reconfigured") || out.contains("Reconfiguration in progress") {
            Ok(())
        } else {
            Err(format!("birdc configure did not reconfigure: {out}"))
        }
    }

    fn shutdown_session(&mut self) -> Result<(), String> {
        self.birdc(&["disable", PROTOCOL, "\"peerlab golden\""])
            .map(drop)
    }
}

/// bird.conf: static routes per family, one BGP protocol to the recorder
/// with an export filter per channel.
fn config(s: &Setup, listen_port: u16, include_withdrawn: bool) -> String {
    let statics = |ipv6: bool| -> String {
        s.routes(ipv6, include_withdrawn)
            .map(|r| format!("  route {} blackhole;\n", r.prefix))
            .collect()
    };
    format!(
        r#"log stderr all;
router id {router_id};
protocol device {{}}
protocol static static_ipv4 {{
  ipv4;
{static4}}}
protocol static static_ipv6 {{
  ipv6;
{static6}}}
protocol bgp {PROTOCOL} {{
  local {LOCAL_ADDR} port {listen_port} as {local_as};
  neighbor {peer_addr} port {peer_port} as {peer_as};
  multihop;
  strict bind yes;
  hold time 9;
  keepalive time 3;
  connect delay time 1;
  connect retry time 1;
  ipv4 {{
    import none;
    export filter {{
{tagging4}      accept;
    }};
  }};
  ipv6 {{
    import none;
    # There is no IPv6 address on an IPv4 session: say which next hop to send.
    next hop address 2001:db8:ffff::2;
    export filter {{
{tagging6}      accept;
    }};
  }};
}}
"#,
        router_id = s.router_id,
        static4 = statics(false),
        static6 = statics(true),
        local_as = s.local_as,
        peer_addr = s.peer_addr,
        peer_port = s.peer_port,
        peer_as = s.peer_as,
        tagging4 = tagging(s, false),
        tagging6 = tagging(s, true),
    )
}

/// The part of an export filter that tags the `tagged` routes of a family.
fn tagging(s: &Setup, ipv6: bool) -> String {
    let set: Vec<&str> = s
        .routes(ipv6, true)
        .filter(|r| r.tagged)
        .map(|r| r.prefix)
        .collect();
    format!(
        r#"      if net ~ [ {set} ] then {{
        bgp_community.add((65000, 100));
        bgp_community.add((65000, 200));
        bgp_ext_community.add((rt, 65000, 300));
        bgp_large_community.add(({asn}, 1, 2));
        bgp_med = 50;
        bgp_path.prepend({asn});
        bgp_path.prepend({asn});
      }}
"#,
        set = set.join(", "),
        asn = s.local_as
    )
}
