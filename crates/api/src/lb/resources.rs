//! Handlers of the LBs themselves, flexible IPs, offers, statistics, subscribers and private
//! networks. Each is a thin shell around one provider call.

use super::args::required_id;
use crate::App;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Body, PathArgs, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use provider::lb::list::{
    DeleteLbRequest, ListBackendStatsResponse, ListIpsRequest, ListIpsResponse,
    ListLbPrivateNetworksResponse, ListLbTypesResponse, ListLbsRequest, ListLbsResponse,
    ListPrivateNetworksRequest, ListSubscriberRequest, ListSubscriberResponse, StatsRequest,
};
use provider::lb::other_types::{LbStats, PrivateNetwork};
use provider::lb::requests::{
    AttachPrivateNetworkRequest, CreateIpRequest, CreateLbRequest, DetachPrivateNetworkRequest,
    MigrateLbRequest, SubscribeToLbRequest, SubscriberRequest, UpdateIpRequest, UpdateLbRequest,
};
use provider::lb::types::{Ip, Lb, Subscriber};

type Answer<T> = Result<Json<T>, ApiError>;

// ---- LBs -------------------------------------------------------------------------------------

pub(crate) async fn list_lbs(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListLbsRequest>,
) -> Answer<ListLbsResponse> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_lbs(loc, &me, &q)).await?,
    ))
}

pub(crate) async fn create_lb(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateLbRequest>,
) -> Answer<Lb> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.create_lb(loc, &me, req, now))
            .await?,
    ))
}

pub(crate) async fn get_lb(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Lb> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_lb(loc, &me, id)).await?,
    ))
}

pub(crate) async fn update_lb(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateLbRequest>,
) -> Answer<Lb> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_write(move |lb, ipam, now| lb.update_lb(loc, &me, id, req, ipam, now))
            .await?,
    ))
}

pub(crate) async fn delete_lb(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<DeleteLbRequest>,
) -> Result<StatusCode, ApiError> {
    let (loc, id) = p.loc_and("lb_id")?;
    app.lb_write(move |lb, ipam, now| lb.delete_lb(loc, &me, id, &q, ipam, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn migrate_lb(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<MigrateLbRequest>,
) -> Answer<Lb> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.migrate_lb(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn list_lb_types(
    State(app): State<App>,
    Auth(_): Auth,
    p: PathArgs,
    Query(q): Query<StatsRequest>,
) -> Answer<ListLbTypesResponse> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_lb_types(loc, &q)).await?,
    ))
}

// ---- Flexible IPs ----------------------------------------------------------------------------

pub(crate) async fn list_ips(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListIpsRequest>,
) -> Answer<ListIpsResponse> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_ips(loc, &me, &q)).await?,
    ))
}

pub(crate) async fn create_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateIpRequest>,
) -> Answer<Ip> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_write(move |lb, _, _| lb.create_ip(loc, &me, req))
            .await?,
    ))
}

pub(crate) async fn get_ip(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Ip> {
    let (loc, id) = p.loc_and("ip_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_ip(loc, &me, id)).await?,
    ))
}

pub(crate) async fn update_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateIpRequest>,
) -> Answer<Ip> {
    let (loc, id) = p.loc_and("ip_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.update_ip(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn release_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (loc, id) = p.loc_and("ip_id")?;
    app.lb_write(move |lb, _, _| lb.release_ip(loc, &me, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Statistics ------------------------------------------------------------------------------

pub(crate) async fn get_lb_stats(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<StatsRequest>,
) -> Answer<LbStats> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_lb_stats(loc, &me, id, &q))
            .await?,
    ))
}

pub(crate) async fn list_backend_stats(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<StatsRequest>,
) -> Answer<ListBackendStatsResponse> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_backend_stats(loc, &me, id, &q))
            .await?,
    ))
}

// ---- Subscribers -----------------------------------------------------------------------------

pub(crate) async fn create_subscriber(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<SubscriberRequest>,
) -> Answer<Subscriber> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.create_subscriber(loc, &me, req, now))
            .await?,
    ))
}

pub(crate) async fn get_subscriber(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<Subscriber> {
    let (loc, id) = p.loc_and("subscriber_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_subscriber(loc, &me, id))
            .await?,
    ))
}

pub(crate) async fn list_subscriber(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListSubscriberRequest>,
) -> Answer<ListSubscriberResponse> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_subscriber(loc, &me, &q))
            .await?,
    ))
}

pub(crate) async fn update_subscriber(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<SubscriberRequest>,
) -> Answer<Subscriber> {
    let (loc, id) = p.loc_and("subscriber_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, _| lb.update_subscriber(loc, &me, id, req))
            .await?,
    ))
}

pub(crate) async fn delete_subscriber(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (loc, id) = p.loc_and("subscriber_id")?;
    app.lb_write(move |lb, _, _| lb.delete_subscriber(loc, &me, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn subscribe_to_lb(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<SubscribeToLbRequest>,
) -> Answer<Lb> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.subscribe_to_lb(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn unsubscribe_from_lb(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<Lb> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.unsubscribe_from_lb(loc, &me, id, now))
            .await?,
    ))
}

// ---- Private networks ------------------------------------------------------------------------

pub(crate) async fn list_lb_private_networks(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListPrivateNetworksRequest>,
) -> Answer<ListLbPrivateNetworksResponse> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_lb_private_networks(loc, &me, id, &q))
            .await?,
    ))
}

/// Zoned: `POST /lbs/{id}/attach-private-network`, the network in the body.
pub(crate) async fn attach_private_network_in_body(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachPrivateNetworkRequest>,
) -> Answer<PrivateNetwork> {
    let (loc, id) = p.loc_and("lb_id")?;
    let pn = required_id("private_network_id", req.private_network_id)?;
    Ok(Json(
        app.lb_write(move |lb, ipam, now| {
            lb.attach_private_network(loc, &me, id, pn, req, ipam, now)
        })
        .await?,
    ))
}

/// Regional (and the Go SDK's zoned form): `POST /lbs/{id}/private-networks/{pn}/attach`.
pub(crate) async fn attach_private_network_in_path(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachPrivateNetworkRequest>,
) -> Answer<PrivateNetwork> {
    let (loc, id) = p.loc_and("lb_id")?;
    let pn = p.id("private_network_id")?;
    Ok(Json(
        app.lb_write(move |lb, ipam, now| {
            lb.attach_private_network(loc, &me, id, pn, req, ipam, now)
        })
        .await?,
    ))
}

/// Zoned: `POST /lbs/{id}/detach-private-network`, the network in the body.
pub(crate) async fn detach_private_network_in_body(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<DetachPrivateNetworkRequest>,
) -> Result<StatusCode, ApiError> {
    let (loc, id) = p.loc_and("lb_id")?;
    let pn = required_id("private_network_id", req.private_network_id)?;
    app.lb_write(move |lb, ipam, now| lb.detach_private_network(loc, &me, id, pn, ipam, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Regional: `POST /lbs/{id}/private-networks/{pn}/detach`.
pub(crate) async fn detach_private_network_in_path(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (loc, id) = p.loc_and("lb_id")?;
    let pn = p.id("private_network_id")?;
    app.lb_write(move |lb, ipam, now| lb.detach_private_network(loc, &me, id, pn, ipam, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
