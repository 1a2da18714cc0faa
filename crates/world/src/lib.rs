//! # world — peerlab's running world behind one handle
//!
//! One actor owns everything that runs: the provider state (Scaleway InterLink with IPAM,
//! OVHcloud Connect), the BGP [`engine`], the attachments (what the customer plugged in:
//! `serve`'s `[[bindings]]`, `up`'s routers and hosts) and persistence. API handlers, the
//! topology runner and `peerlab trace` all talk to it through a [`World`] handle, never
//! through shared locks.
//!
//! After every API write, engine event and clock tick, one level-triggered reconcile runs: the
//! desired state is the provider state plus the attachments; the actual state is the engine's
//! sessions ([`engine_sync`]), the data-plane model ([`model`], built from typed provider
//! state whenever it is asked for) and the kernels (a [`render::Renderer`] the Linux side
//! implements; in memory there is none). Whatever the API created, deleted or changed is real
//! in the same way as what a topology file declared.
//!
//! Each product fact lives in one place: OVH's VRRP priorities and addresses in
//! [`provider::ovh_connect::rules`], the gateway election in [`vrrp`], the AS_PATH relay in
//! [`engine_sync::relay`], loop detection in the engine and [`rib`].
//!
//! ```no_run
//! # async fn run() -> Result<(), world::WorldError> {
//! use provider::catalogue::Catalogue;
//! let world = world::World::start(world::Config {
//!     catalogue: Catalogue::default().resolved(),
//!     engine: engine::Engine::spawn(),
//!     clock: std::sync::Arc::new(world::now),
//!     persistence: None,
//! })?;
//! let links = world.read(|s| s.interlink.links_in_service().len()).await?;
//! let answer = world.trace("10.1.0.10", "172.16.4.10").await?;
//! println!("{links} links; {}", answer.text());
//! # Ok(()) }
//! ```
//!
//! Not here: HTTP (the `api` crate), namespaces, daemons and kernels (the `linux` crate), the
//! topology file (the `topology` crate).

mod actor;
pub mod attachment;
pub mod bindings;
pub mod engine_sync;
mod error;
pub mod forecast;
pub mod landing;
pub mod model;
pub mod persistence;
pub mod render;
mod state;
pub mod store;
pub mod trace;
pub mod vrrp;

pub use error::WorldError;
pub use state::{Clock, Live, State, now};

use actor::{Actor, Command};
use attachment::Attachments;
use chrono::{DateTime, Utc};
use engine::EngineHandle;
use model::{Inputs, Model, Observed};
use provider::catalogue::Catalogue;
use provider::interlink::InterLink;
use provider::ovh_connect::OvhConnect;
use render::Renderer;
use std::sync::{Arc, RwLock};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// How many requests may wait for the actor.
const QUEUE: usize = 256;

/// How a world starts.
pub struct Config {
    /// What exists before the first call (resolved).
    pub catalogue: Catalogue,
    /// The engine running the sessions.
    pub engine: EngineHandle,
    /// Where the models take their time from.
    pub clock: Clock,
    /// Where writes are made durable, if anywhere.
    pub persistence: Option<Box<dyn Persistence>>,
}

pub use persistence::Persistence;

/// The handle to the running world. Cheap to clone.
#[derive(Clone)]
pub struct World {
    commands: mpsc::Sender<Command>,
    generation: watch::Receiver<u64>,
    fatal: watch::Receiver<Option<String>>,
    engine: EngineHandle,
    renderer: Arc<RwLock<Option<Arc<dyn Renderer>>>>,
    /// The world's clock (what [`World::forecast`] applies a change at).
    clock: Clock,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World").finish_non_exhaustive()
    }
}

