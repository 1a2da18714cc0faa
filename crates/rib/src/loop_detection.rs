//! AS_PATH loop detection (RFC 4271 §9.1.2): a route whose AS_PATH holds the receiving
//! speaker's own AS has already crossed it, and is not accepted.
//!
//! Routers do this by default (FRR and BIRD treat the UPDATE's routes as withdrawn; FRR's
//! `allowas-in` lifts it). Confederation segments are not looked at (RFC 5065 has its own
//! rule). This module only answers the question; the Adj-RIB-In applies the answer as an
//! RFC 7606 treat-as-withdraw, so a route the peer announced before is withdrawn by a looping
//! replacement.
//!
//! ```
//! use bgp_wire::attribute::{AsPath, AsSegment};
//! use bgp_wire::{AttributeValue, PathAttribute, Update};
//!
//! let update = Update {
//!     attributes: vec![PathAttribute::new(AttributeValue::AsPath(AsPath(vec![
//!         AsSegment::Sequence(vec![64512, 12876]),
//!     ])))],
//!     ..Update::default()
//! };
//! assert!(rib::loop_detection::as_path_holds(&update, 12876));
//! assert!(rib::loop_detection::loop_verdict(&update, 64512, None).is_some());
//! assert!(!rib::loop_detection::as_path_holds(&update, 65000));
//! ```

use bgp_wire::attribute::{AsSegment, type_code};
use bgp_wire::rfc7606::Action;
use bgp_wire::{AttributeValue, Rfc7606, Update};

/// Whether an UPDATE's AS_PATH (or AS4_PATH) holds `asn` outside confederation segments.
pub fn as_path_holds(update: &Update, asn: u32) -> bool {
    update.attributes.iter().any(|a| match &a.value {
        AttributeValue::AsPath(path) | AttributeValue::As4Path(path) => {
            path.0.iter().any(|segment| match segment {
                AsSegment::Sequence(ases) | AsSegment::Set(ases) => ases.contains(&asn),
                AsSegment::ConfedSequence(_) | AsSegment::ConfedSet(_) => false,
            })
        }
        _ => false,
    })
}

/// The RFC 7606 verdict to apply to an UPDATE received by a speaker in `local_asn`: its routes
/// treated as withdrawn when the AS_PATH loops, `rfc7606` (the decoder's verdict) otherwise.
pub fn loop_verdict(update: &Update, local_asn: u32, rfc7606: Option<Rfc7606>) -> Option<Rfc7606> {
    if as_path_holds(update, local_asn) {
        Some(Rfc7606 {
            action: Action::TreatAsWithdraw,
            attribute: Some(type_code::AS_PATH),
        })
    } else {
        rfc7606
    }
}
