//! OPEN (RFC 4271 §4.2) with optional parameters (RFC 5492, RFC 9072).

use crate::capability::Capability;
use crate::notification::{Notification, open_error, open_subcode};
use bytes::BufMut;
use nom::number::complete::{be_u8, be_u16};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The one version this implementation speaks.
pub const BGP_VERSION: u8 = 4;
/// AS_TRANS (RFC 6793): the 2-octet stand-in for a 4-octet AS number.
pub const AS_TRANS: u16 = 23456;

const CAPABILITIES: u8 = 2;
/// RFC 9072: a non-extended length of 255 followed by this type marks the extended format.
const EXTENDED_LENGTH_MARK: u8 = 255;

/// An OPEN message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Open {
    /// The sender's AS number, or AS_TRANS when it is over 65535.
    pub my_as: u16,
    /// The proposed hold time in seconds: 0, or at least 3.
    pub hold_time: u16,
    /// The sender's BGP Identifier.
    pub bgp_identifier: Ipv4Addr,
    /// The optional parameters, in their order and grouping on the wire.
    #[serde(default)]
    pub parameters: Vec<OptionalParameter>,
    /// Whether the parameters use the RFC 9072 extended length encoding.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub extended_parameters_length: bool,
}

/// An optional parameter of OPEN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionalParameter {
    /// A Capabilities parameter (type 2) holding one or more capabilities.
    Capabilities(Vec<Capability>),
}

impl Open {
    /// Every capability in every parameter, in order.
    pub fn capabilities(&self) -> impl Iterator<Item = &Capability> {
        self.parameters
            .iter()
            .flat_map(|OptionalParameter::Capabilities(c)| c)
    }

    /// The sender's AS number: the 4-octet AS capability's if present, else `my_as`.
    pub fn asn(&self) -> u32 {
        self.capabilities()
            .find_map(|c| match c {
                Capability::FourOctetAs(asn) => Some(*asn),
                _ => None,
            })
            .unwrap_or(u32::from(self.my_as))
    }

    pub(crate) fn decode_body(body: &[u8]) -> Result<Self, Notification> {
        let header = |_| open_error(open_subcode::UNSPECIFIC);
        let (rest, version) = be_u8::<_, ()>(body).map_err(header)?;
        if version != BGP_VERSION {
            // RFC 4271 §6.2: the data is the largest supported version, as 2 octets.
            return Err(Notification::new(
                crate::notification::code::OPEN_MESSAGE,
                open_subcode::UNSUPPORTED_VERSION_NUMBER,
                u16::from(BGP_VERSION).to_be_bytes(),
            ));
        }
        let (rest, my_as) = be_u16::<_, ()>(rest).map_err(header)?;
        let (rest, hold_time) = be_u16::<_, ()>(rest).map_err(header)?;
        let (rest, id) = nom::number::complete::be_u32::<_, ()>(rest).map_err(header)?;
        let (rest, opt_len) = be_u8::<_, ()>(rest).map_err(header)?;
        if hold_time == 1 || hold_time == 2 {
            return Err(open_error(open_subcode::UNACCEPTABLE_HOLD_TIME));
        }
        // RFC 6286 §2.2: the identifier is any non-zero 4-octet value.
        if id == 0 {
            return Err(open_error(open_subcode::BAD_BGP_IDENTIFIER));
        }
        let extended = opt_len == 255 && rest.first() == Some(&EXTENDED_LENGTH_MARK);
        let parameters = if extended {
            decode_extended_parameters(&rest[1..])?
        } else {
            if usize::from(opt_len) != rest.len() {
                return Err(open_error(open_subcode::UNSPECIFIC));
            }
            decode_parameters(rest)?
        };
        Ok(Open {
            my_as,
            hold_time,
            bgp_identifier: Ipv4Addr::from(id),
            parameters,
            extended_parameters_length: extended,
        })
    }

    /// The parameters' length field width in octets.
    fn length_width(&self) -> usize {
        if self.extended_parameters_length {
            2
        } else {
            1
        }
    }

