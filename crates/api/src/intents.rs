//! Intent → engine translation: what the provider model asks for, as engine calls.
//!
//! [`plan`] turns one [`Intent`] into [`EngineOp`]s (pure, tested); [`apply`] runs them on an
//! [`EngineHandle`]. Engine errors are logged, never sent to the API client: the model is the
//! truth, the engine follows it.

use engine::{EngineHandle, LinkSpec, RoutingPolicy};
use provider::interlink::{Family, Intent, LinkConfig, PolicyFilters};
use uuid::Uuid;

/// One engine call.
#[derive(Clone, Debug)]
pub enum EngineOp {
    /// Start a link (after removing any earlier version of it).
    Add(Box<LinkSpec>),
    /// Stop and forget a link.
    Remove(String),
    /// Attach, replace or detach a session's policy.
    SetPolicy(String, engine::Family, Box<Option<RoutingPolicy>>),
    /// Switch route propagation.
    SetPropagation(String, bool),
    /// Replace the announceable VPC prefixes.
    SetVpcPrefixes(String, Vec<ipnet::IpNet>),
}

impl EngineOp {
    /// The link the call is about.
    pub fn link(&self) -> &str {
        match self {
            EngineOp::Add(spec) => &spec.id,
            EngineOp::Remove(link)
            | EngineOp::SetPolicy(link, ..)
            | EngineOp::SetPropagation(link, _)
            | EngineOp::SetVpcPrefixes(link, _) => link,
        }
    }
}

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

/// The engine calls that carry out `intent`. `config_of` gives a link's full configuration
/// (needed when a peer ASN change restarts the link).
pub fn plan(intent: &Intent, config_of: impl Fn(Uuid) -> Option<LinkConfig>) -> Vec<EngineOp> {
    match intent {
        Intent::ConfigureLink(config) => vec![
            EngineOp::Remove(config.link_id.to_string()),
            EngineOp::Add(Box::new(link_spec(config))),
        ],
        Intent::SetPolicy {
            link_id,
            family,
            policy,
            ..
        } => vec![EngineOp::SetPolicy(
            link_id.to_string(),
            engine_family(*family),
            Box::new(policy.as_ref().and_then(|p| routing_policy(*family, p))),
        )],
        Intent::SetRoutePropagation { link_id, enabled } => {
            vec![EngineOp::SetPropagation(link_id.to_string(), *enabled)]
        }
        Intent::SetVpc {
            link_id, prefixes, ..
        } => vec![EngineOp::SetVpcPrefixes(
            link_id.to_string(),
            prefixes.clone(),
        )],
        Intent::SetPeerAsn { link_id, peer_asn } => {
            let mut ops = vec![EngineOp::Remove(link_id.to_string())];
            if let Some(mut config) = config_of(*link_id) {
                config.peer_asn = *peer_asn;
                ops.push(EngineOp::Add(Box::new(link_spec(&config))));
            }
            ops
        }
        Intent::RemoveLink { link_id } => vec![EngineOp::Remove(link_id.to_string())],
    }
}

/// Runs `ops` in order. A `Remove` of a link the engine does not run is expected (a fresh
/// `ConfigureLink`) and not logged.
pub async fn apply(engine: &EngineHandle, ops: Vec<EngineOp>) {
    for op in ops {
        let result = match &op {
            EngineOp::Add(spec) => engine.add_link((**spec).clone()).await,
            EngineOp::Remove(link) => match engine.remove_link(link).await {
                Err(engine::EngineError::UnknownLink(_)) => Ok(()),
                other => other,
            },
            EngineOp::SetPolicy(link, family, policy) => {
                engine.set_policy(link, *family, (**policy).clone()).await
            }
            EngineOp::SetPropagation(link, enabled) => {
                engine.set_route_propagation(link, *enabled).await
            }
            EngineOp::SetVpcPrefixes(link, prefixes) => {
                engine.set_vpc_prefixes(link, prefixes.clone()).await
            }
        };
        if let Err(e) = result {
            tracing::warn!(link = op.link(), "engine refused {op:?}: {e}");
        }
    }
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

    #[test]
    fn configure_link_restarts_with_full_spec() {
        let ops = plan(&Intent::ConfigureLink(config(65000)), |_| None);
        let [EngineOp::Remove(id), EngineOp::Add(spec)] = ops.as_slice() else {
            panic!("{ops:?}")
        };
        assert_eq!(id, &Uuid::from_u128(7).to_string());
        assert_eq!(spec.peer_asn, 65000);
        assert_eq!(spec.local_asn, 12876);
        assert!(spec.policy_v4.is_some());
        assert!(spec.policy_v6.is_none());
        assert!(spec.enable_route_propagation);
        assert_eq!(spec.vpc_prefixes.len(), 1);
    }

    #[test]
    fn peer_asn_change_rebuilds_from_the_model() {
        let intent = Intent::SetPeerAsn {
            link_id: Uuid::from_u128(7),
            peer_asn: 65123,
        };
        let ops = plan(&intent, |_| Some(config(65000)));
        let [EngineOp::Remove(_), EngineOp::Add(spec)] = ops.as_slice() else {
            panic!("{ops:?}")
        };
        assert_eq!(spec.peer_asn, 65123);
    }

    #[test]
    fn detach_policy_is_none() {
        let intent = Intent::SetPolicy {
            link_id: Uuid::from_u128(7),
            family: Family::Ipv6,
            policy: None,
            in_place: false,
        };
        let ops = plan(&intent, |_| None);
        assert!(matches!(
            ops.as_slice(),
            [EngineOp::SetPolicy(_, engine::Family::Ipv6, p)] if p.is_none()
        ));
    }
}
