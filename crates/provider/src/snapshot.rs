//! Snapshots of the model: the whole [`InterLink`] state (IPAM included) and the
//! [`OvhConnect`] state as JSON. It was the state file of `peerlab serve --state` before the
//! SQLite store (`world::store`, through [`crate::persist`]); that store reads it to migrate it.
//!
//! The OVHcloud Connect part is the optional `ovh_connect` member ([`to_json_with_ovh`],
//! [`from_json_with_ovh`]); a snapshot without it (written before OVHcloud Connect existed)
//! still reads, and OVHcloud Connect then starts from the catalogue.
//!
//! A snapshot holds every resource and the catalogue entries as they were when the state was
//! first created (PoPs, partners, connections, VPCs, settings), plus the ID generators, so that a
//! restored model goes on exactly where it stopped. It does **not** hold the projects and their
//! tokens: [`from_json`] takes them from the catalogue in force, which decides who may call.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use provider::catalogue::Catalogue;
//! use provider::interlink::InterLink;
//!
//! let now = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap();
//! let model = InterLink::demo(now);
//! let bytes = provider::snapshot::to_json(&model).unwrap();
//! let back = provider::snapshot::from_json(&bytes, &Catalogue::default().resolved()).unwrap();
//! assert_eq!(provider::snapshot::to_json(&back).unwrap(), bytes);
//! assert!(provider::snapshot::from_json(b"{\"format\":", &Catalogue::default()).is_err());
//! ```

use crate::catalogue::Catalogue;
use crate::interlink::InterLink;
use crate::ovh_connect::OvhConnect;
use serde::{Deserialize, Serialize};

/// The `format` field of every snapshot.
pub const FORMAT: &str = "peerlab-state";
/// The snapshot layout version this build reads and writes.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Out<'a> {
    format: &'static str,
    version: u32,
    interlink: &'a InterLink,
    #[serde(skip_serializing_if = "Option::is_none")]
    ovh_connect: Option<&'a OvhConnect>,
}

#[derive(Deserialize)]
struct In {
    format: String,
    version: u32,
    interlink: InterLink,
    #[serde(default)]
    ovh_connect: Option<OvhConnect>,
}

/// Why a snapshot cannot be read or written (one line, causes included).
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Not JSON, or not the model's layout.
    #[error("not a peerlab state: {0}")]
    Json(serde_json::Error),
    /// Another program's JSON, or another layout version.
    #[error("not a peerlab state of version {VERSION} (format {format:?}, version {version})")]
    Version {
        /// The `format` found.
        format: String,
        /// The `version` found.
        version: u32,
    },
}

/// The model as a snapshot (compact JSON).
pub fn to_json(model: &InterLink) -> Result<Vec<u8>, SnapshotError> {
    serde_json::to_vec(&Out {
        format: FORMAT,
        version: VERSION,
        interlink: model,
        ovh_connect: None,
    })
    .map_err(SnapshotError::Json)
}

/// Both models as a snapshot (compact JSON).
pub fn to_json_with_ovh(model: &InterLink, ovh: &OvhConnect) -> Result<Vec<u8>, SnapshotError> {
    serde_json::to_vec(&Out {
        format: FORMAT,
        version: VERSION,
        interlink: model,
        ovh_connect: Some(ovh),
    })
    .map_err(SnapshotError::Json)
}

/// Both models of a snapshot, with the projects of `catalogue` (resolved); OVHcloud Connect
/// from the catalogue when the snapshot has no `ovh_connect` member.
pub fn from_json_with_ovh(
    bytes: &[u8],
    catalogue: &Catalogue,
) -> Result<(InterLink, OvhConnect), SnapshotError> {
    let snapshot = read(bytes)?;
    let mut model = snapshot.interlink;
    model.projects = catalogue.projects.clone();
    let ovh = snapshot
        .ovh_connect
        .unwrap_or_else(|| OvhConnect::new(catalogue));
    Ok((model, ovh))
}

fn read(bytes: &[u8]) -> Result<In, SnapshotError> {
    let snapshot: In = serde_json::from_slice(bytes).map_err(SnapshotError::Json)?;
    if snapshot.format != FORMAT || snapshot.version != VERSION {
        return Err(SnapshotError::Version {
            format: snapshot.format,
            version: snapshot.version,
        });
    }
    Ok(snapshot)
}

/// The model of a snapshot, with the projects of `catalogue` (resolved).
pub fn from_json(bytes: &[u8], catalogue: &Catalogue) -> Result<InterLink, SnapshotError> {
    let snapshot = read(bytes)?;
    let mut model = snapshot.interlink;
    model.projects = catalogue.projects.clone();
    Ok(model)
}
