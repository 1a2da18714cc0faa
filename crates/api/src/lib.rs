//! # api — peerlab's Scaleway-compatible HTTP API
//!
//! Serves Scaleway InterLink (`/interlink/v1beta1/regions/{region}/…`) and IPAM
//! (`/ipam/v1/regions/{region}/…`) with the official SDK's paths, query parameters, bodies and
//! error answers, over the [`provider`] model. Writes give back intents, which [`intents`]
//! turns into calls on the [`engine`]; the engine's session status events flow back into the
//! model ([`App::spawn_status_feed`]).
//!
//! - Auth: `X-Auth-Token` must be a project token of the catalogue, else `401
//!   denied_authentication`.
//! - Malformed paths, queries and bodies are `400 invalid_arguments` naming the argument
//!   ([`extract`]); unknown paths are a JSON `404`.
//!
//! - The emulator's own admin calls ([`admin`]): approving or refusing a hosted link, with a
//!   catalogue admin token.
//!
//! - OVHcloud Connect and the vRack (`/1.0/…`) with OVH's signatures and error bodies: [`ovh`].
//!
//! - Scaleway Load Balancer (`/lb/v1/zones/{zone}/…` and `/lb/v1/regions/{region}/…`): every
//!   method of `LbV1ZonedAPI` and `LbV1API`, over [`provider::lb`] (the `lb` module).
//!
//! Not here: locking a link over HTTP, the BGP sessions themselves (the
//! [`engine`]), TLS.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let app = api::App::demo(None);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, api::router(app)).await
//! # }
//! ```

mod admin;
pub mod error;
pub mod extract;
pub mod intents;
mod lb;
mod openapi;
pub mod ovh;
pub mod persistence;
mod routes;

pub use routes::router;

use chrono::{DateTime, Utc};
use engine::{EngineEvent, EngineHandle, SessionStatus};
use provider::catalogue::{Catalogue, CatalogueError, Principal};
use provider::interlink::{BgpStatus, Intent, InterLink};
use provider::ovh_connect::OvhConnect;
use provider::{Caller, ProviderError};
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// The wall clock, as the provider wants it.
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

/// Where an app's model takes the time from: [`now`] (the wall clock) unless the app was made
/// [`App::with_clock`] (the topology runner's virtual clock).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The application state: the model, the catalogue's tokens and the engine, if any.
#[derive(Clone)]
pub struct App {
    shared: Arc<Shared>,
}

struct Shared {
    model: Mutex<InterLink>,
    /// OVHcloud Connect; locked after `model` when both are.
    ovh: Mutex<ovh::OvhState>,
    /// Scaleway Load Balancer; locked after `model` (whose IPAM it uses) when both are.
    lb: Mutex<provider::lb::LoadBalancers>,
    catalogue: Catalogue,
    engine: Option<EngineHandle>,
    /// Where every write is saved, if anywhere ([`persistence`]).
    state: Option<persistence::StateFile>,
    /// The model's time.
    clock: Clock,
}

impl App {
    /// An app over `catalogue` (resolved: the demo is included unless it says otherwise).
    pub fn new(
        catalogue: &Catalogue,
        engine: Option<EngineHandle>,
    ) -> Result<Self, CatalogueError> {
        Self::with_clock(catalogue, engine, Arc::new(now))
    }

    /// An app whose model takes its time from `clock` (timed changes such as a partner's
    /// approval then happen on that clock, e.g. a runner's virtual one).
    pub fn with_clock(
        catalogue: &Catalogue,
        engine: Option<EngineHandle>,
        clock: Clock,
    ) -> Result<Self, CatalogueError> {
        let catalogue = catalogue.resolved();
        let model = InterLink::new(&catalogue, clock())?;
        let ovh = OvhConnect::new(&catalogue);
        Ok(Self {
            shared: Arc::new(Shared {
                model: Mutex::new(model),
                ovh: Mutex::new(ovh::OvhState::new(ovh)),
                lb: Mutex::new(provider::lb::LoadBalancers::default()),
                catalogue,
                engine,
                state: None,
                clock,
            }),
        })
    }

    /// An app over the built-in demo catalogue.
    pub fn demo(engine: Option<EngineHandle>) -> Self {
        match Self::new(&Catalogue::default(), engine) {
            Ok(app) => app,
            Err(e) => unreachable!("the demo catalogue is valid: {e}"),
        }
    }

