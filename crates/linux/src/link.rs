//! One InterLink cross-connect between the provider side (the host: the root
//! namespace, or a namespace standing in for it) and a customer namespace.
//!
//! A veth pair is the cable; on each end a VLAN subinterface (802.1Q)
//! carries the link's addresses: the IPv4 /31 (Scaleway on the even
//! address) and the IPv6 /127. The two ends' VLAN ids are given separately,
//! so that a test can get them wrong and watch nothing pass.
//!
//! Not for: bridging several links onto one port (each link is its own
//! veth), or routes beyond the connected /31 and /127.

use crate::addressing::LinkAddressing;
use crate::netns::{IP, Netns};
use crate::process::{self, wait_until};
use crate::vlan::{Subinterface, VlanMode, ip};
use crate::{Error, Result};
use ipnet::{Ipv4Net, Ipv6Net};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How long addresses may take to become usable.
const ADDRESS_TIMEOUT: Duration = Duration::from_secs(10);

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// What to wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkConfig {
    /// The VLAN id on the host (Scaleway) side, 1–4094.
    pub host_vlan: u16,
    /// The VLAN id on the customer side; a link only passes traffic when it
    /// equals `host_vlan`.
    pub peer_vlan: u16,
    /// Both sides' addresses.
    pub addressing: LinkAddressing,
}

impl LinkConfig {
    /// A link on `vlan` at both ends, with freshly allocated addresses.
    pub fn new(vlan: u16) -> Result<Self> {
        Ok(LinkConfig {
            host_vlan: vlan,
            peer_vlan: vlan,
            addressing: LinkAddressing::allocate()?,
        })
    }
}

/// A wired cross-connect; Drop deletes the veth pair and its VLAN
/// subinterfaces.
#[derive(Debug)]
pub struct Link {
    config: LinkConfig,
    host_ns: Option<Netns>,
    peer_ns: Netns,
    host_veth: String,
    peer_veth: String,
    host_vlan: Option<Subinterface>,
    peer_vlan: Option<Subinterface>,
}

impl Link {
    /// Wires `peer` to the host: `host` is the provider side's namespace,
    /// `None` for the root namespace (where peerlab runs). Returns once both
    /// ends' addresses are usable (IPv6 not tentative).
    ///
    /// ```no_run
    /// # fn main() -> linux::Result<()> {
    /// use linux::{Link, LinkConfig, Netns};
    /// let customer = Netns::create("customer")?;
    /// let link = Link::create(None, &customer, &LinkConfig::new(2001)?)?;
    /// let scw = link.config().addressing.scw_ipv4.addr();
    /// customer.run("ping", ["-c1", "-W1", &scw.to_string()])?;
    /// # Ok(()) }
    /// ```
    pub fn create(host: Option<&Netns>, peer: &Netns, config: &LinkConfig) -> Result<Link> {
        for vlan in [config.host_vlan, config.peer_vlan] {
            if !(1..=4094).contains(&vlan) {
                return Err(Error::invalid(
                    "VLAN id",
                    format!("{vlan} is not in 1–4094"),
                ));
            }
        }
        process::require_binary(IP, "iproute2");
        let base = veth_base();
        let (host_veth, peer_veth) = (format!("{base}h"), format!("{base}p"));
        // A veth of this name can only be left over by a dead process that
        // had our pid.
        if ip(host, ["link", "show", &host_veth]).is_ok() {
            tracing::warn!(veth = %host_veth, "deleting a leftover veth");
            ip(host, ["link", "del", &host_veth])?;
        }
        let add = [
            "link", "add", &host_veth, "type", "veth", "peer", "name", &peer_veth,
        ];
        ip(host, add.into_iter().chain(["netns", peer.name()]))?;
        // From here on Drop cleans up.
        let mut link = Link {
            config: *config,
            host_ns: host.cloned(),
            peer_ns: peer.clone(),
            host_veth,
            peer_veth,
            host_vlan: None,
            peer_vlan: None,
        };
        link.wire()?;
        tracing::debug!(
            veth = %link.host_veth,
            mode = ?link.vlan_mode(),
            peer = %peer.name(),
            "link wired"
        );
        Ok(link)
    }

