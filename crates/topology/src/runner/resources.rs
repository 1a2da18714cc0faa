//! The InterLink resources of a topology, made through the API in process: routing
//! policies, links, VPC attachment, propagation, a partner's approval. Plugging the routers
//! into the links is the customer's side ([`super::customer`]).

use super::error::{Context, Result, RunError};
use super::lab::Lab;
use super::provision::{Api, body, opt};
use crate::format;
use axum::http::Method;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::time::Instant;

/// Creates the topology's routing policies and links.
pub async fn create_resources(lab: &mut Lab, path: &str) -> Result<()> {
    let Some(interlink) = lab.topology.interlink.clone() else {
        return Ok(());
    };
    let api = lab.api.clone();
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
            .context(|| {
                let line = lab.topology.line(&p.name);
                format!("{path}:{line}: [[interlink.routing_policies]] {name:?}")
            })?;
        lab.policies.insert(name.clone(), id_of(&created)?);
    }
    for l in &interlink.links {
        let name = l.name.get_ref();
        let line = lab.topology.line(&l.name);
        let context = || format!("{path}:{line}: [[interlink.links]] {name:?}");
        let policy = |p: &Option<format::Name>| {
            p.as_ref()
                .and_then(|p| lab.policies.get(p.get_ref()).cloned())
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
                .context(context)?;
            let pop = connection_pop(&api, &id).await.context(context)?;
            request["connection_id"] = json!(id);
            request["pop_id"] = json!(pop);
            request["vlan"] = opt(l.vlan);
        }
        if let Some(partner) = &l.partner {
            let id = api
                .id_by_name("/partners", "partners", partner.get_ref())
                .await
                .context(context)?;
            request["partner_id"] = json!(id);
            let pop = match &l.pop {
                Some(pop) => api.id_by_name("/pops", "pops", pop.get_ref()).await,
                None => first_pop_of_partner(&api, &id).await,
            };
            request["pop_id"] = json!(pop.context(context)?);
        }
        let created = api
            .interlink(Method::POST, "/links", Some(request))
            .await
            .context(context)?;
        let id = id_of(&created)?;
        if let Some(approve) = l.approve {
            let action = if approve { "approve" } else { "refuse" };
            api.admin(
                &format!("/links/{id}/{action}"),
                json!({"reason": "refused by the topology"}),
            )
            .await
            .context(context)?;
        }
        if let Some(vpc) = &l.vpc {
            let vpc_id = lab.vpcs.get(vpc.get_ref()).map(ToString::to_string);
            api.interlink(
                Method::POST,
                &format!("/links/{id}/attach-vpc"),
                Some(json!({ "vpc_id": vpc_id })),
            )
            .await
            .context(context)?;
        }
        if l.enable_route_propagation {
            api.interlink(
                Method::POST,
                &format!("/links/{id}/enable-route-propagation"),
                Some(json!({})),
            )
            .await
            .context(context)?;
        }
        // A hosted link the partner approves is provisioned on the runner's clock: its
        // router plugs in once it has its addresses.
        addressed_link(&api, &id, l.partner.is_some() && l.approve != Some(false))
            .await
            .context(context)?;
    }
    Ok(())
}

/// The link, once it has its BGP addresses when `wait` (a hosted link the partner approves
/// and provisions): polled for up to a minute on the runner's clock.
async fn addressed_link(api: &Api, id: &str, wait: bool) -> Result<Value> {
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

fn id_of(v: &Value) -> Result<String> {
    v.get("id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| RunError::Api(format!("the API answered without an id: {v}")))
}

async fn connection_pop(api: &Api, id: &str) -> Result<String> {
    let c = api
        .interlink(Method::GET, &format!("/dedicated-connections/{id}"), None)
        .await?;
    c.get("pop_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| RunError::Api(format!("connection {id} has no pop_id")))
}

async fn first_pop_of_partner(api: &Api, partner: &str) -> Result<String> {
    let pops = api
        .list_all(&format!("/pops?partner_id={partner}"), "pops")
        .await?;
    pops.first()
        .and_then(|p| p.get("id").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| RunError::Api(format!("partner {partner} is in no PoP")))
}
