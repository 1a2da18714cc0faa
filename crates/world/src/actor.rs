//! The world's actor: it owns the [`State`], the attachments and what the engine was told,
//! and runs every request in turn. After every write, engine event and clock tick it runs the
//! one level-triggered reconcile ([`Actor::reconcile`]): the engine is made to match the
//! provider state. The data-plane model and the kernels follow from the same state when they
//! are asked for ([`crate::World::model`], [`crate::World::spawn_renderer`]).

use crate::State;
use crate::attachment::Attachments;
use crate::engine_sync::{self, Applied};
use crate::model::{GatewayInput, Inputs};
use crate::persistence::Persistence;
use crate::state::Clock;
use chrono::{DateTime, Utc};
use engine::{EngineEvent, EngineHandle, SessionStatus};
use provider::interlink::BgpStatus;
use provider::ovh_connect::rules::VrrpRouter;
use tokio::sync::{mpsc, oneshot, watch};

/// The reply of a write, sent once the write is durable and reconciled.
pub(crate) type Reply = Box<dyn FnOnce() + Send>;

/// A write: `true` when it changed the state (to be saved), with its reply.
pub(crate) type Write = Box<dyn FnOnce(&mut State, DateTime<Utc>) -> (bool, Reply) + Send>;

/// What the actor is asked to do.
pub(crate) enum Command {
    /// Run a read on the state.
    Read(Box<dyn FnOnce(&State) + Send>),
    /// Run a write; `true` when it changed the state (to be saved), with its reply.
    Write(Write),
    /// Change the attachments.
    Attach(
        Box<dyn FnOnce(&mut Attachments) + Send>,
        oneshot::Sender<()>,
    ),
    /// Copy out what the model is built from.
    Inputs(oneshot::Sender<Inputs>),
    /// The engine reported something.
    Engine(EngineEvent),
    /// Engine events were lost: read every status again.
    Resync,
    /// The clock moved.
    Tick,
    /// Record what the kernels' side observed (no save, no engine work); `true` if it changed
    /// something the model shows.
    Observe(Box<dyn FnOnce(&mut State) -> bool + Send>),
}

pub(crate) struct Actor {
    pub state: State,
    pub engine: EngineHandle,
    pub applied: Applied,
    pub attachments: Attachments,
    pub persistence: Option<Box<dyn Persistence>>,
    pub clock: Clock,
    /// Bumped after every change the model or the customer's side may care about.
    pub generation: watch::Sender<u64>,
    /// Set when the world stops for good (a write that cannot be made durable).
    pub fatal: watch::Sender<Option<String>>,
}

