//! The embedded router (`kind = "embedded"`): peerlab's own BGP speaker, standing in for the
//! customer's router without root, daemons or sockets.
//!
//! For each session the provider opens to it (one per link and family), it runs a
//! `bgp-session` driver over the in-memory stream it is handed, announces its `announce`
//! prefixes of that family once Established (through an Adj-RIB-Out, with its AS prepended and
//! its link address as next hop), and keeps what it learns in an Adj-RIB-In that accepts
//! everything but AS_PATH loops (a path holding its own AS, RFC 4271 §9.1.2, as a real router
//! without `allowas-in`). Stopping it sends a Cease on every session and refuses new
//! connections until it is started again.
//!
//! The streams it is handed are in-memory pipes ([`super::wiring`]) when every router is
//! embedded, and TCP connections in its own namespace when the topology also has daemons
//! ([`super::embedded_tcp`]).
//!
//! Not here: best-path selection across links, forwarding, or announcing anything but its
//! configured prefixes.

use bgp_session::driver::{self, BoxStream, DriverConfig, PeerHandle, SessionEvent};
use bgp_session::{SessionConfig, State, StopReason};
use bgp_wire::Safi;
use bgp_wire::attribute::NextHop;
use engine::Family;
use ipnet::IpNet;
use rib::{AdjRibIn, AdjRibOut, PathAttributes, PeerId, Route, RoutingPolicy, packing};
use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::mpsc;

/// Scaleway's AS, the only peer an InterLink customer router has.
const PROVIDER_ASN: u32 = provider::catalogue::SCALEWAY_ASN;

/// What one session of the router looks like from outside.
#[derive(Clone, Debug, Default)]
struct SessionView {
    state: Option<State>,
    learned: BTreeSet<IpNet>,
}

/// The router's sessions, by link and family.
type Views = Arc<Mutex<HashMap<(String, Family), SessionView>>>;

/// One embedded router.
#[derive(Debug)]
pub struct EmbeddedRouter {
    name: String,
    asn: u32,
    router_id: Ipv4Addr,
    announce: Vec<IpNet>,
    running: Mutex<bool>,
    views: Views,
    /// Commands to each session's task.
    sessions: Mutex<HashMap<(String, Family), mpsc::UnboundedSender<Command>>>,
    /// The provider's AS number per link where it is not Scaleway's (OVH's `ovhBgpArea`).
    peer_asns: Mutex<HashMap<String, u32>>,
    /// The hold time it proposes, when not the session's default (namespace mode: the one
    /// the daemons are configured with, so a pulled cable ends its sessions as theirs).
    hold_time: Mutex<Option<u16>>,
}

impl EmbeddedRouter {
    /// A router that is running and has no session yet.
    pub fn new(name: &str, asn: u32, router_id: Ipv4Addr, announce: Vec<IpNet>) -> Self {
        Self {
            name: name.to_string(),
            asn,
            router_id,
            announce,
            running: Mutex::new(true),
            views: Views::default(),
            sessions: Mutex::new(HashMap::new()),
            peer_asns: Mutex::new(HashMap::new()),
            hold_time: Mutex::new(None),
        }
    }

    /// The hold time (seconds) its new sessions propose.
    pub fn set_hold_time(&self, seconds: u16) {
        *lock(&self.hold_time) = Some(seconds);
    }

    /// Its name in the topology.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The provider's AS number on `link`'s sessions (default Scaleway's).
    pub fn set_peer_asn(&self, link: &str, asn: u32) {
        lock(&self.peer_asns).insert(link.to_string(), asn);
    }

    /// Whether it accepts connections.
    pub fn is_running(&self) -> bool {
        *lock(&self.running)
    }

    /// Takes a connection the provider opened on `link`'s `family` session; `local` is the
    /// router's address on that session. Refused (`false`) while the router is stopped.
    pub fn accept(&self, link: &str, family: Family, local: IpAddr, stream: BoxStream) -> bool {
        if !self.is_running() {
            return false;
        }
        let key = (link.to_string(), family);
        let mut sessions = lock(&self.sessions);
        let commands = match sessions.get(&key) {
            Some(commands) if !commands.is_closed() => commands.clone(),
            _ => match self.spawn_session(&key, local) {
                Some(commands) => {
                    sessions.insert(key, commands.clone());
                    commands
                }
                None => return false,
            },
        };
        // A session stopped with the router is Idle: ManualStart makes it wait again.
        commands
            .send(Command::Session(driver::Command::Start))
            .is_ok()
            && commands.send(Command::Accept(stream)).is_ok()
    }

    /// Starts the task of a new session.
    fn spawn_session(
        &self,
        key: &(String, Family),
        local: IpAddr,
    ) -> Option<mpsc::UnboundedSender<Command>> {
        let family = key.1;
        let peer_asn = lock(&self.peer_asns)
            .get(&key.0)
            .copied()
            .unwrap_or(PROVIDER_ASN);
        let mut session = SessionConfig::new(self.asn, peer_asn, self.router_id);
        session.passive = true;
        if let Some(hold_time) = *lock(&self.hold_time) {
            session.hold_time = hold_time;
        }
        session.families = vec![(family.afi(), Safi::UNICAST)];
        // The provider's side is a name only: connections come in through `accept`.
        let mut config = DriverConfig::new(session, SocketAddr::new(local, 179));
        config.name = format!("{}/{}/{}", self.name, key.0, family.name());
        let handle = match driver::spawn(config) {
            Ok(handle) => handle,
            Err(error) => {
                tracing::warn!(router = %self.name, %error, "cannot start a session");
                return None;
            }
        };
        handle.send(driver::Command::Start).ok();
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let announce: Vec<IpNet> = self
            .announce
            .iter()
            .copied()
            .filter(|p| {
                matches!(
                    (p, family),
                    (IpNet::V4(_), Family::Ipv4) | (IpNet::V6(_), Family::Ipv6)
                )
            })
            .collect();
        let task = SessionTask {
            key: key.clone(),
            asn: self.asn,
            router_id: self.router_id,
            local,
            peer_asn,
            announce,
            views: Arc::clone(&self.views),
        };
        tokio::spawn(task.run(handle, commands_rx));
        Some(commands)
    }

