//! Shared helpers of the InterLink unit tests.

use super::{CreateLinkRequest, CreateRoutingPolicyRequest, InterLink, Link, RoutingPolicy};
use crate::catalogue::demo;
use crate::error::{ArgumentReason, ProviderError};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

pub const R: Region = Region::FrPar;

/// `secs` seconds after the tests' epoch.
pub fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap() + Duration::seconds(secs)
}

pub fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

pub fn other() -> Caller {
    Caller::new(demo::OTHER_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

pub fn state() -> InterLink {
    InterLink::demo(t(0))
}

/// A self-hosted link request on the DC2 connection.
pub fn dc2(name: &str, vlan: u32, bandwidth_mbps: u64) -> CreateLinkRequest {
    CreateLinkRequest {
        name: name.into(),
        pop_id: Some(demo::POP_DC2_ID),
        bandwidth_mbps,
        connection_id: Some(demo::CONNECTION_DC2_ID),
        vlan: Some(vlan),
        ..Default::default()
    }
}

/// A self-hosted link request on the TH2 connection (1 Gbps, VLANs 2000–2099).
pub fn th2(name: &str, vlan: u32, bandwidth_mbps: u64) -> CreateLinkRequest {
    CreateLinkRequest {
        name: name.into(),
        pop_id: Some(demo::POP_TH2_ID),
        bandwidth_mbps,
        connection_id: Some(demo::CONNECTION_TH2_ID),
        vlan: Some(vlan),
        ..Default::default()
    }
}

/// A hosted link request.
pub fn hosted(name: &str, partner: Uuid, pop: Uuid, bandwidth_mbps: u64) -> CreateLinkRequest {
    CreateLinkRequest {
        name: name.into(),
        pop_id: Some(pop),
        bandwidth_mbps,
        partner_id: Some(partner),
        ..Default::default()
    }
}

pub fn create(s: &mut InterLink, req: CreateLinkRequest) -> Link {
    s.create_link(R, &me(), req, t(0)).unwrap().0
}

pub fn policy(s: &mut InterLink, name: &str, is_ipv6: bool, filters_in: &[&str]) -> RoutingPolicy {
    s.create_routing_policy(
        R,
        &me(),
        CreateRoutingPolicyRequest {
            name: name.into(),
            is_ipv6,
            prefix_filter_in: Some(filters_in.iter().map(|f| f.to_string()).collect()),
            ..Default::default()
        },
        t(0),
    )
    .unwrap()
}

/// The (argument, reason) pairs of an `invalid_arguments` error.
pub fn invalid<T: std::fmt::Debug>(r: Result<T, ProviderError>) -> Vec<(String, ArgumentReason)> {
    match r {
        Err(ProviderError::InvalidArguments { details }) => details
            .into_iter()
            .map(|d| (d.argument_name, d.reason))
            .collect(),
        other => panic!("expected invalid_arguments, got {other:?}"),
    }
}

/// The error type of a result that must fail.
pub fn kind<T: std::fmt::Debug>(r: Result<T, ProviderError>) -> &'static str {
    match r {
        Err(e) => e.error_type(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}
