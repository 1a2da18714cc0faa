//! Unit tests of the OVHcloud Connect model: every rule and the lifecycle, on virtual time.

use super::*;
use crate::catalogue::ovh::{
    DEMO_INTERFACE_A, DEMO_INTERFACE_B, DEMO_SERVICE_A, DEMO_SERVICE_B, DEMO_VRACK, DEMO_VRACK_2,
};
use chrono::TimeZone;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn a() -> String {
    DEMO_SERVICE_A.to_string()
}

fn b() -> String {
    DEMO_SERVICE_B.to_string()
}

/// The demo, with tasks of 10 s.
fn model() -> OvhConnect {
    let mut m = OvhConnect::new(&Catalogue::default().resolved());
    m.set_task_secs(10);
    m
}

/// Lets every task finish.
fn settle(m: &mut OvhConnect) {
    m.advance_clock(3600);
    m.advance(t0());
}

fn in_vrack(m: &mut OvhConnect, service: &str, vrack: &str) {
    m.link_vrack(vrack, service, t0()).unwrap();
    settle(m);
}

fn l3_pop(interface_id: u64, subnet: &str) -> CreatePopConfigRequest {
    CreatePopConfigRequest {
        interface_id,
        kind: PopType::L3,
        customer_bgp_area: Some(65001),
        ovh_bgp_area: Some(65501),
        subnet: Some(subnet.into()),
    }
}

fn l2_pop(interface_id: u64) -> CreatePopConfigRequest {
    CreatePopConfigRequest {
        interface_id,
        kind: PopType::L2,
        customer_bgp_area: None,
        ovh_bgp_area: None,
        subnet: None,
    }
}

fn l3_dc(datacenter_id: u64, subnet: &str) -> CreateDatacenterConfigRequest {
    CreateDatacenterConfigRequest {
        datacenter_id,
        ovh_bgp_area: Some(65502),
        subnet: Some(subnet.into()),
    }
}

fn network(next_hop: &str, subnet: &str) -> CreateExtraConfigRequest {
    CreateExtraConfigRequest {
        kind: ExtraType::Network,
        bgp_neighbor_area: None,
        bgp_neighbor_ip: None,
        next_hop: Some(next_hop.into()),
        subnet: Some(subnet.into()),
    }
}

