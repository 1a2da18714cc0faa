//! One session of a link: the forwarder task around the BGP driver, the peer's Adj-RIB-In and the
//! Adj-RIB-Out toward it.

use crate::graceful_restart::{ADVERTISED_RESTART_TIME, FORWARDING_STATE, Stale};
use crate::link::{Family, LinkSpec};
use bgp_session::driver::{self, Command, DriverConfig, Listener, PeerHandle, SessionEvent};
use bgp_session::{SessionConfig, State, StopReason};
use bgp_wire::attribute::NextHop;
use bgp_wire::{Context, Safi};
use ipnet::IpNet;
use rib::{AdjRibIn, AdjRibOut, PathAttributes, PeerId, Route, RoutingPolicy, packing};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A session's status as the InterLink API shows it (`bgp_v4_status`, `bgp_v6_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Established.
    Up,
    /// Configured, not Established.
    Down,
    /// Not configured: no routing policy of this family is attached.
    Disabled,
}

/// What the engine tells its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineEvent {
    /// A session's status changed.
    SessionStatus {
        /// The link.
        link: String,
        /// Which of its sessions.
        family: Family,
        /// The new status.
        status: SessionStatus,
    },
}

/// A session as seen from outside, at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSnapshot {
    /// Up, down or disabled.
    pub status: SessionStatus,
    /// The RFC 4271 FSM state.
    pub state: State,
    /// How many times the session reached Established.
    pub established_count: u32,
    /// Why it last went down, if it did.
    pub last_down: Option<String>,
    /// What the peer announced (Adj-RIB-In before policy).
    pub received: BTreeSet<IpNet>,
    /// What `prefix_filter_in` accepted (Adj-RIB-In after policy).
    pub accepted: BTreeSet<IpNet>,
    /// What is installed toward the VPC: the accepted routes while propagation is enabled.
    pub installed: BTreeSet<IpNet>,
    /// What was announced to the peer (Adj-RIB-Out).
    pub announced: BTreeSet<IpNet>,
}

/// A session's counters, cheap to ask for even with a full table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionCounts {
    /// Up, down or disabled.
    pub status: SessionStatus,
    /// How many times the session reached Established.
    pub established_count: u32,
    /// Routes in the Adj-RIB-In before policy.
    pub received: usize,
    /// Routes in the Adj-RIB-In after policy.
    pub accepted: usize,
    /// Routes in the Adj-RIB-Out.
    pub announced: usize,
}

/// A link as seen from outside, at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkSnapshot {
    /// The IPv4 session, if configured.
    pub ipv4: Option<SessionSnapshot>,
    /// The IPv6 session, if configured.
    pub ipv6: Option<SessionSnapshot>,
}

impl LinkSnapshot {
    /// One session's snapshot.
    pub fn session(&self, family: Family) -> Option<&SessionSnapshot> {
        match family {
            Family::Ipv4 => self.ipv4.as_ref(),
            Family::Ipv6 => self.ipv6.as_ref(),
        }
    }

    /// One session's status: `Disabled` when it is not configured.
    pub fn status(&self, family: Family) -> SessionStatus {
        self.session(family)
            .map_or(SessionStatus::Disabled, |s| s.status)
    }
}

/// An event of one session, tagged for the actor.
pub(crate) struct Tagged {
    pub link: String,
    pub family: Family,
    pub generation: u64,
    pub event: Event,
}

/// What happens to a session: its driver's events, and its own timers.
pub(crate) enum Event {
    /// An event of the BGP driver.
    Driver(SessionEvent),
    /// The Graceful Restart timer of this epoch ran out ([`Stale`]).
    StaleTimeout(u64),
}

/// A running session.
pub(crate) struct Session {
    pub family: Family,
    pub generation: u64,
    pub policy: RoutingPolicy,
    commands: mpsc::UnboundedSender<Command>,
    state: State,
    context: Context,
    established_count: u32,
    last_down: Option<String>,
    adj_rib_in: AdjRibIn,
    /// As Graceful Restart helper: the routes of the connection that dropped.
    stale: Stale,
    adj_rib_out: AdjRibOut,
    local: PeerId,
    peer: PeerId,
    /// Where the session's own timers report (the actor's event channel).
    events: mpsc::UnboundedSender<Tagged>,
    /// The attributes of the VPC prefixes this session announces (next hop: our address).
    originated: Arc<PathAttributes>,
    /// Whether the driver has a maximum-prefix limit to check the received count against.
    max_prefix_limit: bool,
    /// The local AS when AS_PATH loop detection is on ([`LinkSpec::as_path_loop_detection`]).
    loop_detection: Option<u32>,
}

