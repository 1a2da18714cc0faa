//! Capabilities advertised in OPEN (RFC 5492) and the ones peerlab understands.
//!
//! Unknown capabilities are kept as opaque bytes and re-encoded exactly.

use crate::notification::{Notification, open_error, open_subcode};
use crate::{Afi, Safi};
use bytes::BufMut;
use nom::Parser;
use nom::multi::many0;
use nom::number::complete::{be_u8, be_u16, be_u32};
use serde::{Deserialize, Serialize};

/// Capability codes (IANA "Capability Codes").
pub mod capability_code {
    /// Multiprotocol Extensions (RFC 4760).
    pub const MULTIPROTOCOL: u8 = 1;
    /// Route Refresh (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 2;
    /// Extended Message (RFC 8654).
    pub const EXTENDED_MESSAGE: u8 = 6;
    /// Graceful Restart (RFC 4724).
    pub const GRACEFUL_RESTART: u8 = 64;
    /// Support for 4-octet AS number (RFC 6793).
    pub const FOUR_OCTET_AS: u8 = 65;
    /// ADD-PATH (RFC 7911).
    pub const ADD_PATH: u8 = 69;
    /// Enhanced Route Refresh (RFC 7313).
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
}

/// A capability, as carried in a Capabilities optional parameter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Multiprotocol Extensions: the sender can carry this family.
    Multiprotocol(Multiprotocol),
    /// The sender accepts ROUTE-REFRESH.
    RouteRefresh,
    /// The sender accepts messages up to 65535 octets.
    ExtendedMessage,
    /// Graceful Restart: restart flags, restart time and the families whose state is kept.
    GracefulRestart(GracefulRestart),
    /// The sender's 4-octet AS number.
    FourOctetAs(u32),
    /// ADD-PATH: per family, whether the sender receives and/or sends path identifiers.
    AddPath(Vec<AddPathFamily>),
    /// The sender supports BoRR/EoRR demarcation of a route refresh.
    EnhancedRouteRefresh,
    /// Any other capability, kept as it came.
    Unknown {
        /// The capability code.
        code: u8,
        /// The capability value.
        #[serde(with = "crate::serde_hex", default)]
        value: Vec<u8>,
    },
}

/// The value of the Multiprotocol Extensions capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Multiprotocol {
    /// The family's AFI.
    pub afi: Afi,
    /// The reserved octet, zero when sent and ignored when received; kept for exact re-encoding.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reserved: u8,
    /// The family's SAFI.
    pub safi: Safi,
}

/// The value of the Graceful Restart capability (RFC 4724 §3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GracefulRestart {
    /// The four Restart Flags bits (R = 8, N = 4 in RFC 8538).
    pub flags: u8,
    /// The Restart Time in seconds (12 bits).
    pub restart_time: u16,
    /// The families whose forwarding state the sender keeps.
    #[serde(default)]
    pub families: Vec<GracefulRestartFamily>,
}

/// A family in the Graceful Restart capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GracefulRestartFamily {
    /// The AFI.
    pub afi: Afi,
    /// The SAFI.
    pub safi: Safi,
    /// The family's flags (F = 0x80: forwarding state preserved).
    pub flags: u8,
}

/// A family in the ADD-PATH capability (RFC 7911 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AddPathFamily {
    /// The AFI.
    pub afi: Afi,
    /// The SAFI.
    pub safi: Safi,
    /// 1 = receive, 2 = send, 3 = both.
    pub send_receive: u8,
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

