//! OVHcloud Connect in `peerlab up`: the `[ovh_connect]` resources made through the OVH API in
//! process (signed requests with the catalogue's demo credentials, as an SDK signs them), the
//! routers plugged into the l3 PoPs they get, and the OVH expectations.
//!
//! - Services (and their vRack) exist before any call: they go into the catalogue
//!   ([`add_to_catalogue`]), each named by a UUID derived from its topology name.
//! - PoP configurations, datacenter configurations and extras are created in that order, each
//!   waiting for its task to be `done` (an `error` task stops the bring-up with OVH's message).
//! - The task clock moves with the runner's: on the virtual clock a ticker moves OVH's clock
//!   (the wall clock plus an offset) forward by what the virtual clock gained on the wall clock
//!   (the admin call `advance-clock`), so a 2 s task takes 2 s of virtual time and VRRP timers
//!   run on it too; on the real clock nothing is needed.
//! - A router plugged into `{ ovh_service, interface }` meets the l3 PoP configuration of that
//!   interface: OVH on the /30's first address, the router on the second, OVH's `ovhBgpArea`
//!   as its neighbour's AS. A router plugged into `{ ovh_datacenter }` is the neighbour of that
//!   datacenter configuration's `bgp` extra whose `bgpNeighborArea` is its AS: OVH on the
//!   subnet's gateway, the router on `bgpNeighborIp`. Embedded routers go into the in-memory
//!   wiring under the engine's session ID (`ovh-pop-N`, `ovh-extra-N`); daemons get a veth
//!   with [`OVH_VLAN`] into the provider namespace.
//!
//! Expectations: `ovh_session` (the PoP's or a `bgp` extra's session: `established` is the
//! admin view's `up`, `down` anything else), `ovh_active` (the resource is `active` in the API
//! and its task `done`) and `vrrp_master` (the datacenter's VRRP gateway has elected a master,
//! [`super::ovh_vrrp`]).
//!
//! Not here: hosts behind OVH and OVH's routes in the kernel ([`super::ovh_model`] and
//! [`super::linux`]); an l2 PoP's vRack and the hosts on it ([`super::ovh_l2`]).

use super::daemon;
use super::runner::{Mode, RouterHandle, World};
use anyhow::{Context, anyhow, bail};
use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use provider::catalogue::ovh::{
    DEMO_APPLICATION_KEY, DEMO_APPLICATION_SECRET, DEMO_CONSUMER_KEY, DEMO_VRACK, OvhInterfaceSpec,
    OvhServiceSpec, VrackSpec,
};
use provider::catalogue::{Catalogue, demo};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use tokio::time::Instant;
use topology::LinkAddressing;
use topology::format::{Expect, ExtraType, PopType, SessionState, Topology};
use tower::ServiceExt;
use uuid::Uuid;

/// The VLAN a daemon's cable to an l3 PoP is tagged with: OVH's API has no VLAN for a PoP
/// configuration (it is agreed with the cross-connect), so the runner picks one.
pub const OVH_VLAN: u16 = 100;

/// How long a task may take before the bring-up gives up (runner's clock).
const TASK_DEADLINE: Duration = Duration::from_secs(120);

/// An OVH resource as created.
#[derive(Clone, Debug)]
pub struct Created {
    /// Its service's API path (`/1.0/ovhCloudConnect/{uuid}`).
    pub base: String,
    /// Its API path (`/1.0/ovhCloudConnect/{uuid}/config/pop/{id}`…).
    pub path: String,
    /// The API path of the task that created it.
    pub task: String,
    /// Its OVH ID.
    pub id: u64,
    /// The engine's session for it (l3 PoPs and `bgp` extras).
    pub session: Option<String>,
}

/// What the runner made of `[ovh_connect]`.
#[derive(Debug, Default)]
pub struct OvhRun {
    /// Services: name → serviceName (UUID).
    pub services: HashMap<String, Uuid>,
    /// PoP configurations, datacenter configurations and extras by name.
    pub created: HashMap<String, Created>,
}

