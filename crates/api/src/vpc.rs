//! Scaleway VPC v2 (`/vpc/v2/regions/{region}/…`): one handler per SDK call over
//! [`provider::vpc`] — VPCs, private networks, subnets, routes, the route table with next hops,
//! the network ACL as the model has it — and, for every other method of `scaleway.vpc.v2`, the
//! answer the live API gives an endpoint it does not implement.
//!
//! That answer is `501 Not Implemented` with `{"message": "unimplemented endpoint"}`: what the
//! live API sends to `AddSubnets` and `DeleteSubnets` (scaleway-sdk-go issue 3094, which the
//! Go SDK renders `scaleway-sdk-go: http error 501 Not Implemented: unimplemented endpoint`;
//! both calls were then dropped from the SDKs as not implemented). We give the same answer to
//! the calls peerlab does not emulate — setting ACL rules, VPC connectors, ingress rules,
//! Object Storage private access (and its newer `s3-integration` paths) — so that a client
//! learns at once, with the live API's own words, that the call is not served, never with a
//! router's 404. The token is checked first, as everywhere.

use crate::App;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Body, PathArgs, Query};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use provider::vpc::{
    CreatePrivateNetworkRequest, CreateRouteRequest, CreateVpcRequest, GetAclRequest,
    GetAclResponse, ListPrivateNetworksRequest, ListPrivateNetworksResponse,
    ListRoutesWithNexthopRequest, ListRoutesWithNexthopResponse, ListSubnetsRequest,
    ListSubnetsResponse, ListVpcsRequest, ListVpcsResponse, PrivateNetwork, Route,
    UpdatePrivateNetworkRequest, UpdateRouteRequest, UpdateVpcRequest, Vpc,
};
use serde_json::json;

type Answer<T> = Result<Json<T>, ApiError>;

/// Where the VPC API lives.
pub(crate) const PREFIX: &str = "/vpc/v2/regions/{region}";

/// The VPC API's routes, under [`PREFIX`].
pub(crate) fn router() -> Router<App> {
    let served = Router::new()
        .route("/vpcs", get(list_vpcs).post(create_vpc))
        .route(
            "/vpcs/{vpc_id}",
            get(get_vpc).patch(update_vpc).delete(delete_vpc),
        )
        .route("/vpcs/{vpc_id}/enable-routing", post(enable_routing))
        .route(
            "/vpcs/{vpc_id}/enable-custom-routes-propagation",
            post(enable_custom_routes_propagation),
        )
        .route("/vpcs/{vpc_id}/acl-rules", get(get_acl).put(unimplemented))
        .route(
            "/private-networks",
            get(list_private_networks).post(create_private_network),
        )
        .route(
            "/private-networks/{private_network_id}",
            get(get_private_network)
                .patch(update_private_network)
                .delete(delete_private_network),
        )
        .route(
            "/private-networks/{private_network_id}/enable-dhcp",
            post(enable_dhcp),
        )
        .route("/subnets", get(list_subnets))
        .route("/routes", post(create_route))
        .route(
            "/routes/{route_id}",
            get(get_route).patch(update_route).delete(delete_route),
        )
        .route("/routes-with-nexthop", get(list_routes_with_nexthop));
    let unserved = Router::new()
        .route(
            "/private-networks/{private_network_id}/subnets",
            post(unimplemented).delete(unimplemented).put(unimplemented),
        )
        .route("/vpc-connectors", get(unimplemented).post(unimplemented))
        .route(
            "/vpc-connectors/{vpc_connector_id}",
            get(unimplemented)
                .patch(unimplemented)
                .delete(unimplemented),
        )
        .route(
            "/vpc-connectors/{vpc_connector_id}/subnet-overlaps",
            get(unimplemented),
        )
        .route("/ingress-rules", get(unimplemented).post(unimplemented))
        .route(
            "/ingress-rules/{rule_id}",
            get(unimplemented)
                .patch(unimplemented)
                .delete(unimplemented),
        )
        .route(
            "/object-storage-private-access/{vpc_id}/enable",
            post(unimplemented),
        )
        .route(
            "/object-storage-private-access/{vpc_id}/disable",
            post(unimplemented),
        )
        .route(
            "/object-storage-private-access/{vpc_id}/private-networks",
            post(unimplemented).put(unimplemented),
        )
        .route(
            "/object-storage-private-access/{vpc_id}/private-networks/{private_network_id}",
            delete(unimplemented),
        )
        .route("/s3-integration/{vpc_id}/enable", post(unimplemented))
        .route("/s3-integration/{vpc_id}/disable", post(unimplemented))
        .route(
            "/s3-integration/{vpc_id}/private-networks",
            post(unimplemented).put(unimplemented),
        )
        .route(
            "/s3-integration/{vpc_id}/private-networks/{private_network_id}",
            delete(unimplemented),
        );
    Router::new().nest(PREFIX, served.merge(unserved))
}

