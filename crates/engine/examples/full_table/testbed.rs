//! Two network namespaces joined by a plain veth pair carrying the session's /31: the source
//! (the customer's router) on the odd address, the receiver (Scaleway's side) on the even one.
//!
//! No VLAN: topology's userspace 802.1Q fallback would be what gets measured. Deleting the
//! namespaces (on Drop of the [`Netns`] handles) kills what runs in them and takes the veth
//! pair with them.

use anyhow::{Context as _, Result};
use linux::Netns;
use std::net::Ipv4Addr;

/// Scaleway's side of the session: the receiver.
pub const RECEIVER_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 0, 0);
/// The customer's side: the source.
pub const SOURCE_ADDR: Ipv4Addr = Ipv4Addr::new(169, 254, 0, 1);
/// The customer's AS.
pub const SOURCE_ASN: u32 = 64512;
/// Scaleway's AS.
pub const RECEIVER_ASN: u32 = 12876;

const SOURCE_IF: &str = "ft-src";
const RECEIVER_IF: &str = "ft-rcv";

/// The two namespaces, wired.
pub struct Testbed {
    /// Where the source runs.
    pub source: Netns,
    /// Where the receiver under test runs.
    pub receiver: Netns,
}

impl Testbed {
    /// Creates the namespaces and the veth pair, addresses up.
    pub fn create() -> Result<Self> {
        let source = Netns::create("ft-source").context("cannot create a namespace")?;
        let receiver = Netns::create("ft-receiver").context("cannot create a namespace")?;
        linux::process::run(std::process::Command::new("ip").args([
            "link",
            "add",
            SOURCE_IF,
            "netns",
            source.name(),
            "type",
            "veth",
            "peer",
            "name",
            RECEIVER_IF,
            "netns",
            receiver.name(),
        ]))
        .context("cannot create the veth pair")?;
        configure(&source, SOURCE_IF, SOURCE_ADDR)?;
        configure(&receiver, RECEIVER_IF, RECEIVER_ADDR)?;
        Ok(Self { source, receiver })
    }
}

/// Puts `address/31` on `interface` and brings it up.
fn configure(ns: &Netns, interface: &str, address: Ipv4Addr) -> Result<()> {
    let cidr = format!("{address}/31");
    ns.run("ip", ["addr", "add", &cidr, "dev", interface])
        .and_then(|_| ns.run("ip", ["link", "set", interface, "up"]))
        .with_context(|| format!("cannot configure {interface} in {}", ns.name()))?;
    Ok(())
}
