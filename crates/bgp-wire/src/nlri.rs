//! Prefixes as carried in UPDATE and MP_REACH/MP_UNREACH (RFC 4271 §4.3, RFC 4760 §5),
//! optionally preceded by an ADD-PATH path identifier (RFC 7911 §3).
//!
//! A prefix keeps the address bits exactly as they came, even past the prefix length inside the
//! last octet, so that re-encoding gives back the same bytes.

use crate::Afi;
use bytes::BufMut;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A route's destination: a prefix and, with ADD-PATH, its path identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "NlriJson", into = "NlriJson")]
pub struct Nlri {
    /// The ADD-PATH path identifier, when the family negotiated ADD-PATH.
    pub path_id: Option<u32>,
    /// The prefix.
    pub prefix: IpNet,
}

impl Nlri {
    /// A prefix with no path identifier.
    pub fn new(prefix: IpNet) -> Self {
        Self {
            path_id: None,
            prefix,
        }
    }

    /// Octets this NLRI takes on the wire.
    pub fn encoded_len(&self) -> usize {
        let id = if self.path_id.is_some() { 4 } else { 0 };
        id + 1 + usize::from(self.prefix.prefix_len()).div_ceil(8)
    }

    /// Writes the NLRI: path identifier if any, length octet, then the significant octets.
    pub fn encode(&self, buf: &mut impl BufMut) {
        if let Some(id) = self.path_id {
            buf.put_u32(id);
        }
        let len = self.prefix.prefix_len();
        let n = usize::from(len).div_ceil(8);
        buf.put_u8(len);
        match self.prefix {
            IpNet::V4(p) => buf.put_slice(&p.addr().octets()[..n]),
            IpNet::V6(p) => buf.put_slice(&p.addr().octets()[..n]),
        }
    }
}

impl From<IpNet> for Nlri {
    fn from(prefix: IpNet) -> Self {
        Self::new(prefix)
    }
}

/// JSON form: `"10.0.0.0/8"`, or `{"path_id": 1, "prefix": "10.0.0.0/8"}` with ADD-PATH.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum NlriJson {
    Prefix(IpNet),
    WithPathId { path_id: u32, prefix: IpNet },
}

impl From<NlriJson> for Nlri {
    fn from(j: NlriJson) -> Self {
        match j {
            NlriJson::Prefix(prefix) => Nlri {
                path_id: None,
                prefix,
            },
            NlriJson::WithPathId { path_id, prefix } => Nlri {
                path_id: Some(path_id),
                prefix,
            },
        }
    }
}

impl From<Nlri> for NlriJson {
    fn from(n: Nlri) -> Self {
        match n.path_id {
            None => NlriJson::Prefix(n.prefix),
            Some(path_id) => NlriJson::WithPathId {
                path_id,
                prefix: n.prefix,
            },
        }
    }
}

/// Why a run of NLRI could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NlriError {
    /// A prefix length longer than the family's address.
    PrefixTooLong,
    /// The field ends inside an NLRI.
    Truncated,
}

/// Reads every NLRI of `afi` filling `buf`, appending them to `out`.
///
/// This is the hot loop of UPDATE decoding: plain slice splitting, and the address read by
/// [`v4_prefix`]/[`v6_prefix`] without a variable-length copy per prefix.
pub(crate) fn decode_all(
    mut buf: &[u8],
    afi: Afi,
    add_path: bool,
    out: &mut Vec<Nlri>,
) -> Result<(), NlriError> {
    // A prefix takes at least two octets; /24s and /48s take four and seven.
    out.reserve(buf.len() / 4);
    let v6 = afi == Afi::IPV6;
    while !buf.is_empty() {
        let path_id = if add_path {
            let (id, rest) = buf.split_first_chunk().ok_or(NlriError::Truncated)?;
            buf = rest;
            Some(u32::from_be_bytes(*id))
        } else {
            None
        };
        let (&len, rest) = buf.split_first().ok_or(NlriError::Truncated)?;
        // The address octets start `rest`; the next NLRI starts `after` them.
        let after = rest
            .get(usize::from(len).div_ceil(8)..)
            .ok_or(NlriError::Truncated)?;
        let prefix = if v6 {
            v6_prefix(rest, len)?
        } else {
            v4_prefix(rest, len)?
        };
        out.push(Nlri { path_id, prefix });
        buf = after;
    }
    Ok(())
}

/// The IPv4 prefix of length `len` whose `ceil(len / 8)` significant octets start `input`
/// (which holds at least that many). The octets are kept as they came, bits past `len` too.
fn v4_prefix(input: &[u8], len: u8) -> Result<IpNet, NlriError> {
    if len > 32 {
        return Err(NlriError::PrefixTooLong);
    }
    let n = u32::from(len).div_ceil(8);
    let bits = match input.first_chunk() {
        // Usually the input runs on past this prefix: read a whole word and keep its first n
        // octets (the mask is all ones shifted left by the 4 - n octets to drop).
        Some(word) => u32::from_be_bytes(*word) & !u32::MAX.checked_shr(8 * n).unwrap_or(0),
        None => {
            let mut octets = [0u8; 4];
            octets
                .iter_mut()
                .zip(input.iter().take(n as usize))
                .for_each(|(o, b)| *o = *b);
            u32::from_be_bytes(octets)
        }
    };
    Ipv4Net::new(Ipv4Addr::from(bits), len)
        .map(IpNet::V4)
        .map_err(|_| NlriError::PrefixTooLong)
}

/// As [`v4_prefix`], for IPv6.
fn v6_prefix(input: &[u8], len: u8) -> Result<IpNet, NlriError> {
    if len > 128 {
        return Err(NlriError::PrefixTooLong);
    }
    let n = u32::from(len).div_ceil(8);
    let bits = match input.first_chunk() {
        Some(word) => u128::from_be_bytes(*word) & !u128::MAX.checked_shr(8 * n).unwrap_or(0),
        None => {
            let mut octets = [0u8; 16];
            octets
                .iter_mut()
                .zip(input.iter().take(n as usize))
                .for_each(|(o, b)| *o = *b);
            u128::from_be_bytes(octets)
        }
    };
    Ipv6Net::new(Ipv6Addr::from(bits), len)
        .map(IpNet::V6)
        .map_err(|_| NlriError::PrefixTooLong)
}
