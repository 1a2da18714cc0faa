//! How each daemon says what a router adds to some of the routes it announces
//! ([`ExportTags`]: communities, route targets, large communities, MED, its own AS prepended):
//! an FRR route-map per family, a BIRD export filter, a GoBGP export policy.
//!
//! For tests that need such attributes on the wire (the golden captures); a router without
//! tags exports its routes unchanged.

use super::config::{ExportTags, Family};
use ipnet::IpNet;
use std::fmt::Write as _;

impl ExportTags {
    /// The tagged prefixes of one family.
    fn prefixes_of(&self, family: Family) -> impl Iterator<Item = &IpNet> {
        self.prefixes
            .iter()
            .filter(move |p| matches!(p, IpNet::V4(_)) == (family == Family::Ipv4))
    }

    /// FRR: a prefix-list `TAGGED4`/`TAGGED6` of the tagged prefixes and a route-map
    /// `EXPORT4`/`EXPORT6` that sets the attributes on them and lets every other route pass
    /// unchanged; empty when nothing is tagged. A route-map on a prefix-list that does not
    /// exist (a family without tagged prefixes) matches nothing.
    pub(super) fn frr(&self, asn: u32) -> String {
        let mut out = String::new();
        if self.is_empty() {
            return out;
        }
        for (family, ip, n) in [(Family::Ipv4, "ip", 4), (Family::Ipv6, "ipv6", 6)] {
            for p in self.prefixes_of(family) {
                let _ = writeln!(out, "{ip} prefix-list TAGGED{n} permit {p}");
            }
            let _ = writeln!(
                out,
                "route-map EXPORT{n} permit 10\n match {ip} address prefix-list TAGGED{n}"
            );
            if !self.communities.is_empty() {
                let list: Vec<String> = self
                    .communities
                    .iter()
                    .map(|(a, v)| format!("{a}:{v}"))
                    .collect();
                let _ = writeln!(out, " set community {}", list.join(" "));
            }
            if !self.route_targets.is_empty() {
                let list: Vec<String> = self
                    .route_targets
                    .iter()
                    .map(|(a, v)| format!("{a}:{v}"))
                    .collect();
                let _ = writeln!(out, " set extcommunity rt {}", list.join(" "));
            }
            if !self.large_communities.is_empty() {
                let list: Vec<String> = self
                    .large_communities
                    .iter()
                    .map(|(g, a, b)| format!("{g}:{a}:{b}"))
                    .collect();
                let _ = writeln!(out, " set large-community {}", list.join(" "));
            }
            if let Some(med) = self.med {
                let _ = writeln!(out, " set metric {med}");
            }
            if self.prepend > 0 {
                let path = vec![asn.to_string(); usize::from(self.prepend)];
                let _ = writeln!(out, " set as-path prepend {}", path.join(" "));
            }
            let _ = writeln!(out, "route-map EXPORT{n} permit 20");
        }
        out
    }

    /// BIRD: the body of an export filter of one channel that takes the routes of the static
    /// protocol `statics`, tagging the tagged ones.
    pub(super) fn bird_filter(&self, family: Family, statics: &str, asn: u32) -> String {
        let mut out = format!("if proto != \"{statics}\" then reject; ");
        let set: Vec<String> = self.prefixes_of(family).map(IpNet::to_string).collect();
        if !set.is_empty() {
            let _ = write!(out, "if net ~ [ {} ] then {{ ", set.join(", "));
            for (a, v) in &self.communities {
                let _ = write!(out, "bgp_community.add(({a}, {v})); ");
            }
            for (a, v) in &self.route_targets {
                let _ = write!(out, "bgp_ext_community.add((rt, {a}, {v})); ");
            }
            for (g, a, b) in &self.large_communities {
                let _ = write!(out, "bgp_large_community.add(({g}, {a}, {b})); ");
            }
            if let Some(med) = self.med {
                let _ = write!(out, "bgp_med = {med}; ");
            }
            for _ in 0..self.prepend {
                let _ = write!(out, "bgp_path.prepend({asn}); ");
            }
            out.push_str("} ");
        }
        out.push_str("accept;");
        out
    }

