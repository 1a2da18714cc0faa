//! Links lists: pagination edges, every filter, every `order_by`.

use super::super::test_support::*;
use crate::catalogue::demo;
use crate::error::ArgumentReason::*;
use crate::interlink::*;
use uuid::Uuid;

fn names(links: &[Link]) -> Vec<&str> {
    links.iter().map(|l| l.name.as_str()).collect()
}

fn list(s: &InterLink, req: ListLinksRequest) -> Vec<String> {
    names(&s.list_links(R, &me(), &req).unwrap().links)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Five links: b (DC2, 100), a (DC2, 1000, tags x), c (TH2, 50, tags y), h1 (Acme, requested),
/// h2 (Carrier, requested), created one second apart in that order.
fn five() -> (InterLink, Vec<Link>, RoutingPolicy) {
    let mut s = state();
    let p = policy(&mut s, "v4", false, &[]);
    let mut links = Vec::new();
    let mut reqs = vec![dc2("b", 0, 100), dc2("a", 0, 1000), th2("c", 0, 50)];
    reqs[1].tags = Some(vec!["x".into(), "prod".into()]);
    reqs[2].tags = Some(vec!["y".into()]);
    reqs[0].routing_policy_v4_id = Some(p.id);
    reqs.push(hosted("h1", demo::PARTNER_ACME_ID, demo::POP_DC2_ID, 100));
    reqs.push(hosted(
        "h2",
        demo::PARTNER_CARRIER_ID,
        demo::POP_TH2_ID,
        100,
    ));
    for (i, req) in reqs.into_iter().enumerate() {
        links.push(s.create_link(R, &me(), req, t(i as i64)).unwrap().0);
    }
    (s, links, p)
}

#[test]
fn pagination_edges() {
    let (s, _, _) = five();
    let page = |page, page_size| {
        s.list_links(
            R,
            &me(),
            &ListLinksRequest {
                page,
                page_size,
                ..Default::default()
            },
        )
    };
    let p = page(Some(2), Some(2)).unwrap();
    assert_eq!((names(&p.links), p.total_count), (vec!["c", "h1"], 5));
    let p = page(Some(3), Some(2)).unwrap();
    assert_eq!(names(&p.links), vec!["h2"]);
    let p = page(Some(4), Some(2)).unwrap();
    assert!(p.links.is_empty());
    assert_eq!(p.total_count, 5);
    let p = page(None, None).unwrap();
    assert_eq!(p.links.len(), 5);
    assert_eq!(page(Some(1), Some(100)).unwrap().links.len(), 5);
    assert_eq!(
        invalid(page(Some(0), None)),
        vec![("page".into(), Constraint)]
    );
    assert_eq!(
        invalid(page(None, Some(0))),
        vec![("page_size".into(), Constraint)]
    );
    assert_eq!(
        invalid(page(None, Some(101))),
        vec![("page_size".into(), Constraint)]
    );
    // Every list checks its page the same way.
    let bad = |page: Option<u32>| (page, Some(0u32));
    let (pg, sz) = bad(Some(1));
    assert!(
        s.list_pops(
            R,
            &me(),
            &ListPopsRequest {
                page: pg,
                page_size: sz,
                ..Default::default()
            }
        )
        .is_err()
    );
    assert!(
        s.list_partners(
            R,
            &ListPartnersRequest {
                page: pg,
                page_size: sz,
                ..Default::default()
            }
        )
        .is_err()
    );
    assert!(
        s.list_dedicated_connections(
            R,
            &me(),
            &ListDedicatedConnectionsRequest {
                page: pg,
                page_size: sz,
                ..Default::default()
            }
        )
        .is_err()
    );
    assert!(
        s.list_routing_policies(
            R,
            &me(),
            &ListRoutingPoliciesRequest {
                page: pg,
                page_size: sz,
                ..Default::default()
            }
        )
        .is_err()
    );
}

#[test]
fn every_links_order_by() {
    let (mut s, links, _) = five();
    s.set_session_status(links[0].id, Family::Ipv4, BgpStatus::Up)
        .unwrap();
    let order = |o| {
        list(
            &s,
            ListLinksRequest {
                order_by: Some(o),
                ..Default::default()
            },
        )
    };
    assert_eq!(
        order(ListLinksOrderBy::CreatedAtAsc),
        ["b", "a", "c", "h1", "h2"]
    );
    assert_eq!(
        order(ListLinksOrderBy::CreatedAtDesc),
        ["h2", "h1", "c", "a", "b"]
    );
    assert_eq!(
        order(ListLinksOrderBy::NameAsc),
        ["a", "b", "c", "h1", "h2"]
    );
    assert_eq!(
        order(ListLinksOrderBy::NameDesc),
        ["h2", "h1", "c", "b", "a"]
    );
    // requested < active < ready in the enum's order; ties by creation.
    assert_eq!(
        order(ListLinksOrderBy::StatusAsc),
        ["h1", "h2", "b", "a", "c"]
    );
    assert_eq!(
        order(ListLinksOrderBy::StatusDesc),
        ["c", "a", "b", "h2", "h1"]
    );
    assert_eq!(
        list(&s, ListLinksRequest::default()),
        order(ListLinksOrderBy::CreatedAtAsc)
    );
}

#[test]
fn every_links_filter() {
    let (mut s, links, p) = five();
    let id = |i: usize| links[i].id;
    s.attach_vpc(R, &me(), id(2), demo::VPC_ID, t(10)).unwrap();
    s.set_session_status(id(0), Family::Ipv4, BgpStatus::Up)
        .unwrap();
    let f = |req: ListLinksRequest| list(&s, req);
    let d = ListLinksRequest::default;
    assert_eq!(
        f(ListLinksRequest {
            name: Some("h".into()),
            ..d()
        }),
        ["h1", "h2"]
    );
    assert_eq!(
        f(ListLinksRequest {
            tags: vec!["y".into(), "x".into()],
            ..d()
        }),
        ["a", "c"]
    );
    assert_eq!(
        f(ListLinksRequest {
            status: Some(LinkStatus::Requested),
            ..d()
        }),
        ["h1", "h2"]
    );
    assert_eq!(
        f(ListLinksRequest {
            status: Some(LinkStatus::Active),
            ..d()
        }),
        ["b"]
    );
    assert_eq!(
        f(ListLinksRequest {
            status: Some(LinkStatus::UnknownLinkStatus),
            ..d()
        })
        .len(),
        5
    );
    assert_eq!(
        f(ListLinksRequest {
            bgp_v4_status: Some(BgpStatus::Up),
            ..d()
        }),
        ["b"]
    );
    assert_eq!(
        f(ListLinksRequest {
            bgp_v4_status: Some(BgpStatus::Disabled),
            ..d()
        })
        .len(),
        4
    );
    assert_eq!(
        f(ListLinksRequest {
            bgp_v4_status: Some(BgpStatus::UnknownBgpStatus),
            ..d()
        })
        .len(),
        5
    );
    assert_eq!(
        f(ListLinksRequest {
            bgp_v6_status: Some(BgpStatus::Up),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListLinksRequest {
            bgp_v6_status: Some(BgpStatus::Disabled),
            ..d()
        })
        .len(),
        5
    );
    assert_eq!(
        f(ListLinksRequest {
            pop_id: Some(demo::POP_TH2_ID),
            ..d()
        }),
        ["c", "h2"]
    );
    assert_eq!(
        f(ListLinksRequest {
            bandwidth_mbps: Some(100),
            ..d()
        }),
        ["b", "h1", "h2"]
    );
    assert_eq!(
        f(ListLinksRequest {
            bandwidth_mbps: Some(0),
            ..d()
        })
        .len(),
        5
    );
    assert_eq!(
        f(ListLinksRequest {
            partner_id: Some(demo::PARTNER_CARRIER_ID),
            ..d()
        }),
        ["h2"]
    );
    assert_eq!(
        f(ListLinksRequest {
            vpc_id: Some(demo::VPC_ID),
            ..d()
        }),
        ["c"]
    );
    assert_eq!(
        f(ListLinksRequest {
            routing_policy_id: Some(p.id),
            ..d()
        }),
        ["b"]
    );
    assert_eq!(
        f(ListLinksRequest {
            pairing_key: Some("nope".into()),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListLinksRequest {
            kind: Some(LinkKind::Hosted),
            ..d()
        }),
        ["h1", "h2"]
    );
    assert_eq!(
        f(ListLinksRequest {
            kind: Some(LinkKind::SelfHosted),
            ..d()
        }),
        ["b", "a", "c"]
    );
    assert_eq!(
        f(ListLinksRequest {
            kind: Some(LinkKind::L2Hosted),
            ..d()
        }),
        ["h1"]
    );
    assert_eq!(
        f(ListLinksRequest {
            kind: Some(LinkKind::L3Hosted),
            ..d()
        }),
        ["h2"]
    );
    assert_eq!(
        f(ListLinksRequest {
            connection_id: Some(demo::CONNECTION_TH2_ID),
            ..d()
        }),
        ["c"]
    );
    assert_eq!(
        f(ListLinksRequest {
            project_id: Some(demo::DEMO_PROJECT_ID),
            ..d()
        })
        .len(),
        5
    );
    assert_eq!(
        f(ListLinksRequest {
            project_id: Some(demo::OTHER_PROJECT_ID),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListLinksRequest {
            organization_id: Some(demo::DEMO_ORGANIZATION_ID),
            ..d()
        })
        .len(),
        5
    );
    assert_eq!(
        f(ListLinksRequest {
            organization_id: Some(Uuid::nil()),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        f(ListLinksRequest {
            name: Some("h".into()),
            pop_id: Some(demo::POP_DC2_ID),
            ..d()
        }),
        ["h1"]
    );
    assert!(
        s.list_links(crate::Region::NlAms, &me(), &d())
            .unwrap()
            .links
            .is_empty()
    );
}
