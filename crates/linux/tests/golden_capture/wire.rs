//! Just enough raw BGP (RFC 4271 and friends) for the recorder and the test
//! assertions, written with plain byte arithmetic on purpose: the golden
//! vectors must not depend on the codec crate they are meant to test.

use std::fmt::Write as _;

/// Length of the common header: 16-byte marker, 2-byte length, 1-byte type.
pub const HEADER_LEN: usize = 19;
/// Offset of the message type byte in the header.
pub const TYPE_OFFSET: usize = 18;
/// Largest message without the extended message capability (RFC 4271).
pub const MAX_MESSAGE_LEN: usize = 4096;

pub const OPEN: u8 = 1;
pub const UPDATE: u8 = 2;
pub const NOTIFICATION: u8 = 3;
pub const KEEPALIVE: u8 = 4;
pub const ROUTE_REFRESH: u8 = 5;

pub const ATTR_AS_PATH: u8 = 2;
pub const ATTR_MED: u8 = 4;
pub const ATTR_COMMUNITIES: u8 = 8;
pub const ATTR_MP_REACH: u8 = 14;
pub const ATTR_MP_UNREACH: u8 = 15;
pub const ATTR_EXT_COMMUNITIES: u8 = 16;
pub const ATTR_AS4_PATH: u8 = 17;
pub const ATTR_LARGE_COMMUNITIES: u8 = 32;

pub const AFI_IPV4: u16 = 1;
pub const AFI_IPV6: u16 = 2;
pub const SAFI_UNICAST: u8 = 1;

/// The 2-octet placeholder for a 4-octet ASN (RFC 6793).
pub const AS_TRANS: u32 = 23456;
/// NOTIFICATION error code "Cease" (RFC 4271 section 6.7).
pub const NOTIFICATION_CEASE: u8 = 6;

/// What the recorder tells about itself in its OPEN.
#[derive(Clone, Copy, Debug)]
pub struct OpenParams {
    pub my_as: u32,
    pub hold_time: u16,
    pub bgp_id: [u8; 4],
    /// Advertise the 4-octet AS capability (65). Without it the peer must
    /// fall back to AS_TRANS and AS4_PATH.
    pub four_octet_as: bool,
}

/// Wraps a body into a whole message: marker, length and type.
pub fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(HEADER_LEN + body.len()).expect("BGP message too long");
    let mut msg = vec![0xff; 16];
    msg.extend_from_slice(&len.to_be_bytes());
    msg.push(kind);
    msg.extend_from_slice(body);
    msg
}

pub fn keepalive() -> Vec<u8> {
    message(KEEPALIVE, &[])
}

/// The recorder's OPEN: multiprotocol IPv4 and IPv6 unicast, route refresh,
/// enhanced route refresh, graceful restart (helper only, so that peers send
/// End-of-RIB) and, unless disabled, 4-octet AS. No extended message, no
/// add-path.
pub fn open(params: &OpenParams) -> Vec<u8> {
    let mut caps = Vec::new();
    let mut cap = |code: u8, value: &[u8]| {
        caps.push(code);
        caps.push(u8::try_from(value.len()).expect("capability too long"));
        caps.extend_from_slice(value);
    };
    cap(1, &[0, 1, 0, SAFI_UNICAST]); // multiprotocol IPv4 unicast
    cap(1, &[0, 2, 0, SAFI_UNICAST]); // multiprotocol IPv6 unicast
    cap(2, &[]); // route refresh
    cap(70, &[]); // enhanced route refresh
    cap(64, &[0x00, 120]); // graceful restart: no flags, restart time 120 s
    if params.four_octet_as {
        cap(65, &params.my_as.to_be_bytes());
    }
    let two_octet_as = u16::try_from(params.my_as).unwrap_or(AS_TRANS as u16);

    let mut body = vec![4]; // version
    body.extend_from_slice(&two_octet_as.to_be_bytes());
    body.extend_from_slice(&params.hold_time.to_be_bytes());
    body.extend_from_slice(&params.bgp_id);
    body.push(u8::try_from(caps.len() + 2).expect("too many capabilities"));
    body.push(2); // optional parameter "capabilities"
    body.push(u8::try_from(caps.len()).expect("too many capabilities"));
    body.extend_from_slice(&caps);
    message(OPEN, &body)
}

/// Length announced in a header, if `buf` holds at least a header.
pub fn announced_len(buf: &[u8]) -> Option<usize> {
    (buf.len() >= HEADER_LEN).then(|| usize::from(u16::from_be_bytes([buf[16], buf[17]])))
}

/// Checks the marker and length of a header, so a byte stream gone wrong is
/// reported instead of being recorded as garbage.
pub fn check_header(buf: &[u8]) -> Result<usize, String> {
    let len = announced_len(buf).ok_or("short header")?;
    if buf[..16].iter().any(|&b| b != 0xff) {
        return Err(format!("bad marker: {}", to_hex(&buf[..16])));
    }
    if !(HEADER_LEN..=MAX_MESSAGE_LEN).contains(&len) {
        return Err(format!("bad message length {len}"));
    }
    Ok(len)
}

