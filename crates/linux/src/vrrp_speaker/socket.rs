//! The speaker's sockets: a raw IPv4 socket (protocol 112) sending from
//! the primary address with TTL 255, one receiving the group 224.0.0.18 on
//! the interface, and an `AF_PACKET` socket for gratuitous ARP. Also the
//! checks on what arrives (IPv4, TTL 255, protocol 112) and the ARP frame.
//!
//! Everything unsafe of the speaker is here: thin `libc` calls on plain
//! data, each with its safety note.

use crate::netns::Netns;
use crate::netns::enter_netns;
use crate::{Error, Result};
use std::ffi::CString;
use std::io;
use std::mem;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

/// The IP protocol number of VRRP.
pub const IPPROTO_VRRP: i32 = 112;
/// The IPv4 multicast group of VRRP (RFC 5798 §5.1.1.2).
pub const VRRP_GROUP_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
/// The TTL VRRP packets are sent with, and must arrive with.
const TTL: u8 = 255;

/// The sockets: one to send from the primary address, one to receive the
/// group's advertisements, one to send ARP frames.
pub(super) struct Io {
    pub(super) primary: Ipv4Addr,
    pub(super) ifindex: u32,
    send: OwnedFd,
    receive: OwnedFd,
    arp: OwnedFd,
}

impl Io {
    /// Enters `netns` (this thread only) and opens the sockets on
    /// `interface`.
    pub(super) fn open(netns: &Netns, interface: &str, primary: Ipv4Addr) -> Result<Io> {
        enter_netns(&netns.path())?;
        let name = CString::new(interface).map_err(|e| Error::invalid("interface name", e))?;
        let ifindex = ifindex(interface)?;
        // The virtual addresses live on the virtual MAC's device, which
        // answers ARP for them: the interface answers only for its own
        // addresses (arp_ignore 1), and its own ARP requests (a reply to a
        // ping of a virtual address) name its own address, not the virtual
        // one (arp_announce 2), so no host learns the virtual address at the
        // interface's MAC.
        for (knob, value) in [("arp_ignore", "1"), ("arp_announce", "2")] {
            let path = format!("/proc/sys/net/ipv4/conf/{interface}/{knob}");
            std::fs::write(&path, value).map_err(|e| Error::io(path, e))?;
        }
        let group = mreqn(VRRP_GROUP_V4, primary, ifindex)?;
        let multicast_if = mreqn(Ipv4Addr::UNSPECIFIED, primary, ifindex)?;

        let send = socket(libc::AF_INET, libc::SOCK_RAW, IPPROTO_VRRP)?;
        setsockopt(
            &send,
            libc::SOL_SOCKET,
            libc::SO_BINDTODEVICE,
            name.as_bytes(),
        )?;
        setsockopt(
            &send,
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_TTL,
            &i32::from(TTL),
        )?;
        setsockopt(&send, libc::IPPROTO_IP, libc::IP_TTL, &i32::from(TTL))?;
        setsockopt(&send, libc::IPPROTO_IP, libc::IP_MULTICAST_LOOP, &0i32)?;
        setsockopt(
            &send,
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_IF,
            &multicast_if,
        )?;
        let local = sockaddr_in(primary);
        // SAFETY: `local` is a valid sockaddr_in of the size given.
        let bound = unsafe {
            libc::bind(
                send.as_raw_fd(),
                (&raw const local).cast(),
                socklen::<libc::sockaddr_in>(),
            )
        };
        if bound != 0 {
            return Err(Error::io(
                format!("bind to {primary}"),
                io::Error::last_os_error(),
            ));
        }

        let receive = socket(libc::AF_INET, libc::SOCK_RAW, IPPROTO_VRRP)?;
        setsockopt(
            &receive,
            libc::SOL_SOCKET,
            libc::SO_BINDTODEVICE,
            name.as_bytes(),
        )?;
        setsockopt(&receive, libc::IPPROTO_IP, libc::IP_ADD_MEMBERSHIP, &group)?;

        let arp = socket(
            libc::AF_PACKET,
            libc::SOCK_RAW,
            i32::from(ETH_P_ARP.to_be()),
        )?;
        Ok(Io {
            primary,
            ifindex,
            send,
            receive,
            arp,
        })
    }