impl Session {
    /// Starts the session of `family` of `spec`: a driver that connects to the peer and accepts
    /// its connections on Scaleway's address.
    pub fn start(
        spec: &LinkSpec,
        family: Family,
        policy: RoutingPolicy,
        generation: u64,
        events: mpsc::UnboundedSender<Tagged>,
        transport: Option<&dyn crate::Transport>,
    ) -> Result<Self, crate::EngineError> {
        let (local_ip, peer_ip) = spec.addresses(family);
        let mut config = SessionConfig::new(spec.local_asn, spec.peer_asn, spec.bgp_identifier);
        config.families = vec![(family.afi(), Safi::UNICAST)];
        config.hold_time = spec.timers.hold_time;
        config.connect_retry_time = spec.timers.connect_retry;
        config.idle_hold_time = Some(spec.timers.idle_hold);
        config.graceful_restart = Some(ADVERTISED_RESTART_TIME);
        let mut driver_config = DriverConfig::new(config, SocketAddr::new(peer_ip, spec.port));
        driver_config.local_addr = Some(SocketAddr::new(local_ip, 0));
        driver_config.name = format!("{}/{}", spec.id, family.name());
        driver_config.connector = transport.map(|t| t.connector(&spec.id, family));
        // Over a transport the connector opens every connection: nothing listens.
        let listen = transport
            .is_none()
            .then(|| SocketAddr::new(local_ip, spec.port));
        let handle = driver::spawn(driver_config)?;
        if let Some(limit) = spec.max_prefixes {
            let safi = Safi::UNICAST;
            handle
                .send(Command::SetMaxPrefix {
                    afi: family.afi(),
                    safi,
                    limit: Some(limit),
                })
                .ok();
        }
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let tag = (spec.id.clone(), family, generation);
        tokio::spawn(forward(
            handle,
            commands_rx,
            listen,
            peer_ip,
            tag,
            events.clone(),
        ));

        let peer = PeerId {
            bgp_id: Ipv4Addr::UNSPECIFIED,
            address: peer_ip,
            asn: spec.peer_asn,
            ebgp: spec.peer_asn != spec.local_asn,
        };
        let next_hop = match local_ip {
            IpAddr::V4(a) => NextHop::Ipv4(a),
            IpAddr::V6(a) => NextHop::Ipv6(a),
        };
        let originated = Arc::new(PathAttributes::local(next_hop));
        Ok(Self {
            family,
            generation,
            policy,
            commands,
            state: State::Idle,
            context: Context::default(),
            established_count: 0,
            last_down: None,
            adj_rib_in: AdjRibIn::new(peer),
            stale: Stale::default(),
            adj_rib_out: AdjRibOut::new(peer, spec.local_asn, next_hop),
            local: PeerId::local(spec.bgp_identifier, spec.local_asn),
            peer,
            events,
            originated,
            max_prefix_limit: spec.max_prefixes.is_some(),
            loop_detection: spec.as_path_loop_detection.then_some(spec.local_asn),
        })
    }

    /// Stops the session with a Cease (RFC 4486) of `reason`.
    pub fn stop(self, reason: StopReason) {
        self.commands.send(Command::Stop(reason)).ok();
    }

    pub fn status(&self) -> SessionStatus {
        if self.state == State::Established {
            SessionStatus::Up
        } else {
            SessionStatus::Down
        }
    }

