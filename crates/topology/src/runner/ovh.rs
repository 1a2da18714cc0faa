//! OVHcloud Connect in `peerlab up`: the `[ovh_connect]` resources made through the OVH API in
//! process (signed requests, [`super::provision::Api::ovh`]), and the OVH steps and
//! expectations.
//!
//! - Services (and their vRack) exist before any call: they go into the catalogue
//!   ([`add_to_catalogue`]), each named by a UUID derived from its topology name.
//! - PoP configurations, datacenter configurations and extras are created in that order the
//!   way terraform-provider-ovh does it: POST, then the task named in the answer's
//!   `resourceId`, or found among the service's tasks), waiting until it is `done` (an
//!   `error` task stops the bring-up with OVH's message).
//! - The task clock moves with the runner's: on the virtual clock a ticker moves OVH's clock
//!   (the wall clock plus an offset) forward by what the virtual clock gained on the wall clock
//!   (the admin call `advance-clock`), so a 2 s task takes 2 s of virtual time and VRRP timers
//!   run on it too; on the real clock nothing is needed.
//! - Routers meet OVH's sessions on their plug ([`super::customer`], [`world::landing`]).
//!
//! Expectations: `ovh_session` (the PoP's or a `bgp` extra's session: `established` is the
//! world's `up`, `down` anything else), `ovh_active` (the resource is `active` in the API and
//! its task `done`) and `vrrp_master` ([`super::vrrp`]).

use super::error::{Context, Result, RunError, Verdict, Why};
use super::lab::{Lab, Mode};
use crate::format::{Expect, ExtraType, PopType, SessionState, Topology};
use axum::http::Method;
use provider::catalogue::Catalogue;
use provider::catalogue::ovh::{DEMO_VRACK, OvhInterfaceSpec, OvhServiceSpec, VrackSpec};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;
use tokio::time::Instant;
use uuid::Uuid;

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

/// On the virtual clock: keeps OVH's task clock (the wall clock plus an offset) with the
/// runner's, by moving it forward by what the virtual clock gained on the wall clock. Once the
/// runner's clock runs in real time (`--keep`), the gain stops growing and so does the offset.
fn spawn_clock(lab: &Lab) {
    let api = lab.api.clone();
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
            let body = json!({ "seconds": gained - moved });
            let path = "/peerlab/v1/admin/ovh/advance-clock";
            if api.ovh(Method::POST, path, Some(body)).await.is_err() {
                return;
            }
            moved = gained;
        }
    });
}

