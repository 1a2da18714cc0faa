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
//!   gateway fails or comes back ([`world::vrrp::Gateway::act`]). Answers the gateway as
//!   `state` shows it; 404 when the configuration has no gateway.

use crate::App;
use crate::admin::Admin;
use crate::error::ApiError;
use crate::extract::Body;
use axum::Json;
use axum::extract::State;
use engine::SessionStatus;
use provider::ovh_connect::rules::VrrpRouter;
use provider::ovh_connect::{OvhSession, StaticRoute, VrrpGroup};
use serde::{Deserialize, Serialize};
use world::vrrp::{RouterAction, RouterView};

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
    pub routers: Vec<RouterView>,
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
    pub action: RouterAction,
}

pub async fn vrrp(
    State(app): State<App>,
    _: Admin,
    Body(req): Body<VrrpRequest>,
) -> Result<Json<GatewayState>, ApiError> {
    let Some(router) = VrrpRouter::from_name(&req.router) else {
        return Err(ApiError(provider::ProviderError::constraint(
            "router",
            "OVH's VRRP routers are A and B",
        )));
    };
    let id = req.datacenter_config_id;
    let action = req.action;
    let answer = app
        .world()
        .write(move |s, _| {
            let group = s
                .ovh
                .vrrp_groups()
                .into_iter()
                .find(|g| g.datacenter_config_id == id);
            let (Some(group), Some(gateway)) = (group, s.live.gateways.get_mut(&id)) else {
                return Err(provider::ProviderError::not_found("vrrp_gateway", id));
            };
            gateway.act(router, action);
            Ok(GatewayState {
                master: gateway.master().map(VrrpRouter::name),
                routers: gateway.routers(),
                group,
            })
        })
        .await
        .map_err(|_| ApiError(provider::ProviderError::not_found("vrrp_gateway", id)))??;
    Ok(Json(answer))
}

pub async fn advance_clock(
    State(app): State<App>,
    _: Admin,
    Body(req): Body<AdvanceClock>,
) -> Result<Json<Clock>, ApiError> {
    let seconds = req.seconds;
    let clock = app
        .ovh_write(move |m, now| {
            m.advance_clock(seconds);
            Ok(m.unix_time(now))
        })
        .await
        .unwrap_or_default();
    Ok(Json(Clock { clock }))
}

pub async fn state(State(app): State<App>, _: Admin) -> Result<Json<OvhRuntime>, ApiError> {
    let runtime = app
        .read_state(|state| {
            let live = &state.live;
            let sessions = state
                .ovh
                .sessions()
                .into_iter()
                .map(|s| SessionState {
                    status: match live.ovh_status.get(&s.id) {
                        Some(SessionStatus::Up) => "up",
                        Some(SessionStatus::Down) => "down",
                        Some(SessionStatus::Disabled) | None => "disabled",
                    },
                    announced: live
                        .ovh_announced
                        .get(&s.id)
                        .map(|a| a.iter().copied().collect())
                        .unwrap_or_default(),
                    session: s,
                })
                .collect();
            OvhRuntime {
                sessions,
                static_routes: state.ovh.static_routes(),
                vrrp_groups: state
                    .ovh
                    .vrrp_groups()
                    .into_iter()
                    .map(|group| {
                        let gateway = live.gateways.get(&group.datacenter_config_id);
                        let observed = live.observed_gateways.get(&group.datacenter_config_id);
                        GatewayState {
                            // The real speakers' master wins over the in-memory election.
                            master: match observed {
                                Some(o) => o.master.map(VrrpRouter::name),
                                None => gateway.and_then(|g| g.master()).map(VrrpRouter::name),
                            },
                            routers: gateway.map(|g| g.routers()).unwrap_or_default(),
                            group,
                        }
                    })
                    .collect(),
            }
        })
        .await?;
    Ok(Json(runtime))
}
