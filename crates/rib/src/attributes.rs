//! The usable path attributes of a route, taken from an UPDATE's attribute list, and the
//! attributes sent to a peer (RFC 4271 §5, §9.1.3; RFC 6793 §4.2.3).
//!
//! One [`PathAttributes`] is built per UPDATE (per next hop) and shared through an `Arc` by every
//! prefix the UPDATE carries; the Adj-RIB-In also interns equal sets of different UPDATEs, so a
//! table of a million routes holds as many attribute sets as it has distinct paths.
//!
//! What is *not* kept: attributes bgp-wire marked [`AttributeValue::Malformed`] (RFC 7606
//! attribute-discard, repeats, AS4_* between 4-octet speakers), unknown optional
//! non-transitive attributes (RFC 4271 §5: quietly ignored) and MP_REACH/MP_UNREACH themselves.
//! Unknown optional transitive attributes are kept raw for re-advertisement.

use bgp_wire::attribute::{
    Aggregator, AsPath, AsSegment, Community, ExtendedCommunity, LargeCommunity, NextHop, Origin,
    flags,
};
use bgp_wire::{AS_TRANS, AttributeValue, PathAttribute};
use std::net::Ipv4Addr;

/// The LOCAL_PREF of a route that has none, and of every eBGP-learned route (RFC 4271 §5.1.5:
/// a LOCAL_PREF received from an external peer is ignored).
pub const DEFAULT_LOCAL_PREF: u32 = 100;

/// A well-known mandatory attribute an UPDATE announcing routes lacks (RFC 4271 §5). bgp-wire
/// already reports this as RFC 7606 treat-as-withdraw; the Adj-RIB-In checks again rather than
/// trusting its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("UPDATE announces routes without a usable {0}")]
pub struct MissingAttribute(pub &'static str);

/// The attributes of a route that the RIB uses and re-advertises.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PathAttributes {
    /// ORIGIN.
    pub origin: Origin,
    /// AS_PATH, with AS4_PATH merged in when the session carries 2-octet AS numbers.
    pub as_path: AsPath,
    /// NEXT_HOP for IPv4 NLRI, or the MP_REACH_NLRI next hop.
    pub next_hop: NextHop,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// LOCAL_PREF as received (see [`PathAttributes::local_pref_or_default`]).
    pub local_pref: Option<u32>,
    /// ATOMIC_AGGREGATE.
    pub atomic_aggregate: bool,
    /// AGGREGATOR (AS4_AGGREGATOR merged in).
    pub aggregator: Option<Aggregator>,
    /// COMMUNITIES.
    pub communities: Vec<Community>,
    /// EXTENDED COMMUNITIES.
    pub extended_communities: Vec<ExtendedCommunity>,
    /// LARGE_COMMUNITY.
    pub large_communities: Vec<LargeCommunity>,
    /// ORIGINATOR_ID.
    pub originator_id: Option<Ipv4Addr>,
    /// CLUSTER_LIST.
    pub cluster_list: Vec<Ipv4Addr>,
    /// Optional transitive attributes this implementation does not interpret, as received.
    pub unknown_transitive: Vec<PathAttribute>,
}

/// How attributes are rewritten for one peer (RFC 4271 §5.1.2, §5.1.3, §5.1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Export {
    /// This speaker's AS.
    pub local_as: u32,
    /// This speaker's address on the session: the next hop toward an external peer.
    pub next_hop: NextHop,
    /// Whether the peer is external.
    pub ebgp: bool,
}

impl PathAttributes {
    /// The attributes of a locally originated route: ORIGIN IGP, empty AS_PATH.
    pub fn local(next_hop: NextHop) -> Self {
        Self {
            origin: Origin::Igp,
            as_path: AsPath::default(),
            next_hop,
            med: None,
            local_pref: None,
            atomic_aggregate: false,
            aggregator: None,
            communities: Vec::new(),
            extended_communities: Vec::new(),
            large_communities: Vec::new(),
            originator_id: None,
            cluster_list: Vec::new(),
            unknown_transitive: Vec::new(),
        }
    }

