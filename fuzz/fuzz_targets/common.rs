//! What every target does: pick a context from the first byte, decode, and check that whatever
//! decodes re-encodes to exactly the input, and that every error answer can be sent.

#![allow(dead_code)]

use bgp_wire::header::{HEADER_LEN, MARKER};
use bgp_wire::{AddPath, Context, Message, decode};

/// The context of the first input byte: bit 0 = 2-octet AS, bit 1 = ADD-PATH IPv4, bit 2 =
/// ADD-PATH IPv6, bit 3 = extended message; the other bits are ignored. 0 is the default
/// context (4-octet AS, no ADD-PATH, 4096-octet messages).
pub fn context(b: u8) -> Context {
    Context {
        four_octet_as: b & 1 == 0,
        add_path: AddPath {
            ipv4: b & 2 != 0,
            ipv6: b & 4 != 0,
        },
        extended_message: b & 8 != 0,
    }
}

/// Decodes `message` under `cx`; if it decodes, encoding must succeed and give back `message`;
/// if not, the NOTIFICATION it gives must be sendable on the session. Nothing else may panic.
pub fn check(message: &[u8], cx: &Context) {
    let decoded = match decode(message, cx) {
        Ok(decoded) => decoded,
        Err(answer) => {
            if let Err(e) = Message::Notification(answer.clone()).to_vec(cx) {
                panic!("unsendable answer {answer} ({e}) to {}", hex(message));
            }
            return;
        }
    };
    let again = match decoded.message.to_vec(cx) {
        Ok(bytes) => bytes,
        Err(e) => panic!(
            "decoded but cannot re-encode ({e}) under {cx:?}\n input {}\n{decoded:?}",
            hex(message)
        ),
    };
    assert!(
        again == message,
        "decoded but re-encoded differently under {cx:?}\n input {}\noutput {}\n{decoded:?}",
        hex(message),
        hex(&again)
    );
}

/// Input `[context byte, body...]`: a message of `message_type` with a valid header around the
/// body (cut to fit the 2-octet length field).
pub fn check_body(data: &[u8], message_type: u8) {
    let Some((&b, body)) = data.split_first() else {
        return;
    };
    let body = &body[..body.len().min(usize::from(u16::MAX) - HEADER_LEN)];
    let mut message = Vec::with_capacity(HEADER_LEN + body.len());
    message.extend_from_slice(&MARKER);
    message.extend_from_slice(&((HEADER_LEN + body.len()) as u16).to_be_bytes());
    message.push(message_type);
    message.extend_from_slice(body);
    check(&message, &context(b));
}

/// Input `[context byte, message...]`: the rest as one whole message.
pub fn check_message(data: &[u8]) {
    let Some((&b, message)) = data.split_first() else {
        return;
    };
    check(message, &context(b));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
