//! InterLink links on the engine: each link in service runs as an engine link whose ID is the
//! link's UUID, with an IPv4 and an IPv6 session configured from its routing policies.
//!
//! A change of port, VLAN, addresses or peer ASN restarts the link (its sessions reset, as on
//! the real service); a new policy is applied in place (`set-routing-policy` keeps the routes
//! both policies allow); propagation and the VPC's prefixes change without a reset.

use super::Applied;
use engine::{EngineError, EngineHandle, LinkSpec, RoutingPolicy};
use provider::interlink::{Family, InterLink, LinkConfig, PolicyFilters};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The engine's family of a provider family.
pub fn engine_family(family: Family) -> engine::Family {
    match family {
        Family::Ipv4 => engine::Family::Ipv4,
        Family::Ipv6 => engine::Family::Ipv6,
    }
}

/// The provider's family of an engine family.
pub fn provider_family(family: engine::Family) -> Family {
    match family {
        engine::Family::Ipv4 => Family::Ipv4,
        engine::Family::Ipv6 => Family::Ipv6,
    }
}

/// The engine's policy of a provider policy (`None` when the filters do not fit the family,
/// which the provider's validation rules out).
pub fn routing_policy(family: Family, filters: &PolicyFilters) -> Option<RoutingPolicy> {
    RoutingPolicy::new(
        family == Family::Ipv6,
        filters.prefix_filter_in.iter().copied(),
        filters.prefix_filter_out.iter().copied(),
    )
    .map_err(|e| tracing::warn!(policy = %filters.routing_policy_id, "unusable policy: {e}"))
    .ok()
}

/// The engine's spec of a link configuration.
pub fn link_spec(config: &LinkConfig) -> LinkSpec {
    let mut spec = LinkSpec::new(
        config.link_id.to_string(),
        config.peer_asn,
        config.ipv4,
        config.ipv6,
    );
    spec.local_asn = config.local_asn;
    spec.policy_v4 = config
        .policy_v4
        .as_ref()
        .and_then(|p| routing_policy(Family::Ipv4, p));
    spec.policy_v6 = config
        .policy_v6
        .as_ref()
        .and_then(|p| routing_policy(Family::Ipv6, p));
    spec.enable_route_propagation = config.enable_route_propagation;
    spec.vpc_prefixes = config.vpc_prefixes.clone();
    spec
}

/// The links the provider state wants running, by ID.
pub fn desired(interlink: &InterLink) -> BTreeMap<Uuid, LinkConfig> {
    interlink
        .links_in_service()
        .into_iter()
        .filter_map(|id| interlink.link_config(id).map(|c| (id, c)))
        .collect()
}

/// One engine call.
#[derive(Clone, Debug)]
pub enum EngineOp {
    /// Start a link.
    Add(Box<LinkSpec>),
    /// Stop and forget a link.
    Remove(Uuid),
    /// Attach, replace (in place) or detach a session's policy.
    SetPolicy(Uuid, Family, Option<PolicyFilters>),
    /// Switch route propagation.
    SetPropagation(Uuid, bool),
    /// Replace the announceable VPC prefixes.
    SetVpcPrefixes(Uuid, Vec<ipnet::IpNet>),
}

/// Whether going from `old` to `new` needs the link's sessions to restart.
fn restarts(old: &LinkConfig, new: &LinkConfig) -> bool {
    (
        old.host,
        old.vlan,
        old.local_asn,
        old.peer_asn,
        old.ipv4,
        old.ipv6,
    ) != (
        new.host,
        new.vlan,
        new.local_asn,
        new.peer_asn,
        new.ipv4,
        new.ipv6,
    )
}

/// The engine calls that take the engine from `applied` to `desired` (pure).
pub fn plan(
    applied: &BTreeMap<Uuid, LinkConfig>,
    desired: &BTreeMap<Uuid, LinkConfig>,
) -> Vec<EngineOp> {
    let mut ops = Vec::new();
    for id in applied.keys().filter(|id| !desired.contains_key(id)) {
        ops.push(EngineOp::Remove(*id));
    }
    for (id, new) in desired {
        let Some(old) = applied.get(id) else {
            ops.push(EngineOp::Add(Box::new(link_spec(new))));
            continue;
        };
        if restarts(old, new) {
            ops.push(EngineOp::Remove(*id));
            ops.push(EngineOp::Add(Box::new(link_spec(new))));
            continue;
        }
        for (family, was, is) in [
            (Family::Ipv4, &old.policy_v4, &new.policy_v4),
            (Family::Ipv6, &old.policy_v6, &new.policy_v6),
        ] {
            if was != is {
                ops.push(EngineOp::SetPolicy(*id, family, is.clone()));
            }
        }
        if old.vpc_prefixes != new.vpc_prefixes {
            ops.push(EngineOp::SetVpcPrefixes(*id, new.vpc_prefixes.clone()));
        }
        if old.enable_route_propagation != new.enable_route_propagation {
            ops.push(EngineOp::SetPropagation(*id, new.enable_route_propagation));
        }
    }
    ops
}

