//! What the session negotiated, which changes how bytes are read and written.
//!
//! The same `Context` is handed to decoding and encoding, so a message decoded under one context
//! re-encodes to the same bytes under that context.

/// The per-session facts that change the wire format (RFC 6793, RFC 7911, RFC 8654).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    /// Both sides advertised the 4-octet AS capability: AS_PATH and AGGREGATOR carry 4-octet
    /// AS numbers. When false they carry 2-octet ones and AS4_PATH/AS4_AGGREGATOR may appear.
    pub four_octet_as: bool,
    /// The families in which NLRI carry an ADD-PATH path identifier.
    pub add_path: AddPath,
    /// Both sides advertised the extended message capability: messages up to 65535 octets.
    pub extended_message: bool,
}

impl Default for Context {
    /// A modern session: 4-octet AS, no ADD-PATH, 4096-octet messages.
    fn default() -> Self {
        Self {
            four_octet_as: true,
            add_path: AddPath::default(),
            extended_message: false,
        }
    }
}

impl Context {
    /// The largest message this session may carry (RFC 4271 §4.1, RFC 8654).
    pub fn max_message_len(&self) -> usize {
        if self.extended_message {
            crate::lengths::MAX_EXTENDED_LEN
        } else {
            crate::lengths::MAX_LEN
        }
    }
}

/// The families whose NLRI carry a path identifier (RFC 7911 §3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddPath {
    /// IPv4 unicast NLRI (UPDATE's own fields and MP_REACH/MP_UNREACH with AFI 1).
    pub ipv4: bool,
    /// IPv6 unicast NLRI (MP_REACH/MP_UNREACH with AFI 2).
    pub ipv6: bool,
}

impl AddPath {
    /// Whether NLRI of this AFI carry a path identifier.
    pub fn for_afi(&self, afi: crate::Afi) -> bool {
        match afi {
            crate::Afi::IPV4 => self.ipv4,
            crate::Afi::IPV6 => self.ipv6,
            _ => false,
        }
    }
}
