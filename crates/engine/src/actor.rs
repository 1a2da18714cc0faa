//! The actor: owns every link and session, serves requests and session events one at a time.

use crate::handle::{EngineError, Transport};
use crate::link::{Family, LinkSpec};
use crate::session::{EngineEvent, LinkSnapshot, Session, SessionCounts, SessionStatus, Tagged};
use bgp_session::StopReason;
use ipnet::IpNet;
use rib::RoutingPolicy;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};

type Reply<T> = oneshot::Sender<Result<T, EngineError>>;

/// A request to the actor.
pub(crate) enum Request {
    AddLink(Box<LinkSpec>, Reply<()>),
    RemoveLink(String, Reply<()>),
    SetPolicy {
        link: String,
        family: Family,
        policy: Box<Option<RoutingPolicy>>,
        reply: Reply<()>,
    },
    SetRoutePropagation {
        link: String,
        enabled: bool,
        reply: Reply<()>,
    },
    SetVpcPrefixes {
        link: String,
        prefixes: Vec<IpNet>,
        reply: Reply<()>,
    },
    SetRelayedRoutes {
        link: String,
        routes: Vec<rib::Route>,
        reply: Reply<()>,
    },
    AcceptedRoutes {
        link: String,
        family: Family,
        reply: Reply<Vec<rib::Route>>,
    },
    Snapshot {
        link: String,
        reply: Reply<LinkSnapshot>,
    },
    Counts {
        link: String,
        family: Family,
        reply: Reply<Option<SessionCounts>>,
    },
}

struct Link {
    spec: LinkSpec,
    sessions: HashMap<Family, Session>,
}

pub(crate) struct Actor {
    links: HashMap<String, Link>,
    broadcast: broadcast::Sender<EngineEvent>,
    session_events: mpsc::UnboundedSender<Tagged>,
    session_events_rx: Option<mpsc::UnboundedReceiver<Tagged>>,
    next_generation: u64,
    transport: Option<Arc<dyn Transport>>,
}

impl Actor {
    pub fn new(
        broadcast: broadcast::Sender<EngineEvent>,
        transport: Option<Arc<dyn Transport>>,
    ) -> Self {
        let (session_events, rx) = mpsc::unbounded_channel();
        Self {
            links: HashMap::new(),
            broadcast,
            session_events,
            session_events_rx: Some(rx),
            next_generation: 0,
            transport,
        }
    }

    pub async fn run(mut self, mut requests: mpsc::UnboundedReceiver<Request>) {
        let Some(mut session_events) = self.session_events_rx.take() else {
            return;
        };
        loop {
            tokio::select! {
                request = requests.recv() => match request {
                    Some(request) => self.serve(request),
                    None => break,
                },
                Some(tagged) = session_events.recv() => self.on_session_event(tagged),
            }
        }
        for (_, link) in self.links.drain() {
            link.sessions
                .into_values()
                .for_each(|s| s.stop(StopReason::PeerDeconfigured));
        }
    }

    fn serve(&mut self, request: Request) {
        match request {
            Request::AddLink(spec, reply) => {
                reply.send(self.add_link(*spec)).ok();
            }
            Request::RemoveLink(id, reply) => {
                let result = match self.links.remove(&id) {
                    Some(link) => {
                        for (family, session) in link.sessions {
                            session.stop(StopReason::PeerDeconfigured);
                            self.announce_status(&id, family, SessionStatus::Disabled);
                        }
                        Ok(())
                    }
                    None => Err(EngineError::UnknownLink(id)),
                };
                reply.send(result).ok();
            }
            Request::SetPolicy {
                link,
                family,
                policy,
                reply,
            } => {
                reply.send(self.set_policy(&link, family, *policy)).ok();
            }
            Request::SetRoutePropagation {
                link,
                enabled,
                reply,
            } => {
                reply
                    .send(
                        self.with_link(&link, |link| link.spec.enable_route_propagation = enabled),
                    )
                    .ok();
            }
            Request::SetVpcPrefixes {
                link,
                prefixes,
                reply,
            } => {
                reply
                    .send(self.with_link(&link, |link| link.spec.vpc_prefixes = prefixes))
                    .ok();
            }
            Request::SetRelayedRoutes {
                link,
                routes,
                reply,
            } => {
                reply
                    .send(self.with_link(&link, |link| link.spec.relayed = routes))
                    .ok();
            }
            Request::AcceptedRoutes {
                link,
                family,
                reply,
            } => {
                let routes = self.links.get(&link).ok_or(EngineError::UnknownLink(link));
                reply
                    .send(routes.map(|l| {
                        l.sessions
                            .get(&family)
                            .map(Session::accepted_routes)
                            .unwrap_or_default()
                    }))
                    .ok();
            }
            Request::Counts {
                link,
                family,
                reply,
            } => {
                let counts = self.links.get(&link).ok_or(EngineError::UnknownLink(link));
                reply
                    .send(counts.map(|l| l.sessions.get(&family).map(Session::counts)))
                    .ok();
            }
            Request::Snapshot { link, reply } => {
                let snapshot = self
                    .links
                    .get(&link)
                    .ok_or(EngineError::UnknownLink(link))
                    .map(|l| {
                        let on = l.spec.enable_route_propagation;
                        let get = |f| l.sessions.get(&f).map(|s| s.snapshot(on));
                        LinkSnapshot {
                            ipv4: get(Family::Ipv4),
                            ipv6: get(Family::Ipv6),
                        }
                    });
                reply.send(snapshot).ok();
            }
        }
    }