    fn parameters_len(&self) -> usize {
        let w = self.length_width();
        self.parameters
            .iter()
            .map(|OptionalParameter::Capabilities(caps)| {
                1 + w + caps.iter().map(|c| 2 + c.value_len()).sum::<usize>()
            })
            .sum()
    }

    pub(crate) fn body_len(&self) -> usize {
        let fixed = 10;
        let extended_head = if self.extended_parameters_length {
            3
        } else {
            0
        };
        fixed + extended_head + self.parameters_len()
    }

    /// Checks the lengths that must fit their fields.
    pub(crate) fn check_encodable(&self) -> Result<(), crate::EncodeError> {
        let too_long = crate::EncodeError::FieldTooLong;
        let param_max = if self.extended_parameters_length {
            65535
        } else {
            255
        };
        for OptionalParameter::Capabilities(caps) in &self.parameters {
            if caps.iter().any(|c| c.value_len() > 255) {
                return Err(too_long("capability value"));
            }
            if caps.iter().map(|c| 2 + c.value_len()).sum::<usize>() > param_max {
                return Err(too_long("optional parameter"));
            }
        }
        if self.parameters_len() > param_max {
            return Err(too_long("optional parameters"));
        }
        Ok(())
    }

    pub(crate) fn encode_body(&self, buf: &mut impl BufMut) {
        buf.put_u8(BGP_VERSION);
        buf.put_u16(self.my_as);
        buf.put_u16(self.hold_time);
        buf.put_u32(u32::from(self.bgp_identifier));
        let len = self.parameters_len();
        if self.extended_parameters_length {
            buf.put_u8(255);
            buf.put_u8(EXTENDED_LENGTH_MARK);
            buf.put_u16(len as u16);
        } else {
            buf.put_u8(len as u8);
        }
        for OptionalParameter::Capabilities(caps) in &self.parameters {
            buf.put_u8(CAPABILITIES);
            let value_len: usize = caps.iter().map(|c| 2 + c.value_len()).sum();
            if self.extended_parameters_length {
                buf.put_u16(value_len as u16);
            } else {
                buf.put_u8(value_len as u8);
            }
            for cap in caps {
                cap.encode(buf);
            }
        }
    }
}

/// Parameters in the RFC 4271 format: type, 1-octet length, value.
fn decode_parameters(mut buf: &[u8]) -> Result<Vec<OptionalParameter>, Notification> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (rest, kind) = be_u8::<_, ()>(buf).map_err(|_| malformed())?;
        let (rest, len) = be_u8::<_, ()>(rest).map_err(|_| malformed())?;
        let (rest, value) = take(rest, usize::from(len))?;
        out.push(parameter(kind, value)?);
        buf = rest;
    }
    Ok(out)
}

/// Parameters in the RFC 9072 format: after the 255/255 mark, a 2-octet total length, then
/// type, 2-octet length, value.
fn decode_extended_parameters(buf: &[u8]) -> Result<Vec<OptionalParameter>, Notification> {
    let (mut buf, total) = be_u16::<_, ()>(buf).map_err(|_| malformed())?;
    if usize::from(total) != buf.len() {
        return Err(malformed());
    }
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (rest, kind) = be_u8::<_, ()>(buf).map_err(|_| malformed())?;
        let (rest, len) = be_u16::<_, ()>(rest).map_err(|_| malformed())?;
        let (rest, value) = take(rest, usize::from(len))?;
        out.push(parameter(kind, value)?);
        buf = rest;
    }
    Ok(out)
}

fn parameter(kind: u8, value: &[u8]) -> Result<OptionalParameter, Notification> {
    match kind {
        CAPABILITIES => Ok(OptionalParameter::Capabilities(Capability::decode_all(
            value,
        )?)),
        _ => Err(open_error(open_subcode::UNSUPPORTED_OPTIONAL_PARAMETER)),
    }
}

fn take(buf: &[u8], n: usize) -> Result<(&[u8], &[u8]), Notification> {
    nom::bytes::complete::take::<_, _, ()>(n)(buf).map_err(|_| malformed())
}

fn malformed() -> Notification {
    open_error(open_subcode::UNSPECIFIC)
}