    /// The usable attributes of an UPDATE's list, for routes reached through `next_hop` (the
    /// NEXT_HOP attribute for the NLRI field, the MP_REACH_NLRI next hop for its NLRI).
    pub fn from_wire(
        attributes: &[PathAttribute],
        next_hop: NextHop,
    ) -> Result<Self, MissingAttribute> {
        let mut origin = None;
        let mut as_path = None;
        let mut as4_path = None;
        let mut as4_aggregator = None;
        let mut out = Self::local(next_hop);
        for a in attributes {
            match &a.value {
                AttributeValue::Origin(o) => origin = Some(*o),
                AttributeValue::AsPath(p) => as_path = Some(p),
                AttributeValue::As4Path(p) => as4_path = Some(p),
                AttributeValue::MultiExitDisc(v) => out.med = Some(*v),
                AttributeValue::LocalPref(v) => out.local_pref = Some(*v),
                AttributeValue::AtomicAggregate => out.atomic_aggregate = true,
                AttributeValue::Aggregator(g) => out.aggregator = Some(*g),
                AttributeValue::As4Aggregator(g) => as4_aggregator = Some(*g),
                AttributeValue::Communities(c) => out.communities.clone_from(c),
                AttributeValue::ExtendedCommunities(c) => out.extended_communities.clone_from(c),
                AttributeValue::LargeCommunities(c) => out.large_communities.clone_from(c),
                AttributeValue::OriginatorId(id) => out.originator_id = Some(*id),
                AttributeValue::ClusterList(c) => out.cluster_list.clone_from(c),
                AttributeValue::Unknown { type_code, value } => {
                    let f = a
                        .flags
                        .unwrap_or_else(|| PathAttribute::usual_flags(*type_code, value.len()));
                    let optional_transitive = flags::OPTIONAL | flags::TRANSITIVE;
                    if f & optional_transitive == optional_transitive {
                        out.unknown_transitive.push(a.clone());
                    }
                }
                // NEXT_HOP is the caller's `next_hop`; MP attributes carry NLRI, not path
                // information; Malformed ones must not be used (RFC 7606).
                AttributeValue::NextHop(_)
                | AttributeValue::MpReachNlri(_)
                | AttributeValue::MpUnreachNlri(_)
                | AttributeValue::Malformed { .. } => {}
            }
        }
        out.origin = origin.ok_or(MissingAttribute("ORIGIN"))?;
        let as_path = as_path.ok_or(MissingAttribute("AS_PATH"))?;
        // RFC 6793 §4.2.3: an AGGREGATOR from a 4-octet speaker (not AS_TRANS) means AS4_PATH
        // and AS4_AGGREGATOR were added by someone else and are ignored.
        let aggregator_is_new = out.aggregator.is_some_and(|g| g.asn != u32::from(AS_TRANS));
        if aggregator_is_new && as4_aggregator.is_some() {
            as4_path = None;
        } else if let Some(g) = as4_aggregator.filter(|_| out.aggregator.is_some()) {
            out.aggregator = Some(g);
        }
        out.as_path = match as4_path {
            Some(as4) => merge_as4_path(as_path, as4),
            None => as_path.clone(),
        };
        Ok(out)
    }

    /// The degree of preference of a route with these attributes (RFC 4271 §9.1.1): LOCAL_PREF
    /// for a route learned from an internal peer or originated here, [`DEFAULT_LOCAL_PREF`] for
    /// one learned from an external peer, or when there is none.
    pub fn local_pref_or_default(&self, learned_from_ebgp: bool) -> u32 {
        match self.local_pref {
            Some(v) if !learned_from_ebgp => v,
            _ => DEFAULT_LOCAL_PREF,
        }
    }

