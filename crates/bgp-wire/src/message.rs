//! A whole BGP message: decoding one from bytes and encoding one into a `BufMut`.

use crate::header::{self, HEADER_LEN, MARKER, message_type};
use crate::notification::{Notification, bad_length};
use crate::{Context, EncodeError, Open, Rfc7606, RouteRefresh, Update};
use bytes::BufMut;
use serde::{Deserialize, Serialize};

/// A BGP message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// OPEN (type 1).
    Open(Open),
    /// UPDATE (type 2).
    Update(Update),
    /// NOTIFICATION (type 3).
    Notification(Notification),
    /// KEEPALIVE (type 4).
    Keepalive,
    /// ROUTE-REFRESH (type 5).
    RouteRefresh(RouteRefresh),
}

/// A decoded message, with the RFC 7606 outcome the receiver must apply to an UPDATE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The message.
    pub message: Message,
    /// For an UPDATE with an error RFC 7606 lets the session survive: what to do.
    pub rfc7606: Option<Rfc7606>,
}

/// Decodes exactly one message filling `buf`.
///
/// An error is the NOTIFICATION the receiver must send before closing the session. Any input
/// gives `Ok` or `Err`; decoding never panics.
pub fn decode(buf: &[u8], cx: &Context) -> Result<Decoded, Notification> {
    let header = header::check(buf, cx)?.ok_or_else(|| bad_length(buf.len()))?;
    if header.length != buf.len() {
        return Err(bad_length(header.length));
    }
    let body = &buf[HEADER_LEN..];
    let mut rfc7606 = None;
    let message = match header.message_type {
        message_type::OPEN => Message::Open(Open::decode_body(body)?),
        message_type::UPDATE => {
            let (update, outcome) = Update::decode_body(body, cx)?;
            rfc7606 = outcome;
            Message::Update(update)
        }
        message_type::NOTIFICATION => Message::Notification(Notification::decode_body(body)?),
        message_type::KEEPALIVE => Message::Keepalive,
        _ => Message::RouteRefresh(RouteRefresh::decode_body(body, buf, cx)?),
    };
    Ok(Decoded { message, rfc7606 })
}

impl Message {
    /// The message type code.
    pub fn message_type(&self) -> u8 {
        match self {
            Message::Open(_) => message_type::OPEN,
            Message::Update(_) => message_type::UPDATE,
            Message::Notification(_) => message_type::NOTIFICATION,
            Message::Keepalive => message_type::KEEPALIVE,
            Message::RouteRefresh(_) => message_type::ROUTE_REFRESH,
        }
    }

    /// The whole message's length on the wire, header included.
    pub fn encoded_len(&self, cx: &Context) -> usize {
        HEADER_LEN
            + match self {
                Message::Open(o) => o.body_len(),
                Message::Update(u) => u.body_len(cx),
                Message::Notification(n) => n.body_len(),
                Message::Keepalive => 0,
                Message::RouteRefresh(_) => 4,
            }
    }

    /// Checks that the message fits the session and its own length fields.
    pub fn check_encodable(&self, cx: &Context) -> Result<(), EncodeError> {
        match self {
            Message::Open(o) => o.check_encodable()?,
            Message::Update(u) => u.check_encodable(cx)?,
            _ => {}
        }
        let len = self.encoded_len(cx);
        let max = match self {
            Message::Open(_) | Message::Keepalive => header::MAX_LEN,
            _ => cx.max_message_len(),
        };
        if len > max {
            return Err(EncodeError::MessageTooLong { len, max });
        }
        Ok(())
    }

    /// Writes the whole message, header included.
    pub fn encode(&self, cx: &Context, buf: &mut impl BufMut) -> Result<(), EncodeError> {
        self.check_encodable(cx)?;
        buf.put_slice(&MARKER);
        buf.put_u16(self.encoded_len(cx) as u16);
        buf.put_u8(self.message_type());
        match self {
            Message::Open(o) => o.encode_body(buf),
            Message::Update(u) => u.encode_body(cx, buf),
            Message::Notification(n) => n.encode_body(buf),
            Message::Keepalive => {}
            Message::RouteRefresh(r) => r.encode_body(buf),
        }
        Ok(())
    }

    /// The whole message as a new byte vector.
    pub fn to_vec(&self, cx: &Context) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(self.encoded_len(cx));
        self.encode(cx, &mut out)?;
        Ok(out)
    }
}

impl From<Notification> for Message {
    fn from(n: Notification) -> Self {
        Message::Notification(n)
    }
}
