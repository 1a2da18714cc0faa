//! The configuration rules: PoP, datacenter and extras, inheritance, overlaps.

use super::*;

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
    assert_eq!(pop.status, TaskStatus::Todo);
    assert_eq!(
        m.pop_config(&a(), pop.resource_id).unwrap().status,
        ConfigStatus::Init
    );
    assert_eq!(m.list_pop_configs(&a()).unwrap(), vec![pop.resource_id]);
    let tasks = m.list_tasks(&a()).unwrap();
    let task = m.get_task(&a(), *tasks.last().unwrap()).unwrap();
    assert_eq!(task.function, TaskFunction::AddPopConfiguration);
    assert_eq!(task.resource_id, pop.resource_id);
    assert!(
        m.sessions().is_empty(),
        "no session before the task is done"
    );
    settle(&mut m);
    assert_eq!(
        m.pop_config(&a(), pop.resource_id).unwrap().status,
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
    let task = m.delete_pop_config(&a(), pop.resource_id, t0()).unwrap();
    assert_eq!(task.function, TaskFunction::DelPopConfiguration);
    assert_eq!(
        m.pop_config(&a(), pop.resource_id).unwrap().status,
        ConfigStatus::ToDelete
    );
    assert_eq!(
        m.delete_pop_config(&a(), pop.resource_id, t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert_eq!(m.pop_config(&a(), pop.resource_id).unwrap_err().status, 404);
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
    m.delete_pop_config(&a(), pop.resource_id, t0()).unwrap();
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
        m.create_datacenter_config(&a(), pop.resource_id, l3_dc(99, "10.10.0.0/28"), t0())
            .unwrap_err()
            .status,
        404
    );
    assert_eq!(
        m.create_datacenter_config(&a(), pop.resource_id, l3_dc(1, "10.10.0.0/29"), t0())
            .unwrap_err()
            .status,
        400
    );
    let dc = m
        .create_datacenter_config(&a(), pop.resource_id, l3_dc(1, "10.10.0.0/28"), t0())
        .unwrap();
    assert_eq!(dc.function, TaskFunction::AddDatacenterConfiguration);
    assert_eq!(
        m.datacenter_config(&a(), pop.resource_id, dc.resource_id)
            .unwrap()
            .status,
        ConfigStatus::Init
    );
    // One configuration per datacenter, and no overlapping subnet.
    assert_eq!(
        m.create_datacenter_config(&a(), pop.resource_id, l3_dc(1, "10.20.0.0/28"), t0())
            .unwrap_err()
            .status,
        409
    );
    assert_eq!(
        m.create_datacenter_config(&a(), pop.resource_id, l3_dc(2, "10.10.0.0/24"), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert_eq!(
        m.datacenter_config(&a(), pop.resource_id, dc.resource_id)
            .unwrap()
            .status,
        ConfigStatus::Active
    );
    // The datacenter subnet is announced on the PoP session; VRRP runs.
    assert_eq!(
        m.sessions()[0].announce,
        vec!["10.10.0.0/28".parse::<Ipv4Net>().unwrap()]
    );
    // It lives in the datacenter's routing instance (its ovhBgpArea), behind its gateway.
    assert_eq!(
        m.sessions()[0].announce_from,
        vec![crate::ovh_connect::OvhOrigin {
            prefix: "10.10.0.0/28".parse().unwrap(),
            asn: 65502,
            address: Ipv4Addr::new(10, 10, 0, 1),
        }]
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
        m.create_datacenter_config(&a(), pop.resource_id, l3_dc(1, "10.10.0.0/28"), t0())
            .unwrap_err()
            .status,
        400
    );
    let dc = m
        .create_datacenter_config(
            &a(),
            pop.resource_id,
            CreateDatacenterConfigRequest {
                datacenter_id: 1,
                ovh_bgp_area: None,
                subnet: None,
            },
            t0(),
        )
        .unwrap();
    assert_eq!(
        m.create_extra(
            &a(),
            pop.resource_id,
            dc.resource_id,
            bgp("10.10.0.4"),
            t0()
        )
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
    assert_eq!(
        route.function,
        TaskFunction::AddDatacenterExtraConfiguration
    );
    assert_eq!(
        m.extra(&a(), pop, dc, route.resource_id).unwrap().status,
        ConfigStatus::Init
    );
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
            extra_id: route.resource_id,
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
    m.delete_extra(&a(), pop, dc, route.resource_id, t0())
        .unwrap();
    // The route runs until its deletion is done: still no BGP beside it.
    assert_eq!(
        m.create_extra(&a(), pop, dc, bgp("10.10.0.4"), t0())
            .unwrap_err()
            .status,
        409
    );
    settle(&mut m);
    assert_eq!(
        m.extra(&a(), pop, dc, route.resource_id)
            .unwrap_err()
            .status,
        404
    );
    let session = m
        .create_extra(&a(), pop, dc, bgp("10.10.0.4"), t0())
        .unwrap();
    assert_eq!(m.vrrp_groups()[0].state, VrrpState::Master);
    settle(&mut m);
    assert_eq!(m.vrrp_groups()[0].state, VrrpState::Off);
    let extra_session = m
        .sessions()
        .into_iter()
        .find(|s| s.id == format!("ovh-extra-{}", session.resource_id))
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
fn datacenters_inherit_within_a_vrack() {
    let mut m = model();
    let (pop_a, dc) = l3_setup(&mut m);
    in_vrack(&mut m, &b(), DEMO_VRACK);
    let pop_b = m
        .create_pop_config(&b(), l3_pop(DEMO_INTERFACE_B, "192.0.2.4/30"), t0())
        .unwrap();
    // B's PoP configuration inherits A's datacenter configuration.
    assert_eq!(
        m.list_datacenter_configs(&b(), pop_b.resource_id).unwrap(),
        vec![dc]
    );
    // Overlapping /30 in the same vRack is refused.
    settle(&mut m);
    assert_eq!(m.sessions().len(), 2);
    assert!(m.sessions().iter().all(|s| s.announce.len() == 1));
    // Deleting A's PoP configuration leaves the shared datacenter configuration.
    m.delete_pop_config(&a(), pop_a, t0()).unwrap();
    settle(&mut m);
    assert_eq!(
        m.datacenter_config(&b(), pop_b.resource_id, dc)
            .unwrap()
            .status,
        ConfigStatus::Active
    );
    // A service in another vRack inherits nothing.
    let mut m = model();
    l3_setup(&mut m);
    in_vrack(&mut m, &b(), DEMO_VRACK_2);
    let pop = m
        .create_pop_config(&b(), l3_pop(DEMO_INTERFACE_B, "192.0.2.0/30"), t0())
        .unwrap();
    assert!(
        m.list_datacenter_configs(&b(), pop.resource_id)
            .unwrap()
            .is_empty()
    );
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
