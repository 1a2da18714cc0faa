//! The catalogue's lists and routing policies': every filter, every `order_by`.

use super::super::test_support::*;
use crate::catalogue::demo;
use crate::interlink::*;

#[test]
fn pops_filters_and_order() {
    let s = state();
    let d = ListPopsRequest::default;
    let f = |req: ListPopsRequest| -> Vec<String> {
        s.list_pops(R, &me(), &req)
            .unwrap()
            .pops
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(f(d()), ["DC2", "TH2"]);
    assert_eq!(
        f(ListPopsRequest {
            order_by: Some(ListPopsOrderBy::NameDesc),
            ..d()
        }),
        ["TH2", "DC2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            name: Some("th".into()),
            ..d()
        }),
        ["TH2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            hosting_provider_name: Some("opcore".into()),
            ..d()
        }),
        ["DC2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            partner_id: Some(demo::PARTNER_CARRIER_ID),
            ..d()
        }),
        ["TH2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            partner_id: Some(demo::PARTNER_ACME_ID),
            ..d()
        }),
        ["DC2", "TH2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            link_bandwidth_mbps: Some(50),
            ..d()
        }),
        ["DC2", "TH2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            link_bandwidth_mbps: Some(123),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListPopsRequest {
            link_bandwidth_mbps: Some(0),
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        f(ListPopsRequest {
            dedicated_available: Some(true),
            ..d()
        }),
        ["DC2", "TH2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            dedicated_available: Some(false),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListPopsRequest {
            l3_connectivity_partners: Some(true),
            ..d()
        }),
        ["TH2"]
    );
    assert_eq!(
        f(ListPopsRequest {
            l3_connectivity_partners: Some(false),
            ..d()
        }),
        ["DC2"]
    );
    let theirs = s
        .list_pops(
            R,
            &other(),
            &ListPopsRequest {
                dedicated_available: Some(true),
                ..d()
            },
        )
        .unwrap();
    assert_eq!(theirs.total_count, 0, "the other project has no connection");
    let pop = s.get_pop(R, demo::POP_DC2_ID).unwrap();
    assert_eq!(pop.display_name, "Paris - OpCore DC2");
    assert_eq!(
        kind(s.get_pop(crate::Region::PlWaw, demo::POP_DC2_ID)),
        "not_found"
    );
}

