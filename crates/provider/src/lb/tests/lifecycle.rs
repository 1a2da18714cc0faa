//! Statuses on the clock, as recorded: create, configuration changes, migration, deletion,
//! certificates, attachments; and what the data plane reports.

use super::support::*;
use crate::error::ProviderError;
use crate::lb::backend_types::Protocol;
use crate::lb::list::DeleteLbRequest;
use crate::lb::other_types::{CertificateStatus, HealthCheckStatus, ServerReport, ServerState};
use crate::lb::requests::{
    CreateCertificateRequest, CreateLbRequest, LetsencryptConfig, MigrateLbRequest,
};
use crate::lb::types::{InstanceStatus, LbStatus};
use crate::lb::{LbSettings, LoadBalancers};
use serde_json::json;

#[test]
fn create_goes_to_create_creating_ready() {
    let mut lb = state();
    let made = lb
        .create_lb(
            Z,
            &me(),
            CreateLbRequest {
                name: Some("web".into()),
                type_: Some("LB-S".into()),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    assert_eq!(made.status, LbStatus::ToCreate);
    assert!(made.instances.is_empty());
    assert_eq!(made.type_, "lb-s");
    assert_eq!(made.ip.len(), 1, "a public LB gets a flexible IP");
    assert_eq!(made.ip[0].lb_id, Some(made.id));
    assert!(made.ip[0].reverse.ends_with(".lb.fr-par.scw.cloud"));
    let s = LbSettings::default();
    lb.advance(t(s.to_create_ms as i64));
    let creating = lb.get_lb(Z, &me(), made.id).unwrap();
    assert_eq!(creating.status, LbStatus::Creating);
    assert_eq!(creating.instances[0].status, InstanceStatus::Unknown);
    assert_eq!(creating.instances[0].ip_address, "");
    lb.advance(t((s.to_create_ms + s.creating_ms) as i64));
    let ready = lb.get_lb(Z, &me(), made.id).unwrap();
    assert_eq!(ready.status, LbStatus::Ready);
    assert_eq!(ready.instances[0].status, InstanceStatus::Ready);
    assert!(!ready.status.is_transient());
    // The answer's shape: the recorded keys, `subscriber: null`, the zone and region.
    let v = serde_json::to_value(&ready).unwrap();
    for key in [
        "backend_count",
        "created_at",
        "description",
        "frontend_count",
        "id",
        "instances",
        "ip",
        "name",
        "organization_id",
        "private_network_count",
        "project_id",
        "region",
        "route_count",
        "ssl_compatibility_level",
        "status",
        "subscriber",
        "tags",
        "type",
        "updated_at",
        "zone",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["subscriber"], json!(null));
    assert_eq!(v["zone"], "fr-par-1");
    assert_eq!(v["region"], "fr-par");
    assert_eq!(
        v["ssl_compatibility_level"],
        "ssl_compatibility_level_intermediate"
    );
}

#[test]
fn one_advance_catches_up_any_delay() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "late");
    let got = lb.get_lb(Z, &me(), made.id).unwrap();
    assert_eq!(got.status, LbStatus::Ready);
    // Ready at the moment it was due, not when the clock was looked at.
    let s = LbSettings::default();
    assert_eq!(
        got.instances[0].updated_at,
        t((s.to_create_ms + s.creating_ms) as i64)
    );
}

#[test]
fn a_change_makes_the_instance_pending_then_ready() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let b = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 8080, &["10.0.0.1"]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    assert_eq!(b.lb.status, LbStatus::Ready, "the LB stays ready");
    assert_eq!(b.lb.instances[0].status, InstanceStatus::Pending);
    assert_eq!(b.lb.backend_count, 1);
    lb.advance(t(20_100));
    assert_eq!(
        lb.get_lb(Z, &me(), made.id).unwrap().instances[0].status,
        InstanceStatus::Pending
    );
    lb.advance(t(
        20_000 + LbSettings::default().config_apply_ms.unwrap() as i64
    ));
    assert_eq!(
        lb.get_lb(Z, &me(), made.id).unwrap().instances[0].status,
        InstanceStatus::Ready
    );
}

#[test]
fn without_a_clock_delay_only_the_data_plane_makes_it_ready_or_error() {
    let mut lb = LoadBalancers::new(LbSettings {
        config_apply_ms: None,
        ..LbSettings::default()
    });
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    lb.create_backend(
        Z,
        &me(),
        made.id,
        backend_req(Protocol::Tcp, 80, &[]),
        &ipam,
        t(20_000),
    )
    .unwrap();
    lb.advance(t(3_600_000));
    let got = lb.get_lb(Z, &me(), made.id).unwrap();
    assert_eq!(got.instances[0].status, InstanceStatus::Pending);
    lb.set_instance_status(
        made.id,
        InstanceStatus::Error,
        Some("[ALERT] parsing error".into()),
        t(3_600_001),
    )
    .unwrap();
    let got = lb.get_lb(Z, &me(), made.id).unwrap();
    assert_eq!(got.status, LbStatus::Error);
    assert_eq!(lb.instance_error(made.id), Some("[ALERT] parsing error"));
    assert_eq!(lb.running_config(made.id).unwrap().status, LbStatus::Error);
    lb.set_instance_status(made.id, InstanceStatus::Ready, None, t(3_600_002))
        .unwrap();
    assert_eq!(
        lb.get_lb(Z, &me(), made.id).unwrap().status,
        LbStatus::Ready
    );
    assert_eq!(lb.instance_error(made.id), None);
    assert!(matches!(
        lb.set_instance_status(uuid::Uuid::nil(), InstanceStatus::Ready, None, t(0)),
        Err(ProviderError::LegacyNotFound { .. })
    ));
}

