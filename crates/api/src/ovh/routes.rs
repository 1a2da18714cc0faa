//! The OVH routes: one handler per API call, each a thin shell around one model method.
//!
//! Every `/1.0` path but `/1.0/auth/time` goes through the signature check; the emulator's
//! admin calls ([`super::admin`]) take an admin token instead. They are not in `/openapi.json`,
//! which documents the Scaleway-compatible API. Lists are JSON arrays of
//! IDs, as OVH's are; `PUT` answers `null`; creations and deletions answer the task. The
//! schema's operations that are not emulated answer `NOT_GRANTED_CALL` ([`super::unavailable`]).

use super::extract::{OvhApiError, OvhBody, OvhPath, signed};
use crate::App;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use provider::ovh_connect::{
    AllowedServices, CreateDatacenterConfigRequest, CreateExtraConfigRequest,
    CreatePopConfigRequest, Datacenter, DatacenterConfig, ExtraConfig, Interface, LinkVrackRequest,
    PopConfig, Service, Task, UpdateServiceRequest, VrackOvhCloudConnect, VrackTask, VrackWithIam,
};
use uuid::Uuid;

type Answer<T> = Result<Json<T>, OvhApiError>;

const SERVICE: &str = "/1.0/ovhCloudConnect/{serviceName}";
const POP: &str = "/1.0/ovhCloudConnect/{serviceName}/config/pop/{popId}";
const DC: &str = "/1.0/ovhCloudConnect/{serviceName}/config/pop/{popId}/datacenter/{datacenterId}";
const VRACK: &str = "/1.0/vrack/{serviceName}";

/// The OVH routes (to merge into the app's router).
pub fn router(app: App) -> Router<App> {
    let signed_routes = Router::new()
        .route("/1.0/ovhCloudConnect", get(list_services))
        .route(SERVICE, get(get_service).put(update_service))
        .route(&format!("{SERVICE}/interface"), get(list_interfaces))
        .route(&format!("{SERVICE}/interface/{{id}}"), get(get_interface))
        .route(&format!("{SERVICE}/interface/{{id}}/lock"), post(lock))
        .route(&format!("{SERVICE}/interface/{{id}}/unlock"), post(unlock))
        .route(
            &format!("{SERVICE}/config/pop"),
            get(list_pops).post(create_pop),
        )
        .route(POP, get(get_pop).delete(delete_pop))
        .route(&format!("{POP}/datacenter"), get(list_dcs).post(create_dc))
        .route(DC, get(get_dc).delete(delete_dc))
        .route(&format!("{DC}/extra"), get(list_extras).post(create_extra))
        .route(
            &format!("{DC}/extra/{{extraId}}"),
            get(get_extra).delete(delete_extra),
        )
        .route(&format!("{SERVICE}/datacenter"), get(list_datacenters))
        .route(&format!("{SERVICE}/datacenter/{{id}}"), get(get_datacenter))
        .route(&format!("{SERVICE}/task"), get(list_tasks))
        .route(&format!("{SERVICE}/task/{{id}}"), get(get_task))
        .route("/1.0/vrack", get(list_vracks))
        .route(VRACK, get(get_vrack))
        .route(
            &format!("{VRACK}/ovhCloudConnect"),
            get(list_vrack_services).post(link_vrack),
        )
        .route(
            &format!("{VRACK}/ovhCloudConnect/{{ovhCloudConnect}}"),
            get(get_vrack_service).delete(unlink_vrack),
        )
        .route(&format!("{VRACK}/allowedServices"), get(allowed_services))
        .route(&format!("{VRACK}/task"), get(list_vrack_tasks))
        .route(&format!("{VRACK}/task/{{taskId}}"), get(get_vrack_task));
    // terraform-provider-ovh's data sources list with a trailing slash (`…/config/pop/`).
    let signed_routes = signed_routes
        .route(&format!("{SERVICE}/config/pop/"), get(list_pops))
        .route(&format!("{POP}/datacenter/"), get(list_dcs))
        .route(&format!("{DC}/extra/"), get(list_extras))
        .route(&format!("{SERVICE}/datacenter/"), get(list_datacenters));
    let signed_routes = super::unavailable::routes(signed_routes)
        .route_layer(axum::middleware::from_fn_with_state(app, signed));
    Router::new()
        .route("/1.0/auth/time", get(auth_time))
        .route(
            "/peerlab/v1/admin/ovh/advance-clock",
            post(super::admin::advance_clock),
        )
        .route("/peerlab/v1/admin/ovh/state", get(super::admin::state))
        .route("/peerlab/v1/admin/ovh/vrrp", post(super::admin::vrrp))
        .merge(signed_routes)
}