#[test]
fn partners_filters_and_order() {
    let s = state();
    let d = ListPartnersRequest::default;
    let f = |req: ListPartnersRequest| -> Vec<String> {
        s.list_partners(R, &req)
            .unwrap()
            .partners
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(f(d()), ["Acme Fabric", "Example Carrier"]);
    assert_eq!(
        f(ListPartnersRequest {
            order_by: Some(ListPartnersOrderBy::NameDesc),
            ..d()
        }),
        ["Example Carrier", "Acme Fabric"]
    );
    assert_eq!(
        f(ListPartnersRequest {
            pop_ids: vec![demo::POP_DC2_ID],
            ..d()
        }),
        ["Acme Fabric"]
    );
    assert_eq!(
        f(ListPartnersRequest {
            pop_ids: vec![demo::POP_DC2_ID, demo::POP_TH2_ID],
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        f(ListPartnersRequest {
            l3_connectivity: Some(true),
            ..d()
        }),
        ["Example Carrier"]
    );
    assert_eq!(
        f(ListPartnersRequest {
            l3_connectivity: Some(false),
            ..d()
        }),
        ["Acme Fabric"]
    );
    assert_eq!(
        s.get_partner(R, demo::PARTNER_ACME_ID)
            .unwrap()
            .contact_email,
        "noc@acme-fabric.example"
    );
    assert_eq!(kind(s.get_partner(R, demo::POP_DC2_ID)), "not_found");
}

#[test]
fn dedicated_connections_filters_and_order() {
    let s = state();
    let d = ListDedicatedConnectionsRequest::default;
    let f = |req: ListDedicatedConnectionsRequest| -> Vec<String> {
        s.list_dedicated_connections(R, &me(), &req)
            .unwrap()
            .connections
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    use ListDedicatedConnectionsOrderBy as O;
    assert_eq!(f(d()), ["demo-dc2-10g", "demo-th2-1g"]);
    for (o, want) in [
        (O::CreatedAtAsc, ["demo-dc2-10g", "demo-th2-1g"]),
        (O::CreatedAtDesc, ["demo-th2-1g", "demo-dc2-10g"]),
        (O::UpdatedAtAsc, ["demo-dc2-10g", "demo-th2-1g"]),
        (O::UpdatedAtDesc, ["demo-th2-1g", "demo-dc2-10g"]),
        (O::NameAsc, ["demo-dc2-10g", "demo-th2-1g"]),
        (O::NameDesc, ["demo-th2-1g", "demo-dc2-10g"]),
        (O::StatusAsc, ["demo-dc2-10g", "demo-th2-1g"]),
        (O::StatusDesc, ["demo-th2-1g", "demo-dc2-10g"]),
    ] {
        assert_eq!(
            f(ListDedicatedConnectionsRequest {
                order_by: Some(o),
                ..d()
            }),
            want,
            "{o:?}"
        );
    }
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            name: Some("th2".into()),
            ..d()
        }),
        ["demo-th2-1g"]
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            tags: vec!["demo".into()],
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            tags: vec!["x".into()],
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            status: Some(DedicatedConnectionStatus::Active),
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            status: Some(DedicatedConnectionStatus::Locked),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            status: Some(DedicatedConnectionStatus::UnknownStatus),
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            bandwidth_mbps: Some(1000),
            ..d()
        }),
        ["demo-th2-1g"]
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            pop_id: Some(demo::POP_DC2_ID),
            ..d()
        }),
        ["demo-dc2-10g"]
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            project_id: Some(demo::OTHER_PROJECT_ID),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListDedicatedConnectionsRequest {
            organization_id: Some(demo::DEMO_ORGANIZATION_ID),
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        s.list_dedicated_connections(R, &other(), &d())
            .unwrap()
            .total_count,
        0
    );
    let c = s
        .get_dedicated_connection(R, &me(), demo::CONNECTION_TH2_ID)
        .unwrap();
    assert_eq!(
        c.vlan_range,
        Some(VlanRange {
            start: 2000,
            end: 2099
        })
    );
    assert_eq!(c.available_link_bandwidths, vec![50, 100, 200, 500, 1000]);
}

#[test]
fn routing_policies_filters_and_order() {
    let mut s = state();
    let mut mk = |name: &str, v6: bool, tags: &[&str], at: i64| {
        s.create_routing_policy(
            R,
            &me(),
            CreateRoutingPolicyRequest {
                name: name.into(),
                is_ipv6: v6,
                tags: Some(tags.iter().map(|t| t.to_string()).collect()),
                ..Default::default()
            },
            t(at),
        )
        .unwrap()
    };
    mk("b-v4", false, &["x"], 0);
    mk("a-v6", true, &["y"], 1);
    mk("c-v4", false, &[], 2);
    let d = ListRoutingPoliciesRequest::default;
    let f = |req: ListRoutingPoliciesRequest| -> Vec<String> {
        s.list_routing_policies(R, &me(), &req)
            .unwrap()
            .routing_policies
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    use ListRoutingPoliciesOrderBy as O;
    assert_eq!(f(d()), ["b-v4", "a-v6", "c-v4"]);
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            order_by: Some(O::CreatedAtDesc),
            ..d()
        }),
        ["c-v4", "a-v6", "b-v4"]
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            order_by: Some(O::NameAsc),
            ..d()
        }),
        ["a-v6", "b-v4", "c-v4"]
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            order_by: Some(O::NameDesc),
            ..d()
        }),
        ["c-v4", "b-v4", "a-v6"]
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            ipv6: Some(true),
            ..d()
        }),
        ["a-v6"]
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            ipv6: Some(false),
            ..d()
        }),
        ["b-v4", "c-v4"]
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            name: Some("v4".into()),
            ..d()
        }),
        ["b-v4", "c-v4"]
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            tags: vec!["y".into()],
            ..d()
        }),
        ["a-v6"]
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            project_id: Some(demo::OTHER_PROJECT_ID),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListRoutingPoliciesRequest {
            organization_id: Some(demo::DEMO_ORGANIZATION_ID),
            ..d()
        })
        .len(),
        3
    );
    assert_eq!(
        s.list_routing_policies(R, &other(), &d())
            .unwrap()
            .total_count,
        0
    );
}
