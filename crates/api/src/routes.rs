//! The routes: one handler per SDK call, each a thin shell around one provider method.

use crate::App;
use crate::auth::Auth;
use crate::error::{ApiError, bad_method, no_route};
use crate::extract::{Body, PathArgs, Query};
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use provider::interlink::{
    AttachRoutingPolicyRequest, AttachVpcRequest, CreateLinkRequest, CreateRoutingPolicyRequest,
    DedicatedConnection, Link, ListDedicatedConnectionsRequest, ListDedicatedConnectionsResponse,
    ListLinksRequest, ListLinksResponse, ListPartnersRequest, ListPartnersResponse,
    ListPopsRequest, ListPopsResponse, ListRoutingPoliciesRequest, ListRoutingPoliciesResponse,
    Partner, Pop, RoutingPolicy, UpdateLinkRequest, UpdateRoutingPolicyRequest,
};
use provider::ipam::types::{
    AttachIpRequest, BookIpRequest, Ip, ListIpsRequest, ListIpsResponse, MoveIpRequest,
    ReleaseIpSetRequest, UpdateIpRequest,
};

type Answer<T> = Result<Json<T>, ApiError>;

/// The router of both products.
pub fn router(app: App) -> Router {
    let interlink = Router::new()
        .route("/pops", get(list_pops))
        .route("/pops/{pop_id}", get(get_pop))
        .route("/partners", get(list_partners))
        .route("/partners/{partner_id}", get(get_partner))
        .route("/dedicated-connections", get(list_connections))
        .route(
            "/dedicated-connections/{connection_id}",
            get(get_connection),
        )
        .route("/links", get(list_links).post(create_link))
        .route(
            "/links/{link_id}",
            get(get_link).patch(update_link).delete(delete_link),
        )
        .route("/links/{link_id}/attach-vpc", post(attach_vpc))
        .route("/links/{link_id}/detach-vpc", post(detach_vpc))
        .route(
            "/links/{link_id}/attach-routing-policy",
            post(attach_policy),
        )
        .route(
            "/links/{link_id}/detach-routing-policy",
            post(detach_policy),
        )
        .route("/links/{link_id}/set-routing-policy", post(set_policy))
        .route(
            "/links/{link_id}/enable-route-propagation",
            post(enable_propagation),
        )
        .route(
            "/links/{link_id}/disable-route-propagation",
            post(disable_propagation),
        )
        .route("/routing-policies", get(list_policies).post(create_policy))
        .route(
            "/routing-policies/{routing_policy_id}",
            get(get_policy).patch(update_policy).delete(delete_policy),
        );
    let ipam = Router::new()
        .route("/ips", get(list_ips).post(book_ip))
        .route(
            "/ips/{ip_id}",
            get(get_ip).patch(update_ip).delete(release_ip),
        )
        .route("/ip-sets/release", post(release_ip_set))
        .route("/ips/{ip_id}/attach", post(attach_ip))
        .route("/ips/{ip_id}/detach", post(detach_ip))
        .route("/ips/{ip_id}/move", post(move_ip));
    Router::new()
        .route("/openapi.json", get(crate::openapi::serve))
        .route(
            "/peerlab/v1/admin/links/{link_id}/approve",
            post(crate::admin::approve),
        )
        .route(
            "/peerlab/v1/admin/links/{link_id}/refuse",
            post(crate::admin::refuse),
        )
        .route("/peerlab/v1/trace", get(crate::trace::trace))
        .route("/peerlab/v1/plan", post(crate::plan::plan))
        .nest("/interlink/v1beta1/regions/{region}", interlink)
        .nest("/ipam/v1/regions/{region}", ipam)
        .merge(crate::vpc::router())
        .merge(crate::ovh::router(app.clone()))
        .merge(crate::lb::router())
        .fallback(no_route)
        .method_not_allowed_fallback(bad_method)
        .with_state(app)
}

// ---- InterLink: catalogue resources --------------------------------------------------------

async fn list_pops(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListPopsRequest>,
) -> Answer<ListPopsResponse> {
    let region = p.region()?;
    Ok(Json(app.read(move |m| m.list_pops(region, &me, &q)).await?))
}

async fn get_pop(State(app): State<App>, Auth(_): Auth, p: PathArgs) -> Answer<Pop> {
    let (region, id) = p.region_and("pop_id")?;
    Ok(Json(app.read(move |m| m.get_pop(region, id)).await?))
}

async fn list_partners(
    State(app): State<App>,
    Auth(_): Auth,
    p: PathArgs,
    Query(q): Query<ListPartnersRequest>,
) -> Answer<ListPartnersResponse> {
    let region = p.region()?;
    Ok(Json(app.read(move |m| m.list_partners(region, &q)).await?))
}

async fn get_partner(State(app): State<App>, Auth(_): Auth, p: PathArgs) -> Answer<Partner> {
    let (region, id) = p.region_and("partner_id")?;
    Ok(Json(app.read(move |m| m.get_partner(region, id)).await?))
}

async fn list_connections(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListDedicatedConnectionsRequest>,
) -> Answer<ListDedicatedConnectionsResponse> {
    let region = p.region()?;
    Ok(Json(
        app.read(move |m| m.list_dedicated_connections(region, &me, &q))
            .await?,
    ))
}

