//! Writing the model's FIBs into the kernels, by difference ([`crate::kernel`]).

use super::wired::Wired;
use crate::kernel::{KernelTable, KernelVrf, MAIN_TABLE};
use crate::{Netns, Result};
use dataplane::DEFAULT_VRF;
use world::model::{Model, OVH, SCALEWAY};

/// Renders every node's FIB; returns how many routes changed.
pub(super) fn render(provider: &Netns, wired: &Wired, model: &Model) -> Result<usize> {
    let net = &model.net;
    let device = |id| wired.device(net, id);
    let mut changes = 0;
    if let Some(scw) = model.node(SCALEWAY) {
        for (vrf, table) in &wired.vrf_tables {
            changes += match *table {
                MAIN_TABLE => KernelTable::main(provider).render(net, scw, vrf, device)?,
                table => KernelVrf::new(provider, table)?.render(net, scw, vrf, device)?,
            }
            .len();
        }
    }
    if let (Some(ovh), Some(table)) = (model.node(OVH), wired.ovh_table) {
        changes += match table {
            MAIN_TABLE => KernelTable::main(provider).render(net, ovh, DEFAULT_VRF, device)?,
            table => KernelVrf::new(provider, table)?.render(net, ovh, DEFAULT_VRF, device)?,
        }
        .len();
    }
    let namespaces = wired
        .routers
        .iter()
        .map(|(name, r)| (name, r.netns().clone()))
        .chain(wired.hosts.iter().map(|(name, h)| (name, h.ns.clone())));
    for (name, ns) in namespaces {
        if let Some(node) = model.node(name) {
            changes += KernelTable::main(&ns)
                .render(net, node, DEFAULT_VRF, device)?
                .len();
        }
    }
    Ok(changes)
}
