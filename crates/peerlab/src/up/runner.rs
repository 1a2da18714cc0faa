//! The topology runner: brings a topology up through the provider's API, plugs its routers in,
//! checks `[[expect]]`, plays `[[steps]]` and records each outcome for the report.
//!
//! Provider resources are made by the API's own handlers ([`super::provision`]), so the
//! runner exercises exactly what an SDK client would. Dedicated connections and VPCs exist
//! before any API call in the real service, so they go into the catalogue instead.
//!
//! Time is tokio's clock: paused (virtual) with embedded routers, so `within = "10s"` costs no
//! real time.

use super::daemon::{self, DaemonRouter};
use super::embedded::EmbeddedRouter;
use super::expect;
use super::provision::{Api, body, opt};
use super::report::{Outcome, Report};
use super::wiring::{InMemory, Wiring};
use anyhow::{Context, anyhow, bail};
use axum::http::Method;
use engine::{Engine, EngineHandle, Family, SessionStatus};
use ipnet::IpNet;
use provider::catalogue::{Catalogue, DedicatedConnectionSpec, PrivateNetworkSpec, VpcSpec, demo};
use provider::interlink::connection::VlanRange;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use topology::format::{self, RouterKind, Step, Topology};
use topology::{LinkAddressing, Netns};

/// How often an expectation is looked at again while it does not hold.
const POLL: Duration = Duration::from_millis(100);

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
    /// FRR, BIRD or GoBGP in its namespace.
    Daemon(Arc<DaemonRouter>),
}

/// How a topology runs.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Embedded routers only: in memory, on the paused (virtual) clock.
    Virtual,
    /// Real daemons: the provider side in namespace `provider` (the thread running the runner
    /// has entered it), real TCP, the real clock.
    Real {
        /// The provider side's namespace.
        provider: Netns,
    },
}

impl Mode {
    /// The mode a topology needs: an error for a mix of embedded and daemon routers.
    pub fn needed(t: &Topology) -> anyhow::Result<bool> {
        let daemons = t
            .routers
            .iter()
            .filter(|r| r.kind != RouterKind::Embedded)
            .count();
        if daemons > 0 && daemons < t.routers.len() {
            bail!("a topology's routers are all embedded or all real daemons, not a mix");
        }
        Ok(daemons > 0)
    }
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
    /// Links whose cable a step pulled, by name.
    pub cables_down: std::sync::Mutex<std::collections::HashSet<String>>,
    /// How it runs (kept last: the provider namespace goes after the routers' cables).
    pub mode: Mode,
}

