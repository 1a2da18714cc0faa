//! 802.1Q subinterfaces on a veth end: the kernel's `vlan` devices when the
//! kernel has 802.1Q (`CONFIG_VLAN_8021Q`), else an emulation in userspace.
//!
//! The emulation gives the same picture from outside: an Ethernet interface
//! named `VETH.VLAN` (a tap device) whose frames leave the veth tagged with
//! the VLAN id, and which only receives frames tagged with that id; untagged
//! frames and frames of other VLANs are dropped, as a kernel VLAN device
//! does; a capture on the veth sees tagged frames in both modes. One thread per
//! subinterface moves frames between the tap and an `AF_PACKET` socket on the
//! veth; it lives in the subinterface's namespace and stops on Drop.
//!
//! Not for: QinQ, priority bits, or speed (each frame is a syscall or two).

use crate::netns::{IP, Netns, enter_netns};
use crate::process::run;
use crate::{Error, Result};
use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::mem;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::process::Command;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

/// How VLAN subinterfaces are made on this machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VlanMode {
    /// Kernel `vlan` devices (`ip link add … type vlan id N`).
    Kernel,
    /// Tap devices and a tagging thread, for kernels without 802.1Q.
    Userspace,
}

const UNKNOWN: u8 = 0;
const KERNEL: u8 = 1;
const USERSPACE: u8 = 2;
/// What the first attempt found out; later links go straight to it.
static MODE: AtomicU8 = AtomicU8::new(UNKNOWN);

/// The 802.1Q tag protocol identifier.
const TPID_8021Q: [u8; 2] = [0x81, 0x00];
/// `tp_status` bit: `tp_vlan_tpid` is meaningful (not in every libc).
const TP_STATUS_VLAN_TPID_VALID: u32 = 1 << 6;
/// Big enough for any frame a veth or tap hands over (64 KiB GSO aside).
const FRAME_BUFFER: usize = 65_536 + 4;

/// One VLAN subinterface; in userspace mode, its tagging thread.
#[derive(Debug)]
pub(crate) struct Subinterface {
    name: String,
    mode: VlanMode,
    tagger: Option<Tagger>,
}

impl Subinterface {
    /// Creates `VETH.VLAN` on `veth` in `ns` (the root namespace if `None`),
    /// not yet up.
    pub(crate) fn create(ns: Option<&Netns>, veth: &str, vlan: u16) -> Result<Self> {
        let name = format!("{veth}.{vlan}");
        if MODE.load(Ordering::Relaxed) != USERSPACE {
            let vlan_id = vlan.to_string();
            let args = ["link", "add", "link", veth, "name", &name, "type", "vlan"];
            match ip(ns, args.iter().copied().chain(["id", &vlan_id])) {
                Ok(_) => {
                    MODE.store(KERNEL, Ordering::Relaxed);
                    return Ok(Subinterface {
                        name,
                        mode: VlanMode::Kernel,
                        tagger: None,
                    });
                }
                Err(Error::CommandFailed { output, .. })
                    if output.contains("Unknown device type") =>
                {
                    if MODE.swap(USERSPACE, Ordering::Relaxed) != USERSPACE {
                        tracing::warn!("the kernel has no 802.1Q: emulating VLANs in userspace");
                    }
                }
                Err(e) => return Err(e),
            }
        }
        let tagger = Tagger::start(ns, veth, vlan, &name)?;
        Ok(Subinterface {
            name,
            mode: VlanMode::Userspace,
            tagger: Some(tagger),
        })
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn mode(&self) -> VlanMode {
        self.mode
    }

    /// Stops the tagging thread, which removes the tap (kernel VLAN devices
    /// go with their veth).
    pub(crate) fn remove(&mut self) {
        self.tagger.take();
    }
}

/// `ip [-n NS] ARGS…`.
pub(crate) fn ip<'a>(
    ns: Option<&Netns>,
    args: impl IntoIterator<Item = &'a str>,
) -> Result<String> {
    let mut cmd = Command::new(IP);
    if let Some(ns) = ns {
        cmd.args(ns.ip_args());
    }
    run(cmd.args(args))
}

/// The thread moving frames between a tap and the veth, tagging them.
#[derive(Debug)]
struct Tagger {
    /// Closing it wakes the thread up to stop.
    stop: Option<OwnedFd>,
    thread: Option<JoinHandle<()>>,
}

