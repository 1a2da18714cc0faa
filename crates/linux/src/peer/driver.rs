//! What every driver is and shares: the [`Peer`] trait, the session states the daemons report
//! ([`SessionState`]), and the plumbing of running a daemon (its temporary directory, its files,
//! waiting for its control socket, reading its JSON, appending a raw configuration snippet).

use super::config::{Family, PeerConfig, PeerKind};
use crate::process::Daemon;
use crate::{Error, Result};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::net::IpAddr;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

/// A BGP session's state, in RFC 4271 §8.2.2's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionState {
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
}

impl SessionState {
    /// Parses a state as the daemons spell it (`Established`, `OpenSent`,
    /// `ESTABLISHED`, `open_sent` …); BIRD's `Close` is `Idle`.
    pub fn parse(text: &str) -> Option<SessionState> {
        let key: String = text
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match key.as_str() {
            "idle" | "close" | "clearing" | "deleted" => SessionState::Idle,
            "connect" => SessionState::Connect,
            "active" => SessionState::Active,
            "opensent" => SessionState::OpenSent,
            "openconfirm" => SessionState::OpenConfirm,
            "established" => SessionState::Established,
            _ => return None,
        })
    }
}

/// A customer router in a namespace, driven through its CLI.
pub trait Peer: fmt::Debug + Send {
    /// Which daemon this is.
    fn kind(&self) -> PeerKind;

    /// The configuration, announcements included as last set.
    fn config(&self) -> &PeerConfig;

    /// Whether the daemon is running.
    fn is_running(&mut self) -> bool;

    /// Kills the daemon with SIGKILL: a crash, its sessions drop without a
    /// NOTIFICATION.
    fn stop(&mut self) -> Result<()>;

    /// Starts the daemon again (after [`Peer::stop`], or kills and starts
    /// it), with the current configuration and announcements.
    fn restart(&mut self) -> Result<()>;

    /// The state of the session with `neighbour`.
    fn session_state(&self, neighbour: IpAddr) -> Result<SessionState>;

    /// The routes of `family` the router learned (and accepted) from its
    /// neighbours, its own announcements left out.
    fn received_routes(&self, family: Family) -> Result<BTreeSet<IpNet>>;

    /// Replaces what the router announces, at run time (no restart).
    fn set_announced(&mut self, v4: &[Ipv4Net], v6: &[Ipv6Net]) -> Result<()>;

    /// Shuts the session with `neighbour` down administratively, at run time: a Cease
    /// NOTIFICATION (Administrative Shutdown) carrying `message` as its shutdown communication
    /// (RFC 9003). The session stays down until the router restarts.
    fn shutdown_session(&mut self, neighbour: IpAddr, message: &str) -> Result<()>;

    /// The daemon's version as it reports it (`8.4.4`).
    fn version(&self) -> Result<String>;

    /// The end of the daemon's log, for error messages.
    fn log_tail(&self) -> String;

    /// The daemon's CLI with the arguments that reach this instance (its control socket), to
    /// which a user's arguments are appended: `vtysh --vty_socket DIR`, `birdc -s SOCKET`,
    /// `gobgp --target=unix://SOCKET`. Run it inside the router's namespace.
    fn cli(&self) -> Vec<String>;
}

/// Appends a topology's raw configuration snippet, on lines of its own.
pub(super) fn append_raw(out: &mut String, raw: &str) {
    if raw.trim().is_empty() {
        return;
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(raw);
    if !raw.ends_with('\n') {
        out.push('\n');
    }
}

/// A temporary directory for a daemon's config, sockets and log.
pub(super) fn temp_dir(kind: PeerKind) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("peerlab-{kind}-"))
        .tempdir()
        .map_err(|e| Error::io("cannot create a temporary directory", e))
}

pub(super) fn write_file(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// Removes a stale control socket before a restart (some daemons refuse to
/// bind over one).
pub(super) fn remove_stale(path: &Path) {
    let _ = fs::remove_file(path);
}

/// A JSON document from a daemon's CLI.
pub(super) fn parse_json(what: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| Error::parse(what, format!("{e}: {text}")))
}

/// `text` as a prefix of `family`.
pub(super) fn parse_prefix(text: &str, family: Family) -> Option<IpNet> {
    let net: IpNet = text.parse().ok()?;
    let matches = match net {
        IpNet::V4(_) => family == Family::Ipv4,
        IpNet::V6(_) => family == Family::Ipv6,
    };
    matches.then_some(net)
}

/// The version a daemon's `binary ARGS` prints on the line starting with `prefix` (`bgpd
/// version 8.4.4` → `8.4.4`).
pub(super) fn version_of(binary: &str, args: &[&str], prefix: &str) -> Result<String> {
    let what = format!("{binary} {}", args.join(" "));
    let text = crate::process::run(std::process::Command::new(binary).args(args))?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| Error::parse(&what, format!("no {prefix:?} line: {text}")))
}

/// How long a daemon may take to answer on its control socket.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// Polls `probe` (a CLI command) until it succeeds; fails at once, with
/// the end of the log, if the daemon exits meanwhile.
pub(super) fn wait_ready<T>(
    daemon: &mut Daemon,
    what: &str,
    mut probe: impl FnMut() -> Result<T>,
) -> Result<T> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        daemon.check_running()?;
        match probe() {
            Ok(value) => return Ok(value),
            Err(e) if Instant::now() >= deadline => {
                return Err(Error::Timeout {
                    what: what.to_owned(),
                    timeout: READY_TIMEOUT,
                    last: e.to_string(),
                });
            }
            Err(_) => thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Stops a daemon if it runs.
pub(super) fn kill(process: &mut Option<Daemon>) {
    if let Some(mut daemon) = process.take() {
        daemon.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_as_the_daemons_spell_them() {
        assert_eq!(
            SessionState::parse("Established"),
            Some(SessionState::Established)
        );
        assert_eq!(
            SessionState::parse("ESTABLISHED"),
            Some(SessionState::Established)
        );
        assert_eq!(
            SessionState::parse("OpenSent"),
            Some(SessionState::OpenSent)
        );
        assert_eq!(
            SessionState::parse("open_confirm"),
            Some(SessionState::OpenConfirm)
        );
        assert_eq!(SessionState::parse("Close"), Some(SessionState::Idle));
        assert_eq!(SessionState::parse("Passive?"), None);
    }

    #[test]
    fn appending_keeps_lines_apart() {
        let mut out = "a".to_string();
        append_raw(&mut out, "b");
        assert_eq!(out, "a\nb\n");
        append_raw(&mut out, "  \n");
        assert_eq!(out, "a\nb\n");
    }
}