    /// The attributes sent to a peer for a route with these attributes.
    ///
    /// Toward an external peer (RFC 4271 §5.1.2–5.1.5): this AS prepended to AS_PATH (and
    /// confederation segments removed), NEXT_HOP set to this speaker, no LOCAL_PREF, no MED
    /// unless the route was originated here (`learned_from` is `None`), no ORIGINATOR_ID or
    /// CLUSTER_LIST. Toward an internal peer: LOCAL_PREF set to the degree of preference, the
    /// rest unchanged. Unknown optional transitive attributes get the Partial bit (RFC 4271 §5).
    ///
    /// `learned_from` says whether the route came from an external peer (`Some(true)`), an
    /// internal one (`Some(false)`) or from this speaker (`None`).
    pub fn export(&self, export: &Export, learned_from: Option<bool>) -> Self {
        let mut out = self.clone();
        if export.ebgp {
            out.as_path = prepend(&self.as_path, export.local_as);
            out.next_hop = export.next_hop;
            out.local_pref = None;
            if learned_from.is_some() {
                out.med = None;
            }
            out.originator_id = None;
            out.cluster_list.clear();
        } else {
            out.local_pref = Some(self.local_pref_or_default(learned_from == Some(true)));
        }
        for a in &mut out.unknown_transitive {
            let len = a.value.value_len(&bgp_wire::Context::default());
            let f = a
                .flags
                .unwrap_or_else(|| PathAttribute::usual_flags(a.value.type_code(), len));
            a.flags = Some(f | flags::PARTIAL);
        }
        out
    }

    /// The attributes as a list for an UPDATE, in type code order, without NEXT_HOP and
    /// MP_REACH_NLRI (see [`crate::packing`], which adds whichever the family needs).
    pub fn to_wire(&self) -> Vec<PathAttribute> {
        let mut v = Vec::with_capacity(8 + self.unknown_transitive.len());
        let mut push = |value| v.push(PathAttribute::new(value));
        push(AttributeValue::Origin(self.origin));
        push(AttributeValue::AsPath(self.as_path.clone()));
        if let Some(med) = self.med {
            push(AttributeValue::MultiExitDisc(med));
        }
        if let Some(lp) = self.local_pref {
            push(AttributeValue::LocalPref(lp));
        }
        if self.atomic_aggregate {
            push(AttributeValue::AtomicAggregate);
        }
        if let Some(g) = self.aggregator {
            push(AttributeValue::Aggregator(g));
        }
        if !self.communities.is_empty() {
            push(AttributeValue::Communities(self.communities.clone()));
        }
        if let Some(id) = self.originator_id {
            push(AttributeValue::OriginatorId(id));
        }
        if !self.cluster_list.is_empty() {
            push(AttributeValue::ClusterList(self.cluster_list.clone()));
        }
        if !self.extended_communities.is_empty() {
            push(AttributeValue::ExtendedCommunities(
                self.extended_communities.clone(),
            ));
        }
        if !self.large_communities.is_empty() {
            push(AttributeValue::LargeCommunities(
                self.large_communities.clone(),
            ));
        }
        v.extend(self.unknown_transitive.iter().cloned());
        v.sort_by_key(|a| a.value.type_code());
        v
    }

    /// Whether the route carries a community.
    pub fn has_community(&self, c: Community) -> bool {
        self.communities.contains(&c)
    }

    /// Whether an AS appears in AS_PATH (a routing loop when it is this speaker's AS,
    /// RFC 4271 §9.1.2).
    pub fn as_path_contains(&self, asn: u32) -> bool {
        self.as_path.0.iter().any(|s| match s {
            AsSegment::Sequence(a) | AsSegment::Set(a) => a.contains(&asn),
            _ => false,
        })
    }
}

/// `asn` in front of the path, in its first AS_SEQUENCE when there is room (RFC 4271 §5.1.2),
/// confederation segments dropped (RFC 5065 §5.3).
fn prepend(path: &AsPath, asn: u32) -> AsPath {
    let mut segments: Vec<AsSegment> = path
        .0
        .iter()
        .filter(|s| matches!(s, AsSegment::Sequence(_) | AsSegment::Set(_)))
        .cloned()
        .collect();
    match segments.first_mut() {
        Some(AsSegment::Sequence(a)) if a.len() < 255 => a.insert(0, asn),
        _ => segments.insert(0, AsSegment::Sequence(vec![asn])),
    }
    AsPath(segments)
}