impl Tagger {
    fn start(ns: Option<&Netns>, veth: &str, vlan: u16, tap: &str) -> Result<Self> {
        let (stop_read, stop_write) = pipe()?;
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        let ns_path = ns.map(Netns::path);
        let (veth, tap) = (veth.to_owned(), tap.to_owned());
        let thread = thread::Builder::new()
            .name(format!("vlan-{tap}"))
            .spawn(move || {
                let opened = (|| {
                    if let Some(path) = &ns_path {
                        enter_netns(path)?;
                    }
                    Ok::<_, Error>((open_tap(&tap)?, open_packet_socket(&veth)?))
                })();
                match opened {
                    Ok((tap_file, socket)) => {
                        let _ = ready_tx.send(Ok(()));
                        if let Err(e) = forward(&tap_file, &socket, &stop_read, vlan) {
                            tracing::warn!(interface = %tap, error = %e, "VLAN emulation stopped");
                        }
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| Error::io("cannot start a VLAN emulation thread", e))?;
        let tagger = Tagger {
            stop: Some(stop_write),
            thread: Some(thread),
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(tagger),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::io(
                "VLAN emulation thread",
                io::Error::other("it ended before opening its devices"),
            )),
        }
    }
}

impl Drop for Tagger {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid array of two ints for pipe2 to fill.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(Error::io("pipe2", io::Error::last_os_error()));
    }
    // SAFETY: pipe2 succeeded, so both are open descriptors we now own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Creates tap device `name` (no packet information header); it goes away
/// when the returned file is closed.
fn open_tap(name: &str) -> Result<File> {
    let what = || format!("cannot create tap {name}");
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/net/tun")
        .map_err(|e| Error::io(what(), e))?;
    // SAFETY: ifreq is plain old data; all zeroes is a valid value.
    let mut request: libc::ifreq = unsafe { mem::zeroed() };
    if name.len() >= request.ifr_name.len() {
        return Err(Error::invalid(
            "interface name",
            format!("{name} is too long"),
        ));
    }
    for (dst, src) in request.ifr_name.iter_mut().zip(name.bytes()) {
        *dst = src as libc::c_char;
    }
    request.ifr_ifru.ifru_flags = (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF reads an ifreq, which `request` is.
    if unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF, &mut request) } != 0 {
        return Err(Error::io(what(), io::Error::last_os_error()));
    }
    Ok(file)
}

/// A raw socket seeing every frame of interface `name`, with the VLAN tag
/// the kernel took off reported in `PACKET_AUXDATA`.
fn open_packet_socket(name: &str) -> Result<OwnedFd> {
    let what = || format!("cannot open a packet socket on {name}");
    let c_name = CString::new(name).map_err(|e| Error::invalid("interface name", e))?;
    // SAFETY: a NUL-terminated string.
    let index = unsafe { libc::if_nametoindex(c_name.as_ptr()) };
    if index == 0 {
        return Err(Error::io(what(), io::Error::last_os_error()));
    }
    let protocol = (libc::ETH_P_ALL as u16).to_be();
    // SAFETY: plain socket(2).
    let fd = unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            protocol.into(),
        )
    };
    if fd < 0 {
        return Err(Error::io(what(), io::Error::last_os_error()));
    }
    // SAFETY: socket(2) returned a descriptor we now own.
    let socket = unsafe { OwnedFd::from_raw_fd(fd) };
    let on: libc::c_int = 1;
    // SAFETY: PACKET_AUXDATA takes an int.
    let set = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_PACKET,
            libc::PACKET_AUXDATA,
            (&on as *const libc::c_int).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if set != 0 {
        return Err(Error::io(what(), io::Error::last_os_error()));
    }
    // SAFETY: sockaddr_ll is plain old data; all zeroes is a valid value.
    let mut address: libc::sockaddr_ll = unsafe { mem::zeroed() };
    address.sll_family = libc::AF_PACKET as u16;
    address.sll_protocol = protocol;
    address.sll_ifindex = index as libc::c_int;
    // SAFETY: bind(2) with a sockaddr_ll and its size.
    let bound = unsafe {
        libc::bind(
            fd,
            (&address as *const libc::sockaddr_ll).cast(),
            mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    if bound != 0 {
        return Err(Error::io(what(), io::Error::last_os_error()));
    }
    Ok(socket)
}

/// Moves frames until `stop` is closed: tap → veth gets the tag pushed,
/// veth → tap only with our tag, popped.
fn forward(tap: &File, socket: &OwnedFd, stop: &OwnedFd, vlan: u16) -> Result<()> {
    let mut buffer = vec![0u8; FRAME_BUFFER];
    let tci = vlan.to_be_bytes();
    let fds = [
        tap.as_raw_fd(),
        socket.as_raw_fd(),
        stop.as_fd().as_raw_fd(),
    ];
    loop {
        let mut polled = fds.map(|fd| libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        });
        // SAFETY: `polled` is an array of three pollfd.
        if unsafe { libc::poll(polled.as_mut_ptr(), polled.len() as libc::nfds_t, -1) } < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::io("poll", e));
        }
        let [from_tap, from_veth, stopped] = polled.map(|p| p.revents);
        if stopped != 0 {
            return Ok(());
        }
        if from_tap & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0
            || from_veth & libc::POLLNVAL != 0
        {
            return Err(Error::io("poll", io::Error::other("device gone")));
        }
        if from_veth & libc::POLLERR != 0 {
            // The veth went down (ENETDOWN); the socket stays bound and
            // works again once it is up. Reading the error clears it.
            let error = socket_error(socket);
            tracing::debug!(error, "veth socket error");
        }
        if from_tap & libc::POLLIN != 0 {
            // Read behind room for the tag, then slide the MAC addresses
            // forward over it: dst, src, 0x8100, TCI, the original type…
            let n = (&*tap)
                .read(&mut buffer[4..])
                .map_err(|e| Error::io("read from tap", e))?;
            if n >= 14 {
                buffer.copy_within(4..16, 0);
                buffer[12..14].copy_from_slice(&TPID_8021Q);
                buffer[14..16].copy_from_slice(&tci);
                send(socket, &buffer[..n + 4])?;
            }
        }
        if from_veth & libc::POLLIN != 0 {
            if let Some(frame) = receive(socket, &mut buffer, vlan)? {
                // A full tap queue (interface down) drops the frame, as a
                // wire would.
                let _ = (&*tap).write(frame);
            }
        }
    }
}

