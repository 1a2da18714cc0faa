//! The decision process's route selection (RFC 4271 §9.1.2.2): which of the routes to one
//! destination is the best.
//!
//! The tie-breaking rules are applied as the RFC writes them, by removing routes from a set, so
//! the result does not depend on the order the routes arrived in (the MED rule only compares
//! routes from the same neighbouring AS, which a pairwise "better than" cannot express). In order:
//!
//! 1. highest degree of preference: LOCAL_PREF, or 100 for a route learned over eBGP or without
//!    one (§9.1.1, §5.1.5);
//! 2. shortest AS_PATH ([`bgp_wire::attribute::AsPath::route_len`]: a set counts one);
//! 3. lowest ORIGIN (IGP < EGP < INCOMPLETE);
//! 4. lowest MULTI_EXIT_DISC among routes from the same neighbouring AS (the first AS of
//!    AS_PATH); a missing MED counts as 0;
//! 5. routes learned over eBGP over those learned over iBGP;
//! 6. (lowest IGP cost to the next hop: skipped, peerlab has no IGP);
//! 7. lowest BGP Identifier (the ORIGINATOR_ID when there is one, RFC 4456 §9), then shortest
//!    CLUSTER_LIST (RFC 4456 §9);
//! 8. lowest peer address;
//! 9. lowest ADD-PATH path id (not in the RFC: two paths from one peer must still be ordered).
//!
//! Excluding routes whose AS_PATH holds our own AS (§9.1.2) is the Loc-RIB's job.

use crate::attributes::PathAttributes;
use crate::route::{PeerId, Route};
use std::net::Ipv4Addr;
use std::sync::Arc;

/// A route to a known destination, as the decision process compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Where the route was learned ([`PeerId::local`] for our own).
    pub peer: PeerId,
    /// The ADD-PATH path id.
    pub path_id: Option<u32>,
    /// The attributes.
    pub attributes: Arc<PathAttributes>,
}

impl From<&Route> for Candidate {
    fn from(r: &Route) -> Self {
        Self {
            peer: r.peer,
            path_id: r.path_id,
            attributes: Arc::clone(&r.attributes),
        }
    }
}

impl Candidate {
    /// The degree of preference (step 1).
    pub fn degree_of_preference(&self) -> u32 {
        self.attributes
            .local_pref_or_default(self.peer.learned_from() == Some(true))
    }

    fn neighbour_as(&self) -> Option<u32> {
        self.attributes.as_path.first_asn()
    }

    fn med(&self) -> u32 {
        self.attributes.med.unwrap_or(0)
    }

    fn bgp_id(&self) -> Ipv4Addr {
        self.attributes.originator_id.unwrap_or(self.peer.bgp_id)
    }

    /// The final tie-breakers (steps 7–9), then the whole peer so that the order is total.
    fn tie_break_key(&self) -> impl Ord + use<> {
        (
            self.bgp_id(),
            self.attributes.cluster_list.len(),
            self.peer.address,
            self.path_id,
            self.peer,
        )
    }
}

/// The index of the best of `candidates`, `None` if there are none.
///
/// ```
/// use bgp_wire::attribute::NextHop;
/// use rib::decision::{Candidate, select};
/// use rib::{PathAttributes, PeerId};
/// use std::sync::Arc;
///
/// let peer = |n: u8| PeerId {
///     bgp_id: [192, 0, 2, n].into(),
///     address: [169, 254, 0, n].into(),
///     asn: 65000 + u32::from(n),
///     ebgp: true,
/// };
/// let mut attributes = PathAttributes::local(NextHop::Ipv4([169, 254, 0, 1].into()));
/// let short = Arc::new(attributes.clone());
/// attributes.as_path.0.push(bgp_wire::attribute::AsSegment::Sequence(vec![65001]));
/// let long = Arc::new(attributes);
/// let routes = [
///     Candidate { peer: peer(1), path_id: None, attributes: long },
///     Candidate { peer: peer(2), path_id: None, attributes: short },
/// ];
/// assert_eq!(select(&routes), Some(1)); // the shorter AS_PATH wins over the lower identifier
/// ```
pub fn select(candidates: &[Candidate]) -> Option<usize> {
    if candidates.len() <= 1 {
        return (!candidates.is_empty()).then_some(0);
    }
    let mut set: Vec<&Candidate> = candidates.iter().collect();
    keep_max(&mut set, |c| c.degree_of_preference());
    keep_max(&mut set, |c| {
        std::cmp::Reverse(c.attributes.as_path.route_len())
    });
    keep_max(&mut set, |c| std::cmp::Reverse(c.attributes.origin));
    // Step 4: drop a route when another from the same neighbouring AS has a lower MED.
    let meds: Vec<(Option<u32>, u32)> = set.iter().map(|c| (c.neighbour_as(), c.med())).collect();
    set.retain(|c| {
        let (asn, med) = (c.neighbour_as(), c.med());
        !meds.iter().any(|&(a, m)| a == asn && m < med)
    });
    if set.iter().any(|c| c.peer.ebgp) {
        set.retain(|c| c.peer.ebgp || c.peer.is_local());
    }
    let best = set.iter().min_by_key(|c| c.tie_break_key())?;
    candidates.iter().position(|c| std::ptr::eq(c, *best))
}