/// The path of a route from a 2-octet speaker (RFC 6793 §4.2.3): the leading ASes of AS_PATH
/// that AS4_PATH does not cover, then AS4_PATH. An AS4_PATH longer than AS_PATH is ignored.
fn merge_as4_path(as_path: &AsPath, as4: &AsPath) -> AsPath {
    let (len, len4) = (as_path.route_len(), as4.route_len());
    if len < len4 {
        return as_path.clone();
    }
    let mut need = len - len4;
    let mut segments = Vec::with_capacity(as_path.0.len() + as4.0.len());
    for s in &as_path.0 {
        if need == 0 {
            break;
        }
        match s {
            AsSegment::Sequence(a) => {
                let head: Vec<u32> = a.iter().copied().take(need).collect();
                need -= head.len();
                segments.push(AsSegment::Sequence(head));
            }
            AsSegment::Set(_) => {
                need -= 1;
                segments.push(s.clone());
            }
            _ => segments.push(s.clone()),
        }
    }
    for s in &as4.0 {
        match (segments.last_mut(), s) {
            (Some(AsSegment::Sequence(last)), AsSegment::Sequence(next))
                if last.len() + next.len() <= 255 =>
            {
                last.extend_from_slice(next)
            }
            _ => segments.push(s.clone()),
        }
    }
    AsPath(segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bgp_wire::attribute::AsSegment::{Sequence, Set};
    use bgp_wire::attribute::type_code;

    fn attr(v: AttributeValue) -> PathAttribute {
        PathAttribute::new(v)
    }

    fn base() -> Vec<PathAttribute> {
        vec![
            attr(AttributeValue::Origin(Origin::Egp)),
            attr(AttributeValue::AsPath(AsPath(vec![Sequence(vec![
                65001, 65002,
            ])]))),
            attr(AttributeValue::NextHop(Ipv4Addr::new(192, 0, 2, 1))),
        ]
    }

    const NH: NextHop = NextHop::Ipv4(Ipv4Addr::new(192, 0, 2, 1));

    #[test]
    fn malformed_and_non_transitive_unknown_attributes_are_not_used() {
        let mut list = base();
        list.push(attr(AttributeValue::Malformed {
            type_code: type_code::MULTI_EXIT_DISC,
            value: vec![1, 2],
        }));
        list.push(PathAttribute {
            flags: Some(flags::OPTIONAL),
            value: AttributeValue::Unknown {
                type_code: 99,
                value: vec![1],
            },
        });
        let transitive = attr(AttributeValue::Unknown {
            type_code: 98,
            value: vec![2],
        });
        list.push(transitive.clone());
        let a = PathAttributes::from_wire(&list, NH).unwrap();
        assert_eq!(a.origin, Origin::Egp);
        assert_eq!(a.med, None);
        assert_eq!(a.unknown_transitive, vec![transitive]);
    }

    #[test]
    fn missing_as_path_is_reported() {
        let list = vec![attr(AttributeValue::Origin(Origin::Igp))];
        assert_eq!(
            PathAttributes::from_wire(&list, NH),
            Err(MissingAttribute("AS_PATH"))
        );
        let malformed = vec![attr(AttributeValue::Malformed {
            type_code: type_code::ORIGIN,
            value: vec![7],
        })];
        assert_eq!(
            PathAttributes::from_wire(&malformed, NH),
            Err(MissingAttribute("ORIGIN"))
        );
    }

    #[test]
    fn as4_path_replaces_the_tail_of_as_path() {
        let t = u32::from(AS_TRANS);
        let mut list = base();
        list[1] = attr(AttributeValue::AsPath(AsPath(vec![Sequence(vec![
            65001, t, t,
        ])])));
        list.push(attr(AttributeValue::As4Path(AsPath(vec![Sequence(vec![
            4_200_000_001,
            4_200_000_002,
        ])]))));
        let a = PathAttributes::from_wire(&list, NH).unwrap();
        assert_eq!(
            a.as_path,
            AsPath(vec![Sequence(vec![65001, 4_200_000_001, 4_200_000_002])])
        );
    }

    #[test]
    fn longer_as4_path_is_ignored() {
        let mut list = base();
        list.push(attr(AttributeValue::As4Path(AsPath(vec![Sequence(vec![
            1, 2, 3,
        ])]))));
        let a = PathAttributes::from_wire(&list, NH).unwrap();
        assert_eq!(a.as_path, AsPath(vec![Sequence(vec![65001, 65002])]));
    }

    #[test]
    fn ebgp_export_prepends_sets_next_hop_and_drops_local_pref_and_med() {
        let mut list = base();
        list.push(attr(AttributeValue::LocalPref(300)));
        list.push(attr(AttributeValue::MultiExitDisc(5)));
        list.push(attr(AttributeValue::Unknown {
            type_code: 98,
            value: vec![2],
        }));
        let a = PathAttributes::from_wire(&list, NH).unwrap();
        let me = NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 0));
        let e = Export {
            local_as: 12876,
            next_hop: me,
            ebgp: true,
        };
        let out = a.export(&e, Some(true));
        assert_eq!(
            out.as_path,
            AsPath(vec![Sequence(vec![12876, 65001, 65002])])
        );
        assert_eq!(out.next_hop, me);
        assert_eq!(out.local_pref, None);
        assert_eq!(out.med, None);
        assert_eq!(
            out.unknown_transitive[0].flags,
            Some(flags::OPTIONAL | flags::TRANSITIVE | flags::PARTIAL)
        );
        // A locally originated route keeps its MED.
        assert_eq!(a.export(&e, None).med, Some(5));
    }

    #[test]
    fn ibgp_export_sets_local_pref_and_keeps_path() {
        let a = PathAttributes::from_wire(&base(), NH).unwrap();
        let e = Export {
            local_as: 12876,
            next_hop: NextHop::Ipv4(Ipv4Addr::LOCALHOST),
            ebgp: false,
        };
        let out = a.export(&e, Some(true));
        assert_eq!(out.as_path, a.as_path);
        assert_eq!(out.next_hop, NH);
        assert_eq!(out.local_pref, Some(DEFAULT_LOCAL_PREF));
    }

    #[test]
    fn prepend_starts_a_sequence_before_a_set_or_a_full_sequence() {
        let p = prepend(&AsPath(vec![Set(vec![1, 2])]), 9);
        assert_eq!(p, AsPath(vec![Sequence(vec![9]), Set(vec![1, 2])]));
        let full = AsPath(vec![Sequence(vec![1; 255])]);
        assert_eq!(prepend(&full, 9).0.len(), 2);
        assert_eq!(
            prepend(&AsPath::default(), 9),
            AsPath(vec![Sequence(vec![9])])
        );
    }

    #[test]
    fn local_pref_from_ebgp_is_ignored() {
        let mut list = base();
        list.push(attr(AttributeValue::LocalPref(300)));
        let a = PathAttributes::from_wire(&list, NH).unwrap();
        assert_eq!(a.local_pref_or_default(true), DEFAULT_LOCAL_PREF);
        assert_eq!(a.local_pref_or_default(false), 300);
    }

    #[test]
    fn to_wire_is_in_type_code_order() {
        let mut a = PathAttributes::local(NH);
        a.large_communities.push(LargeCommunity([1, 2, 3]));
        a.communities.push(Community(1));
        a.med = Some(1);
        let codes: Vec<u8> = a.to_wire().iter().map(|a| a.value.type_code()).collect();
        assert_eq!(codes, vec![1, 2, 4, 8, 32]);
    }
}