    /// Handles an event of the driver or of a timer. Returns the new status when it changed.
    pub fn on_event(&mut self, event: Event, spec: &LinkSpec) -> Option<SessionStatus> {
        let event = match event {
            Event::Driver(event) => event,
            Event::StaleTimeout(epoch) => {
                if epoch == self.stale.epoch && !self.stale.is_empty() {
                    let count = self.stale.clear();
                    tracing::info!(link = %spec.id, family = self.family.name(), count,
                        "graceful restart: timer ran out, stale routes deleted");
                }
                return None;
            }
        };
        let before = self.status();
        match event {
            SessionEvent::StateChanged { to, .. } => self.state = to,
            SessionEvent::Established(negotiated) => {
                self.state = State::Established;
                self.established_count += 1;
                self.context = negotiated.encode_context();
                if !self.stale.is_empty() {
                    // RFC 4724 §4.2: keep the stale routes only if the peer kept its forwarding
                    // state for the family; then wait for its End-of-RIB.
                    let (afi, safi) = (self.family.afi(), Safi::UNICAST);
                    let restart = negotiated.graceful_restart.as_ref().and_then(|gr| {
                        gr.families
                            .iter()
                            .any(|f| {
                                f.afi == afi && f.safi == safi && f.flags & FORWARDING_STATE != 0
                            })
                            .then_some(gr.restart_time)
                    });
                    match restart {
                        Some(wait) => {
                            let epoch = self.stale.restart_timer();
                            self.stale_timer(spec, wait, epoch);
                        }
                        None => {
                            let count = self.stale.clear();
                            tracing::info!(link = %spec.id, family = self.family.name(), count,
                                "graceful restart: forwarding state not kept, stale routes deleted");
                        }
                    }
                }
                self.adj_rib_out.clear();
                self.export(spec);
                self.send(rib::packing::end_of_rib(self.family.afi()));
            }
            SessionEvent::Received(update, rfc7606) => {
                self.stale.refresh(&update);
                if update.end_of_rib() == Some((self.family.afi(), Safi::UNICAST))
                    && !self.stale.is_empty()
                {
                    let count = self.stale.clear();
                    tracing::info!(link = %spec.id, family = self.family.name(), count,
                        "graceful restart: End-of-RIB, stale routes deleted");
                }
                let rfc7606 = match self.loop_detection {
                    Some(asn) if rib::loop_detection::as_path_holds(&update, asn) => {
                        tracing::debug!(link = %spec.id, family = self.family.name(), asn,
                            "AS_PATH loop: the UPDATE's routes are not accepted");
                        rib::loop_detection::loop_verdict(&update, asn, rfc7606)
                    }
                    _ => rfc7606,
                };
                self.adj_rib_in
                    .apply_untracked(&update, rfc7606, self.policy.prefix_filter_in());
                // Without a limit the count would cross two tasks for nothing on every UPDATE.
                if self.max_prefix_limit {
                    let count = u32::try_from(self.adj_rib_in.len_pre()).unwrap_or(u32::MAX);
                    let (afi, safi) = (self.family.afi(), Safi::UNICAST);
                    self.commands
                        .send(Command::PrefixCount { afi, safi, count })
                        .ok();
                }
            }
            SessionEvent::Down {
                reason,
                from,
                graceful_restart,
            } => {
                self.state = State::Idle;
                self.last_down = Some(reason.to_string());
                let family = (self.family.afi(), Safi::UNICAST);
                match graceful_restart.filter(|g| g.families.contains(&family)) {
                    Some(keep) if from == State::Established => {
                        let table =
                            std::mem::replace(&mut self.adj_rib_in, AdjRibIn::new(self.peer));
                        let epoch = self.stale.keep(table);
                        tracing::info!(link = %spec.id, family = self.family.name(),
                            stale = self.stale.len_pre(), restart_time = ?keep.restart_time,
                            "graceful restart: the peer's routes are kept stale");
                        self.stale_timer(spec, keep.restart_time, epoch);
                    }
                    // An Established session ended otherwise (a NOTIFICATION, a Cease, hold
                    // timer expiry): nothing is kept.
                    _ if from == State::Established => {
                        self.stale.clear();
                        self.adj_rib_in.clear();
                    }
                    // A connection attempt that failed (the peer is still restarting): the
                    // stale routes wait for the restart timer.
                    _ => {
                        self.adj_rib_in.clear();
                    }
                }
                self.adj_rib_out.clear();
            }
            SessionEvent::RouteRefresh(_) => {
                // The peer asks for our routes again: send the whole Adj-RIB-Out.
                self.adj_rib_out.clear();
                self.export(spec);
            }
            SessionEvent::CommandFailed(error) => {
                tracing::debug!(link = %spec.id, family = self.family.name(), %error, "command failed");
            }
        }
        let after = self.status();
        (after != before).then_some(after)
    }

    /// Replaces the policy in place: the stored Adj-RIB-In is filtered again and the difference
    /// is sent, without resetting the session.
    pub fn set_policy(&mut self, policy: RoutingPolicy, spec: &LinkSpec) {
        self.policy = policy;
        self.adj_rib_in.reevaluate(self.policy.prefix_filter_in());
        self.stale.reevaluate(self.policy.prefix_filter_in());
        self.export(spec);
    }

    /// Sends what changed in the Adj-RIB-Out: after a toggle, a policy or VPC change.
    pub fn export(&mut self, spec: &LinkSpec) {
        if self.state != State::Established {
            return;
        }
        let family = self.family;
        let of_family = move |prefix: &IpNet| {
            matches!(
                (prefix, family),
                (IpNet::V4(_), Family::Ipv4) | (IpNet::V6(_), Family::Ipv6)
            )
        };
        let attributes = &self.originated;
        let local = self.local;
        let originated: BTreeSet<IpNet> = spec
            .vpc_prefixes
            .iter()
            .filter(|p| of_family(p))
            .map(IpNet::trunc)
            .collect();
        // Relayed routes keep their learned attributes; a prefix originated here wins.
        let relayed = spec
            .relayed
            .iter()
            .filter(|r| of_family(&r.prefix) && !originated.contains(&r.prefix.trunc()))
            .cloned();
        let routes = originated
            .iter()
            .map(|&prefix| Route {
                prefix,
                path_id: None,
                attributes: Arc::clone(attributes),
                peer: local,
            })
            .chain(relayed);
        let diff = self.adj_rib_out.sync(
            routes,
            self.policy.prefix_filter_out(),
            spec.enable_route_propagation,
        );
        match packing::updates(&diff, &self.context) {
            Ok(updates) => updates.into_iter().for_each(|u| self.send(u)),
            Err(error) => tracing::warn!(link = %spec.id, %error, "cannot pack UPDATEs"),
        }
    }