/// Keeps the candidates for which `key` is highest.
fn keep_max<K: Ord>(set: &mut Vec<&Candidate>, key: impl Fn(&Candidate) -> K) {
    if let Some(max) = set.iter().map(|c| key(c)).max() {
        set.retain(|c| key(c) == max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{attrs, peer};
    use bgp_wire::attribute::{AsPath, AsSegment, Origin};

    fn cand(n: u8, f: impl FnOnce(&mut PathAttributes)) -> Candidate {
        let mut a = attrs();
        f(&mut a);
        Candidate {
            peer: peer(n),
            path_id: None,
            attributes: Arc::new(a),
        }
    }

    fn path(asns: &[u32]) -> AsPath {
        AsPath(vec![AsSegment::Sequence(asns.to_vec())])
    }

    #[test]
    fn empty_and_single() {
        assert_eq!(select(&[]), None);
        assert_eq!(select(&[cand(1, |_| {})]), Some(0));
    }

    #[test]
    fn local_pref_beats_as_path_for_ibgp_routes() {
        let mut a = cand(1, |a| {
            a.local_pref = Some(200);
            a.as_path = path(&[1, 2, 3]);
        });
        a.peer.ebgp = false;
        let mut b = cand(2, |a| a.as_path = path(&[1]));
        b.peer.ebgp = false;
        assert_eq!(select(&[b.clone(), a.clone()]), Some(1));
        assert_eq!(select(&[a, b]), Some(0));
    }

    #[test]
    fn local_pref_from_ebgp_is_ignored() {
        let a = cand(1, |a| {
            a.local_pref = Some(500);
            a.as_path = path(&[1, 2, 3]);
        });
        let b = cand(2, |a| a.as_path = path(&[1]));
        assert_eq!(select(&[a, b]), Some(1));
    }

    #[test]
    fn as_set_counts_as_one() {
        let a = cand(1, |a| {
            a.as_path = AsPath(vec![AsSegment::Set(vec![1, 2, 3, 4])]);
        });
        let b = cand(2, |a| a.as_path = path(&[1, 2]));
        assert_eq!(select(&[b, a]), Some(1));
    }

    #[test]
    fn lowest_origin() {
        let a = cand(1, |a| a.origin = Origin::Incomplete);
        let b = cand(2, |a| a.origin = Origin::Egp);
        assert_eq!(select(&[a, b]), Some(1));
    }

    #[test]
    fn med_only_between_routes_from_the_same_neighbour_as() {
        // Same neighbour AS 65001: lower MED wins although its BGP identifier is higher.
        let a = cand(1, |a| {
            a.as_path = path(&[65001]);
            a.med = Some(20);
        });
        let b = cand(2, |a| {
            a.as_path = path(&[65001]);
            a.med = Some(10);
        });
        assert_eq!(select(&[a.clone(), b.clone()]), Some(1));
        // Different neighbour ASes: MED is not compared, the lowest identifier wins.
        let c = cand(2, |a| {
            a.as_path = path(&[65002]);
            a.med = Some(10);
        });
        assert_eq!(select(&[a, c]), Some(0));
    }

    #[test]
    fn missing_med_is_zero() {
        let a = cand(1, |a| a.med = Some(1));
        let b = cand(2, |_| {});
        assert_eq!(select(&[a, b]), Some(1));
    }

    #[test]
    fn med_is_not_transitive_but_the_result_is_order_independent() {
        // The classic MED cycle: A (AS 1, MED 10) beats B (AS 1, MED 20) on MED, B beats C (AS 2)
        // on identifier, C beats A on identifier.
        let a = cand(3, |a| {
            a.as_path = path(&[1]);
            a.med = Some(10);
        });
        let b = cand(1, |a| {
            a.as_path = path(&[1]);
            a.med = Some(20);
        });
        let c = cand(2, |a| a.as_path = path(&[2]));
        let all = [a, b, c];
        let best = &all[select(&all).unwrap()];
        for perm in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let v: Vec<Candidate> = perm.iter().map(|&i| all[i].clone()).collect();
            assert_eq!(&v[select(&v).unwrap()], best, "{perm:?}");
        }
        // B is eliminated by A's lower MED; C (id .2) then beats A (id .3).
        assert_eq!(best.peer, peer(2));
    }

    #[test]
    fn ebgp_over_ibgp() {
        let mut a = cand(1, |_| {});
        a.peer.ebgp = false;
        let b = cand(2, |_| {});
        assert_eq!(select(&[a, b]), Some(1));
    }

    #[test]
    fn lowest_bgp_identifier_then_peer_address() {
        let a = cand(2, |_| {});
        let b = cand(1, |_| {});
        assert_eq!(select(&[a, b]), Some(1));
        let mut c = cand(1, |_| {});
        c.peer.address = "169.254.0.9".parse().unwrap();
        let d = cand(1, |_| {});
        assert_eq!(select(&[c, d]), Some(1));
    }

    #[test]
    fn originator_id_stands_for_the_identifier() {
        let a = cand(1, |a| a.originator_id = Some(Ipv4Addr::new(192, 0, 2, 200)));
        let b = cand(2, |_| {});
        assert_eq!(select(&[a, b]), Some(1));
    }
}
