//! The recorded scenario, the same for every daemon:
//!
//! 1. the daemon (AS 4200000001) connects to the recorder (AS 65000, eBGP)
//!    and they exchange OPENs;
//! 2. the daemon announces three IPv4 and two IPv6 routes; the `tagged` ones
//!    carry communities, an extended community (route target), a large
//!    community, MED 50 and its own AS prepended twice; then it sends the
//!    End-of-RIB marker of both families (all three daemons do, as the
//!    recorder offers graceful restart and GoBGP has it enabled);
//! 3. after all routes and the End-of-RIB markers arrived, one IPv4 and one
//!    IPv6 route are removed from the daemon, which withdraws them;
//! 4. the session is shut down administratively: a Cease NOTIFICATION.
//!
//! The daemon runs with its driver ([`linux::peer`]) in a namespace of its own, wired to the
//! recorder in this process by a [`Link`]: its one session carries both families, and its
//! export policy tags the `tagged` routes.
//!
//! Every step waits with a deadline, so a misbehaving daemon fails the test
//! instead of hanging it.

use super::golden;
use super::recorder::Recorder;
use super::wire::{self, OpenParams, Update};
use ipnet::IpNet;
use linux::peer::{self, ExportTags, Neighbour, Peer, PeerConfig, PeerKind};
use linux::{Link, LinkConfig, Netns};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

pub const DAEMON_AS: u32 = 4_200_000_001;
pub const RECORDER_AS: u32 = 65000;
/// Deadline of each step of the scenario.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// One route the daemon originates. `tagged` routes go through the export policy that adds
/// communities, MED and an AS-path prepend; `withdrawn` routes are removed in the middle of the
/// scenario.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub prefix: &'static str,
    pub tagged: bool,
    pub withdrawn: bool,
}

impl Route {
    fn net(&self) -> IpNet {
        self.prefix
            .parse()
            .expect("the scenario's prefixes are valid")
    }
}

/// The routes the daemon originates.
pub const ROUTES: [Route; 5] = [
    Route {
        prefix: "10.1.0.0/16",
        tagged: true,
        withdrawn: false,
    },
    Route {
        prefix: "10.2.0.0/16",
        tagged: true,
        withdrawn: false,
    },
    Route {
        prefix: "10.3.1.0/24",
        tagged: false,
        withdrawn: true,
    },
    Route {
        prefix: "2001:db8:1::/48",
        tagged: true,
        withdrawn: false,
    },
    Route {
        prefix: "2001:db8:2::/48",
        tagged: false,
        withdrawn: true,
    },
];

/// Whether the recorder offers the 4-octet AS capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsMode {
    FourOctet,
    /// The recorder is an old 2-octet speaker: the daemon must send AS_TRANS
    /// and AS4_PATH.
    TwoOctet,
}

/// One daemon's recorded session.
#[derive(Debug)]
pub struct Capture {
    pub kind: PeerKind,
    pub mode: AsMode,
    /// The daemon's version, e.g. "8.4.4".
    pub version: String,
    pub messages: Vec<Vec<u8>>,
}

impl Capture {
    /// "frr" or "frr-as2": the golden file's stem.
    pub fn name(&self) -> String {
        file_stem(self.kind, self.mode)
    }
}

pub fn file_stem(kind: PeerKind, mode: AsMode) -> String {
    match mode {
        AsMode::FourOctet => kind.name().to_owned(),
        AsMode::TwoOctet => format!("{}-as2", kind.name()),
    }
}

/// Runs the scenario against a fresh daemon of `kind`.
pub fn record(kind: PeerKind, mode: AsMode) -> Result<Capture, String> {
    assert_root();
    let name = file_stem(kind, mode);
    let ns = Netns::create(&format!("golden-{name}")).map_err(|e| e.to_string())?;
    let config = LinkConfig::new(2001).map_err(|e| e.to_string())?;
    let link = Link::create(None, &ns, &config).map_err(|e| e.to_string())?;
    let recorder_addr = link.config().addressing.scw_ipv4.addr();
    let mut recorder = Recorder::bind(
        recorder_addr,
        OpenParams {
            my_as: RECORDER_AS,
            hold_time: 9,
            bgp_id: [192, 0, 2, 254],
            four_octet_as: mode == AsMode::FourOctet,
        },
    )
    .map_err(|e| format!("cannot bind the recorder: {e}"))?;
    let config = daemon_config(kind, &link, recorder.addr().port());
    let mut daemon = peer::start(kind, &ns, &config).map_err(|e| e.to_string())?;
    let result = drive(&mut recorder, daemon.as_mut(), recorder_addr.into());
    let messages = recorder.messages();
    result.map_err(|e| {
        let seen: Vec<String> = messages.iter().map(|m| golden::describe(m)).collect();
        format!(
            "{e}\n--- recorded so far ---\n{}\n--- daemon log ---\n{}",
            seen.join("\n"),
            daemon.log_tail()
        )
    })?;
    Ok(Capture {
        kind,
        mode,
        version: daemon.version().map_err(|e| e.to_string())?,
        messages,
    })
}

