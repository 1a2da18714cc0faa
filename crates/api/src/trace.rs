//! `GET /peerlab/v1/trace?from=…&to=…` (admin token): a packet's path through the running
//! world's model, hop by hop, and why it stops ([`world::World::trace`]); in namespace mode
//! with a real ping beside it. `peerlab trace --server URL FROM TO` asks it.

use crate::App;
use crate::admin::Admin;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Query, State};
use provider::ProviderError;
use serde::Deserialize;
use world::trace::TraceAnswer;

/// The query: where from, where to (node names or addresses).
#[derive(Deserialize)]
pub struct TraceQuery {
    from: Option<String>,
    to: Option<String>,
}

pub async fn trace(
    State(app): State<App>,
    _: Admin,
    Query(q): Query<TraceQuery>,
) -> Result<Json<TraceAnswer>, ApiError> {
    let (Some(from), Some(to)) = (q.from, q.to) else {
        return Err(ApiError(ProviderError::constraint(
            "from",
            "both from and to are required",
        )));
    };
    app.world()
        .trace(&from, &to)
        .await
        .map(Json)
        .map_err(|e| ApiError(ProviderError::constraint("to", e.to_string())))
}
