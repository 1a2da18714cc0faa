//! `POST /peerlab/v1/plan` (admin token): what an InterLink SDK call would change in the
//! running world, without changing anything ([`world::World::forecast`]). `peerlab plan
//! --server URL --call 'set_routing_policy link=prod routing_policy=narrow'` asks it.
//!
//! The body names the SDK method and its arguments, resources by name or ID (`link` or
//! `link_id`, `routing_policy` or `routing_policy_id`, `vpc` or `vpc_id`):
//!
//! ```json
//! {"call": "set_routing_policy", "args": {"link": "prod", "routing_policy": "narrow"}}
//! ```
//!
//! The call is made on a copy of the InterLink state by the same provider method the API's
//! handler calls, as the link's own project, so it is refused exactly as the API would refuse
//! it (that refusal is the answer). The answer is the world before and after, as
//! [`world::forecast::Forecast`] (`before`, `after`, `predicted`). An unknown method or
//! argument is `400 invalid_arguments` naming it.

use crate::App;
use crate::admin::Admin;
use crate::error::ApiError;
use crate::extract::Body;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use provider::interlink::{InterLink, UpdateLinkRequest, UpdateRoutingPolicyRequest};
use provider::region::Region;
use provider::{Caller, ProviderError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;
use world::forecast::Forecast;

/// The SDK methods a plan may call: (name, required arguments, optional arguments).
pub const CALLS: &[(&str, &[&str], &[&str])] = &[
    ("enable_route_propagation", &["link"], &[]),
    ("disable_route_propagation", &["link"], &[]),
    ("attach_vpc", &["link", "vpc"], &[]),
    ("detach_vpc", &["link"], &[]),
    ("attach_routing_policy", &["link", "routing_policy"], &[]),
    ("detach_routing_policy", &["link", "routing_policy"], &[]),
    ("set_routing_policy", &["link", "routing_policy"], &[]),
    ("update_link", &["link"], &["peer_asn"]),
    ("delete_link", &["link"], &[]),
    (
        "update_routing_policy",
        &["routing_policy"],
        &["prefix_filter_in", "prefix_filter_out"],
    ),
];

/// The request: an SDK method and its arguments.
#[derive(Debug, Deserialize)]
pub struct PlanRequest {
    /// The SDK's method name.
    #[serde(default)]
    call: String,
    /// Its arguments (strings, numbers, or lists of prefixes).
    #[serde(default)]
    args: BTreeMap<String, Value>,
}

/// The answer: the call, and what it would change.
#[derive(Debug, Serialize)]
pub struct PlanAnswer {
    /// The SDK's method name.
    pub call: String,
    /// The world before and after.
    #[serde(flatten)]
    pub forecast: Forecast,
}

/// Checks the method and its argument names; the arguments with `*_id` names as the bare ones.
pub fn check(
    call: &str,
    args: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Value>, ProviderError> {
    let Some((_, required, optional)) = CALLS.iter().find(|(name, ..)| *name == call) else {
        let known: Vec<&str> = CALLS.iter().map(|(n, ..)| *n).collect();
        return Err(ProviderError::constraint(
            "call",
            format!(
                "unknown SDK method {call:?} (plan knows {})",
                known.join(", ")
            ),
        ));
    };
    let mut out = BTreeMap::new();
    for (key, value) in args {
        let bare = match key.as_str() {
            "link_id" | "vpc_id" | "routing_policy_id" => key.trim_end_matches("_id"),
            k => k,
        };
        if !required.contains(&bare) && !optional.contains(&bare) {
            let takes: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
            return Err(ProviderError::constraint(
                key.clone(),
                format!(
                    "unknown argument {key:?} of {call} (it takes {})",
                    takes.join(", ")
                ),
            ));
        }
        out.insert(bare.to_string(), value.clone());
    }
    if let Some(missing) = required.iter().find(|r| !out.contains_key(**r)) {
        return Err(ProviderError::constraint(
            *missing,
            format!("{call} needs the argument {missing:?}"),
        ));
    }
    Ok(out)
}

/// A string argument (a number is taken as its text).
fn text(args: &BTreeMap<String, Value>, key: &str) -> Option<String> {
    match args.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A list of prefixes: a JSON list, or one string with commas.
fn prefixes(args: &BTreeMap<String, Value>, key: &str) -> Option<Vec<String>> {
    match args.get(key)? {
        Value::Array(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect(),
        ),
        Value::String(s) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

/// What the call acts on, resolved.
struct Target {
    region: Region,
    caller: Caller,
    link: Option<Uuid>,
    policy: Option<Uuid>,
    vpc: Option<Uuid>,
}

fn resolve(il: &InterLink, args: &BTreeMap<String, Value>) -> Result<Target, ProviderError> {
    let mut target = None;
    let mut link = None;
    if let Some(name) = text(args, "link") {
        let views = il.link_views();
        let found: Vec<_> = views
            .iter()
            .filter(|v| v.link.name == name || v.link.id.to_string() == name)
            .collect();
        let view = match found.as_slice() {
            [one] => one,
            [] => return Err(ProviderError::not_found("link", &name)),
            _ => {
                return Err(ProviderError::constraint(
                    "link",
                    format!("{} links are called {name:?}: give its ID", found.len()),
                ));
            }
        };
        link = Some(view.link.id);
        target = Some((
            view.link.region,
            Caller::new(view.link.project_id, view.link.organization_id),
        ));
    }
    let mut policy = None;
    if let Some(name) = text(args, "routing_policy") {
        let project = target.as_ref().map(|(_, c)| c.project_id);
        let found: Vec<_> = il
            .routing_policies_named(&name)
            .into_iter()
            .filter(|p| project.is_none_or(|project| p.project_id == project))
            .collect();
        let p = match found.as_slice() {
            [one] => *one,
            [] => return Err(ProviderError::not_found("routing_policy", &name)),
            _ => {
                return Err(ProviderError::constraint(
                    "routing_policy",
                    format!(
                        "{} routing policies are called {name:?}: give its ID",
                        found.len()
                    ),
                ));
            }
        };
        policy = Some(p.id);
        target.get_or_insert((p.region, Caller::new(p.project_id, p.organization_id)));
    }
    let Some((region, caller)) = target else {
        return Err(ProviderError::constraint("link", "name a link or a policy"));
    };
    let mut vpc = None;
    if let Some(name) = text(args, "vpc") {
        let found = il
            .ipam()
            .vpcs()
            .filter(|v| v.project_id == caller.project_id)
            .find(|v| v.name == name || v.id.to_string() == name)
            .ok_or_else(|| ProviderError::not_found("vpc", &name))?;
        vpc = Some(found.id);
    }
    Ok(Target {
        region,
        caller,
        link,
        policy,
        vpc,
    })
}

/// Makes the call on `il` (a copy), as the API's handler would.
fn apply(
    il: &mut InterLink,
    call: &str,
    args: &BTreeMap<String, Value>,
    now: DateTime<Utc>,
) -> Result<(), ProviderError> {
    let t = resolve(il, args)?;
    let (region, me) = (t.region, &t.caller);
    let need = |id: Option<Uuid>, what: &str| {
        id.ok_or_else(|| ProviderError::constraint(what, format!("{call} needs {what}")))
    };
    match call {
        "enable_route_propagation" => {
            il.enable_route_propagation(region, me, need(t.link, "link")?, now)?;
        }
        "disable_route_propagation" => {
            il.disable_route_propagation(region, me, need(t.link, "link")?, now)?;
        }
        "attach_vpc" => {
            il.attach_vpc(region, me, need(t.link, "link")?, need(t.vpc, "vpc")?, now)?;
        }
        "detach_vpc" => {
            il.detach_vpc(region, me, need(t.link, "link")?, now)?;
        }
        "attach_routing_policy" => {
            let (link, policy) = (need(t.link, "link")?, need(t.policy, "routing_policy")?);
            il.attach_routing_policy(region, me, link, policy, now)?;
        }
        "detach_routing_policy" => {
            let (link, policy) = (need(t.link, "link")?, need(t.policy, "routing_policy")?);
            il.detach_routing_policy(region, me, link, policy, now)?;
        }
        "set_routing_policy" => {
            let (link, policy) = (need(t.link, "link")?, need(t.policy, "routing_policy")?);
            il.set_routing_policy(region, me, link, policy, now)?;
        }
        "update_link" => {
            let peer_asn = match text(args, "peer_asn") {
                Some(a) => Some(a.parse::<u32>().map_err(|_| {
                    ProviderError::constraint("peer_asn", format!("{a:?} is not an AS number"))
                })?),
                None => None,
            };
            let req = UpdateLinkRequest {
                peer_asn,
                ..Default::default()
            };
            il.update_link(region, me, need(t.link, "link")?, req, now)?;
        }
        "delete_link" => {
            il.delete_link(region, me, need(t.link, "link")?, now)?;
        }
        "update_routing_policy" => {
            let req = UpdateRoutingPolicyRequest {
                prefix_filter_in: prefixes(args, "prefix_filter_in"),
                prefix_filter_out: prefixes(args, "prefix_filter_out"),
                ..Default::default()
            };
            il.update_routing_policy(region, me, need(t.policy, "routing_policy")?, req, now)?;
        }
        other => {
            return Err(ProviderError::constraint(
                "call",
                format!("unknown SDK method {other:?}"),
            ));
        }
    }
    Ok(())
}

pub async fn plan(
    State(app): State<App>,
    _: Admin,
    Body(req): Body<PlanRequest>,
) -> Result<Json<PlanAnswer>, ApiError> {
    let args = check(&req.call, &req.args)?;
    let call = req.call.clone();
    let forecast = app
        .world()
        .forecast(move |il, now| apply(il, &call, &args, now))
        .await
        .map_err(|e| ApiError(ProviderError::constraint("call", e.to_string())))??;
    Ok(Json(PlanAnswer {
        call: req.call,
        forecast,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn an_unknown_method_or_argument_is_named_in_one_line() {
        let e = check("set_routing_polcy", &args(json!({}))).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("unknown SDK method \"set_routing_polcy\""),
            "{text}"
        );
        assert!(!text.contains('\n'));
        let e = check(
            "set_routing_policy",
            &args(json!({"link": "prod", "routing_policy": "v4", "colour": "red"})),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains(
                "unknown argument \"colour\" of set_routing_policy (it takes link, routing_policy)"
            ),
            "{e}"
        );
        let e = check("set_routing_policy", &args(json!({"link": "prod"}))).unwrap_err();
        assert!(
            e.to_string()
                .contains("needs the argument \"routing_policy\""),
            "{e}"
        );
    }

    #[test]
    fn sdk_argument_names_are_taken_too() {
        let a = check(
            "set_routing_policy",
            &args(json!({"link_id": "x", "routing_policy_id": "y"})),
        )
        .unwrap();
        assert_eq!(a.keys().collect::<Vec<_>>(), ["link", "routing_policy"]);
    }

    #[test]
    fn prefixes_are_a_list_or_commas() {
        let a = args(json!({"a": ["10.0.0.0/8"], "b": "10.1.0.0/16, 10.2.0.0/16"}));
        assert_eq!(prefixes(&a, "a").unwrap(), ["10.0.0.0/8"]);
        assert_eq!(prefixes(&a, "b").unwrap(), ["10.1.0.0/16", "10.2.0.0/16"]);
    }
}