    fn wire(&mut self) -> Result<()> {
        let (host, peer) = (self.host_ns.as_ref(), Some(&self.peer_ns));
        let a = self.config.addressing;
        ip(host, ["link", "set", &self.host_veth, "up"])?;
        ip(peer, ["link", "set", &self.peer_veth, "up"])?;
        let host_vlan = Subinterface::create(host, &self.host_veth, self.config.host_vlan)?;
        let host_if = host_vlan.name().to_owned();
        self.host_vlan = Some(host_vlan);
        let peer_vlan = Subinterface::create(peer, &self.peer_veth, self.config.peer_vlan)?;
        let peer_if = peer_vlan.name().to_owned();
        self.peer_vlan = Some(peer_vlan);
        let sides = [
            (
                host,
                &host_if,
                a.scw_ipv4.to_string(),
                a.scw_ipv6.to_string(),
            ),
            (
                peer,
                &peer_if,
                a.peer_ipv4.to_string(),
                a.peer_ipv6.to_string(),
            ),
        ];
        for (ns, interface, v4, v6) in &sides {
            let interface = interface.as_str();
            ip(*ns, ["addr", "add", v4, "dev", interface])?;
            ip(*ns, ["addr", "add", v6, "dev", interface, "nodad"])?;
            ip(*ns, ["link", "set", interface, "up"])?;
        }
        for (ns, interface, v4, v6) in &sides {
            wait_usable(*ns, interface, &[v4, v6])?;
        }
        Ok(())
    }

    /// What was wired.
    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// The host's VLAN subinterface (`VETH.VLAN`), carrying Scaleway's
    /// addresses.
    pub fn host_interface(&self) -> &str {
        self.host_vlan.as_ref().map_or("", Subinterface::name)
    }

    /// The customer's VLAN subinterface, carrying the customer's addresses.
    pub fn peer_interface(&self) -> &str {
        self.peer_vlan.as_ref().map_or("", Subinterface::name)
    }

    /// The host end of the veth pair (in the host namespace).
    pub fn host_veth(&self) -> &str {
        &self.host_veth
    }

    /// The customer end of the veth pair (in the customer namespace).
    pub fn peer_veth(&self) -> &str {
        &self.peer_veth
    }

    /// How the VLAN subinterfaces were made.
    pub fn vlan_mode(&self) -> VlanMode {
        self.host_vlan
            .as_ref()
            .map_or(VlanMode::Kernel, Subinterface::mode)
    }

    /// Takes the customer end of the cable down or up again. Down, the host
    /// end loses carrier (with kernel VLANs its subinterface goes down too;
    /// with emulated ones frames are just lost) and nothing passes.
    pub fn set_up(&self, up: bool) -> Result<()> {
        let state = if up { "up" } else { "down" };
        ip(Some(&self.peer_ns), ["link", "set", &self.peer_veth, state]).map(drop)
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        for vlan in [&mut self.host_vlan, &mut self.peer_vlan]
            .into_iter()
            .flatten()
        {
            vlan.remove();
        }
        // Deleting one end deletes the pair and the kernel VLAN devices.
        if let Err(e) = ip(self.host_ns.as_ref(), ["link", "del", &self.host_veth]) {
            tracing::warn!(veth = %self.host_veth, error = %e, "cannot delete the veth");
        }
        tracing::debug!(veth = %self.host_veth, "link deleted");
    }
}

/// One side of a VLAN: `PARENT.VLAN` on an existing interface, with the
/// given /31 and /127 on it (IPv6 without duplicate address detection), up.
/// For the side a [`Link`] does not make, e.g. peerlab's end of a cable
/// whose other end a test wired into a namespace. Drop removes it.
#[derive(Debug)]
pub struct VlanInterface {
    ns: Option<Netns>,
    vlan: Option<Subinterface>,
}

