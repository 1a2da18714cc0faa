//! MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760, RFC 7606 §5.3, §7.11).

use crate::support::*;

/// The rows.
pub fn cases() -> Vec<Case> {
    use Cx::*;
    vec![
        // ===================================================== MP_REACH / MP_UNREACH, RFC 4760
        row(
            "MP_REACH_NLRI IPv6 with next hop length 5",
            "RFC 7606 §7.11: Next Hop length inconsistent -> session reset; RFC 4760 §7: 3/9, data = the attribute",
            Default,
            mp_update(&attr(
                0x80,
                MP_REACH,
                &mp_reach_v6(&[0x20, 1, 0xd, 0xb8, 0], NLRI_V6),
            )),
            Notify(
                3,
                9,
                attr(
                    0x80,
                    MP_REACH,
                    &mp_reach_v6(&[0x20, 1, 0xd, 0xb8, 0], NLRI_V6),
                ),
            ),
        ),
        row(
            "MP_REACH_NLRI ends before the reserved octet",
            "RFC 7606 §5.3: MP_REACH shorter than its fixed fields -> session reset; RFC 4760 §7: 3/9 + attribute",
            Default,
            mp_update(&attr(0x80, MP_REACH, &[&[0, 2, 1, 16][..], NH_V6].concat())),
            Notify(
                3,
                9,
                attr(0x80, MP_REACH, &[&[0, 2, 1, 16][..], NH_V6].concat()),
            ),
        ),
        row(
            "MP_REACH_NLRI with an IPv6 prefix length 129",
            "RFC 7606 §5.3: IPv6 NLRI longer than 128 -> incorrect -> session reset (§3.j); RFC 4760 §7: SHOULD be 3/9 + attribute",
            Default,
            mp_update(&attr(0x80, MP_REACH, &mp_reach_v6(NH_V6, &[129; 18]))),
            Notify(3, 9, attr(0x80, MP_REACH, &mp_reach_v6(NH_V6, &[129; 18]))),
        ),
        row(
            "MP_UNREACH_NLRI whose last IPv6 prefix (/64) has 2 octets",
            "RFC 7606 §5.3: last NLRI exceeds the attribute -> incorrect -> session reset; RFC 4760 §7: 3/9 + attribute",
            Default,
            update(
                &[],
                &attr(0x80, MP_UNREACH, &[0, 2, 1, 64, 0x20, 0x01]),
                &[],
            ),
            Notify(3, 9, attr(0x80, MP_UNREACH, &[0, 2, 1, 64, 0x20, 0x01])),
        ),
        row(
            "MP_UNREACH_NLRI of length 2",
            "RFC 7606 §5.3: MP_UNREACH length less than 3 -> session reset; RFC 4760 §7: 3/9 + attribute",
            Default,
            update(&[], &attr(0x80, MP_UNREACH, &[0, 2]), &[]),
            Notify(3, 9, attr(0x80, MP_UNREACH, &[0, 2])),
        ),
        row(
            "MP_REACH_NLRI twice",
            "RFC 7606 §3.g: MP_REACH more than once -> NOTIFICATION Malformed Attribute List (no data specified)",
            Default,
            mp_update(&[mp_reach_ok(), mp_reach_ok()].concat()),
            Notify(3, 1, vec![]),
        ),
        row(
            "MP_UNREACH_NLRI twice",
            "RFC 7606 §3.g: MP_UNREACH more than once -> NOTIFICATION Malformed Attribute List (no data specified)",
            Default,
            update(
                &[],
                &[
                    attr(0x80, MP_UNREACH, &[0, 2, 1]),
                    attr(0x80, MP_UNREACH, &[0, 2, 1]),
                ]
                .concat(),
                &[],
            ),
            Notify(3, 1, vec![]),
        ),
        row(
            "MP_REACH_NLRI marked transitive (flags 0xc0)",
            "RFC 7606 §5.3: flags inconsistent with RFC 4760 -> session reset; RFC 4271 §6.3: Attribute Flags Error + attribute",
            Default,
            mp_update(&attr(0xc0, MP_REACH, &mp_reach_v6(NH_V6, NLRI_V6))),
            Notify(3, 4, attr(0xc0, MP_REACH, &mp_reach_v6(NH_V6, NLRI_V6))),
        ),
        row(
            "MP_REACH_NLRI length overruns the attribute field",
            "RFC 7606 §3.j: TaW needs MP_REACH parsed, else session reset (§4's TaW yields to the stronger); subcode unfixed",
            Default,
            mp_update(&attr_len(0x80, MP_REACH, 40, &mp_reach_v6(NH_V6, NLRI_V6))),
            ResetUpdate,
        ),
    ]
}

#[test]
fn mp_reach_and_unreach_get_the_rfc_answer() {
    run(&cases());
}
