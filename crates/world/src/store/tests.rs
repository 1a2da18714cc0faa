//! Tests of the store on real SQLite files: round trips of every kind of write, what a commit
//! writes, the migration of a JSON state written by the previous version, and refusals.

use super::*;
use chrono::{Duration as Span, TimeZone};
use provider::catalogue::{demo, ovh as ovh_demo};
use provider::interlink::{CreateLinkRequest, CreateRoutingPolicyRequest};
use provider::ipam::types::{BookIpRequest, Source, UpdateIpRequest};
use provider::ovh_connect::{
    CreateDatacenterConfigRequest, CreateExtraConfigRequest, CreatePopConfigRequest, ExtraType,
    PopType,
};
use provider::{Caller, Region};
use uuid::Uuid;

const FIXTURE: &[u8] = include_bytes!("../../tests/fixtures/state-v1.json");

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap() + Span::seconds(secs)
}

fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

fn catalogue() -> Catalogue {
    Catalogue::default().resolved()
}

/// Both models as the JSON snapshot of the previous version: a complete picture to compare.
fn picture(models: &Models) -> String {
    let bytes =
        provider::snapshot::to_json_with_ovh(&models.interlink, &models.ovh_connect).unwrap();
    String::from_utf8(bytes).unwrap()
}

fn policy(m: &mut Models, name: &str) -> Uuid {
    let req = CreateRoutingPolicyRequest {
        name: name.into(),
        prefix_filter_in: Some(vec!["10.0.0.0/8".into()]),
        ..Default::default()
    };
    m.interlink
        .create_routing_policy(Region::FrPar, &me(), req, t(1))
        .unwrap()
        .id
}

fn link(m: &mut Models, name: &str, vlan: u32) -> Uuid {
    let req = CreateLinkRequest {
        name: name.into(),
        pop_id: Some(demo::POP_DC2_ID),
        bandwidth_mbps: 100,
        connection_id: Some(demo::CONNECTION_DC2_ID),
        vlan: Some(vlan),
        ..Default::default()
    };
    m.interlink
        .create_link(Region::FrPar, &me(), req, t(1))
        .unwrap()
        .0
        .id
}

/// Every kind of write of the three products, each committed on its own.
fn writes(store: &mut Store, m: &mut Models) {
    let r = Region::FrPar;
    let commit = |store: &mut Store, m: &mut Models| store.commit(&mut m.persisted()).unwrap();
    let p = policy(m, "v4");
    commit(store, m);
    let gone = policy(m, "gone");
    commit(store, m);
    m.interlink.delete_routing_policy(r, &me(), gone).unwrap();
    commit(store, m);
    let l = link(m, "prod", 2001);
    commit(store, m);
    m.interlink
        .attach_vpc(r, &me(), l, demo::VPC_ID, t(2))
        .unwrap();
    m.interlink
        .attach_routing_policy(r, &me(), l, p, t(2))
        .unwrap();
    commit(store, m);
    let dropped = link(m, "dropped", 2002);
    commit(store, m);
    m.interlink.delete_link(r, &me(), dropped, t(3)).unwrap();
    commit(store, m);
    let source = Source {
        private_network_id: Some(demo::PRIVATE_NETWORK_ID),
        ..Source::default()
    };
    let ip = m
        .interlink
        .ipam_mut()
        .book_ip(
            r,
            &me(),
            BookIpRequest {
                source: source.clone(),
                ..Default::default()
            },
            t(4),
        )
        .unwrap();
    let kept = m
        .interlink
        .ipam_mut()
        .book_ip(
            r,
            &me(),
            BookIpRequest {
                source,
                ..Default::default()
            },
            t(4),
        )
        .unwrap();
    commit(store, m);
    let tags = UpdateIpRequest {
        tags: Some(vec!["x".into()]),
        ..Default::default()
    };
    m.interlink
        .ipam_mut()
        .update_ip(r, &me(), kept.id, tags, t(5))
        .unwrap();
    m.interlink.ipam_mut().release_ip(r, &me(), ip.id).unwrap();
    commit(store, m);
    let a = ovh_demo::DEMO_SERVICE_A.to_string();
    let ovh = &mut m.ovh_connect;
    ovh.link_vrack(ovh_demo::DEMO_VRACK, &a, t(0)).unwrap();
    ovh.advance_clock(3600);
    ovh.advance(t(0));
    let pop = ovh
        .create_pop_config(
            &a,
            CreatePopConfigRequest {
                interface_id: ovh_demo::DEMO_INTERFACE_A,
                kind: PopType::L3,
                customer_bgp_area: Some(65001),
                ovh_bgp_area: Some(65501),
                subnet: Some("192.0.2.0/30".into()),
            },
            t(0),
        )
        .unwrap();
    let dc = ovh
        .create_datacenter_config(
            &a,
            pop.resource_id,
            CreateDatacenterConfigRequest {
                datacenter_id: 1,
                ovh_bgp_area: Some(65502),
                subnet: Some("10.10.0.0/28".into()),
            },
            t(0),
        )
        .unwrap();
    commit(store, m);
    let ovh = &mut m.ovh_connect;
    ovh.advance_clock(3600);
    ovh.advance(t(0));
    let extra = CreateExtraConfigRequest {
        kind: ExtraType::Network,
        bgp_neighbor_area: None,
        bgp_neighbor_ip: None,
        next_hop: Some("10.10.0.5".into()),
        subnet: Some("172.20.0.0/16".into()),
    };
    ovh.create_extra(&a, pop.resource_id, dc.resource_id, extra, t(0))
        .unwrap();
    commit(store, m);
    // Left pending: a deletion whose task is not done.
    m.ovh_connect
        .delete_datacenter_config(&a, pop.resource_id, dc.resource_id, t(0))
        .unwrap();
    commit(store, m);
}

