//! One test per error class of the topology format, and the quickstart as it is shipped.

use super::*;

const BASE: &str = r#"name = "t"

[interlink]
region = "fr-par"

[[interlink.dedicated_connections]]
name = "dc"
pop = "DC2"
bandwidth_mbps = 10000

[[interlink.routing_policies]]
name = "v4"
prefix_filter_in = ["10.1.0.0/16"]
prefix_filter_out = ["172.16.0.0/16"]

[[vpcs]]
name = "prod"
private_networks = [{ name = "app", subnet = "172.16.4.0/22" }]

[[routers]]
name = "onprem"
kind = "embedded"
asn = 64512
plug = { connection = "dc", vlan = 2001 }
"#;

/// BASE plus `more`, parsed; the error's text.
fn error(more: &str) -> String {
    match parse("topologies/x.toml", &format!("{BASE}{more}")) {
        Ok(_) => panic!("accepted:\n{more}"),
        Err(e) => e.to_string(),
    }
}

/// The line of `BASE + more` on which `needle` first appears.
fn line(more: &str, needle: &str) -> usize {
    let text = format!("{BASE}{more}");
    let offset = text.find(needle).expect("needle in text");
    line_of(&text, offset)
}

const LINK: &str = r#"
[[interlink.links]]
name = "prod"
connection = "dc"
vlan = 2001
bandwidth_mbps = 1000
routing_policy_v4 = "v4"
vpc = "prod"
"#;

#[test]
fn the_quickstart_parses() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../topologies/quickstart.toml"
    );
    let t = load(std::path::Path::new(path)).unwrap();
    assert_eq!(t.name.get_ref(), "quickstart");
    assert_eq!(t.routers[0].kind, RouterKind::Embedded);
    assert_eq!(t.expect.len(), 3);
    assert_eq!(t.steps.len(), 2);
    let within = t.steps[1].get_ref().expect.as_ref().and_then(|e| e.within);
    assert_eq!(within, Some(Within(std::time::Duration::from_secs(10))));
}

#[test]
fn base_with_a_link_parses() {
    let t = parse("x.toml", &format!("{BASE}{LINK}")).unwrap();
    let link = &t.interlink.unwrap().links[0];
    assert_eq!(link.vlan, Some(2001));
    assert!(!link.enable_route_propagation);
}

