//! Unit tests of the OVHcloud Connect model, on virtual time: the lifecycle ([`lifecycle`]) and
//! every configuration rule ([`configuration`]); the helpers they share.

mod configuration;
mod lifecycle;

use super::*;
// Shared with the test modules through their `use super::*`.
pub(super) use crate::catalogue::ovh::{
    DEMO_INTERFACE_A, DEMO_INTERFACE_B, DEMO_SERVICE_A, DEMO_SERVICE_B, DEMO_VRACK, DEMO_VRACK_2,
};
use chrono::TimeZone;

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

pub(super) fn a() -> String {
    DEMO_SERVICE_A.to_string()
}

pub(super) fn b() -> String {
    DEMO_SERVICE_B.to_string()
}

/// The demo, with tasks of 10 s.
pub(super) fn model() -> OvhConnect {
    let mut m = OvhConnect::new(&Catalogue::default().resolved());
    m.set_task_secs(10);
    m
}

/// Lets every task finish.
pub(super) fn settle(m: &mut OvhConnect) {
    m.advance_clock(3600);
    m.advance(t0());
}

pub(super) fn in_vrack(m: &mut OvhConnect, service: &str, vrack: &str) {
    m.link_vrack(vrack, service, t0()).unwrap();
    settle(m);
}

pub(super) fn l3_pop(interface_id: u64, subnet: &str) -> CreatePopConfigRequest {
    CreatePopConfigRequest {
        interface_id,
        kind: PopType::L3,
        customer_bgp_area: Some(65001),
        ovh_bgp_area: Some(65501),
        subnet: Some(subnet.into()),
    }
}

pub(super) fn l2_pop(interface_id: u64) -> CreatePopConfigRequest {
    CreatePopConfigRequest {
        interface_id,
        kind: PopType::L2,
        customer_bgp_area: None,
        ovh_bgp_area: None,
        subnet: None,
    }
}

pub(super) fn l3_dc(datacenter_id: u64, subnet: &str) -> CreateDatacenterConfigRequest {
    CreateDatacenterConfigRequest {
        datacenter_id,
        ovh_bgp_area: Some(65502),
        subnet: Some(subnet.into()),
    }
}

pub(super) fn network(next_hop: &str, subnet: &str) -> CreateExtraConfigRequest {
    CreateExtraConfigRequest {
        kind: ExtraType::Network,
        bgp_neighbor_area: None,
        bgp_neighbor_ip: None,
        next_hop: Some(next_hop.into()),
        subnet: Some(subnet.into()),
    }
}

pub(super) fn bgp(ip: &str) -> CreateExtraConfigRequest {
    CreateExtraConfigRequest {
        kind: ExtraType::Bgp,
        bgp_neighbor_area: Some(65100),
        bgp_neighbor_ip: Some(ip.into()),
        next_hop: None,
        subnet: None,
    }
}

/// Service A in the demo vRack with an active l3 PoP (192.0.2.0/30) and an active l3
/// datacenter (10.10.0.0/28 in RBX); gives (pop, dc).
pub(super) fn l3_setup(m: &mut OvhConnect) -> (u64, u64) {
    in_vrack(m, &a(), DEMO_VRACK);
    let pop = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap();
    let dc = m
        .create_datacenter_config(&a(), pop.resource_id, l3_dc(1, "10.10.0.0/28"), t0())
        .unwrap();
    settle(m);
    (pop.resource_id, dc.resource_id)
}