#[test]
fn every_kind_of_write_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (mut store, mut models) = Store::open(&path, &catalogue(), t(0)).unwrap();
    assert_eq!(store.origin(), &Origin::Created);
    assert_eq!(
        picture(&models),
        picture(&Models::new(&catalogue(), t(0)).unwrap())
    );
    writes(&mut store, &mut models);
    drop(store);
    let (store, back) = Store::open(&path, &catalogue(), t(0)).unwrap();
    assert_eq!(store.origin(), &Origin::Loaded);
    assert_eq!(picture(&back), picture(&models));
    // The restored models go on where they stopped: the next IDs are the same.
    let (mut a, mut b) = (models.clone(), back.clone());
    assert_eq!(policy(&mut a, "next"), policy(&mut b, "next"));
}

#[test]
fn a_commit_writes_what_the_write_changed_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (mut store, mut models) = Store::open(&path, &catalogue(), t(0)).unwrap();
    for i in 0..300 {
        policy(&mut models, &format!("p{i}"));
    }
    let first = store.commit(&mut models.persisted()).unwrap();
    // 300 policies and the InterLink meta row (its counters moved).
    assert_eq!(first.rows, 301);
    let stored = store.resources().unwrap();
    policy(&mut models, "one more");
    let commit = store.commit(&mut models.persisted()).unwrap();
    assert_eq!(commit.rows, 2, "the policy and the InterLink meta row");
    assert_eq!(store.resources().unwrap(), stored + 1);
    let nothing = store.commit(&mut models.persisted()).unwrap();
    assert_eq!(nothing.rows, 0);
    // A link: the link, its two IPAM addresses, its link block, the meta rows of both.
    link(&mut models, "l", 2003);
    let commit = store.commit(&mut models.persisted()).unwrap();
    assert_eq!(commit.rows, 6, "{commit:?}");
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("state.json");
    std::fs::write(&path, FIXTURE).unwrap();
    path
}

#[test]
fn a_json_state_of_the_previous_version_is_migrated_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    let expected = provider::snapshot::from_json_with_ovh(FIXTURE, &catalogue()).unwrap();
    let expected = Models {
        interlink: expected.0,
        ovh_connect: expected.1,
    };
    let (store, models) = Store::open(&path, &catalogue(), t(0)).unwrap();
    let backup = dir.path().join("state.json.v1.json");
    assert_eq!(
        store.origin(),
        &Origin::Migrated {
            backup: backup.clone()
        }
    );
    assert_eq!(picture(&models), picture(&expected));
    assert_eq!(std::fs::read(&backup).unwrap(), FIXTURE);
    assert!(!dir.path().join("state.json.tmp").exists());
    drop(store);
    let head = std::fs::read(&path).unwrap();
    assert!(head.starts_with(b"SQLite format 3\0"));
    let (store, again) = Store::open(&path, &catalogue(), t(0)).unwrap();
    assert_eq!(store.origin(), &Origin::Loaded);
    assert_eq!(picture(&again), picture(&expected));
    // What the fixture holds came through: links, policies, IPs, OVH tasks.
    let json: serde_json::Value = serde_json::from_slice(FIXTURE).unwrap();
    assert_eq!(json["interlink"]["links"].as_object().unwrap().len(), 2);
    assert_eq!(json["ovh_connect"]["tasks"].as_object().unwrap().len(), 5);
}

