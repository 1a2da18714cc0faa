//! A VRRP version 3 speaker for real (RFC 5798, IPv4): the model's
//! [`VirtualRouter`] state machine on the real clock, in a network
//! namespace, over a raw IP socket.
//!
//! A [`Speaker`] is one router of one virtual router on one interface. Its
//! thread lives in the router's namespace; it multicasts ADVERTISEMENTs to
//! 224.0.0.18 (IP protocol 112, TTL 255) from the router's primary address,
//! receives the group's (and discards any whose TTL is not 255, §7.1), and
//! fires the state machine's timers when they are due. When the machine
//! says [`Action::BecomeMaster`] it becomes the virtual router on the
//! wire: a macvlan device `vrrp4-IFINDEX-VRID` on the interface, with the
//! virtual router MAC 00-00-5E-00-01-{VRID} and the virtual addresses (as
//! /32s), and a gratuitous ARP from that MAC for each address, so that
//! hosts and bridges learn at once where it is. On [`Action::BecomeBackup`]
//! or [`Action::BecomeInitialize`] it deletes the device: a router that is
//! no longer master no longer receives frames for the virtual MAC, so a
//! host with a stale ARP entry is not forwarded for (as RFC 5798 §7.3
//! wants). The interface itself answers ARP only for its own addresses
//! (`arp_ignore=1`), so the virtual addresses are only ever answered with
//! the virtual MAC.
//!
//! [`Speaker::stop`] is a clean shutdown (priority 0 advertisement, so a
//! backup takes over after Skew_Time); [`Speaker::crash`] is a router that
//! dies (no more packets, no priority 0; its addresses vanish with it), so
//! a backup takes over after Master_Down_Interval. Every state change is
//! recorded with the instant it took effect ([`Speaker::transitions`]), for
//! failover measurements.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dataplane::vrrp::{Config, State};
//! use linux::Netns;
//! use linux::vrrp_speaker::Speaker;
//!
//! let router = Netns::create("ovh-a")?;
//! // … eth0 in `router`, up, with 192.0.2.2/24, on the LAN of the other routers …
//! let mut config = Config::new(1, 200, "192.0.2.2".parse()?, vec!["192.0.2.1".parse()?]);
//! config.accept_mode = true;
//! let speaker = Speaker::start(&router, "eth0", config)?;
//! // … after Master_Down_Interval without a better master, it holds 192.0.2.1 …
//! if speaker.state() == State::Master {
//!     speaker.crash(); // gone without a word: a backup takes over after Master_Down_Interval
//! }
//! # Ok(()) }
//! ```
//!
//! The kernel accepts packets sent to an address it holds, so the speaker
//! only runs virtual routers with `Accept_Mode` on (as FRR's vrrpd, which
//! also puts the addresses on an interface); the model's trace then agrees
//! that a ping to the virtual address is answered by the master.
//!
//! Not here: IPv6 (Neighbor Advertisements) and authentication.
//! Advertisements leave from the interface's own MAC address (the RFC
//! says the virtual MAC); receivers only look at the IP source.

mod socket;

use crate::netns::{IP, Netns};
use crate::process::run;
use crate::{Error, Result};
use dataplane::vrrp::{Action, Advertisement, Config, Event, State, VirtualRouter};
use socket::Io;
pub use socket::{IPPROTO_VRRP, VRRP_GROUP_V4};
use std::net::IpAddr;
use std::process::Command;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

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

    /// The router's state as it took effect on the wire: Master once the
    /// virtual addresses are held, Backup once they are released.
    pub fn state(&self) -> State {
        lock(&self.shared)
            .transitions
            .last()
            .map_or(State::Initialize, |t| t.state)
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
        // A device left by a speaker of a process that died.
        self.release()?;
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
                    self.take(&addresses)?;
                    let (mac, device) = (self.virtual_mac(), self.virtual_device());
                    for address in &addresses {
                        if let IpAddr::V4(a) = address
                            && let Err(e) = self.io.gratuitous_arp(*a, mac, &device)
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

    /// The virtual router MAC address, 00-00-5E-00-01-{VRID} (RFC 5798
    /// §7.3).
    fn virtual_mac(&self) -> [u8; 6] {
        let vrid = lock(&self.shared).router.config().vrid;
        [0x00, 0x00, 0x5e, 0x00, 0x01, vrid]
    }

    /// The macvlan device carrying the virtual MAC and addresses while
    /// master: `vrrp4-IFINDEX-VRID`, as FRR's vrrpd names them.
    fn virtual_device(&self) -> String {
        let vrid = lock(&self.shared).router.config().vrid;
        format!("vrrp4-{}-{vrid}", self.io.ifindex)
    }

    /// Becomes the virtual router on the wire: a macvlan device on the
    /// interface with the virtual MAC, holding the virtual addresses.
    fn take(&self, addresses: &[IpAddr]) -> Result<()> {
        let device = self.virtual_device();
        let [a, b, c, d, e, f] = self.virtual_mac();
        let mac = format!("{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{f:02x}");
        let ip = |args: &[&str]| run(Command::new(IP).args(self.netns.ip_args()).args(args));
        let add = [
            "link",
            "add",
            &device,
            "link",
            &self.interface,
            "address",
            &mac,
            "type",
            "macvlan",
            "mode",
            "bridge",
        ];
        match ip(&add) {
            Ok(_) => {}
            Err(Error::CommandFailed { output, .. }) if output.contains("File exists") => {}
            Err(e) => return Err(e),
        }
        for address in addresses {
            let len = if address.is_ipv4() { 32 } else { 128 };
            let prefix = format!("{address}/{len}");
            match ip(&["addr", "add", &prefix, "dev", &device]) {
                Ok(_) => {}
                Err(Error::CommandFailed { output, .. }) if output.contains("File exists") => {}
                Err(e) => return Err(e),
            }
        }
        ip(&["link", "set", &device, "up"]).map(drop)
    }

    /// Gives the virtual MAC and addresses up (deletes the macvlan device),
    /// if they were held.
    fn release(&self) -> Result<()> {
        let device = self.virtual_device();
        let del = ["link", "del", &device];
        match run(Command::new(IP).args(self.netns.ip_args()).args(del)) {
            Ok(_) => Ok(()),
            Err(Error::CommandFailed { output, .. }) if output.contains("Cannot find device") => {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}
