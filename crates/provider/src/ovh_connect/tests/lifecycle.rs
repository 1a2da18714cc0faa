//! Tasks, resource statuses, the vRack, interfaces and services.

use super::*;

#[test]
fn tasks_go_todo_doing_done_on_virtual_time() {
    let mut m = model();
    let task = m.link_vrack(DEMO_VRACK, &a(), t0()).unwrap();
    assert_eq!(task.status, VrackTaskStatus::Todo);
    assert_eq!(task.target_domain, a());
    assert_eq!(m.service(&a()).unwrap().vrack, None);
    m.advance_clock(4);
    m.advance(t0());
    assert_eq!(
        m.get_vrack_task(DEMO_VRACK, task.id).unwrap().status,
        VrackTaskStatus::Todo
    );
    m.advance_clock(1);
    m.advance(t0());
    assert_eq!(
        m.get_vrack_task(DEMO_VRACK, task.id).unwrap().status,
        VrackTaskStatus::Doing
    );
    m.advance_clock(5);
    assert!(m.advance(t0()));
    assert_eq!(
        m.get_vrack_task(DEMO_VRACK, task.id).unwrap().status,
        VrackTaskStatus::Done
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
        m.extra(&a(), pop, dc, extra.resource_id).unwrap().status,
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
fn lock_and_unlock_interfaces() {
    let mut m = model();
    let (_, _) = l3_setup(&mut m);
    assert_eq!(m.sessions().len(), 1);
    let i = m.interface(&a(), DEMO_INTERFACE_A).unwrap();
    assert_eq!(
        (i.status, i.incoming_light_status, i.outgoing_light_status),
        (InterfaceStatus::Enabled, LightStatus::Up, LightStatus::Up)
    );
    assert_eq!(i.interface_status, LightStatus::Up);
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
        (i.status, i.outgoing_light_status, i.interface_status),
        (
            InterfaceStatus::Disabled,
            LightStatus::Down,
            LightStatus::Down
        )
    );
    // The lock took effect when its task was done: the status changed then.
    assert!(i.interface_status_last_update > t0());
    assert!(
        m.sessions().is_empty(),
        "a locked interface carries no session"
    );
    m.lock_interface(&a(), DEMO_INTERFACE_A, false, t0())
        .unwrap();
    settle(&mut m);
    assert_eq!(m.sessions().len(), 1);
    assert_eq!(m.interface(&b(), DEMO_INTERFACE_A).unwrap_err().status, 404);
    // The light follows the bound port; a lock still wins.
    m.set_light_status(DEMO_INTERFACE_A, Some(LightStatus::Down), t0());
    let i = m.interface(&a(), DEMO_INTERFACE_A).unwrap();
    assert_eq!(
        (i.incoming_light_status, i.interface_status),
        (LightStatus::Down, LightStatus::Down)
    );
    m.set_light_status(DEMO_INTERFACE_A, Some(LightStatus::Up), t0());
    let i = m.interface(&a(), DEMO_INTERFACE_A).unwrap();
    assert_eq!(
        (i.incoming_light_status, i.interface_status),
        (LightStatus::Up, LightStatus::Up)
    );
}

#[test]
fn a_task_whose_resource_vanished_ends_in_error() {
    let mut m = model();
    in_vrack(&mut m, &a(), DEMO_VRACK);
    let pop = m
        .create_pop_config(&a(), l3_pop(DEMO_INTERFACE_A, "192.0.2.0/30"), t0())
        .unwrap();
    let create = *m.list_tasks(&a()).unwrap().last().unwrap();
    m.delete_pop_config(&a(), pop.resource_id, t0()).unwrap();
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
        VrackTaskStatus::Done
    );
}
