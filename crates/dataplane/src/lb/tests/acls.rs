//! ACLs: first match by index, AND of conditions, invert, each filter, redirects.

use proptest::prelude::*;

use super::*;

fn acl(name: &str, index: i32, action: AclAction, r#match: AclMatch) -> Acl {
    Acl {
        name: name.into(),
        index,
        action,
        r#match,
    }
}

fn path_begin(values: &[&str]) -> AclMatch {
    AclMatch {
        http_filter: AclHttpFilter::PathBegin,
        http_filter_value: values.iter().map(|v| v.to_string()).collect(),
        ..AclMatch::default()
    }
}

fn lb_with(acls: Vec<Acl>) -> Lb {
    let mut config = web(2);
    config.frontends[0].acls = acls;
    Lb::new(config, Duration::ZERO).unwrap()
}

fn request(source: &str, target: &str, headers: &[(&str, &str)]) -> Request {
    let mut http = HttpRequest::get(target, format!("{VIP}:80"));
    for (n, v) in headers {
        http.headers.push((n.to_string(), v.to_string()));
    }
    Request {
        source: ip(source),
        destination: vip(80),
        sni: None,
        http: Some(http),
    }
}

#[test]
fn deny_admin_answers_403_and_says_why() {
    let mut lb = lb_with(vec![acl(
        "no-admin",
        0,
        AclAction::Deny,
        path_begin(&["/admin"]),
    )]);
    let hosts = apps(2);
    let trace = get(&mut lb, Duration::ZERO, &hosts, "/admin/users?x=1");
    assert_eq!(trace.http_status(), Some(403));
    assert_eq!(trace.outcome, Outcome::Denied);
    assert_eq!(
        trace.to_string(),
        "LB \"web\": frontend \"http\", ACL #0 \"no-admin\" (index 0) deny: path /admin/users \
         begins with \"/admin\": 403 denied"
    );
    assert_eq!(
        get(&mut lb, Duration::ZERO, &hosts, "/").http_status(),
        Some(200)
    );
}

#[test]
fn ascending_index_first_match_is_final() {
    // Given out of order: index 5 denies everything, index 1 allows /public.
    let mut lb = lb_with(vec![
        acl("deny-all", 5, AclAction::Deny, AclMatch::default()),
        acl("public", 1, AclAction::Allow, path_begin(&["/public"])),
    ]);
    let hosts = apps(2);
    let public = get(&mut lb, Duration::ZERO, &hosts, "/public/x");
    assert_eq!(public.http_status(), Some(200));
    assert_eq!(
        public.acl.as_ref().map(|a| (a.position, a.index)),
        Some((0, 1))
    );
    let other = get(&mut lb, Duration::ZERO, &hosts, "/private");
    assert_eq!(other.http_status(), Some(403));
    assert_eq!(
        other.acl.as_ref().map(|a| (a.position, a.index)),
        Some((1, 5))
    );
    assert_eq!(other.acl.unwrap().why.to_string(), "unconditional");
}

#[test]
fn ip_and_http_conditions_are_anded_and_invert_means_neither() {
    let both = AclMatch {
        ip_subnet: vec!["10.1.0.0/16".parse().unwrap()],
        ..path_begin(&["/admin"])
    };
    let mut lb = lb_with(vec![acl("office-admin", 0, AclAction::Deny, both.clone())]);
    let hosts = apps(2);
    let status = |lb: &mut Lb, source: &str, target: &str| {
        lb.handle(Duration::ZERO, &request(source, target, &[]), &hosts)
            .http_status()
    };
    assert_eq!(status(&mut lb, "10.1.2.3", "/admin"), Some(403));
    assert_eq!(status(&mut lb, "10.2.2.3", "/admin"), Some(200));
    assert_eq!(status(&mut lb, "10.1.2.3", "/"), Some(200));

    let inverted = AclMatch {
        invert: true,
        ..both
    };
    let mut lb = lb_with(vec![acl("outsiders", 0, AclAction::Deny, inverted)]);
    assert_eq!(status(&mut lb, "10.2.2.3", "/"), Some(403), "neither holds");
    assert_eq!(status(&mut lb, "10.1.2.3", "/"), Some(200), "the IP holds");
    assert_eq!(
        status(&mut lb, "10.2.2.3", "/admin"),
        Some(200),
        "the path holds"
    );
}

