//! The message header (RFC 4271 §4.1): marker, length, type; and framing a byte stream.

use crate::Context;
use crate::notification::{Notification, bad_length, code, header_subcode};

pub use crate::lengths::{HEADER_LEN, MAX_EXTENDED_LEN, MAX_LEN};
/// The marker: sixteen octets of ones.
pub const MARKER: [u8; 16] = [0xff; 16];

/// Message type codes.
pub mod message_type {
    /// OPEN.
    pub const OPEN: u8 = 1;
    /// UPDATE.
    pub const UPDATE: u8 = 2;
    /// NOTIFICATION.
    pub const NOTIFICATION: u8 = 3;
    /// KEEPALIVE.
    pub const KEEPALIVE: u8 = 4;
    /// ROUTE-REFRESH (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 5;
}

/// A checked header: the message's total length and type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// The whole message's length, header included.
    pub length: usize,
    /// The message type code.
    pub message_type: u8,
}

/// Checks the header at the start of `buf` (RFC 4271 §6.1).
///
/// Returns `Ok(None)` while fewer than 19 octets are present, the checked header otherwise. The
/// body may not have arrived yet: compare `length` with what is buffered.
pub fn check(buf: &[u8], cx: &Context) -> Result<Option<Header>, Notification> {
    let Some(head) = buf.first_chunk::<HEADER_LEN>() else {
        return Ok(None);
    };
    if head[..16] != MARKER {
        return Err(Notification::new(
            code::MESSAGE_HEADER,
            header_subcode::CONNECTION_NOT_SYNCHRONIZED,
            [],
        ));
    }
    let length = usize::from(u16::from_be_bytes([head[16], head[17]]));
    let message_type = head[18];
    // RFC 8654 §3: OPEN and KEEPALIVE never exceed 4096 octets.
    let max = match message_type {
        message_type::OPEN | message_type::KEEPALIVE => MAX_LEN,
        _ => cx.max_message_len(),
    };
    let fits = match message_type {
        message_type::OPEN => length >= 29,
        message_type::UPDATE => length >= 23,
        message_type::NOTIFICATION => length >= 21,
        message_type::KEEPALIVE => length == HEADER_LEN,
        // The body's own check answers a BoRR/EoRR of the wrong length (RFC 7313 §5).
        message_type::ROUTE_REFRESH => length >= 22,
        other => {
            return Err(Notification::new(
                code::MESSAGE_HEADER,
                header_subcode::BAD_MESSAGE_TYPE,
                [other],
            ));
        }
    };
    if !fits || length > max {
        return Err(bad_length(length));
    }
    Ok(Some(Header {
        length,
        message_type,
    }))
}

/// The length of the first whole message in `buf`, once all of it is there.
///
/// This is the cheap framing step of a session's reader: it checks only the header.
pub fn frame(buf: &[u8], cx: &Context) -> Result<Option<usize>, Notification> {
    Ok(check(buf, cx)?
        .map(|h| h.length)
        .filter(|&len| buf.len() >= len))
}