impl Actor {
    pub(crate) async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        self.reconcile(true).await;
        while let Some(command) = commands.recv().await {
            let now = (self.clock)();
            match command {
                Command::Read(f) => {
                    if self.advance(now) {
                        self.reconcile(false).await;
                        self.bump();
                    }
                    f(&self.state);
                }
                Command::Write(f) => {
                    self.advance(now);
                    let (changed, reply) = f(&mut self.state, now);
                    // Tasks finished by this call (at zero delay) take effect now.
                    self.state.ovh.advance(now);
                    self.state.sync_gateways(now);
                    if changed && let Err(e) = self.commit() {
                        // The write cannot be acknowledged: nothing more is answered.
                        let line = format!("cannot save the state, stopping: {e}");
                        tracing::error!("{line}");
                        let _ = self.fatal.send(Some(line));
                        return;
                    }
                    self.reconcile(true).await;
                    reply();
                    self.bump();
                }
                Command::Attach(f, done) => {
                    f(&mut self.attachments);
                    let _ = done.send(());
                    self.bump();
                }
                Command::Inputs(reply) => {
                    self.advance(now);
                    let _ = reply.send(self.inputs());
                }
                Command::Engine(event) => {
                    self.event(event);
                    self.reconcile(true).await;
                    self.bump();
                }
                Command::Resync => {
                    self.resync().await;
                    self.bump();
                }
                Command::Observe(f) => {
                    if f(&mut self.state) {
                        self.bump();
                    }
                }
                Command::Tick => {
                    self.advance(now);
                    self.reconcile(true).await;
                }
            }
        }
    }

    fn bump(&self) {
        self.generation.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// Moves the models forward; whether that changed what runs.
    fn advance(&mut self, now: DateTime<Utc>) -> bool {
        let intents = self.state.interlink.advance(now);
        let tasks = self.state.ovh.advance(now);
        self.state.lb.advance(now);
        self.state.sync_gateways(now);
        !intents.is_empty() || tasks
    }

    fn commit(&mut self) -> Result<(), crate::persistence::PersistenceError> {
        match &mut self.persistence {
            Some(p) => p.commit(&mut self.state),
            None => {
                crate::persistence::forget_changes(&mut self.state);
                Ok(())
            }
        }
    }

    /// The level-triggered reconcile: the engine runs what the provider state wants.
    pub(crate) async fn reconcile(&mut self, relays: bool) {
        engine_sync::interlink::reconcile(&self.engine, &self.state.interlink, &mut self.applied)
            .await;
        let announced =
            engine_sync::ovh::reconcile(&self.engine, &self.state.ovh, &mut self.applied, relays)
                .await;
        let live = &mut self.state.live;
        live.ovh_announced = announced;
        let applied = &self.applied;
        live.ovh_status.retain(|id, _| applied.ovh.contains_key(id));
    }

    fn event(&mut self, event: EngineEvent) {
        let EngineEvent::SessionStatus {
            link,
            family,
            status,
        } = event;
        self.status(&link, family, status);
    }

    fn status(&mut self, link: &str, family: engine::Family, status: SessionStatus) {
        if link.starts_with("ovh-") {
            if self.applied.ovh.contains_key(link) {
                self.state.live.ovh_status.insert(link.to_string(), status);
            }
            return;
        }
        let Ok(link_id) = link.parse() else { return };
        let status = match status {
            SessionStatus::Up => BgpStatus::Up,
            SessionStatus::Down => BgpStatus::Down,
            SessionStatus::Disabled => BgpStatus::Disabled,
        };
        let family = engine_sync::interlink::provider_family(family);
        // A link deleted meanwhile is not an error worth more than a trace.
        if let Err(e) = self
            .state
            .interlink
            .set_session_status(link_id, family, status)
        {
            tracing::debug!("status of {link_id}: {e}");
        }
    }

    /// Reads every session's status from the engine again (after lost events).
    async fn resync(&mut self) {
        let ids: Vec<String> = self
            .applied
            .links
            .keys()
            .map(|id| id.to_string())
            .chain(self.applied.ovh.keys().cloned())
            .collect();
        for id in ids {
            let Ok(snapshot) = self.engine.snapshot(&id).await else {
                continue;
            };
            for family in engine::Family::ALL {
                let status = snapshot
                    .session(family)
                    .map_or(SessionStatus::Disabled, |s| s.status);
                self.status(&id, family, status);
            }
        }
    }

    /// What the model is built from, now.
    fn inputs(&self) -> Inputs {
        let live = &self.state.live;
        let gateways = live
            .gateways
            .iter()
            .map(|(id, g)| {
                let observed = live.observed_gateways.get(id);
                let input = GatewayInput {
                    on: g.is_on(),
                    master: match observed {
                        Some(o) => o.master,
                        None => g.master(),
                    },
                    running: match observed {
                        Some(o) => o.running.clone(),
                        None => VrrpRouter::ALL
                            .iter()
                            .map(|r| (*r, g.running(*r)))
                            .collect(),
                    },
                };
                (*id, input)
            })
            .collect();
        let inputs = Inputs {
            ovh: self.state.ovh.view(),
            gateways,
            attachments: self.attachments.clone(),
            ..Inputs::default()
        };
        crate::forecast::predict::with_interlink(&inputs, &self.state.interlink)
    }
}
