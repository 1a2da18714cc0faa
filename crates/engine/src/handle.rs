//! The engine's handle: every request goes to the actor over a channel and gets its answer back.

use crate::actor::{Actor, Request};
use crate::link::{Family, LinkSpec};
use crate::session::{EngineEvent, LinkSnapshot, SessionCounts};
use bgp_session::driver::Connector;
use ipnet::IpNet;
use rib::RoutingPolicy;
use std::sync::Arc;
use tokio::sync::{broadcast, mpsc, oneshot};

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// No link has this id.
    #[error("no link {0:?}")]
    UnknownLink(String),
    /// A link with this id already runs.
    #[error("link {0:?} already exists")]
    DuplicateLink(String),
    /// A policy of the other family was given for a session.
    #[error("the {family} session needs a policy with is_ipv6 = {}", *family == "ipv6")]
    FamilyMismatch {
        /// The session's family.
        family: &'static str,
    },
    /// The session's configuration is not valid.
    #[error("invalid session configuration: {0}")]
    Config(String),
    /// The engine has stopped.
    #[error("the engine has stopped")]
    Stopped,
}

impl From<bgp_session::ConfigError> for EngineError {
    fn from(e: bgp_session::ConfigError) -> Self {
        EngineError::Config(e.to_string())
    }
}

/// Starts engines.
pub struct Engine;

impl Engine {
    /// Starts an engine on the current tokio runtime and returns its handle. Its sessions run
    /// over TCP on the links' addresses.
    pub fn spawn() -> EngineHandle {
        Self::spawn_with(None)
    }

    /// Starts an engine whose sessions reach their peers through `transport` (an in-memory
    /// pipe to an embedded router) instead of TCP, when one is given.
    pub fn spawn_with(transport: Option<Arc<dyn Transport>>) -> EngineHandle {
        let (requests, requests_rx) = mpsc::unbounded_channel();
        let (events, _) = broadcast::channel(1024);
        tokio::spawn(Actor::new(events.clone(), transport).run(requests_rx));
        EngineHandle { requests, events }
    }
}

/// How the engine's sessions reach their peers when not over TCP: for each session, a
/// [`Connector`] that opens its connections. The sessions then do not listen on the links'
/// addresses: the peer's side accepts the far end of each connection the connector opens.
pub trait Transport: std::fmt::Debug + Send + Sync + 'static {
    /// The connector of the `family` session of link `link`.
    fn connector(&self, link: &str, family: Family) -> Arc<dyn Connector>;
}

/// The one way to talk to a running engine. Cheap to clone.
#[derive(Clone, Debug)]
pub struct EngineHandle {
    requests: mpsc::UnboundedSender<Request>,
    events: broadcast::Sender<EngineEvent>,
}

impl EngineHandle {
    /// Session status changes, from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, EngineError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(make(reply))
            .map_err(|_| EngineError::Stopped)?;
        answer.await.map_err(|_| EngineError::Stopped)
    }

    /// Starts a link: a session for each family that has a policy.
    pub async fn add_link(&self, spec: LinkSpec) -> Result<(), EngineError> {
        self.ask(|reply| Request::AddLink(Box::new(spec), reply))
            .await?
    }

    /// Stops a link's sessions (Cease 6/3, Peer De-configured) and forgets it.
    pub async fn remove_link(&self, link: &str) -> Result<(), EngineError> {
        self.ask(|reply| Request::RemoveLink(link.to_string(), reply))
            .await?
    }

    /// Attaches, replaces (in place, without a session reset) or detaches (`None`) a policy.
    pub async fn set_policy(
        &self,
        link: &str,
        family: Family,
        policy: Option<RoutingPolicy>,
    ) -> Result<(), EngineError> {
        let link = link.to_string();
        self.ask(|reply| Request::SetPolicy {
            link,
            family,
            policy: Box::new(policy),
            reply,
        })
        .await?
    }

    /// Switches route propagation on or off.
    pub async fn set_route_propagation(
        &self,
        link: &str,
        enabled: bool,
    ) -> Result<(), EngineError> {
        let link = link.to_string();
        self.ask(|reply| Request::SetRoutePropagation {
            link,
            enabled,
            reply,
        })
        .await?
    }

    /// Replaces the VPC prefixes the link may announce.
    pub async fn set_vpc_prefixes(
        &self,
        link: &str,
        prefixes: Vec<IpNet>,
    ) -> Result<(), EngineError> {
        let link = link.to_string();
        self.ask(|reply| Request::SetVpcPrefixes {
            link,
            prefixes,
            reply,
        })
        .await?
    }

    /// Replaces the learned routes the link relays to its peer ([`LinkSpec::relayed`]): each is
    /// announced with its own AS_PATH, the local AS prepended.
    pub async fn set_relayed_routes(
        &self,
        link: &str,
        routes: Vec<rib::Route>,
    ) -> Result<(), EngineError> {
        let link = link.to_string();
        self.ask(|reply| Request::SetRelayedRoutes {
            link,
            routes,
            reply,
        })
        .await?
    }

    /// The routes one session accepted (its Adj-RIB-In after `prefix_filter_in`, stale routes
    /// of a restarting peer included), with their attributes as learned: what a relay
    /// re-announces. Empty when the session is not configured.
    pub async fn accepted_routes(
        &self,
        link: &str,
        family: Family,
    ) -> Result<Vec<rib::Route>, EngineError> {
        let link = link.to_string();
        self.ask(|reply| Request::AcceptedRoutes {
            link,
            family,
            reply,
        })
        .await?
    }

    /// The link's sessions and RIBs as they are now.
    pub async fn snapshot(&self, link: &str) -> Result<LinkSnapshot, EngineError> {
        let link = link.to_string();
        self.ask(|reply| Request::Snapshot { link, reply }).await?
    }

    /// One session's counters (`None` when it is not configured): cheap with a full table.
    pub async fn counts(
        &self,
        link: &str,
        family: Family,
    ) -> Result<Option<SessionCounts>, EngineError> {
        let link = link.to_string();
        self.ask(|reply| Request::Counts {
            link,
            family,
            reply,
        })
        .await?
    }
}