/// Reads and clears a socket's pending error (`SO_ERROR`).
fn socket_error(socket: &OwnedFd) -> i32 {
    let mut error: libc::c_int = 0;
    let mut len = mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: SO_ERROR writes an int into `error`, its size in `len`.
    unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ERROR,
            (&mut error as *mut libc::c_int).cast(),
            &mut len,
        );
    }
    error
}

fn send(socket: &OwnedFd, frame: &[u8]) -> Result<()> {
    // SAFETY: send(2) from a valid buffer of `frame.len()` bytes.
    let sent = unsafe { libc::send(socket.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
    if sent < 0 {
        let e = io::Error::last_os_error();
        // The veth's peer being down or the queue full loses the frame, as
        // on a wire.
        if matches!(
            e.raw_os_error(),
            Some(libc::ENETDOWN | libc::ENOBUFS | libc::ENXIO)
        ) {
            return Ok(());
        }
        return Err(Error::io("send on veth", e));
    }
    Ok(())
}

/// Receives one frame from the veth and returns it untagged if it came in
/// tagged with `vlan`; `None` for anything else (our own outgoing frames,
/// untagged frames, other VLANs).
fn receive<'b>(socket: &OwnedFd, buffer: &'b mut [u8], vlan: u16) -> Result<Option<&'b [u8]>> {
    // SAFETY: both are plain old data; all zeroes is a valid value.
    let mut address: libc::sockaddr_ll = unsafe { mem::zeroed() };
    let mut control = [0u64; 16];
    let mut iov = libc::iovec {
        iov_base: buffer.as_mut_ptr().cast(),
        iov_len: buffer.len(),
    };
    // SAFETY: as above.
    let mut message: libc::msghdr = unsafe { mem::zeroed() };
    message.msg_name = (&mut address as *mut libc::sockaddr_ll).cast();
    message.msg_namelen = mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = mem::size_of_val(&control);
    // SAFETY: every pointer in `message` points at live buffers of the
    // sizes given.
    let n = unsafe { libc::recvmsg(socket.as_raw_fd(), &mut message, libc::MSG_DONTWAIT) };
    if n < 0 {
        let e = io::Error::last_os_error();
        let transient = matches!(
            e.raw_os_error(),
            Some(libc::EAGAIN | libc::EINTR | libc::ENETDOWN)
        );
        if transient {
            return Ok(None);
        }
        return Err(Error::io("receive on veth", e));
    }
    let n = (n as usize).min(buffer.len());
    if address.sll_pkttype == libc::PACKET_OUTGOING {
        return Ok(None);
    }
    let mut tag = None;
    // SAFETY: walking the control messages recvmsg filled in, within
    // `msg_controllen`; the data is read unaligned.
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(&message);
        while !header.is_null() {
            if (*header).cmsg_level == libc::SOL_PACKET
                && (*header).cmsg_type == libc::PACKET_AUXDATA
            {
                let aux: libc::tpacket_auxdata =
                    std::ptr::read_unaligned(libc::CMSG_DATA(header).cast());
                let tpid_ok = aux.tp_status & TP_STATUS_VLAN_TPID_VALID == 0
                    || aux.tp_vlan_tpid == u16::from_be_bytes(TPID_8021Q);
                if aux.tp_status & libc::TP_STATUS_VLAN_VALID != 0 && tpid_ok {
                    tag = Some(aux.tp_vlan_tci & 0x0fff);
                }
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
    }
    // The kernel usually takes the tag off into the auxiliary data; if it
    // left it in the frame, take it off here.
    let frame = match tag {
        Some(id) if id == vlan => &buffer[..n],
        Some(_) => return Ok(None),
        None if n >= 18 && buffer[12..14] == TPID_8021Q => {
            let id = u16::from_be_bytes([buffer[14], buffer[15]]) & 0x0fff;
            if id != vlan {
                return Ok(None);
            }
            buffer.copy_within(0..12, 4);
            &buffer[4..n]
        }
        None => return Ok(None),
    };
    Ok(Some(frame))
}