fn bgp(ip: &str) -> CreateExtraConfigRequest {
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
fn l3_setup(m: &mut OvhConnect) -> (u64, u64) {
    in_vrack(m, &a(), DEMO_VRACK);
    let pop = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap();
    let dc = m
        .create_datacenter_config(&a(), pop.id, l3_dc(1, "10.10.0.0/28"), t0())
        .unwrap();
    settle(m);
    (pop.id, dc.id)
}

#[test]
fn tasks_go_todo_doing_done_on_virtual_time() {
    let mut m = model();
    let task = m.link_vrack(DEMO_VRACK, &a(), t0()).unwrap();
    assert_eq!(task.status, TaskStatus::Todo);
    assert_eq!(task.target_domain, a());
    assert_eq!(m.service(&a()).unwrap().vrack, None);
    m.advance_clock(4);
    m.advance(t0());
    assert_eq!(
        m.get_vrack_task(DEMO_VRACK, task.id).unwrap().status,
        TaskStatus::Todo
    );
    m.advance_clock(1);
    m.advance(t0());
    assert_eq!(
        m.get_vrack_task(DEMO_VRACK, task.id).unwrap().status,
        TaskStatus::Doing
    );
    m.advance_clock(5);
    assert!(m.advance(t0()));
    assert_eq!(
        m.get_vrack_task(DEMO_VRACK, task.id).unwrap().status,
        TaskStatus::Done
    );
    assert_eq!(
        m.get_task(&a(), task.id).unwrap().function,
        TaskFunction::AddVrack
    );
    assert_eq!(m.service(&a()).unwrap().vrack.as_deref(), Some(DEMO_VRACK));
    assert_eq!(
        m.list_vrack_services(DEMO_VRACK).unwrap(),
        vec![DEMO_SERVICE_A]
    );
    assert_eq!(m.list_vrack_tasks(DEMO_VRACK).unwrap(), vec![task.id]);
}

#[test]
fn vrack_link_rules() {
    let mut m = model();
    assert_eq!(m.link_vrack("pn-nope", &a(), t0()).unwrap_err().status, 404);
    assert_eq!(
        m.link_vrack(DEMO_VRACK, "nope", t0()).unwrap_err().status,
        404
    );
    assert_eq!(
        m.allowed_services(DEMO_VRACK)
            .unwrap()
            .ovh_cloud_connect
            .len(),
        2
    );
    m.link_vrack(DEMO_VRACK, &a(), t0()).unwrap();
    // Joining: no longer allowed elsewhere, and a second link is a conflict.
    assert_eq!(
        m.allowed_services(DEMO_VRACK_2).unwrap().ovh_cloud_connect,
        vec![DEMO_SERVICE_B]
    );
    assert_eq!(
        m.link_vrack(DEMO_VRACK_2, &a(), t0()).unwrap_err().status,
        409
    );
    settle(&mut m);
    assert_eq!(
        m.link_vrack(DEMO_VRACK_2, &a(), t0()).unwrap_err().status,
        409
    );
    assert_eq!(m.vrack_service(DEMO_VRACK_2, &a()).unwrap_err().status, 404);
    assert_eq!(m.vrack_service(DEMO_VRACK, &a()).unwrap().vrack, DEMO_VRACK);
    m.unlink_vrack(DEMO_VRACK, &a(), t0()).unwrap();
    // Leaving: no PoP configuration meanwhile.
    assert_eq!(
        m.create_pop_config(&a(), l2_pop(DEMO_INTERFACE_A), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert!(m.list_vrack_services(DEMO_VRACK).unwrap().is_empty());
}

#[test]
fn a_service_must_be_in_a_vrack_before_any_pop_configuration() {
    let mut m = model();
    let e = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap_err();
    assert_eq!(e.status, 409);
    // Not yet in it while the task runs.
    m.link_vrack(DEMO_VRACK, &a(), t0()).unwrap();
    assert!(
        m.create_pop_config(&a(), l2_pop(DEMO_INTERFACE_A), t0())
            .is_err()
    );
    settle(&mut m);
    assert!(
        m.create_pop_config(&a(), l2_pop(DEMO_INTERFACE_A), t0())
            .is_ok()
    );
}

#[test]
fn pop_configuration_lifecycle_and_addresses() {
    let mut m = model();
    in_vrack(&mut m, &a(), DEMO_VRACK);
    // The interface must be the service's.
    let e = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_B, "192.0.2.0/30"), t0())
        .unwrap_err();
    assert_eq!(e.status, 404);
    let e = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/29"), t0())
        .unwrap_err();
    assert_eq!(e.status, 400);
    let pop = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap();
    assert_eq!(pop.status, ConfigStatus::Init);
    assert_eq!(m.list_pop_configs(&a()).unwrap(), vec![pop.id]);
    let tasks = m.list_tasks(&a()).unwrap();
    let task = m.get_task(&a(), *tasks.last().unwrap()).unwrap();
    assert_eq!(task.function, TaskFunction::AddPopConfiguration);
    assert_eq!(task.resource_id, pop.id);
    assert!(
        m.sessions().is_empty(),
        "no session before the task is done"
    );
    settle(&mut m);
    assert_eq!(
        m.pop_config(&a(), pop.id).unwrap().status,
        ConfigStatus::Active
    );
    assert_eq!(m.service(&a()).unwrap().product, "l3");
    let sessions = m.sessions();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!((s.local_asn, s.peer_asn), (65501, 65001));
    assert_eq!(s.local, Ipv4Addr::new(192, 0, 2, 1));
    assert_eq!(s.peer, Ipv4Addr::new(192, 0, 2, 2));
    // One PoP configuration per interface.
    let e = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.4/30"), t0())
        .unwrap_err();
    assert_eq!(e.status, 409);
    // Delete: toDelete, then gone, one task.
    let task = m.delete_pop_config(&a(), pop.id, t0()).unwrap();
    assert_eq!(task.function, TaskFunction::DelPopConfiguration);
    assert_eq!(
        m.pop_config(&a(), pop.id).unwrap().status,
        ConfigStatus::ToDelete
    );
    assert_eq!(
        m.delete_pop_config(&a(), pop.id, t0()).unwrap_err().status,
        409
    );
    settle(&mut m);
    assert_eq!(m.pop_config(&a(), pop.id).unwrap_err().status, 404);
    assert_eq!(m.get_task(&a(), task.id).unwrap().status, TaskStatus::Done);
    assert!(m.sessions().is_empty());
}

#[test]
fn switching_between_l2_and_l3_requires_deleting_first() {
    let mut m = model();
    in_vrack(&mut m, &a(), DEMO_VRACK);
    let pop = m
        .create_pop_config(&a(), l2_pop(DEMO_INTERFACE_A), t0())
        .unwrap();
    settle(&mut m);
    let e = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap_err();
    assert_eq!(e.status, 409);
    assert!(e.message.contains("switching"));
    m.delete_pop_config(&a(), pop.id, t0()).unwrap();
    // Still being deleted: still a conflict.
    assert_eq!(
        m.create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert!(
        m.create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
            .is_ok()
    );
}

#[test]
fn datacenter_configuration_rules() {
    let mut m = model();
    in_vrack(&mut m, &a(), DEMO_VRACK);
    let pop = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap();
    assert_eq!(
        m.create_datacenter_config(&a(), pop.id, l3_dc(99, "10.10.0.0/28"), t0())
            .unwrap_err()
            .status,
        404
    );
    assert_eq!(
        m.create_datacenter_config(&a(), pop.id, l3_dc(1, "10.10.0.0/29"), t0())
            .unwrap_err()
            .status,
        400
    );
    let dc = m
        .create_datacenter_config(&a(), pop.id, l3_dc(1, "10.10.0.0/28"), t0())
        .unwrap();
    assert_eq!(dc.status, ConfigStatus::Init);
    // One configuration per datacenter, and no overlapping subnet.
    assert_eq!(
        m.create_datacenter_config(&a(), pop.id, l3_dc(1, "10.20.0.0/28"), t0())
            .unwrap_err()
            .status,
        409
    );
    assert_eq!(
        m.create_datacenter_config(&a(), pop.id, l3_dc(2, "10.10.0.0/24"), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert_eq!(
        m.datacenter_config(&a(), pop.id, dc.id).unwrap().status,
        ConfigStatus::Active
    );
    // The datacenter subnet is announced on the PoP session; VRRP runs.
    assert_eq!(
        m.sessions()[0].announce,
        vec!["10.10.0.0/28".parse::<Ipv4Net>().unwrap()]
    );
    let vrrp = m.vrrp_groups();
    assert_eq!(vrrp.len(), 1);
    assert_eq!(vrrp[0].state, VrrpState::Master);
    assert_eq!(vrrp[0].virtual_address, Ipv4Addr::new(10, 10, 0, 1));
}

#[test]
fn l2_datacenters_take_no_l3_fields_and_no_extras() {
    let mut m = model();
    in_vrack(&mut m, &a(), DEMO_VRACK);
    let pop = m
        .create_pop_config(&a(), l2_pop(DEMO_INTERFACE_A), t0())
        .unwrap();
    assert_eq!(
        m.create_datacenter_config(&a(), pop.id, l3_dc(1, "10.10.0.0/28"), t0())
            .unwrap_err()
            .status,
        400
    );
    let dc = m
        .create_datacenter_config(
            &a(),
            pop.id,
            CreateDatacenterConfigRequest {
                datacenter_id: 1,
                ovh_bgp_area: None,
                subnet: None,
            },
            t0(),
        )
        .unwrap();
    assert_eq!(
        m.create_extra(&a(), pop.id, dc.id, bgp("10.10.0.4"), t0())
            .unwrap_err()
            .status,
        400
    );
}

#[test]
fn extras_rules_static_routes_and_bgp() {
    let mut m = model();
    let (pop, dc) = l3_setup(&mut m);
    // nextHop / bgpNeighborIp inside the subnet.
    for (req, status) in [
        (network("10.99.0.5", "172.20.0.0/16"), 400),
        (network("10.10.0.1", "172.20.0.0/16"), 400),
        (bgp("10.99.0.4"), 400),
    ] {
        assert_eq!(
            m.create_extra(&a(), pop, dc, req, t0()).unwrap_err().status,
            status
        );
    }
    let route = m
        .create_extra(&a(), pop, dc, network("10.10.0.5", "172.20.0.0/16"), t0())
        .unwrap();
    assert_eq!(route.status, ConfigStatus::Init);
    // Never both kinds in one datacenter configuration.
    assert_eq!(
        m.create_extra(&a(), pop, dc, bgp("10.10.0.4"), t0())
            .unwrap_err()
            .status,
        409
    );
    assert_eq!(
        m.create_extra(&a(), pop, dc, network("10.10.0.6", "172.20.0.0/16"), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert_eq!(
        m.static_routes(),
        vec![StaticRoute {
            extra_id: route.id,
            prefix: "172.20.0.0/16".parse().unwrap(),
            next_hop: Ipv4Addr::new(10, 10, 0, 5),
        }]
    );
    assert!(
        m.sessions()[0]
            .announce
            .contains(&"172.20.0.0/16".parse().unwrap())
    );
    // Replace the static route with a BGP session: VRRP goes off.
    m.delete_extra(&a(), pop, dc, route.id, t0()).unwrap();
    // The route runs until its deletion is done: still no BGP beside it.
    assert_eq!(
        m.create_extra(&a(), pop, dc, bgp("10.10.0.4"), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert_eq!(m.extra(&a(), pop, dc, route.id).unwrap_err().status, 404);
    let session = m
        .create_extra(&a(), pop, dc, bgp("10.10.0.4"), t0())
        .unwrap();
    assert_eq!(m.vrrp_groups()[0].state, VrrpState::Master);
    settle(&mut m);
    assert_eq!(m.vrrp_groups()[0].state, VrrpState::Off);
    let extra_session = m
        .sessions()
        .into_iter()
        .find(|s| s.id == format!("ovh-extra-{}", session.id))
        .unwrap();
    assert_eq!(extra_session.local, Ipv4Addr::new(10, 10, 0, 1));
    // Routes cross between the PoP session and the bgp extra's, both ways.
    assert_eq!(extra_session.learned_from, vec![format!("ovh-pop-{pop}")]);
    let pop_session = m
        .sessions()
        .into_iter()
        .find(|s| s.id == format!("ovh-pop-{pop}"))
        .unwrap();
    assert_eq!(pop_session.learned_from, vec![extra_session.id.clone()]);
    assert_eq!(extra_session.peer, Ipv4Addr::new(10, 10, 0, 4));
    assert_eq!(
        (extra_session.local_asn, extra_session.peer_asn),
        (65502, 65100)
    );
}

#[test]
fn deleting_a_parent_deletes_its_children_as_one_task() {
    let mut m = model();
    let (pop, dc) = l3_setup(&mut m);
    let extra = m
        .create_extra(&a(), pop, dc, network("10.10.0.5", "172.20.0.0/16"), t0())
        .unwrap();
    settle(&mut m);
    let before = m.list_tasks(&a()).unwrap().len();
    let task = m.delete_pop_config(&a(), pop, t0()).unwrap();
    assert_eq!(m.list_tasks(&a()).unwrap().len(), before + 1);
    assert_eq!(
        m.datacenter_config(&a(), pop, dc).unwrap().status,
        ConfigStatus::ToDelete
    );
    assert_eq!(
        m.extra(&a(), pop, dc, extra.id).unwrap().status,
        ConfigStatus::ToDelete
    );
    // Nothing new under what is being deleted.
    assert_eq!(
        m.create_extra(&a(), pop, dc, network("10.10.0.6", "172.21.0.0/16"), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert_eq!(m.get_task(&a(), task.id).unwrap().status, TaskStatus::Done);
    assert!(m.datacenter_configs.is_empty() && m.extras.is_empty() && m.pops.is_empty());
    assert!(m.static_routes().is_empty() && m.vrrp_groups().is_empty());
}

#[test]
fn datacenters_inherit_within_a_vrack() {
    let mut m = model();
    let (pop_a, dc) = l3_setup(&mut m);
    in_vrack(&mut m, &b(), DEMO_VRACK);
    let pop_b = m
        .create_pop_config(&b(), l3_pop(DEMO_INTERFACE_B, "192.0.2.4/30"), t0())
        .unwrap();
    // B's PoP configuration inherits A's datacenter configuration.
    assert_eq!(m.list_datacenter_configs(&b(), pop_b.id).unwrap(), vec![dc]);
    // Overlapping /30 in the same vRack is refused.
    settle(&mut m);
    assert_eq!(m.sessions().len(), 2);
    assert!(m.sessions().iter().all(|s| s.announce.len() == 1));
    // Deleting A's PoP configuration leaves the shared datacenter configuration.
    m.delete_pop_config(&a(), pop_a, t0()).unwrap();
    settle(&mut m);
    assert_eq!(
        m.datacenter_config(&b(), pop_b.id, dc).unwrap().status,
        ConfigStatus::Active
    );
    // A service in another vRack inherits nothing.
    let mut m = model();
    l3_setup(&mut m);
    in_vrack(&mut m, &b(), DEMO_VRACK_2);
    let pop = m
        .create_pop_config(&b(), l3_pop(DEMO_INTERFACE_B, "192.0.2.0/30"), t0())
        .unwrap();
    assert!(m.list_datacenter_configs(&b(), pop.id).unwrap().is_empty());
}

#[test]
fn overlapping_l3_subnets_in_a_vrack_conflict() {
    let mut m = model();
    l3_setup(&mut m);
    in_vrack(&mut m, &b(), DEMO_VRACK);
    assert_eq!(
        m.create_pop_config(&b(), l3_pop(DEMO_INTERFACE_B, "192.0.2.0/30"), t0())
            .unwrap_err()
            .status,
        409
    );
}

#[test]
fn lock_and_unlock_interfaces() {
    let mut m = model();
    let (_, _) = l3_setup(&mut m);
    assert_eq!(m.sessions().len(), 1);
    let i = m.interface(&a(), DEMO_INTERFACE_A).unwrap();
    assert_eq!(
        (i.status, i.light_status),
        (InterfaceStatus::Enabled, LightStatus::Ok)
    );
    assert_eq!(
        m.lock_interface(&a(), DEMO_INTERFACE_A, false, t0())
            .unwrap_err()
            .status,
        409
    );
    let task = m
        .lock_interface(&a(), DEMO_INTERFACE_A, true, t0())
        .unwrap();
    assert_eq!(task.function, TaskFunction::LockInterface);
    assert_eq!(
        m.lock_interface(&a(), DEMO_INTERFACE_A, true, t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    let i = m.interface(&a(), DEMO_INTERFACE_A).unwrap();
    assert_eq!(
        (i.status, i.light_status),
        (InterfaceStatus::Disabled, LightStatus::Down)
    );
    assert!(
        m.sessions().is_empty(),
        "a locked interface carries no session"
    );
    m.lock_interface(&a(), DEMO_INTERFACE_A, false, t0())
        .unwrap();
    settle(&mut m);
    assert_eq!(m.sessions().len(), 1);
    assert_eq!(m.interface(&b(), DEMO_INTERFACE_A).unwrap_err().status, 404);
}

#[test]
fn a_task_whose_resource_vanished_ends_in_error() {
    let mut m = model();
    in_vrack(&mut m, &a(), DEMO_VRACK);
    let pop = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap();
    let create = *m.list_tasks(&a()).unwrap().last().unwrap();
    m.delete_pop_config(&a(), pop.id, t0()).unwrap();
    settle(&mut m);
    assert_eq!(m.get_task(&a(), create).unwrap().status, TaskStatus::Error);
}

#[test]
fn service_reads_and_update() {
    let mut m = model();
    assert_eq!(m.list_services(), vec![DEMO_SERVICE_A, DEMO_SERVICE_B]);
    let s = m.service(&a()).unwrap();
    assert_eq!(s.interface_list, vec![DEMO_INTERFACE_A]);
    assert_eq!(s.port_quantity, "1");
    assert_eq!(m.service("not-a-uuid").unwrap_err().status, 404);
    m.update_service(
        &a(),
        UpdateServiceRequest {
            description: Some("renamed".into()),
        },
    )
    .unwrap();
    assert_eq!(m.service(&a()).unwrap().description, "renamed");
    assert_eq!(m.list_datacenters(&a()).unwrap(), vec![1, 2, 3]);
    assert_eq!(m.datacenter(&a(), 2).unwrap().name, "GRA");
    assert_eq!(m.datacenter(&a(), 9).unwrap_err().status, 404);
}

#[test]
fn state_round_trips_through_json() {
    let mut m = model();
    l3_setup(&mut m);
    let json = serde_json::to_string(&m).unwrap();
    let back: OvhConnect = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
}

#[test]
fn extreme_clocks_and_delays_do_not_panic() {
    let mut m = model();
    m.set_task_secs(u64::MAX);
    let task = m.link_vrack(DEMO_VRACK, &a(), t0()).unwrap();
    m.advance_clock(u64::MAX);
    m.advance(t0());
    assert!(m.get_vrack_task(DEMO_VRACK, task.id).is_ok());
    m.advance_clock(u64::MAX);
    m.advance(t0());
    assert!(m.unix_time(t0()) > 0);
    let mut m = model();
    m.set_task_secs(0);
    let task = m.link_vrack(DEMO_VRACK, &a(), t0()).unwrap();
    m.advance(t0());
    assert_eq!(
        m.get_vrack_task(DEMO_VRACK, task.id).unwrap().status,
        TaskStatus::Done
    );
}