    /// The caller a token acts as: a project token, else `denied_authentication`.
    pub fn caller(&self, token: Option<&str>) -> Result<Caller, ProviderError> {
        match token.and_then(|t| self.shared.catalogue.principal(t)) {
            Some(Principal::Project(caller)) => Ok(caller),
            _ => Err(ProviderError::unknown_api_key()),
        }
    }

    /// Checks that `token` is a catalogue admin token: a project token is `403`, none `401`.
    pub fn admin(&self, token: Option<&str>) -> Result<(), ProviderError> {
        match token.and_then(|t| self.shared.catalogue.principal(t)) {
            Some(Principal::Admin) => Ok(()),
            Some(Principal::Project(_)) => Err(ProviderError::write_denied("admin")),
            None => Err(ProviderError::unknown_api_key()),
        }
    }

    /// Runs a read on the model (after advancing it to now).
    pub(crate) async fn read<T>(
        &self,
        f: impl FnOnce(&InterLink) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        self.run(false, |m, _| f(m).map(|t| (t, Vec::new()))).await
    }

    /// Runs a write on the model (after advancing it to now), saves the model if the app keeps a
    /// state and the write succeeded, and carries out its intents.
    /// A write that gives the engine nothing to do (routing policies not yet attached, IPAM).
    pub(crate) async fn write_without_intents<T>(
        &self,
        f: impl FnOnce(&mut InterLink, DateTime<Utc>) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        self.write(|m, now| f(m, now).map(|t| (t, Vec::new())))
            .await
    }

    pub(crate) async fn write<T>(
        &self,
        f: impl FnOnce(&mut InterLink, DateTime<Utc>) -> Result<(T, Vec<Intent>), ProviderError>,
    ) -> Result<T, ProviderError> {
        self.run(true, f).await
    }

    async fn run<T>(
        &self,
        save: bool,
        f: impl FnOnce(&mut InterLink, DateTime<Utc>) -> Result<(T, Vec<Intent>), ProviderError>,
    ) -> Result<T, ProviderError> {
        let now = (self.shared.clock)();
        let mut model = self.shared.model.lock().await;
        let mut intents = model.advance(now);
        let result = f(&mut model, now);
        if let Ok((_, more)) = &result {
            intents.extend(more.iter().cloned());
            if save && self.shared.state.is_some() {
                // The state file holds both models (lock order: InterLink, then OVH).
                let ovh = self.shared.ovh.lock().await;
                self.persist(&model, &ovh.model);
            }
        }
        if let Some(engine) = &self.shared.engine {
            for intent in &intents {
                let ops = intents::plan(intent, |id| model.link_config(id));
                intents::apply(engine, ops).await;
            }
        }
        result.map(|(t, _)| t)
    }

    /// Advances the model every `period` even without requests, so that timed changes (a
    /// hosted link becoming active) reach the engine on time.
    pub fn spawn_ticker(&self, period: std::time::Duration) -> JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                // A no-op read: it advances the model and carries out what that brings.
                let _ = app.read(|_| Ok(())).await;
                let _ = app.ovh_read(|_| Ok(())).await;
            }
        })
    }

    /// Feeds the engine's session status events into the model, until the engine stops.
    /// `None` without an engine.
    pub fn spawn_status_feed(&self) -> Option<JoinHandle<()>> {
        let mut events = self.shared.engine.as_ref()?.subscribe();
        let app = self.clone();
        Some(tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(EngineEvent::SessionStatus {
                        link,
                        family,
                        status,
                    }) => {
                        if link.starts_with("ovh-") {
                            app.ovh_session_status(&link, status).await;
                            continue;
                        }
                        let Ok(link_id) = link.parse() else { continue };
                        let status = match status {
                            SessionStatus::Up => BgpStatus::Up,
                            SessionStatus::Down => BgpStatus::Down,
                            SessionStatus::Disabled => BgpStatus::Disabled,
                        };
                        let mut model = app.shared.model.lock().await;
                        let family = intents::provider_family(family);
                        // A link deleted meanwhile is not an error worth more than a trace.
                        if let Err(e) = model.set_session_status(link_id, family, status) {
                            tracing::debug!("status of {link_id}: {e}");
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!("missed {n} engine events");
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        }))
    }
}