    /// Stops the router: a Cease (Administrative Shutdown) on every session, no new ones.
    pub fn stop(&self) {
        *lock(&self.running) = false;
        for commands in lock(&self.sessions).values() {
            commands
                .send(Command::Session(driver::Command::Stop(
                    StopReason::AdministrativeShutdown(None),
                )))
                .ok();
        }
    }

    /// Starts the router again: it accepts connections.
    pub fn start(&self) {
        *lock(&self.running) = true;
    }

    /// Every prefix it learned, over all its sessions.
    pub fn learned(&self) -> BTreeSet<IpNet> {
        lock(&self.views)
            .values()
            .flat_map(|v| v.learned.iter().copied())
            .collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the router asks of one session's task.
enum Command {
    /// A connection the provider opened.
    Accept(BoxStream),
    /// A command for the driver.
    Session(driver::Command),
}

/// One session of the router: the driver, its Adj-RIB-In and Adj-RIB-Out.
struct SessionTask {
    key: (String, Family),
    asn: u32,
    router_id: Ipv4Addr,
    local: IpAddr,
    peer_asn: u32,
    announce: Vec<IpNet>,
    views: Views,
}

impl SessionTask {
    async fn run(self, mut handle: PeerHandle, mut commands: mpsc::UnboundedReceiver<Command>) {
        let family = self.key.1;
        let provider = PeerId {
            bgp_id: Ipv4Addr::UNSPECIFIED,
            address: self.local,
            asn: self.peer_asn,
            ebgp: true,
        };
        let accept_all = match accept_all(family) {
            Some(policy) => policy,
            None => return,
        };
        let next_hop = match self.local {
            IpAddr::V4(a) => NextHop::Ipv4(a),
            IpAddr::V6(a) => NextHop::Ipv6(a),
        };
        let mut adj_rib_in = AdjRibIn::new(provider);
        let mut adj_rib_out = AdjRibOut::new(provider, self.asn, next_hop);
        let local = PeerId::local(self.router_id, self.asn);
        let originated = Arc::new(PathAttributes::local(next_hop));
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Accept(stream)) => { handle.accept_stream(stream).ok(); }
                    Some(Command::Session(command)) => { handle.send(command).ok(); }
                    None => break,
                },
                event = handle.next_event() => match event {
                    Some(SessionEvent::StateChanged { to, .. }) => self.set_state(to),
                    Some(SessionEvent::Established(negotiated)) => {
                        self.set_state(State::Established);
                        adj_rib_out.clear();
                        let routes = self.announce.iter().map(|&prefix| Route {
                            prefix,
                            path_id: None,
                            attributes: Arc::clone(&originated),
                            peer: local,
                        });
                        let diff = adj_rib_out.sync(routes, accept_all.prefix_filter_out(), true);
                        match packing::updates(&diff, &negotiated.encode_context()) {
                            Ok(updates) => updates.into_iter().for_each(|u| {
                                handle.send(driver::Command::Announce(u)).ok();
                            }),
                            Err(error) => tracing::warn!(%error, "cannot pack UPDATEs"),
                        }
                        let end_of_rib = packing::end_of_rib(family.afi());
                        handle.send(driver::Command::Announce(end_of_rib)).ok();
                    }
                    Some(SessionEvent::Received(update, rfc7606)) => {
                        // Like a real router: a path holding its own AS is a loop (no allowas-in).
                        let rfc7606 = rib::loop_detection::loop_verdict(&update, self.asn, rfc7606);
                        adj_rib_in.apply_untracked(&update, rfc7606, accept_all.prefix_filter_in());
                        let learned = adj_rib_in.pre_policy().map(|r| r.prefix).collect();
                        self.with_view(|v| v.learned = learned);
                    }
                    Some(SessionEvent::Down { .. }) => {
                        adj_rib_in.clear();
                        adj_rib_out.clear();
                        self.with_view(|v| {
                            v.learned.clear();
                            v.state = Some(State::Idle);
                        });
                    }
                    Some(SessionEvent::RouteRefresh(_) | SessionEvent::CommandFailed(_)) => {}
                    None => break,
                },
            }
        }
    }

    fn set_state(&self, state: State) {
        self.with_view(|v| v.state = Some(state));
    }

    fn with_view(&self, change: impl FnOnce(&mut SessionView)) {
        change(lock(&self.views).entry(self.key.clone()).or_default());
    }
}

/// A policy that accepts and announces everything of one family.
fn accept_all(family: Family) -> Option<RoutingPolicy> {
    let all: IpNet = match family {
        Family::Ipv4 => "0.0.0.0/0".parse().ok()?,
        Family::Ipv6 => "::/0".parse().ok()?,
    };
    RoutingPolicy::new(family == Family::Ipv6, [all], [all]).ok()
}
