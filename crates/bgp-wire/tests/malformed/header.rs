//! The message header (RFC 4271 §6.1): marker, length and type of every message kind, and
//! the lengths RFC 8654 allows with extended messages.

use crate::support::*;

/// The rows.
pub fn cases() -> Vec<Case> {
    use Cx::*;
    let keepalive = msg(4, &[]);
    let base = base_update();
    let base_len = base.len() as u16;
    let big = big_update();
    let big_len = big.len() as u16;
    let big_open = big_open();
    let big_open_len = big_open.len() as u16;

    vec![
        // ===================================================================== header §6.1
        row(
            "marker not all ones",
            "RFC 4271 §6.1: Marker not as expected -> Connection Not Synchronized (no data specified)",
            Default,
            patch(keepalive.clone(), 0, &[0]),
            Notify(1, 1, vec![]),
        ),
        row(
            "length field 18 (< 19)",
            "RFC 4271 §6.1: Length less than 19 -> Bad Message Length, data = the Length field",
            Default,
            msg_len(2, 18, &[]),
            Notify(1, 2, vec![0, 18]),
        ),
        row(
            "UPDATE of more than 4096 octets, no extended message",
            "RFC 4271 §6.1: Length greater than 4096 -> 1/2, data = Length; RFC 8654 §4: not advertised -> Bad Message Length",
            Default,
            big.clone(),
            Notify(1, 2, big_len.to_be_bytes().to_vec()),
        ),
        row(
            "UPDATE of more than 4096 octets, extended message negotiated",
            "RFC 8654 §4: a speaker that advertised the capability MUST accept up to 65535 octets",
            ExtMsg,
            big,
            Valid,
        ),
        row(
            "OPEN of more than 4096 octets, extended message negotiated",
            "RFC 8654 §4, §6: the capability applies to all messages except OPEN and KEEPALIVE -> RFC 4271 §6.1 1/2",
            ExtMsg,
            big_open,
            Notify(1, 2, big_open_len.to_be_bytes().to_vec()),
        ),
        row(
            "KEEPALIVE of 4097 octets, extended message negotiated",
            "RFC 8654 §4: not for KEEPALIVE; RFC 4271 §6.1: KEEPALIVE Length not 19 -> 1/2, data = Length",
            ExtMsg,
            msg_len(4, 4097, &[0; 4078]),
            Notify(1, 2, vec![0x10, 0x01]),
        ),
        row(
            "KEEPALIVE of length 20",
            "RFC 4271 §6.1: Length of a KEEPALIVE not equal to 19 -> 1/2, data = Length",
            Default,
            msg(4, &[0]),
            Notify(1, 2, vec![0, 20]),
        ),
        row(
            "OPEN of length 28 (< 29)",
            "RFC 4271 §6.1 + §4.2 (minimum OPEN is 29) -> 1/2, data = Length",
            Default,
            msg(1, &[4, 0xfd, 0xe9, 0, 90, 192, 0, 2, 1]),
            Notify(1, 2, vec![0, 28]),
        ),
        row(
            "UPDATE of length 22 (< 23)",
            "RFC 4271 §6.1 + §4.3 (minimum UPDATE is 23) -> 1/2, data = Length",
            Default,
            msg(2, &[0, 0, 0]),
            Notify(1, 2, vec![0, 22]),
        ),
        row(
            "NOTIFICATION of length 20 (< 21)",
            "RFC 4271 §6.1 + §4.5 (minimum NOTIFICATION is 21) -> 1/2, data = Length",
            Default,
            msg(3, &[6]),
            Notify(1, 2, vec![0, 20]),
        ),
        row(
            "buffer 2 octets shorter than the Length field",
            "API contract (RFC 4271 §6.1 by analogy): bytes disagree with Length -> 1/2, data = Length",
            Default,
            base[..base.len() - 2].to_vec(),
            Notify(1, 2, base_len.to_be_bytes().to_vec()),
        ),
        row(
            "buffer 2 octets longer than the Length field",
            "API contract (RFC 4271 §6.1 by analogy): bytes disagree with Length -> 1/2, data = Length",
            Default,
            [&base[..], &[0, 0]].concat(),
            Notify(1, 2, base_len.to_be_bytes().to_vec()),
        ),
        row(
            "unknown message type 6",
            "RFC 4271 §6.1: Type not recognized -> Bad Message Type, data = the Type field",
            Default,
            msg(6, &[]),
            Notify(1, 3, vec![6]),
        ),
    ]
}

#[test]
fn header_messages_get_the_rfc_answer() {
    run(&cases());
}