/// A service's serviceName, from its topology name.
pub fn service_uuid(name: &str) -> Uuid {
    provider::ids::stable_uuid("ovh-service", name)
}

/// Puts the topology's OVH services (and vRacks) into the catalogue.
pub fn add_to_catalogue(t: &Topology, c: &mut Catalogue) {
    let Some(ovh) = &t.ovh_connect else { return };
    let known: Vec<String> = provider::catalogue::ovh::demo()
        .vracks
        .into_iter()
        .map(|v| v.name)
        .collect();
    for s in &ovh.services {
        let vrack = s.vrack.clone().unwrap_or_else(|| DEMO_VRACK.to_string());
        let declared = c.ovh_connect.vracks.iter().any(|v| v.name == vrack);
        if !known.contains(&vrack) && !declared {
            c.ovh_connect.vracks.push(VrackSpec {
                name: vrack.clone(),
                description: format!("vRack of topology {}", t.name.get_ref()),
            });
        }
        c.ovh_connect.services.push(OvhServiceSpec {
            uuid: service_uuid(s.name.get_ref()),
            pop: s.pop.clone(),
            bandwidth: s.bandwidth.clone(),
            provider: "OVHcloud".to_string(),
            description: s.name.get_ref().clone(),
            vrack: Some(vrack),
            interfaces: s
                .interface_list
                .iter()
                .map(|id| OvhInterfaceSpec { id: *id })
                .collect(),
        });
    }
}

/// One call to the in-process OVH API: signed for `/1.0/…`, the admin token for
/// `/peerlab/…`. The JSON answer, or OVH's error body.
async fn call(
    world: &World,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = Request::builder()
        .method(method.clone())
        .uri(path)
        .header("host", "peerlab");
    if path.starts_with("/1.0/") {
        let timestamp = api::now().timestamp().to_string();
        let url = format!("http://peerlab{path}");
        let signature = api::ovh::auth::signature(
            DEMO_APPLICATION_SECRET,
            DEMO_CONSUMER_KEY,
            method.as_str(),
            &url,
            bytes.as_bytes(),
            &timestamp,
        );
        request = request
            .header("x-ovh-application", DEMO_APPLICATION_KEY)
            .header("x-ovh-consumer", DEMO_CONSUMER_KEY)
            .header("x-ovh-timestamp", timestamp)
            .header("x-ovh-signature", signature);
    } else {
        request = request.header("x-auth-token", demo::ADMIN_SECRET_KEY);
    }
    if !bytes.is_empty() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Body::from(bytes))
        .context("building a request")?;
    let response = world
        .api
        .router()
        .oneshot(request)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let status = response.status();
    let answer = response
        .into_body()
        .collect()
        .await
        .map_err(|e| anyhow!("{e}"))?
        .to_bytes();
    let value: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
    if !status.is_success() {
        let message = value.get("message").and_then(Value::as_str).unwrap_or("");
        bail!("{method} {path}: {status} {message}");
    }
    Ok(value)
}

/// `POST path` of the admin API with `body`.
pub async fn post_admin(world: &World, path: &str, body: Value) -> anyhow::Result<Value> {
    call(world, Method::POST, path, Some(body)).await
}

/// `GET path` of the OVH API (signed).
pub async fn get(world: &World, path: &str) -> anyhow::Result<Value> {
    call(world, Method::GET, path, None).await
}

/// On the virtual clock: keeps OVH's task clock (the wall clock plus an offset) with the
/// runner's, by moving it forward by what the virtual clock gained on the wall clock. Once the
/// runner's clock runs in real time (`--keep`), the gain stops growing and so does the offset.
fn spawn_clock(world: &World) {
    let router = world.api.router();
    let (virtual_start, wall_start) = (Instant::now(), std::time::Instant::now());
    tokio::spawn(async move {
        let mut moved: u64 = 0;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let gained = virtual_start
                .elapsed()
                .saturating_sub(wall_start.elapsed())
                .as_secs();
            if gained <= moved {
                continue;
            }
            let request = Request::builder()
                .method(Method::POST)
                .uri("/peerlab/v1/admin/ovh/advance-clock")
                .header("x-auth-token", demo::ADMIN_SECRET_KEY)
                .header("content-type", "application/json")
                .body(Body::from(json!({ "seconds": gained - moved }).to_string()));
            let Ok(request) = request else { return };
            if router.clone().oneshot(request).await.is_err() {
                return;
            }
            moved = gained;
        }
    });
}

