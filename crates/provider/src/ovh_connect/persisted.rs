//! The OVHcloud Connect state as rows ([`crate::persist`]): one kind per table
//! (`ovh_connect.tasks` …), the ID counter, task delay, virtual clock and start time in the meta
//! row `ovh_connect`.

use super::OvhConnect;
use crate::persist::{Changes, PersistError, Persisted, Rows};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Meta {
    next_id: u64,
    task_secs: u64,
    clock_offset_secs: i64,
    #[serde(default)]
    started: Option<DateTime<Utc>>,
}

const NAME: &str = "ovh_connect";

impl Persisted for OvhConnect {
    fn drain_changes(&mut self, all: bool, out: &mut Changes) -> Result<(), PersistError> {
        out.table("ovh_connect.services", &mut self.services, all)?;
        out.table("ovh_connect.interfaces", &mut self.interfaces, all)?;
        out.table("ovh_connect.vracks", &mut self.vracks, all)?;
        out.table("ovh_connect.datacenters", &mut self.datacenters, all)?;
        out.table("ovh_connect.pops", &mut self.pops, all)?;
        out.table(
            "ovh_connect.datacenter_configs",
            &mut self.datacenter_configs,
            all,
        )?;
        out.table("ovh_connect.extras", &mut self.extras, all)?;
        out.table("ovh_connect.tasks", &mut self.tasks, all)?;
        out.meta(
            NAME,
            &Meta {
                next_id: self.next_id,
                task_secs: self.task_secs,
                clock_offset_secs: self.clock_offset_secs,
                started: self.started,
            },
        )
    }
}

impl OvhConnect {
    /// The state kept in `rows` (as [`Persisted::drain_changes`] wrote it).
    pub fn restore(rows: &mut Rows) -> Result<Self, PersistError> {
        let meta: Meta = rows.take_meta(NAME)?;
        Ok(Self {
            services: rows.take_table("ovh_connect.services")?,
            interfaces: rows.take_table("ovh_connect.interfaces")?,
            vracks: rows.take_table("ovh_connect.vracks")?,
            datacenters: rows.take_table("ovh_connect.datacenters")?,
            pops: rows.take_table("ovh_connect.pops")?,
            datacenter_configs: rows.take_table("ovh_connect.datacenter_configs")?,
            extras: rows.take_table("ovh_connect.extras")?,
            tasks: rows.take_table("ovh_connect.tasks")?,
            next_id: meta.next_id,
            task_secs: meta.task_secs,
            clock_offset_secs: meta.clock_offset_secs,
            started: meta.started,
        })
    }
}