/// `GET /1.0/auth/time`: the server's Unix time (wall clock; see [`super::auth`]).
async fn auth_time() -> Json<i64> {
    Json(crate::now().timestamp())
}

// ---- services ------------------------------------------------------------------------------

async fn list_services(State(app): State<App>) -> Answer<Vec<Uuid>> {
    Ok(Json(app.ovh_read(move |m| Ok(m.list_services())).await?))
}

async fn get_service(State(app): State<App>, p: OvhPath) -> Answer<Service> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.service(&sn)).await?))
}

async fn update_service(
    State(app): State<App>,
    p: OvhPath,
    OvhBody(req): OvhBody<UpdateServiceRequest>,
) -> Answer<()> {
    let sn = p.text("serviceName").to_string();
    app.ovh_write(move |m, _| m.update_service(&sn, req))
        .await?;
    Ok(Json(()))
}

async fn list_interfaces(State(app): State<App>, p: OvhPath) -> Answer<Vec<u64>> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.list_interfaces(&sn)).await?))
}

async fn get_interface(State(app): State<App>, p: OvhPath) -> Answer<Interface> {
    let sn = p.text("serviceName").to_string();
    let id = p.id("id")?;
    Ok(Json(app.ovh_read(move |m| m.interface(&sn, id)).await?))
}

async fn lock(State(app): State<App>, p: OvhPath) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let id = p.id("id")?;
    Ok(Json(
        app.ovh_write(move |m, now| m.lock_interface(&sn, id, true, now))
            .await?,
    ))
}

async fn unlock(State(app): State<App>, p: OvhPath) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let id = p.id("id")?;
    Ok(Json(
        app.ovh_write(move |m, now| m.lock_interface(&sn, id, false, now))
            .await?,
    ))
}

async fn list_datacenters(State(app): State<App>, p: OvhPath) -> Answer<Vec<u64>> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.list_datacenters(&sn)).await?))
}

async fn get_datacenter(State(app): State<App>, p: OvhPath) -> Answer<Datacenter> {
    let sn = p.text("serviceName").to_string();
    let id = p.id("id")?;
    Ok(Json(app.ovh_read(move |m| m.datacenter(&sn, id)).await?))
}

async fn list_tasks(State(app): State<App>, p: OvhPath) -> Answer<Vec<u64>> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.list_tasks(&sn)).await?))
}

async fn get_task(State(app): State<App>, p: OvhPath) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let id = p.id("id")?;
    Ok(Json(app.ovh_read(move |m| m.get_task(&sn, id)).await?))
}

// ---- configuration -------------------------------------------------------------------------

async fn list_pops(State(app): State<App>, p: OvhPath) -> Answer<Vec<u64>> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.list_pop_configs(&sn)).await?))
}

async fn get_pop(State(app): State<App>, p: OvhPath) -> Answer<PopConfig> {
    let sn = p.text("serviceName").to_string();
    let pop = p.id("popId")?;
    Ok(Json(app.ovh_read(move |m| m.pop_config(&sn, pop)).await?))
}

async fn create_pop(
    State(app): State<App>,
    p: OvhPath,
    OvhBody(req): OvhBody<CreatePopConfigRequest>,
) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(
        app.ovh_write(move |m, now| m.create_pop_config(&sn, req, now))
            .await?,
    ))
}

async fn delete_pop(State(app): State<App>, p: OvhPath) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let pop = p.id("popId")?;
    Ok(Json(
        app.ovh_write(move |m, now| m.delete_pop_config(&sn, pop, now))
            .await?,
    ))
}

async fn list_dcs(State(app): State<App>, p: OvhPath) -> Answer<Vec<u64>> {
    let sn = p.text("serviceName").to_string();
    let pop = p.id("popId")?;
    Ok(Json(
        app.ovh_read(move |m| m.list_datacenter_configs(&sn, pop))
            .await?,
    ))
}

async fn get_dc(State(app): State<App>, p: OvhPath) -> Answer<DatacenterConfig> {
    let sn = p.text("serviceName").to_string();
    let (pop, dc) = (p.id("popId")?, p.id("datacenterId")?);
    Ok(Json(
        app.ovh_read(move |m| m.datacenter_config(&sn, pop, dc))
            .await?,
    ))
}

