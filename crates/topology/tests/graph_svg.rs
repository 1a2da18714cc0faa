//! `peerlab graph`'s SVG for every topology in topologies/: Graphviz lays it out, the result is
//! well-formed XML, an `<svg>` document, and every node's name is written in it.

use std::path::Path;
use topology::format;
use topology::graph::{self, NodeKind};

#[test]
fn every_topology_renders_to_an_svg_with_every_node_name() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../topologies");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "topologies/ has {} files", files.len());
    for file in &files {
        let topology = format::load(file).unwrap();
        let graph = graph::build(&topology, None);
        assert!(!graph.nodes.is_empty(), "{}", file.display());
        let svg = graph::svg(&graph.to_dot()).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let options = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&svg, options)
            .unwrap_or_else(|e| panic!("{}: not XML: {e}", file.display()));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        for node in &graph.nodes {
            assert!(
                texts.contains(&node.name.as_str()),
                "{}: node {:?} not in the SVG's texts {texts:?}",
                file.display(),
                node.name
            );
        }
        // Every router is drawn with its kind.
        for node in graph
            .nodes
            .iter()
            .filter(|n| matches!(n.kind, NodeKind::Router(_)))
        {
            assert!(
                texts.iter().any(|t| t.contains(&node.detail[0])),
                "{}: {:?}",
                file.display(),
                node.detail
            );
        }
    }
}

#[test]
fn a_bad_dot_text_is_an_error_not_a_picture() {
    let e = graph::svg("graph { a -- }").unwrap_err();
    assert!(e.to_string().contains("Graphviz's `dot` failed"), "{e}");
}