impl World {
    /// Starts the world on the current tokio runtime (call it from within one): the state is loaded from `persistence`
    /// (or made from the catalogue and saved at once), the engine is made to run what it
    /// wants, and engine events flow in.
    pub fn start(config: Config) -> Result<World, WorldError> {
        let Config {
            catalogue,
            engine,
            clock,
            mut persistence,
        } = config;
        let now = clock();
        let saved = match &mut persistence {
            Some(p) => p.load(&catalogue)?,
            None => None,
        };
        let fresh = saved.is_none();
        let (interlink, mut ovh) = match saved {
            Some(models) => models,
            None => (
                InterLink::new(&catalogue, now)?,
                OvhConnect::new(&catalogue),
            ),
        };
        // The catalogue in force decides how long OVH tasks take.
        ovh.set_task_secs(catalogue.settings.ovh_task_secs);
        let mut state = State {
            interlink,
            ovh,
            lb: Default::default(),
            live: Live::default(),
        };
        state.advance(now);
        match &mut persistence {
            Some(p) if fresh => p.commit(&mut state)?,
            Some(_) => {}
            None => persistence::forget_changes(&mut state),
        }
        let (commands, receiver) = mpsc::channel(QUEUE);
        let (generation_tx, generation) = watch::channel(0);
        let (fatal_tx, fatal) = watch::channel(None);
        let events = engine.subscribe();
        let world_clock = Arc::clone(&clock);
        let actor = Actor {
            state,
            engine: engine.clone(),
            applied: Default::default(),
            attachments: Attachments::default(),
            persistence,
            clock,
            generation: generation_tx,
            fatal: fatal_tx,
        };
        tokio::spawn(actor.run(receiver));
        // A weak sender: the actor ends (and lets go of the state file) once the last handle
        // is dropped.
        tokio::spawn(forward_events(events, commands.downgrade()));
        Ok(World {
            commands,
            generation,
            fatal,
            engine,
            renderer: Arc::new(RwLock::new(None)),
            clock: world_clock,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &EngineHandle {
        &self.engine
    }

    async fn send(&self, command: Command) -> Result<(), WorldError> {
        self.commands
            .send(command)
            .await
            .map_err(|_| WorldError::Stopped)
    }

    /// Runs `f` on the state (after moving the models forward to now).
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&State) -> T + Send + 'static,
    ) -> Result<T, WorldError> {
        let (tx, rx) = oneshot::channel();
        self.send(Command::Read(Box::new(move |s| {
            let _ = tx.send(f(s));
        })))
        .await?;
        rx.await.map_err(|_| WorldError::Stopped)
    }

    /// Runs the write `f` on the state at time `now`; when it succeeds, the state is saved
    /// (if the world keeps one) and the engine reconciled before the answer comes back.
    pub async fn write<T: Send + 'static, E: Send + 'static>(
        &self,
        f: impl FnOnce(&mut State, DateTime<Utc>) -> Result<T, E> + Send + 'static,
    ) -> Result<Result<T, E>, WorldError> {
        let (tx, rx) = oneshot::channel();
        self.send(Command::Write(Box::new(move |s, now| {
            let result = f(s, now);
            let changed = result.is_ok();
            let reply: actor::Reply = Box::new(move || {
                let _ = tx.send(result);
            });
            (changed, reply)
        })))
        .await?;
        rx.await.map_err(|_| WorldError::Stopped)
    }

    /// Records what the kernels' side observed (no save): `f` says whether it changed
    /// anything the model shows.
    pub async fn observe(
        &self,
        f: impl FnOnce(&mut State) -> bool + Send + 'static,
    ) -> Result<(), WorldError> {
        self.send(Command::Observe(Box::new(f))).await
    }

    /// Changes the attachments (what the customer plugged in).
    pub async fn attach(
        &self,
        f: impl FnOnce(&mut Attachments) + Send + 'static,
    ) -> Result<(), WorldError> {
        let (tx, rx) = oneshot::channel();
        self.send(Command::Attach(Box::new(f), tx)).await?;
        rx.await.map_err(|_| WorldError::Stopped)
    }

    /// The attachments now.
    pub async fn attachments(&self) -> Result<Attachments, WorldError> {
        Ok(self.inputs().await?.attachments)
    }

    /// What the model is built from, now.
    pub async fn inputs(&self) -> Result<Inputs, WorldError> {
        let (tx, rx) = oneshot::channel();
        self.send(Command::Inputs(tx)).await?;
        rx.await.map_err(|_| WorldError::Stopped)
    }

    /// The data-plane model of the world as it runs now.
    pub async fn model(&self) -> Result<Model, WorldError> {
        let inputs = self.inputs().await?;
        let observed = self.observed(&inputs).await;
        Ok(model::build(&inputs, &observed)?)
    }

    /// The engine's sessions and the routers' learned routes, for `inputs`.
    async fn observed(&self, inputs: &Inputs) -> Observed {
        let mut observed = Observed::default();
        let ids = inputs
            .links
            .iter()
            .filter(|v| v.in_service)
            .map(|v| v.link.id.to_string())
            .chain(inputs.ovh.pops.iter().filter_map(|p| p.session.clone()))
            .chain(inputs.ovh.extras.iter().filter_map(|e| e.session.clone()));
        for id in ids {
            if let Ok(snapshot) = self.engine.snapshot(&id).await {
                observed.sessions.insert(id, snapshot);
            }
        }
        for a in &inputs.attachments.plugged {
            if let Some(router) = &a.router {
                observed
                    .learned
                    .insert(a.name.clone(), router.routes.learned().await);
            }
        }
        observed
    }

    /// Bumped after every change the model or the customer's side may care about.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.generation.clone()
    }

    /// Resolves when the world stops for good, with the reason (a write that could not be
    /// made durable).
    pub async fn failed(&self) -> String {
        let mut fatal = self.fatal.clone();
        loop {
            if let Some(why) = fatal.borrow().clone() {
                return why;
            }
            if fatal.changed().await.is_err() {
                return "the running world has stopped".to_string();
            }
        }
    }