impl VlanInterface {
    /// Creates `PARENT.VLAN` in `ns` (the root namespace if `None`) on
    /// `parent`, which must exist; sets `parent` up. Does not wait for the
    /// addresses to be usable (see [`VlanInterface::wait_usable`]).
    pub fn create(
        ns: Option<&Netns>,
        parent: &str,
        vlan: u16,
        ipv4: Ipv4Net,
        ipv6: Ipv6Net,
    ) -> Result<VlanInterface> {
        if !(1..=4094).contains(&vlan) {
            return Err(Error::invalid(
                "VLAN id",
                format!("{vlan} is not in 1–4094"),
            ));
        }
        let name = format!("{parent}.{vlan}");
        if parent.is_empty() || name.len() > 15 {
            return Err(Error::invalid(
                "interface name",
                format!("{name:?}: the name of a VLAN interface has 15 characters at most"),
            ));
        }
        process::require_binary(IP, "iproute2");
        ip(ns, ["link", "show", "dev", parent])?;
        ip(ns, ["link", "set", parent, "up"])?;
        let this = VlanInterface {
            ns: ns.cloned(),
            vlan: Some(Subinterface::create(ns, parent, vlan)?),
        };
        // From here on Drop cleans up.
        let (v4, v6) = (ipv4.to_string(), ipv6.to_string());
        let ns = this.ns.as_ref();
        let name = this.name().to_owned();
        ip(ns, ["addr", "add", &v4, "dev", &name])?;
        ip(ns, ["addr", "add", &v6, "dev", &name, "nodad"])?;
        ip(ns, ["link", "set", &name, "up"])?;
        tracing::debug!(interface = %name, mode = ?this.mode(), "VLAN interface created");
        Ok(this)
    }

    /// The interface's name, `PARENT.VLAN`.
    pub fn name(&self) -> &str {
        self.vlan.as_ref().map_or("", Subinterface::name)
    }

    /// How the interface was made.
    pub fn mode(&self) -> VlanMode {
        self.vlan
            .as_ref()
            .map_or(VlanMode::Kernel, Subinterface::mode)
    }

    /// Waits until the interface is up with carrier and has its addresses,
    /// none tentative.
    pub fn wait_usable(&self, ipv4: Ipv4Net, ipv6: Ipv6Net) -> Result<()> {
        let (v4, v6) = (ipv4.to_string(), ipv6.to_string());
        wait_usable(self.ns.as_ref(), self.name(), &[&v4, &v6])
    }
}

impl Drop for VlanInterface {
    fn drop(&mut self) {
        let Some(mut vlan) = self.vlan.take() else {
            return;
        };
        let name = vlan.name().to_owned();
        match vlan.mode() {
            VlanMode::Kernel => {
                if let Err(e) = ip(self.ns.as_ref(), ["link", "del", &name]) {
                    tracing::warn!(interface = %name, error = %e, "cannot delete the VLAN interface");
                }
            }
            // The tap goes with its tagging thread.
            VlanMode::Userspace => vlan.remove(),
        }
        tracing::debug!(interface = %name, "VLAN interface deleted");
    }
}

/// `plPPPPPNN`: the pid and a counter in base 36 (5 and 2 digits), so that
/// `plPPPPPNNh.VLAN` fits the 15 characters of an interface name.
fn veth_base() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) % (36 * 36);
    format!("pl{}{}", base36(std::process::id(), 5), base36(n, 2))
}

/// `value` in `width` base-36 digits (the low ones, if it has more).
fn base36(mut value: u32, width: usize) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(value % 36) as usize];
        value /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits until `interface` is up with carrier and has `addresses`, none of
/// them tentative.
fn wait_usable(ns: Option<&Netns>, interface: &str, addresses: &[&String]) -> Result<()> {
    let what = format!("addresses on {interface}");
    wait_until(&what, ADDRESS_TIMEOUT, || {
        let link = ip(ns, ["-o", "link", "show", "dev", interface])?;
        if !link.contains("LOWER_UP") {
            return Ok(None);
        }
        let shown = ip(ns, ["-o", "addr", "show", "dev", interface])?;
        let present = addresses.iter().all(|a| shown.contains(&format!(" {a} ")));
        let ready = present && !shown.contains("tentative");
        Ok(ready.then_some(()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn veth_names_leave_room_for_a_vlan() {
        assert_eq!(base36(0, 2), "00");
        assert_eq!(base36(35, 2), "0z");
        assert_eq!(base36(4_194_304, 5), "2hwcg");
        let longest = format!("{}h.4094", veth_base());
        assert!(longest.len() <= 15, "{longest}");
    }
}