impl World {
    /// Node name → network namespace: `provider` and each daemon router (`--keep`, `exec`).
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
    if topology.ovh_connect.is_some() {
        bail!("{path}: [ovh_connect] topologies are not supported by this runner yet");
    }
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
    let clock: api::Clock =
        Arc::new(move || wall + chrono::TimeDelta::from_std(started.elapsed()).unwrap_or_default());
    let app = api::App::with_clock(&catalogue(&topology), Some(engine.clone()), clock)
        .map_err(|e| anyhow!("{path}: {e}"))?;
    app.spawn_status_feed();
    // Timed changes of the model (a hosted link being provisioned) reach the engine.
    app.spawn_ticker(Duration::from_secs(1));
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
        cables_down: Default::default(),
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
        let handle = match daemon::peer_kind(r.kind) {
            None => RouterHandle::Embedded(Arc::new(EmbeddedRouter::new(
                &name,
                r.asn,
                router_id(r.router_id, i),
                r.announce.clone(),
            ))),
            Some(kind) => {
                let (asn, id, announce, raw) =
                    (r.asn, r.router_id, r.announce.clone(), r.config.clone());
                let label = name.clone();
                let router = tokio::task::spawn_blocking(move || {
                    DaemonRouter::create(&label, kind, asn, id, &announce, raw.as_deref())
                })
                .await
                .map_err(|e| anyhow!("{e}"))?
                .with_context(|| {
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
    create_resources(&mut world, path).await?;
    Ok(world)
}

async fn create_resources(world: &mut World, path: &str) -> anyhow::Result<()> {
    let Some(interlink) = world.topology.interlink.clone() else {
        return Ok(());
    };
    let api = world.api.clone();
    for p in &interlink.routing_policies {
        let name = p.name.get_ref();
        let created = api
            .interlink(
                Method::POST,
                "/routing-policies",
                Some(json!({
                    "name": name,
                    "is_ipv6": p.is_ipv6,
                    "tags": p.tags,
                    "prefix_filter_in": p.prefix_filter_in.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "prefix_filter_out": p.prefix_filter_out.iter().map(ToString::to_string).collect::<Vec<_>>(),
                })),
            )
            .await
            .with_context(|| {
                let line = world.topology.line(&p.name);
                format!("{path}:{line}: [[interlink.routing_policies]] {name:?}")
            })?;
        world.policies.insert(name.clone(), id_of(&created)?);
    }
    for l in &interlink.links {
        let name = l.name.get_ref();
        let line = world.topology.line(&l.name);
        let context = || format!("{path}:{line}: [[interlink.links]] {name:?}");
        let policy = |p: &Option<format::Name>| {
            p.as_ref()
                .and_then(|p| world.policies.get(p.get_ref()).cloned())
        };
        let mut request = body(&[
            ("name", json!(name)),
            ("bandwidth_mbps", json!(l.bandwidth_mbps)),
            ("peer_asn", opt(l.peer_asn)),
            ("routing_policy_v4_id", opt(policy(&l.routing_policy_v4))),
            ("routing_policy_v6_id", opt(policy(&l.routing_policy_v6))),
            ("tags", json!(l.tags)),
        ]);
        if let Some(connection) = &l.connection {
            let id = api
                .id_by_name(
                    "/dedicated-connections",
                    "connections",
                    connection.get_ref(),
                )
                .await
                .with_context(context)?;
            let pop = connection_pop(&api, &id).await.with_context(context)?;
            request["connection_id"] = json!(id);
            request["pop_id"] = json!(pop);
            request["vlan"] = opt(l.vlan);
        }
        if let Some(partner) = &l.partner {
            let id = api
                .id_by_name("/partners", "partners", partner.get_ref())
                .await
                .with_context(context)?;
            request["partner_id"] = json!(id);
            let pop = match &l.pop {
                Some(pop) => api.id_by_name("/pops", "pops", pop.get_ref()).await,
                None => first_pop_of_partner(&api, &id).await,
            };
            request["pop_id"] = json!(pop.with_context(context)?);
        }
        let created = api
            .interlink(Method::POST, "/links", Some(request))
            .await
            .with_context(context)?;
        let id = id_of(&created)?;
        if let Some(approve) = l.approve {
            let action = if approve { "approve" } else { "refuse" };
            api.admin(
                &format!("/links/{id}/{action}"),
                json!({"reason": "refused by the topology"}),
            )
            .await
            .with_context(context)?;
        }
        if let Some(vpc) = &l.vpc {
            let vpc_id = world.vpcs.get(vpc.get_ref()).cloned().unwrap_or_default();
            api.interlink(
                Method::POST,
                &format!("/links/{id}/attach-vpc"),
                Some(json!({ "vpc_id": vpc_id })),
            )
            .await
            .with_context(context)?;
        }
        if l.enable_route_propagation {
            api.interlink(
                Method::POST,
                &format!("/links/{id}/enable-route-propagation"),
                Some(json!({})),
            )
            .await
            .with_context(context)?;
        }
        let link = addressed_link(&api, &id, l.partner.is_some() && l.approve != Some(false))
            .await
            .with_context(context)?;
        let address = |side: &str, family: &str| -> Option<IpNet> {
            link.get(side)?.get(family)?.as_str()?.parse::<IpNet>().ok()
        };
        let vlan = link.get("vlan").and_then(Value::as_u64);
        let mut info = LinkInfo {
            id: id.clone(),
            port: match (&l.connection, &l.partner) {
                (Some(c), _) => c.get_ref().clone(),
                (_, Some(p)) => format!("partner {}", p.get_ref()),
                _ => String::new(),
            },
            vlan: vlan.and_then(|v| u16::try_from(v).ok()).unwrap_or(0),
            addresses: None,
        };
        let peer = |family: &str| address("peer_bgp_config", family);
        let scw = |family: &str| address("scw_bgp_config", family);
        let (Some(peer_v4), Some(peer_v6), Some(scw_v4), Some(scw_v6)) =
            (peer("ipv4"), peer("ipv6"), scw("ipv4"), scw("ipv6"))
        else {
            // A hosted link not provisioned yet has no addresses: nothing to plug.
            world.links.insert(name.clone(), info);
            continue;
        };
        info.addresses = Some(LinkAddresses {
            scw_v4,
            scw_v6,
            peer_v4,
            peer_v6,
        });
        let (peer_v4, peer_v6) = (peer_v4.addr(), peer_v6.addr());
        if let Mode::Real { provider } = &world.mode {
            if let (IpAddr::V4(v4), IpAddr::V6(v6)) = (scw_v4.addr(), scw_v6.addr()) {
                let addressing = LinkAddressing::from_scw(v4, v6).with_context(context)?;
                plug_daemon(world, provider.clone(), l, &id, vlan, addressing)
                    .await
                    .with_context(context)?;
            }
        } else {
            let router = plugged_router(world, l, vlan);
            world.wiring.plug(&id, router, peer_v4, peer_v6);
        }
        world.links.insert(name.clone(), info);
    }
    Ok(())
}

/// The embedded router plugged into link `l` (VLAN `vlan` as the API gave it), if any: its plug
/// names the link, or the link's connection (or partner) and the same VLAN.
fn plugged_router(
    world: &World,
    l: &format::Link,
    vlan: Option<u64>,
) -> Option<Arc<EmbeddedRouter>> {
    let router = world.topology.routers.iter().find(|r| {
        let plug = r.plug.get_ref();
        let same_vlan = plug.vlan.map(u64::from) == vlan;
        plug.link.as_deref() == Some(l.name.get_ref().as_str())
            || (same_vlan && l.connection.as_ref().map(|c| c.get_ref()) == plug.connection.as_ref())
            || (same_vlan && l.partner.as_ref().map(|p| p.get_ref()) == plug.partner.as_ref())
    })?;
    match world.routers.get(router.name.get_ref())? {
        RouterHandle::Embedded(r) => Some(Arc::clone(r)),
        RouterHandle::Daemon(_) => None,
    }
}

/// Cables the daemon router plugged into link `l` (by name, or on its connection or partner:
/// the same VLAN first, else another VLAN — a VLAN mismatch the sessions will show) and starts
/// it with the link's addresses.
async fn plug_daemon(
    world: &World,
    provider: Netns,
    l: &format::Link,
    link_id: &str,
    vlan: Option<u64>,
    addressing: LinkAddressing,
) -> anyhow::Result<()> {
    let on_link = |r: &&format::Router| {
        let plug = r.plug.get_ref();
        plug.link.as_deref() == Some(l.name.get_ref().as_str())
            || (plug.connection.is_some()
                && l.connection.as_ref().map(|c| c.get_ref()) == plug.connection.as_ref())
            || (plug.partner.is_some()
                && l.partner.as_ref().map(|p| p.get_ref()) == plug.partner.as_ref())
    };
    let candidates: Vec<&format::Router> = world.topology.routers.iter().filter(on_link).collect();
    let same_vlan = candidates
        .iter()
        .find(|r| r.plug.get_ref().link.is_some() || r.plug.get_ref().vlan.map(u64::from) == vlan);
    let Some(router) = same_vlan.or(candidates.first()) else {
        return Ok(());
    };
    let Some(RouterHandle::Daemon(daemon)) = world.routers.get(router.name.get_ref()) else {
        return Ok(());
    };
    if daemon.link_id().is_some() {
        return Ok(()); // already cabled to another link
    }
    let host_vlan = vlan
        .and_then(|v| u16::try_from(v).ok())
        .ok_or_else(|| anyhow!("the link has no VLAN"))?;
    let peer_vlan = router
        .plug
        .get_ref()
        .vlan
        .and_then(|v| u16::try_from(v).ok())
        .unwrap_or(host_vlan);
    let link_id = link_id.to_string();
    daemon::blocking(daemon, move |d| {
        d.plug(&provider, &link_id, host_vlan, peer_vlan, addressing)
    })
    .await
    .map_err(|e| anyhow!(e))?
    .with_context(|| format!("router {:?}", router.name.get_ref()))
}

/// The link, once it has its BGP addresses when `wait` (a hosted link the partner approves
/// and provisions): polled for up to a minute on the runner's clock.
async fn addressed_link(api: &Api, id: &str, wait: bool) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let link = api
            .interlink(Method::GET, &format!("/links/{id}"), None)
            .await?;
        let addressed = link.get("peer_bgp_config").is_some_and(|c| !c.is_null());
        if addressed || !wait || Instant::now() >= deadline {
            return Ok(link);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn id_of(v: &Value) -> anyhow::Result<String> {
    v.get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("the API answered without an id: {v}"))
}

async fn connection_pop(api: &Api, id: &str) -> anyhow::Result<String> {
    let c = api
        .interlink(Method::GET, &format!("/dedicated-connections/{id}"), None)
        .await?;
    c.get("pop_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("connection {id} has no pop_id"))
}

async fn first_pop_of_partner(api: &Api, partner: &str) -> anyhow::Result<String> {
    let pops = api
        .list_all(&format!("/pops?partner_id={partner}"), "pops")
        .await?;
    pops.first()
        .and_then(|p| p.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| anyhow!("partner {partner} is in no PoP"))
}

/// Waits for the expectations (letting the topology settle), and plays the steps too when
/// `with_steps`: what `peerlab trace` does before it traces.
pub async fn play_settle(
    world: &World,
    report: &mut Report,
    progress: &super::Progress,
    with_steps: bool,
) {
    if with_steps {
        return play(world, report, progress).await;
    }
    let start = Instant::now();
    for (i, e) in world.topology.expect.iter().enumerate() {
        let outcome = await_expectation(world, e.get_ref(), start).await;
        report.push(format!("expect #{}", i + 1), outcome);
    }
}

/// Runs the expectations and the steps, recording every outcome.
pub async fn play(world: &World, report: &mut Report, progress: &super::Progress) {
    let start = Instant::now();
    for (i, e) in world.topology.expect.iter().enumerate() {
        progress.item(&format!(
            "expect #{}: {}",
            i + 1,
            expect::describe(e.get_ref())
        ));
        let outcome = await_expectation(world, e.get_ref(), start).await;
        report.push(format!("expect #{}", i + 1), outcome);
    }
    for (i, step) in world.topology.steps.iter().enumerate() {
        let phase = format!("step {}", i + 1);
        let step = step.get_ref();
        progress.item(&format!("{phase}: {}", describe_step(step)));
        let outcome = match &step.expect {
            Some(e) => await_expectation(world, e, start).await,
            None => {
                let what = describe_step(step);
                let result = act(world, step).await;
                Outcome::new(what, result, start.elapsed())
            }
        };
        report.push(phase, outcome);
    }
}

/// Looks at `e` every [`POLL`] until it holds or its `within` ends.
async fn await_expectation(world: &World, e: &format::Expect, start: Instant) -> Outcome {
    let within = e.within.map_or(expect::DEFAULT_WITHIN, |w| w.0);
    let deadline = Instant::now() + within;
    loop {
        match world.check(e).await {
            Ok(detail) => return Outcome::new(expect::describe(e), Ok(detail), start.elapsed()),
            Err(why) if Instant::now() >= deadline => {
                let why = format!("not within {}: {why}", format::Within(within));
                return Outcome::new(expect::describe(e), Err(why), start.elapsed());
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

fn describe_step(s: &Step) -> String {
    if let Some(api) = &s.api {
        let mut args = Vec::new();
        for (key, value) in [
            ("link", &api.link),
            ("vpc", &api.vpc),
            ("routing_policy", &api.routing_policy),
        ] {
            if let Some(v) = value {
                args.push(format!("{key}={}", v.get_ref()));
            }
        }
        if let Some(asn) = api.peer_asn {
            args.push(format!("peer_asn={asn}"));
        }
        return format!("api {}({})", api.call.get_ref(), args.join(", "));
    }
    if let Some(l) = &s.link {
        return format!("link {} {:?}", l.name.get_ref(), l.state).to_lowercase();
    }
    if let Some(r) = &s.router {
        return format!("router {} {:?}", r.name.get_ref(), r.action).to_lowercase();
    }
    if let Some(w) = s.wait {
        return format!("wait {w}");
    }
    "nothing".to_string()
}

/// Carries out a step that is not an expectation.
async fn act(world: &World, s: &Step) -> Result<String, String> {
    if let Some(api) = &s.api {
        return call_api(world, api).await.map_err(|e| format!("{e:#}"));
    }
    if let Some(l) = &s.link {
        let id = world.link_id(l.name.get_ref())?;
        let up = l.state == format::LinkState::Up;
        {
            let mut down = world
                .cables_down
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if up {
                down.remove(l.name.get_ref());
            } else {
                down.insert(l.name.get_ref().clone());
            }
        }
        if let Mode::Real { .. } = world.mode {
            let daemon = world.routers.values().find_map(|r| match r {
                RouterHandle::Daemon(d) if d.link_id().as_deref() == Some(id.as_str()) => Some(d),
                _ => None,
            });
            let Some(daemon) = daemon else {
                return Err(format!("no router is cabled to link {}", l.name.get_ref()));
            };
            daemon::blocking(daemon, move |d| d.set_cable_up(up))
                .await?
                .map_err(|e| format!("{e:#}"))?;
            return Ok(if up {
                "cable plugged back"
            } else {
                "cable pulled"
            }
            .to_string());
        }
        return if world.wiring.set_up(&id, up) {
            Ok(if up {
                "cable plugged back"
            } else {
                "cable pulled"
            }
            .to_string())
        } else {
            Err(format!(
                "link {} has no cable (not provisioned)",
                l.name.get_ref()
            ))
        };
    }
    if let Some(r) = &s.router {
        let router = match world.routers.get(r.name.get_ref()) {
            Some(RouterHandle::Embedded(router)) => router,
            Some(RouterHandle::Daemon(daemon)) => {
                let action = r.action;
                return daemon::blocking(daemon, move |d| match action {
                    format::RouterOperation::Stop => d.stop().map(|()| "killed"),
                    format::RouterOperation::Start => d.start().map(|()| "started"),
                    format::RouterOperation::Restart => d.restart().map(|()| "restarted"),
                })
                .await?
                .map(str::to_string)
                .map_err(|e| format!("{e:#}"));
            }
            None => return Err(format!("no router {}", r.name.get_ref())),
        };
        match r.action {
            format::RouterOperation::Stop => router.stop(),
            format::RouterOperation::Start => router.start(),
            format::RouterOperation::Restart => {
                router.stop();
                tokio::time::sleep(Duration::from_millis(10)).await;
                router.start();
            }
        }
        return Ok("done".to_string());
    }
    if let Some(w) = s.wait {
        tokio::time::sleep(w.0).await;
        return Ok(format!("waited {w}"));
    }
    Err("empty step".to_string())
}

/// An SDK method by name, on the in-process API.
async fn call_api(world: &World, call: &format::ApiCall) -> anyhow::Result<String> {
    let link = match &call.link {
        Some(l) => Some(world.link_id(l.get_ref()).map_err(|e| anyhow!(e))?),
        None => None,
    };
    let policy = call
        .routing_policy
        .as_ref()
        .and_then(|p| world.policies.get(p.get_ref()).cloned());
    let vpc = call
        .vpc
        .as_ref()
        .and_then(|v| world.vpcs.get(v.get_ref()).cloned());
    let link = link.unwrap_or_default();
    let name = call.call.get_ref().as_str();
    let (method, path, request) = match name {
        "enable_route_propagation" | "disable_route_propagation" | "detach_vpc" => (
            Method::POST,
            format!("/links/{link}/{}", name.replace('_', "-")),
            Some(json!({})),
        ),
        "attach_vpc" => (
            Method::POST,
            format!("/links/{link}/attach-vpc"),
            Some(json!({ "vpc_id": vpc })),
        ),
        "attach_routing_policy" | "detach_routing_policy" | "set_routing_policy" => (
            Method::POST,
            format!("/links/{link}/{}", name.replace('_', "-")),
            Some(json!({ "routing_policy_id": policy })),
        ),
        "update_link" => (
            Method::PATCH,
            format!("/links/{link}"),
            Some(json!({ "peer_asn": call.peer_asn })),
        ),
        "delete_link" => (Method::DELETE, format!("/links/{link}"), None),
        "update_routing_policy" => {
            let mut request = json!({});
            if let Some(f) = &call.prefix_filter_in {
                request["prefix_filter_in"] =
                    json!(f.iter().map(ToString::to_string).collect::<Vec<_>>());
            }
            if let Some(f) = &call.prefix_filter_out {
                request["prefix_filter_out"] =
                    json!(f.iter().map(ToString::to_string).collect::<Vec<_>>());
            }
            (
                Method::PATCH,
                format!("/routing-policies/{}", policy.unwrap_or_default()),
                Some(request),
            )
        }
        other => bail!("unknown api call {other}"),
    };
    let answer = world.api.interlink(method, &path, request).await?;
    let status = answer.get("status").and_then(Value::as_str).unwrap_or("ok");
    Ok(format!("status {status}"))
}
