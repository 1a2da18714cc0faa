//! Durable state (`peerlab serve --state FILE`).
//!
//! Every successful write call saves the whole model ([`provider::snapshot`], JSON) before its
//! answer goes out, while still holding the model's lock, so that the file always holds every
//! acknowledged write and writes are saved in the order they were made:
//! `FILE.tmp` is written and fsynced, renamed over `FILE`, and the directory is fsynced
//! ([`write_atomic`]). A crash at any point leaves either the old or the new state in `FILE`.
//!
//! Reads and the ticker do not save: what they change (a hosted link going into service at its
//! time) is derived from the clock again after a restart.
//!
//! If a save fails the process exits (code 2) after one error line: the answer would otherwise
//! acknowledge a write that is not durable, and after a failed fsync the file's content is
//! unknown.
//!
//! On start ([`App::with_state`]) an existing `FILE` replaces the catalogue's initial resources:
//! every resource comes from the file (links, routing policies, IPAM IPs, and the PoPs, partners,
//! connections, VPCs and settings as they were when the state was created); the catalogue in force
//! only gives the projects and tokens (who may call). A missing `FILE` is created from the
//! catalogue at once; an unreadable or corrupt one is an error (never an empty start). The links
//! in service are then configured on the engine again, so their sessions come back.
//!
//! OVHcloud Connect is in the same file (its `ovh_connect` member): OVH writes save both models
//! the same way, and a restart brings back its configurations, tasks and BGP sessions.

use crate::{App, Shared, intents, now};
use engine::EngineHandle;
use provider::catalogue::Catalogue;
use provider::interlink::{Intent, InterLink};
use provider::ovh_connect::OvhConnect;
use provider::snapshot::{self, SnapshotError};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Why the state cannot be loaded or saved (one line).
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// The file cannot be read or written.
    #[error("state file {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        error: std::io::Error,
    },
    /// The file is not a state this build reads.
    #[error("state file {path}: {error}")]
    Snapshot {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        error: SnapshotError,
    },
    /// The catalogue is invalid (fresh state only).
    #[error("invalid catalogue: {0}")]
    Catalogue(provider::catalogue::CatalogueError),
}

/// The state file and its temporary sibling.
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
    tmp: PathBuf,
}

impl StateFile {
    /// The state kept at `path` (written through `path` + `.tmp`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let mut tmp = path.clone().into_os_string();
        tmp.push(".tmp");
        Self {
            path,
            tmp: tmp.into(),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, error: std::io::Error) -> PersistenceError {
        PersistenceError::Io {
            path: self.path.clone(),
            error,
        }
    }

    fn bad(&self, error: SnapshotError) -> PersistenceError {
        PersistenceError::Snapshot {
            path: self.path.clone(),
            error,
        }
    }

    /// The saved model (with `catalogue`'s projects), `None` if the file does not exist.
    pub fn load(&self, catalogue: &Catalogue) -> Result<Option<InterLink>, PersistenceError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(e)),
        };
        snapshot::from_json(&bytes, catalogue)
            .map(Some)
            .map_err(|e| self.bad(e))
    }

    /// Saves `model` atomically and durably; gives back how long it took.
    pub fn save(&self, model: &InterLink) -> Result<Duration, PersistenceError> {
        let start = Instant::now();
        let bytes = snapshot::to_json(model).map_err(|e| self.bad(e))?;
        write_atomic(&self.path, &self.tmp, &bytes).map_err(|e| self.io(e))?;
        Ok(start.elapsed())
    }

    /// Saves both models (InterLink and OVHcloud Connect) atomically and durably.
    pub fn save_all(
        &self,
        model: &InterLink,
        ovh: &OvhConnect,
    ) -> Result<Duration, PersistenceError> {
        let start = Instant::now();
        let bytes = snapshot::to_json_with_ovh(model, ovh).map_err(|e| self.bad(e))?;
        write_atomic(&self.path, &self.tmp, &bytes).map_err(|e| self.io(e))?;
        Ok(start.elapsed())
    }

    /// Both saved models, `None` if the file does not exist.
    pub fn load_all(
        &self,
        catalogue: &Catalogue,
    ) -> Result<Option<(InterLink, OvhConnect)>, PersistenceError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(e)),
        };
        snapshot::from_json_with_ovh(&bytes, catalogue)
            .map(Some)
            .map_err(|e| self.bad(e))
    }
}

