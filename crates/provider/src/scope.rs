//! Who is calling: the project and organization an API token belongs to.
//!
//! Every product operation takes a [`Caller`]. A resource of another project is answered exactly
//! like a missing one (`not_found`): the API never tells that it exists.

use crate::error::ProviderError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The project and organization of the token that made a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Caller {
    /// The token's project.
    pub project_id: Uuid,
    /// The project's organization.
    pub organization_id: Uuid,
}

impl Caller {
    /// A caller.
    pub fn new(project_id: Uuid, organization_id: Uuid) -> Self {
        Self {
            project_id,
            organization_id,
        }
    }

    /// Whether a resource of `project_id` is visible to this caller.
    pub fn sees(&self, project_id: Uuid) -> bool {
        self.project_id == project_id
    }

    /// The project a new resource goes into: the requested one (which must be the caller's, or
    /// `permissions_denied`), else the caller's.
    pub fn project_for_write(
        &self,
        requested: Option<Uuid>,
        resource: &str,
    ) -> Result<Uuid, ProviderError> {
        match requested {
            Some(p) if p != self.project_id => Err(ProviderError::write_denied(resource)),
            _ => Ok(self.project_id),
        }
    }

    /// Whether the `project_id` / `organization_id` filters of a list request can match anything
    /// for this caller.
    pub fn list_scope_matches(
        &self,
        project_id: Option<Uuid>,
        organization_id: Option<Uuid>,
    ) -> bool {
        project_id.is_none_or(|p| p == self.project_id)
            && organization_id.is_none_or(|o| o == self.organization_id)
    }
}