    /// Multicasts a VRRP message.
    pub(super) fn send(&self, message: &[u8]) -> Result<()> {
        let to = sockaddr_in(VRRP_GROUP_V4);
        // SAFETY: `message` and `to` are valid for the lengths given.
        let sent = unsafe {
            libc::sendto(
                self.send.as_raw_fd(),
                message.as_ptr().cast(),
                message.len(),
                0,
                (&raw const to).cast(),
                socklen::<libc::sockaddr_in>(),
            )
        };
        if sent < 0 {
            return Err(Error::io(
                "send a VRRP advertisement",
                io::Error::last_os_error(),
            ));
        }
        Ok(())
    }

    /// Waits up to `wait` for a VRRP packet; returns its source and
    /// payload if it is one this router should look at (IPv4, TTL 255).
    pub(super) fn receive<'b>(
        &self,
        buffer: &'b mut [u8],
        wait: Duration,
    ) -> Result<Option<(Ipv4Addr, &'b [u8])>> {
        let mut poll = libc::pollfd {
            fd: self.receive.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let timeout = i32::try_from(wait.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&raw mut poll, 1, timeout) };
        if ready <= 0 {
            return Ok(None);
        }
        // SAFETY: `buffer` is valid for writes of its length.
        let got = unsafe {
            libc::recv(
                self.receive.as_raw_fd(),
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                libc::MSG_DONTWAIT,
            )
        };
        let Ok(got) = usize::try_from(got) else {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(None),
                _ => Err(Error::io("receive VRRP", e)),
            };
        };
        Ok(parse_ipv4(buffer.get(..got).unwrap_or_default()))
    }

    /// Broadcasts a gratuitous ARP request for `address` from our MAC.
    pub(super) fn gratuitous_arp(
        &self,
        address: Ipv4Addr,
        mac: [u8; 6],
        device: &str,
    ) -> Result<()> {
        let ifindex = ifindex(device)?;
        let frame = gratuitous_arp_frame(mac, address);
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut to: libc::sockaddr_ll = unsafe { mem::zeroed() };
        to.sll_family = libc::AF_PACKET as u16;
        to.sll_protocol = ETH_P_ARP.to_be();
        to.sll_ifindex = i32::try_from(ifindex).unwrap_or(0);
        to.sll_halen = 6;
        to.sll_addr[..6].copy_from_slice(&[0xff; 6]);
        // SAFETY: `frame` and `to` are valid for the lengths given.
        let sent = unsafe {
            libc::sendto(
                self.arp.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                0,
                (&raw const to).cast(),
                socklen::<libc::sockaddr_ll>(),
            )
        };
        if sent < 0 {
            return Err(Error::io(
                "send a gratuitous ARP",
                io::Error::last_os_error(),
            ));
        }
        Ok(())
    }
}

/// The ARP EtherType.
const ETH_P_ARP: u16 = 0x0806;

/// An Ethernet frame carrying a gratuitous ARP request: sender and target
/// protocol addresses both `address`, broadcast.
fn gratuitous_arp_frame(mac: [u8; 6], address: Ipv4Addr) -> Vec<u8> {
    let mut frame = Vec::with_capacity(42);
    frame.extend_from_slice(&[0xff; 6]);
    frame.extend_from_slice(&mac);
    frame.extend_from_slice(&ETH_P_ARP.to_be_bytes());
    // Ethernet, IPv4, 6 and 4 octet addresses, request.
    frame.extend_from_slice(&[0, 1, 8, 0, 6, 4, 0, 1]);
    frame.extend_from_slice(&mac);
    frame.extend_from_slice(&address.octets());
    frame.extend_from_slice(&[0; 6]);
    frame.extend_from_slice(&address.octets());
    frame
}

/// The source and VRRP payload of an IPv4 packet, if it is VRRP with TTL
/// 255 (RFC 5798 §7.1); anything shorter or else is `None`.
fn parse_ipv4(packet: &[u8]) -> Option<(Ipv4Addr, &[u8])> {
    let first = *packet.first()?;
    if first >> 4 != 4 {
        return None;
    }
    let header = usize::from(first & 0x0f) * 4;
    if header < 20 || *packet.get(8)? != TTL || i32::from(*packet.get(9)?) != IPPROTO_VRRP {
        return None;
    }
    let source: [u8; 4] = packet.get(12..16)?.try_into().ok()?;
    Some((Ipv4Addr::from(source), packet.get(header..)?))
}

