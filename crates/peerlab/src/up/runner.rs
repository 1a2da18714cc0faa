//! The topology runner's world: [`bring_up`] starts the engine and the API, creates the
//! routers and the provider resources ([`super::resources`]); [`World`] is what the steps
//! ([`super::steps`]) act on and the expectations look at.
//!
//! Provider resources are made by the API's own handlers ([`super::provision`]), so the
//! runner exercises exactly what an SDK client would. Dedicated connections and VPCs exist
//! before any API call in the real service, so they go into the catalogue instead.
//!
//! Time is tokio's clock: paused (virtual) with embedded routers, so `within = "10s"` costs no
//! real time.

use super::daemon::{self, DaemonRouter};
use super::embedded::EmbeddedRouter;
use super::provision::Api;
use super::wiring::{InMemory, Wiring};
use anyhow::{Context, anyhow, bail};
use axum::http::Method;
use engine::{Engine, EngineHandle, Family, SessionStatus};
use ipnet::IpNet;
use linux::Netns;
use provider::catalogue::{Catalogue, DedicatedConnectionSpec, PrivateNetworkSpec, VpcSpec, demo};
use provider::interlink::connection::VlanRange;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use topology::format::{RouterKind, Topology};

/// A link as created.
#[derive(Clone, Debug)]
pub struct LinkInfo {
    /// The API's id (also the engine's link id).
    pub id: String,
    /// The physical port it is on: its dedicated connection's name, or `partner NAME`.
    pub port: String,
    /// Its VLAN (0 while a hosted link has none).
    pub vlan: u16,
    /// Scaleway's and the peer's addresses, with their prefix lengths (none while a hosted
    /// link is not provisioned).
    pub addresses: Option<LinkAddresses>,
}

/// A link's four addresses, as the API gives them (`169.254.0.0/31`).
#[derive(Clone, Copy, Debug)]
pub struct LinkAddresses {
    /// Scaleway's IPv4 address.
    pub scw_v4: IpNet,
    /// Scaleway's IPv6 address.
    pub scw_v6: IpNet,
    /// The peer's IPv4 address.
    pub peer_v4: IpNet,
    /// The peer's IPv6 address.
    pub peer_v6: IpNet,
}

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
    /// to daemons then run in namespaces too ([`super::embedded_tcp`]); a topology of embedded
    /// routers only runs in memory.
    pub fn needed(t: &Topology) -> anyhow::Result<bool> {
        Ok(t.routers.iter().any(|r| r.kind != RouterKind::Embedded))
    }

    /// The mode `peerlab up` runs a topology in (`true`: namespace mode). Real daemons need
    /// namespaces. A topology without routers but with hosts (an OVHcloud Connect l2 vRack)
    /// runs in namespace mode too when run as root, so that every `reach` is also a ping;
    /// without root, or with `model_only` (`--model-only`), it runs in memory on the virtual
    /// clock and `reach` is the model's alone.
    pub fn for_up(t: &Topology, model_only: bool) -> anyhow::Result<bool> {
        let daemons = Self::needed(t)?;
        if daemons && model_only {
            bail!("--model-only: real daemons run in network namespaces, not in memory");
        }
        let embedded = t.routers.iter().any(|r| r.kind == RouterKind::Embedded);
        if daemons && embedded && !running_as_root() {
            bail!(
                "embedded routers next to real daemons run in network namespaces, which need root (run as root, or make every router embedded)"
            );
        }
        let pingable = t.routers.is_empty() && !t.hosts.is_empty();
        Ok(daemons || (pingable && !model_only && running_as_root()))
    }
}