/// Waits until the task at `task` is `done`; an `error` task is an error.
async fn wait_done(world: &World, task: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + TASK_DEADLINE;
    loop {
        let t = call(world, Method::GET, task, None).await?;
        match t.get("status").and_then(Value::as_str) {
            Some("done") => return Ok(()),
            Some("error") => bail!("task {task} ended in error"),
            _ => {}
        }
        if Instant::now() >= deadline {
            bail!("task {task} is not done after {}s", TASK_DEADLINE.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `{ key: value }` for the values that are given.
fn fields(pairs: &[(&str, Option<Value>)]) -> Value {
    let mut object = serde_json::Map::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            object.insert((*key).to_string(), value.clone());
        }
    }
    Value::Object(object)
}

/// The task an OVH create call answered with (`ovhcloudconnect.Task`): its ID and the ID of
/// the resource it creates (`resourceId`), after checking it is the task `function`.
fn task_of(answer: &Value, function: &str) -> anyhow::Result<(u64, u64)> {
    let field = |name: &str| answer.get(name).and_then(Value::as_u64);
    match (field("id"), field("resourceId")) {
        (Some(task), Some(resource))
            if answer.get("function").and_then(Value::as_str) == Some(function) =>
        {
            Ok((task, resource))
        }
        _ => bail!("the API answered without a task {function}: {answer}"),
    }
}

/// The created resource a configuration hangs under (`kind` and `name` for the error).
fn parent(world: &World, kind: &str, name: &str) -> anyhow::Result<Created> {
    world
        .ovh
        .created
        .get(name)
        .cloned()
        .ok_or_else(|| anyhow!("{kind} {name:?} was not created"))
}

/// POSTs `body` to `collection` (a path under service `base`): the answer is the task
/// `function` that creates the new resource, named by its `resourceId` (the flow of
/// terraform-provider-ovh). The resource, without a session yet.
async fn post(
    world: &World,
    base: &str,
    collection: &str,
    function: &str,
    body: Value,
) -> anyhow::Result<Created> {
    let answer = call(world, Method::POST, collection, Some(body)).await?;
    let (task, id) = task_of(&answer, function)?;
    Ok(Created {
        base: base.to_owned(),
        path: format!("{collection}/{id}"),
        task: format!("{base}/task/{task}"),
        id,
        session: None,
    })
}

/// Creates the `[ovh_connect]` resources, plugs the routers into the l3 PoPs and waits for
/// every task.
pub async fn create(world: &mut World, path: &str) -> anyhow::Result<()> {
    let Some(ovh) = world.topology.ovh_connect.clone() else {
        return Ok(());
    };
    if let Mode::Virtual = world.mode {
        spawn_clock(world);
    }
    for s in &ovh.services {
        world
            .ovh
            .services
            .insert(s.name.get_ref().clone(), service_uuid(s.name.get_ref()));
    }
    for p in &ovh.pop_configs {
        let name = p.name.get_ref();
        let line = world.topology.line(&p.name);
        let context = || format!("{path}:{line}: [[ovh_connect.pop_configs]] {name:?}");
        let interface = *p.interface_id.get_ref();
        let service = ovh
            .service_of_interface(interface)
            .map(|s| service_uuid(s.name.get_ref()))
            .ok_or_else(|| anyhow!("interface {interface} is no service's"))
            .with_context(context)?;
        let base = format!("/1.0/ovhCloudConnect/{service}");
        let body = fields(&[
            ("interfaceId", Some(json!(interface))),
            ("type", Some(json!(p.kind.name()))),
            ("customerBgpArea", p.customer_bgp_area.map(|a| json!(a))),
            ("ovhBgpArea", p.ovh_bgp_area.map(|a| json!(a))),
            ("subnet", p.subnet.as_ref().map(|s| json!(s))),
        ]);
        let collection = format!("{base}/config/pop");
        let mut created = post(world, &base, &collection, "addPopConfiguration", body)
            .await
            .with_context(context)?;
        created.session = (p.kind == PopType::L3).then(|| format!("ovh-pop-{}", created.id));
        if let Some(session) = &created.session {
            plug_routers(world, &created, interface, session)
                .await
                .with_context(context)?;
        }
        wait_done(world, &created.task)
            .await
            .with_context(context)?;
        world.ovh.created.insert(name.clone(), created);
    }
    for d in &ovh.datacenter_configs {
        let name = d.name.get_ref();
        let line = world.topology.line(&d.name);
        let context = || format!("{path}:{line}: [[ovh_connect.datacenter_configs]] {name:?}");
        let pop = parent(world, "pop_config", d.pop_config.get_ref()).with_context(context)?;
        let body = fields(&[
            ("datacenterId", Some(json!(d.datacenter_id))),
            ("ovhBgpArea", d.ovh_bgp_area.map(|a| json!(a))),
            ("subnet", d.subnet.as_ref().map(|s| json!(s))),
        ]);
        let collection = format!("{}/datacenter", pop.path);
        let created = post(
            world,
            &pop.base,
            &collection,
            "addDatacenterConfiguration",
            body,
        )
        .await
        .with_context(context)?;
        wait_done(world, &created.task)
            .await
            .with_context(context)?;
        world.ovh.created.insert(name.clone(), created);
    }
    for e in &ovh.extras {
        let name = e.name.get_ref();
        let line = world.topology.line(&e.name);
        let context = || format!("{path}:{line}: [[ovh_connect.extras]] {name:?}");
        let dc = parent(world, "datacenter_config", e.datacenter_config.get_ref())
            .with_context(context)?;
        let body = fields(&[
            ("type", Some(json!(e.kind.name()))),
            ("bgpNeighborArea", e.bgp_neighbor_area.map(|a| json!(a))),
            (
                "bgpNeighborIp",
                e.bgp_neighbor_ip.as_ref().map(|s| json!(s)),
            ),
            ("nextHop", e.next_hop.as_ref().map(|s| json!(s))),
            ("subnet", e.subnet.as_ref().map(|s| json!(s))),
        ]);
        let collection = format!("{}/extra", dc.path);
        let mut created = post(
            world,
            &dc.base,
            &collection,
            "addDatacenterExtraConfiguration",
            body,
        )
        .await
        .with_context(context)?;
        created.session = (e.kind == ExtraType::Bgp).then(|| format!("ovh-extra-{}", created.id));
        if let Some(session) = &created.session {
            plug_datacenter_routers(world, e, &dc, session)
                .await
                .with_context(context)?;
        }
        wait_done(world, &created.task)
            .await
            .with_context(context)?;
        world.ovh.created.insert(name.clone(), created);
    }
    Ok(())
}

/// Plugs the routers on `interface` into the l3 PoP `pop` (engine session `session`).
async fn plug_routers(
    world: &World,
    pop: &Created,
    interface: u64,
    session: &str,
) -> anyhow::Result<()> {
    let config = call(world, Method::GET, &pop.path, None).await?;
    let subnet: Option<ipnet::Ipv4Net> = config
        .get("subnet")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    let ovh_asn = config
        .get("ovhBgpArea")
        .and_then(Value::as_u64)
        .and_then(|a| u32::try_from(a).ok());
    let (Some(subnet), Some(ovh_asn)) = (subnet, ovh_asn) else {
        bail!("the l3 PoP configuration has no subnet or ovhBgpArea: {config}");
    };
    let ovh_address = provider::ovh_connect::rules::nth(subnet, 1);
    let customer = provider::ovh_connect::rules::nth(subnet, 2);
    let on_interface = world.topology.routers.iter().filter(|r| {
        let plug = r.plug.get_ref();
        plug.ovh_service.is_some() && plug.interface.map(u64::from) == Some(interface)
    });
    for r in on_interface {
        plug_one(world, r, session, subnet, ovh_address, customer, ovh_asn).await?;
    }
    Ok(())
}

/// Plugs the routers of `extra`'s datacenter configuration whose AS is its `bgpNeighborArea`
/// into its session `session`: OVH on the subnet's gateway, the router on `bgpNeighborIp`.
async fn plug_datacenter_routers(
    world: &World,
    extra: &topology::format::Extra,
    dc: &Created,
    session: &str,
) -> anyhow::Result<()> {
    let config = call(world, Method::GET, &dc.path, None).await?;
    let subnet: Option<ipnet::Ipv4Net> = config
        .get("subnet")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    let ovh_asn = config
        .get("ovhBgpArea")
        .and_then(Value::as_u64)
        .and_then(|a| u32::try_from(a).ok());
    let neighbour: Option<Ipv4Addr> = extra
        .bgp_neighbor_ip
        .as_deref()
        .and_then(|a| a.parse().ok());
    let (Some(subnet), Some(ovh_asn), Some(neighbour), Some(area)) =
        (subnet, ovh_asn, neighbour, extra.bgp_neighbor_area)
    else {
        bail!(
            "the bgp extra or its datacenter configuration lacks a subnet, ovhBgpArea, bgpNeighborIp or bgpNeighborArea"
        );
    };
    let gateway = provider::ovh_connect::rules::nth(subnet, 1);
    let dc_name = extra.datacenter_config.get_ref();
    let in_datacenter = world.topology.routers.iter().filter(|r| {
        r.plug.get_ref().ovh_datacenter.as_deref() == Some(dc_name.as_str()) && r.asn == area
    });
    for r in in_datacenter {
        plug_one(world, r, session, subnet, gateway, neighbour, ovh_asn).await?;
    }
    Ok(())
}

/// Plugs router `r` into OVH session `session`: OVH on `ovh`, the router on `customer`, both
/// in `subnet`, OVH's AS `ovh_asn`.
async fn plug_one(
    world: &World,
    r: &topology::format::Router,
    session: &str,
    subnet: ipnet::Ipv4Net,
    ovh: Ipv4Addr,
    customer: Ipv4Addr,
    ovh_asn: u32,
) -> anyhow::Result<()> {
    match world.routers.get(r.name.get_ref()) {
        Some(RouterHandle::Embedded(router)) => {
            router.set_peer_asn(session, ovh_asn);
            world.wiring.plug(
                session,
                Some(std::sync::Arc::clone(router)),
                IpAddr::V4(customer),
                IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            );
        }
        Some(RouterHandle::Daemon(router)) => {
            let Mode::Real { provider } = &world.mode else {
                return Ok(());
            };
            let addressing = pop_addressing(subnet, ovh, customer)?;
            let (provider, session) = (provider.clone(), session.to_string());
            daemon::blocking(router, move |d| {
                d.plug_ovh(&provider, &session, OVH_VLAN, addressing, ovh_asn)
            })
            .await
            .map_err(|e| anyhow!(e))?
            .with_context(|| format!("router {:?}", r.name.get_ref()))?;
        }
        None => {}
    }
    Ok(())
}

/// The cable's addressing: OVH and the customer on the /30, and a /127 of the runner's own
/// (no IPv6 session: OVH's l3 PoP is IPv4 only).
fn pop_addressing(
    subnet: ipnet::Ipv4Net,
    ovh: Ipv4Addr,
    customer: Ipv4Addr,
) -> anyhow::Result<LinkAddressing> {
    let spare = LinkAddressing::allocate()?;
    let len = subnet.prefix_len();
    Ok(LinkAddressing {
        scw_ipv4: ipnet::Ipv4Net::new(ovh, len)?,
        peer_ipv4: ipnet::Ipv4Net::new(customer, len)?,
        scw_ipv6: spare.scw_ipv6,
        peer_ipv6: spare.peer_ipv6,
    })
}

/// The report's words for an OVH step.
pub fn describe_action(a: &topology::format::OvhAction) -> String {
    format!("ovh delete {}", a.delete.get_ref())
}

/// Carries out an OVH step: `DELETE` the resource, then wait for the task to be `done`.
pub async fn act(world: &World, a: &topology::format::OvhAction) -> Result<String, String> {
    let name = a.delete.get_ref();
    let c = created(world, name)?;
    let task = call(world, Method::DELETE, &c.path, None)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let id = task
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("the API answered without a task: {task}"))?;
    let path = format!("{}/task/{id}", c.base);
    wait_done(world, &path)
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok(format!("task {path} done"))
}

/// The report's words for an OVH expectation (`None` for the others).
pub fn describe(e: &Expect) -> Option<String> {
    if let Some(name) = &e.ovh_session {
        let state = e.state.unwrap_or(SessionState::Established);
        return Some(format!(
            "ovh session {} is {}",
            name.get_ref(),
            state.name()
        ));
    }
    if let Some(name) = &e.ovh_active {
        return Some(format!("ovh {} is active", name.get_ref()));
    }
    if let Some(name) = &e.vrrp_master {
        return Some(super::ovh_vrrp::describe(name.get_ref(), e.router));
    }
    None
}

/// Whether an OVH expectation holds now (`None` for the others).
pub async fn check(world: &World, e: &Expect) -> Option<Result<String, String>> {
    if let Some(name) = &e.ovh_session {
        let want = e.state.unwrap_or(SessionState::Established);
        return Some(check_session(world, name.get_ref(), want).await);
    }
    if let Some(name) = &e.ovh_active {
        return Some(check_active(world, name.get_ref()).await);
    }
    if let Some(name) = &e.vrrp_master {
        return Some(super::ovh_vrrp::check(world, name.get_ref(), e.router).await);
    }
    None
}

fn created<'w>(world: &'w World, name: &str) -> Result<&'w Created, String> {
    world
        .ovh
        .created
        .get(name)
        .ok_or_else(|| format!("{name} was not created"))
}