    fn add_link(&mut self, spec: LinkSpec) -> Result<(), EngineError> {
        if self.links.contains_key(&spec.id) {
            return Err(EngineError::DuplicateLink(spec.id));
        }
        for family in Family::ALL {
            check_family(family, spec.policy(family))?;
        }
        let mut link = Link {
            spec,
            sessions: HashMap::new(),
        };
        for family in Family::ALL {
            if let Some(policy) = link.spec.policy(family).cloned() {
                let session = self.start(&link.spec, family, policy)?;
                link.sessions.insert(family, session);
                self.announce_status(&link.spec.id, family, SessionStatus::Down);
            }
        }
        self.links.insert(link.spec.id.clone(), link);
        Ok(())
    }

    fn start(
        &mut self,
        spec: &LinkSpec,
        family: Family,
        policy: RoutingPolicy,
    ) -> Result<Session, EngineError> {
        self.next_generation += 1;
        Session::start(
            spec,
            family,
            policy,
            self.next_generation,
            self.session_events.clone(),
            self.transport.as_deref(),
        )
    }

    fn set_policy(
        &mut self,
        id: &str,
        family: Family,
        policy: Option<RoutingPolicy>,
    ) -> Result<(), EngineError> {
        check_family(family, policy.as_ref())?;
        let Some(mut link) = self.links.remove(id) else {
            return Err(EngineError::UnknownLink(id.to_string()));
        };
        *link.spec.policy_mut(family) = policy.clone();
        let result = match (link.sessions.remove(&family), policy) {
            (Some(mut session), Some(policy)) => {
                session.set_policy(policy, &link.spec);
                link.sessions.insert(family, session);
                Ok(())
            }
            (Some(session), None) => {
                session.stop(StopReason::PeerDeconfigured);
                self.announce_status(id, family, SessionStatus::Disabled);
                Ok(())
            }
            (None, Some(policy)) => self.start(&link.spec, family, policy).map(|session| {
                link.sessions.insert(family, session);
                self.announce_status(id, family, SessionStatus::Down);
            }),
            (None, None) => Ok(()),
        };
        self.links.insert(id.to_string(), link);
        result
    }

    /// Changes the link's spec, then re-exports every session.
    fn with_link(&mut self, id: &str, change: impl FnOnce(&mut Link)) -> Result<(), EngineError> {
        let link = self
            .links
            .get_mut(id)
            .ok_or_else(|| EngineError::UnknownLink(id.to_string()))?;
        change(link);
        let Link { spec, sessions } = link;
        sessions.values_mut().for_each(|s| s.export(spec));
        Ok(())
    }

    fn on_session_event(&mut self, tagged: Tagged) {
        let Some(link) = self.links.get_mut(&tagged.link) else {
            return;
        };
        let Some(session) = link.sessions.get_mut(&tagged.family) else {
            return;
        };
        if session.generation != tagged.generation {
            return; // an event of a session that was replaced
        }
        if let Some(status) = session.on_event(tagged.event, &link.spec) {
            self.announce_status(&tagged.link, tagged.family, status);
        }
    }

    fn announce_status(&self, link: &str, family: Family, status: SessionStatus) {
        tracing::info!(link, family = family.name(), ?status, "session status");
        let event = EngineEvent::SessionStatus {
            link: link.to_string(),
            family,
            status,
        };
        self.broadcast.send(event).ok();
    }
}

fn check_family(family: Family, policy: Option<&RoutingPolicy>) -> Result<(), EngineError> {
    match policy {
        Some(p) if p.is_ipv6() != (family == Family::Ipv6) => Err(EngineError::FamilyMismatch {
            family: family.name(),
        }),
        _ => Ok(()),
    }
}
