//! OPEN (RFC 4271 §6.2): version, AS, hold time, BGP Identifier, optional parameters and
//! capabilities (RFC 5492, RFC 6286, RFC 6793, RFC 9072).

use crate::support::*;

/// The rows.
pub fn cases() -> Vec<Case> {
    use Cx::*;
    vec![
        // ======================================================================= OPEN §6.2
        row(
            "valid OPEN (control)",
            "RFC 4271 §4.2, RFC 5492",
            Default,
            open(CAPS),
            Valid,
        ),
        row(
            "OPEN version 3",
            "RFC 4271 §6.2: Unsupported Version Number, data = 2-octet smallest supported version greater than the bid = 4",
            Default,
            open_fields(3, 90, ID, CAPS.len() as u8, CAPS),
            Notify(2, 1, vec![0, 4]),
        ),
        row(
            "OPEN hold time 1",
            "RFC 4271 §6.2: MUST reject Hold Time values of one or two seconds -> Unacceptable Hold Time",
            Default,
            open_fields(4, 1, ID, CAPS.len() as u8, CAPS),
            Notify(2, 6, vec![]),
        ),
        row(
            "OPEN hold time 2",
            "RFC 4271 §6.2: MUST reject Hold Time values of one or two seconds -> Unacceptable Hold Time",
            Default,
            open_fields(4, 2, ID, CAPS.len() as u8, CAPS),
            Notify(2, 6, vec![]),
        ),
        row(
            "OPEN BGP Identifier 0",
            "RFC 6286 §2.2: the BGP Identifier is a non-zero 4-octet value; zero -> Bad BGP Identifier",
            Default,
            open_fields(4, 90, [0; 4], CAPS.len() as u8, CAPS),
            Notify(2, 3, vec![]),
        ),
        row(
            "Optional Parameters Length 20 overruns the 14 octets present",
            "RFC 4271 §6.2: error while processing OPEN -> code 2; §6: no subcode specified -> 0 (Unspecific)",
            Default,
            open_fields(4, 90, ID, 20, CAPS),
            Notify(2, 0, vec![]),
        ),
        row(
            "Optional Parameters Length 14 with 2 octets left over",
            "RFC 4271 §6.2: error while processing OPEN -> code 2; §6: no subcode specified -> 0 (Unspecific)",
            Default,
            open_fields(4, 90, ID, 14, &[CAPS, &[0, 0]].concat()),
            Notify(2, 0, vec![]),
        ),
        row(
            "Capabilities parameter length 20 overruns Optional Parameters",
            "RFC 4271 §6.2: a recognized Optional Parameter that is malformed -> 0 (Unspecific)",
            Default,
            open_fields(4, 90, ID, 8, &[2, 20, 65, 4, 0, 0, 0xfd, 0xe9]),
            Notify(2, 0, vec![]),
        ),
        row(
            "capability length 8 overruns its 6-octet parameter",
            "RFC 4271 §6.2 + RFC 5492 §4: malformed recognized Capabilities parameter -> 0 (Unspecific)",
            Default,
            open(&[2, 6, 65, 8, 0, 0, 0xfd, 0xe9]),
            Notify(2, 0, vec![]),
        ),
        row(
            "unsupported Optional Parameter type 3",
            "RFC 4271 §6.2: Optional Parameter not recognized -> Unsupported Optional Parameter (no data specified)",
            Default,
            open(&[3, 2, 0, 0]),
            Notify(2, 4, vec![]),
        ),
        row(
            "Multiprotocol capability of length 3",
            "RFC 4760 §8: the MP capability value is 4 octets; RFC 4271 §6.2: malformed recognized parameter -> 0",
            Default,
            open(&[2, 5, 1, 3, 0, 1, 1]),
            Notify(2, 0, vec![]),
        ),
    ]
}

#[test]
fn open_messages_get_the_rfc_answer() {
    run(&cases());
}
