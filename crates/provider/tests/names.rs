//! Names and tags the real service refuses are refused by every InterLink and IPAM call that
//! takes them ([`provider::naming`]): control characters (a link named with 1,000 NULs), names
//! over 255 characters, more than 50 tags, over-long tags. Arbitrary strings never panic.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use provider::catalogue::demo;
use provider::error::{ArgumentReason, ProviderError};
use provider::interlink::*;
use provider::ipam::types::*;
use provider::naming::{MAX_TAG_CHARS, MAX_TAGS};
use provider::{Caller, Region};

const R: Region = Region::FrPar;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

fn link(name: &str, tags: Vec<String>) -> CreateLinkRequest {
    CreateLinkRequest {
        name: name.into(),
        pop_id: Some(demo::POP_DC2_ID),
        bandwidth_mbps: 100,
        connection_id: Some(demo::CONNECTION_DC2_ID),
        tags: Some(tags),
        ..Default::default()
    }
}

fn policy(name: &str, tags: Vec<String>) -> CreateRoutingPolicyRequest {
    CreateRoutingPolicyRequest {
        name: name.into(),
        tags: Some(tags),
        ..Default::default()
    }
}

fn book(tags: Vec<String>) -> BookIpRequest {
    BookIpRequest {
        source: Source {
            private_network_id: Some(demo::PRIVATE_NETWORK_ID),
            ..Default::default()
        },
        tags: Some(tags),
        ..Default::default()
    }
}

/// The `(argument_name, reason)` pairs of an `invalid_arguments` error.
fn refused<T: std::fmt::Debug>(r: Result<T, ProviderError>) -> Vec<(String, ArgumentReason)> {
    match r {
        Err(ProviderError::InvalidArguments { details }) => details
            .into_iter()
            .map(|d| (d.argument_name, d.reason))
            .collect(),
        other => panic!("expected invalid_arguments, got {other:?}"),
    }
}

fn one(argument: &str, reason: ArgumentReason) -> Vec<(String, ArgumentReason)> {
    vec![(argument.to_string(), reason)]
}

const FORMAT: ArgumentReason = ArgumentReason::Format;
const CONSTRAINT: ArgumentReason = ArgumentReason::Constraint;

#[test]
fn a_link_named_with_a_thousand_nuls_is_refused() {
    let mut s = InterLink::demo(now());
    let nuls = "\0".repeat(1000);
    let r = s.create_link(R, &me(), link(&nuls, vec![]), now());
    assert_eq!(refused(r), one("name", FORMAT));
    // The body is Scaleway's standard one and does not echo the name.
    let e = s
        .create_link(R, &me(), link(&nuls, vec![]), now())
        .unwrap_err();
    let body = e.body();
    assert_eq!(body["type"], "invalid_arguments");
    assert_eq!(body["message"], "invalid argument(s)");
    assert!(!body.to_string().contains("\\u0000"));
}

#[test]
fn links_follow_the_name_and_tag_rules_on_create_and_update() {
    let mut s = InterLink::demo(now());
    let long = "x".repeat(256);
    assert_eq!(
        refused(s.create_link(R, &me(), link(&long, vec![]), now())),
        one("name", CONSTRAINT)
    );
    let too_many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
    assert_eq!(
        refused(s.create_link(R, &me(), link("ok", too_many.clone()), now())),
        one("tags", CONSTRAINT)
    );
    assert_eq!(
        refused(s.create_link(R, &me(), link("ok", vec!["a".into(), "b\nc".into()]), now())),
        one("tags.1", FORMAT)
    );
    // At the limits it is accepted.
    let max_tags: Vec<String> = (0..MAX_TAGS)
        .map(|i| "é".repeat(MAX_TAG_CHARS - i))
        .collect();
    let (created, _) = s
        .create_link(R, &me(), link(&"é".repeat(255), max_tags), now())
        .unwrap();
    let update = |name: Option<&str>, tags: Option<Vec<String>>| UpdateLinkRequest {
        name: name.map(str::to_string),
        tags,
        peer_asn: None,
    };
    assert_eq!(
        refused(s.update_link(R, &me(), created.id, update(Some("a\u{7f}"), None), now())),
        one("name", FORMAT)
    );
    assert_eq!(
        refused(s.update_link(
            R,
            &me(),
            created.id,
            update(Some(&long), Some(too_many)),
            now()
        )),
        vec![
            ("name".to_string(), CONSTRAINT),
            ("tags".to_string(), CONSTRAINT)
        ]
    );
    // Nothing changed.
    let kept = s.get_link(R, &me(), created.id).unwrap();
    assert_eq!(kept.name, "é".repeat(255));
    let (renamed, _) = s
        .update_link(
            R,
            &me(),
            created.id,
            update(Some("Lien à Paris"), None),
            now(),
        )
        .unwrap();
    assert_eq!(renamed.name, "Lien à Paris");
}