#[test]
fn migrate_then_ready_on_the_new_type_with_a_new_instance() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let before = lb.get_lb(Z, &me(), made.id).unwrap().instances[0].id;
    let m = lb
        .migrate_lb(
            Z,
            &me(),
            made.id,
            MigrateLbRequest {
                type_: "LB-GP-M".into(),
            },
            t(20_000),
        )
        .unwrap();
    assert_eq!(m.status, LbStatus::Migrating);
    assert_eq!(m.type_, "lb-s");
    let ipam = ipam();
    let refused = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Tcp, 80, &[]),
            &ipam,
            t(20_001),
        )
        .unwrap_err();
    assert_eq!(refused.http_status(), 409);
    lb.advance(t(30_000));
    let after = lb.get_lb(Z, &me(), made.id).unwrap();
    assert_eq!(after.status, LbStatus::Ready);
    assert_eq!(after.type_, "lb-gp-m");
    assert_ne!(after.instances[0].id, before);
    let bad = lb
        .migrate_lb(
            Z,
            &me(),
            made.id,
            MigrateLbRequest {
                type_: "LB-XXL".into(),
            },
            t(30_001),
        )
        .unwrap_err();
    assert_eq!(argument(&bad), "type");
}

#[test]
fn delete_is_to_delete_then_404_with_the_recorded_body() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ip = made.ip[0].id;
    let mut ipam = ipam();
    lb.delete_lb(
        Z,
        &me(),
        made.id,
        &DeleteLbRequest { release_ip: false },
        &mut ipam,
        t(20_000),
    )
    .unwrap();
    assert_eq!(
        lb.get_lb(Z, &me(), made.id).unwrap().status,
        LbStatus::ToDelete
    );
    lb.advance(t(30_000));
    let gone = lb.get_lb(Z, &me(), made.id).unwrap_err();
    assert_eq!(gone.http_status(), 404);
    assert_eq!(gone.body(), json!({"message": "lbs not Found"}));
    // release_ip=false keeps the IP, detached (as recorded).
    assert_eq!(lb.get_ip(Z, &me(), ip).unwrap().lb_id, None);
    let made = ready_lb(&mut lb, "again");
    lb.delete_lb(
        Z,
        &me(),
        made.id,
        &DeleteLbRequest { release_ip: true },
        &mut ipam,
        t(40_000),
    )
    .unwrap();
    assert_eq!(
        lb.get_ip(Z, &me(), made.ip[0].id).unwrap_err().body(),
        json!({"message": "ips not Found"})
    );
}

#[test]
fn letsencrypt_is_pending_then_a_ready_standin() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let c = lb
        .create_certificate(
            Z,
            &me(),
            made.id,
            CreateCertificateRequest {
                name: Some("le".into()),
                letsencrypt: Some(LetsencryptConfig {
                    common_name: "web.example.test".into(),
                    subject_alternative_name: None,
                }),
                custom_certificate: None,
            },
            t(20_000),
        )
        .unwrap();
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["status"], "pending");
    assert_eq!(v["fingerprint"], "");
    assert_eq!(v["not_valid_before"], "0001-01-01T00:00:00Z");
    assert_eq!(v["subject_alternative_name"], json!([]));
    assert_eq!(v["type"], "letsencrypt");
    lb.advance(t(30_000));
    let c = lb.get_certificate(Z, &me(), c.config.id).unwrap();
    assert_eq!(c.config.status, CertificateStatus::Ready);
    assert_eq!(c.config.fingerprint.len(), 40);
    assert!(c.config.not_valid_after > c.config.not_valid_before);
    assert!(
        c.lb.instances.is_empty(),
        "read answers embed the LB without instances"
    );
}

#[test]
fn server_reports_fill_the_stats() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let b = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &["10.0.0.1", "10.0.0.2"]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let req = Default::default();
    let stats = lb.get_lb_stats(Z, &me(), made.id, &req).unwrap();
    assert_eq!(stats.backend_servers_stats.len(), 2);
    assert_eq!(
        stats.backend_servers_stats[0].server_state,
        ServerState::Starting
    );
    let down = ServerReport {
        server_state: ServerState::Stopped,
        last_health_check_status: HealthCheckStatus::Failed,
        server_state_changed_at: Some(t(25_000)),
    };
    lb.set_server_reports(made.id, [(b.config.id, "10.0.0.2".to_string(), down)])
        .unwrap();
    let list = lb.list_backend_stats(Z, &me(), made.id, &req).unwrap();
    assert_eq!(list.total_count, 2);
    let v = serde_json::to_value(&list.backend_servers_stats[1]).unwrap();
    assert_eq!(v["ip"], "10.0.0.2");
    assert_eq!(v["server_state"], "stopped");
    assert_eq!(v["last_health_check_status"], "failed");
    assert_eq!(v["server_state_changed_at"], "2025-06-01T12:00:25Z");
    assert!(lb.get_lb_stats(Z, &other(), made.id, &req).is_err());
}
