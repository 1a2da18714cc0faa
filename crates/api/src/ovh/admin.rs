//! The emulator's admin calls for OVHcloud Connect (catalogue admin token in `X-Auth-Token`,
//! like the other admin calls):
//!
//! - `POST /peerlab/v1/admin/ovh/advance-clock` with `{"seconds": N}`: moves the task clock
//!   forward (virtual time), then carries out the tasks that are due. Answers `{"clock": UNIX}`.
//! - `GET /peerlab/v1/admin/ovh/state`: what the model makes the engine run — the BGP sessions
//!   (with the status the engine reports: `up`, `down`, `disabled`, and what each announces
//!   now, relayed routes included), the static routes and the VRRP gateways (the model's group
//!   with the election the data plane's VRRP runs: `master` and both routers' states).
//! - `POST /peerlab/v1/admin/ovh/vrrp` with `{"datacenterConfigId": N, "router": "A" | "B",
//!   "action": "crash" | "stop" | "start"}`: one of OVH's routers of that datacenter's VRRP
//!   gateway fails or comes back ([`super::vrrp::Gateway::act`]). Answers the gateway as
//!   `state` shows it; 404 when the configuration has no gateway.

use crate::App;
use crate::admin::Admin;
use crate::error::ApiError;
use crate::extract::Body;
use axum::Json;
use axum::extract::State;
use engine::SessionStatus;
use provider::ovh_connect::{OvhSession, StaticRoute, VrrpGroup};
use serde::{Deserialize, Serialize};

/// The body of `advance-clock`.
#[derive(Deserialize)]
pub struct AdvanceClock {
    /// How far to move, in seconds.
    pub seconds: u64,
}

/// The answer of `advance-clock`.
#[derive(Serialize)]
pub struct Clock {
    /// The task clock now (Unix seconds).
    pub clock: i64,
}

/// A session and its live status.
#[derive(Serialize)]
pub struct SessionState {
    /// The session.
    #[serde(flatten)]
    pub session: OvhSession,
    /// `up`, `down` or `disabled` (not yet reported).
    pub status: &'static str,
    /// What it announces now: its own prefixes and the routes it relays.
    pub announced: Vec<ipnet::IpNet>,
}

/// A VRRP gateway: what the model wants and what the election gives.
#[derive(Serialize)]
pub struct GatewayState {
    /// The model's group (`state`: `master` while VRRP runs, `off` under a `bgp` extra).
    #[serde(flatten)]
    pub group: VrrpGroup,
    /// The router holding the virtual address (`A`, `B`), if one is elected.
    pub master: Option<&'static str>,
    /// OVH's two routers.
    pub routers: Vec<super::vrrp::RouterView>,
}

/// The answer of `state`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OvhRuntime {
    /// BGP sessions.
    pub sessions: Vec<SessionState>,
    /// Static routes of `network` extras.
    pub static_routes: Vec<StaticRoute>,
    /// VRRP gateways of l3 datacenter configurations.
    pub vrrp_groups: Vec<GatewayState>,
}

/// The body of `vrrp`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VrrpRequest {
    /// The datacenter configuration whose gateway it is.
    pub datacenter_config_id: u64,
    /// `A` or `B`.
    pub router: String,
    /// What happens to it.
    pub action: super::vrrp::RouterAction,
}

pub async fn vrrp(
    State(app): State<App>,
    _: Admin,
    Body(req): Body<VrrpRequest>,
) -> Result<Json<GatewayState>, ApiError> {
    let Some(index) = super::vrrp::Gateway::router_index(&req.router) else {
        return Err(ApiError(provider::ProviderError::constraint(
            "router",
            "OVH's VRRP routers are A and B",
        )));
    };
    // Runs the gateways up to now first.
    let _ = app.ovh_read(|_| Ok(())).await;
    let mut state = app.shared.ovh.lock().await;
    let id = req.datacenter_config_id;
    let group = state
        .model
        .vrrp_groups()
        .into_iter()
        .find(|g| g.datacenter_config_id == id);
    let (Some(group), Some(gateway)) = (group, state.vrrp.get_mut(&id)) else {
        return Err(ApiError(provider::ProviderError::not_found(
            "vrrp_gateway",
            id,
        )));
    };
    gateway.act(index, req.action);
    Ok(Json(GatewayState {
        master: gateway.master(),
        routers: gateway.routers(),
        group,
    }))
}

pub async fn advance_clock(
    State(app): State<App>,
    _: Admin,
    Body(req): Body<AdvanceClock>,
) -> Result<Json<Clock>, ApiError> {
    let clock = app
        .ovh_write(|m, now| {
            m.advance_clock(req.seconds);
            Ok(m.unix_time(now))
        })
        .await
        .unwrap_or_default();
    Ok(Json(Clock { clock }))
}

pub async fn state(State(app): State<App>, _: Admin) -> Result<Json<OvhRuntime>, ApiError> {
    let _ = app.ovh_read(|_| Ok(())).await;
    let state = app.shared.ovh.lock().await;
    let sessions = state
        .model
        .sessions()
        .into_iter()
        .map(|s| SessionState {
            status: match state.status.get(&s.id) {
                Some(SessionStatus::Up) => "up",
                Some(SessionStatus::Down) => "down",
                Some(SessionStatus::Disabled) | None => "disabled",
            },
            announced: state
                .announced
                .get(&s.id)
                .map(|a| a.iter().copied().collect())
                .unwrap_or_default(),
            session: s,
        })
        .collect();
    Ok(Json(OvhRuntime {
        sessions,
        static_routes: state.model.static_routes(),
        vrrp_groups: state
            .model
            .vrrp_groups()
            .into_iter()
            .map(|group| {
                let gateway = state.vrrp.get(&group.datacenter_config_id);
                GatewayState {
                    master: gateway.and_then(|g| g.master()),
                    routers: gateway.map(|g| g.routers()).unwrap_or_default(),
                    group,
                }
            })
            .collect(),
    }))
}