#[test]
fn unknown_routing_policy_names_file_line_and_key() {
    let more = LINK.replace(r#"routing_policy_v4 = "v4""#, r#"routing_policy_v4 = "v9""#);
    let n = line(&more, r#""v9""#);
    assert_eq!(
        error(&more),
        format!(
            r#"topologies/x.toml:{n}: [[interlink.links]] "prod": unknown routing_policy_v4 "v9""#
        )
    );
}

#[test]
fn unknown_connection_vpc_and_router() {
    let more = LINK.replace(r#"connection = "dc""#, r#"connection = "dc9""#);
    assert!(error(&more).ends_with(r#"[[interlink.links]] "prod": unknown connection "dc9""#));
    let more = LINK.replace(r#"vpc = "prod""#, r#"vpc = "test""#);
    assert!(error(&more).ends_with(r#"unknown vpc "test""#));
    let more =
        format!("{LINK}\n[[hosts]]\nname = \"h\"\nrouter = \"edge\"\naddress = \"10.1.0.1\"\n");
    let n = line(&more, r#""edge""#);
    assert_eq!(
        error(&more),
        format!(r#"topologies/x.toml:{n}: [[hosts]] "h": unknown router "edge""#)
    );
}

#[test]
fn unknown_private_network_of_that_vpc() {
    let more = "\n[[hosts]]\nname = \"h\"\nvpc = \"prod\"\nprivate_network = \"db\"\naddress = \"172.16.4.9\"\n";
    assert!(error(more).ends_with(r#"[[hosts]] "h": unknown private_network "db""#));
}

#[test]
fn unknown_key_is_a_toml_error_with_its_line() {
    let more = LINK.replace("vlan = 2001", "vlan = 2001\ncolour = \"red\"");
    let n = line(&more, "colour");
    let e = error(&more);
    assert!(
        e.starts_with(&format!("topologies/x.toml:{n}: unknown field `colour`")),
        "{e}"
    );
}

#[test]
fn syntax_error_has_a_line() {
    let e = error("\n[[routers]\n");
    let n = line("\n[[routers]\n", "[[routers]\n");
    assert!(e.starts_with(&format!("topologies/x.toml:{n}: ")), "{e}");
}

#[test]
fn wrong_value_types_and_enums() {
    assert!(error(&LINK.replace("vlan = 2001", "vlan = \"x\"")).contains("topologies/x.toml:"));
    let text = BASE.replace("kind = \"embedded\"", "kind = \"quagga\"");
    let e = parse("x.toml", &text).unwrap_err().to_string();
    assert!(e.contains("quagga") && e.starts_with("x.toml:"), "{e}");
    let e = error("\n[[steps]]\nwait = \"soon\"\n");
    assert!(e.contains("invalid duration \"soon\""), "{e}");
}

#[test]
fn duplicate_names() {
    let e = error(&format!("{LINK}{LINK}"));
    assert!(
        e.ends_with(r#"[[interlink.links]] "prod": name used twice"#),
        "{e}"
    );
}

#[test]
fn link_shape_errors() {
    let more = LINK.replace("vlan = 2001\n", "");
    assert!(error(&more).ends_with("a self-hosted link needs a vlan"));
    let more = LINK.replace("connection = \"dc\"\n", "");
    assert!(error(&more).contains("give either connection (self-hosted) or partner (hosted)"));
}

#[test]
fn plug_errors() {
    let text = BASE.replace(
        r#"plug = { connection = "dc", vlan = 2001 }"#,
        r#"plug = { connection = "dc9", vlan = 2001 }"#,
    );
    let e = parse("x.toml", &text).unwrap_err().to_string();
    assert!(
        e.ends_with(r#"[[routers]] "onprem": unknown plug connection "dc9""#),
        "{e}"
    );
    let text = BASE.replace(
        r#"plug = { connection = "dc", vlan = 2001 }"#,
        r#"plug = { connection = "dc" }"#,
    );
    let e = parse("x.toml", &text).unwrap_err().to_string();
    assert!(e.ends_with("plug needs a vlan"), "{e}");
    let text = BASE.replace(
        r#"plug = { connection = "dc", vlan = 2001 }"#,
        r#"plug = { ovh_service = "s", interface = 1 }"#,
    );
    let e = parse("x.toml", &text).unwrap_err().to_string();
    assert!(e.contains("without an [ovh_connect] section"), "{e}");
}

#[test]
fn bad_host_address() {
    let more = "\n[[hosts]]\nname = \"h\"\nrouter = \"onprem\"\naddress = \"10.1.0.300\"\n";
    let n = line(more, "\"10.1.0.300\"");
    assert_eq!(
        error(more),
        format!(
            r#"topologies/x.toml:{n}: [[hosts]] "h": address "10.1.0.300" is not an IP address"#
        )
    );
}

#[test]
fn expectation_errors() {
    let more = format!("{LINK}\n[[expect]]\nsession = {{ link = \"test\" }}\n");
    assert!(error(&more).ends_with(r#"[[expect]] #1: unknown link "test""#));
    let more = format!(
        "{LINK}\n[[expect]]\nsession = {{ link = \"prod\" }}\nroutes_at = {{ vpc = \"prod\" }}\n"
    );
    assert!(error(&more).contains("give exactly one of session, routes_at, reach"));
    let more = "\n[[expect]]\nroutes_at = { vpc = \"prod\" }\n";
    assert!(error(more).ends_with("routes_at needs present or absent"));
    let more = "\n[[expect]]\nroutes_at = { router = \"edge\" }\npresent = [\"10.0.0.0/8\"]\n";
    assert!(error(more).ends_with(r#"unknown router "edge""#));
    let more = "\n[[expect]]\nreach = { from = \"a\", to = \"b\" }\n";
    assert!(error(more).ends_with(r#"[[expect]] #1: unknown host "a""#));
    let more = format!("{LINK}\n[[expect]]\nsession = {{ link = \"prod\", family = \"ipv5\" }}\n");
    assert!(error(&more).contains("ipv5"));
}

#[test]
fn step_errors() {
    let more =
        format!("{LINK}\n[[steps]]\napi = {{ call = \"reboot_everything\", link = \"prod\" }}\n");
    let n = line(&more, "\"reboot_everything\"");
    let e = error(&more);
    assert!(
        e.starts_with(&format!(
            r#"topologies/x.toml:{n}: [[steps]] #1: unknown api call "reboot_everything""#
        )),
        "{e}"
    );
    let more = format!("{LINK}\n[[steps]]\napi = {{ call = \"attach_vpc\", link = \"prod\" }}\n");
    assert!(error(&more).ends_with("[[steps]] #1: attach_vpc needs vpc"));
    let more = format!(
        "{LINK}\n[[steps]]\napi = {{ call = \"set_routing_policy\", link = \"prod\", routing_policy = \"v9\" }}\n"
    );
    assert!(error(&more).ends_with(r#"unknown routing_policy "v9""#));
    let more = format!(
        "{LINK}\n[[steps]]\nwait = \"1s\"\nrouter = {{ name = \"onprem\", action = \"stop\" }}\n"
    );
    assert!(
        error(&more)
            .ends_with("give exactly one of api, link, router, wait, expect, ovh, vrrp and drill")
    );
    let more = "\n[[steps]]\nrouter = { name = \"edge\", action = \"restart\" }\n";
    assert!(error(more).ends_with(r#"[[steps]] #1: unknown router "edge""#));
    let more = "\n[[steps]]\nlink = { name = \"nope\", state = \"down\" }\n";
    assert!(error(more).ends_with(r#"[[steps]] #1: unknown link "nope""#));
    let more = "\n[[steps]]\nexpect = { session = { link = \"nope\" } }\n";
    assert!(error(more).ends_with(r#"[[steps]] #1: unknown link "nope""#));
}

#[test]
fn durations() {
    use std::time::Duration;
    assert_eq!(Within::parse("10s"), Some(Within(Duration::from_secs(10))));
    assert_eq!(
        Within::parse("500ms"),
        Some(Within(Duration::from_millis(500)))
    );
    assert_eq!(
        Within::parse("1m30s"),
        Some(Within(Duration::from_secs(90)))
    );
    assert_eq!(Within::parse("2h"), Some(Within(Duration::from_secs(7200))));
    for bad in ["", "s", "10", "10x", "-1s", "1.5s", "99999999999999999999s"] {
        assert_eq!(Within::parse(bad), None, "{bad}");
    }
}

#[test]
fn nodes_have_distinct_names() {
    let more = "\n[[hosts]]\nname = \"onprem\"\nrouter = \"onprem\"\naddress = \"10.1.0.1\"\n";
    assert!(error(more).ends_with(r#"[[hosts]] "onprem": name already used by another node"#));
    let more = "\n[[hosts]]\nname = \"scaleway\"\nrouter = \"onprem\"\naddress = \"10.1.0.1\"\n";
    assert!(error(more).ends_with(r#"[[hosts]] "scaleway": name already used by another node"#));
}

#[test]
fn drill_steps_and_their_errors() {
    const HOSTS: &str = r#"
[[hosts]]
name = "laptop"
router = "onprem"
address = "10.1.0.10/16"

[[hosts]]
name = "app1"
vpc = "prod"
private_network = "app"
address = "172.16.4.10"
"#;
    let ok = format!(
        "{LINK}{HOSTS}\n[[steps]]\ndrill = {{ cable = \"prod\", probe = {{ from = \"laptop\", to = \"app1\" }}, restore_after = \"3s\", within = \"20s\" }}\n"
    );
    let t = parse("topologies/x.toml", &format!("{BASE}{ok}")).unwrap();
    let d = t.steps[0].get_ref().drill.as_ref().unwrap();
    assert_eq!(d.cable.as_ref().map(|c| c.get_ref().as_str()), Some("prod"));
    assert_eq!(d.restore_after.map(|r| r.0.as_secs()), Some(3));
    assert_eq!(d.window().as_secs(), 20);
    assert_eq!(d.failure(), "cable of link prod pulled");
    for (drill, want) in [
        (
            "cable = \"prod\", router = \"onprem\", probe = { from = \"laptop\", to = \"app1\" }",
            "[[steps]] #1: a drill gives exactly one of cable, router and vrrp_master",
        ),
        (
            "probe = { from = \"laptop\", to = \"app1\" }",
            "[[steps]] #1: a drill gives exactly one of cable, router and vrrp_master",
        ),
        (
            "cable = \"nope\", probe = { from = \"laptop\", to = \"app1\" }",
            r#"[[steps]] #1: unknown link "nope""#,
        ),
        (
            "router = \"edge\", probe = { from = \"laptop\", to = \"app1\" }",
            r#"[[steps]] #1: unknown router "edge""#,
        ),
        (
            "router = \"onprem\", probe = { from = \"laptop\", to = \"db\" }",
            r#"[[steps]] #1: unknown host "db""#,
        ),
        (
            "vrrp_master = \"rbx\", probe = { from = \"laptop\", to = \"app1\" }",
            "vrrp_master \"rbx\" is not a datacenter_config of [ovh_connect]",
        ),
    ] {
        let more = format!("{LINK}{HOSTS}\n[[steps]]\ndrill = {{ {drill} }}\n");
        let e = error(&more);
        assert!(e.contains(want), "{drill}: {e}");
    }
    let e = error(&format!(
        "{LINK}{HOSTS}\n[[steps]]\ndrill = {{ router = \"onprem\", probe = {{ from = \"laptop\", to = \"app1\" }}, colour = 1 }}\n"
    ));
    assert!(e.contains("colour"), "{e}");
}