/// Whether this process runs as root (the owner of `/proc/self` is its effective user).
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// What the checks look at: the engine, the API, and the names of what was created.
pub struct World {
    /// The engine running the links' sessions.
    pub engine: EngineHandle,
    /// The in-process API client.
    pub api: Api,
    /// The topology.
    pub topology: Topology,
    /// Links by name.
    pub links: HashMap<String, LinkInfo>,
    /// Routing policies: name → id.
    pub policies: HashMap<String, String>,
    /// VPCs: name → id.
    pub vpcs: HashMap<String, String>,
    /// Routers by name.
    pub routers: HashMap<String, RouterHandle>,
    /// The in-memory cabling.
    pub wiring: Arc<Wiring>,
    /// What `[ovh_connect]` became.
    pub ovh: super::ovh::OvhRun,
    /// Links whose cable a step pulled, by name.
    pub cables_down: std::sync::Mutex<std::collections::HashSet<String>>,
    /// With real daemons: the hosts' namespaces and the rendering into the kernels.
    pub linux: Option<Arc<super::kernels::Linux>>,
    /// How it runs (kept last: the provider namespace goes after the routers' cables).
    pub mode: Mode,
}

impl World {
    /// Node name → network namespace: `provider`, each daemon router, each host and OVH's VRRP
    /// routers running now (`--keep`, `exec`).
    pub fn nodes(&self) -> std::collections::BTreeMap<String, super::rundir::Node> {
        let mut nodes = std::collections::BTreeMap::new();
        if let Mode::Real { provider } = &self.mode {
            let node = super::rundir::Node {
                netns: provider.name().to_string(),
                cli: Vec::new(),
            };
            nodes.insert("provider".to_string(), node);
        }
        for (name, router) in &self.routers {
            if let RouterHandle::Daemon(d) = router {
                let node = super::rundir::Node {
                    netns: d.netns().name().to_string(),
                    cli: d.cli(),
                };
                nodes.insert(name.clone(), node);
            }
        }
        for (name, netns) in self.linux.iter().flat_map(|l| l.hosts()) {
            let node = super::rundir::Node {
                netns: netns.name().to_string(),
                cli: Vec::new(),
            };
            nodes.insert(name.clone(), node);
        }
        // OVH's VRRP routers running now: `ovh-DC-a`, `ovh-DC-b`.
        for (name, netns) in self.linux.iter().flat_map(|l| l.vrrp().nodes()) {
            let node = super::rundir::Node {
                netns,
                cli: Vec::new(),
            };
            nodes.entry(name).or_insert(node);
        }
        nodes
    }

    /// A link's id.
    pub fn link_id(&self, name: &str) -> Result<String, String> {
        self.links
            .get(name)
            .map(|l| l.id.clone())
            .ok_or_else(|| format!("link {name} was not created"))
    }

