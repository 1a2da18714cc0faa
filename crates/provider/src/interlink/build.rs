//! Building the InterLink state from a catalogue, and adding catalogue entries at run time (a
//! topology runner declaring its own connections and VPCs).

use super::connection::{DedicatedConnection, VlanRange};
use super::partner::{Partner, SharedConnection};
use super::pop::Pop;
use super::{ConnectionRecord, InterLink, PartnerRecord, PopRecord};
use crate::catalogue::{
    Catalogue, CatalogueError, DedicatedConnectionSpec, STANDARD_LINK_BANDWIDTHS_MBPS, VpcSpec,
};
use crate::ids::{IdGenerator, stable_uuid};
use crate::ipam::{Ipam, Vpc};
use crate::naming::{self, NameLimits};
use crate::region::Region;
use crate::table::Table;
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn link_sizes(
    entry: &str,
    bandwidth_mbps: u64,
    declared: Option<&Vec<u64>>,
) -> Result<Vec<u64>, CatalogueError> {
    let mut sizes: Vec<u64> = match declared {
        Some(d) => d.clone(),
        None => STANDARD_LINK_BANDWIDTHS_MBPS
            .iter()
            .copied()
            .filter(|b| *b <= bandwidth_mbps)
            .collect(),
    };
    sizes.sort_unstable();
    sizes.dedup();
    if bandwidth_mbps == 0
        || sizes.is_empty()
        || sizes.iter().any(|b| *b == 0 || *b > bandwidth_mbps)
    {
        return Err(CatalogueError::Invalid {
            entry: entry.to_string(),
            reason: format!(
                "link bandwidths {sizes:?} must be non-empty, non-zero and fit in {bandwidth_mbps} Mbps"
            ),
        });
    }
    Ok(sizes)
}

fn vlan_range(entry: &str, declared: Option<VlanRange>) -> Result<VlanRange, CatalogueError> {
    let range = declared.unwrap_or_default();
    if !range.is_valid() {
        return Err(CatalogueError::Invalid {
            entry: entry.to_string(),
            reason: format!(
                "vlan_range {}-{} must lie within 1500-3899",
                range.start, range.end
            ),
        });
    }
    Ok(range)
}

impl InterLink {
    /// The state a catalogue describes ([`Catalogue::resolved`] first: the demo is included
    /// unless `include_demo = false`).
    pub fn new(catalogue: &Catalogue, now: DateTime<Utc>) -> Result<Self, CatalogueError> {
        let catalogue = catalogue.resolved();
        let settings = catalogue.settings.clone();
        let mut state = InterLink {
            ids: IdGenerator::new(settings.id_seed),
            ipam: Ipam::new(
                settings.id_seed ^ 0x1_0000_0000,
                settings.link_ipv4_pool,
                settings.link_ipv6_pool,
            ),
            settings,
            projects: catalogue.projects.clone(),
            seq: 0,
            pops: Table::new(),
            partners: Table::new(),
            shared_connections: Table::new(),
            connections: Table::new(),
            links: Table::new(),
            policies: Table::new(),
        };
        for spec in &catalogue.pops {
            let id = spec.id.unwrap_or_else(|| stable_uuid("pop", &spec.name));
            if state.pops.contains_key(&id) {
                return Err(CatalogueError::DuplicateId(id));
            }
            let display_name = spec.display_name.clone().unwrap_or_else(|| {
                format!(
                    "{} - {} {}",
                    spec.city, spec.hosting_provider_name, spec.name
                )
            });
            let seq = state.next_seq();
            state.pops.insert(
                id,
                PopRecord {
                    seq,
                    pop: Pop {
                        id,
                        name: spec.name.clone(),
                        hosting_provider_name: spec.hosting_provider_name.clone(),
                        address: spec.address.clone(),
                        city: spec.city.clone(),
                        logo_url: spec.logo_url.clone(),
                        available_link_bandwidths_mbps: Vec::new(),
                        display_name,
                        region: spec.region,
                    },
                },
            );
        }
        for spec in &catalogue.partners {
            let id = spec
                .id
                .unwrap_or_else(|| stable_uuid("partner", &spec.name));
            if state.partners.contains_key(&id) {
                return Err(CatalogueError::DuplicateId(id));
            }
            let entry = format!("partner {:?}", spec.name);
            for shared in &spec.connections {
                let pop_id = state.resolve_pop(&entry, &shared.pop, spec.region)?;
                let shared_id = stable_uuid("shared_connection", &format!("{id}/{pop_id}"));
                if state.shared_connections.contains_key(&shared_id) {
                    return Err(CatalogueError::Invalid {
                        entry,
                        reason: format!("two shared connections in PoP {:?}", shared.pop),
                    });
                }
                state.shared_connections.insert(
                    shared_id,
                    SharedConnection {
                        id: shared_id,
                        partner_id: id,
                        pop_id,
                        region: spec.region,
                        bandwidth_mbps: shared.bandwidth_mbps,
                        available_link_bandwidths: link_sizes(
                            &entry,
                            shared.bandwidth_mbps,
                            shared.available_link_bandwidths.as_ref(),
                        )?,
                        vlan_range: vlan_range(&entry, shared.vlan_range)?,
                    },
                );
            }
            let seq = state.next_seq();
            state.partners.insert(
                id,
                PartnerRecord {
                    seq,
                    partner: Partner {
                        id,
                        name: spec.name.clone(),
                        contact_email: spec.contact_email.clone(),
                        logo_url: spec.logo_url.clone(),
                        portal_url: spec.portal_url.clone(),
                        l3_connectivity: spec.l3_connectivity,
                        region: spec.region,
                        created_at: now,
                        updated_at: now,
                    },
                    auto_approve_secs: spec.auto_approve_secs,
                    provisioning_secs: spec.provisioning_secs,
                },
            );
        }
        for spec in &catalogue.dedicated_connections {
            state.add_dedicated_connection(spec, now)?;
        }
        for spec in &catalogue.vpcs {
            state.add_vpc(spec)?;
        }
        state.ipam.date_undated(now);
        Ok(state)
    }

