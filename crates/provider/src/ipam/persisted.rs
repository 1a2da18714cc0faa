//! The IPAM state as rows ([`crate::persist`]): one kind per table (`ipam.ips` …), the ID
//! generator and link pools in the meta row `ipam`.
//!
//! The addresses booked per subnet (`taken`) are not stored: they are the addresses of the IPs
//! booked from a subnet, rebuilt from `ipam.ips` on restore (a subnet's set would otherwise be
//! rewritten whole at every booking).

use super::Ipam;
use super::alloc::LinkPool;
use crate::ids::IdGenerator;
use crate::persist::{Changes, PersistError, Persisted, Rows};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize)]
struct Meta {
    ids: IdGenerator,
    seq: u64,
    link_pool: LinkPool,
}

#[derive(Serialize)]
struct MetaRef<'a> {
    ids: &'a IdGenerator,
    seq: u64,
    link_pool: &'a LinkPool,
}

const NAME: &str = "ipam";

impl Persisted for Ipam {
    fn drain_changes(&mut self, all: bool, out: &mut Changes) -> Result<(), PersistError> {
        out.table("ipam.vpcs", &mut self.vpcs, all)?;
        out.table("ipam.private_networks", &mut self.private_networks, all)?;
        out.table("ipam.subnets", &mut self.subnets, all)?;
        out.table("ipam.ips", &mut self.ips, all)?;
        out.table("ipam.link_blocks", &mut self.link_blocks, all)?;
        out.meta(
            NAME,
            &MetaRef {
                ids: &self.ids,
                seq: self.seq,
                link_pool: &self.link_pool,
            },
        )
    }
}

impl Ipam {
    /// The state kept in `rows`.
    pub(crate) fn restore(rows: &mut Rows) -> Result<Self, PersistError> {
        let meta: Meta = rows.take_meta(NAME)?;
        let mut ipam = Self {
            ids: meta.ids,
            seq: meta.seq,
            vpcs: rows.take_table("ipam.vpcs")?,
            private_networks: rows.take_table("ipam.private_networks")?,
            subnets: rows.take_table("ipam.subnets")?,
            ips: rows.take_table("ipam.ips")?,
            taken: BTreeMap::new(),
            link_pool: meta.link_pool,
            link_blocks: rows.take_table("ipam.link_blocks")?,
        };
        for r in ipam.ips.values() {
            if let Some(subnet_id) = r.subnet_id {
                ipam.taken
                    .entry(subnet_id)
                    .or_default()
                    .insert(r.ip.address.addr());
            }
        }
        Ok(ipam)
    }
}