pub fn kind(msg: &[u8]) -> u8 {
    msg[TYPE_OFFSET]
}

pub fn body(msg: &[u8]) -> &[u8] {
    &msg[HEADER_LEN..]
}

pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => u8::from_str_radix(&format!("{}{}", *hi as char, *lo as char), 16)
                .map_err(|e| format!("bad hex {:?}: {e}", String::from_utf8_lossy(pair))),
            _ => Err("odd number of hex digits".to_owned()),
        })
        .collect()
}

/// The 2-octet "my AS" field and the 4-octet AS capability of an OPEN.
pub fn open_as(msg: &[u8]) -> (u16, Option<u32>) {
    let body = body(msg);
    let two_octet = u16::from_be_bytes([body[1], body[2]]);
    let params = &body[10..10 + usize::from(body[9])];
    let mut four_octet = None;
    walk_tlv8(params, |param_type, value| {
        if param_type == 2 {
            walk_tlv8(value, |code, cap| {
                if code == 65 && cap.len() == 4 {
                    four_octet = Some(u32::from_be_bytes([cap[0], cap[1], cap[2], cap[3]]));
                }
            });
        }
    });
    (two_octet, four_octet)
}

/// Walks `type(1) length(1) value` items, stopping at a truncated one.
fn walk_tlv8(mut bytes: &[u8], mut f: impl FnMut(u8, &[u8])) {
    while bytes.len() >= 2 {
        let end = 2 + usize::from(bytes[1]);
        let Some(value) = bytes.get(2..end) else {
            return;
        };
        f(bytes[0], value);
        bytes = &bytes[end..];
    }
}

/// One path attribute of an UPDATE.
#[derive(Clone, Debug)]
pub struct Attribute<'a> {
    pub flags: u8,
    pub code: u8,
    pub value: &'a [u8],
}

/// The three parts of an UPDATE body, still raw.
#[derive(Clone, Debug)]
pub struct Update<'a> {
    pub withdrawn: &'a [u8],
    pub attributes: Vec<Attribute<'a>>,
    pub nlri: &'a [u8],
}

impl<'a> Update<'a> {
    /// Splits an UPDATE message (header included) into its parts.
    pub fn parse(msg: &'a [u8]) -> Result<Self, String> {
        if kind(msg) != UPDATE {
            return Err(format!("message type {} is not UPDATE", kind(msg)));
        }
        let body = body(msg);
        let (withdrawn, rest) = split_len16(body).ok_or("truncated withdrawn routes")?;
        let (attrs, nlri) = split_len16(rest).ok_or("truncated path attributes")?;
        Ok(Update {
            withdrawn,
            attributes: walk_attributes(attrs)?,
            nlri,
        })
    }

    pub fn attribute(&self, code: u8) -> Option<&Attribute<'a>> {
        self.attributes.iter().find(|a| a.code == code)
    }

    pub fn codes(&self) -> Vec<u8> {
        self.attributes.iter().map(|a| a.code).collect()
    }

    /// An UPDATE with nothing at all: the IPv4 unicast End-of-RIB marker.
    pub fn is_ipv4_end_of_rib(&self) -> bool {
        self.withdrawn.is_empty() && self.attributes.is_empty() && self.nlri.is_empty()
    }

    /// The MP_REACH_NLRI of this UPDATE, if any.
    pub fn mp_reach(&self) -> Option<MpReach<'a>> {
        self.attribute(ATTR_MP_REACH)
            .and_then(|a| MpReach::parse(a.value))
    }

    /// The MP_UNREACH_NLRI of this UPDATE, if any.
    pub fn mp_unreach(&self) -> Option<MpUnreach<'a>> {
        self.attribute(ATTR_MP_UNREACH)
            .and_then(|a| MpUnreach::parse(a.value))
    }

    /// The End-of-RIB marker of a multiprotocol family: an UPDATE whose only
    /// attribute is an MP_UNREACH_NLRI without prefixes.
    pub fn mp_end_of_rib(&self) -> Option<(u16, u8)> {
        let only = self.attributes.len() == 1 && self.withdrawn.is_empty() && self.nlri.is_empty();
        let unreach = self.mp_unreach().filter(|u| only && u.nlri.is_empty())?;
        Some((unreach.afi, unreach.safi))
    }

    /// Prefixes announced by this UPDATE, IPv4 (NLRI) and MP_REACH alike.
    pub fn announced(&self) -> Vec<String> {
        let mut out = prefixes(self.nlri, AFI_IPV4);
        if let Some(reach) = self.mp_reach() {
            out.extend(prefixes(reach.nlri, reach.afi));
        }
        out
    }

    /// Prefixes withdrawn by this UPDATE, IPv4 (withdrawn routes) and
    /// MP_UNREACH alike.
    pub fn withdrawn_prefixes(&self) -> Vec<String> {
        let mut out = prefixes(self.withdrawn, AFI_IPV4);
        if let Some(unreach) = self.mp_unreach() {
            out.extend(prefixes(unreach.nlri, unreach.afi));
        }
        out
    }
}