async fn get_connection(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<DedicatedConnection> {
    let (region, id) = p.region_and("connection_id")?;
    Ok(Json(
        app.read(move |m| m.get_dedicated_connection(region, &me, id))
            .await?,
    ))
}

// ---- InterLink: links ----------------------------------------------------------------------

async fn list_links(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListLinksRequest>,
) -> Answer<ListLinksResponse> {
    let region = p.region()?;
    Ok(Json(
        app.read(move |m| m.list_links(region, &me, &q)).await?,
    ))
}

async fn get_link(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(app.read(move |m| m.get_link(region, &me, id)).await?))
}

async fn create_link(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateLinkRequest>,
) -> Answer<Link> {
    let region = p.region()?;
    Ok(Json(
        app.write(move |m, now| m.create_link(region, &me, req, now))
            .await?,
    ))
}

async fn update_link(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateLinkRequest>,
) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.update_link(region, &me, id, req, now))
            .await?,
    ))
}

async fn delete_link(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.delete_link(region, &me, id, now))
            .await?,
    ))
}

async fn attach_vpc(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachVpcRequest>,
) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.attach_vpc(region, &me, id, req.vpc_id, now))
            .await?,
    ))
}

async fn detach_vpc(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.detach_vpc(region, &me, id, now))
            .await?,
    ))
}

async fn attach_policy(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachRoutingPolicyRequest>,
) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| {
            m.attach_routing_policy(region, &me, id, req.routing_policy_id, now)
        })
        .await?,
    ))
}

async fn detach_policy(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachRoutingPolicyRequest>,
) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| {
            m.detach_routing_policy(region, &me, id, req.routing_policy_id, now)
        })
        .await?,
    ))
}

async fn set_policy(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachRoutingPolicyRequest>,
) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.set_routing_policy(region, &me, id, req.routing_policy_id, now))
            .await?,
    ))
}

async fn enable_propagation(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.enable_route_propagation(region, &me, id, now))
            .await?,
    ))
}

async fn disable_propagation(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Link> {
    let (region, id) = p.region_and("link_id")?;
    Ok(Json(
        app.write(move |m, now| m.disable_route_propagation(region, &me, id, now))
            .await?,
    ))
}

// ---- InterLink: routing policies -----------------------------------------------------------

async fn list_policies(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListRoutingPoliciesRequest>,
) -> Answer<ListRoutingPoliciesResponse> {
    let region = p.region()?;
    Ok(Json(
        app.read(move |m| m.list_routing_policies(region, &me, &q))
            .await?,
    ))
}

async fn get_policy(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<RoutingPolicy> {
    let (region, id) = p.region_and("routing_policy_id")?;
    Ok(Json(
        app.read(move |m| m.get_routing_policy(region, &me, id))
            .await?,
    ))
}

async fn create_policy(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateRoutingPolicyRequest>,
) -> Answer<RoutingPolicy> {
    let region = p.region()?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.create_routing_policy(region, &me, req, now))
            .await?,
    ))
}

async fn update_policy(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateRoutingPolicyRequest>,
) -> Answer<RoutingPolicy> {
    let (region, id) = p.region_and("routing_policy_id")?;
    Ok(Json(
        app.write(move |m, now| m.update_routing_policy(region, &me, id, req, now))
            .await?,
    ))
}

async fn delete_policy(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (region, id) = p.region_and("routing_policy_id")?;
    app.write_without_intents(move |m, _| m.delete_routing_policy(region, &me, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- IPAM ----------------------------------------------------------------------------------

async fn list_ips(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListIpsRequest>,
) -> Answer<ListIpsResponse> {
    let region = p.region()?;
    Ok(Json(
        app.read(move |m| m.ipam().list_ips(region, &me, &q))
            .await?,
    ))
}

async fn book_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<BookIpRequest>,
) -> Answer<Ip> {
    let region = p.region()?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.ipam_mut().book_ip(region, &me, req, now))
            .await?,
    ))
}

async fn get_ip(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Ip> {
    let (region, id) = p.region_and("ip_id")?;
    Ok(Json(
        app.read(move |m| m.ipam().get_ip(region, &me, id)).await?,
    ))
}

async fn update_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateIpRequest>,
) -> Answer<Ip> {
    let (region, id) = p.region_and("ip_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.ipam_mut().update_ip(region, &me, id, req, now))
            .await?,
    ))
}

async fn release_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Result<StatusCode, ApiError> {
    let (region, id) = p.region_and("ip_id")?;
    app.write_without_intents(move |m, _| m.ipam_mut().release_ip(region, &me, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn release_ip_set(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<ReleaseIpSetRequest>,
) -> Result<StatusCode, ApiError> {
    let region = p.region()?;
    app.write_without_intents(move |m, _| m.ipam_mut().release_ip_set(region, &me, req))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn attach_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachIpRequest>,
) -> Answer<Ip> {
    let (region, id) = p.region_and("ip_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.ipam_mut().attach_ip(region, &me, id, req, now))
            .await?,
    ))
}

async fn detach_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AttachIpRequest>,
) -> Answer<Ip> {
    let (region, id) = p.region_and("ip_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.ipam_mut().detach_ip(region, &me, id, req, now))
            .await?,
    ))
}

async fn move_ip(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<MoveIpRequest>,
) -> Answer<Ip> {
    let (region, id) = p.region_and("ip_id")?;
    Ok(Json(
        app.write_without_intents(move |m, now| m.ipam_mut().move_ip(region, &me, id, req, now))
            .await?,
    ))
}