fn socket(domain: i32, kind: i32, protocol: i32) -> Result<OwnedFd> {
    // SAFETY: socket(2) has no memory preconditions.
    let fd = unsafe { libc::socket(domain, kind | libc::SOCK_CLOEXEC, protocol) };
    if fd < 0 {
        return Err(Error::io("open a raw socket", io::Error::last_os_error()));
    }
    // SAFETY: a fresh descriptor we own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// setsockopt(2) with a value of any plain type (or a byte string).
fn setsockopt<T: ?Sized>(fd: &OwnedFd, level: i32, name: i32, value: &T) -> Result<()> {
    let len = libc::socklen_t::try_from(mem::size_of_val(value)).unwrap_or(0);
    // SAFETY: `value` is valid for reads of `len` octets.
    let r =
        unsafe { libc::setsockopt(fd.as_raw_fd(), level, name, (value as *const T).cast(), len) };
    if r != 0 {
        let e = io::Error::last_os_error();
        return Err(Error::io(format!("setsockopt({level}, {name})"), e));
    }
    Ok(())
}

fn socklen<T>() -> libc::socklen_t {
    libc::socklen_t::try_from(mem::size_of::<T>()).unwrap_or(0)
}

fn sockaddr_in(address: Ipv4Addr) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain data; all-zero is a valid value.
    let mut sa: libc::sockaddr_in = unsafe { mem::zeroed() };
    sa.sin_family = libc::AF_INET as libc::sa_family_t;
    sa.sin_addr.s_addr = u32::from(address).to_be();
    sa
}

fn mreqn(group: Ipv4Addr, address: Ipv4Addr, ifindex: u32) -> Result<libc::ip_mreqn> {
    Ok(libc::ip_mreqn {
        imr_multiaddr: libc::in_addr {
            s_addr: u32::from(group).to_be(),
        },
        imr_address: libc::in_addr {
            s_addr: u32::from(address).to_be(),
        },
        imr_ifindex: i32::try_from(ifindex).map_err(|e| Error::invalid("ifindex", e))?,
    })
}

/// The index of interface `name` in this thread's namespace.
fn ifindex(name: &str) -> Result<u32> {
    let c = CString::new(name).map_err(|e| Error::invalid("interface name", e))?;
    // SAFETY: a valid NUL-terminated string.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if index == 0 {
        let e = io::Error::last_os_error();
        return Err(Error::io(format!("no interface {name}"), e));
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gratuitous_arp_frame_layout() {
        let mac = [2, 0, 0, 0, 0, 7];
        let frame = gratuitous_arp_frame(mac, Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(frame.len(), 42);
        assert_eq!(&frame[..6], &[0xff; 6]);
        assert_eq!(&frame[6..12], &mac);
        assert_eq!(&frame[12..14], &[0x08, 0x06]);
        assert_eq!(&frame[20..22], &[0, 1], "request");
        assert_eq!(&frame[28..32], &[192, 0, 2, 1], "sender protocol address");
        assert_eq!(&frame[38..42], &[192, 0, 2, 1], "target protocol address");
    }

    #[test]
    fn only_vrrp_with_ttl_255_is_taken() {
        let mut packet = vec![0x45, 0, 0, 28, 0, 0, 0, 0, 255, 112, 0, 0];
        packet.extend_from_slice(&[192, 0, 2, 2, 224, 0, 0, 18]);
        packet.extend_from_slice(&[0x31, 1, 100, 1, 0, 100, 0, 0]);
        let (source, payload) = parse_ipv4(&packet).unwrap();
        assert_eq!(source, Ipv4Addr::new(192, 0, 2, 2));
        assert_eq!(payload.len(), 8);
        let mut forwarded = packet.clone();
        forwarded[8] = 254;
        assert_eq!(parse_ipv4(&forwarded), None);
        let mut other = packet.clone();
        other[9] = 6;
        assert_eq!(parse_ipv4(&other), None);
        for len in 0..20 {
            assert_eq!(parse_ipv4(&packet[..len]), None);
        }
        assert_eq!(parse_ipv4(&[0x4f; 40]), None);
        assert_eq!(parse_ipv4(&[0x60; 60]), None);
    }
}
