//! The runner's lab: [`bring_up`] starts the engine and the world, creates the routers, the
//! hosts and the provider resources; [`Lab`] is what the steps ([`super::steps`]) act on and
//! the expectations ([`super::expect`]) look at.
//!
//! Provider resources are made by the API's own handlers ([`super::provision`]), so the
//! runner exercises exactly what an SDK client would. Dedicated connections, VPCs and OVH
//! services exist before any API call in the real service, so they go into the catalogue.
//! The customer's side (routers, hosts, the names of OVH's configurations) becomes the
//! world's attachments ([`super::customer`]); the world builds the model from them and from
//! the provider state, and renders it into the kernels in namespace mode.
//!
//! Time is tokio's clock: paused (virtual) with embedded routers, so `within = "10s"` costs no
//! real time.

use super::customer::{self, Plugged};
use super::error::{Context, Result, RunError, Why};
use super::provision::Api;
use crate::format::{RouterKind, Topology};
use engine::Engine;
use linux::Netns;
use linux::peer::PeerKind;
use linux::render::Kernels;
use linux::router::{DaemonRouter, EmbeddedRouter, InMemory, Wiring};
use provider::catalogue::{Catalogue, DedicatedConnectionSpec, PrivateNetworkSpec, VpcSpec, demo};
use provider::interlink::connection::VlanRange;
use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;
use uuid::Uuid;
use world::World;

/// A customer router as the runner drives it.
#[derive(Clone, Debug)]
pub enum RouterHandle {
    /// peerlab's own speaker, in memory.
    Embedded(Arc<EmbeddedRouter>),
    /// FRR, BIRD or GoBGP in its namespace, or (namespace mode) the embedded speaker in its.
    Daemon(Arc<DaemonRouter>),
}

/// How a topology runs.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Embedded routers only: in memory, on the paused (virtual) clock.
    Virtual,
    /// Real daemons, and the embedded routers beside them: the provider side in namespace
    /// `provider` (the thread running the runner has entered it), every router in its own,
    /// real TCP, the real clock.
    Real {
        /// The provider side's namespace.
        provider: Netns,
    },
}

impl Mode {
    /// Whether a topology needs namespace mode: it has a daemon router. Embedded routers next
    /// to daemons then run in namespaces too; a topology of embedded routers only runs in
    /// memory.
    pub fn needed(t: &Topology) -> bool {
        t.routers.iter().any(|r| r.kind != RouterKind::Embedded)
    }

    /// The mode `peerlab up` runs a topology in (`true`: namespace mode). Real daemons need
    /// namespaces. A topology without routers but with hosts (an OVHcloud Connect l2 vRack)
    /// runs in namespace mode too when run as root, so that every `reach` is also a ping;
    /// without root, or with `model_only` (`--model-only`), it runs in memory on the virtual
    /// clock and `reach` is the model's alone.
    pub fn for_up(t: &Topology, model_only: bool) -> Result<bool> {
        let daemons = Self::needed(t);
        if daemons && model_only {
            return Err(RunError::Refused(
                "--model-only: real daemons run in network namespaces, not in memory".into(),
            ));
        }
        let embedded = t.routers.iter().any(|r| r.kind == RouterKind::Embedded);
        if daemons && embedded && !running_as_root() {
            return Err(RunError::Refused(
                "embedded routers next to real daemons run in network namespaces, which need root (run as root, or make every router embedded)".into(),
            ));
        }
        let pingable = t.routers.is_empty() && !t.hosts.is_empty();
        Ok(daemons || (pingable && !model_only && running_as_root()))
    }
}

/// Whether this process runs as root (the owner of `/proc/self` is its effective user).
pub fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The driver kind of a topology's router kind (`None` for embedded).
pub fn peer_kind(kind: RouterKind) -> Option<PeerKind> {
    match kind {
        RouterKind::Embedded => None,
        RouterKind::Frr => Some(PeerKind::Frr),
        RouterKind::Bird => Some(PeerKind::Bird),
        RouterKind::Gobgp => Some(PeerKind::Gobgp),
    }
}

/// What the steps act on and the expectations look at.
pub struct Lab {
    /// The running world.
    pub world: World,
    /// The in-process API client.
    pub api: Api,
    /// The topology.
    pub topology: Topology,
    /// Routing policies: name → ID.
    pub policies: HashMap<String, String>,
    /// VPCs: name → ID.
    pub vpcs: HashMap<String, Uuid>,
    /// What `[ovh_connect]` became.
    pub ovh: super::ovh::OvhRun,
    /// Routers by name.
    pub routers: HashMap<String, RouterHandle>,
    /// The in-memory cabling.
    pub wiring: Arc<Wiring>,
    /// What each router is plugged into now.
    pub(crate) plugged: Mutex<BTreeMap<String, Plugged>>,
    /// With real daemons: the kernels the world renders into.
    pub kernels: Option<Arc<Kernels>>,
    /// How it runs (kept last: the provider namespace goes after the routers' cables).
    pub mode: Mode,
}

