//! Playing a topology: its expectations, polled on the runner's clock until they hold or
//! their `within` ends, and its steps (API calls by the SDK's method names, cables, routers,
//! waits), each recorded for the report.

use super::daemon;
use super::expect;
use super::report::{Outcome, Report};
use super::runner::{Mode, RouterHandle, World};
use anyhow::{anyhow, bail};
use axum::http::Method;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::Instant;
use topology::format::{self, Step};

/// How often an expectation is looked at again while it does not hold.
const POLL: Duration = Duration::from_millis(100);

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
                let mut result = act(world, step).await;
                // With real daemons the kernels follow the step at once.
                if let (Ok(_), Err(e)) = (&result, world.render_linux().await) {
                    result = Err(e);
                }
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
    if let Some(o) = &s.ovh {
        return super::ovh::describe_action(o);
    }
    if let Some(v) = &s.vrrp {
        return super::ovh_vrrp::describe_action(v);
    }
    "nothing".to_string()
}

/// Carries out a step that is not an expectation.
async fn act(world: &World, s: &Step) -> Result<String, String> {
    if let Some(o) = &s.ovh {
        return super::ovh::act(world, o).await;
    }
    if let Some(v) = &s.vrrp {
        return super::ovh_vrrp::act(world, v).await;
    }
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
                    format::RouterOperation::Stop => d.stop(),
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