/// Replaces `path` by `bytes`: write `tmp`, fsync it, rename it over `path`, fsync the directory.
pub fn write_atomic(path: &Path, tmp: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = File::create(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp, path)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

impl App {
    /// An app whose model is kept in `state` (see the [module](self)): loaded from it if it
    /// exists, else built from `catalogue` and saved at once. The links in service are configured
    /// on `engine`.
    pub async fn with_state(
        catalogue: &Catalogue,
        engine: Option<EngineHandle>,
        state: StateFile,
    ) -> Result<Self, PersistenceError> {
        let catalogue = catalogue.resolved();
        let (model, mut ovh) = match state.load_all(&catalogue)? {
            Some(models) => models,
            None => {
                let model =
                    InterLink::new(&catalogue, now()).map_err(PersistenceError::Catalogue)?;
                let ovh = OvhConnect::new(&catalogue);
                state.save_all(&model, &ovh)?;
                (model, ovh)
            }
        };
        // The catalogue in force decides how long OVH tasks take.
        ovh.set_task_secs(catalogue.settings.ovh_task_secs);
        let app = Self {
            shared: Arc::new(Shared {
                model: Mutex::new(model),
                ovh: Mutex::new(crate::ovh::OvhState::new(ovh)),
                // Not saved yet: the Load Balancer state starts empty on every start.
                lb: Mutex::new(provider::lb::LoadBalancers::default()),
                catalogue,
                engine,
                state: Some(state),
                clock: Arc::new(crate::now),
            }),
        };
        app.resync_engine().await;
        app.ovh_resync().await;
        Ok(app)
    }

    /// Configures every link in service on the engine (after advancing the model to now).
    async fn resync_engine(&self) {
        let Some(engine) = &self.shared.engine else {
            return;
        };
        let mut model = self.shared.model.lock().await;
        // What advancing brings is covered below: the engine runs nothing yet.
        let _ = model.advance(now());
        for link_id in model.links_in_service() {
            if let Some(config) = model.link_config(link_id) {
                let ops = intents::plan(&Intent::ConfigureLink(config), |id| model.link_config(id));
                intents::apply(engine, ops).await;
            }
        }
    }

    /// Saves the model if the app keeps a state; exits the process if that fails.
    pub(crate) fn persist(&self, model: &InterLink, ovh: &OvhConnect) {
        let Some(state) = &self.shared.state else {
            return;
        };
        let save = || state.save_all(model, ovh);
        let result = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(save),
            _ => save(),
        };
        match result {
            Ok(took) => tracing::debug!("state saved in {took:?}"),
            Err(e) => {
                eprintln!("peerlab: cannot save the state, stopping: {e}");
                std::process::exit(2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider::Caller;
    use provider::Region;
    use provider::catalogue::demo;
    use provider::interlink::CreateRoutingPolicyRequest;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("peerlab-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn save_then_load_gives_the_same_state() {
        let dir = temp_dir("persist-roundtrip");
        let state = StateFile::new(dir.join("state.json"));
        let catalogue = Catalogue::default().resolved();
        assert!(state.load(&catalogue).unwrap().is_none());
        let mut model = InterLink::new(&catalogue, now()).unwrap();
        let me = Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID);
        let policy = model
            .create_routing_policy(
                Region::FrPar,
                &me,
                CreateRoutingPolicyRequest {
                    name: "p".into(),
                    is_ipv6: false,
                    prefix_filter_in: Some(vec!["10.0.0.0/8".into()]),
                    ..Default::default()
                },
                now(),
            )
            .unwrap();
        state.save(&model).unwrap();
        assert!(!dir.join("state.json.tmp").exists());
        let back = state.load(&catalogue).unwrap().unwrap();
        assert_eq!(
            back.get_routing_policy(Region::FrPar, &me, policy.id)
                .unwrap(),
            policy
        );
        assert_eq!(
            snapshot::to_json(&back).unwrap(),
            snapshot::to_json(&model).unwrap()
        );
        std::fs::write(dir.join("state.json"), b"{\"format\": \"peerlab-state\"").unwrap();
        let e = state.load(&catalogue).unwrap_err().to_string();
        assert!(e.contains("state.json") && !e.contains('\n'), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// How long a save of ~1000 links takes (printed; `--nocapture` to see it).
    #[test]
    fn saving_a_thousand_links() {
        let dir = temp_dir("persist-1000");
        let state = StateFile::new(dir.join("state.json"));
        let mut catalogue: Catalogue = serde_json::from_value(serde_json::json!({
            "dedicated_connections": [{
                "name": "big", "project": "demo", "pop": "DC2", "bandwidth_mbps": 1_000_000,
                "available_link_bandwidths": [100], "vlan_range": {"start": 1500, "end": 3899},
            }],
        }))
        .unwrap();
        catalogue = catalogue.resolved();
        let mut model = InterLink::new(&catalogue, now()).unwrap();
        let me = Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID);
        let connection_id = provider::ids::stable_uuid("dedicated_connection", "big");
        for i in 0..1000u16 {
            let req = provider::interlink::CreateLinkRequest {
                name: format!("l{i}"),
                pop_id: Some(demo::POP_DC2_ID),
                bandwidth_mbps: 100,
                connection_id: Some(connection_id),
                vlan: Some(u32::from(1500 + i)),
                ..Default::default()
            };
            model.create_link(Region::FrPar, &me, req, now()).unwrap();
        }
        let start = Instant::now();
        let bytes = snapshot::to_json(&model).unwrap().len();
        let serialise = start.elapsed();
        let took: Vec<Duration> = (0..5).map(|_| state.save(&model).unwrap()).collect();
        println!("1000 links: {bytes} bytes, serialised in {serialise:?}, saves took {took:?}");
        let back = state.load(&catalogue).unwrap().unwrap();
        assert_eq!(back.links_in_service().len(), 1000);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A restart on the state brings back the resources and their sessions on the engine.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_restart_configures_the_links_in_service_again() {
        let dir = temp_dir("persist-restart");
        let path = dir.join("state.json");
        let catalogue = Catalogue::default();
        let me = Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID);
        let first = App::with_state(
            &catalogue,
            Some(engine::Engine::spawn()),
            StateFile::new(&path),
        )
        .await
        .unwrap();
        let policy = first
            .write(|m, now| {
                let req = CreateRoutingPolicyRequest {
                    name: "v4".into(),
                    prefix_filter_in: Some(vec!["10.0.0.0/8".into()]),
                    ..Default::default()
                };
                Ok((
                    m.create_routing_policy(Region::FrPar, &me, req, now)?,
                    vec![],
                ))
            })
            .await
            .unwrap();
        let link = first
            .write(|m, now| {
                let req = provider::interlink::CreateLinkRequest {
                    name: "kept".into(),
                    routing_policy_v4_id: Some(policy.id),
                    pop_id: Some(demo::POP_DC2_ID),
                    bandwidth_mbps: 1000,
                    connection_id: Some(demo::CONNECTION_DC2_ID),
                    vlan: Some(2100),
                    ..Default::default()
                };
                m.create_link(Region::FrPar, &me, req, now)
            })
            .await
            .unwrap();
        drop(first);
        let engine = engine::Engine::spawn();
        let second = App::with_state(&catalogue, Some(engine.clone()), StateFile::new(&path))
            .await
            .unwrap();
        let back = second
            .read(|m| m.get_link(Region::FrPar, &me, link.id))
            .await
            .unwrap();
        assert_eq!((back.name.as_str(), back.vlan), ("kept", 2100));
        let sessions = engine.snapshot(&link.id.to_string()).await.unwrap();
        assert!(sessions.ipv4.is_some(), "{sessions:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