#[test]
fn routing_policies_follow_the_name_and_tag_rules_on_create_and_update() {
    let mut s = InterLink::demo(now());
    assert_eq!(
        refused(s.create_routing_policy(R, &me(), policy("a\0", vec!["\u{85}".into()]), now())),
        vec![("name".to_string(), FORMAT), ("tags.0".to_string(), FORMAT)]
    );
    assert_eq!(
        refused(s.create_routing_policy(R, &me(), policy(&"p".repeat(256), vec![]), now())),
        one("name", CONSTRAINT)
    );
    let p = s
        .create_routing_policy(R, &me(), policy(&"p".repeat(255), vec!["ok".into()]), now())
        .unwrap();
    let update = UpdateRoutingPolicyRequest {
        name: Some("tab\there".into()),
        tags: Some(vec!["x".repeat(MAX_TAG_CHARS + 1)]),
        ..Default::default()
    };
    assert_eq!(
        refused(s.update_routing_policy(R, &me(), p.id, update, now())),
        vec![
            ("name".to_string(), FORMAT),
            ("tags.0".to_string(), CONSTRAINT)
        ]
    );
}

#[test]
fn ipam_tags_resource_names_and_reverses_follow_the_rules() {
    let mut s = InterLink::demo(now());
    let ipam = s.ipam_mut();
    assert_eq!(
        refused(ipam.book_ip(R, &me(), book(vec!["\0".into()]), now())),
        one("tags.0", FORMAT)
    );
    let ip = ipam
        .book_ip(R, &me(), book(vec!["ok".into()]), now())
        .unwrap();
    let update = UpdateIpRequest {
        tags: Some((0..=MAX_TAGS).map(|i| i.to_string()).collect()),
        reverses: None,
    };
    assert_eq!(
        refused(ipam.update_ip(R, &me(), ip.id, update, now())),
        one("tags", CONSTRAINT)
    );
    let update = UpdateIpRequest {
        tags: None,
        reverses: Some(vec![Reverse {
            hostname: "host\n.example".into(),
            address: None,
        }]),
    };
    assert_eq!(
        refused(ipam.update_ip(R, &me(), ip.id, update, now())),
        one("reverses.0.hostname", FORMAT)
    );
    let vm = |name: &str| CustomResource {
        mac_address: "02:00:00:00:00:01".into(),
        name: Some(name.into()),
    };
    assert_eq!(
        refused(ipam.attach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: vm("vm\0")
            },
            now()
        )),
        one("resource.name", FORMAT)
    );
    assert_eq!(
        refused(ipam.attach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: vm(&"v".repeat(256))
            },
            now()
        )),
        one("resource.name", CONSTRAINT)
    );
    let attached = ipam
        .attach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: vm("vm1"),
            },
            now(),
        )
        .unwrap();
    assert_eq!(
        attached.resource.and_then(|r| r.name).as_deref(),
        Some("vm1")
    );
    let moved = MoveIpRequest {
        from_resource: vm("vm1"),
        to_resource: Some(CustomResource {
            mac_address: "02:00:00:00:00:02".into(),
            name: Some("\u{1b}[31m".into()),
        }),
    };
    assert_eq!(
        refused(ipam.move_ip(R, &me(), ip.id, moved, now())),
        one("to_resource.name", FORMAT)
    );
}

#[test]
fn a_catalogue_connection_with_a_control_character_is_refused() {
    let mut c = demo::catalogue();
    if let Some(d) = c.dedicated_connections.first_mut() {
        d.name = "dc2\0".into();
    }
    let e = InterLink::new(&c, now()).unwrap_err();
    assert!(e.to_string().contains("control characters"), "{e}");
    let mut c = demo::catalogue();
    if let Some(d) = c.dedicated_connections.first_mut() {
        d.tags = vec!["x".repeat(MAX_TAG_CHARS + 1)];
    }
    assert!(InterLink::new(&c, now()).is_err());
}

/// Any string, of 0 to `max` characters (any char, control characters included).
/// Half the time, printable text only, so that the accepted and over-long cases come up too.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..=max).prop_map(String::from_iter),
        prop::collection::vec(prop::char::range('!', '~'), 0..=max).prop_map(String::from_iter),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any name and tag give an answer, never a panic; one with a control character is always
    /// refused on `name` (or `tags.0`) with `format`.
    #[test]
    fn any_name_gets_an_answer(name in text(300), tag in text(150)) {
        let mut s = InterLink::demo(now());
        let r = s.create_link(R, &me(), link(&name, vec![tag.clone()]), now());
        let bad_name = name.chars().any(char::is_control);
        let bad_tag = tag.chars().any(char::is_control);
        let long_name = name.chars().count() > 255;
        let long_tag = tag.chars().count() > MAX_TAG_CHARS;
        let blank = name.trim().is_empty();
        match r {
            Ok(_) => prop_assert!(!bad_name && !bad_tag && !long_name && !long_tag && !blank),
            Err(ProviderError::InvalidArguments { details }) => {
                let find = |arg: &str| details.iter().find(|d| d.argument_name == arg).map(|d| d.reason);
                if bad_name && !blank {
                    prop_assert_eq!(find("name"), Some(ArgumentReason::Format));
                }
                if bad_tag {
                    prop_assert_eq!(find("tags.0"), Some(ArgumentReason::Format));
                }
                prop_assert!(bad_name || bad_tag || long_name || long_tag || blank);
            }
            Err(other) => prop_assert!(false, "unexpected {:?}", other),
        }
        let r = s.create_routing_policy(R, &me(), policy(&name, vec![tag]), now());
        prop_assert_eq!(r.is_ok(), !bad_name && !bad_tag && !long_name && !long_tag && !blank);
    }
}