/// The live API's answer to an endpoint it does not implement (see the module doc).
async fn unimplemented(Auth(_): Auth) -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        Json(json!({ "message": "unimplemented endpoint" })),
    )
        .into_response()
}

// ---- VPCs ----------------------------------------------------------------------------------

async fn list_vpcs(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListVpcsRequest>,
) -> Answer<ListVpcsResponse> {
    let region = p.region()?;
    Ok(Json(app.read(move |m| m.list_vpcs(region, &me, &q)).await?))
}

async fn create_vpc(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateVpcRequest>,
) -> Answer<Vpc> {
    let region = p.region()?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.create_vpc(region, &me, req, now))
            .await?,
    ))
}

async fn get_vpc(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Vpc> {
    let (region, id) = p.region_and("vpc_id")?;
    Ok(Json(app.read(move |m| m.get_vpc(region, &me, id)).await?))
}

async fn update_vpc(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateVpcRequest>,
) -> Answer<Vpc> {
    let (region, id) = p.region_and("vpc_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.update_vpc(region, &me, id, req, now))
            .await?,
    ))
}

async fn delete_vpc(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (region, id) = p.region_and("vpc_id")?;
    app.write_without_intents(move |m, _| m.delete_vpc(region, &me, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn enable_routing(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Vpc> {
    let (region, id) = p.region_and("vpc_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.enable_routing(region, &me, id, now))
            .await?,
    ))
}

async fn enable_custom_routes_propagation(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<Vpc> {
    let (region, id) = p.region_and("vpc_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| {
            m.enable_custom_routes_propagation(region, &me, id, now)
        })
        .await?,
    ))
}

async fn get_acl(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<GetAclRequest>,
) -> Answer<GetAclResponse> {
    let (region, id) = p.region_and("vpc_id")?;
    Ok(Json(
        app.read(move |m| m.get_acl(region, &me, id, &q)).await?,
    ))
}

// ---- Private networks and subnets ------------------------------------------------------------

async fn list_private_networks(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListPrivateNetworksRequest>,
) -> Answer<ListPrivateNetworksResponse> {
    let region = p.region()?;
    Ok(Json(
        app.read(move |m| m.list_private_networks(region, &me, &q))
            .await?,
    ))
}

async fn create_private_network(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreatePrivateNetworkRequest>,
) -> Answer<PrivateNetwork> {
    let region = p.region()?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.create_private_network(region, &me, req, now))
            .await?,
    ))
}

async fn get_private_network(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<PrivateNetwork> {
    let (region, id) = p.region_and("private_network_id")?;
    Ok(Json(
        app.read(move |m| m.get_private_network(region, &me, id))
            .await?,
    ))
}

async fn update_private_network(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdatePrivateNetworkRequest>,
) -> Answer<PrivateNetwork> {
    let (region, id) = p.region_and("private_network_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| {
            m.update_private_network(region, &me, id, req, now)
        })
        .await?,
    ))
}

async fn delete_private_network(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (region, id) = p.region_and("private_network_id")?;
    app.write_without_intents(move |m, _| m.delete_private_network(region, &me, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn enable_dhcp(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<PrivateNetwork> {
    let (region, id) = p.region_and("private_network_id")?;
    // DHCP is always on: nothing changes, so a read answers.
    Ok(Json(
        app.read(move |m| m.enable_dhcp(region, &me, id)).await?,
    ))
}

async fn list_subnets(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListSubnetsRequest>,
) -> Answer<ListSubnetsResponse> {
    let region = p.region()?;
    Ok(Json(
        app.read(move |m| m.list_subnets(region, &me, &q)).await?,
    ))
}

// ---- Routes ----------------------------------------------------------------------------------

async fn create_route(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateRouteRequest>,
) -> Answer<Route> {
    let region = p.region()?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.create_route(region, &me, req, now))
            .await?,
    ))
}

async fn get_route(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Route> {
    let (region, id) = p.region_and("route_id")?;
    Ok(Json(app.read(move |m| m.get_route(region, &me, id)).await?))
}

async fn update_route(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateRouteRequest>,
) -> Answer<Route> {
    let (region, id) = p.region_and("route_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.update_route(region, &me, id, req, now))
            .await?,
    ))
}

async fn delete_route(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (region, id) = p.region_and("route_id")?;
    app.write_without_intents(move |m, _| m.delete_route(region, &me, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_routes_with_nexthop(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListRoutesWithNexthopRequest>,
) -> Answer<ListRoutesWithNexthopResponse> {
    let region = p.region()?;
    Ok(Json(
        app.read(move |m| m.list_routes_with_nexthop(region, &me, &q))
            .await?,
    ))
}
