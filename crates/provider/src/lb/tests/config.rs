//! The running configuration the data plane reads, and properties of the lists.

use super::support::*;
use crate::lb::backend_types::Protocol;
use crate::lb::frontend_types::{AclActionType, RouteMatch};
use crate::lb::list::{ListByNameRequest, ListLbsRequest, OrderBy};
use crate::lb::other_types::CertificateStatus;
use crate::lb::requests::{
    AclActionInput, AclMatchInput, AclRequest, CreateCertificateRequest, CreateRouteRequest,
    CustomCertificate, FrontendRequest,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

fn deny_from(index: u32, subnet: &str) -> AclRequest {
    AclRequest {
        name: Some(format!("i{index}")),
        action: AclActionInput {
            type_: AclActionType::Deny,
            redirect: None,
        },
        match_: Some(AclMatchInput {
            ip_subnet: Some(vec![subnet.into()]),
            ..Default::default()
        }),
        index,
        description: None,
    }
}

#[test]
fn the_running_config_has_everything_the_data_plane_needs() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let apps = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 8080, &["10.0.0.1", "10.0.0.2"]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let api = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 9090, &["10.0.0.3"]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let cert = lb
        .create_certificate(
            Z,
            &me(),
            made.id,
            CreateCertificateRequest {
                name: Some("custom".into()),
                letsencrypt: None,
                custom_certificate: Some(CustomCertificate {
                    certificate_chain: include_str!("../testdata/custom-chain.pem").into(),
                }),
            },
            t(20_001),
        )
        .unwrap();
    assert_eq!(cert.config.status, CertificateStatus::Ready);
    assert_eq!(cert.config.common_name, "app.peerlab.test");
    assert_eq!(
        cert.config.fingerprint, "",
        "custom certificates answer no fingerprint, as recorded"
    );
    let f = lb
        .create_frontend(
            Z,
            &me(),
            made.id,
            FrontendRequest {
                certificate_ids: Some(vec![cert.config.id]),
                ..frontend_req(443, apps.config.id)
            },
            t(20_002),
        )
        .unwrap();
    assert_eq!(
        f.certificate.as_ref().map(|c| c.config.id),
        Some(cert.config.id)
    );
    for (index, subnet) in [(7, "10.7.0.0/16"), (2, "10.2.0.0/16"), (7, "10.8.0.0/16")] {
        lb.create_acl(Z, &me(), f.config.id, deny_from(index, subnet), t(20_003))
            .unwrap();
    }
    lb.create_route(
        Z,
        &me(),
        CreateRouteRequest {
            frontend_id: f.config.id,
            backend_id: api.config.id,
            match_: Some(RouteMatch {
                host_header: Some("api.example.test".into()),
                match_subdomains: true,
                ..Default::default()
            }),
        },
        t(20_004),
    )
    .unwrap();
    let run = lb.running_config(made.id).unwrap();
    assert_eq!(run.flexible_ips.len(), 1);
    assert_eq!(run.backends.len(), 2);
    assert_eq!(
        run.backends[0].servers,
        vec![
            "10.0.0.1".parse::<std::net::IpAddr>().unwrap(),
            "10.0.0.2".parse().unwrap()
        ]
    );
    let front = &run.frontends[0];
    assert_eq!(front.config.inbound_port, 443);
    assert_eq!(front.backend_id, apps.config.id);
    let order: Vec<(u32, &str)> = front
        .acls
        .iter()
        .map(|a| (a.index, a.match_.ip_subnet[0].as_str()))
        .collect();
    assert_eq!(
        order,
        vec![(2, "10.2.0.0/16"), (7, "10.7.0.0/16"), (7, "10.8.0.0/16")]
    );
    assert_eq!(front.routes.len(), 1);
    assert!(front.certificates[0].pem.contains("PRIVATE KEY"));
    assert!(lb.running_config(uuid::Uuid::nil()).is_none());
    // Deleting the frontend takes its ACLs and routes.
    lb.delete_frontend(Z, &me(), f.config.id, t(20_005))
        .unwrap();
    assert!(lb.acls.is_empty() && lb.routes.is_empty());
    assert!(
        lb.list_acls(Z, &me(), f.config.id, &ListByNameRequest::default())
            .is_err()
    );
}

proptest! {
    #[test]
    fn acls_run_in_index_order_whatever_the_creation_order(indices in proptest::collection::vec(0u32..20, 1..12)) {
        let mut lb = state();
        let made = ready_lb(&mut lb, "web");
        let ipam = ipam();
        let b = lb.create_backend(Z, &me(), made.id, backend_req(Protocol::Tcp, 80, &[]), &ipam, t(20_000)).unwrap();
        let f = lb.create_frontend(Z, &me(), made.id, frontend_req(80, b.config.id), t(20_000)).unwrap();
        for (n, i) in indices.iter().enumerate() {
            lb.create_acl(Z, &me(), f.config.id, deny_from(*i, &format!("10.{n}.0.0/16")), t(20_001)).unwrap();
        }
        let run = lb.running_config(made.id).unwrap();
        let got: Vec<u32> = run.frontends[0].acls.iter().map(|a| a.index).collect();
        let mut want = indices.clone();
        want.sort();
        prop_assert_eq!(got, want);
        // Among equal indices, creation order.
        let firsts: Vec<String> = run.frontends[0].acls.iter().map(|a| a.match_.ip_subnet[0].clone()).collect();
        let mut expected: Vec<(u32, usize)> = indices.iter().copied().zip(0..).collect();
        expected.sort();
        let expected: Vec<String> = expected.iter().map(|(_, n)| format!("10.{n}.0.0/16")).collect();
        prop_assert_eq!(firsts, expected);
    }

    #[test]
    fn pages_cover_every_lb_once(count in 1usize..12, size in 1u32..5, desc in any::<bool>()) {
        let mut lb = state();
        for n in 0..count {
            ready_lb(&mut lb, &format!("lb{n:02}"));
        }
        let order = if desc { OrderBy::NameDesc } else { OrderBy::CreatedAtAsc };
        let mut seen = Vec::new();
        let mut page = 1;
        loop {
            let got = lb.list_lbs(Z, &me(), &ListLbsRequest {
                page: Some(page), page_size: Some(size), order_by: Some(order), ..Default::default()
            }).unwrap();
            prop_assert_eq!(got.total_count, count as u64);
            if got.lbs.is_empty() { break; }
            seen.extend(got.lbs.into_iter().map(|l| l.name));
            page += 1;
        }
        prop_assert_eq!(seen.len(), count);
        prop_assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), count);
        let mut sorted = seen.clone();
        sorted.sort();
        if desc { sorted.reverse(); }
        prop_assert_eq!(seen, sorted);
    }
}
