//! A VRRP version 3 speaker for real (RFC 5798, IPv4): the model's
//! [`VirtualRouter`] state machine on the real clock, in a network
//! namespace, over a raw IP socket.
//!
//! A [`Speaker`] is one router of one virtual router on one interface. Its
//! thread lives in the router's namespace; it multicasts ADVERTISEMENTs to
//! 224.0.0.18 (IP protocol 112, TTL 255) from the router's primary address,
//! receives the group's (and discards any whose TTL is not 255, §7.1), and
//! fires the state machine's timers when they are due. When the machine
//! says [`Action::BecomeMaster`] it adds the virtual addresses to the
//! interface (as /32s) and sends a gratuitous ARP for each, so that hosts
//! update their ARP caches at once; on [`Action::BecomeBackup`] or
//! [`Action::BecomeInitialize`] it removes them.
//!
//! [`Speaker::stop`] is a clean shutdown (priority 0 advertisement, so a
//! backup takes over after Skew_Time); [`Speaker::crash`] is a router that
//! dies (no more packets, no priority 0; its addresses vanish with it), so
//! a backup takes over after Master_Down_Interval. Every state change is
//! recorded with the instant it took effect ([`Speaker::transitions`]), for
//! failover measurements.
//!
//! The kernel accepts packets sent to an address it holds, so the speaker
//! only runs virtual routers with `Accept_Mode` on (as FRR's vrrpd, which
//! also puts the addresses on an interface); the model's trace then agrees
//! that a ping to the virtual address is answered by the master.
//!
//! Not here: IPv6 (Neighbor Advertisements), the virtual MAC address
//! 00-00-5E-00-01-{VRID} (the master answers with its interface's own MAC,
//! announced by the gratuitous ARP, as many VRRP implementations without
//! macvlan do), and authentication.

use crate::netns::{IP, Netns};
use crate::process::run;
use crate::vlan::enter_netns;
use crate::{Error, Result};
use dataplane::vrrp::{Action, Advertisement, Config, Event, State, VirtualRouter};
use std::ffi::CString;
use std::io;
use std::mem;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Command;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The IP protocol number of VRRP.
pub const IPPROTO_VRRP: i32 = 112;
/// The IPv4 multicast group of VRRP (RFC 5798 §5.1.1.2).
pub const VRRP_GROUP_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
/// The TTL VRRP packets are sent with, and must arrive with.
const TTL: u8 = 255;
/// How long the thread waits at most before looking at its control flag.
const CONTROL_TICK: Duration = Duration::from_millis(10);
/// The largest IPv4 VRRP packet: 60 octets of header, 8 + 255 × 4 of VRRP.
const RECEIVE_BUFFER: usize = 2048;

const RUN: u8 = 0;
const STOP: u8 = 1;
const CRASH: u8 = 2;

/// A state change and when it took effect (for Master: once the virtual
/// addresses were on the interface).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The new state.
    pub state: State,
    /// When.
    pub at: Instant,
}

/// What the thread shares with its handle.
#[derive(Debug)]
struct Shared {
    router: VirtualRouter,
    transitions: Vec<Transition>,
    received: u64,
    error: Option<String>,
}

/// A VRRP router running in a namespace; stops (cleanly) on Drop.
#[derive(Debug)]
pub struct Speaker {
    netns: Netns,
    interface: String,
    shared: Arc<Mutex<Shared>>,
    control: Arc<AtomicU8>,
    thread: Option<JoinHandle<()>>,
}

