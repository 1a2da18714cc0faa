//! GoBGP: gobgpd with a TOML config (no listener: `port = -1`, gRPC API on
//! a unix socket in the temp dir), routes added with `gobgp global rib add`
//! before the recorder accepts the session, and a global export policy.

use super::{
    Daemon, Process, Route, Setup, require_binary, run, temp_dir, version_of, wait_ready,
    write_file,
};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const GOBGPD: &str = "/usr/bin/gobgpd";
const GOBGP: &str = "/usr/bin/gobgp";
const UNSHARE: &str = "/usr/bin/unshare";
/// Run by `sh -c` in the new UTS namespace; `$0 "$@"` is gobgpd and its
/// arguments, and `exec` keeps the pid, so killing it kills gobgpd.
const HOSTNAME_THEN_EXEC: &str = "hostname peerlab-gobgp && exec \"$0\" \"$@\"";

pub struct Gobgp {
    // Field order matters: the process dies before its directory goes.
    process: Process,
    dir: tempfile::TempDir,
    setup: Setup,
    version: String,
}

impl Gobgp {
    pub fn start(setup: &Setup) -> Result<Self, String> {
        let gobgpd = require_binary(GOBGPD, "gobgpd");
        require_binary(UNSHARE, "util-linux");
        require_binary(GOBGP, "gobgpd");
        let version = version_of(&gobgpd, &["--version"], "gobgpd version")?;
        let dir = temp_dir("peerlab-gobgp-")?;
        let conf = dir.path().join("gobgpd.toml");
        write_file(&conf, &config(setup))?;
        // GoBGP sends the host name (FQDN capability) in its OPEN: give it a
        // fixed one in a private UTS namespace, so recordings do not depend
        // on the machine.
        let mut cmd = Command::new(UNSHARE);
        cmd.args(["--uts", "--", "sh", "-c", HOSTNAME_THEN_EXEC])
            .arg(&gobgpd)
            .arg("-f")
            .arg(&conf)
            .arg(format!(
                "--api-hosts=unix://{}",
                dir.path().join("api.sock").display()
            ))
            .args(["--pprof-disable", "--log-plain", "--log-level=debug"]);
        let mut process = Process::spawn("gobgpd", cmd, &dir.path().join("gobgpd.log"))?;
        wait_ready(&mut process, Duration::from_secs(10), || {
            gobgp(dir.path(), &["global"])
        })?;
        // Before the recorder accepts: the session cannot be up yet, so all
        // routes are in the RIB when it comes up.
        for route in &setup.routes {
            gobgp(dir.path(), &rib("add", route))?;
        }
        Ok(Gobgp {
            process,
            dir,
            setup: setup.clone(),
            version,
        })
    }

    fn gobgp(&self, args: &[&str]) -> Result<String, String> {
        gobgp(self.dir.path(), args)
    }
}

/// Runs one gobgp command against the gobgpd whose API socket is in `dir`.
fn gobgp(dir: &Path, args: &[&str]) -> Result<String, String> {
    let mut cmd = Command::new(GOBGP);
    cmd.arg(format!(
        "--target=unix://{}",
        dir.join("api.sock").display()
    ))
    .args(args);
    run(&mut cmd)
}

/// `global rib add|del -a FAMILY PREFIX`.
fn rib(verb: &'static str, route: &Route) -> [&'static str; 6] {
    let family = if route.is_ipv6() { "ipv6" } else { "ipv4" };
    ["global", "rib", verb, "-a", family, route.prefix]
}

impl Daemon for Gobgp {
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
        for route in self.setup.routes.iter().filter(|r| r.withdrawn) {
            self.gobgp(&rib("del", route))?;
        }
        Ok(())
    }

    /// `shutdown` rather than `disable`: only it passes `--reason` on as the
    /// NOTIFICATION's shutdown communication (it warns that it is deprecated).
    fn shutdown_session(&mut self) -> Result<(), String> {
        let peer = self.setup.peer_addr.to_string();
        self.gobgp(&["neighbor", &peer, "shutdown", "--reason", "peerlab golden"])
            .map(drop)
    }
}

/// gobgpd.toml: global AS without a listener, one neighbor connecting to the
/// recorder's port with graceful restart (so that it sends End-of-RIB), and
/// an export policy tagging the `tagged` routes.
fn config(s: &Setup) -> String {
    let prefix_set = |ipv6: bool| -> String {
        s.routes(ipv6, true)
            .filter(|r| r.tagged)
            .map(|r| {
                format!(
                    "  [[defined-sets.prefix-sets.prefix-list]]\n    ip-prefix = \"{}\"\n",
                    r.prefix
                )
            })
            .collect()
    };
    format!(
        r#"[global.config]
  as = {local_as}
  router-id = "{router_id}"
  port = -1
[global.apply-policy.config]
  export-policy-list = ["peerlab-export"]
  default-export-policy = "accept-route"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "{peer_addr}"
    peer-as = {peer_as}
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
  [neighbors.transport.config]
    remote-port = {peer_port}
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true

[[defined-sets.prefix-sets]]
  prefix-set-name = "tagged4"
{tagged4}
[[defined-sets.prefix-sets]]
  prefix-set-name = "tagged6"
{tagged6}
[[policy-definitions]]
  name = "peerlab-export"
{statement4}{statement6}"#,
        local_as = s.local_as,
        router_id = s.router_id,
        peer_addr = s.peer_addr,
        peer_as = s.peer_as,
        peer_port = s.peer_port,
        tagged4 = prefix_set(false),
        tagged6 = prefix_set(true),
        statement4 = tagging_statement(s, "tagged4"),
        statement6 = tagging_statement(s, "tagged6"),
    )
}

/// A policy statement adding the scenario's attributes to routes in `set`.
fn tagging_statement(s: &Setup, set: &str) -> String {
    format!(
        r#"  [[policy-definitions.statements]]
    name = "{set}"
    [policy-definitions.statements.conditions.match-prefix-set]
      prefix-set = "{set}"
      match-set-options = "any"
    [policy-definitions.statements.actions]
      route-disposition = "accept-route"
    [policy-definitions.statements.actions.bgp-actions]
      set-med = "50"
    [policy-definitions.statements.actions.bgp-actions.set-as-path-prepend]
      as = "{asn}"
      repeat-n = 2
    [policy-definitions.statements.actions.bgp-actions.set-community]
      options = "add"
      [policy-definitions.statements.actions.bgp-actions.set-community.set-community-method]
        communities-list = ["65000:100", "65000:200"]
    [policy-definitions.statements.actions.bgp-actions.set-ext-community]
      options = "add"
      [policy-definitions.statements.actions.bgp-actions.set-ext-community.set-ext-community-method]
        communities-list = ["rt:65000:300"]
    [policy-definitions.statements.actions.bgp-actions.set-large-community]
      options = "add"
      [policy-definitions.statements.actions.bgp-actions.set-large-community.set-large-community-method]
        communities-list = ["{asn}:1:2"]
"#,
        asn = s.local_as
    )
}