    /// The ids of the links attached to VPC `vpc` now, with their names.
    async fn links_of_vpc(&self, vpc: &str) -> Result<Vec<(String, String, Value)>, String> {
        let vpc_id = self.vpcs.get(vpc).ok_or_else(|| format!("no vpc {vpc}"))?;
        let mut found = Vec::new();
        for (name, info) in &self.links {
            let Ok(link) = self
                .api
                .interlink(Method::GET, &format!("/links/{}", info.id), None)
                .await
            else {
                continue; // deleted
            };
            if link.get("vpc_id").and_then(Value::as_str) == Some(vpc_id.as_str()) {
                found.push((name.clone(), info.id.clone(), link));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    /// The routes installed toward VPC `vpc`, over the links attached to it.
    pub async fn vpc_routes(&self, vpc: &str) -> Result<BTreeSet<IpNet>, String> {
        let mut routes = BTreeSet::new();
        for (_, id, _) in self.links_of_vpc(vpc).await? {
            if let Ok(snapshot) = self.engine.snapshot(&id).await {
                for family in Family::ALL {
                    if let Some(s) = snapshot.session(family) {
                        routes.extend(s.installed.iter().copied());
                    }
                }
            }
        }
        Ok(routes)
    }

    /// The routes router `name` learned from the provider.
    pub async fn router_routes(&self, name: &str) -> Result<BTreeSet<IpNet>, String> {
        match self.routers.get(name) {
            Some(RouterHandle::Embedded(r)) => Ok(r.learned()),
            Some(RouterHandle::Daemon(r)) => daemon::blocking(r, DaemonRouter::learned).await?,
            None => Err(format!("no router {name}")),
        }
    }

    /// Why no route to `address` is installed toward `vpc`, in a network engineer's words.
    pub async fn why_not_installed(&self, vpc: &str, address: IpAddr) -> String {
        let links = match self.links_of_vpc(vpc).await {
            Ok(links) if !links.is_empty() => links,
            Ok(_) => return format!("no link is attached to vpc {vpc}"),
            Err(e) => return e,
        };
        let family = if address.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        };
        let mut reasons = Vec::new();
        for (name, id, link) in links {
            let Ok(snapshot) = self.engine.snapshot(&id).await else {
                reasons.push(format!("link {name} is not running"));
                continue;
            };
            let Some(s) = snapshot.session(family) else {
                reasons.push(format!(
                    "link {name} has no {} routing policy, so its {} session is disabled",
                    family.name(),
                    family.name()
                ));
                continue;
            };
            let reason = if s.status != SessionStatus::Up {
                let down = s.last_down.as_deref().unwrap_or("it never came up");
                format!(
                    "the {} session of link {name} is down ({down})",
                    family.name()
                )
            } else if let Some(r) = route_to(&s.accepted, address) {
                if link.get("enable_route_propagation") == Some(&Value::Bool(false)) {
                    format!("{r} is accepted on link {name} but route propagation is disabled")
                } else {
                    format!("{r} is accepted on link {name} but not installed")
                }
            } else if let Some(r) = route_to(&s.received, address) {
                format!(
                    "{r} is received on link {name} but its routing policy's prefix_filter_in does not admit it"
                )
            } else {
                format!("nothing covering {address} is announced on link {name}")
            };
            reasons.push(reason);
        }
        reasons.join("; ")
    }
}

fn route_to(routes: &BTreeSet<IpNet>, address: IpAddr) -> Option<IpNet> {
    routes
        .iter()
        .filter(|r| r.contains(&address))
        .max_by_key(|r| r.prefix_len())
        .copied()
}

/// The catalogue of a topology: the demo's PoPs, partners and project, plus its dedicated
/// connections and VPCs.
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

/// Brings the topology up: engine, API, resources, routers. Errors are bad input or refusals
/// of the API, reported as one line.
pub async fn bring_up(topology: Topology, path: &str, mode: Mode) -> anyhow::Result<World> {
    let known = Catalogue::default().resolved();
    for dc in topology
        .interlink
        .iter()
        .flat_map(|i| &i.dedicated_connections)
    {
        let pop = dc.pop.get_ref();
        if !known.pops.iter().any(|p| &p.name == pop) {
            let names: Vec<&str> = known.pops.iter().map(|p| p.name.as_str()).collect();
            bail!(
                "{path}:{}: [[interlink.dedicated_connections]] {:?}: unknown pop {pop:?} (the catalogue has {})",
                topology.line(&dc.pop),
                dc.name.get_ref(),
                names.join(", ")
            );
        }
    }
    let wiring = Arc::new(Wiring::default());
    let engine = match mode {
        Mode::Virtual => Engine::spawn_with(Some(Arc::new(InMemory(Arc::clone(&wiring))))),
        Mode::Real { .. } => Engine::spawn(),
    };
    // The model's time is the runner's clock: a partner approving after 2 s does so after 2 s
    // of virtual time too.
    let started = Instant::now();
    let wall = api::now();
    let clock: world::Clock =
        Arc::new(move || wall + chrono::TimeDelta::from_std(started.elapsed()).unwrap_or_default());
    let catalogue = catalogue(&topology).resolved();
    let running = world::World::start(world::Config {
        catalogue: catalogue.clone(),
        engine: engine.clone(),
        clock,
        persistence: None,
    })
    .map_err(|e| anyhow!("{path}: {e}"))?;
    // Timed changes of the model (a hosted link being provisioned) reach the engine.
    running.spawn_ticker(Duration::from_secs(1));
    let app = api::App::new(running, &catalogue);
    let region = topology
        .interlink
        .as_ref()
        .map_or("fr-par", |i| i.region.as_str())
        .to_string();
    let api = Api::new(
        api::router(app),
        demo::DEMO_SECRET_KEY,
        demo::ADMIN_SECRET_KEY,
        &region,
    );

    let mut world = World {
        engine,
        api,
        topology,
        links: HashMap::new(),
        policies: HashMap::new(),
        vpcs: HashMap::new(),
        routers: HashMap::new(),
        wiring,
        ovh: Default::default(),
        cables_down: Default::default(),
        linux: None,
        mode,
    };
    for vpc in &world.topology.vpcs {
        let id = provider::ids::stable_uuid("vpc", vpc.name.get_ref());
        world
            .vpcs
            .insert(vpc.name.get_ref().clone(), id.to_string());
    }
    for (i, r) in world.topology.routers.iter().enumerate() {
        let name = r.name.get_ref().clone();
        let handle = match (daemon::peer_kind(r.kind), &world.mode) {
            (None, Mode::Virtual) => RouterHandle::Embedded(Arc::new(EmbeddedRouter::new(
                &name,
                r.asn,
                router_id(r.router_id, i),
                r.announce.clone(),
            ))),
            (kind, _) => {
                let (asn, announce) = (r.asn, r.announce.clone());
                let made = match kind {
                    // Beside daemons, the embedded speaker gets a namespace and a cable of its
                    // own.
                    None => {
                        let speaker = Arc::new(EmbeddedRouter::new(
                            &name,
                            asn,
                            router_id(r.router_id, i),
                            announce.clone(),
                        ));
                        tokio::task::spawn_blocking(move || {
                            DaemonRouter::embedded(speaker, asn, &announce)
                        })
                        .await
                    }
                    Some(kind) => {
                        let (id, raw, label) = (r.router_id, r.config.clone(), name.clone());
                        tokio::task::spawn_blocking(move || {
                            DaemonRouter::create(&label, kind, asn, id, &announce, raw.as_deref())
                        })
                        .await
                    }
                };
                let router = made.map_err(|e| anyhow!("{e}"))?.with_context(|| {
                    format!(
                        "{path}:{}: [[routers]] {name:?}",
                        world.topology.line(&r.name)
                    )
                })?;
                RouterHandle::Daemon(Arc::new(router))
            }
        };
        world.routers.insert(r.name.get_ref().clone(), handle);
    }
    super::ovh::create(&mut world, path).await?;
    super::resources::create_resources(&mut world, path).await?;
    if let Mode::Real { provider } = &world.mode {
        let linux = wire_linux(&world, provider.clone())
            .await
            .map_err(|e| anyhow!("{path}: wiring the data plane into Linux: {e}"))?;
        world.linux = Some(Arc::new(linux));
        world
            .render_linux()
            .await
            .map_err(|e| anyhow!("{path}: {e}"))?;
    }
    Ok(world)
}

/// Creates the hosts' namespaces and bridges as the model of the running topology has them.
async fn wire_linux(world: &World, provider: Netns) -> Result<super::kernels::Linux, String> {
    let model = super::model::build(world).await?;
    let mut routers = Vec::new();
    for (name, handle) in &world.routers {
        let RouterHandle::Daemon(d) = handle else {
            continue;
        };
        let cable = d.cable_devices().and_then(|(id, host_if, peer_if)| {
            let port = match world.links.iter().find(|(_, l)| l.id == id) {
                Some((link, _)) => (super::model::PROVIDER.to_string(), format!("link {link}")),
                None => super::ovh_model::session_port(world, &id)?,
            };
            Some((port, host_if, peer_if))
        });
        routers.push(super::kernels::RouterNs {
            name: name.clone(),
            netns: d.netns().clone(),
            cable,
        });
    }
    let topology = world.topology.clone();
    tokio::task::spawn_blocking(move || {
        super::kernels::Linux::wire(&topology, &model, &provider, routers)
    })
    .await
    .map_err(|e| e.to_string())?
}

impl World {
    /// With real daemons, renders the model of the topology as it runs now into the kernels
    /// and returns it; `None` for embedded topologies.
    pub async fn render_linux(&self) -> Result<Option<super::model::Model>, String> {
        let Some(linux) = &self.linux else {
            return Ok(None);
        };
        let mut model = super::model::build(self).await?;
        let linux = Arc::clone(linux);
        tokio::task::spawn_blocking(move || linux.render(&mut model).map(|_| model))
            .await
            .map_err(|e| e.to_string())?
            .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str) -> Topology {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../topologies")
            .join(name);
        topology::format::load(&path).unwrap()
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
        assert!(Mode::needed(&mixed).unwrap());
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
