//! BGP-4 messages on the wire: decoding with `nom` over `&[u8]`, encoding into
//! `bytes::BufMut`, and errors that are the protocol's own answer.
//!
//! - Every message of RFC 4271 and RFC 2918/7313, the capabilities and path attributes peerlab
//!   needs, MP_REACH/MP_UNREACH for IPv4 and IPv6 unicast (RFC 4760), 2- and 4-octet AS
//!   (RFC 6793), ADD-PATH NLRI (RFC 7911) and extended messages (RFC 8654).
//! - Decoding takes a [`Context`]: what the session negotiated.
//! - A message that must end the session decodes to the [`Notification`] to send (RFC 4271 §6);
//!   an UPDATE error that RFC 7606 lets the session survive decodes to the UPDATE plus its
//!   [`Rfc7606`] outcome.
//! - Decode then encode gives back the same bytes: unknown capabilities and attributes,
//!   unusual flags and reserved octets are kept.
//!
//! It does no I/O and keeps no session state: see `bgp-session` for the FSM.
//!
//! ```
//! use bgp_wire::{Context, Message, decode};
//!
//! let keepalive = [[0xff; 16].as_slice(), &[0, 19, 4]].concat();
//! let cx = Context::default();
//! let decoded = decode(&keepalive, &cx).unwrap();
//! assert_eq!(decoded.message, Message::Keepalive);
//! assert_eq!(decoded.message.to_vec(&cx).unwrap(), keepalive);
//!
//! // A bad marker is the NOTIFICATION 1/1 the receiver must send.
//! let mut bad = keepalive.clone();
//! bad[0] = 0;
//! assert_eq!(decode(&bad, &cx).unwrap_err().code, 1);
//! ```

pub mod attribute;
pub mod capability;
mod context;
mod family;
pub mod header;
mod lengths;
mod message;
pub mod mrt;
mod nlri;
pub mod notification;
mod open;
pub mod rfc7606;
pub mod route_refresh;
mod serde_hex;
mod update;

pub use attribute::{AttributeValue, PathAttribute};
pub use capability::Capability;
pub use context::{AddPath, Context};
pub use family::{Afi, Safi};
pub use message::{Decoded, Message, decode};
pub use nlri::Nlri;
pub use notification::Notification;
pub use open::{AS_TRANS, BGP_VERSION, Open, OptionalParameter};
pub use rfc7606::Rfc7606;
pub use route_refresh::RouteRefresh;
pub use update::Update;

/// A message that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The message is longer than the session allows.
    #[error("message of {len} octets exceeds the maximum of {max}")]
    MessageTooLong {
        /// The message's length.
        len: usize,
        /// The session's maximum.
        max: usize,
    },
    /// A value is too long for its length field.
    #[error("{0} too long for its length field")]
    FieldTooLong(&'static str),
    /// A 4-octet AS number where the session carries 2-octet ones.
    #[error("AS {0} does not fit a 2-octet AS field (use AS_TRANS and AS4_PATH)")]
    AsnTooLarge(u32),
}
