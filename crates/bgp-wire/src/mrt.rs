//! MRT (RFC 6396) records of one BGP session: the messages it carried, as `BGP4MP_MESSAGE_AS4`
//! with their timestamps, and its state changes, as `BGP4MP_STATE_CHANGE_AS4` — what route
//! collectors write and `bgpdump` reads.
//!
//! ```
//! use bgp_wire::mrt::{self, Direction, Peering, Timestamp};
//!
//! let peering = Peering::new(64512, 12876, "169.254.0.1".parse().unwrap(),
//!                            "169.254.0.0".parse().unwrap()).unwrap();
//! let keepalive = [[0xff; 16].as_slice(), &[0, 19, 4]].concat();
//! let mut file = Vec::new();
//! mrt::write_message(&mut file, Timestamp::new(1_700_000_000, 250_000), &peering,
//!                    Direction::Received, &keepalive).unwrap();
//! // Common header (12 octets) + microseconds (4) + peering (20) + the message (19).
//! assert_eq!(file.len(), 12 + 4 + 20 + 19);
//! assert_eq!(&file[4..8], &[0, 17, 0, 4]); // BGP4MP_ET, BGP4MP_MESSAGE_AS4
//! ```
//!
//! Records use the `BGP4MP_ET` type (17) when the timestamp has microseconds, `BGP4MP` (16)
//! otherwise (RFC 6396 §3, §4.4). A message the session received names the remote speaker as
//! "peer"; one it sent is a `BGP4MP_MESSAGE_AS4_LOCAL` (§4.4.7) with the same peer and local
//! fields. A session that did not negotiate 4-octet AS numbers (RFC 6793) carries 2-octet
//! AS_PATHs, so its records use the 2-octet subtypes (`BGP4MP_MESSAGE`, `BGP4MP_STATE_CHANGE`,
//! `BGP4MP_MESSAGE_LOCAL`), with AS_TRANS in place of an AS that does not fit: readers decode
//! the AS_PATH by the subtype.
//!
//! Encoding only: the caller owns the file and the clock. Not here: TABLE_DUMP_V2 (RIB dumps)
//! or reading MRT.

use crate::open::AS_TRANS;
use bytes::BufMut;
use std::net::IpAddr;

/// MRT type `BGP4MP` (RFC 6396 §4.4).
pub const BGP4MP: u16 = 16;
/// MRT type `BGP4MP_ET`: `BGP4MP` with a microsecond timestamp (§3).
pub const BGP4MP_ET: u16 = 17;
/// Subtype `BGP4MP_STATE_CHANGE` (§4.4.1).
pub const BGP4MP_STATE_CHANGE: u16 = 0;
/// Subtype `BGP4MP_MESSAGE` (§4.4.2).
pub const BGP4MP_MESSAGE: u16 = 1;
/// Subtype `BGP4MP_MESSAGE_AS4` (§4.4.3).
pub const BGP4MP_MESSAGE_AS4: u16 = 4;
/// Subtype `BGP4MP_STATE_CHANGE_AS4` (§4.4.4).
pub const BGP4MP_STATE_CHANGE_AS4: u16 = 5;
/// Subtype `BGP4MP_MESSAGE_LOCAL` (§4.4.6).
pub const BGP4MP_MESSAGE_LOCAL: u16 = 6;
/// Subtype `BGP4MP_MESSAGE_AS4_LOCAL` (§4.4.7).
pub const BGP4MP_MESSAGE_AS4_LOCAL: u16 = 7;

/// A record that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrtError {
    /// The peer and local addresses are of different families.
    #[error("MRT peering: peer {peer} and local {local} are not of one address family")]
    MixedFamilies {
        /// The peer's address.
        peer: IpAddr,
        /// The local address.
        local: IpAddr,
    },
    /// The microseconds are a second or more.
    #[error("MRT timestamp: {0} microseconds is not below one second")]
    Microseconds(u32),
    /// The record is longer than MRT's 32-bit length.
    #[error("MRT record of {0} octets is too long")]
    TooLong(usize),
}

/// When a record happened: seconds since the Unix epoch, and microseconds within the second
/// (written as `BGP4MP_ET` when present).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: u32,
    /// Microseconds within that second (below 1 000 000), when known.
    pub microseconds: Option<u32>,
}

impl Timestamp {
    /// A timestamp with microseconds.
    pub fn new(seconds: u32, microseconds: u32) -> Self {
        Timestamp {
            seconds,
            microseconds: Some(microseconds),
        }
    }

    /// A timestamp of `since_epoch` (seconds past 2106 saturate), to the microsecond.
    pub fn from_unix(since_epoch: std::time::Duration) -> Self {
        let seconds = u32::try_from(since_epoch.as_secs()).unwrap_or(u32::MAX);
        Timestamp::new(seconds, since_epoch.subsec_micros())
    }
}

