//! The message lengths of RFC 4271 §4.1 and RFC 8654: the header's size and the largest
//! message a session carries.
//!
//! Plain constants that the header, the NOTIFICATION and the [`Context`](crate::Context) all
//! need; they are public as [`crate::header::HEADER_LEN`] and its siblings.

/// Octets in the header: 16 marker, 2 length, 1 type.
pub const HEADER_LEN: usize = 19;
/// The largest message without the extended message capability.
pub const MAX_LEN: usize = 4096;
/// The largest message with the extended message capability (RFC 8654).
pub const MAX_EXTENDED_LEN: usize = 65535;
