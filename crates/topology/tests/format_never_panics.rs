//! The topology file parser ([`topology::format::parse`]) never panics, whatever the text: it
//! returns a `Topology` or a `FormatError` of the documented shape, `file:line: what` with the
//! line inside the file.
//!
//! Fed (a) arbitrary strings and TOML-looking ones, and (b) the real files of `topologies/`
//! mutated: lines deleted, duplicated and swapped, keys renamed, values swapped between lines
//! or replaced by odd ones (huge numbers, bad prefixes, empty arrays), random text inside
//! strings, and truncation. Needs nothing (no root).

use proptest::prelude::*;
use std::path::PathBuf;

/// The name errors are reported against.
const PATH: &str = "fuzzed.toml";

/// The real topology files, (name, text), read once.
fn real_files() -> &'static [(String, String)] {
    static FILES: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    FILES.get_or_init(read_real_files)
}

fn read_real_files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../topologies");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.display().to_string(), text)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the topologies are missing: {files:?}");
    files
}

/// Parses `text` and checks the answer's shape; returns whether it parsed.
fn check(text: &str) -> bool {
    match topology::format::parse(PATH, text) {
        Ok(topology) => {
            // What the runner asks of a parsed topology works too.
            let lines = text.lines().count().max(1);
            for router in &topology.routers {
                assert!(topology.line(&router.name) <= lines + 1);
            }
            for host in &topology.hosts {
                assert!(topology.line(&host.name) <= lines + 1);
                let _ = host.ip();
            }
            true
        }
        Err(e) => {
            let shown = e.to_string();
            let line = e
                .location
                .line
                .unwrap_or_else(|| panic!("no line in {shown:?} for\n{text}"));
            // A line past the end is the end of the file (a truncated table, say).
            let lines = text.split('\n').count();
            assert!(
                (1..=lines).contains(&line),
                "line {line} of {lines} in {shown:?}"
            );
            let prefix = format!("{PATH}:{line}: ");
            assert!(shown.starts_with(&prefix), "{shown:?} for\n{text}");
            assert!(shown.len() > prefix.len(), "no message: {shown:?}");
            assert!(!shown.contains('\n'), "not one line: {shown:?}");
            false
        }
    }
}

/// Every real file parses as it is (the mutations start from valid files).
#[test]
fn every_real_topology_parses() {
    for (name, text) in real_files() {
        if let Err(e) = topology::format::parse(name, text) {
            panic!("{e}");
        }
    }
}

/// One change to a file's lines.
#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// The key of a `key = value` line becomes another.
    RenameKey(usize, String),
    /// The values of two `key = value` lines change places.
    SwapValues(usize, usize),
    /// The value of a `key = value` line becomes another.
    ReplaceValue(usize, String),
    /// The text inside a line's first string becomes random text.
    StringContents(usize, String),
    /// The file is cut (at a character boundary at or before this byte).
    Truncate(usize),
}

/// Keys the format knows (a renamed key often lands on a valid key in the wrong table).
const KEYS: &[&str] = &[
    "name",
    "kind",
    "asn",
    "vlan",
    "pop",
    "vpc",
    "router",
    "address",
    "announce",
    "plug",
    "connection",
    "link",
    "within",
    "wait",
    "state",
    "family",
    "from",
    "to",
    "reachable",
    "present",
    "absent",
    "routes_at",
    "session",
    "reach",
    "api",
    "call",
    "routing_policy",
    "routing_policy_v4",
    "routing_policy_v6",
    "prefix_filter_in",
    "prefix_filter_out",
    "is_ipv6",
    "subnet",
    "private_network",
    "private_networks",
    "vlan_range",
    "start",
    "end",
    "bandwidth_mbps",
    "peer_asn",
    "partner",
    "ovh_service",
    "ovh_datacenter",
    "interface",
    "interfaceId",
    "interfaceList",
    "pop_config",
    "datacenter_config",
    "datacenterId",
    "type",
    "customerBgpArea",
    "ovhBgpArea",
    "bgpNeighborArea",
    "bgpNeighborIp",
    "nextHop",
    "vrack",
    "ovh_session",
    "ovh_active",
    "vrrp_master",
    "vrrp",
    "datacenter",
    "action",
    "delete",
    "ovh",
    "config",
    "router_id",
    "expect",
    "steps",
    "",
    "a.b",
    "\"quoted key\"",
];

/// Values that are valid TOML but odd for the format.
const VALUES: &[&str] = &[
    "0",
    "-1",
    "65535",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "1e400",
    "nan",
    "true",
    "\"\"",
    "\"0.0.0.0/0\"",
    "\"::/0\"",
    "\"10.0.0.0/33\"",
    "\"300.1.1.1\"",
    "\"10.0.0.1/8\"",
    "\"fe80::1%eth0\"",
    "\"0s\"",
    "\"18446744073709551615h\"",
    "\"99999999999999999999ms\"",
    "\"1m30\"",
    "\"s\"",
    "\"A\"",
    "\"crash\"",
    "\"down\"",
    "\"l2\"",
    "\"bgp\"",
    "\"network\"",
    "[]",
    "[1, \"a\"]",
    "[\"10.0.0.0/8\", \"10.0.0.0/8\"]",
    "{}",
    "{ start = 4000, end = 1 }",
    "{ link = \"prod\" }",
    "{ connection = \"nope\", vlan = 0 }",
    "{ from = \"x\", to = \"x\" }",
    "1979-05-27T07:32:00Z",
];

