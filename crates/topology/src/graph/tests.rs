use super::*;
use crate::format::parse;

const QUICKSTART: &str = include_str!("../../../../topologies/quickstart.toml");
const OVH_BGP: &str = include_str!("../../../../topologies/ovh-l3-bgp-frr.toml");

fn node<'g>(g: &'g Graph, id: &str) -> &'g Node {
    g.nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node {id} in {:#?}", g.nodes))
}

#[test]
fn quickstart_has_its_router_pop_vrf_network_and_hosts() {
    let t = parse("quickstart.toml", QUICKSTART).unwrap();
    let g = build(&t, None);
    assert_eq!(g.name, "quickstart");
    assert_eq!(
        node(&g, "router:onprem").kind,
        NodeKind::Router(crate::format::RouterKind::Embedded)
    );
    assert_eq!(node(&g, "router:onprem").detail, ["embedded · AS64512"]);
    assert_eq!(node(&g, "pop:DC2").kind, NodeKind::Pop);
    assert_eq!(node(&g, "vrf:prod").cluster.as_deref(), Some("vpc:prod"));
    assert_eq!(node(&g, "pn:prod/app").detail, ["172.16.4.0/22"]);
    assert_eq!(node(&g, "host:laptop").cluster.as_deref(), Some("customer"));
    assert_eq!(node(&g, "host:app1").cluster.as_deref(), Some("vpc:prod"));

    let cable = g
        .edges
        .iter()
        .find(|e| matches!(e.kind, EdgeKind::Cable { .. }))
        .unwrap();
    assert_eq!(
        (cable.from.as_str(), cable.to.as_str()),
        ("router:onprem", "pop:DC2")
    );
    assert_eq!(cable.kind, EdgeKind::Cable { vlan: Some(2001) });
    assert_eq!(cable.label, "dc2-xconnect VLAN 2001");

    // One session (no IPv6 policy), expected established by the file's [[expect]].
    let sessions: Vec<&Edge> = g
        .edges
        .iter()
        .filter(|e| matches!(e.kind, EdgeKind::Session { .. }))
        .collect();
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        sessions[0].full_label(),
        "BGP ipv4 · prod: established (expected)"
    );
    // Every edge joins drawn nodes.
    for e in &g.edges {
        node(&g, &e.from);
        node(&g, &e.to);
    }
}

#[test]
fn observed_states_colour_the_sessions() {
    let t = parse("quickstart.toml", QUICKSTART).unwrap();
    let key = SessionKey::Link {
        link: "prod".to_string(),
        family: crate::format::SessionFamily::Ipv4,
    };
    let observed = SessionStates::from([(key.clone(), crate::format::SessionState::Idle)]);
    let g = build(&t, Some(&observed));
    let session = g
        .edges
        .iter()
        .find(|e| matches!(&e.kind, EdgeKind::Session { key: k, .. } if *k == key))
        .unwrap();
    assert_eq!(session.full_label(), "BGP ipv4 · prod: idle");
    let dot = g.to_dot();
    assert!(
        dot.contains(&format!("color=\"{}\"", SessionColour::Down.rgb())),
        "{dot}"
    );
    assert!(!dot.contains(SessionColour::Up.rgb()), "{dot}");
    let mermaid = g.to_mermaid();
    assert!(
        mermaid.contains(&format!("stroke:{}", SessionColour::Down.rgb())),
        "{mermaid}"
    );
}

#[test]
fn ovh_pops_datacenters_and_both_sessions() {
    let t = parse("ovh-l3-bgp-frr.toml", OVH_BGP).unwrap();
    let g = build(&t, None);
    assert_eq!(node(&g, "ovh-pop:paris").detail[0], "Paris - TH2");
    assert_eq!(
        node(&g, "ovh-dc:rbx").detail,
        ["datacenter 1", "10.10.0.0/28"]
    );
    let sessions: Vec<String> = g
        .edges
        .iter()
        .filter(|e| matches!(e.kind, EdgeKind::Session { .. }))
        .map(|e| format!("{} {} {}", e.from, e.to, e.full_label()))
        .collect();
    assert_eq!(
        sessions,
        [
            "router:onprem ovh-pop:paris BGP · th2: established (expected)",
            "router:rbx-edge ovh-dc:rbx BGP · rbx-bgp: established (expected)",
        ]
    );
    assert_eq!(node(&g, "host:server").cluster.as_deref(), Some("ovh"));
}

#[test]
fn mermaid_numbers_nodes_and_styles_each_session() {
    let t = parse("quickstart.toml", QUICKSTART).unwrap();
    let m = build(&t, None).to_mermaid();
    assert!(m.starts_with("flowchart LR\n"), "{m}");
    assert!(m.contains("subgraph"), "{m}");
    assert!(m.contains("===|\"dc2-xconnect VLAN 2001\"|"), "{m}");
    assert!(
        m.contains(&format!("stroke:{}", SessionColour::Up.rgb())),
        "{m}"
    );
    // Balanced subgraphs.
    let opens = m
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let ends = m.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(opens, ends, "{m}");
    // A linkStyle index names an edge that exists.
    let edges = m
        .lines()
        .filter(|l| l.contains("---") || l.contains("-.-") || l.contains("==="))
        .count();
    for l in m
        .lines()
        .filter(|l| l.trim_start().starts_with("linkStyle"))
    {
        let index: usize = l.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(index < edges, "{l} of {edges} edges");
    }
}

#[test]
fn dot_is_balanced_and_quotes_names() {
    let t = parse("quickstart.toml", QUICKSTART).unwrap();
    let d = build(&t, None).to_dot();
    assert!(d.starts_with("graph \"quickstart\" {"), "{d}");
    assert_eq!(d.matches('{').count(), d.matches('}').count(), "{d}");
    assert!(d.contains("\"router:onprem\" -- \"pop:DC2\""), "{d}");
}

#[test]
fn load_balancers_sit_in_their_vpc_with_legs_and_servers() {
    let text = r#"
name = "lb"
[[vpcs]]
name = "prod"
private_networks = [{ name = "app", subnet = "172.16.4.0/22" }]
[lb]
[[lb.lbs]]
name = "web"
type = "LB-S"
private_networks = [{ vpc = "prod", private_network = "app", static_config = { ip_address = ["172.16.4.100"] } }]
[[lb.backends]]
name = "apps"
lb = "web"
forward_protocol = "http"
forward_port = 8080
servers = ["app1", "172.16.4.99"]
[[lb.frontends]]
name = "http"
lb = "web"
backend = "apps"
inbound_port = 80
[[hosts]]
name = "app1"
vpc = "prod"
private_network = "app"
address = "172.16.4.10"
"#;
    let t = parse("lb.toml", text).unwrap();
    let g = build(&t, None);
    let lb = node(&g, "lb:web");
    assert_eq!(lb.kind, NodeKind::Lb);
    assert_eq!(lb.cluster.as_deref(), Some("vpc:prod"));
    assert_eq!(lb.detail, ["LB LB-S · fr-par-1", ":80 → apps"]);
    let edges: Vec<String> = g
        .edges
        .iter()
        .filter(|e| e.from == "lb:web")
        .map(|e| format!("{} {}", e.to, e.label))
        .collect();
    // The server given by address is not a node: no edge to it.
    assert_eq!(
        edges,
        ["pn:prod/app 172.16.4.100", "host:app1 backend apps :8080"]
    );
}
