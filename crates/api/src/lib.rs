//! # api — peerlab's Scaleway-compatible HTTP API
//!
//! Serves Scaleway InterLink (`/interlink/v1beta1/regions/{region}/…`) and IPAM
//! (`/ipam/v1/regions/{region}/…`) with the official SDK's paths, query parameters, bodies and
//! error answers, over the running [`world`]: every handler is one read or write of the
//! world's provider state, and the world's reconcile makes the engine, the model and the
//! kernels follow.
//!
//! - Auth: `X-Auth-Token` must be a project token of the catalogue, else `401
//!   denied_authentication`.
//! - Malformed paths, queries and bodies are `400 invalid_arguments` naming the argument
//!   ([`extract`]); unknown paths are a JSON `404`.
//!
//! - The emulator's own admin calls ([`admin`]): approving or refusing a hosted link, with a
//!   catalogue admin token.
//!
//! - Scaleway VPC v2 (`/vpc/v2/regions/{region}/…`): VPCs, private networks, subnets and
//!   routes over [`provider::vpc`]; the calls it does not serve answer the live API's `501
//!   unimplemented endpoint` (the `vpc` module).
//!
//! - OVHcloud Connect and the vRack (`/1.0/…`) with OVH's signatures and error bodies: [`ovh`].
//!
//! - Scaleway Load Balancer (`/lb/v1/zones/{zone}/…` and `/lb/v1/regions/{region}/…`): every
//!   method of `LbV1ZonedAPI` and `LbV1API`, over [`provider::lb`] (the `lb` module).
//! - `GET /peerlab/v1/trace?from=…&to=…` (admin token): a packet's path through the world's
//!   model ([`world::World::trace`]).
//! - `POST /peerlab/v1/plan` (admin token): what an SDK call would change, without changing
//!   anything ([`plan`]).
//!
//! Not here: locking a link over HTTP, the BGP sessions, the model and persistence (the
//! [`world`]), TLS.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let app = api::App::demo();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, api::router(app)).await
//! # }
//! ```

mod admin;
mod auth;
pub mod error;
pub mod extract;
mod lb;
mod openapi;
pub mod ovh;
pub mod plan;
mod routes;
pub mod tls;
mod trace;
mod vpc;

pub use routes::router;

use chrono::{DateTime, Utc};
use provider::catalogue::{Catalogue, Principal};
use provider::interlink::{Intent, InterLink};
use provider::{Caller, ProviderError};
use std::sync::Arc;
use world::{State, World, WorldError};

pub use world::now;

/// The application state: the running world and the catalogue's tokens.
#[derive(Clone)]
pub struct App {
    shared: Arc<Shared>,
}

struct Shared {
    world: World,
    catalogue: Catalogue,
}

/// The answer while the world is stopping: the emulator's own, as a `transient_state`.
fn stopped(_: WorldError) -> ProviderError {
    ProviderError::TransientState {
        resource: "peerlab".to_string(),
        resource_id: "world".to_string(),
        current_state: "stopping".to_string(),
    }
}

impl App {
    /// The API of `world`, whose callers `catalogue` (resolved) authenticates.
    pub fn new(world: World, catalogue: &Catalogue) -> Self {
        Self {
            shared: Arc::new(Shared {
                world,
                catalogue: catalogue.resolved(),
            }),
        }
    }

    /// An app over a fresh world of `catalogue` with a fresh engine, on the wall clock, keeping
    /// no state (needs a tokio runtime).
    pub fn start(catalogue: &Catalogue) -> Result<Self, WorldError> {
        let catalogue = catalogue.resolved();
        let world = World::start(world::Config {
            catalogue: catalogue.clone(),
            engine: engine::Engine::spawn(),
            clock: Arc::new(now),
            persistence: None,
        })?;
        Ok(Self::new(world, &catalogue))
    }

    /// An app over the built-in demo catalogue (needs a tokio runtime).
    pub fn demo() -> Self {
        match Self::start(&Catalogue::default()) {
            Ok(app) => app,
            Err(e) => unreachable!("the demo catalogue is valid: {e}"),
        }
    }

    /// The running world.
    pub fn world(&self) -> &World {
        &self.shared.world
    }

    /// The catalogue (resolved).
    pub fn catalogue(&self) -> &Catalogue {
        &self.shared.catalogue
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

    /// Runs a read on the InterLink model (moved forward to now).
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&InterLink) -> Result<T, ProviderError> + Send + 'static,
    ) -> Result<T, ProviderError> {
        self.shared
            .world
            .read(move |s| f(&s.interlink))
            .await
            .map_err(stopped)?
    }

    /// Runs a read on the whole state.
    pub(crate) async fn read_state<T: Send + 'static>(
        &self,
        f: impl FnOnce(&State) -> T + Send + 'static,
    ) -> Result<T, ProviderError> {
        self.shared.world.read(f).await.map_err(stopped)
    }

    /// Runs a write on the whole state: saved and reconciled before it is answered.
    pub(crate) async fn write_state<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut State, DateTime<Utc>) -> Result<T, ProviderError> + Send + 'static,
    ) -> Result<T, ProviderError> {
        self.shared.world.write(f).await.map_err(stopped)?
    }

    /// Runs a write on the InterLink model: saved and reconciled before it is answered. (The
    /// intents the provider gives back are not needed: the reconcile is level-triggered.)
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut InterLink, DateTime<Utc>) -> Result<(T, Vec<Intent>), ProviderError>
        + Send
        + 'static,
    ) -> Result<T, ProviderError> {
        self.write_without_intents(move |m, now| f(m, now).map(|(t, _)| t))
            .await
    }

    /// Runs a write on the InterLink model that gives no intents (IPAM, routing policies).
    pub(crate) async fn write_without_intents<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut InterLink, DateTime<Utc>) -> Result<T, ProviderError> + Send + 'static,
    ) -> Result<T, ProviderError> {
        self.shared
            .world
            .write(move |s, now| f(&mut s.interlink, now))
            .await
            .map_err(stopped)?
    }
}
