//! The outcomes of RFC 7606 ("Revised Error Handling for BGP UPDATE Messages") that let a
//! session survive a malformed UPDATE.

use serde::{Deserialize, Serialize};

/// What the receiver does with an UPDATE that has a malformed attribute (RFC 7606 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Ignore the malformed attribute and process the rest of the UPDATE.
    AttributeDiscard,
    /// Handle every route of the UPDATE (NLRI and MP_REACH_NLRI) as withdrawn.
    TreatAsWithdraw,
}

/// The RFC 7606 outcome of an UPDATE: the strongest action any of its errors requires, and the
/// attribute type that caused it (`None` when too few octets remained to read a type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rfc7606 {
    /// The action to apply.
    pub action: Action,
    /// The type code of the attribute concerned.
    pub attribute: Option<u8>,
}

impl Rfc7606 {
    /// Records an error, keeping the first of the strongest actions (RFC 7606 §3: the more
    /// severe approach applies when several errors are found).
    pub(crate) fn note(slot: &mut Option<Rfc7606>, action: Action, attribute: Option<u8>) {
        if slot.is_none_or(|s| action > s.action) {
            *slot = Some(Rfc7606 { action, attribute });
        }
    }
}