async fn admin_state(world: &World) -> Result<Value, String> {
    call(world, Method::GET, "/peerlab/v1/admin/ovh/state", None)
        .await
        .map_err(|e| e.to_string())
}

async fn check_session(world: &World, name: &str, want: SessionState) -> Result<String, String> {
    let c = created(world, name)?;
    let session = c
        .session
        .as_deref()
        .ok_or_else(|| format!("{name} has no BGP session"))?;
    let state = admin_state(world).await?;
    let status = state
        .get("sessions")
        .and_then(Value::as_array)
        .and_then(|all| {
            all.iter()
                .find(|s| s.get("id").and_then(Value::as_str) == Some(session))
        })
        .and_then(|s| s.get("status").and_then(Value::as_str))
        .unwrap_or("not running");
    let holds = match want {
        SessionState::Established => status == "up",
        SessionState::Down | SessionState::Disabled => status != "up",
        other => {
            return Err(format!(
                "state {} is not checked for OVH sessions (established or down)",
                other.name()
            ));
        }
    };
    if holds {
        return Ok(format!("session {session} is {status}"));
    }
    // Why, as the engine saw it.
    let why = match world.engine.snapshot(session).await {
        Ok(snapshot) => snapshot
            .session(engine::Family::Ipv4)
            .map(|s| {
                let last = s.last_down.as_deref().unwrap_or("it never came up");
                format!(" ({:?}; last down: {last})", s.state)
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Err(format!("session {session} is {status}{why}"))
}

async fn check_active(world: &World, name: &str) -> Result<String, String> {
    let c = created(world, name)?;
    let resource = call(world, Method::GET, &c.path, None)
        .await
        .map_err(|e| e.to_string())?;
    let task = call(world, Method::GET, &c.task, None)
        .await
        .map_err(|e| e.to_string())?;
    let status = resource
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let task_status = task.get("status").and_then(Value::as_str).unwrap_or("?");
    let detail = format!("status {status}, task {} {task_status}", c.task);
    if status == "active" && task_status == "done" {
        Ok(detail)
    } else {
        Err(detail)
    }
}