/// MP_REACH_NLRI (RFC 4760): AFI, SAFI, next hop, NLRI.
#[derive(Clone, Debug)]
pub struct MpReach<'a> {
    pub afi: u16,
    pub safi: u8,
    pub next_hop: &'a [u8],
    pub nlri: &'a [u8],
}

impl<'a> MpReach<'a> {
    fn parse(v: &'a [u8]) -> Option<Self> {
        let nh_len = usize::from(*v.get(3)?);
        Some(MpReach {
            afi: u16::from_be_bytes([v[0], v[1]]),
            safi: v[2],
            next_hop: v.get(4..4 + nh_len)?,
            nlri: v.get(5 + nh_len..)?, // one reserved byte after the next hop
        })
    }
}

/// MP_UNREACH_NLRI (RFC 4760): AFI, SAFI, withdrawn NLRI.
#[derive(Clone, Debug)]
pub struct MpUnreach<'a> {
    pub afi: u16,
    pub safi: u8,
    pub nlri: &'a [u8],
}

impl<'a> MpUnreach<'a> {
    fn parse(v: &'a [u8]) -> Option<Self> {
        Some(MpUnreach {
            afi: u16::from_be_bytes([*v.first()?, *v.get(1)?]),
            safi: *v.get(2)?,
            nlri: &v[3..],
        })
    }
}

/// Splits `len(2) bytes` off the front of `buf`.
fn split_len16(buf: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = usize::from(u16::from_be_bytes([*buf.first()?, *buf.get(1)?]));
    let field = buf.get(2..2 + len)?;
    Some((field, &buf[2 + len..]))
}

/// Walks the path attribute list: flags(1) type(1) length(1 or 2, by the
/// extended length flag 0x10) value.
pub fn walk_attributes(mut buf: &[u8]) -> Result<Vec<Attribute<'_>>, String> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (flags, code) = match buf {
            [flags, code, ..] => (*flags, *code),
            _ => return Err("truncated attribute header".into()),
        };
        let (len, start) = if flags & 0x10 != 0 {
            let hi = *buf.get(2).ok_or("truncated attribute length")?;
            let lo = *buf.get(3).ok_or("truncated attribute length")?;
            (usize::from(u16::from_be_bytes([hi, lo])), 4)
        } else {
            (
                usize::from(*buf.get(2).ok_or("truncated attribute length")?),
                3,
            )
        };
        let value = buf
            .get(start..start + len)
            .ok_or_else(|| format!("attribute {code} overruns the list"))?;
        out.push(Attribute { flags, code, value });
        buf = &buf[start + len..];
    }
    Ok(out)
}

/// Decodes a list of `length(1) prefix` items as text ("10.1.0.0/16").
pub fn prefixes(mut buf: &[u8], afi: u16) -> Vec<String> {
    let width = if afi == AFI_IPV6 { 16 } else { 4 };
    let mut out = Vec::new();
    while let Some((&bits, rest)) = buf.split_first() {
        let n = usize::from(bits).div_ceil(8);
        let Some(bytes) = rest.get(..n) else { break };
        let mut addr = [0u8; 16];
        addr[..n.min(width)].copy_from_slice(&bytes[..n.min(width)]);
        let ip: std::net::IpAddr = if afi == AFI_IPV6 {
            std::net::Ipv6Addr::from(addr).into()
        } else {
            std::net::Ipv4Addr::new(addr[0], addr[1], addr[2], addr[3]).into()
        };
        out.push(format!("{ip}/{bits}"));
        buf = &rest[n..];
    }
    out
}

/// The addresses of an MP_REACH_NLRI next hop (an IPv6 one may carry a
/// global and a link-local address).
pub fn next_hops(afi: u16, bytes: &[u8]) -> Vec<std::net::IpAddr> {
    match afi {
        AFI_IPV6 => bytes
            .chunks_exact(16)
            .map(|c| std::net::Ipv6Addr::from(<[u8; 16]>::try_from(c).unwrap()).into())
            .collect(),
        _ => bytes
            .chunks_exact(4)
            .map(|c| std::net::Ipv4Addr::new(c[0], c[1], c[2], c[3]).into())
            .collect(),
    }
}

/// The AS numbers of the segments of an AS_PATH or AS4_PATH value, each
/// `as_size` bytes wide (2 for an AS_PATH sent to a 2-octet peer, else 4).
pub fn as_path_segments(mut value: &[u8], as_size: usize) -> Vec<(u8, Vec<u32>)> {
    let mut out = Vec::new();
    while let [seg_type, count, rest @ ..] = value {
        let len = usize::from(*count) * as_size;
        let Some(asns) = rest.get(..len) else { break };
        let asns = asns
            .chunks(as_size)
            .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
            .collect();
        out.push((*seg_type, asns));
        value = &rest[len..];
    }
    out
}
