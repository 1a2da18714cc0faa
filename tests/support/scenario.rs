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
//! Every step waits with a deadline, so a misbehaving daemon fails the test
//! instead of hanging it.

use super::daemons::{self, Daemon, Kind, Route, Setup};
use super::golden;
use super::recorder::Recorder;
use super::wire::{self, OpenParams, Update};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::Duration;

pub const DAEMON_AS: u32 = 4_200_000_001;
pub const RECORDER_AS: u32 = 65000;
/// Deadline of each step of the scenario.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

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
    pub kind: Kind,
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

pub fn file_stem(kind: Kind, mode: AsMode) -> String {
    match mode {
        AsMode::FourOctet => kind.name().to_owned(),
        AsMode::TwoOctet => format!("{}-as2", kind.name()),
    }
}

/// Runs the scenario against a fresh daemon of `kind`.
pub fn record(kind: Kind, mode: AsMode) -> Result<Capture, String> {
    assert_root();
    let mut recorder = Recorder::bind(OpenParams {
        my_as: RECORDER_AS,
        hold_time: 9,
        bgp_id: [192, 0, 2, 254],
        four_octet_as: mode == AsMode::FourOctet,
    })
    .map_err(|e| format!("cannot bind the recorder: {e}"))?;
    let setup = Setup {
        local_as: DAEMON_AS,
        router_id: Ipv4Addr::new(192, 0, 2, 1),
        peer_as: RECORDER_AS,
        peer_addr: Ipv4Addr::LOCALHOST,
        peer_port: recorder.addr().port(),
        routes: ROUTES.to_vec(),
    };
    let mut daemon = daemons::start(kind, &setup)?;
    let result = drive(&mut recorder, daemon.as_mut());
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
        version: daemon.version().to_owned(),
        messages,
    })
}

/// Steps 1 to 4 of the module documentation.
fn drive(recorder: &mut Recorder, daemon: &mut dyn Daemon) -> Result<(), String> {
    recorder.accept(STEP_TIMEOUT, || daemon.check_running())?;
    let everything: BTreeSet<String> = ROUTES.iter().map(|r| r.prefix.to_owned()).collect();
    recorder.wait_for("all routes and End-of-RIB", STEP_TIMEOUT, |msgs| {
        announced(msgs).is_superset(&everything)
            && has_ipv4_end_of_rib(msgs)
            && has_ipv6_end_of_rib(msgs)
    })?;
    daemon.withdraw()?;
    let gone: BTreeSet<String> = ROUTES
        .iter()
        .filter(|r| r.withdrawn)
        .map(|r| r.prefix.to_owned())
        .collect();
    recorder.wait_for("withdrawals", STEP_TIMEOUT, |msgs| {
        withdrawn(msgs).is_superset(&gone)
    })?;
    daemon.shutdown_session()?;
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
