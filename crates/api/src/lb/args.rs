//! The arguments of the Load Balancer's handlers that its two APIs carry differently: the
//! path's `{zone}` or `{region}`, and the UUIDs the zoned API takes in the body.

use crate::error::ApiError;
use crate::extract::PathArgs;
use provider::ProviderError;
use provider::lb::{Locality, Zone};
use uuid::Uuid;

impl PathArgs {
    /// The `{zone}` or `{region}` of the path.
    pub(crate) fn locality(&self) -> Result<Locality, ApiError> {
        match self.raw("zone") {
            Some(zone) => Ok(Locality::Zone(zone.parse::<Zone>()?)),
            None => Ok(Locality::Region(self.region()?)),
        }
    }

    /// The locality and one UUID parameter.
    pub(crate) fn loc_and(&self, name: &str) -> Result<(Locality, Uuid), ApiError> {
        Ok((self.locality()?, self.id(name)?))
    }
}

/// A UUID from a body field that the zoned API carries there (`private_network_id`).
pub(crate) fn required_id(name: &str, value: Option<Uuid>) -> Result<Uuid, ApiError> {
    value.ok_or_else(|| {
        ProviderError::invalid(
            name,
            provider::error::ArgumentReason::Required,
            "is required",
        )
        .into()
    })
}
