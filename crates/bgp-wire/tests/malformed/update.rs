//! UPDATE framing (RFC 4271 §6.3, RFC 7606 §3–§5): withdrawn routes and attribute lengths, NLRI,
//! several errors in one UPDATE (RFC 7606 §3.h), and an UPDATE with no reachable NLRI
//! (RFC 7606 §5.2).

use crate::support::*;

/// The rows.
pub fn cases() -> Vec<Case> {
    use Cx::*;
    let base = base_update();

    vec![
        // =================================================== UPDATE framing, §6.3 / 7606 §3-§5
        row(
            "valid base UPDATE (control)",
            "RFC 4271 §4.3",
            Default,
            base.clone(),
            Valid,
        ),
        row(
            "Withdrawn Routes Length 100 overruns the message",
            "RFC 4271 §6.3 / RFC 7606 §3.b: W + A + 23 exceeds Length -> Malformed Attribute List",
            Default,
            update_fields(
                100,
                &[],
                20,
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                NLRI,
            ),
            Notify(3, 1, vec![]),
        ),
        row(
            "Total Path Attribute Length 200 overruns the message",
            "RFC 4271 §6.3 / RFC 7606 §3.b: W + A + 23 exceeds Length -> Malformed Attribute List",
            Default,
            update_fields(
                0,
                &[],
                200,
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                NLRI,
            ),
            Notify(3, 1, vec![]),
        ),
        row(
            "last attribute (COMMUNITIES, length 10) overruns the attribute field",
            "RFC 7606 §4: attribute length exceeds Total Attribute Length -> treat-as-withdraw",
            Default,
            base_plus(&attr_len(0xc0, COMMUNITIES, 10, &[0, 0, 0, 1])),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "2 octets (flags, type 5) left in the attribute field",
            "RFC 7606 §4: fewer than three octets remain -> treat-as-withdraw (type octet is readable)",
            Default,
            base_plus(&[0x40, LOCAL_PREF]),
            Withdraw(Some(LOCAL_PREF)),
        ),
        row(
            "1 octet left in the attribute field",
            "RFC 7606 §4: fewer than three octets remain -> treat-as-withdraw (no type to name)",
            Default,
            base_plus(&[0x40]),
            Withdraw(None),
        ),
        row(
            "Extended Length flag with 3 octets left",
            "RFC 7606 §4: fewer than four octets remain with Extended Length -> treat-as-withdraw",
            Default,
            base_plus(&[0x50, COMMUNITIES, 0]),
            Withdraw(Some(COMMUNITIES)),
        ),
        row(
            "IPv4 NLRI prefix length 33",
            "RFC 7606 §5.3 (length > 32 is syntactically incorrect) + §3.j -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(
                &[],
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                &[33, 10, 0, 0, 0, 0],
            ),
            Notify(3, 10, vec![]),
        ),
        row(
            "IPv4 NLRI /24 with only 2 address octets",
            "RFC 7606 §5.3 (last NLRI exceeds the field) + §3.j -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(
                &[],
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                &[24, 198, 51],
            ),
            Notify(3, 10, vec![]),
        ),
        row(
            "withdrawn prefix length 33",
            "RFC 7606 §3.i: Withdrawn Routes checked like NLRI; §5.3 -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(&[33, 10, 0, 0, 0, 0], &[], &[]),
            Notify(3, 10, vec![]),
        ),
        row(
            "ADD-PATH NLRI with a 3-octet path identifier",
            "RFC 7911 §3 NLRI format; RFC 7606 §5.3 (last NLRI exceeds the field) -> RFC 4271 §6.3 Invalid Network Field",
            AddPath,
            update(&[], &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(), &[0, 0, 0]),
            Notify(3, 10, vec![]),
        ),
        row(
            "ADD-PATH NLRI, well formed (control)",
            "RFC 7911 §3",
            AddPath,
            update(
                &[],
                &[ORIGIN_IGP, AS_PATH_4, NEXT_HOP].concat(),
                &[0, 0, 0, 1, 24, 198, 51, 100],
            ),
            Valid,
        ),
        row(
            "UPDATE with only withdrawn routes, no attributes",
            "RFC 4271 §4.3/§5: well-known mandatory attributes are needed only with NLRI",
            Default,
            update(NLRI, &[], &[]),
            Valid,
        ),
        row(
            "empty UPDATE (IPv4 End-of-RIB)",
            "RFC 4724 §2; RFC 4271 §4.3",
            Default,
            update(&[], &[], &[]),
            Valid,
        ),
        // ======================================================== several errors, 7606 §3.h
        row(
            "ATOMIC_AGGREGATE length 1 (discard), then MED length 3 (withdraw)",
            "RFC 7606 §3.h: different approaches -> the strongest, treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                NEXT_HOP,
                &attr(0x40, ATOMIC_AGG, &[0]),
                &attr(0x80, MED, &[0, 0, 1]),
            ]),
            Withdraw(Some(MED)),
        ),
        row(
            "MED length 3 (withdraw), then AGGREGATOR length 7 (discard)",
            "RFC 7606 §3.h: different approaches -> the strongest, treat-as-withdraw",
            Default,
            upd(&[
                ORIGIN_IGP,
                AS_PATH_4,
                NEXT_HOP,
                &attr(0x80, MED, &[0, 0, 1]),
                &attr(0xc0, AGGREGATOR, &[0, 0, 0xfd, 0xe9, 192, 0, 2]),
            ]),
            Withdraw(Some(MED)),
        ),
        row(
            "MED length 3 (withdraw) and NLRI prefix length 33 (reset)",
            "RFC 7606 §3.h: the strongest -> session reset; RFC 4271 §6.3 Invalid Network Field",
            Default,
            update(
                &[],
                &[
                    ORIGIN_IGP,
                    AS_PATH_4,
                    NEXT_HOP,
                    &attr(0x80, MED, &[0, 0, 1]),
                ]
                .concat(),
                &[33, 10, 0, 0, 0, 0],
            ),
            Notify(3, 10, vec![]),
        ),
        // ============================================== no reachable NLRI, RFC 7606 §5.2
        row(
            "MED length 3 in an UPDATE with attributes and no NLRI",
            "RFC 7606 §5.2: attributes, no reachable NLRI, error other than discard -> session reset; RFC 4271 §6.3 3/5 + attribute",
            Default,
            update(
                &[],
                &[
                    ORIGIN_IGP,
                    AS_PATH_4,
                    NEXT_HOP,
                    &attr(0x80, MED, &[0, 0, 1]),
                ]
                .concat(),
                &[],
            ),
            Notify(3, 5, attr(0x80, MED, &[0, 0, 1])),
        ),
        row(
            "ATOMIC_AGGREGATE length 1 in an UPDATE with attributes and no NLRI",
            "RFC 7606 §5.2: only 'attribute discard' errors -> no session reset; §7.6 attribute discard",
            Default,
            update(
                &[],
                &[
                    ORIGIN_IGP,
                    AS_PATH_4,
                    NEXT_HOP,
                    &attr(0x40, ATOMIC_AGG, &[0]),
                ]
                .concat(),
                &[],
            ),
            Discard(ATOMIC_AGG),
        ),
    ]
}

#[test]
fn update_messages_get_the_rfc_answer() {
    run(&cases());
}