    fn send(&self, update: bgp_wire::Update) {
        self.commands.send(Command::Announce(update)).ok();
    }

    /// Reports [`Event::StaleTimeout`] of `epoch` after `wait`.
    fn stale_timer(&self, spec: &LinkSpec, wait: Duration, epoch: u64) {
        let events = self.events.clone();
        let tagged = Tagged {
            link: spec.id.clone(),
            family: self.family,
            generation: self.generation,
            event: Event::StaleTimeout(epoch),
        };
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            events.send(tagged).ok();
        });
    }

    /// The accepted routes with their attributes (Adj-RIB-In after policy, stale ones too).
    pub fn accepted_routes(&self) -> Vec<Route> {
        self.adj_rib_in
            .post_policy()
            .chain(self.stale.post_policy())
            .collect()
    }

    pub fn counts(&self) -> SessionCounts {
        SessionCounts {
            status: self.status(),
            established_count: self.established_count,
            received: self.adj_rib_in.len_pre() + self.stale.len_pre(),
            accepted: self.adj_rib_in.len_post() + self.stale.len_post(),
            announced: self.adj_rib_out.len(),
        }
    }

    pub fn snapshot(&self, enable_route_propagation: bool) -> SessionSnapshot {
        let accepted: BTreeSet<IpNet> = self
            .adj_rib_in
            .post_policy()
            .chain(self.stale.post_policy())
            .map(|r| r.prefix)
            .collect();
        SessionSnapshot {
            status: self.status(),
            state: self.state,
            established_count: self.established_count,
            last_down: self.last_down.clone(),
            received: self
                .adj_rib_in
                .pre_policy()
                .chain(self.stale.pre_policy())
                .map(|r| r.prefix)
                .collect(),
            installed: if enable_route_propagation {
                accepted.clone()
            } else {
                BTreeSet::new()
            },
            accepted,
            announced: self.adj_rib_out.iter().map(|(p, _)| p).collect(),
        }
    }
}

/// Owns the driver: passes commands in, tags its events for the actor, and keeps the session
/// registered with a listener on Scaleway's address (retrying while the address is missing),
/// unless `listen` is `None` (a transport opens the connections).
async fn forward(
    mut handle: PeerHandle,
    mut commands: mpsc::UnboundedReceiver<Command>,
    listen: Option<SocketAddr>,
    peer: IpAddr,
    (link, family, generation): (String, Family, u64),
    events: mpsc::UnboundedSender<Tagged>,
) {
    // Listen before connecting, so a peer that connects first is not refused.
    let mut listener = match listen {
        Some(listen) => listen_on(listen, peer, &handle).await,
        None => None,
    };
    handle.send(Command::Start).ok();
    let mut retry = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            command = commands.recv() => match command {
                Some(command) => { handle.send(command).ok(); }
                None => break,
            },
            event = handle.next_event() => match event {
                Some(event) => {
                    let tagged = Tagged { link: link.clone(), family, generation, event: Event::Driver(event) };
                    if events.send(tagged).is_err() { break; }
                }
                None => break,
            },
            _ = retry.tick(), if listener.is_none() && listen.is_some() => {
                if let Some(listen) = listen {
                    listener = listen_on(listen, peer, &handle).await;
                }
            }
        }
    }
    // Dropping the handle closes the driver's command channel; the driver still handles a Stop
    // queued before that, so the peer gets the Cease that was asked for.
    drop(listener);
    drop(handle);
}

/// A listener on Scaleway's address that hands `peer`'s connections to the session; `None`
/// while the address is not on this host (the link's interface is not there yet).
async fn listen_on(listen: SocketAddr, peer: IpAddr, handle: &PeerHandle) -> Option<Listener> {
    match Listener::bind(listen).await {
        Ok(listener) => {
            listener.register(peer, handle);
            Some(listener)
        }
        Err(error) => {
            tracing::debug!(%listen, %error, "cannot listen yet; retrying every second");
            None
        }
    }
}