async fn create_dc(
    State(app): State<App>,
    p: OvhPath,
    OvhBody(req): OvhBody<CreateDatacenterConfigRequest>,
) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let pop = p.id("popId")?;
    Ok(Json(
        app.ovh_write(move |m, now| m.create_datacenter_config(&sn, pop, req, now))
            .await?,
    ))
}

async fn delete_dc(State(app): State<App>, p: OvhPath) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let (pop, dc) = (p.id("popId")?, p.id("datacenterId")?);
    Ok(Json(
        app.ovh_write(move |m, now| m.delete_datacenter_config(&sn, pop, dc, now))
            .await?,
    ))
}

async fn list_extras(State(app): State<App>, p: OvhPath) -> Answer<Vec<u64>> {
    let sn = p.text("serviceName").to_string();
    let (pop, dc) = (p.id("popId")?, p.id("datacenterId")?);
    Ok(Json(
        app.ovh_read(move |m| m.list_extras(&sn, pop, dc)).await?,
    ))
}

async fn get_extra(State(app): State<App>, p: OvhPath) -> Answer<ExtraConfig> {
    let sn = p.text("serviceName").to_string();
    let (pop, dc, extra) = (p.id("popId")?, p.id("datacenterId")?, p.id("extraId")?);
    Ok(Json(
        app.ovh_read(move |m| m.extra(&sn, pop, dc, extra)).await?,
    ))
}

async fn create_extra(
    State(app): State<App>,
    p: OvhPath,
    OvhBody(req): OvhBody<CreateExtraConfigRequest>,
) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let (pop, dc) = (p.id("popId")?, p.id("datacenterId")?);
    Ok(Json(
        app.ovh_write(move |m, now| m.create_extra(&sn, pop, dc, req, now))
            .await?,
    ))
}

async fn delete_extra(State(app): State<App>, p: OvhPath) -> Answer<Task> {
    let sn = p.text("serviceName").to_string();
    let (pop, dc, extra) = (p.id("popId")?, p.id("datacenterId")?, p.id("extraId")?);
    Ok(Json(
        app.ovh_write(move |m, now| m.delete_extra(&sn, pop, dc, extra, now))
            .await?,
    ))
}

// ---- vRack ---------------------------------------------------------------------------------

async fn list_vracks(State(app): State<App>) -> Answer<Vec<String>> {
    Ok(Json(app.ovh_read(move |m| Ok(m.list_vracks())).await?))
}

async fn get_vrack(State(app): State<App>, p: OvhPath) -> Answer<VrackWithIam> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.get_vrack(&sn)).await?))
}

async fn list_vrack_services(State(app): State<App>, p: OvhPath) -> Answer<Vec<Uuid>> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(
        app.ovh_read(move |m| m.list_vrack_services(&sn)).await?,
    ))
}

async fn link_vrack(
    State(app): State<App>,
    p: OvhPath,
    OvhBody(req): OvhBody<LinkVrackRequest>,
) -> Answer<VrackTask> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(
        app.ovh_write(move |m, now| m.link_vrack(&sn, &req.ovh_cloud_connect, now))
            .await?,
    ))
}

async fn get_vrack_service(State(app): State<App>, p: OvhPath) -> Answer<VrackOvhCloudConnect> {
    let sn = p.text("serviceName").to_string();
    let occ = p.text("ovhCloudConnect").to_string();
    Ok(Json(
        app.ovh_read(move |m| m.vrack_service(&sn, &occ)).await?,
    ))
}

async fn unlink_vrack(State(app): State<App>, p: OvhPath) -> Answer<VrackTask> {
    let sn = p.text("serviceName").to_string();
    let occ = p.text("ovhCloudConnect").to_string();
    Ok(Json(
        app.ovh_write(move |m, now| m.unlink_vrack(&sn, &occ, now))
            .await?,
    ))
}

async fn allowed_services(State(app): State<App>, p: OvhPath) -> Answer<AllowedServices> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.allowed_services(&sn)).await?))
}

async fn list_vrack_tasks(State(app): State<App>, p: OvhPath) -> Answer<Vec<u64>> {
    let sn = p.text("serviceName").to_string();
    Ok(Json(app.ovh_read(move |m| m.list_vrack_tasks(&sn)).await?))
}

async fn get_vrack_task(State(app): State<App>, p: OvhPath) -> Answer<VrackTask> {
    let sn = p.text("serviceName").to_string();
    let id = p.id("taskId")?;
    Ok(Json(
        app.ovh_read(move |m| m.get_vrack_task(&sn, id)).await?,
    ))
}
