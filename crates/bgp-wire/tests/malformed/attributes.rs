//! Path attributes (RFC 7606 §7): each attribute's flags, length and value; and missing
//! well-known mandatory attributes (RFC 7606 §3.d). Also: a duplicate attribute keeps the first.

use crate::support::*;
use bgp_wire::{Context, Message, decode};

/// The rows.
pub fn cases() -> Vec<Case> {
    use Cx::*;
    vec![
        // =============================================================== attributes, 7606 §7
        row(
            "ORIGIN value 3",
            "RFC 7606 §7.1: undefined value -> malformed -> treat-as-withdraw",
            Default,
            upd(&[&attr(0x40, ORIGIN, &[3]), AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "ORIGIN of length 2",
            "RFC 7606 §7.1: length not 1 -> malformed -> treat-as-withdraw",
            Default,
            upd(&[&attr(0x40, ORIGIN, &[0, 0]), AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "ORIGIN with the Optional bit set (flags 0xc0)",
            "RFC 7606 §3.c: O/T bits conflict -> malformed -> treat-as-withdraw (§3.e, §7.1)",
            Default,
            upd(&[&attr(0xc0, ORIGIN, &[0]), AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "AS_PATH segment overrun (count 2, one AS)",
            "RFC 7606 §7.2: Path Segment Length exceeds the Attribute Length -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                &attr(0x40, AS_PATH, &[2, 2, 0, 0, 0xfd, 0xe9]),
                NEXT_HOP,
            ]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "AS_PATH segment of length zero",
            "RFC 7606 §7.2: a Path Segment Length of zero -> malformed -> treat-as-withdraw",
            Default,
            upd(&[ORIGIN_IGP, &attr(0x40, AS_PATH, &[2, 0]), NEXT_HOP]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "AS_PATH segment type 5",
            "RFC 7606 §7.2: unrecognized segment type -> malformed -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                &attr(0x40, AS_PATH, &[5, 1, 0, 0, 0xfd, 0xe9]),
                NEXT_HOP,
            ]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "AS_PATH underrun (one octet after the last segment)",
            "RFC 7606 §7.2: only a single octet remains after the last segment -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                &attr(0x40, AS_PATH, &[2, 1, 0, 0, 0xfd, 0xe9, 2]),
                NEXT_HOP,
            ]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "NEXT_HOP of length 5",
            "RFC 7606 §7.3: length not 4 -> malformed -> treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                &attr(0x40, NEXT_HOP_T, &[192, 0, 2, 1, 0]),
            ]),
            Withdraw(Some(NEXT_HOP_T)),
        ),
        row(
            "MULTI_EXIT_DISC of length 3",
            "RFC 7606 §7.4: length not 4 -> malformed -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, MED, &[0, 0, 1])),
            Withdraw(Some(MED)),
        ),
        row(
            "MULTI_EXIT_DISC marked transitive (flags 0xc0)",
            "RFC 7606 §3.c: O/T bits conflict -> malformed -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, MED, &[0, 0, 0, 1])),
            Withdraw(Some(MED)),
        ),
        row(
            "LOCAL_PREF of length 2 (internal peer)",
            "RFC 7606 §7.5: from an internal neighbor, length not 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x40, LOCAL_PREF, &[0, 100])),
            Withdraw(Some(LOCAL_PREF)),
        ),
        row(
            "ATOMIC_AGGREGATE of length 1",
            "RFC 7606 §7.6: length not 0 -> malformed -> attribute discard",
            Default,
            base_plus(&attr(0x40, ATOMIC_AGG, &[0])),
            Discard(ATOMIC_AGG),
        ),
        row(
            "AGGREGATOR of length 7, 4-octet AS session",
            "RFC 7606 §7.7: length not 8 when 4-octet AS negotiated -> attribute discard",
            Default,
            base_plus(&attr(0xc0, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2])),
            Discard(AGGREGATOR),
        ),
        row(
            "AGGREGATOR of length 8, 2-octet AS session",
            "RFC 7606 §7.7: length not 6 when 4-octet AS not negotiated -> attribute discard",
            As2,
            base2_plus(&attr(0xc0, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2, 1])),
            Discard(AGGREGATOR),
        ),
        row(
            "AGGREGATOR marked non-transitive (flags 0x80)",
            "RFC 7606 §3.c: treated as malformed; §7.7/§3.f: malformed AGGREGATOR -> attribute discard (reading of 3.c's 'unless')",
            Default,
            base_plus(&attr(0x80, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2, 1])),
            Discard(AGGREGATOR),
        ),
        row(
            "COMMUNITIES of length 0",
            "RFC 7606 §7.8: not a non-zero multiple of 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, COMMUNITIES, &[])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "COMMUNITIES of length 5",
            "RFC 7606 §7.8: not a non-zero multiple of 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, COMMUNITIES, &[0xfd, 0xe9, 0, 1, 0])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "COMMUNITIES marked non-transitive (flags 0x80)",
            "RFC 7606 §3.c: O/T bits conflict (RFC 1997: optional transitive) -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, COMMUNITIES, &[0xfd, 0xe9, 0, 1])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "ORIGINATOR_ID of length 3 (internal peer)",
            "RFC 7606 §7.9: from an internal neighbor, length not 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, ORIGINATOR_ID, &[192, 0, 2])),
            Withdraw(Some(ORIGINATOR_ID)),
        ),
        row(
            "CLUSTER_LIST of length 6 (internal peer)",
            "RFC 7606 §7.10: from an internal neighbor, not a non-zero multiple of 4 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0x80, CLUSTER_LIST, &[192, 0, 2, 1, 0, 0])),
            Withdraw(Some(CLUSTER_LIST)),
        ),
        row(
            "EXTENDED COMMUNITIES of length 7",
            "RFC 7606 §7.14: not a non-zero multiple of 8 -> treat-as-withdraw",
            Default,
            base_plus(&attr(0xc0, EXT_COMM, &[0, 2, 0xfd, 0xe9, 0, 0, 1])),
            Withdraw(Some(EXT_COMM)),
        ),
        row(
            "LARGE_COMMUNITY of length 11",
            "RFC 8092 §6: not a non-zero multiple of 12 -> treat-as-withdraw",
            Default,
            base_plus(&attr(
                0xc0,
                LARGE_COMM,
                &[0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0],
            )),
            Withdraw(Some(LARGE_COMM)),
        ),
        row(
            "AS4_PATH with a zero-length segment, 2-octet AS session",
            "RFC 6793 §6: malformed AS4_PATH from an OLD speaker -> MUST discard the attribute and continue",
            As2,
            base2_plus(&attr(0xc0, AS4_PATH, &[2, 0])),
            Discard(AS4_PATH),
        ),
        row(
            "AS4_AGGREGATOR of length 7, 2-octet AS session",
            "RFC 6793 §6: malformed AS4_AGGREGATOR (length not 8) -> MUST discard the attribute and continue",
            As2,
            base2_plus(&attr(0xc0, AS4_AGG, &[0, 0, 0xfd, 0xe9, 192, 0, 2])),
            Discard(AS4_AGG),
        ),
        row(
            "well-formed AS4_PATH in a 4-octet AS session",
            "RFC 6793 §6 (and §4.1): AS4_PATH from a NEW speaker -> MUST discard the path attribute and continue",
            Default,
            base_plus(&attr(0xc0, AS4_PATH, &[2, 1, 0, 0, 0xfd, 0xe9])),
            Discard(AS4_PATH),
        ),
        row(
            "unrecognized well-known attribute type 99 (flags 0x40)",
            "RFC 4271 §6.3: Unrecognized Well-known Attribute, data = the attribute; not revised by RFC 7606",
            Default,
            base_plus(&attr(0x40, 99, &[0])),
            Notify(3, 2, vec![0x40, 99, 1, 0]),
        ),
        row(
            "ORIGIN twice (IGP, then EGP)",
            "RFC 7606 §3.g: occurrences other than the first SHALL be discarded, processing continues",
            Default,
            base_plus(&attr(0x40, ORIGIN, &[1])),
            Discard(ORIGIN),
        ),
        row(
            "COMMUNITIES twice",
            "RFC 7606 §3.g: occurrences other than the first SHALL be discarded, processing continues",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                NEXT_HOP,
                &attr(0xc0, COMMUNITIES, &[0xfd, 0xe9, 0, 1]),
                &attr(0xc0, COMMUNITIES, &[0xfd, 0xe9, 0, 2]),
            ]),
            Discard(COMMUNITIES),
        ),
        // ====================================================== missing attributes, 7606 §3.d
        row(
            "ORIGIN missing, IPv4 NLRI present",
            "RFC 7606 §3.d: a well-known mandatory attribute not present -> treat-as-withdraw",
            Default,
            upd(&[AS_PATH_4, NEXT_HOP]),
            Withdraw(Some(ORIGIN)),
        ),
        row(
            "AS_PATH missing, IPv4 NLRI present",
            "RFC 7606 §3.d: a well-known mandatory attribute not present -> treat-as-withdraw",
            Default,
            upd(&[ORIGIN_IGP, NEXT_HOP]),
            Withdraw(Some(AS_PATH)),
        ),
        row(
            "NEXT_HOP missing, IPv4 NLRI present",
            "RFC 7606 §3.d: a well-known mandatory attribute not present -> treat-as-withdraw",
            Default,
            upd(&[ORIGIN_IGP, AS_PATH_4]),
            Withdraw(Some(NEXT_HOP_T)),
        ),
        row(
            "NEXT_HOP missing, routes only in MP_REACH_NLRI",
            "RFC 4760 §3: such an UPDATE SHOULD NOT carry NEXT_HOP; RFC 7606 §3.d note: NEXT_HOP is effectively discretionary",
            Default,
            mp_update(&mp_reach_ok()),
            Valid,
        ),
    ]
}

#[test]
fn path_attributes_get_the_rfc_answer() {
    run(&cases());
}

/// RFC 7606 §3.g: "all the occurrences of the attribute other than the first one SHALL be
/// discarded": the first ORIGIN (IGP) is the one in force, the second (EGP) is kept raw only.
#[test]
fn duplicate_attribute_keeps_the_first() {
    let cx = Context::default();
    let d = decode(&base_plus(&attr(0x40, ORIGIN, &[1])), &cx).unwrap();
    let Message::Update(u) = d.message else {
        panic!("not an UPDATE");
    };
    assert_eq!(
        u.attribute(ORIGIN),
        Some(&bgp_wire::AttributeValue::Origin(
            bgp_wire::attribute::Origin::Igp
        ))
    );
}
