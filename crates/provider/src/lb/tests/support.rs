//! Shared helpers of the Load Balancer unit tests.

use crate::catalogue::{PrivateNetworkSpec, VpcSpec, demo};
use crate::error::ProviderError;
use crate::interlink::InterLink;
use crate::ipam::Ipam;
use crate::lb::backend_types::{EmptyConfig, HealthCheckWire, Protocol};
use crate::lb::requests::{BackendRequest, CreateLbRequest, FrontendRequest};
use crate::lb::types::Lb;
use crate::lb::{LbSettings, LoadBalancers, Locality, Zone};
use crate::scope::Caller;
use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

pub const Z: Locality = Locality::Zone(Zone::FrPar1);

/// `ms` milliseconds after the tests' epoch.
pub fn t(ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap() + Duration::milliseconds(ms)
}

pub fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

pub fn other() -> Caller {
    Caller::new(demo::OTHER_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

/// The demo IPAM (VPC `demo-vpc`, private network `demo-pn` 172.16.0.0/22), plus a VPC `many`
/// of the demo project with nine private networks 10.9.N.0/24.
pub fn ipam() -> Ipam {
    let mut il = InterLink::demo(t(0));
    let spec = VpcSpec {
        id: None,
        name: "many".into(),
        project: Some("demo".into()),
        region: Default::default(),
        private_networks: (0..9)
            .map(|n| PrivateNetworkSpec {
                id: None,
                name: format!("pn{n}"),
                subnet: Some(format!("10.9.{n}.0/24").parse().unwrap()),
                subnets: Vec::new(),
            })
            .collect(),
    };
    il.ipam_mut()
        .add_vpc(&spec, &demo::catalogue().projects)
        .unwrap();
    il.ipam().clone()
}

/// The nine private networks of VPC `many`.
pub fn many_pns(ipam: &Ipam) -> Vec<Uuid> {
    let vpc = ipam.vpcs().find(|v| v.name == "many").unwrap();
    vpc.private_network_ids.clone()
}

pub fn state() -> LoadBalancers {
    LoadBalancers::new(LbSettings::default())
}

/// A public LB, ready.
pub fn ready_lb(lb: &mut LoadBalancers, name: &str) -> Lb {
    let made = lb
        .create_lb(
            Z,
            &me(),
            CreateLbRequest {
                name: Some(name.into()),
                type_: Some("LB-S".into()),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    lb.advance(t(10_000));
    made
}

/// A private LB (no flexible IP), ready.
pub fn private_lb(lb: &mut LoadBalancers) -> Lb {
    let made = lb
        .create_lb(
            Z,
            &me(),
            CreateLbRequest {
                name: Some("private".into()),
                type_: Some("lb-s".into()),
                assign_flexible_ip: Some(false),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    lb.advance(t(10_000));
    made
}

/// A backend request with a TCP health check on the forward port.
pub fn backend_req(protocol: Protocol, port: u32, servers: &[&str]) -> BackendRequest {
    BackendRequest {
        name: Some(format!("b{port}")),
        forward_protocol: Some(protocol),
        forward_port: Some(port),
        forward_port_algorithm: Some(crate::lb::backend_types::ForwardPortAlgorithm::Roundrobin),
        sticky_sessions: Some(crate::lb::backend_types::StickySessionsType::None),
        sticky_sessions_cookie_name: Some(String::new()),
        health_check: Some(HealthCheckWire {
            port: Some(port),
            check_max_retries: Some(3),
            tcp_config: Some(EmptyConfig {}),
            ..Default::default()
        }),
        server_ip: Some(servers.iter().map(|s| s.to_string()).collect()),
        ..Default::default()
    }
}

pub fn frontend_req(port: u32, backend: Uuid) -> FrontendRequest {
    FrontendRequest {
        name: Some(format!("f{port}")),
        inbound_port: Some(port),
        backend_id: Some(backend),
        enable_http3: Some(false),
        enable_access_logs: Some(false),
        ..Default::default()
    }
}

/// The `argument_name` of the first detail of an `invalid_arguments` error.
pub fn argument(e: &ProviderError) -> String {
    match e {
        ProviderError::InvalidArguments { details } => details[0].argument_name.clone(),
        other => panic!("not invalid_arguments: {other:?}"),
    }
}