/// Waits until the task at `task` is `done`; an `error` task is an error.
async fn wait_done(lab: &Lab, task: &str) -> Result<()> {
    let deadline = Instant::now() + TASK_DEADLINE;
    loop {
        let t = lab.api.ovh(Method::GET, task, None).await?;
        match t.get("status").and_then(Value::as_str) {
            Some("done") => return Ok(()),
            Some("error") => return Err(RunError::Api(format!("task {task} ended in error"))),
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(RunError::Api(format!(
                "task {task} is not done after {}s",
                TASK_DEADLINE.as_secs()
            )));
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

/// The path of the task `function` on resource `id` of service `base`.
async fn find_task(lab: &Lab, base: &str, function: &str, id: u64) -> Result<String> {
    let ids = lab
        .api
        .ovh(Method::GET, &format!("{base}/task"), None)
        .await?;
    for task in ids
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .rev()
    {
        let path = format!("{base}/task/{task}");
        let t = lab.api.ovh(Method::GET, &path, None).await?;
        let same = t.get("function").and_then(Value::as_str) == Some(function)
            && t.get("resourceId").and_then(Value::as_u64) == Some(id);
        if same {
            return Ok(path);
        }
    }
    Err(RunError::Api(format!(
        "no task {function} for resource {id}"
    )))
}

/// The created resource a configuration hangs under (`kind` and `name` for the error).
fn parent(lab: &Lab, kind: &str, name: &str) -> Result<Created> {
    lab.ovh
        .created
        .get(name)
        .cloned()
        .ok_or_else(|| RunError::Refused(format!("{kind} {name:?} was not created")))
}

/// POSTs `body` to `collection` (a path under service `base`), then follows the task the way
/// terraform-provider-ovh does: the answer is the task (its `resourceId` is the new
/// resource) or, from an older API, the resource itself (its task is then looked up).
async fn post(
    lab: &Lab,
    base: &str,
    collection: &str,
    function: &str,
    body: Value,
) -> Result<Created> {
    let answer = lab.api.ovh(Method::POST, collection, Some(body)).await?;
    let is_task = answer.get("function").is_some() && answer.get("resourceId").is_some();
    let (id, task) = if is_task {
        let id = answer.get("resourceId").and_then(Value::as_u64);
        let task = answer.get("id").and_then(Value::as_u64);
        let (Some(id), Some(task)) = (id, task) else {
            return Err(RunError::Api(format!(
                "the task has no resourceId: {answer}"
            )));
        };
        (id, format!("{base}/task/{task}"))
    } else {
        let id = answer
            .get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| RunError::Api(format!("the API answered without an id: {answer}")))?;
        (id, find_task(lab, base, function, id).await?)
    };
    Ok(Created {
        base: base.to_owned(),
        path: format!("{collection}/{id}"),
        task,
        id,
        session: None,
    })
}

/// Creates the `[ovh_connect]` resources and waits for every task.
pub async fn create(lab: &mut Lab, path: &str) -> Result<()> {
    let Some(ovh) = lab.topology.ovh_connect.clone() else {
        return Ok(());
    };
    if let Mode::Virtual = lab.mode {
        spawn_clock(lab);
    }
    for s in &ovh.services {
        lab.ovh
            .services
            .insert(s.name.get_ref().clone(), service_uuid(s.name.get_ref()));
    }
    for p in &ovh.pop_configs {
        let name = p.name.get_ref();
        let line = lab.topology.line(&p.name);
        let context = || format!("{path}:{line}: [[ovh_connect.pop_configs]] {name:?}");
        let interface = *p.interface_id.get_ref();
        let service = ovh
            .service_of_interface(interface)
            .map(|s| service_uuid(s.name.get_ref()))
            .ok_or_else(|| RunError::Refused(format!("interface {interface} is no service's")))
            .context(context)?;
        let base = format!("/1.0/ovhCloudConnect/{service}");
        let body = fields(&[
            ("interfaceId", Some(json!(interface))),
            ("type", Some(json!(p.kind.name()))),
            ("customerBgpArea", p.customer_bgp_area.map(|a| json!(a))),
            ("ovhBgpArea", p.ovh_bgp_area.map(|a| json!(a))),
            ("subnet", p.subnet.as_ref().map(|s| json!(s))),
        ]);
        let collection = format!("{base}/config/pop");
        let mut created = post(lab, &base, &collection, "addPopConfiguration", body)
            .await
            .context(context)?;
        created.session = (p.kind == PopType::L3).then(|| format!("ovh-pop-{}", created.id));
        wait_done(lab, &created.task).await.context(context)?;
        lab.ovh.created.insert(name.clone(), created);
    }
    for d in &ovh.datacenter_configs {
        let name = d.name.get_ref();
        let line = lab.topology.line(&d.name);
        let context = || format!("{path}:{line}: [[ovh_connect.datacenter_configs]] {name:?}");
        let pop = parent(lab, "pop_config", d.pop_config.get_ref()).context(context)?;
        let body = fields(&[
            ("datacenterId", Some(json!(d.datacenter_id))),
            ("ovhBgpArea", d.ovh_bgp_area.map(|a| json!(a))),
            ("subnet", d.subnet.as_ref().map(|s| json!(s))),
        ]);
        let collection = format!("{}/datacenter", pop.path);
        let created = post(
            lab,
            &pop.base,
            &collection,
            "addDatacenterConfiguration",
            body,
        )
        .await
        .context(context)?;
        wait_done(lab, &created.task).await.context(context)?;
        lab.ovh.created.insert(name.clone(), created);
    }
    for e in &ovh.extras {
        let name = e.name.get_ref();
        let line = lab.topology.line(&e.name);
        let context = || format!("{path}:{line}: [[ovh_connect.extras]] {name:?}");
        let dc =
            parent(lab, "datacenter_config", e.datacenter_config.get_ref()).context(context)?;
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
            lab,
            &dc.base,
            &collection,
            "addDatacenterExtraConfiguration",
            body,
        )
        .await
        .context(context)?;
        created.session = (e.kind == ExtraType::Bgp).then(|| format!("ovh-extra-{}", created.id));
        wait_done(lab, &created.task).await.context(context)?;
        lab.ovh.created.insert(name.clone(), created);
    }
    Ok(())
}

/// The report's words for an OVH step.
pub fn describe_action(a: &crate::format::OvhAction) -> String {
    format!("ovh delete {}", a.delete.get_ref())
}

fn created<'l>(lab: &'l Lab, name: &str) -> std::result::Result<&'l Created, Why> {
    lab.ovh
        .created
        .get(name)
        .ok_or_else(|| Why(format!("{name} was not created")))
}

