//! Playing a topology: its expectations, polled on the runner's clock until they hold or
//! their `within` ends, and its steps (API calls by the SDK's method names, cables, routers,
//! waits), each recorded for the report.

use super::error::{Verdict, Why};
use super::expect;
use super::lab::{Lab, RouterHandle};
use super::report::{Outcome, Report};
use crate::format::{self, Step};
use axum::http::Method;
use linux::router::daemon;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::Instant;

/// Told of each expectation and step as it starts (a progress bar).
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// How often an expectation is looked at again while it does not hold.
const POLL: Duration = Duration::from_millis(100);

/// Waits for the expectations (letting the topology settle), and plays the steps too when
/// `with_steps`: what `peerlab trace` does before it traces.
pub async fn play_settle(lab: &Lab, report: &mut Report, progress: Progress<'_>, with_steps: bool) {
    if with_steps {
        return play(lab, report, progress).await;
    }
    let start = Instant::now();
    for (i, e) in lab.topology.expect.iter().enumerate() {
        let outcome = await_expectation(lab, e.get_ref(), start).await;
        report.push(format!("expect #{}", i + 1), outcome);
    }
}

/// Runs the expectations and the steps, recording every outcome.
pub async fn play(lab: &Lab, report: &mut Report, progress: Progress<'_>) {
    let start = Instant::now();
    for (i, e) in lab.topology.expect.iter().enumerate() {
        progress(&format!(
            "expect #{}: {}",
            i + 1,
            expect::describe(e.get_ref())
        ));
        let outcome = await_expectation(lab, e.get_ref(), start).await;
        report.push(format!("expect #{}", i + 1), outcome);
    }
    for (i, step) in lab.topology.steps.iter().enumerate() {
        let phase = format!("step {}", i + 1);
        let step = step.get_ref();
        progress(&format!("{phase}: {}", describe_step(step)));
        let outcome = match &step.expect {
            Some(e) => await_expectation(lab, e, start).await,
            None => {
                let what = describe_step(step);
                let mut result = act(lab, step).await;
                // The customer's routers and, with real daemons, the kernels follow the step
                // at once.
                if result.is_ok()
                    && let Err(e) = settle(lab).await
                {
                    result = Err(e);
                }
                Outcome::new(what, result, start.elapsed())
            }
        };
        report.push(phase, outcome);
    }
}

/// Looks at `e` every [`POLL`] until it holds or its `within` ends.
async fn await_expectation(lab: &Lab, e: &format::Expect, start: Instant) -> Outcome {
    let within = e.within.map_or(expect::DEFAULT_WITHIN, |w| w.0);
    let deadline = Instant::now() + within;
    loop {
        match lab.check(e).await {
            Ok(detail) => return Outcome::new(expect::describe(e), Ok(detail), start.elapsed()),
            Err(why) if Instant::now() >= deadline => {
                let why = Why(format!("not within {}: {why}", format::Within(within)));
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
        return super::vrrp::describe_action(v);
    }
    "nothing".to_string()
}

/// The customer's side follows what a step changed, and the kernels the model.
async fn settle(lab: &Lab) -> Result<(), Why> {
    super::customer::reconcile(lab).await?;
    if lab.kernels.is_some() {
        lab.model().await?;
        if let Some(e) = lab.world.read(|s| s.live.render_error.clone()).await? {
            return Err(Why(e));
        }
    }
    Ok(())
}

/// Carries out a step that is not an expectation.
async fn act(lab: &Lab, s: &Step) -> Verdict {
    if let Some(o) = &s.ovh {
        return super::ovh::act(lab, o).await;
    }
    if let Some(v) = &s.vrrp {
        return super::vrrp::act(lab, v).await;
    }
    if let Some(api) = &s.api {
        return call_api(lab, api).await;
    }
    if let Some(l) = &s.link {
        let up = l.state == format::LinkState::Up;
        return super::customer::set_cable(lab, l.name.get_ref(), up).await;
    }
    if let Some(r) = &s.router {
        let router = match lab.routers.get(r.name.get_ref()) {
            Some(RouterHandle::Embedded(router)) => router,
            Some(RouterHandle::Daemon(daemon)) => {
                let action = r.action;
                return daemon::blocking(daemon, move |d| match action {
                    format::RouterOperation::Stop => d.stop(),
                    format::RouterOperation::Start => d.start().map(|()| "started"),
                    format::RouterOperation::Restart => d.restart().map(|()| "restarted"),
                })
                .await
                .map(str::to_string)
                .map_err(Why::from);
            }
            None => return Err(Why(format!("no router {}", r.name.get_ref()))),
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
    Err(Why("empty step".to_string()))
}

/// An SDK method by name, on the in-process API.
async fn call_api(lab: &Lab, call: &format::ApiCall) -> Verdict {
    let link = match &call.link {
        Some(l) => lab.link_id(l.get_ref()).await?.to_string(),
        None => String::new(),
    };
    let policy = call
        .routing_policy
        .as_ref()
        .and_then(|p| lab.policies.get(p.get_ref()).cloned());
    let vpc = call
        .vpc
        .as_ref()
        .and_then(|v| lab.vpcs.get(v.get_ref()).map(ToString::to_string));
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
        other => return Err(Why(format!("unknown api call {other}"))),
    };
    let answer = lab.api.interlink(method, &path, request).await?;
    let status = answer.get("status").and_then(Value::as_str).unwrap_or("ok");
    Ok(format!("status {status}"))
}