    /// The state of the built-in demo catalogue alone.
    pub fn demo(now: DateTime<Utc>) -> Self {
        match Self::new(&Catalogue::default(), now) {
            Ok(state) => state,
            // The demo catalogue is fixed and tested; this arm is unreachable in practice.
            Err(e) => unreachable!("the demo catalogue is valid: {e}"),
        }
    }

    fn resolve_pop(
        &self,
        entry: &str,
        reference: &str,
        region: Region,
    ) -> Result<Uuid, CatalogueError> {
        self.pops
            .values()
            .find(|r| {
                r.pop.region == region
                    && (r.pop.name == reference || r.pop.id.to_string() == reference)
            })
            .map(|r| r.pop.id)
            .ok_or_else(|| CatalogueError::UnknownReference {
                entry: entry.to_string(),
                kind: "pop",
                reference: reference.to_string(),
            })
    }

    /// Adds a dedicated connection (the catalogue's, or a topology's at run time).
    pub fn add_dedicated_connection(
        &mut self,
        spec: &DedicatedConnectionSpec,
        now: DateTime<Utc>,
    ) -> Result<DedicatedConnection, CatalogueError> {
        let entry = format!("dedicated connection {:?}", spec.name);
        let mut refused = Vec::new();
        naming::check_name_and_tags(
            Some(&spec.name),
            NameLimits::INTERLINK,
            Some(&spec.tags),
            &mut refused,
        );
        if let Some(first) = refused.first() {
            return Err(CatalogueError::Invalid {
                entry,
                reason: format!("{} {}", first.argument_name, first.help_message),
            });
        }
        let id = spec
            .id
            .unwrap_or_else(|| stable_uuid("dedicated_connection", &spec.name));
        if self.connections.contains_key(&id) || self.shared_connections.contains_key(&id) {
            return Err(CatalogueError::DuplicateId(id));
        }
        let project = match spec.project.as_deref() {
            None => self.projects.first(),
            Some(r) => self
                .projects
                .iter()
                .find(|p| p.name == r || p.id.to_string() == r),
        }
        .ok_or_else(|| CatalogueError::UnknownReference {
            entry: entry.clone(),
            kind: "project",
            reference: spec.project.clone().unwrap_or_default(),
        })?;
        let connection = DedicatedConnection {
            id,
            project_id: project.id,
            organization_id: project.organization_id,
            status: spec.status,
            name: spec.name.clone(),
            tags: spec.tags.clone(),
            pop_id: self.resolve_pop(&entry, &spec.pop, spec.region)?,
            bandwidth_mbps: spec.bandwidth_mbps,
            available_link_bandwidths: link_sizes(
                &entry,
                spec.bandwidth_mbps,
                spec.available_link_bandwidths.as_ref(),
            )?,
            region: spec.region,
            created_at: now,
            updated_at: now,
            demarcation_info: spec.demarcation_info.clone(),
            vlan_range: Some(vlan_range(&entry, spec.vlan_range)?),
        };
        let seq = self.next_seq();
        self.connections.insert(
            id,
            ConnectionRecord {
                seq,
                connection: connection.clone(),
            },
        );
        Ok(connection)
    }

    /// Adds a VPC (the catalogue's, or a topology's at run time).
    pub fn add_vpc(&mut self, spec: &VpcSpec) -> Result<Vpc, CatalogueError> {
        self.ipam.add_vpc(spec, &self.projects)
    }
}