fn mutation(lines: usize) -> impl Strategy<Value = Mutation> {
    let line = 0..lines.max(1);
    prop_oneof![
        line.clone().prop_map(Mutation::DeleteLine),
        line.clone().prop_map(Mutation::DuplicateLine),
        (line.clone(), line.clone()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (
            line.clone(),
            prop_oneof![
                prop::sample::select(KEYS).prop_map(str::to_string),
                "[a-zA-Z_]{1,12}",
            ]
        )
            .prop_map(|(l, k)| Mutation::RenameKey(l, k)),
        (line.clone(), line.clone()).prop_map(|(a, b)| Mutation::SwapValues(a, b)),
        (
            line.clone(),
            prop::sample::select(VALUES).prop_map(str::to_string)
        )
            .prop_map(|(l, v)| Mutation::ReplaceValue(l, v)),
        (line, any::<String>()).prop_map(|(l, s)| Mutation::StringContents(l, s)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// The `key = value` split of a line, if it has one.
fn key_value(line: &str) -> Option<(&str, &str)> {
    line.split_once('=')
}

/// Text inside a TOML basic string: escapes kept valid half of the time, raw the other half.
fn in_string(s: &str, escape: bool) -> String {
    if escape {
        s.chars()
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                c if c.is_control() => format!("\\u{:04X}", u32::from(c) & 0xFFFF)
                    .chars()
                    .collect(),
                c => vec![c],
            })
            .collect()
    } else {
        s.to_string()
    }
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut truncate = None;
    for (n, m) in mutations.iter().enumerate() {
        if lines.is_empty() {
            break;
        }
        let at = |i: usize| i % lines.len();
        match m {
            Mutation::DeleteLine(i) => {
                lines.remove(at(*i));
            }
            Mutation::DuplicateLine(i) => {
                let i = at(*i);
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            Mutation::SwapLines(a, b) => {
                let (a, b) = (at(*a), at(*b));
                lines.swap(a, b);
            }
            Mutation::RenameKey(i, key) => {
                let i = at(*i);
                if let Some((_, value)) = key_value(&lines[i]) {
                    lines[i] = format!("{key} ={value}");
                }
            }
            Mutation::SwapValues(a, b) => {
                let (a, b) = (at(*a), at(*b));
                if let (Some((ka, va)), Some((kb, vb))) =
                    (key_value(&lines[a]), key_value(&lines[b]))
                {
                    let (new_a, new_b) = (format!("{ka}={vb}"), format!("{kb}={va}"));
                    lines[a] = new_a;
                    lines[b] = new_b;
                }
            }
            Mutation::ReplaceValue(i, value) => {
                let i = at(*i);
                if let Some((key, _)) = key_value(&lines[i]) {
                    lines[i] = format!("{key}= {value}");
                }
            }
            Mutation::StringContents(i, s) => {
                let i = at(*i);
                let line = &lines[i];
                if let Some(open) = line.find('"') {
                    if let Some(close) = line[open + 1..].find('"') {
                        let close = open + 1 + close;
                        let inner = in_string(s, n % 2 == 0);
                        lines[i] = format!("{}{inner}{}", &line[..=open], &line[close..]);
                    }
                }
            }
            Mutation::Truncate(at) => truncate = Some(*at),
        }
    }
    let mut out = lines.join("\n");
    if let Some(at) = truncate {
        let mut cut = at % (out.len() + 1);
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

/// TOML-looking text: tables, arrays of tables, keys and values of the format, stitched at random.
fn toml_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(KEYS).prop_map(|k| format!("{k} = ")),
        prop::sample::select(VALUES).prop_map(|v| format!("{v}\n")),
        prop::sample::select(
            &[
                "[interlink]\n",
                "[[interlink.links]]\n",
                "[[interlink.dedicated_connections]]\n",
                "[[interlink.routing_policies]]\n",
                "[[vpcs]]\n",
                "[[routers]]\n",
                "[[hosts]]\n",
                "[[expect]]\n",
                "[[steps]]\n",
                "[ovh_connect]\n",
                "[[ovh_connect.services]]\n",
                "[[ovh_connect.pop_configs]]\n",
                "[[ovh_connect.datacenter_configs]]\n",
                "[[ovh_connect.extras]]\n",
                "name = \"t\"\n",
                "\n",
                "# comment\n",
            ][..]
        )
        .prop_map(str::to_string),
        "[ -~]{0,20}\n",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// (a) Any text at all.
    #[test]
    fn any_string_is_a_topology_or_a_located_error(text in any::<String>()) {
        check(&text);
    }

    /// (a) Text that looks like a topology, so the parser gets past the TOML.
    #[test]
    fn toml_like_text_is_a_topology_or_a_located_error(text in toml_like()) {
        check(&text);
    }

    /// (b) The real files, mutated.
    #[test]
    fn mutated_real_files_are_a_topology_or_a_located_error(
        file in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(200), 1..6),
    ) {
        let files = real_files();
        let (_, text) = &files[file.index(files.len())];
        check(&apply(text, &mutations));
    }
}

/// The mutations reach past the TOML syntax: some mutated files still parse, and some fail in
/// the format's own checks (references by name, the tables' keys), not only in TOML.
#[test]
fn mutations_reach_the_format_s_own_checks() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(200), 1..6),
    );
    let (mut parsed, mut format_errors, mut toml_errors) = (0, 0, 0);
    for _ in 0..1000 {
        let (file, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        let files = real_files();
        let text = apply(&files[file.index(files.len())].1, &mutations);
        match topology::format::parse(PATH, &text) {
            Ok(_) => parsed += 1,
            Err(e) if e.message.starts_with('[') || e.message.starts_with("unknown field") => {
                format_errors += 1
            }
            Err(_) => toml_errors += 1,
        }
    }
    eprintln!("parsed {parsed}, format errors {format_errors}, other errors {toml_errors}");
    assert!(
        parsed > 50 && format_errors > 50 && toml_errors > 50,
        "parsed {parsed}, format errors {format_errors}, other errors {toml_errors}"
    );
}
