//! VPC API unit tests.

mod networks;
mod routes;
mod vpcs;

use super::*;
use crate::interlink::InterLink;
use crate::interlink::test_support::{R, me, t};

/// A VPC of the demo project, created at `t(secs)`.
fn vpc(s: &mut InterLink, name: &str, secs: i64) -> Vpc {
    s.create_vpc(
        R,
        &me(),
        CreateVpcRequest {
            name: name.into(),
            tags: Some(vec!["test".into()]),
            ..Default::default()
        },
        t(secs),
    )
    .unwrap()
}

/// A private network of `vpc_id` with these subnets (none: both chosen).
fn network(s: &mut InterLink, vpc_id: uuid::Uuid, name: &str, subnets: &[&str]) -> PrivateNetwork {
    s.create_private_network(
        R,
        &me(),
        CreatePrivateNetworkRequest {
            name: name.into(),
            vpc_id: Some(vpc_id),
            subnets: Some(subnets.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        },
        t(1),
    )
    .unwrap()
}
