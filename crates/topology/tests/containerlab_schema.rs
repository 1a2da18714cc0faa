//! `peerlab export containerlab` for every topology in topologies/: the YAML validates against
//! containerlab's published schema (../shared/reference/containerlab/clab.schema.json), every
//! router and host is a node, every link joins interfaces of existing nodes once, every bind
//! names a file of the lab, and each InterLink cable carries its VLAN on both ends.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use topology::containerlab::{self, ExportOptions, Images, Lab};
use topology::format::{self, Topology};

/// The schema in `shared/` beside the repository (as CI lays it out), or under
/// `$PEERLAB_SHARED` (a worktree elsewhere).
fn schema() -> serde_json::Value {
    let shared = std::env::var_os("PEERLAB_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    let path = shared.join("reference/containerlab/clab.schema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (set PEERLAB_SHARED to the shared/ directory)",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

fn options() -> ExportOptions {
    ExportOptions {
        link_ipv4_pool: "169.254.0.0/16".parse().unwrap(),
        link_ipv6_pool: "fd12:876::/48".parse().unwrap(),
        images: Images::default(),
    }
}

fn topologies() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../topologies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "topologies/ has {} files", files.len());
    files
}

fn export(file: &Path) -> (Topology, Lab, serde_json::Value) {
    let text = std::fs::read_to_string(file).unwrap();
    let topology = format::parse(&file.display().to_string(), &text).unwrap();
    let lab = containerlab::export(&topology, &text, &options())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let yaml = lab.to_yaml().unwrap();
    let value: serde_json::Value = serde_norway::from_str(&yaml).unwrap();
    (topology, lab, value)
}

fn errors(validator: &jsonschema::Validator, value: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_topology_exports_to_a_valid_containerlab_file() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    for file in topologies() {
        let (topology, lab, value) = export(&file);
        let shown = file.display();
        let errors = errors(&validator, &value);
        assert!(
            errors.is_empty(),
            "{shown}: {errors:#?}\n{}",
            lab.to_yaml().unwrap()
        );

        let nodes = &lab.clab.topology.nodes;
        assert!(nodes.contains_key("peerlab"), "{shown}");
        for name in topology
            .routers
            .iter()
            .map(|r| &r.name)
            .chain(topology.hosts.iter().map(|h| &h.name))
        {
            assert!(
                nodes.contains_key(name.get_ref().as_str()),
                "{shown}: {name:?}"
            );
        }
        // Links join existing nodes, each interface once.
        let mut used = BTreeSet::new();
        for link in &lab.clab.topology.links {
            for end in &link.endpoints {
                let (node, interface) = end.split_once(':').unwrap();
                assert!(nodes.contains_key(node), "{shown}: {end}");
                assert!(interface.starts_with("eth"), "{shown}: {end}");
                assert!(used.insert(end.clone()), "{shown}: {end} used twice");
            }
        }
        // Binds name files of the lab.
        let files: HashMap<String, &str> = lab
            .files
            .iter()
            .map(|f| (f.path.display().to_string(), f.contents.as_str()))
            .collect();
        for (name, node) in nodes {
            for bind in &node.binds {
                let host = bind.split(':').next().unwrap();
                assert!(files.contains_key(host), "{shown}: {name} binds {bind}");
            }
        }
        // Every router has its daemon's configuration.
        for r in &topology.routers {
            let node = &nodes[r.name.get_ref().as_str()];
            assert!(!node.binds.is_empty(), "{shown}: {}", r.name.get_ref());
        }
        // Each InterLink cable's VLAN is a sub-interface on both of its ends.
        for link in topology.interlink.iter().flat_map(|i| &i.links) {
            let Some(vlan) = link.vlan else { continue };
            let on = |node: &str| {
                nodes.get(node).is_some_and(|n| {
                    n.exec
                        .iter()
                        .any(|c| c.contains(&format!("type vlan id {vlan}")))
                })
            };
            let plugged: Vec<_> = topology
                .routers
                .iter()
                .filter(|r| r.plug.get_ref().vlan == Some(vlan))
                .collect();
            for r in plugged {
                assert!(
                    on(r.name.get_ref()),
                    "{shown}: router {} VLAN {vlan}",
                    r.name.get_ref()
                );
                assert!(on("peerlab"), "{shown}: peerlab VLAN {vlan}");
            }
        }
    }
}