/// Carries out an OVH step: `DELETE` the resource, then wait for the task to be `done`.
pub async fn act(lab: &Lab, a: &crate::format::OvhAction) -> Verdict {
    let c = created(lab, a.delete.get_ref())?;
    let task = lab.api.ovh(Method::DELETE, &c.path, None).await?;
    let id = task
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| Why(format!("the API answered without a task: {task}")))?;
    let path = format!("{}/task/{id}", c.base);
    wait_done(lab, &path).await?;
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
        return Some(super::vrrp::describe(name.get_ref(), e.router));
    }
    None
}

/// Whether an OVH expectation holds now (`None` for the others).
pub async fn check(lab: &Lab, e: &Expect) -> Option<Verdict> {
    if let Some(name) = &e.ovh_session {
        let want = e.state.unwrap_or(SessionState::Established);
        return Some(check_session(lab, name.get_ref(), want).await);
    }
    if let Some(name) = &e.ovh_active {
        return Some(check_active(lab, name.get_ref()).await);
    }
    if let Some(name) = &e.vrrp_master {
        return Some(super::vrrp::check(lab, name.get_ref(), e.router).await);
    }
    None
}

async fn check_session(lab: &Lab, name: &str, want: SessionState) -> Verdict {
    let c = created(lab, name)?;
    let session = c
        .session
        .clone()
        .ok_or_else(|| Why(format!("{name} has no BGP session")))?;
    let id = session.clone();
    let status = lab
        .world
        .read(move |s| {
            let running = s.ovh.sessions().iter().any(|x| x.id == id);
            match (running, s.live.ovh_status.get(&id)) {
                (false, _) => "not running",
                (true, Some(engine::SessionStatus::Up)) => "up",
                (true, Some(engine::SessionStatus::Down)) => "down",
                (true, _) => "disabled",
            }
        })
        .await?;
    let holds = match want {
        SessionState::Established => status == "up",
        SessionState::Down | SessionState::Disabled => status != "up",
        other => {
            return Err(Why(format!(
                "state {} is not checked for OVH sessions (established or down)",
                other.name()
            )));
        }
    };
    if holds {
        return Ok(format!("session {session} is {status}"));
    }
    // Why, as the engine saw it.
    let why = match lab.world.engine().snapshot(&session).await {
        Ok(snapshot) => snapshot
            .session(engine::Family::Ipv4)
            .map(|s| {
                let last = s.last_down.as_deref().unwrap_or("it never came up");
                format!(" ({:?}; last down: {last})", s.state)
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    Err(Why(format!("session {session} is {status}{why}")))
}

async fn check_active(lab: &Lab, name: &str) -> Verdict {
    let c = created(lab, name)?;
    let resource = lab.api.ovh(Method::GET, &c.path, None).await?;
    let task = lab.api.ovh(Method::GET, &c.task, None).await?;
    let status = resource
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let task_status = task.get("status").and_then(Value::as_str).unwrap_or("?");
    let detail = format!("status {status}, task {} {task_status}", c.task);
    if status == "active" && task_status == "done" {
        Ok(detail)
    } else {
        Err(Why(detail))
    }
}
