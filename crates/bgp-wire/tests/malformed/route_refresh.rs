//! ROUTE-REFRESH (RFC 2918, RFC 7313): the message subtypes and their lengths.

use crate::support::*;

/// The rows.
pub fn cases() -> Vec<Case> {
    use Cx::*;
    let rr_borr_long = msg(5, &[0, 1, 1, 1, 0]);
    let rr_eorr_short = msg(5, &[0, 1, 2]);

    vec![
        // ============================================================ ROUTE-REFRESH RFC 7313
        row(
            "ROUTE-REFRESH subtype 0 with a 5-octet body",
            "RFC 2918/7313 give no rule for subtype 0; RFC 4271 §6.1 by analogy -> 1/2, data = Length (unsure)",
            Default,
            msg(5, &[0, 1, 0, 1, 0]),
            Notify(1, 2, vec![0, 24]),
        ),
        row(
            "BoRR (subtype 1) with a 5-octet body",
            "RFC 7313 §5: subtype 1 or 2 and length not 4 -> 7/1 Invalid Message Length, data = the complete message",
            Default,
            rr_borr_long.clone(),
            Notify(7, 1, rr_borr_long),
        ),
        row(
            "EoRR (subtype 2) with a 3-octet body",
            "RFC 7313 §5: subtype 1 or 2 and length not 4 -> 7/1 Invalid Message Length, data = the complete message",
            Default,
            rr_eorr_short.clone(),
            Notify(7, 1, rr_eorr_short),
        ),
        row(
            "ROUTE-REFRESH with unknown subtype 3",
            "RFC 7313 §5: a subtype other than 0, 1, 2 MUST be ignored (no NOTIFICATION)",
            Default,
            msg(5, &[0, 1, 3, 1]),
            Valid,
        ),
    ]
}

#[test]
fn route_refresh_messages_get_the_rfc_answer() {
    run(&cases());
}