/// The daemon of the scenario: AS 4200000001, router ID 192.0.2.1, one eBGP session to the
/// recorder (at the link's Scaleway address, on `port`) carrying IPv4 and IPv6, every route of
/// [`ROUTES`] announced and the `tagged` ones tagged, graceful restart on (so that GoBGP sends
/// End-of-RIB).
fn daemon_config(kind: PeerKind, link: &Link, port: u16) -> PeerConfig {
    let addressing = link.config().addressing;
    let mut config = PeerConfig::interlink(DAEMON_AS, &addressing);
    config.name = format!("peerlab-{}", kind.name());
    config.router_id = Ipv4Addr::new(192, 0, 2, 1);
    config.neighbours = vec![Neighbour {
        address: addressing.scw_ipv4.addr().into(),
        asn: RECORDER_AS,
    }];
    config.neighbour_port = port;
    config.multiprotocol = true;
    config.graceful_restart = true;
    (config.announce_v4, config.announce_v6) = announced_routes(|_| true);
    config.export_tags = ExportTags {
        prefixes: ROUTES.iter().filter(|r| r.tagged).map(Route::net).collect(),
        communities: vec![(65000, 100), (65000, 200)],
        route_targets: vec![(65000, 300)],
        large_communities: vec![(DAEMON_AS, 1, 2)],
        med: Some(50),
        prepend: 2,
    };
    config
}

/// The routes of [`ROUTES`] that `keep` keeps, by family.
fn announced_routes(keep: impl Fn(&Route) -> bool) -> (Vec<ipnet::Ipv4Net>, Vec<ipnet::Ipv6Net>) {
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for route in ROUTES.iter().filter(|r| keep(r)) {
        match route.net() {
            IpNet::V4(n) => v4.push(n),
            IpNet::V6(n) => v6.push(n),
        }
    }
    (v4, v6)
}

/// Fails, with the end of its log, once the daemon is no longer running.
fn check_running(daemon: &mut dyn Peer) -> Result<(), String> {
    if daemon.is_running() {
        Ok(())
    } else {
        Err(format!(
            "{} is not running; end of its log:\n{}",
            daemon.kind(),
            daemon.log_tail()
        ))
    }
}

/// Steps 1 to 4 of the module documentation.
fn drive(recorder: &mut Recorder, daemon: &mut dyn Peer, neighbour: IpAddr) -> Result<(), String> {
    recorder.accept(STEP_TIMEOUT, || check_running(daemon))?;
    let everything: BTreeSet<String> = ROUTES.iter().map(|r| r.prefix.to_owned()).collect();
    recorder.wait_for("all routes and End-of-RIB", STEP_TIMEOUT, |msgs| {
        announced(msgs).is_superset(&everything)
            && has_ipv4_end_of_rib(msgs)
            && has_ipv6_end_of_rib(msgs)
    })?;
    let (v4, v6) = announced_routes(|r| !r.withdrawn);
    daemon.set_announced(&v4, &v6).map_err(|e| e.to_string())?;
    let gone: BTreeSet<String> = ROUTES
        .iter()
        .filter(|r| r.withdrawn)
        .map(|r| r.prefix.to_owned())
        .collect();
    recorder.wait_for("withdrawals", STEP_TIMEOUT, |msgs| {
        withdrawn(msgs).is_superset(&gone)
    })?;
    daemon
        .shutdown_session(neighbour, "peerlab golden")
        .map_err(|e| e.to_string())?;
    recorder.wait_closed(STEP_TIMEOUT)
}

fn updates(msgs: &[Vec<u8>]) -> impl Iterator<Item = Update<'_>> {
    msgs.iter().filter_map(|m| Update::parse(m).ok())
}

/// Every prefix announced so far.
pub fn announced(msgs: &[Vec<u8>]) -> BTreeSet<String> {
    updates(msgs).flat_map(|u| u.announced()).collect()
}

/// Every prefix withdrawn so far.
pub fn withdrawn(msgs: &[Vec<u8>]) -> BTreeSet<String> {
    updates(msgs).flat_map(|u| u.withdrawn_prefixes()).collect()
}

pub fn has_ipv4_end_of_rib(msgs: &[Vec<u8>]) -> bool {
    updates(msgs).any(|u| u.is_ipv4_end_of_rib())
}

pub fn has_ipv6_end_of_rib(msgs: &[Vec<u8>]) -> bool {
    updates(msgs).any(|u| u.mp_end_of_rib() == Some((wire::AFI_IPV6, wire::SAFI_UNICAST)))
}

/// The daemons are started as root (FRR is told `-u root`, BIRD and GoBGP
/// need no other user); say so plainly instead of failing obscurely.
fn assert_root() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .unwrap_or("?");
    assert_eq!(
        euid, "0",
        "the golden capture tests start routing daemons and must run as root"
    );
}