#[test]
fn path_end_regex_and_header_filters() {
    let mut lb = lb_with(vec![
        acl(
            "php",
            0,
            AclAction::Deny,
            AclMatch {
                http_filter: AclHttpFilter::PathEnd,
                http_filter_value: vec![".php".into()],
                ..AclMatch::default()
            },
        ),
        acl(
            "digits",
            1,
            AclAction::Deny,
            AclMatch {
                http_filter: AclHttpFilter::Regex,
                http_filter_value: vec!["^/v[0-9]+/".into()],
                ..AclMatch::default()
            },
        ),
        acl(
            "bot",
            2,
            AclAction::Deny,
            AclMatch {
                http_filter: AclHttpFilter::HttpHeaderMatch,
                http_filter_value: vec!["bad".into()],
                http_filter_option: Some("X-Agent".into()),
                ..AclMatch::default()
            },
        ),
    ]);
    let hosts = apps(2);
    let decide = |lb: &mut Lb, target: &str, headers: &[(&str, &str)]| {
        let trace = lb.handle(
            Duration::ZERO,
            &request("10.1.0.5", target, headers),
            &hosts,
        );
        trace.acl.map(|a| a.name)
    };
    assert_eq!(decide(&mut lb, "/index.php?a=b", &[]), Some("php".into()));
    assert_eq!(decide(&mut lb, "/index.php/x", &[]), None);
    assert_eq!(decide(&mut lb, "/v12/users", &[]), Some("digits".into()));
    assert_eq!(
        decide(&mut lb, "/api/v1/", &[]),
        None,
        "anchored at the start"
    );
    // req.hdr splits on commas and trims; the name is case-insensitive, the value is not.
    assert_eq!(
        decide(&mut lb, "/", &[("x-agent", "good, bad")]),
        Some("bot".into())
    );
    assert_eq!(decide(&mut lb, "/", &[("X-Agent", "BAD")]), None);
}

#[test]
fn redirects_fill_the_placeholders() {
    let location = AclActionRedirect {
        r#type: RedirectType::Location,
        target: "https://www.example.test{{path}}?{{query}}&from={{host}}&s={{scheme}}".into(),
        code: Some(301),
    };
    let scheme = AclActionRedirect {
        r#type: RedirectType::Scheme,
        target: "https".into(),
        code: None,
    };
    let mut lb = lb_with(vec![
        acl(
            "blog",
            0,
            AclAction::Redirect(location),
            path_begin(&["/blog"]),
        ),
        acl(
            "secure",
            1,
            AclAction::Redirect(scheme),
            path_begin(&["/secure"]),
        ),
    ]);
    let hosts = apps(2);
    let trace = get(&mut lb, Duration::ZERO, &hosts, "/blog/post?id=7");
    assert_eq!(
        trace.outcome,
        Outcome::Redirected {
            code: 301,
            location: format!("https://www.example.test/blog/post?id=7&from={VIP}:80&s=http"),
        }
    );
    let trace = get(&mut lb, Duration::ZERO, &hosts, "/secure/a?b");
    assert_eq!(
        trace.outcome,
        Outcome::Redirected {
            code: 302,
            location: format!("https://{VIP}:80/secure/a?b"),
        }
    );
}

/// An ACL for the property test: an optional subnet of 10.0.0.0/8 and an optional path
/// prefix, an action, an index, an invert flag.
fn arb_acl() -> impl Strategy<Value = Acl> {
    (
        proptest::option::of(0u8..4),
        proptest::option::of(0usize..3),
        0u8..2,
        -3i32..4,
        any::<bool>(),
    )
        .prop_map(|(subnet, prefix, action, index, invert)| Acl {
            name: String::new(),
            index,
            action: if action == 0 {
                AclAction::Allow
            } else {
                AclAction::Deny
            },
            r#match: AclMatch {
                ip_subnet: subnet
                    .map(|s| vec![format!("10.{s}.0.0/16").parse().unwrap()])
                    .unwrap_or_default(),
                http_filter: if prefix.is_some() {
                    AclHttpFilter::PathBegin
                } else {
                    AclHttpFilter::None
                },
                http_filter_value: prefix
                    .map(|p| vec![["/a", "/b", "/a/b"][p].to_string()])
                    .unwrap_or_default(),
                http_filter_option: None,
                invert,
            },
        })
}

proptest! {
    /// The first ACL in ascending-index order (ties in given order) whose conditions hold
    /// (all of them, or none of them when inverted) decides; none matching allows.
    #[test]
    fn first_match_by_index(
        mut acls in proptest::collection::vec(arb_acl(), 0..8),
        source in 0u8..5,
        path in 0usize..4,
    ) {
        for (i, acl) in acls.iter_mut().enumerate() {
            acl.name = format!("acl{i}");
        }
        let source = format!("10.{source}.1.1");
        let path = ["/a", "/b", "/a/b/c", "/c"][path];
        let mut ordered: Vec<&Acl> = acls.iter().collect();
        ordered.sort_by_key(|a| a.index);
        let holds = |a: &Acl| {
            let ip = (!a.r#match.ip_subnet.is_empty())
                .then(|| a.r#match.ip_subnet[0].contains(&ip(&source)));
            let http = (!a.r#match.http_filter_value.is_empty())
                .then(|| path.starts_with(a.r#match.http_filter_value[0].as_str()));
            let present = [ip, http];
            let present = present.iter().flatten();
            if a.r#match.invert { present.clone().all(|h| !h) } else { present.clone().all(|h| *h) }
        };
        let expected = ordered.iter().find(|a| holds(a));
        let mut lb = lb_with(acls.clone());
        let trace = lb.handle(Duration::ZERO, &request(&source, path, &[]), &apps(2));
        prop_assert_eq!(trace.acl.as_ref().map(|a| a.name.clone()), expected.map(|a| a.name.clone()));
        let status = match expected.map(|a| &a.action) {
            Some(AclAction::Deny) => 403,
            _ => 200,
        };
        prop_assert_eq!(trace.http_status(), Some(status));
    }
}
