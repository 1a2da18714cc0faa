//! Scaleway Load Balancer over HTTP: `LbV1ZonedAPI` (`/lb/v1/zones/{zone}/…`, 54 endpoints) and
//! `LbV1API` (`/lb/v1/regions/{region}/…`, 53 endpoints), with the SDK's paths, query
//! parameters and bodies, over the one [`provider::lb::LoadBalancers`] model.
//!
//! The two APIs share their handlers: each handler takes the [`Locality`] of its path (a zone
//! or a region). Where they differ:
//! - `set_acls` (`PUT /frontends/{id}/acls`) is zoned only;
//! - deleting a subscriber is `DELETE /lb/subscription/{id}` zoned, `/lb/subscriber/{id}`
//!   regional;
//! - attaching and detaching a private network is `POST /lbs/{id}/attach-private-network` (the
//!   network in the body) zoned, `POST /lbs/{id}/private-networks/{pn}/attach` regional. The
//!   zoned API also answers the regional form, which the Go SDK (terraform) uses.
//!
//! Handlers are closures over the model run by [`App::lb_read`] and [`App::lb_write`], which
//! advance the model's clock first and hand over the IPAM state the LB uses.

mod args;
mod config;
pub(crate) mod openapi;
mod resources;

use crate::App;
use axum::Router;
use axum::routing::{delete, get, post, put};
use chrono::{DateTime, Utc};
use provider::ProviderError;
use provider::ipam::Ipam;
use provider::lb::LoadBalancers;

/// The zoned API's prefix.
pub(crate) const ZONED: &str = "/lb/v1/zones/{zone}";
/// The regional API's prefix.
pub(crate) const REGIONAL: &str = "/lb/v1/regions/{region}";

impl App {
    /// Runs a read on the Load Balancer model (after the world moved it forward to now), with
    /// the IPAM state it uses.
    pub(crate) async fn lb_read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&LoadBalancers, &Ipam) -> Result<T, ProviderError> + Send + 'static,
    ) -> Result<T, ProviderError> {
        self.read_state(move |s| f(&s.lb, s.interlink.ipam()))
            .await?
    }

    /// Runs a write on the Load Balancer model, with the IPAM state it changes (addresses on
    /// private networks): saved and reconciled before it is answered.
    pub(crate) async fn lb_write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut LoadBalancers, &mut Ipam, DateTime<Utc>) -> Result<T, ProviderError>
        + Send
        + 'static,
    ) -> Result<T, ProviderError> {
        self.write_state(move |s, now| f(&mut s.lb, s.interlink.ipam_mut(), now))
            .await
    }
}

/// The routes of both APIs.
pub(crate) fn router() -> Router<App> {
    use config::*;
    use resources::*;
    let shared = || {
        Router::new()
            .route("/lbs", get(list_lbs).post(create_lb))
            .route("/lbs/{lb_id}", get(get_lb).put(update_lb).delete(delete_lb))
            .route("/lbs/{lb_id}/migrate", post(migrate_lb))
            .route("/ips", get(list_ips).post(create_ip))
            .route(
                "/ips/{ip_id}",
                get(get_ip).patch(update_ip).delete(release_ip),
            )
            .route(
                "/lbs/{lb_id}/backends",
                get(list_backends).post(create_backend),
            )
            .route(
                "/backends/{backend_id}",
                get(get_backend).put(update_backend).delete(delete_backend),
            )
            .route(
                "/backends/{backend_id}/servers",
                post(add_backend_servers)
                    .put(set_backend_servers)
                    .delete(remove_backend_servers),
            )
            .route(
                "/backends/{backend_id}/healthcheck",
                put(update_health_check),
            )
            .route(
                "/lbs/{lb_id}/frontends",
                get(list_frontends).post(create_frontend),
            )
            .route(
                "/frontends/{frontend_id}",
                get(get_frontend)
                    .put(update_frontend)
                    .delete(delete_frontend),
            )
            .route("/routes", get(list_routes).post(create_route))
            .route(
                "/routes/{route_id}",
                get(get_route).put(update_route).delete(delete_route),
            )
            .route("/lbs/{lb_id}/stats", get(get_lb_stats))
            .route("/lbs/{lb_id}/backend-stats", get(list_backend_stats))
            .route(
                "/acls/{acl_id}",
                get(get_acl).put(update_acl).delete(delete_acl),
            )
            .route(
                "/lbs/{lb_id}/certificates",
                get(list_certificates).post(create_certificate),
            )
            .route(
                "/certificates/{certificate_id}",
                get(get_certificate)
                    .put(update_certificate)
                    .delete(delete_certificate),
            )
            .route("/lb-types", get(list_lb_types))
            .route("/subscribers", get(list_subscriber).post(create_subscriber))
            .route(
                "/subscribers/{subscriber_id}",
                get(get_subscriber).put(update_subscriber),
            )
            .route("/lb/{lb_id}/subscribe", post(subscribe_to_lb))
            .route("/lb/{lb_id}/unsubscribe", delete(unsubscribe_from_lb))
            .route(
                "/lbs/{lb_id}/private-networks",
                get(list_lb_private_networks),
            )
            .route(
                "/lbs/{lb_id}/private-networks/{private_network_id}/attach",
                post(attach_private_network_in_path),
            )
            .route(
                "/lbs/{lb_id}/private-networks/{private_network_id}/detach",
                post(detach_private_network_in_path),
            )
    };
    let zoned = shared()
        .route(
            "/frontends/{frontend_id}/acls",
            get(list_acls).post(create_acl).put(set_acls),
        )
        .route(
            "/lb/subscription/{subscriber_id}",
            delete(delete_subscriber),
        )
        .route(
            "/lbs/{lb_id}/attach-private-network",
            post(attach_private_network_in_body),
        )
        .route(
            "/lbs/{lb_id}/detach-private-network",
            post(detach_private_network_in_body),
        );
    let regional = shared()
        .route(
            "/frontends/{frontend_id}/acls",
            get(list_acls).post(create_acl),
        )
        .route("/lb/subscriber/{subscriber_id}", delete(delete_subscriber));
    Router::new().nest(ZONED, zoned).nest(REGIONAL, regional)
}
