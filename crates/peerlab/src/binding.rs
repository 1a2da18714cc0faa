//! Bindings: a dedicated connection of the catalogue bound to a local network interface.
//!
//! Each self-hosted link on a bound connection gets a VLAN interface `IFNAME.VLAN` (a kernel
//! 802.1Q device, or [`topology`]'s userspace emulation on kernels without 802.1Q) carrying the
//! link's Scaleway addresses (the /31's even address, the /127's first), so its two BGP sessions
//! (which keep trying to bind those addresses) run over it. That is how a router in a network
//! namespace, on the other end of a veth, meets the emulated InterLink. The interface goes when
//! the link does, and when `serve` stops.
//!
//! The links are read every second through the API itself (in process, with the connection's
//! project's token), so the model stays the only truth. A binding that cannot be made (no such
//! interface, a name too long…) is reported on stderr and retried every second; the link's
//! sessions stay down meanwhile. Without a binding a link's sessions listen on its addresses if
//! the host has them, and otherwise stay down.
//!
//! Not for: hosted links (their VLAN is the partner's), several bindings of one connection.

use anyhow::{Context, Result, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ipnet::{Ipv4Net, Ipv6Net};
use linux::VlanInterface;
use provider::catalogue::Catalogue;
use provider::interlink::ListLinksResponse;
use provider::region::Region;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio::task::JoinHandle;
use tower::ServiceExt;
use uuid::Uuid;

/// How often the links are read.
const PERIOD: Duration = Duration::from_secs(1);
/// Links asked for per page.
const PAGE_SIZE: u32 = 100;

/// `[[bindings]]` in the config file: a dedicated connection (by name or ID) and the local
/// interface its self-hosted links' VLANs go on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindingSpec {
    /// The dedicated connection, by name or ID.
    pub connection: String,
    /// The local interface (e.g. the host end of a veth pair).
    pub interface: String,
}

/// A binding resolved against the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub connection_id: Uuid,
    pub region: Region,
    /// A token of the connection's project, to read its links with.
    pub token: String,
    pub interface: String,
}

/// Resolves `specs` against `catalogue` (resolved): unknown connections, connections bound
/// twice and connections of projects without a token are errors.
pub fn resolve(catalogue: &Catalogue, specs: &[BindingSpec]) -> Result<Vec<Binding>> {
    let mut bindings: Vec<Binding> = Vec::new();
    for spec in specs {
        if spec.interface.is_empty() {
            bail!("binding of {:?}: empty interface name", spec.connection);
        }
        let connection = catalogue
            .dedicated_connections
            .iter()
            .find(|c| {
                let id = connection_id(&c.name, c.id);
                c.name == spec.connection || id.to_string() == spec.connection
            })
            .with_context(|| {
                format!(
                    "binding: unknown dedicated connection {:?}",
                    spec.connection
                )
            })?;
        let connection_id = connection_id(&connection.name, connection.id);
        if bindings.iter().any(|b| b.connection_id == connection_id) {
            bail!(
                "binding: dedicated connection {:?} is bound twice",
                spec.connection
            );
        }
        let token = catalogue
            .project(connection.project.as_deref())
            .and_then(|p| p.tokens.first().cloned())
            .with_context(|| {
                format!(
                    "binding of {:?}: its project has no token to read its links with",
                    spec.connection
                )
            })?;
        bindings.push(Binding {
            connection_id,
            region: connection.region,
            token,
            interface: spec.interface.clone(),
        });
    }
    Ok(bindings)
}

/// A dedicated connection's ID, as the model gives it.
fn connection_id(name: &str, id: Option<Uuid>) -> Uuid {
    id.unwrap_or_else(|| provider::ids::stable_uuid("dedicated_connection", name))
}

/// What one link needs on the host.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wanted {
    interface: String,
    vlan: u16,
    ipv4: Ipv4Net,
    ipv6: Ipv6Net,
}

/// A link's interface: made, or the last error making it.
struct Made {
    wanted: Wanted,
    interface: Result<VlanInterface, String>,
}

/// Keeps the bound links' VLAN interfaces in step with the model, every second, until aborted
/// (aborting drops the interfaces). `None` without bindings.
pub fn spawn(router: axum::Router, bindings: Vec<Binding>) -> Option<JoinHandle<()>> {
    if bindings.is_empty() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut made: BTreeMap<Uuid, Made> = BTreeMap::new();
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let mut wanted = BTreeMap::new();
            // Links of connections that could not be read are left as they are.
            let mut unknown = BTreeSet::new();
            for binding in &bindings {
                match bound_links(&router, binding).await {
                    Ok(links) => wanted.extend(links),
                    Err(e) => {
                        eprintln!("peerlab: binding {}: {e:#}", binding.interface);
                        unknown.insert(binding.interface.clone());
                    }
                }
            }
            let gone: Vec<Uuid> = made
                .iter()
                .filter(|(id, m)| {
                    !unknown.contains(&m.wanted.interface) && wanted.get(*id) != Some(&m.wanted)
                })
                .map(|(id, _)| *id)
                .collect();
            for id in gone {
                if let Some(m) = made.remove(&id) {
                    // Deleting runs `ip`: off the runtime's threads.
                    let _ = tokio::task::spawn_blocking(move || drop(m)).await;
                }
            }
            for (id, want) in wanted {
                let retry = match made.get(&id) {
                    None => None,
                    Some(Made {
                        interface: Err(previous),
                        ..
                    }) => Some(previous.clone()),
                    Some(_) => continue,
                };
                let w = want.clone();
                let result = tokio::task::spawn_blocking(move || {
                    VlanInterface::create(None, &w.interface, w.vlan, w.ipv4, w.ipv6)
                        .map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
                let name = format!("{}.{}", want.interface, want.vlan);
                match &result {
                    Ok(_) => println!("binding: link {id} on {name}"),
                    Err(e) if retry.as_ref() != Some(e) => eprintln!(
                        "peerlab: binding: cannot make {name} for link {id} (its sessions stay \
                         down): {e}"
                    ),
                    Err(_) => {}
                }
                made.insert(
                    id,
                    Made {
                        wanted: want,
                        interface: result,
                    },
                );
            }
        }
    }))
}

