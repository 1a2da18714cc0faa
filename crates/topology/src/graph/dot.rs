//! Graphviz DOT: clusters as `subgraph cluster_N`, cables solid (thick when tagged), sessions
//! dashed in their state's colour, attachments dotted.

use super::{EdgeKind, Graph, Node, NodeKind, SessionColour};
use std::fmt::Write as _;

impl Graph {
    /// The graph in Graphviz's DOT language (`dot -Tsvg` draws it).
    pub fn to_dot(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "graph {} {{", quote(&self.name));
        let _ = writeln!(
            out,
            "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=14, labelloc=t, label={}];",
            quote(&self.name)
        );
        out.push_str("  node [fontname=\"Helvetica\", fontsize=11, style=\"rounded,filled\"];\n");
        out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
        self.write_cluster(&mut out, None, 1);
        for e in &self.edges {
            let label = quote(&e.full_label());
            let style = match &e.kind {
                EdgeKind::Cable { vlan: Some(_) } => "penwidth=2.5".to_string(),
                EdgeKind::Cable { vlan: None } => "penwidth=1.5".to_string(),
                EdgeKind::Attachment => "style=dotted, color=\"#616161\"".to_string(),
                EdgeKind::Session { state, .. } => {
                    let rgb = SessionColour::of(*state).rgb();
                    format!("style=dashed, penwidth=1.5, color=\"{rgb}\", fontcolor=\"{rgb}\"")
                }
            };
            let _ = writeln!(
                out,
                "  {} -- {} [label={label}, {style}];",
                quote(&e.from),
                quote(&e.to)
            );
        }
        out.push_str("}\n");
        out
    }

    /// The nodes and sub-clusters of `cluster` (the root when `None`).
    fn write_cluster(&self, out: &mut String, cluster: Option<&str>, depth: usize) {
        let indent = "  ".repeat(depth);
        for n in self
            .nodes
            .iter()
            .filter(|n| n.cluster.as_deref() == cluster)
        {
            let _ = writeln!(out, "{indent}{} [{}];", quote(&n.id), node_attributes(n));
        }
        for (i, c) in self.clusters.iter().enumerate() {
            if c.parent.as_deref() != cluster {
                continue;
            }
            let _ = writeln!(out, "{indent}subgraph cluster_{i} {{");
            let _ = writeln!(
                out,
                "{indent}  label={}; style=rounded; color=\"#9e9e9e\";",
                quote(&c.label)
            );
            self.write_cluster(out, Some(&c.id), depth + 1);
            let _ = writeln!(out, "{indent}}}");
        }
    }
}

fn node_attributes(n: &Node) -> String {
    let (shape, fill) = match n.kind {
        NodeKind::Router(_) => ("box", "#bbdefb"),
        NodeKind::Host => ("box", "#eeeeee"),
        NodeKind::Pop => ("hexagon", "#e1bee7"),
        NodeKind::Vrf => ("box3d", "#d1c4e9"),
        NodeKind::PrivateNetwork => ("box", "#c8e6c9"),
        NodeKind::Lb => ("component", "#ffe0b2"),
        NodeKind::OvhPop => ("hexagon", "#b3e5fc"),
        NodeKind::OvhDatacenter => ("cylinder", "#b2ebf2"),
    };
    let mut label = n.name.clone();
    for line in &n.detail {
        label.push('\n');
        label.push_str(line);
    }
    format!(
        "label={}, shape={shape}, fillcolor=\"{fill}\"",
        quote(&label)
    )
}

/// A DOT double-quoted string: `"` and `\` escaped, a newline as `\n` (a centred line break).
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_escapes_what_dot_reads() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("a\nb"), r#""a\nb""#);
    }
}
