//! The InterLink state as rows ([`crate::persist`]): one kind per table (`interlink.links` …),
//! the settings and ID generator in the meta row `interlink`, and the IPAM state it owns.

use super::InterLink;
use crate::catalogue::{Catalogue, Settings};
use crate::ids::IdGenerator;
use crate::ipam::Ipam;
use crate::persist::{Changes, PersistError, Persisted, Rows};
use serde::{Deserialize, Serialize};

/// The meta row: what is not a resource.
#[derive(Serialize, Deserialize)]
struct Meta {
    settings: Settings,
    ids: IdGenerator,
    seq: u64,
}

#[derive(Serialize)]
struct MetaRef<'a> {
    settings: &'a Settings,
    ids: &'a IdGenerator,
    seq: u64,
}

const NAME: &str = "interlink";

impl Persisted for InterLink {
    fn drain_changes(&mut self, all: bool, out: &mut Changes) -> Result<(), PersistError> {
        out.table("interlink.pops", &mut self.pops, all)?;
        out.table("interlink.partners", &mut self.partners, all)?;
        out.table(
            "interlink.shared_connections",
            &mut self.shared_connections,
            all,
        )?;
        out.table("interlink.connections", &mut self.connections, all)?;
        out.table("interlink.links", &mut self.links, all)?;
        out.table("interlink.policies", &mut self.policies, all)?;
        out.meta(
            NAME,
            &MetaRef {
                settings: &self.settings,
                ids: &self.ids,
                seq: self.seq,
            },
        )?;
        self.ipam.drain_changes(all, out)
    }
}

impl InterLink {
    /// The state kept in `rows` (as [`Persisted::drain_changes`] wrote it), with the projects
    /// (and tokens) of `catalogue` (resolved), like [`crate::snapshot::from_json`].
    pub fn restore(rows: &mut Rows, catalogue: &Catalogue) -> Result<Self, PersistError> {
        let meta: Meta = rows.take_meta(NAME)?;
        Ok(Self {
            settings: meta.settings,
            projects: catalogue.projects.clone(),
            ids: meta.ids,
            seq: meta.seq,
            pops: rows.take_table("interlink.pops")?,
            partners: rows.take_table("interlink.partners")?,
            shared_connections: rows.take_table("interlink.shared_connections")?,
            connections: rows.take_table("interlink.connections")?,
            links: rows.take_table("interlink.links")?,
            policies: rows.take_table("interlink.policies")?,
            ipam: Ipam::restore(rows)?,
        })
    }
}