impl Capability {
    /// The capability code.
    pub fn code(&self) -> u8 {
        use capability_code::*;
        match self {
            Capability::Multiprotocol(_) => MULTIPROTOCOL,
            Capability::RouteRefresh => ROUTE_REFRESH,
            Capability::ExtendedMessage => EXTENDED_MESSAGE,
            Capability::GracefulRestart(_) => GRACEFUL_RESTART,
            Capability::FourOctetAs(_) => FOUR_OCTET_AS,
            Capability::AddPath(_) => ADD_PATH,
            Capability::EnhancedRouteRefresh => ENHANCED_ROUTE_REFRESH,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// The length of the capability value.
    pub fn value_len(&self) -> usize {
        match self {
            Capability::Multiprotocol(_) | Capability::FourOctetAs(_) => 4,
            Capability::RouteRefresh
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh => 0,
            Capability::GracefulRestart(gr) => 2 + 4 * gr.families.len(),
            Capability::AddPath(families) => 4 * families.len(),
            Capability::Unknown { value, .. } => value.len(),
        }
    }

    /// Decodes a sequence of capabilities filling `buf` (RFC 5492 §4).
    pub(crate) fn decode_all(mut buf: &[u8]) -> Result<Vec<Capability>, Notification> {
        let mut out = Vec::new();
        while !buf.is_empty() {
            let (rest, (code, value)) = tlv(buf).map_err(|_| malformed())?;
            out.push(Self::decode_value(code, value)?);
            buf = rest;
        }
        Ok(out)
    }

    fn decode_value(code: u8, value: &[u8]) -> Result<Capability, Notification> {
        use capability_code::*;
        let exact = |want: usize| {
            if value.len() == want {
                Ok(())
            } else {
                Err(malformed())
            }
        };
        Ok(match code {
            MULTIPROTOCOL => match *value {
                [a, b, reserved, safi] => Capability::Multiprotocol(Multiprotocol {
                    afi: Afi(u16::from_be_bytes([a, b])),
                    reserved,
                    safi: Safi(safi),
                }),
                _ => return Err(malformed()),
            },
            ROUTE_REFRESH => exact(0).map(|_| Capability::RouteRefresh)?,
            EXTENDED_MESSAGE => exact(0).map(|_| Capability::ExtendedMessage)?,
            ENHANCED_ROUTE_REFRESH => exact(0).map(|_| Capability::EnhancedRouteRefresh)?,
            FOUR_OCTET_AS => {
                exact(4)?;
                let (_, asn) = be_u32::<_, ()>(value).map_err(|_| malformed())?;
                Capability::FourOctetAs(asn)
            }
            GRACEFUL_RESTART => {
                let (rest, head) = be_u16::<_, ()>(value).map_err(|_| malformed())?;
                let families = all_of(rest, 4, |c| GracefulRestartFamily {
                    afi: Afi(u16::from_be_bytes([c[0], c[1]])),
                    safi: Safi(c[2]),
                    flags: c[3],
                })?;
                Capability::GracefulRestart(GracefulRestart {
                    flags: (head >> 12) as u8,
                    restart_time: head & 0x0fff,
                    families,
                })
            }
            ADD_PATH => Capability::AddPath(all_of(value, 4, |c| AddPathFamily {
                afi: Afi(u16::from_be_bytes([c[0], c[1]])),
                safi: Safi(c[2]),
                send_receive: c[3],
            })?),
            code => Capability::Unknown {
                code,
                value: value.to_vec(),
            },
        })
    }

    pub(crate) fn encode(&self, buf: &mut impl BufMut) {
        buf.put_u8(self.code());
        // Encoding checks lengths before writing; a value over 255 octets cannot get here.
        buf.put_u8(self.value_len() as u8);
        match self {
            Capability::Multiprotocol(mp) => {
                buf.put_u16(mp.afi.0);
                buf.put_u8(mp.reserved);
                buf.put_u8(mp.safi.0);
            }
            Capability::RouteRefresh
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh => {}
            Capability::GracefulRestart(gr) => {
                buf.put_u16((u16::from(gr.flags & 0x0f) << 12) | (gr.restart_time & 0x0fff));
                for f in &gr.families {
                    buf.put_u16(f.afi.0);
                    buf.put_u8(f.safi.0);
                    buf.put_u8(f.flags);
                }
            }
            Capability::FourOctetAs(asn) => buf.put_u32(*asn),
            Capability::AddPath(families) => {
                for f in families {
                    buf.put_u16(f.afi.0);
                    buf.put_u8(f.safi.0);
                    buf.put_u8(f.send_receive);
                }
            }
            Capability::Unknown { value, .. } => buf.put_slice(value),
        }
    }
}

/// One capability: code, length, value.
fn tlv(buf: &[u8]) -> nom::IResult<&[u8], (u8, &[u8]), ()> {
    let (rest, code) = be_u8(buf)?;
    let (rest, len) = be_u8(rest)?;
    let (rest, value) = nom::bytes::complete::take(len)(rest)?;
    Ok((rest, (code, value)))
}

/// Splits `value` into records of `size` octets, all of which must be whole.
fn all_of<T>(value: &[u8], size: usize, f: impl Fn(&[u8]) -> T) -> Result<Vec<T>, Notification> {
    let (rest, items) = many0(nom::bytes::complete::take::<_, _, ()>(size))
        .parse(value)
        .map_err(|_| malformed())?;
    if !rest.is_empty() {
        return Err(malformed());
    }
    Ok(items.into_iter().map(f).collect())
}

/// A recognised capability whose value is malformed: 2/0 (RFC 4271 §6.2).
fn malformed() -> Notification {
    open_error(open_subcode::UNSPECIFIC)
}
