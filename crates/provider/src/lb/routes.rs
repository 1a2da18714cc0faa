//! Route calls: create, get, list, update, delete.
//!
//! A route sends a frontend's matching traffic to another backend of the same LB. Its match is
//! exactly one of `sni`, `host_header`, `path_begin`. Scaleway: "Routes can be based on Server
//! Name Indication (SNI) for TCP Load Balancers, or the HTTP Host header for HTTP Load
//! Balancers" — so `sni` needs a frontend whose default backend is TCP, `host_header` and
//! `path_begin` one whose default backend is HTTP (`invalid_arguments` otherwise, as the
//! recorded examples pair them).

use super::backend_types::Protocol;
use super::frontend_types::{Route, RouteCondition, RouteMatch};
use super::list::{ListRoutesRequest, ListRoutesResponse, OrderBy, SortKey};
use super::records::RouteRecord;
use super::requests::{CreateRouteRequest, UpdateRouteRequest};
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError};
use crate::list::{check_page, paginate};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use uuid::Uuid;

impl LoadBalancers {
    /// Checks a route's frontend, backend and match; gives back the LB and the match as kept.
    fn check_route(
        &self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
        backend_id: Uuid,
        match_: Option<RouteMatch>,
    ) -> Result<(Uuid, RouteMatch), ProviderError> {
        let f = self.visible_frontend(loc, caller, frontend_id)?;
        self.changeable_lb(loc, caller, f.lb_id)?;
        let backend = self.visible_backend(loc, caller, backend_id)?;
        if backend.lb_id != f.lb_id {
            return Err(ProviderError::constraint(
                "backend_id",
                "the backend must belong to the frontend's Load Balancer",
            ));
        }
        let m = match_.ok_or_else(|| {
            ProviderError::invalid(
                "match",
                ArgumentReason::Required,
                "one of sni, host_header, path_begin is required",
            )
        })?;
        let condition = m.condition().map_err(|set| {
            ProviderError::constraint(
                "match",
                if set.is_empty() {
                    "one of sni, host_header, path_begin is required".to_string()
                } else {
                    format!("only one of {} may be set", set.join(", "))
                },
            )
        })?;
        let protocol = self
            .backends
            .get(&f.backend_id)
            .map_or(Protocol::Tcp, |b| b.config.forward_protocol);
        let (field, needs) = match condition {
            RouteCondition::Sni(_) => ("match.sni", Protocol::Tcp),
            RouteCondition::HostHeader(_) => ("match.host_header", Protocol::Http),
            RouteCondition::PathBegin(_) => ("match.path_begin", Protocol::Http),
        };
        if protocol != needs {
            return Err(ProviderError::constraint(
                field,
                match needs {
                    Protocol::Tcp => "SNI routes need a frontend whose backend is TCP",
                    Protocol::Http => {
                        "host header and path routes need a frontend whose backend is HTTP"
                    }
                },
            ));
        }
        Ok((f.lb_id, m))
    }

    /// `POST /routes`.
    pub fn create_route(
        &mut self,
        loc: Locality,
        caller: &Caller,
        req: CreateRouteRequest,
        now: DateTime<Utc>,
    ) -> Result<Route, ProviderError> {
        let (lb_id, match_) =
            self.check_route(loc, caller, req.frontend_id, req.backend_id, req.match_)?;
        let id = self.ids.next_uuid();
        let seq = self.next_seq();
        let route = Route {
            id,
            frontend_id: req.frontend_id,
            backend_id: req.backend_id,
            match_,
            created_at: now,
            updated_at: now,
        };
        self.routes.insert(
            id,
            RouteRecord {
                seq,
                lb_id,
                route: route.clone(),
            },
        );
        self.config_changed(lb_id, now);
        Ok(route)
    }

    /// `GET /routes/{id}`.
    pub fn get_route(
        &self,
        loc: Locality,
        caller: &Caller,
        route_id: Uuid,
    ) -> Result<Route, ProviderError> {
        self.visible_route(loc, caller, route_id)
            .map(|r| r.route.clone())
    }

    /// `GET /routes`: every route the caller sees here, or one frontend's.
    pub fn list_routes(
        &self,
        loc: Locality,
        caller: &Caller,
        req: &ListRoutesRequest,
    ) -> Result<ListRoutesResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let mut found: Vec<&RouteRecord> = self
            .routes
            .values()
            .filter(|r| {
                self.visible_lb(loc, caller, r.lb_id).is_ok()
                    && req.frontend_id.is_none_or(|f| r.route.frontend_id == f)
            })
            .collect();
        let order = OrderBy::from(req.order_by.unwrap_or_default());
        let key = |r: &RouteRecord| (r.seq, r.route.created_at);
        found.sort_by(|a, b| {
            let (sa, ca) = key(a);
            let (sb, cb) = key(b);
            order.compare(
                &SortKey {
                    seq: sa,
                    created_at: ca,
                    name: "",
                },
                &SortKey {
                    seq: sb,
                    created_at: cb,
                    name: "",
                },
            )
        });
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListRoutesResponse {
            routes: page_items.into_iter().map(|r| r.route.clone()).collect(),
            total_count,
        })
    }

    /// `PUT /routes/{id}`: target backend and match.
    pub fn update_route(
        &mut self,
        loc: Locality,
        caller: &Caller,
        route_id: Uuid,
        req: UpdateRouteRequest,
        now: DateTime<Utc>,
    ) -> Result<Route, ProviderError> {
        let current = self.visible_route(loc, caller, route_id)?;
        let frontend_id = current.route.frontend_id;
        let match_ = req.match_.or_else(|| Some(current.route.match_.clone()));
        let (lb_id, match_) = self.check_route(loc, caller, frontend_id, req.backend_id, match_)?;
        let r = self
            .routes
            .get_mut(&route_id)
            .ok_or_else(|| super::missing(super::not_found::ROUTE))?;
        r.route.backend_id = req.backend_id;
        r.route.match_ = match_;
        r.route.updated_at = now;
        let route = r.route.clone();
        self.config_changed(lb_id, now);
        Ok(route)
    }

    /// `DELETE /routes/{id}`.
    pub fn delete_route(
        &mut self,
        loc: Locality,
        caller: &Caller,
        route_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        let lb_id = self.visible_route(loc, caller, route_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        self.routes.remove(&route_id);
        self.config_changed(lb_id, now);
        Ok(())
    }
}
