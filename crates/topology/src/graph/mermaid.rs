//! Mermaid (`flowchart LR`): clusters as `subgraph`, nodes `nN["…"]`, cables `---`, sessions
//! `-.-` coloured by `linkStyle`, attachments `-.-` in grey.

use super::{EdgeKind, Graph, NodeKind, SessionColour};
use std::collections::HashMap;
use std::fmt::Write as _;

impl Graph {
    /// The graph as a Mermaid flowchart (GitHub and GitLab render it in Markdown).
    pub fn to_mermaid(&self) -> String {
        let ids: HashMap<&str, String> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), format!("n{i}")))
            .collect();
        let mut out = String::from("flowchart LR\n");
        self.write_subgraph(&mut out, &ids, None, 1);
        let mut styles = Vec::new();
        let mut index = 0usize;
        for e in &self.edges {
            let (Some(from), Some(to)) = (ids.get(e.from.as_str()), ids.get(e.to.as_str())) else {
                continue;
            };
            let (arrow, style) = match &e.kind {
                EdgeKind::Cable { vlan: Some(_) } => ("===", None),
                EdgeKind::Cable { vlan: None } => ("---", None),
                EdgeKind::Attachment => ("-.-", Some("stroke:#9e9e9e".to_string())),
                EdgeKind::Session { state, .. } => {
                    let rgb = SessionColour::of(*state).rgb();
                    (
                        "-.-",
                        Some(format!("stroke:{rgb},color:{rgb},stroke-width:2px")),
                    )
                }
            };
            let label = e.full_label();
            if label.is_empty() {
                let _ = writeln!(out, "  {from} {arrow} {to}");
            } else {
                let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", escape(&label));
            }
            if let Some(style) = style {
                styles.push(format!("  linkStyle {index} {style}"));
            }
            index += 1;
        }
        for line in styles {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    fn write_subgraph(
        &self,
        out: &mut String,
        ids: &HashMap<&str, String>,
        cluster: Option<&str>,
        depth: usize,
    ) {
        let indent = "  ".repeat(depth);
        for n in self
            .nodes
            .iter()
            .filter(|n| n.cluster.as_deref() == cluster)
        {
            let Some(id) = ids.get(n.id.as_str()) else {
                continue;
            };
            let mut label = escape(&n.name);
            for line in &n.detail {
                label.push_str("<br/>");
                label.push_str(&escape(line));
            }
            let (open, close) = match n.kind {
                NodeKind::Router(_) | NodeKind::Host | NodeKind::PrivateNetwork => ("[", "]"),
                NodeKind::Pop | NodeKind::OvhPop => ("{{", "}}"),
                NodeKind::Vrf | NodeKind::Lb => ("[[", "]]"),
                NodeKind::OvhDatacenter => ("[(", ")]"),
            };
            let _ = writeln!(out, "{indent}{id}{open}\"{label}\"{close}");
        }
        for (i, c) in self.clusters.iter().enumerate() {
            if c.parent.as_deref() != cluster {
                continue;
            }
            let _ = writeln!(out, "{indent}subgraph c{i}[\"{}\"]", escape(&c.label));
            self.write_subgraph(out, ids, Some(&c.id), depth + 1);
            let _ = writeln!(out, "{indent}end");
        }
    }
}

/// Text inside a Mermaid `"…"` label: quotes and angle brackets as Mermaid's entity codes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' => out.push_str("<br/>"),
            c => out.push(c),
        }
    }
    out
}