impl Lab {
    /// A link's ID, by name (as the API has it now: links the SDK made later too).
    pub async fn link_id(&self, name: &str) -> std::result::Result<Uuid, Why> {
        let wanted = name.to_string();
        self.world
            .read(move |s| {
                s.interlink
                    .link_views()
                    .into_iter()
                    .find(|v| v.link.name == wanted)
                    .map(|v| v.link.id)
            })
            .await?
            .ok_or_else(|| Why(format!("no link {name}")))
    }

    /// The routes router `name` learned from the provider.
    pub async fn router_routes(
        &self,
        name: &str,
    ) -> std::result::Result<std::collections::BTreeSet<ipnet::IpNet>, Why> {
        match self.routers.get(name) {
            Some(r) => Ok(customer::learned(r).await),
            None => Err(Why(format!("no router {name}"))),
        }
    }

    /// The model of the world as it runs now; rendered into the kernels first in namespace
    /// mode (so a ping that follows sees what the model says).
    pub async fn model(&self) -> std::result::Result<world::model::Model, Why> {
        Ok(self.world.render().await?)
    }
}

/// The catalogue of a topology: the demo's PoPs, partners and project, plus its dedicated
/// connections, VPCs and OVH services.
fn catalogue(t: &Topology) -> Catalogue {
    let mut c = Catalogue::default();
    if let Some(interlink) = &t.interlink {
        for dc in &interlink.dedicated_connections {
            c.dedicated_connections.push(DedicatedConnectionSpec {
                id: None,
                name: dc.name.get_ref().clone(),
                project: None,
                pop: dc.pop.get_ref().clone(),
                bandwidth_mbps: dc.bandwidth_mbps,
                available_link_bandwidths: dc.available_link_bandwidths.clone(),
                vlan_range: dc.vlan_range.map(|r| VlanRange {
                    start: r.start,
                    end: r.end,
                }),
                tags: Vec::new(),
                status: provider::interlink::connection::DedicatedConnectionStatus::Active,
                demarcation_info: None,
                region: Default::default(),
            });
        }
    }
    for vpc in &t.vpcs {
        c.vpcs.push(VpcSpec {
            id: None,
            name: vpc.name.get_ref().clone(),
            project: None,
            region: Default::default(),
            private_networks: vpc
                .private_networks
                .iter()
                .map(|pn| PrivateNetworkSpec {
                    id: None,
                    name: pn.name.clone(),
                    subnet: pn.subnet,
                    subnets: pn.subnets.clone(),
                })
                .collect(),
        });
    }
    super::ovh::add_to_catalogue(t, &mut c);
    c
}

/// A router's BGP identifier: given, or 10.255.0.N for the Nth router.
fn router_id(given: Option<Ipv4Addr>, index: usize) -> Ipv4Addr {
    given.unwrap_or_else(|| {
        let n = u16::try_from(index + 1).unwrap_or(u16::MAX).to_be_bytes();
        Ipv4Addr::new(10, 255, n[0], n[1])
    })
}

/// Checks what the catalogue must know: the dedicated connections' PoPs.
fn check_pops(topology: &Topology, path: &str) -> Result<()> {
    let known = Catalogue::default().resolved();
    for dc in topology
        .interlink
        .iter()
        .flat_map(|i| &i.dedicated_connections)
    {
        let pop = dc.pop.get_ref();
        if !known.pops.iter().any(|p| &p.name == pop) {
            let names: Vec<&str> = known.pops.iter().map(|p| p.name.as_str()).collect();
            return Err(RunError::Refused(format!(
                "{path}:{}: [[interlink.dedicated_connections]] {:?}: unknown pop {pop:?} (the catalogue has {})",
                topology.line(&dc.pop),
                dc.name.get_ref(),
                names.join(", ")
            )));
        }
    }
    Ok(())
}

/// The topology's routers, made: embedded in memory, or in namespaces beside daemons.
async fn make_routers(
    topology: &Topology,
    path: &str,
    mode: &Mode,
) -> Result<HashMap<String, RouterHandle>> {
    let mut routers = HashMap::new();
    for (i, r) in topology.routers.iter().enumerate() {
        let name = r.name.get_ref().clone();
        let id = router_id(r.router_id, i);
        let handle = match (peer_kind(r.kind), mode) {
            (None, Mode::Virtual) => RouterHandle::Embedded(Arc::new(EmbeddedRouter::new(
                &name,
                r.asn,
                id,
                r.announce.clone(),
            ))),
            (kind, _) => {
                let (asn, announce) = (r.asn, r.announce.clone());
                let label = name.clone();
                let (given, raw) = (r.router_id, r.config.clone());
                let made = tokio::task::spawn_blocking(move || match kind {
                    // Beside daemons, the embedded speaker gets a namespace and a cable of its
                    // own.
                    None => {
                        let speaker =
                            Arc::new(EmbeddedRouter::new(&label, asn, id, announce.clone()));
                        DaemonRouter::embedded(speaker, asn, &announce)
                    }
                    Some(kind) => {
                        DaemonRouter::create(&label, kind, asn, given, &announce, raw.as_deref())
                    }
                })
                .await
                .map_err(|e| RunError::Refused(e.to_string()))?;
                let router = made.context(|| {
                    format!("{path}:{}: [[routers]] {name:?}", topology.line(&r.name))
                })?;
                RouterHandle::Daemon(Arc::new(router))
            }
        };
        routers.insert(name, handle);
    }
    Ok(routers)
}

