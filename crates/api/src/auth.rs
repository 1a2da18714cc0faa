//! Who is calling: the [`Auth`] extractor every Scaleway handler (InterLink, IPAM, VPC, Load
//! Balancer) takes, resolving `X-Auth-Token` to the project it acts for.
//!
//! Not here: the admin token of the emulator's own calls ([`crate::admin`]) and OVH's signed
//! requests ([`crate::ovh`]).

use crate::App;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use provider::Caller;

/// The caller of a request, from its `X-Auth-Token`.
pub struct Auth(pub Caller);

impl FromRequestParts<App> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok());
        Ok(Auth(app.caller(token)?))
    }
}
