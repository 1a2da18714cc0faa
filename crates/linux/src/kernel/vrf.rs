//! A VRF without VRF devices: a numbered routing table, chosen by the
//! interface a packet arrives on.
//!
//! The provider edge holds a VRF per VPC in one namespace (the engine's BGP
//! sessions run there, on every link). A [`KernelVrf`] is the VRF's table
//! (with its connected routes, see [`KernelTable::with_connected`]), a
//! policy routing rule `iif DEVICE lookup TABLE` for each of the VRF's
//! interfaces, and an `unreachable default` at the highest metric in the
//! table, so that a lookup that finds nothing there stops instead of
//! falling through to `main`: what a Linux VRF device (l3mdev) does.
//!
//! What it does not isolate: packets the namespace itself sends (they use
//! `main`, where the kernel keeps every connected route), and the local
//! table (an address of one VRF answers from every VRF). Overlapping
//! addresses between VRFs of one namespace are not supported.

use super::{Change, KernelTable};
use crate::netns::{IP, Netns};
use crate::process::run;
use crate::{Error, Result};
use dataplane::{InterfaceId, Network, NodeId};
use std::process::Command;

/// The preference of the `iif` rules: after `local` (0), before `main`
/// (32766).
pub const RULE_PREFERENCE: u32 = 1000;

/// The metric of the `unreachable default` closing a VRF's table, as the
/// kernel's VRF devices use.
const UNREACHABLE_METRIC: &str = "4278198272";

/// One VRF of a namespace: its table and the interfaces bound to it.
#[derive(Clone, Debug)]
pub struct KernelVrf {
    table: KernelTable,
}

impl KernelVrf {
    /// VRF table `table` of `netns` (1–4294967295, not `main` (254),
    /// `local` (255) or `default` (253)).
    pub fn new(netns: &Netns, table: u32) -> Result<Self> {
        if matches!(table, 0 | 253..=255) {
            return Err(Error::invalid(
                "VRF table",
                format!("{table} is reserved by the kernel"),
            ));
        }
        Ok(KernelVrf {
            table: KernelTable::new(netns, table).with_connected(),
        })
    }

    /// The table, with its connected routes.
    pub fn table(&self) -> &KernelTable {
        &self.table
    }

    /// Routes packets arriving on each of `devices` in this VRF's table,
    /// and closes the table with an unreachable default. Idempotent, and
    /// without a gap: a rule already there is left alone (deleting and adding
    /// it again would send the packets of that moment to `main`, and a
    /// runner that binds at each rendering would lose pings to it).
    pub fn bind(&self, devices: &[&str]) -> Result<()> {
        let ns = self.table.netns().ip_args();
        let table = self.table.table().to_string();
        let pref = RULE_PREFERENCE.to_string();
        for family in ["-4", "-6"] {
            for device in devices {
                let selector = ["iif", device, "lookup", &table, "pref", &pref];
                let shown = run(Command::new(IP)
                    .args(&ns)
                    .args([family, "rule", "show"])
                    .args(selector))?;
                if !shown.trim().is_empty() {
                    continue;
                }
                run(Command::new(IP)
                    .args(&ns)
                    .args([family, "rule", "add"])
                    .args(selector))?;
            }
            let close = [
                "route",
                "replace",
                "unreachable",
                "default",
                "table",
                &table,
                "metric",
                UNREACHABLE_METRIC,
            ];
            run(Command::new(IP).args(&ns).arg(family).args(close))?;
        }
        Ok(())
    }

    /// Binds the Linux devices of `node`'s interfaces in VRF `vrf` (see
    /// [`KernelVrf::bind`]) and renders the VRF into the table.
    pub fn render(
        &self,
        net: &Network,
        node: NodeId,
        vrf: &str,
        device: impl Fn(InterfaceId) -> Option<String>,
    ) -> Result<Vec<Change>> {
        let devices: Vec<String> = net
            .interfaces_of(node)
            .filter(|(id, _)| net.vrf_of(*id) == Some(vrf))
            .filter_map(|(id, _)| device(id))
            .collect();
        let devices: Vec<&str> = devices.iter().map(String::as_str).collect();
        self.bind(&devices)?;
        self.table.render(net, node, vrf, device)
    }
}
