//! Handlers of an LB's configuration: backends (servers, health check), frontends, ACLs,
//! routes, certificates. Each is a thin shell around one provider call.

use crate::App;
use crate::auth::Auth;
use crate::error::ApiError;
use crate::extract::{Body, PathArgs, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use provider::lb::backend_types::{Backend, HealthCheck, HealthCheckWire};
use provider::lb::frontend_types::{Acl, Frontend, Route};
use provider::lb::list::{
    ListAclResponse, ListBackendsResponse, ListByNameRequest, ListCertificatesResponse,
    ListFrontendsResponse, ListRoutesRequest, ListRoutesResponse,
};
use provider::lb::other_types::Certificate;
use provider::lb::requests::{
    AclRequest, BackendRequest, BackendServersRequest, CreateCertificateRequest,
    CreateRouteRequest, FrontendRequest, SetAclsRequest, UpdateCertificateRequest,
    UpdateRouteRequest,
};

type Answer<T> = Result<Json<T>, ApiError>;
type Deleted = Result<StatusCode, ApiError>;

// ---- Backends --------------------------------------------------------------------------------

pub(crate) async fn list_backends(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListByNameRequest>,
) -> Answer<ListBackendsResponse> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_backends(loc, &me, id, &q))
            .await?,
    ))
}

pub(crate) async fn create_backend(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<BackendRequest>,
) -> Answer<Backend> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_write(move |lb, ipam, now| lb.create_backend(loc, &me, id, req, ipam, now))
            .await?,
    ))
}

pub(crate) async fn get_backend(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<Backend> {
    let (loc, id) = p.loc_and("backend_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_backend(loc, &me, id))
            .await?,
    ))
}

pub(crate) async fn update_backend(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<BackendRequest>,
) -> Answer<Backend> {
    let (loc, id) = p.loc_and("backend_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.update_backend(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn delete_backend(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Deleted {
    let (loc, id) = p.loc_and("backend_id")?;
    app.lb_write(move |lb, _, now| lb.delete_backend(loc, &me, id, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn add_backend_servers(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<BackendServersRequest>,
) -> Answer<Backend> {
    let (loc, id) = p.loc_and("backend_id")?;
    Ok(Json(
        app.lb_write(move |lb, ipam, now| lb.add_backend_servers(loc, &me, id, req, ipam, now))
            .await?,
    ))
}

/// `DELETE` with a body, as the SDKs send it.
pub(crate) async fn remove_backend_servers(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<BackendServersRequest>,
) -> Answer<Backend> {
    let (loc, id) = p.loc_and("backend_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.remove_backend_servers(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn set_backend_servers(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<BackendServersRequest>,
) -> Answer<Backend> {
    let (loc, id) = p.loc_and("backend_id")?;
    Ok(Json(
        app.lb_write(move |lb, ipam, now| lb.set_backend_servers(loc, &me, id, req, ipam, now))
            .await?,
    ))
}

pub(crate) async fn update_health_check(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<HealthCheckWire>,
) -> Answer<HealthCheck> {
    let (loc, id) = p.loc_and("backend_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.update_health_check(loc, &me, id, req, now))
            .await?,
    ))
}

// ---- Frontends -------------------------------------------------------------------------------

pub(crate) async fn list_frontends(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListByNameRequest>,
) -> Answer<ListFrontendsResponse> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_frontends(loc, &me, id, &q))
            .await?,
    ))
}

pub(crate) async fn create_frontend(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<FrontendRequest>,
) -> Answer<Frontend> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.create_frontend(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn get_frontend(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<Frontend> {
    let (loc, id) = p.loc_and("frontend_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_frontend(loc, &me, id))
            .await?,
    ))
}

pub(crate) async fn update_frontend(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<FrontendRequest>,
) -> Answer<Frontend> {
    let (loc, id) = p.loc_and("frontend_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.update_frontend(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn delete_frontend(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Deleted {
    let (loc, id) = p.loc_and("frontend_id")?;
    app.lb_write(move |lb, _, now| lb.delete_frontend(loc, &me, id, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- ACLs ------------------------------------------------------------------------------------

pub(crate) async fn list_acls(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListByNameRequest>,
) -> Answer<ListAclResponse> {
    let (loc, id) = p.loc_and("frontend_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_acls(loc, &me, id, &q))
            .await?,
    ))
}

pub(crate) async fn create_acl(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AclRequest>,
) -> Answer<Acl> {
    let (loc, id) = p.loc_and("frontend_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.create_acl(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn get_acl(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Answer<Acl> {
    let (loc, id) = p.loc_and("acl_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_acl(loc, &me, id)).await?,
    ))
}

pub(crate) async fn update_acl(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<AclRequest>,
) -> Answer<Acl> {
    let (loc, id) = p.loc_and("acl_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.update_acl(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn delete_acl(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Deleted {
    let (loc, id) = p.loc_and("acl_id")?;
    app.lb_write(move |lb, _, now| lb.delete_acl(loc, &me, id, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Zoned only: `PUT /frontends/{id}/acls`.
pub(crate) async fn set_acls(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<SetAclsRequest>,
) -> Answer<ListAclResponse> {
    let (loc, id) = p.loc_and("frontend_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.set_acls(loc, &me, id, req, now))
            .await?,
    ))
}

// ---- Routes ----------------------------------------------------------------------------------

pub(crate) async fn list_routes(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListRoutesRequest>,
) -> Answer<ListRoutesResponse> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_routes(loc, &me, &q))
            .await?,
    ))
}

pub(crate) async fn create_route(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateRouteRequest>,
) -> Answer<Route> {
    let loc = p.locality()?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.create_route(loc, &me, req, now))
            .await?,
    ))
}

pub(crate) async fn get_route(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<Route> {
    let (loc, id) = p.loc_and("route_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_route(loc, &me, id)).await?,
    ))
}

pub(crate) async fn update_route(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateRouteRequest>,
) -> Answer<Route> {
    let (loc, id) = p.loc_and("route_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.update_route(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn delete_route(State(app): State<App>, Auth(me): Auth, p: PathArgs) -> Deleted {
    let (loc, id) = p.loc_and("route_id")?;
    app.lb_write(move |lb, _, now| lb.delete_route(loc, &me, id, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Certificates ----------------------------------------------------------------------------

pub(crate) async fn list_certificates(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Query(q): Query<ListByNameRequest>,
) -> Answer<ListCertificatesResponse> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.list_certificates(loc, &me, id, &q))
            .await?,
    ))
}

pub(crate) async fn create_certificate(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<CreateCertificateRequest>,
) -> Answer<Certificate> {
    let (loc, id) = p.loc_and("lb_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.create_certificate(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn get_certificate(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Answer<Certificate> {
    let (loc, id) = p.loc_and("certificate_id")?;
    Ok(Json(
        app.lb_read(move |lb, _| lb.get_certificate(loc, &me, id))
            .await?,
    ))
}

pub(crate) async fn update_certificate(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
    Body(req): Body<UpdateCertificateRequest>,
) -> Answer<Certificate> {
    let (loc, id) = p.loc_and("certificate_id")?;
    Ok(Json(
        app.lb_write(move |lb, _, now| lb.update_certificate(loc, &me, id, req, now))
            .await?,
    ))
}

pub(crate) async fn delete_certificate(
    State(app): State<App>,
    Auth(me): Auth,
    p: PathArgs,
) -> Deleted {
    let (loc, id) = p.loc_and("certificate_id")?;
    app.lb_write(move |lb, _, now| lb.delete_certificate(loc, &me, id, now))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