/// The self-hosted links on `binding`'s connection, with what they need.
async fn bound_links(router: &axum::Router, binding: &Binding) -> Result<BTreeMap<Uuid, Wanted>> {
    let mut out = BTreeMap::new();
    for page in 1u32.. {
        let uri = format!(
            "/interlink/v1beta1/regions/{}/links?connection_id={}&page={page}&page_size={PAGE_SIZE}",
            binding.region, binding.connection_id
        );
        let request = Request::get(&uri)
            .header("X-Auth-Token", &binding.token)
            .body(Body::empty())
            .context("cannot build the request")?;
        let response = router
            .clone()
            .oneshot(request)
            .await
            .context("cannot list the links")?;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .context("cannot read the links")?;
        if status != StatusCode::OK {
            bail!(
                "listing the links: {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        let list: ListLinksResponse =
            serde_json::from_slice(&body).context("cannot parse the links")?;
        let count = list.links.len();
        for link in list.links {
            let on_it = link
                .self_
                .as_ref()
                .is_some_and(|s| s.connection_id == binding.connection_id);
            if let (true, Some(scw)) = (on_it, link.scw_bgp_config) {
                out.insert(
                    link.id,
                    Wanted {
                        interface: binding.interface.clone(),
                        vlan: link.vlan,
                        ipv4: scw.ipv4,
                        ipv6: scw.ipv6,
                    },
                );
            }
        }
        if count < PAGE_SIZE as usize || u64::from(page) * u64::from(PAGE_SIZE) >= list.total_count
        {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider::catalogue::demo;

    fn spec(connection: &str, interface: &str) -> BindingSpec {
        BindingSpec {
            connection: connection.into(),
            interface: interface.into(),
        }
    }

    #[test]
    fn resolves_by_name_or_id_and_refuses_unknown_or_doubled_connections() {
        let c = Catalogue::default().resolved();
        let by_name = resolve(&c, &[spec("demo-dc2-10g", "veth0")]).unwrap();
        let id = by_name[0].connection_id;
        assert_eq!(id.to_string(), "5ca1e000-0000-4000-8000-c00000000001");
        assert_eq!(by_name[0].token, demo::DEMO_SECRET_KEY);
        let by_id = resolve(&c, &[spec(&id.to_string(), "veth0")]).unwrap();
        assert_eq!(by_id, by_name);
        let unknown = resolve(&c, &[spec("nope", "veth0")]).unwrap_err();
        assert!(unknown.to_string().contains("unknown dedicated connection"));
        let twice = [spec("demo-dc2-10g", "a"), spec(&id.to_string(), "b")];
        assert!(
            resolve(&c, &twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        assert!(resolve(&c, &[spec("demo-dc2-10g", "")]).is_err());
    }

    #[tokio::test]
    async fn reads_the_self_hosted_links_of_the_bound_connection() {
        let c = Catalogue::default().resolved();
        let binding = resolve(&c, &[spec("demo-dc2-10g", "veth0")])
            .unwrap()
            .remove(0);
        let app = api::App::start(&c).unwrap();
        let router = api::router(app);
        assert!(bound_links(&router, &binding).await.unwrap().is_empty());
        let body = serde_json::json!({
            "project_id": demo::DEMO_PROJECT_ID,
            "name": "l1",
            "pop_id": "5ca1e000-0000-4000-8000-a00000000001",
            "bandwidth_mbps": 1000,
            "connection_id": binding.connection_id,
            "peer_asn": 64512,
            "vlan": 2001,
        });
        let request = Request::post("/interlink/v1beta1/regions/fr-par/links")
            .header("X-Auth-Token", &binding.token)
            .header("Content-Type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        assert_eq!(
            status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        let links = bound_links(&router, &binding).await.unwrap();
        let [(_, wanted)] = links.iter().collect::<Vec<_>>()[..] else {
            panic!("{links:?}")
        };
        assert_eq!((wanted.interface.as_str(), wanted.vlan), ("veth0", 2001));
        assert_eq!(wanted.ipv4.prefix_len(), 31);
        assert_eq!(u32::from(wanted.ipv4.addr()) % 2, 0);
        assert_eq!(wanted.ipv6.prefix_len(), 127);
    }
}