/// The session a record belongs to: both speakers' AS numbers and addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peering {
    /// The remote speaker's AS.
    pub peer_asn: u32,
    /// The recording speaker's AS.
    pub local_asn: u32,
    /// The interface index (0 when unknown, as collectors write it).
    pub interface_index: u16,
    /// The remote speaker's address.
    pub peer_ip: IpAddr,
    /// The recording speaker's address (same family as `peer_ip`).
    pub local_ip: IpAddr,
    /// Whether the session negotiated 4-octet AS numbers (the `_AS4` subtypes).
    pub four_octet_as: bool,
}

impl Peering {
    /// A 4-octet AS session between `peer_ip` (AS `peer_asn`) and `local_ip` (AS `local_asn`).
    pub fn new(
        peer_asn: u32,
        local_asn: u32,
        peer_ip: IpAddr,
        local_ip: IpAddr,
    ) -> Result<Self, MrtError> {
        if peer_ip.is_ipv4() != local_ip.is_ipv4() {
            return Err(MrtError::MixedFamilies {
                peer: peer_ip,
                local: local_ip,
            });
        }
        Ok(Peering {
            peer_asn,
            local_asn,
            interface_index: 0,
            peer_ip,
            local_ip,
            four_octet_as: true,
        })
    }

    /// Refuses addresses of two families (before anything is written).
    fn check(&self) -> Result<(), MrtError> {
        if self.peer_ip.is_ipv4() == self.local_ip.is_ipv4() {
            Ok(())
        } else {
            Err(MrtError::MixedFamilies {
                peer: self.peer_ip,
                local: self.local_ip,
            })
        }
    }

    /// Its encoded length.
    fn len(&self) -> usize {
        let asns = if self.four_octet_as { 8 } else { 4 };
        let addresses = if self.peer_ip.is_ipv4() { 8 } else { 32 };
        asns + 2 + 2 + addresses
    }

    fn put(&self, buf: &mut impl BufMut) -> Result<(), MrtError> {
        if self.four_octet_as {
            buf.put_u32(self.peer_asn);
            buf.put_u32(self.local_asn);
        } else {
            let two = |asn: u32| u16::try_from(asn).unwrap_or(AS_TRANS);
            buf.put_u16(two(self.peer_asn));
            buf.put_u16(two(self.local_asn));
        }
        buf.put_u16(self.interface_index);
        match (self.peer_ip, self.local_ip) {
            (IpAddr::V4(peer), IpAddr::V4(local)) => {
                buf.put_u16(1); // AFI IPv4
                buf.put_slice(&peer.octets());
                buf.put_slice(&local.octets());
            }
            (IpAddr::V6(peer), IpAddr::V6(local)) => {
                buf.put_u16(2); // AFI IPv6
                buf.put_slice(&peer.octets());
                buf.put_slice(&local.octets());
            }
            (peer, local) => return Err(MrtError::MixedFamilies { peer, local }),
        }
        Ok(())
    }
}

/// Which way a message went, seen from the recording speaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Received from the peer.
    Received,
    /// Sent to the peer (a `_LOCAL` subtype).
    Sent,
}

/// A BGP FSM state as MRT numbers it (§4.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum State {
    /// 1.
    Idle = 1,
    /// 2.
    Connect = 2,
    /// 3.
    Active = 3,
    /// 4.
    OpenSent = 4,
    /// 5.
    OpenConfirm = 5,
    /// 6.
    Established = 6,
}

/// Appends one record: a whole BGP message (marker included, as on the wire) that the session
/// of `peering` carried in `direction` at `time`.
pub fn write_message(
    buf: &mut impl BufMut,
    time: Timestamp,
    peering: &Peering,
    direction: Direction,
    message: &[u8],
) -> Result<(), MrtError> {
    let subtype = match (direction, peering.four_octet_as) {
        (Direction::Received, true) => BGP4MP_MESSAGE_AS4,
        (Direction::Received, false) => BGP4MP_MESSAGE,
        (Direction::Sent, true) => BGP4MP_MESSAGE_AS4_LOCAL,
        (Direction::Sent, false) => BGP4MP_MESSAGE_LOCAL,
    };
    peering.check()?;
    let body = peering.len() + message.len();
    put_header(buf, time, subtype, body)?;
    peering.put(buf)?;
    buf.put_slice(message);
    Ok(())
}

/// Appends one record: the session of `peering` went from `old` to `new` at `time`.
pub fn write_state_change(
    buf: &mut impl BufMut,
    time: Timestamp,
    peering: &Peering,
    old: State,
    new: State,
) -> Result<(), MrtError> {
    let subtype = if peering.four_octet_as {
        BGP4MP_STATE_CHANGE_AS4
    } else {
        BGP4MP_STATE_CHANGE
    };
    peering.check()?;
    put_header(buf, time, subtype, peering.len() + 4)?;
    peering.put(buf)?;
    buf.put_u16(old as u16);
    buf.put_u16(new as u16);
    Ok(())
}