impl Speaker {
    /// Starts `config`'s virtual router on `interface` of `netns` (which
    /// must be up with `config.primary_address` on it): opens the sockets,
    /// joins 224.0.0.18 and hands the machine its Startup event.
    pub fn start(netns: &Netns, interface: &str, config: Config) -> Result<Speaker> {
        let IpAddr::V4(primary) = config.primary_address else {
            return Err(Error::invalid(
                "VRRP primary address",
                "only IPv4 virtual routers are spoken for real",
            ));
        };
        if !config.accept_mode {
            return Err(Error::invalid(
                "VRRP config",
                "Accept_Mode must be on: the speaker holds the virtual address in the kernel, \
                 which accepts packets sent to it",
            ));
        }
        let router = VirtualRouter::new(config).map_err(|e| Error::invalid("VRRP config", e))?;
        let shared = Arc::new(Mutex::new(Shared {
            router,
            transitions: Vec::new(),
            received: 0,
            error: None,
        }));
        let control = Arc::new(AtomicU8::new(RUN));
        let (ready_tx, ready_rx) = mpsc::channel();
        let thread = {
            let (netns, interface) = (netns.clone(), interface.to_owned());
            let (shared, control) = (shared.clone(), control.clone());
            thread::Builder::new()
                .name(format!("vrrp-{interface}"))
                .spawn(move || {
                    let io = match Io::open(&netns, &interface, primary) {
                        Ok(io) => {
                            let _ = ready_tx.send(Ok(()));
                            io
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let mut driver = Driver {
                        io,
                        netns,
                        interface,
                        shared,
                        epoch: Instant::now(),
                    };
                    if let Err(e) = driver.run(&control) {
                        tracing::warn!(interface = %driver.interface, error = %e, "VRRP speaker failed");
                        lock(&driver.shared).error = Some(e.to_string());
                    }
                })
                .map_err(|e| Error::io("spawn the VRRP thread", e))?
        };
        let started = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(Error::invalid("VRRP speaker", "its thread died")));
        let speaker = Speaker {
            netns: netns.clone(),
            interface: interface.to_owned(),
            shared,
            control,
            thread: Some(thread),
        };
        started.map(|()| speaker)
    }

    /// The router's state now.
    pub fn state(&self) -> State {
        lock(&self.shared).router.state()
    }

    /// Every state change so far, oldest first.
    pub fn transitions(&self) -> Vec<Transition> {
        lock(&self.shared).transitions.clone()
    }

    /// The first time it became `state` at or after `since`.
    pub fn became(&self, state: State, since: Instant) -> Option<Instant> {
        lock(&self.shared)
            .transitions
            .iter()
            .find(|t| t.state == state && t.at >= since)
            .map(|t| t.at)
    }

    /// How many valid advertisements of its VRID it has received.
    pub fn received(&self) -> u64 {
        lock(&self.shared).received
    }

    /// Master_Down_Interval as this router computes it now (with the
    /// Master_Adver_Interval it learned).
    pub fn master_down_interval(&self) -> Duration {
        lock(&self.shared).router.master_down_interval()
    }

    /// Skew_Time as this router computes it now.
    pub fn skew_time(&self) -> Duration {
        lock(&self.shared).router.skew_time()
    }

    /// The configuration.
    pub fn config(&self) -> Config {
        lock(&self.shared).router.config().clone()
    }

    /// What made the thread stop early, if it did.
    pub fn error(&self) -> Option<String> {
        lock(&self.shared).error.clone()
    }

    /// The interface it speaks on.
    pub fn interface(&self) -> &str {
        &self.interface
    }

    /// The namespace it runs in.
    pub fn netns(&self) -> &Netns {
        &self.netns
    }

    /// Shuts down cleanly: a master sends a priority-0 advertisement and
    /// releases the virtual addresses. Returns once it is done.
    pub fn stop(mut self) {
        self.halt(STOP);
    }

    /// Dies: no advertisement at all, and the virtual addresses vanish
    /// from the interface as with a router that lost power. Returns once
    /// the thread is gone; returns the instant it stopped sending.
    pub fn crash(mut self) -> Instant {
        self.halt(CRASH);
        Instant::now()
    }

    fn halt(&mut self, how: u8) {
        self.control.store(how, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.halt(STOP);
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The thread's side: the state machine, its sockets and the clock.
struct Driver {
    io: Io,
    netns: Netns,
    interface: String,
    shared: Arc<Mutex<Shared>>,
    epoch: Instant,
}

impl Driver {
    fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    fn run(&mut self, control: &AtomicU8) -> Result<()> {
        self.handle(Event::Startup)?;
        let mut buffer = vec![0u8; RECEIVE_BUFFER];
        loop {
            match control.load(Ordering::SeqCst) {
                RUN => {}
                CRASH => return self.release(),
                _ => return self.handle(Event::Shutdown),
            }
            let deadline = lock(&self.shared).router.next_deadline();
            let wait = deadline
                .map_or(CONTROL_TICK, |d| d.saturating_sub(self.now()))
                .min(CONTROL_TICK);
            if let Some((source, bytes)) = self.io.receive(&mut buffer, wait)? {
                if source != self.io.primary {
                    match Advertisement::decode(bytes, IpAddr::V4(source)) {
                        Ok(advertisement) => {
                            let vrid = lock(&self.shared).router.config().vrid;
                            if advertisement.vrid == vrid {
                                lock(&self.shared).received += 1;
                            }
                            self.handle(Event::Received {
                                source: IpAddr::V4(source),
                                advertisement,
                            })?
                        }
                        Err(e) => {
                            tracing::debug!(interface = %self.interface, %source, error = %e, "discarded")
                        }
                    }
                }
            }
            let now = self.now();
            let actions = lock(&self.shared).router.poll(now);
            self.apply(actions)?;
        }
    }

    fn handle(&mut self, event: Event) -> Result<()> {
        let now = self.now();
        let actions = lock(&self.shared).router.handle(now, event);
        self.apply(actions)
    }

    fn apply(&mut self, actions: Vec<Action>) -> Result<()> {
        for action in actions {
            match action {
                Action::Send(advertisement) => {
                    let source = IpAddr::V4(self.io.primary);
                    let bytes = advertisement
                        .encode(source)
                        .map_err(|e| Error::invalid("VRRP advertisement", e))?;
                    // A lost advertisement (the link is down) is what the
                    // protocol is made to survive: log it and go on.
                    if let Err(e) = self.io.send(&bytes) {
                        tracing::warn!(interface = %self.interface, error = %e, "VRRP send");
                    }
                }
                Action::BecomeMaster { addresses } => {
                    for address in &addresses {
                        self.address("add", *address)?;
                    }
                    for address in &addresses {
                        if let IpAddr::V4(a) = address
                            && let Err(e) = self.io.gratuitous_arp(*a)
                        {
                            tracing::warn!(interface = %self.interface, error = %e, "gratuitous ARP");
                        }
                    }
                    self.record(State::Master);
                }
                Action::BecomeBackup => {
                    self.release()?;
                    self.record(State::Backup);
                }
                Action::BecomeInitialize => {
                    self.release()?;
                    self.record(State::Initialize);
                }
            }
        }
        Ok(())
    }

    fn record(&self, state: State) {
        tracing::info!(interface = %self.interface, netns = %self.netns.name(), ?state, "VRRP");
        lock(&self.shared).transitions.push(Transition {
            state,
            at: Instant::now(),
        });
    }

    /// Removes the virtual addresses, if they are there.
    fn release(&self) -> Result<()> {
        let addresses = lock(&self.shared).router.config().virtual_addresses.clone();
        for address in addresses {
            self.address("del", address)?;
        }
        Ok(())
    }

    /// `ip addr add|del ADDRESS/32 dev IF`; adding one that is there, or
    /// deleting one that is not, is not an error.
    fn address(&self, verb: &str, address: IpAddr) -> Result<()> {
        let len = if address.is_ipv4() { 32 } else { 128 };
        let prefix = format!("{address}/{len}");
        let args = ["-n", self.netns.name(), "addr", verb, &prefix];
        match run(Command::new(IP).args(args).args(["dev", &self.interface])) {
            Ok(_) => Ok(()),
            Err(Error::CommandFailed { output, .. })
                if output.contains("File exists") || output.contains("Address not found") =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// The sockets: one to send from the primary address, one to receive the
/// group's advertisements, one to send ARP frames.
struct Io {
    primary: Ipv4Addr,
    ifindex: u32,
    mac: [u8; 6],
    send: OwnedFd,
    receive: OwnedFd,
    arp: OwnedFd,
}

impl Io {
    /// Enters `netns` (this thread only) and opens the sockets on
    /// `interface`.
    fn open(netns: &Netns, interface: &str, primary: Ipv4Addr) -> Result<Io> {
        enter_netns(&netns.path())?;
        let name = CString::new(interface).map_err(|e| Error::invalid("interface name", e))?;
        // SAFETY: a valid NUL-terminated string.
        let ifindex = unsafe { libc::if_nametoindex(name.as_ptr()) };
        if ifindex == 0 {
            return Err(Error::io(
                format!("no interface {interface} in {}", netns.name()),
                io::Error::last_os_error(),
            ));
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
        let mac = hardware_address(&arp, interface)?;
        Ok(Io {
            primary,
            ifindex,
            mac,
            send,
            receive,
            arp,
        })
    }

    /// Multicasts a VRRP message.
    fn send(&self, message: &[u8]) -> Result<()> {
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
    fn receive<'b>(
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
    fn gratuitous_arp(&self, address: Ipv4Addr) -> Result<()> {
        let frame = gratuitous_arp_frame(self.mac, address);
        // SAFETY: sockaddr_ll is plain data; all-zero is a valid value.
        let mut to: libc::sockaddr_ll = unsafe { mem::zeroed() };
        to.sll_family = libc::AF_PACKET as u16;
        to.sll_protocol = ETH_P_ARP.to_be();
        to.sll_ifindex = i32::try_from(self.ifindex).unwrap_or(0);
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

/// The interface's MAC address (SIOCGIFHWADDR).
fn hardware_address(fd: &OwnedFd, interface: &str) -> Result<[u8; 6]> {
    // SAFETY: ifreq is plain data; all-zero is a valid value.
    let mut request: libc::ifreq = unsafe { mem::zeroed() };
    for (slot, byte) in request
        .ifr_name
        .iter_mut()
        .zip(interface.bytes().take(libc::IFNAMSIZ - 1))
    {
        *slot = byte as libc::c_char;
    }
    // SAFETY: a valid ifreq for SIOCGIFHWADDR.
    if unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFHWADDR, &raw mut request) } != 0 {
        let e = io::Error::last_os_error();
        return Err(Error::io(format!("MAC address of {interface}"), e));
    }
    // SAFETY: SIOCGIFHWADDR filled ifru_hwaddr.
    let data = unsafe { request.ifr_ifru.ifru_hwaddr.sa_data };
    let mut mac = [0u8; 6];
    for (m, d) in mac.iter_mut().zip(data.iter()) {
        *m = *d as u8;
    }
    Ok(mac)
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
