//! Malformed messages and the answer the RFCs require, one table row each.
//!
//! Every expectation is derived from the RFC text quoted in the row (RFC 4271 §4, §6; RFC 7606;
//! RFC 4760; RFC 5492; RFC 6286; RFC 6793; RFC 7313; RFC 8092; RFC 8654), not from what the crate
//! happens to do. A row the crate disagrees with stays in the table and fails.
//!
//! Conventions:
//! - "the attribute" as NOTIFICATION data is the whole attribute as received: flags, type code,
//!   length, value. RFC 4271 §4.3 defines the Attribute Type as "a two-octet field that consists
//!   of the Attribute Flags octet, followed by the Attribute Type Code octet", so the "(type,
//!   length, and value)" of §6.3 starts at the flags octet.
//! - Unless the row says otherwise the session is a modern one (4-octet AS, no ADD-PATH, 4096
//!   octet messages) and UPDATEs carry IPv4 NLRI, so that treat-as-withdraw has routes to
//!   withdraw (RFC 7606 §5.2 requires a session reset when an UPDATE with attribute errors other
//!   than attribute-discard announces nothing).
//! - LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST rows assume an internal peer: from an external
//!   peer RFC 7606 §7.5/§7.9/§7.10 discard the attribute whatever its form, which the session, not
//!   the codec, knows.
//! - Every row that decodes must re-encode to exactly the input bytes (malformed attributes are
//!   kept raw).
//!
//! One table per message kind: [`header`], [`route_refresh`], [`open`], [`update`],
//! [`attributes`], [`mp_nlri`]; [`support`] holds the byte builders and the checking.

mod attributes;
mod header;
mod mp_nlri;
mod open;
mod route_refresh;
mod support;
mod update;

/// The tables together keep every row (88 when they were split by message kind).
#[test]
fn the_tables_keep_every_row() {
    let rows = [
        header::cases().len(),
        route_refresh::cases().len(),
        open::cases().len(),
        update::cases().len(),
        attributes::cases().len(),
        mp_nlri::cases().len(),
    ];
    let total: usize = rows.iter().sum();
    assert!(total >= 88, "only {total} rows: {rows:?}");
}