/// Brings the engine in line with `interlink`'s links.
pub async fn reconcile(engine: &EngineHandle, interlink: &InterLink, applied: &mut Applied) {
    let desired = desired(interlink);
    for op in plan(&applied.links, &desired) {
        let result = match &op {
            EngineOp::Add(spec) => engine.add_link((**spec).clone()).await,
            EngineOp::Remove(id) => match engine.remove_link(&id.to_string()).await {
                Err(EngineError::UnknownLink(_)) => Ok(()),
                other => other,
            },
            EngineOp::SetPolicy(id, family, policy) => {
                let policy = policy.as_ref().and_then(|p| routing_policy(*family, p));
                engine
                    .set_policy(&id.to_string(), engine_family(*family), policy)
                    .await
            }
            EngineOp::SetPropagation(id, on) => {
                engine.set_route_propagation(&id.to_string(), *on).await
            }
            EngineOp::SetVpcPrefixes(id, prefixes) => {
                engine
                    .set_vpc_prefixes(&id.to_string(), prefixes.clone())
                    .await
            }
        };
        if let Err(e) = result {
            tracing::warn!("engine refused {op:?}: {e}");
        }
    }
    applied.links = desired;
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider::interlink::LinkHost;

    fn config(peer_asn: u32) -> LinkConfig {
        LinkConfig {
            link_id: Uuid::from_u128(7),
            host: LinkHost::SelfHosted {
                connection_id: Uuid::from_u128(1),
            },
            vlan: 2001,
            local_asn: 12876,
            peer_asn,
            ipv4: "100.64.0.0/31".parse().unwrap(),
            ipv6: "fd00::/127".parse().unwrap(),
            policy_v4: Some(PolicyFilters {
                routing_policy_id: Uuid::from_u128(9),
                prefix_filter_in: vec!["10.0.0.0/8".parse().unwrap()],
                prefix_filter_out: vec!["172.16.0.0/22".parse().unwrap()],
            }),
            policy_v6: None,
            enable_route_propagation: true,
            vpc_id: None,
            vpc_prefixes: vec!["172.16.0.0/22".parse().unwrap()],
        }
    }

    fn one(c: LinkConfig) -> BTreeMap<Uuid, LinkConfig> {
        BTreeMap::from([(c.link_id, c)])
    }

    #[test]
    fn a_new_link_starts_with_its_full_spec_and_twice_is_nothing() {
        let desired = one(config(65000));
        let ops = plan(&BTreeMap::new(), &desired);
        let [EngineOp::Add(spec)] = ops.as_slice() else {
            panic!("{ops:?}")
        };
        assert_eq!((spec.peer_asn, spec.local_asn), (65000, 12876));
        assert!(spec.policy_v4.is_some() && spec.policy_v6.is_none());
        assert!(spec.enable_route_propagation);
        assert!(plan(&desired, &desired).is_empty(), "level-triggered");
    }

    #[test]
    fn a_peer_asn_change_restarts_and_a_policy_change_does_not() {
        let ops = plan(&one(config(65000)), &one(config(65123)));
        assert!(matches!(
            ops.as_slice(),
            [EngineOp::Remove(_), EngineOp::Add(s)] if s.peer_asn == 65123
        ));
        let mut narrow = config(65000);
        narrow.policy_v4 = None;
        narrow.enable_route_propagation = false;
        let ops = plan(&one(config(65000)), &one(narrow));
        assert!(matches!(
            ops.as_slice(),
            [
                EngineOp::SetPolicy(_, Family::Ipv4, None),
                EngineOp::SetPropagation(_, false)
            ]
        ));
    }

    #[test]
    fn a_deleted_link_is_removed() {
        let ops = plan(&one(config(65000)), &BTreeMap::new());
        assert!(matches!(ops.as_slice(), [EngineOp::Remove(id)] if *id == Uuid::from_u128(7)));
    }
}
