//! The emulator's own admin calls, which the real service does through its partners and
//! operators: approving or refusing a hosted link. They take a catalogue admin token; a project
//! token is `403 permissions_denied`, no token `401`.
//!
//! `POST /peerlab/v1/admin/links/{link_id}/approve` → the link (`provisioning`, then in service).
//! `POST /peerlab/v1/admin/links/{link_id}/refuse` with `{"reason": "…"}` → the link (`refused`).

use crate::App;
use crate::error::ApiError;
use crate::extract::{Body, PathArgs};
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use provider::interlink::Link;
use serde::Deserialize;

/// A request made with an admin token.
pub struct Admin;

impl FromRequestParts<App> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok());
        app.admin(token)?;
        Ok(Admin)
    }
}

/// The body of a refusal.
#[derive(Deserialize)]
pub struct RefuseRequest {
    /// Why the partner refuses the link.
    #[serde(default)]
    reason: String,
}

pub async fn approve(
    State(app): State<App>,
    _: Admin,
    p: PathArgs,
) -> Result<Json<Link>, ApiError> {
    let id = p.id("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.approve_hosted_link(id, now))
            .await?,
    ))
}

pub async fn refuse(
    State(app): State<App>,
    _: Admin,
    p: PathArgs,
    Body(req): Body<RefuseRequest>,
) -> Result<Json<Link>, ApiError> {
    let id = p.id("link_id")?;
    let link = app
        .write_without_intents(move |m, now| m.refuse_hosted_link(id, &req.reason, now))
        .await?;
    Ok(Json(link))
}