#[test]
fn a_migration_interrupted_after_its_backup_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    // A crash after the backup and a half-built database: both are there, the JSON too.
    std::fs::write(dir.path().join("state.json.v1.json"), FIXTURE).unwrap();
    std::fs::write(dir.path().join("state.json.tmp"), b"half").unwrap();
    let (store, _) = Store::open(&path, &catalogue(), t(0)).unwrap();
    assert!(matches!(store.origin(), Origin::Migrated { .. }));
    // A different backup is never overwritten.
    let dir = tempfile::tempdir().unwrap();
    let path = copy_fixture(dir.path());
    std::fs::write(dir.path().join("state.json.v1.json"), b"{}").unwrap();
    let e = refusal(&path);
    assert!(e.contains("state.json.v1.json"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), FIXTURE);
}

/// The error of opening `path`, checked to be one line naming the file.
fn refusal(path: &Path) -> String {
    let e = match Store::open(path, &catalogue(), t(0)) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{} was accepted", path.display()),
    };
    assert!(e.contains(&path.display().to_string()), "{e}");
    assert!(!e.contains('\n'), "{e}");
    e
}

#[test]
fn a_corrupt_or_foreign_file_is_refused_in_one_line_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state");
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("text", b"hello\n".to_vec()),
        ("truncated JSON", FIXTURE[..FIXTURE.len() / 2].to_vec()),
        (
            "other JSON",
            br#"{"format": "other", "version": 1}"#.to_vec(),
        ),
        (
            "JSON of a later version",
            br#"{"format": "peerlab-state", "version": 9}"#.to_vec(),
        ),
        ("SQLite header, then garbage", {
            let mut b = b"SQLite format 3\0".to_vec();
            b.extend(std::iter::repeat_n(0xa5u8, 4000));
            b
        }),
    ];
    for (what, application_id, version) in [
        ("another program's database", 0, 0),
        (
            "a peerlab state of another version",
            schema::APPLICATION_ID,
            7,
        ),
    ] {
        let db = dir.path().join("made.db");
        let conn = Connection::open(&db).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA application_id = {application_id}; PRAGMA user_version = {version};
             CREATE TABLE t (x); INSERT INTO t VALUES (1);"
        ))
        .unwrap();
        conn.close().unwrap();
        cases.push((what, std::fs::read(&db).unwrap()));
        std::fs::remove_file(&db).unwrap();
    }
    for (what, bytes) in cases {
        std::fs::write(&path, &bytes).unwrap();
        let e = refusal(&path);
        println!("{what}: {e}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            bytes,
            "{what}: the file changed"
        );
        assert!(!dir.path().join("state.tmp").exists(), "{what}");
        assert!(!dir.path().join("state.v1.json").exists(), "{what}");
    }
}

#[test]
fn a_damaged_row_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (store, _) = Store::open(&path, &catalogue(), t(0)).unwrap();
    store
        .conn
        .execute(
            "UPDATE resource SET value = '{\"seq\": \"x\"}' WHERE kind = 'interlink.pops'",
            [],
        )
        .unwrap();
    drop(store);
    let e = refusal(&path);
    assert!(e.contains("interlink.pops"), "{e}");
    let (store, _) = Store::open(&dir.path().join("other.db"), &catalogue(), t(0)).unwrap();
    store
        .conn
        .execute("INSERT INTO resource VALUES ('lb.lbs', 'x', '{}')", [])
        .unwrap();
    drop(store);
    let e = refusal(&dir.path().join("other.db"));
    assert!(e.contains("lb.lbs"), "{e}");
}

#[test]
fn a_state_open_elsewhere_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (_first, _) = Store::open(&path, &catalogue(), t(0)).unwrap();
    let e = refusal(&path);
    assert!(e.contains("another process has it open"), "{e}");
}

#[test]
fn a_stale_write_ahead_log_is_not_replayed_into_a_new_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    std::fs::write(dir.path().join("state.db-wal"), b"someone's log").unwrap();
    let e = refusal(&path);
    assert!(e.contains("state.db-wal"), "{e}");
    assert!(!path.exists());
}