/// The common header (§2), with the microsecond field of `BGP4MP_ET` counted in the length.
fn put_header(
    buf: &mut impl BufMut,
    time: Timestamp,
    subtype: u16,
    body: usize,
) -> Result<(), MrtError> {
    let (kind, extra) = match time.microseconds {
        Some(us) if us >= 1_000_000 => return Err(MrtError::Microseconds(us)),
        Some(_) => (BGP4MP_ET, 4),
        None => (BGP4MP, 0),
    };
    let length = u32::try_from(body + extra).map_err(|_| MrtError::TooLong(body + extra))?;
    buf.put_u32(time.seconds);
    buf.put_u16(kind);
    buf.put_u16(subtype);
    buf.put_u32(length);
    if let Some(us) = time.microseconds {
        buf.put_u32(us);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEEPALIVE: [u8; 19] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0, 19, 4,
    ];

    fn v4() -> Peering {
        Peering::new(
            4_200_000_001,
            12876,
            "169.254.0.1".parse().unwrap(),
            "169.254.0.0".parse().unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn message_as4_record_bytes() {
        let mut out = Vec::new();
        let t = Timestamp {
            seconds: 0x6553_f100,
            microseconds: None,
        };
        write_message(&mut out, t, &v4(), Direction::Received, &KEEPALIVE).unwrap();
        let want: Vec<u8> = [
            &[0x65, 0x53, 0xf1, 0x00][..], // timestamp
            &[0, 16, 0, 4],                // BGP4MP, BGP4MP_MESSAGE_AS4
            &[0, 0, 0, 39],                // length: 20 + 19
            &[0xfa, 0x56, 0xea, 0x01],     // peer AS 4200000001
            &[0, 0, 0x32, 0x4c],           // local AS 12876
            &[0, 0, 0, 1],                 // ifindex 0, AFI 1
            &[169, 254, 0, 1, 169, 254, 0, 0],
            &KEEPALIVE,
        ]
        .concat();
        assert_eq!(out, want);
    }

    #[test]
    fn extended_timestamp_and_ipv6_state_change() {
        let p = Peering::new(
            64512,
            12876,
            "fd12:876::1".parse().unwrap(),
            "fd12:876::".parse().unwrap(),
        )
        .unwrap();
        let mut out = Vec::new();
        let t = Timestamp::new(1, 999_999);
        write_state_change(&mut out, t, &p, State::OpenConfirm, State::Established).unwrap();
        assert_eq!(&out[4..8], &[0, 17, 0, 5]);
        assert_eq!(&out[8..12], &(4u32 + 8 + 4 + 32 + 4).to_be_bytes());
        assert_eq!(&out[12..16], &999_999u32.to_be_bytes());
        assert_eq!(&out[out.len() - 4..], &[0, 5, 0, 6]);
        assert_eq!(out.len(), 12 + 4 + 8 + 4 + 32 + 4);
    }

    #[test]
    fn two_octet_sessions_use_as_trans() {
        let mut p = v4();
        p.four_octet_as = false;
        let mut out = Vec::new();
        write_message(
            &mut out,
            Timestamp::new(0, 0),
            &p,
            Direction::Sent,
            &KEEPALIVE,
        )
        .unwrap();
        assert_eq!(&out[6..8], &BGP4MP_MESSAGE_LOCAL.to_be_bytes());
        assert_eq!(&out[16..20], &[0x5b, 0xa0, 0x32, 0x4c]); // AS_TRANS, 12876
    }

    #[test]
    fn bad_input_is_an_error() {
        let mixed = Peering::new(1, 2, "10.0.0.1".parse().unwrap(), "::1".parse().unwrap());
        assert!(matches!(mixed, Err(MrtError::MixedFamilies { .. })));
        let mut out = Vec::new();
        let mut p = v4();
        p.local_ip = "::1".parse().unwrap();
        let e = write_state_change(
            &mut out,
            Timestamp::new(0, 0),
            &p,
            State::Idle,
            State::Connect,
        );
        assert!(matches!(e, Err(MrtError::MixedFamilies { .. })));
        assert!(out.is_empty());
        let t = Timestamp::new(0, 1_000_000);
        let e = write_message(&mut out, t, &v4(), Direction::Received, &KEEPALIVE);
        assert_eq!(e, Err(MrtError::Microseconds(1_000_000)));
        assert!(out.is_empty());
        assert_eq!(
            Timestamp::from_unix(std::time::Duration::from_micros(1_500_000)),
            Timestamp::new(1, 500_000)
        );
    }
}