#[test]
fn the_validator_is_not_a_rubber_stamp() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../topologies/quickstart.toml");
    let (_, _, mut value) = export(&file);
    value["topology"]["nodes"]["onprem"]["kind"] = "not-a-kind".into();
    assert!(!errors(&validator, &value).is_empty());
    let (_, _, mut value) = export(&file);
    value["topology"]["nodes"]["onprem"]["bogus-key"] = 1.into();
    assert!(!errors(&validator, &value).is_empty());
}

#[test]
fn quickstart_wiring_and_configs() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../topologies/quickstart.toml");
    let (_, lab, _) = export(&file);
    let nodes = &lab.clab.topology.nodes;
    // The embedded router is an FRR node with the same AS, neighbours and announcements.
    let onprem = &nodes["onprem"];
    assert_eq!(onprem.image, Images::default().frr);
    assert_eq!(onprem.labels["peerlab.kind"], "embedded");
    let frr = lab
        .files
        .iter()
        .find(|f| f.path == Path::new("configs/onprem/frr.conf"))
        .unwrap();
    for line in [
        "router bgp 64512",
        "neighbor 169.254.0.0 remote-as 12876",
        "neighbor fd12:876:: remote-as 12876",
        "network 10.1.0.0/16",
        "network 10.2.0.0/16",
    ] {
        assert!(frr.contents.contains(line), "{line}: {}", frr.contents);
    }
    assert_eq!(
        onprem.exec[..5],
        [
            "ip link set eth1 up",
            "ip link add link eth1 name eth1.2001 type vlan id 2001",
            "ip address add 169.254.0.1/31 dev eth1.2001",
            "ip address add fd12:876::1/127 dev eth1.2001",
            "ip link set eth1.2001 up",
        ]
    );
    let peerlab = &nodes["peerlab"];
    assert!(
        peerlab
            .exec
            .contains(&"ip address add 169.254.0.0/31 dev eth1.2001".to_string())
    );
    // app1 in prod/app behind the bridge holding Scaleway's gateway 172.16.4.1.
    assert!(
        peerlab
            .exec
            .contains(&"ip address add 172.16.4.1/22 dev br0".to_string()),
        "{:?}",
        peerlab.exec
    );
    assert_eq!(
        nodes["app1"].exec,
        [
            "ip address add 172.16.4.10/22 dev eth1",
            "ip link set eth1 up",
            "ip route add default via 172.16.4.1",
        ]
    );
    // The laptop behind onprem's LAN.
    assert!(
        onprem
            .exec
            .contains(&"ip address add 10.1.0.1/16 dev lan".to_string())
    );
    assert_eq!(nodes["laptop"].exec[2], "ip route add default via 10.1.0.1");
    let links: Vec<_> = lab
        .clab
        .topology
        .links
        .iter()
        .map(|l| l.endpoints.join(" "))
        .collect();
    assert_eq!(
        links,
        [
            "onprem:eth1 peerlab:eth1",
            "app1:eth1 peerlab:eth2",
            "laptop:eth1 onprem:eth2"
        ]
    );
}

/// Each exported daemon configuration passes its own daemon's check: `vtysh --dryrun`
/// (FRR), `bird -p` (BIRD), `gobgpd --dry-run` (GoBGP).
#[test]
fn every_exported_daemon_configuration_passes_its_daemons_check() {
    let mut checked = BTreeSet::new();
    for file in topologies() {
        let (_, lab, _) = export(&file);
        let dir = tempfile::tempdir().unwrap();
        lab.write(dir.path()).unwrap();
        for f in &lab.files {
            let path = dir.path().join(&f.path);
            let name = f.path.file_name().unwrap().to_str().unwrap();
            let (program, args): (&str, Vec<&str>) = match name {
                "frr.conf" => ("/usr/bin/vtysh", vec!["--dryrun", "--inputfile"]),
                "bird.conf" => ("/usr/sbin/bird", vec!["-p", "-c"]),
                "gobgpd.toml" => ("/usr/bin/gobgpd", vec!["--dry-run", "-f"]),
                _ => continue,
            };
            assert!(
                Path::new(program).is_file(),
                "{program} is missing (scripts/test.sh installs it)"
            );
            let out = std::process::Command::new(program)
                .args(&args)
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {program} refuses {}: {}{}\n{}",
                file.display(),
                f.path.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                f.contents
            );
            checked.insert(name.to_string());
        }
    }
    // topologies/ has routers of all three daemons.
    assert_eq!(checked.len(), 3, "{checked:?}");
}