/// Brings the topology up: engine, world, API, routers, hosts, resources. Errors are bad input
/// or refusals of the API, reported as one line.
pub async fn bring_up(topology: Topology, path: &str, mode: Mode) -> Result<Arc<Lab>> {
    check_pops(&topology, path)?;
    let wiring = Arc::new(Wiring::default());
    let engine = match mode {
        Mode::Virtual => Engine::spawn_with(Some(Arc::new(InMemory(Arc::clone(&wiring))))),
        Mode::Real { .. } => Engine::spawn(),
    };
    // The model's time is the runner's clock: a partner approving after 2 s does so after 2 s
    // of virtual time too.
    let started = Instant::now();
    let wall = world::now();
    let clock: world::Clock =
        Arc::new(move || wall + chrono::TimeDelta::from_std(started.elapsed()).unwrap_or_default());
    let catalogue = catalogue(&topology).resolved();
    let running = World::start(world::Config {
        catalogue: catalogue.clone(),
        engine,
        clock,
        persistence: None,
    })
    .context(|| path.to_string())?;
    // Timed changes of the model (a hosted link being provisioned) reach the engine.
    running.spawn_ticker(Duration::from_secs(1));
    let region = topology
        .interlink
        .as_ref()
        .map_or("fr-par", |i| i.region.as_str())
        .to_string();
    let api = Api::new(
        api::router(api::App::new(running.clone(), &catalogue)),
        demo::DEMO_SECRET_KEY,
        demo::ADMIN_SECRET_KEY,
        &region,
    );
    let vpcs = topology
        .vpcs
        .iter()
        .map(|v| {
            let name = v.name.get_ref().clone();
            let id = provider::ids::stable_uuid("vpc", &name);
            (name, id)
        })
        .collect();
    let routers = make_routers(&topology, path, &mode).await?;
    let mut lab = Lab {
        world: running,
        api,
        topology,
        policies: HashMap::new(),
        vpcs,
        ovh: Default::default(),
        routers,
        wiring,
        plugged: Mutex::new(BTreeMap::new()),
        kernels: None,
        mode,
    };
    super::ovh::create(&mut lab, path).await?;
    super::resources::create_resources(&mut lab, path).await?;
    customer::attach(&lab, path).await?;
    if let Mode::Real { provider } = &lab.mode {
        if !lab.topology.hosts.is_empty() {
            Kernels::require_ping().context(|| path.to_string())?;
        }
        let kernels = Arc::new(Kernels::new(provider.clone()));
        lab.kernels = Some(Arc::clone(&kernels));
        lab.world.set_renderer(kernels);
    }
    let lab = Arc::new(lab);
    customer::reconcile(&lab)
        .await
        .context(|| path.to_string())?;
    if let Some(kernels) = &lab.kernels {
        for (name, r) in &lab.routers {
            if let RouterHandle::Daemon(d) = r {
                kernels.add_router(name, Arc::clone(d));
            }
        }
        lab.world
            .render()
            .await
            .context(|| format!("{path}: wiring the data plane into Linux"))?;
        if let Some(e) = lab.world.read(|s| s.live.render_error.clone()).await? {
            return Err(RunError::Refused(format!(
                "{path}: wiring the data plane into Linux: {e}"
            )));
        }
    }
    customer::spawn(&lab);
    Ok(lab)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Topology {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../topologies")
            .join(name);
        crate::format::load(&path).unwrap()
    }

    #[test]
    fn a_topology_of_hosts_without_routers_runs_in_namespaces_only_as_root() {
        let l2 = load("ovh-l2.toml");
        assert_eq!(Mode::for_up(&l2, false).unwrap(), running_as_root());
        assert!(!Mode::for_up(&l2, true).unwrap());
        // Embedded routers run in memory, root or not.
        let embedded = load("ovh-l3-static-vrrp-embedded.toml");
        assert!(!Mode::for_up(&embedded, false).unwrap());
        // Daemons need namespaces: --model-only is refused.
        let frr = load("ovh-l3-static-vrrp.toml");
        assert!(Mode::for_up(&frr, false).unwrap());
        let e = Mode::for_up(&frr, true).unwrap_err().to_string();
        assert!(e.contains("--model-only"), "{e}");
        // Embedded routers beside daemons run in namespaces too, which needs root.
        let mixed = load("interlink-mixed.toml");
        assert!(Mode::needed(&mixed));
        match Mode::for_up(&mixed, false) {
            Ok(real) => assert!(real && running_as_root()),
            Err(e) => {
                assert!(!running_as_root());
                assert!(e.to_string().contains("need root"), "{e}");
            }
        }
        assert!(Mode::for_up(&mixed, true).is_err());
    }
}