    /// GoBGP: the global export policy `peerlab-export`, one statement per family with tagged
    /// prefixes, every other route accepted unchanged; empty when nothing is tagged.
    pub(super) fn gobgp(&self, asn: u32) -> String {
        let mut out = String::new();
        if self.is_empty() {
            return out;
        }
        out.push_str(
            "\n[global.apply-policy.config]\n  \
               export-policy-list = [\"peerlab-export\"]\n  \
               default-export-policy = \"accept-route\"\n",
        );
        let families = [(Family::Ipv4, "tagged4"), (Family::Ipv6, "tagged6")];
        let used: Vec<(Family, &str)> = families
            .into_iter()
            .filter(|(f, _)| self.prefixes_of(*f).next().is_some())
            .collect();
        for (family, set) in &used {
            let _ = writeln!(
                out,
                "\n[[defined-sets.prefix-sets]]\n  prefix-set-name = \"{set}\""
            );
            for p in self.prefixes_of(*family) {
                let _ = writeln!(
                    out,
                    "  [[defined-sets.prefix-sets.prefix-list]]\n    ip-prefix = \"{p}\""
                );
            }
        }
        out.push_str("\n[[policy-definitions]]\n  name = \"peerlab-export\"\n");
        let actions = "policy-definitions.statements.actions";
        for (_, set) in &used {
            let _ = write!(
                out,
                "  [[policy-definitions.statements]]\n    \
                   name = \"{set}\"\n    \
                   [policy-definitions.statements.conditions.match-prefix-set]\n      \
                     prefix-set = \"{set}\"\n      \
                     match-set-options = \"any\"\n    \
                   [{actions}]\n      \
                     route-disposition = \"accept-route\"\n"
            );
            if let Some(med) = self.med {
                let _ = writeln!(
                    out,
                    "    [{actions}.bgp-actions]\n      set-med = \"{med}\""
                );
            }
            if self.prepend > 0 {
                let _ = writeln!(
                    out,
                    "    [{actions}.bgp-actions.set-as-path-prepend]\n      \
                       as = \"{asn}\"\n      \
                       repeat-n = {}",
                    self.prepend
                );
            }
            let lists = [
                (
                    "set-community",
                    self.communities
                        .iter()
                        .map(|(a, v)| format!("\"{a}:{v}\""))
                        .collect::<Vec<_>>(),
                ),
                (
                    "set-ext-community",
                    self.route_targets
                        .iter()
                        .map(|(a, v)| format!("\"rt:{a}:{v}\""))
                        .collect(),
                ),
                (
                    "set-large-community",
                    self.large_communities
                        .iter()
                        .map(|(g, a, b)| format!("\"{g}:{a}:{b}\""))
                        .collect(),
                ),
            ];
            for (action, list) in lists {
                if list.is_empty() {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "    [{actions}.bgp-actions.{action}]\n      \
                       options = \"add\"\n      \
                       [{actions}.bgp-actions.{action}.{action}-method]\n        \
                         communities-list = [{}]",
                    list.join(", ")
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> ExportTags {
        ExportTags {
            prefixes: vec![
                "10.1.0.0/16".parse().unwrap(),
                "2001:db8:1::/48".parse().unwrap(),
            ],
            communities: vec![(65000, 100), (65000, 200)],
            route_targets: vec![(65000, 300)],
            large_communities: vec![(4_200_000_001, 1, 2)],
            med: Some(50),
            prepend: 2,
        }
    }

    #[test]
    fn nothing_tagged_is_nothing_said() {
        let none = ExportTags::default();
        assert_eq!(none.frr(65001), "");
        assert_eq!(none.gobgp(65001), "");
        assert_eq!(
            none.bird_filter(Family::Ipv4, "static4", 65001),
            "if proto != \"static4\" then reject; accept;"
        );
    }

    #[test]
    fn frr_route_maps_set_every_attribute() {
        let text = tags().frr(4_200_000_001);
        for line in [
            "ip prefix-list TAGGED4 permit 10.1.0.0/16",
            "ipv6 prefix-list TAGGED6 permit 2001:db8:1::/48",
            " set community 65000:100 65000:200",
            " set extcommunity rt 65000:300",
            " set large-community 4200000001:1:2",
            " set metric 50",
            " set as-path prepend 4200000001 4200000001",
            "route-map EXPORT6 permit 20",
        ] {
            assert!(text.lines().any(|l| l == line), "{line:?} missing:\n{text}");
        }
    }

    #[test]
    fn bird_filter_tags_its_family_only() {
        let v6 = tags().bird_filter(Family::Ipv6, "static6", 64512);
        assert!(v6.contains("if net ~ [ 2001:db8:1::/48 ] then {"), "{v6}");
        assert!(
            v6.contains("bgp_ext_community.add((rt, 65000, 300));"),
            "{v6}"
        );
        assert_eq!(v6.matches("bgp_path.prepend(64512);").count(), 2, "{v6}");
        assert!(!v6.contains("10.1.0.0/16"), "{v6}");
    }

    #[test]
    fn gobgp_policy_is_toml_with_a_statement_per_family() {
        let text = tags().gobgp(4_200_000_001);
        assert_eq!(text.matches("[[policy-definitions.statements]]").count(), 2);
        assert!(
            text.contains("communities-list = [\"rt:65000:300\"]"),
            "{text}"
        );
        assert!(text.contains("repeat-n = 2"), "{text}");
        // One family only: no empty prefix set.
        let v4 = ExportTags {
            prefixes: vec!["10.1.0.0/16".parse().unwrap()],
            ..tags()
        }
        .gobgp(1);
        assert!(!v4.contains("tagged6"), "{v4}");
    }
}
