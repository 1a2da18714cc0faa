//! `[ovh_connect]`: the shipped OVH topologies parse, and each reference error names the file,
//! the line and the key.

use super::*;

const OVH: &str = r#"name = "o"

[[ovh_connect.services]]
name = "paris"
interfaceList = [7001]

[[ovh_connect.pop_configs]]
name = "th2"
interfaceId = 7001
type = "l3"
customerBgpArea = 64512
ovhBgpArea = 65501
subnet = "192.0.2.0/30"

[[ovh_connect.datacenter_configs]]
name = "rbx"
pop_config = "th2"
datacenterId = 1
ovhBgpArea = 65502
subnet = "10.10.0.0/28"

[[routers]]
name = "onprem"
kind = "embedded"
asn = 64512
plug = { ovh_service = "paris", interface = 7001 }
"#;

/// OVH plus `more`, parsed; the error's text.
fn error(more: &str) -> String {
    match parse("topologies/o.toml", &format!("{OVH}{more}")) {
        Ok(_) => panic!("accepted:\n{more}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn typed_fields_with_ovh_names() {
    let more = "\n[[ovh_connect.extras]]\nname = \"net\"\ndatacenter_config = \"rbx\"\ntype = \"network\"\nnextHop = \"10.10.0.5\"\nsubnet = \"10.20.0.0/24\"\n";
    let t = parse("o.toml", &format!("{OVH}{more}")).unwrap();
    let o = t.ovh_connect.as_ref().unwrap();
    assert_eq!(o.services[0].interface_list, vec![7001]);
    assert_eq!(o.pop_configs[0].kind, PopType::L3);
    assert_eq!(o.pop_configs[0].ovh_bgp_area, Some(65501));
    assert_eq!(o.datacenter_configs[0].datacenter_id, 1);
    assert_eq!(o.extras[0].kind, ExtraType::Network);
    assert_eq!(o.extras[0].next_hop.as_deref(), Some("10.10.0.5"));
    assert_eq!(o.kind_of("net"), Some(OvhKind::Extra(ExtraType::Network)));
    assert_eq!(
        o.pop_on_interface(7001).map(|p| p.name.get_ref().as_str()),
        Some("th2")
    );
}

#[test]
fn references_are_checked_with_file_and_line() {
    let e = error(
        "\n[[ovh_connect.datacenter_configs]]\nname = \"gra\"\npop_config = \"dc9\"\ndatacenterId = 2\n",
    );
    assert!(
        e.starts_with("topologies/o.toml:30: [[ovh_connect.datacenter_configs]] \"gra\": unknown pop_config \"dc9\""),
        "{e}"
    );
    let e = error(
        "\n[[ovh_connect.extras]]\nname = \"x\"\ndatacenter_config = \"nope\"\ntype = \"bgp\"\n",
    );
    assert!(e.contains("unknown datacenter_config \"nope\""), "{e}");
    let e = error("\n[[ovh_connect.pop_configs]]\nname = \"p2\"\ninterfaceId = 9\ntype = \"l2\"\n");
    assert!(
        e.contains("interfaceId 9 is no interface of a declared service"),
        "{e}"
    );
    let e = error(
        "\n[[ovh_connect.extras]]\nname = \"th2\"\ndatacenter_config = \"rbx\"\ntype = \"bgp\"\n",
    );
    assert!(e.contains("name used twice in [ovh_connect]"), "{e}");
}

#[test]
fn unknown_keys_and_values_are_refused() {
    let e =
        error("\n[[ovh_connect.pop_configs]]\nname = \"p2\"\ninterfaceId = 7001\ntype = \"l4\"\n");
    assert!(e.starts_with("topologies/o.toml:31:"), "{e}");
    let e = error(
        "\n[[ovh_connect.extras]]\nname = \"x\"\ndatacenter_config = \"rbx\"\ntype = \"bgp\"\nbgp_neighbor_ip = \"10.10.0.5\"\n",
    );
    assert!(e.contains("unknown field `bgp_neighbor_ip`"), "{e}");
}

#[test]
fn ovh_plugs_name_a_service_and_its_interface() {
    let plug = r#"plug = { ovh_service = "paris", interface = 7001 }"#;
    let text = OVH.replace(plug, r#"plug = { ovh_service = "lyon", interface = 7001 }"#);
    let e = parse("o.toml", &text).unwrap_err().to_string();
    assert!(e.contains("unknown plug ovh_service \"lyon\""), "{e}");
    let text = OVH.replace(
        plug,
        r#"plug = { ovh_service = "paris", interface = 7002 }"#,
    );
    let e = parse("o.toml", &text).unwrap_err().to_string();
    assert!(e.contains("service \"paris\" has no interface 7002"), "{e}");
    let text = OVH.replace(plug, r#"plug = { ovh_service = "paris" }"#);
    let e = parse("o.toml", &text).unwrap_err().to_string();
    assert!(e.contains("needs an interface"), "{e}");
}

#[test]
fn ovh_expectations_name_the_right_kind() {
    let e = error("\n[[expect]]\novh_session = \"rbx\"\n");
    assert!(
        e.contains("ovh_session \"rbx\" is not an l3 pop_config or a bgp extra"),
        "{e}"
    );
    let e = error("\n[[expect]]\nvrrp_master = \"th2\"\n");
    assert!(
        e.contains("vrrp_master \"th2\" is not a datacenter_config"),
        "{e}"
    );
    let e = error("\n[[expect]]\novh_active = \"paris\"\n");
    assert!(
        e.contains("is not a pop_config, datacenter_config or extra"),
        "{e}"
    );
    let ok = "\n[[expect]]\novh_session = \"th2\"\nstate = \"down\"\n[[expect]]\nvrrp_master = \"rbx\"\n";
    parse("o.toml", &format!("{OVH}{ok}")).unwrap();
}

#[test]
fn the_shipped_ovh_topologies_parse() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../topologies");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("ovh-") && name.ends_with(".toml") {
            let t = load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(t.ovh_connect.is_some(), "{name}");
            seen += 1;
        }
    }
    assert!(seen >= 1);
}

#[test]
fn a_datacenter_plug_needs_a_bgp_extra_for_the_router() {
    let router = "\n[[routers]]\nname = \"edge\"\nkind = \"embedded\"\nasn = 65010\nplug = { ovh_datacenter = \"rbx\" }\n";
    let e = error(router);
    assert!(
        e.contains("datacenter_config \"rbx\" has no bgp extra with bgpNeighborArea = 65010"),
        "{e}"
    );
    let extra = "\n[[ovh_connect.extras]]\nname = \"b\"\ndatacenter_config = \"rbx\"\ntype = \"bgp\"\nbgpNeighborArea = 65010\nbgpNeighborIp = \"10.10.0.5\"\n";
    parse("o.toml", &format!("{OVH}{extra}{router}")).unwrap();
    let e = error(
        &format!("{extra}{router}").replace("ovh_datacenter = \"rbx\"", "ovh_datacenter = \"gra\""),
    );
    assert!(e.contains("unknown plug ovh_datacenter \"gra\""), "{e}");
    let e = error(&format!("{extra}{router}").replace(
        "ovh_datacenter = \"rbx\"",
        "ovh_datacenter = \"rbx\", interface = 7001",
    ));
    assert!(e.contains("plug ovh_datacenter goes alone"), "{e}");
}

#[test]
fn an_ovh_step_deletes_a_configuration_by_name() {
    let ok = "\n[[steps]]\novh = { delete = \"rbx\" }\n";
    let t = parse("o.toml", &format!("{OVH}{ok}")).unwrap();
    let step = t.steps[0].get_ref();
    assert_eq!(
        step.ovh.as_ref().map(|o| o.delete.get_ref().as_str()),
        Some("rbx")
    );
    let e = error("\n[[steps]]\novh = { delete = \"paris\" }\n");
    assert!(
        e.contains("ovh delete \"paris\" is not a pop_config"),
        "{e}"
    );
    let e = error("\n[[steps]]\novh = { delete = \"rbx\" }\nwait = \"1s\"\n");
    assert!(
        e.contains("give exactly one of api, link, router, wait, expect, ovh, vrrp and drill"),
        "{e}"
    );
}

#[test]
fn a_host_in_a_datacenter_names_it_alone() {
    let host =
        "\n[[hosts]]\nname = \"server\"\novh_datacenter = \"rbx\"\naddress = \"10.10.0.10\"\n";
    parse("o.toml", &format!("{OVH}{host}")).unwrap();
    let e = error(&host.replace("\"rbx\"", "\"gra\""));
    assert!(
        e.contains("[[hosts]] \"server\": unknown ovh_datacenter \"gra\""),
        "{e}"
    );
    let e = error(&host.replace("address", "router = \"onprem\"\naddress"));
    assert!(
        e.contains("give either router, vpc, ovh_datacenter or plug"),
        "{e}"
    );
}

#[test]
fn a_router_needs_the_l3_pop_of_its_interface() {
    let text = OVH.replace("type = \"l3\"", "type = \"l2\"");
    let e = parse("o.toml", &text).unwrap_err().to_string();
    assert!(e.contains("interface 7001 has no l3 pop_config"), "{e}");
}

#[test]
fn a_vrrp_step_names_a_datacenter_router_a_or_b_and_an_action() {
    let ok = "\n[[steps]]\nvrrp = { datacenter = \"rbx\", router = \"A\", action = \"crash\" }\n\n[[steps]]\nexpect = { vrrp_master = \"rbx\", router = \"B\", within = \"5s\" }\n";
    let t = parse("o.toml", &format!("{OVH}{ok}")).unwrap();
    let vrrp = t.steps[0].get_ref().vrrp.as_ref().unwrap();
    assert_eq!(vrrp.datacenter.get_ref(), "rbx");
    assert_eq!(
        (vrrp.router, vrrp.action),
        (VrrpRouter::A, VrrpOperation::Crash)
    );
    let expect = t.steps[1].get_ref().expect.as_ref().unwrap();
    assert_eq!(expect.router, Some(VrrpRouter::B));

    let e =
        error("\n[[steps]]\nvrrp = { datacenter = \"gra\", router = \"A\", action = \"stop\" }\n");
    assert!(e.starts_with("topologies/o.toml:29:"), "{e}");
    assert!(
        e.contains("vrrp datacenter \"gra\" is not a datacenter_config"),
        "{e}"
    );
    let e =
        error("\n[[steps]]\nvrrp = { datacenter = \"th2\", router = \"A\", action = \"stop\" }\n");
    assert!(
        e.contains("vrrp datacenter \"th2\" is not a datacenter_config"),
        "{e}"
    );
    let e =
        error("\n[[steps]]\nvrrp = { datacenter = \"rbx\", router = \"C\", action = \"stop\" }\n");
    assert!(e.starts_with("topologies/o.toml:29:"), "{e}");
    assert!(e.contains("unknown variant `C`"), "{e}");
    let e = error(
        "\n[[steps]]\nvrrp = { datacenter = \"rbx\", router = \"A\", action = \"reboot\" }\n",
    );
    assert!(e.contains("unknown variant `reboot`"), "{e}");
    let e = error("\n[[expect]]\novh_active = \"rbx\"\nrouter = \"A\"\n");
    assert!(e.starts_with("topologies/o.toml:28:"), "{e}");
    assert!(e.contains("router goes with vrrp_master"), "{e}");
    let e = error("\n[[expect]]\nvrrp_master = \"rbx\"\nrouter = \"b\"\n");
    assert!(e.contains("unknown variant `b`"), "{e}");
    let e = error(&format!(
        "{L2}\n[[steps]]\nvrrp = {{ datacenter = \"gra\", router = \"A\", action = \"stop\" }}\n"
    ));
    assert!(
        e.contains("vrrp datacenter \"gra\" is an l2 datacenter_config (no VRRP gateway)"),
        "{e}"
    );
}

/// An l2 PoP on interface 7201 with datacenter configuration `gra`, beside the l3 one.
const L2: &str = r#"
[[ovh_connect.services]]
name = "paris-l2"
interfaceList = [7201]
vrack = "pn-100002"

[[ovh_connect.pop_configs]]
name = "dc2"
interfaceId = 7201
type = "l2"

[[ovh_connect.datacenter_configs]]
name = "gra"
pop_config = "dc2"
datacenterId = 2
"#;

#[test]
fn l2_hosts_plug_into_the_l2_pop_or_sit_in_its_datacenters_with_a_prefix_length() {
    let hosts = "\n[[hosts]]\nname = \"office\"\nplug = { ovh_service = \"paris-l2\", interface = 7201 }\naddress = \"192.168.100.10/24\"\n\n[[hosts]]\nname = \"gra-server\"\novh_datacenter = \"gra\"\naddress = \"192.168.100.20/24\"\n";
    let t = parse("o.toml", &format!("{OVH}{L2}{hosts}")).unwrap();
    let office = &t.hosts[0];
    let plug = office.plug.as_ref().unwrap().get_ref();
    assert_eq!(plug.ovh_service.as_deref(), Some("paris-l2"));
    assert_eq!(plug.interface, Some(7201));

    // l2 datacenters have no subnet: the address needs its prefix length.
    let e = error(&format!(
        "{L2}{}",
        hosts.replace("192.168.100.20/24", "192.168.100.20")
    ));
    assert!(
        e.contains("[[hosts]] \"gra-server\": address \"192.168.100.20\" needs a prefix length"),
        "{e}"
    );
    assert!(e.starts_with("topologies/o.toml:"), "{e}");
    let e = error(&format!(
        "{L2}{}",
        hosts.replace("192.168.100.10/24", "192.168.100.10")
    ));
    assert!(
        e.contains("[[hosts]] \"office\": address \"192.168.100.10\" needs a prefix length"),
        "{e}"
    );
    // An l3 datacenter keeps its subnet's length.
    parse(
        "o.toml",
        &format!(
            "{OVH}\n[[hosts]]\nname = \"s\"\novh_datacenter = \"rbx\"\naddress = \"10.10.0.10\"\n"
        ),
    )
    .unwrap();
}

#[test]
fn a_host_plug_needs_an_l2_pop_on_its_interface() {
    // Interface 7001's PoP is l3: a host there would need a router.
    let host = "\n[[hosts]]\nname = \"office\"\nplug = { ovh_service = \"paris\", interface = 7001 }\naddress = \"192.168.100.10/24\"\n";
    let e = error(&format!("{L2}{host}"));
    let whole = format!("{OVH}{L2}{host}");
    let line = whole
        .lines()
        .collect::<Vec<_>>()
        .iter()
        .rposition(|l| l.starts_with("plug"))
        .unwrap()
        + 1;
    assert!(
        e.starts_with(&format!("topologies/o.toml:{line}: [[hosts]] \"office\": interface 7001's pop_config \"th2\" is l3")),
        "{e}"
    );
    let e = error(&format!(
        "{L2}{}",
        host.replace("interface = 7001", "interface = 7202")
    ));
    assert!(e.contains("service \"paris\" has no interface 7202"), "{e}");
    let e = error(&format!(
        "{L2}{}",
        host.replace(", interface = 7001", ", interface = 7001, vlan = 3")
    ));
    assert!(
        e.contains("a host's plug is { ovh_service, interface }"),
        "{e}"
    );
    let e = error(&format!(
        "{L2}{}",
        host.replace("address", "router = \"onprem\"\naddress")
    ));
    assert!(
        e.contains("give either router, vpc, ovh_datacenter or plug"),
        "{e}"
    );
}