    /// Moves the world forward every `period` even without requests, so that timed changes
    /// (a hosted link becoming active, an OVH task done, relayed routes) reach the engine.
    pub fn spawn_ticker(&self, period: std::time::Duration) -> JoinHandle<()> {
        let commands = self.commands.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if commands.send(Command::Tick).await.is_err() {
                    break;
                }
            }
        })
    }

    /// The kernel renderer, if one is set.
    pub fn renderer(&self) -> Option<Arc<dyn Renderer>> {
        self.renderer.read().ok().and_then(|r| r.clone())
    }

    /// Sets the kernel renderer (namespace mode, `serve` with bindings).
    pub fn set_renderer(&self, renderer: Arc<dyn Renderer>) {
        if let Ok(mut slot) = self.renderer.write() {
            *slot = Some(renderer);
        }
    }

    /// Forgets the kernel renderer (dropping what it made once no one else holds it).
    pub fn clear_renderer(&self) {
        if let Ok(mut slot) = self.renderer.write() {
            *slot = None;
        }
    }

    /// Renders the model into the kernels now and returns it (the model alone without a
    /// renderer). A failing renderer is recorded in [`Live::render_error`] and does not stop
    /// the world.
    pub async fn render(&self) -> Result<Model, WorldError> {
        let mut model = self.model().await?;
        let Some(renderer) = self.renderer() else {
            return Ok(model);
        };
        let attachments = self.attachments().await?;
        let rendered = tokio::task::spawn_blocking(move || {
            let result = renderer.render(&mut model, &attachments);
            (model, result)
        })
        .await;
        let Ok((model, result)) = rendered else {
            return Err(WorldError::Trace("the renderer panicked".to_string()));
        };
        let error = result.as_ref().err().map(|e| e.to_string());
        if let Some(e) = &error {
            tracing::warn!(error = %e, "rendering the model into the kernels");
        }
        let gateways = result.map(|r| r.gateways).unwrap_or_default();
        self.observe(move |s| {
            let changed = s.live.observed_gateways != gateways || s.live.render_error != error;
            s.live.render_error = error;
            if !gateways.is_empty() {
                s.live.observed_gateways = gateways;
            }
            changed
        })
        .await?;
        Ok(model)
    }

    /// Renders the model into the kernels after every change, and every `period` anyway.
    pub fn spawn_renderer(&self, period: std::time::Duration) -> JoinHandle<()> {
        let world = self.clone();
        tokio::spawn(async move {
            let mut changes = world.changes();
            loop {
                if world.render().await.is_err() {
                    break;
                }
                tokio::select! {
                    changed = changes.changed() => if changed.is_err() { break },
                    () = tokio::time::sleep(period) => {}
                }
            }
        })
    }

    /// Traces FROM → TO through the model (rendered into the kernels first when there is a
    /// renderer, which also pings between two hosts).
    pub async fn trace(&self, from: &str, to: &str) -> Result<trace::TraceAnswer, WorldError> {
        let mut answer = self.look(from, to).await?;
        for _ in 1..LOOKS {
            if answer.ping.as_ref().is_none_or(|p| p.agrees) {
                break;
            }
            answer = self.look(from, to).await?;
        }
        Ok(answer)
    }

    async fn look(&self, from: &str, to: &str) -> Result<trace::TraceAnswer, WorldError> {
        let mut model = self.render().await?;
        let mut answer = trace::trace(&mut model, from, to).map_err(|e| WorldError::Trace(e.0))?;
        if let Some(renderer) = self.renderer() {
            let (f, t) = (from.to_string(), to.to_string());
            let ping = tokio::task::spawn_blocking(move || renderer.ping(&f, &t))
                .await
                .ok()
                .flatten();
            answer.ping = match ping {
                Some(Ok((answered, address))) => Some(trace::PingAnswer {
                    from: from.to_string(),
                    address,
                    answered,
                    agrees: answered == answer.reachable,
                }),
                Some(Err(e)) => return Err(WorldError::Trace(e.to_string())),
                None => None,
            };
        }
        Ok(answer)
    }
}

/// How many looks (render, trace, ping) a disagreement between the kernel and the model gets
/// before it is the answer: the world may change between the model and the ping, and on a
/// busy machine an echo can come back after ping's one second.
const LOOKS: usize = 3;

/// Feeds the engine's events to the actor until either stops; lost events make it read every
/// status again.
async fn forward_events(
    mut events: tokio::sync::broadcast::Receiver<engine::EngineEvent>,
    commands: mpsc::WeakSender<Command>,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let command = match events.recv().await {
            Ok(event) => Command::Engine(event),
            Err(RecvError::Lagged(n)) => {
                tracing::warn!("missed {n} engine events; reading every status again");
                Command::Resync
            }
            Err(RecvError::Closed) => break,
        };
        let Some(commands) = commands.upgrade() else {
            break;
        };
        if commands.send(command).await.is_err() {
            break;
        }
    }
}
