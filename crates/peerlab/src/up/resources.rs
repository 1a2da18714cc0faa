//! The provider resources of a topology, made through the API in process (policies, links,
//! VPC attachment, propagation, a partner's approval), and the routers plugged into the links
//! they get: an embedded router into the in-memory wiring, a daemon over a veth and VLANs.

use super::daemon;
use super::embedded::EmbeddedRouter;
use super::provision::{Api, body, opt};
use super::runner::{LinkAddresses, LinkInfo, Mode, RouterHandle, World};
use anyhow::{Context, anyhow};
use axum::http::Method;
use ipnet::IpNet;
use linux::{LinkAddressing, Netns};
use serde_json::{Value, json};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use topology::format;

/// Creates the topology's routing policies and links, and plugs the routers into them.
pub async fn create_resources(world: &mut World, path: &str) -> anyhow::Result<()> {
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
