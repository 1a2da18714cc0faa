//! Isolation between projects and zones, and the lists.

use super::support::*;
use crate::error::ProviderError;
use crate::lb::list::{ListLbsRequest, OrderBy};
use crate::lb::requests::CreateLbRequest;
use crate::lb::{Locality, Zone};
use crate::region::Region;
use serde_json::json;

#[test]
fn another_project_and_another_zone_see_nothing() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let e = lb.get_lb(Z, &other(), made.id).unwrap_err();
    assert_eq!(e.body(), json!({"message": "lbs not Found"}));
    let listed = lb
        .list_lbs(Z, &other(), &ListLbsRequest::default())
        .unwrap();
    assert_eq!(listed.total_count, 0);
    let in_par2 = Locality::Zone(Zone::FrPar2);
    assert!(matches!(
        lb.get_lb(in_par2, &me(), made.id),
        Err(ProviderError::LegacyNotFound { .. })
    ));
    // The regional API sees every zone of its region.
    assert!(
        lb.get_lb(Locality::Region(Region::FrPar), &me(), made.id)
            .is_ok()
    );
    assert!(
        lb.get_lb(Locality::Region(Region::NlAms), &me(), made.id)
            .is_err()
    );
    let regional = lb
        .create_lb(
            Locality::Region(Region::NlAms),
            &me(),
            CreateLbRequest {
                type_: Some("lb-s".into()),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    assert_eq!(regional.zone, Zone::NlAms1);
    assert!(regional.name.starts_with("lb-"));
    // Writing into another project is refused.
    let e = lb
        .create_lb(
            Z,
            &me(),
            CreateLbRequest {
                type_: Some("lb-s".into()),
                project_id: Some(crate::catalogue::demo::OTHER_PROJECT_ID),
                ..Default::default()
            },
            t(0),
        )
        .unwrap_err();
    assert_eq!(e.http_status(), 403);
}

#[test]
fn lists_filter_order_and_page() {
    let mut lb = state();
    for name in ["b", "a", "c"] {
        ready_lb(&mut lb, name);
    }
    let by_name = lb
        .list_lbs(
            Z,
            &me(),
            &ListLbsRequest {
                order_by: Some(OrderBy::NameDesc),
                ..Default::default()
            },
        )
        .unwrap();
    let names: Vec<&str> = by_name.lbs.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, vec!["c", "b", "a"]);
    let page = lb
        .list_lbs(
            Z,
            &me(),
            &ListLbsRequest {
                page: Some(2),
                page_size: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page.total_count, 3);
    assert_eq!(page.lbs.len(), 1);
    assert_eq!(page.lbs[0].name, "c", "created_at_asc by default");
    let e = lb
        .list_lbs(
            Z,
            &me(),
            &ListLbsRequest {
                page_size: Some(101),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(argument(&e), "page_size");
    let types = lb.list_lb_types(Z, &Default::default()).unwrap();
    assert_eq!(types.total_count, 4);
    assert_eq!(types.lb_types[0].name, "LB-S");
}
