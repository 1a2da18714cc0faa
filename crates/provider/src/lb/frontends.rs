//! Frontend calls: create, get, list, update, delete.
//!
//! Each frontend of an LB listens on its own port ("each frontend must listen on a different
//! port", Scaleway's documentation): a second one on a port is `409 conflict` (the documentation
//! gives the rule, not the answer; a clash with another resource's state is a conflict in
//! Scaleway's error vocabulary — our choice). Its default backend and its certificates must be
//! the same LB's.

use super::frontend_types::{Frontend, FrontendConfig};
use super::list::{ListByNameRequest, ListFrontendsResponse, SortKey};
use super::records::FrontendRecord;
use super::requests::FrontendRequest;
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError};
use crate::list::{check_page, name_matches, paginate};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn frontend_key(f: &FrontendRecord) -> SortKey<'_> {
    SortKey {
        seq: f.seq,
        created_at: f.config.created_at,
        name: &f.config.name,
    }
}

impl LoadBalancers {
    /// Checks a create or update against the LB: port free, backend and certificates of the
    /// LB; gives back (port, backend, certificate IDs).
    fn check_frontend(
        &self,
        lb_id: Uuid,
        this: Option<Uuid>,
        req: &FrontendRequest,
        current: Option<&FrontendRecord>,
    ) -> Result<(u32, Uuid, Vec<Uuid>), ProviderError> {
        let port = req
            .inbound_port
            .or(current.map(|c| c.config.inbound_port))
            .ok_or_else(|| {
                ProviderError::invalid("inbound_port", ArgumentReason::Required, "is required")
            })?;
        if !(1..=65535).contains(&port) {
            return Err(ProviderError::constraint(
                "inbound_port",
                "must be between 1 and 65535",
            ));
        }
        if let Some(other) = self.frontends.values().find(|f| {
            f.lb_id == lb_id && Some(f.config.id) != this && f.config.inbound_port == port
        }) {
            return Err(ProviderError::Conflict {
                message: format!(
                    "port {port} is already used by frontend {} ({}) on this Load Balancer",
                    other.config.name, other.config.id
                ),
            });
        }
        let backend_id = req
            .backend_id
            .or(current.map(|c| c.backend_id))
            .ok_or_else(|| {
                ProviderError::invalid("backend_id", ArgumentReason::Required, "is required")
            })?;
        if self
            .backends
            .get(&backend_id)
            .is_none_or(|b| b.lb_id != lb_id)
        {
            return Err(super::missing(super::not_found::BACKEND));
        }
        let mut certificate_ids = match (&req.certificate_ids, current) {
            (Some(ids), _) => ids.clone(),
            (None, Some(c)) if req.certificate_id.is_none() => c.config.certificate_ids.clone(),
            _ => Vec::new(),
        };
        if let Some(id) = req.certificate_id
            && !certificate_ids.contains(&id)
        {
            certificate_ids.insert(0, id);
        }
        for id in &certificate_ids {
            if self.certificates.get(id).is_none_or(|c| c.lb_id != lb_id) {
                return Err(super::missing(super::not_found::CERTIFICATE));
            }
        }
        if current.is_some_and(|c| c.backend_id != backend_id) {
            let protocol = self
                .backends
                .get(&backend_id)
                .map(|b| b.config.forward_protocol);
            let has_http_acls = self.acls.values().any(|a| {
                Some(a.frontend_id) == this && a.config.match_.http_filter != Default::default()
            });
            if has_http_acls && protocol == Some(super::backend_types::Protocol::Tcp) {
                return Err(ProviderError::constraint(
                    "backend_id",
                    "this frontend has ACLs with HTTP filters, which need an HTTP backend",
                ));
            }
        }
        Ok((port, backend_id, certificate_ids))
    }

    /// `POST /lbs/{id}/frontends`.
    pub fn create_frontend(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: FrontendRequest,
        now: DateTime<Utc>,
    ) -> Result<Frontend, ProviderError> {
        self.changeable_lb(loc, caller, lb_id)?;
        let (inbound_port, backend_id, certificate_ids) =
            self.check_frontend(lb_id, None, &req, None)?;
        let id = self.ids.next_uuid();
        let seq = self.next_seq();
        let config = FrontendConfig {
            id,
            name: req
                .name
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| super::lbs::default_name("lbf", id)),
            inbound_port,
            timeout_client: req.timeout_client,
            certificate_ids,
            created_at: now,
            updated_at: now,
            enable_http3: req.enable_http3.unwrap_or(false),
            connection_rate_limit: req.connection_rate_limit.filter(|r| *r > 0),
            enable_access_logs: req.enable_access_logs.unwrap_or(false),
        };
        self.frontends.insert(
            id,
            FrontendRecord {
                seq,
                lb_id,
                backend_id,
                config,
            },
        );
        self.config_changed(lb_id, now);
        self.answer_frontend(loc, caller, id, true)
    }

    pub(crate) fn answer_frontend(
        &self,
        loc: Locality,
        caller: &Caller,
        id: Uuid,
        full: bool,
    ) -> Result<Frontend, ProviderError> {
        let f = self.visible_frontend(loc, caller, id)?;
        self.frontend_view(f, full)
            .ok_or_else(|| super::missing(super::not_found::FRONTEND))
    }

    /// `GET /frontends/{id}`.
    pub fn get_frontend(
        &self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
    ) -> Result<Frontend, ProviderError> {
        self.answer_frontend(loc, caller, frontend_id, false)
    }

    /// `GET /lbs/{id}/frontends`.
    pub fn list_frontends(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: &ListByNameRequest,
    ) -> Result<ListFrontendsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        self.visible_lb(loc, caller, lb_id)?;
        let mut found: Vec<&FrontendRecord> = self
            .frontends
            .values()
            .filter(|f| f.lb_id == lb_id && name_matches(req.name.as_deref(), &f.config.name))
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| order.compare(&frontend_key(a), &frontend_key(b)));
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListFrontendsResponse {
            frontends: page_items
                .into_iter()
                .filter_map(|f| self.frontend_view(f, false))
                .collect(),
            total_count,
        })
    }

    /// `PUT /frontends/{id}`.
    pub fn update_frontend(
        &mut self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
        req: FrontendRequest,
        now: DateTime<Utc>,
    ) -> Result<Frontend, ProviderError> {
        let current = self.visible_frontend(loc, caller, frontend_id)?.clone();
        let lb_id = current.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        let (inbound_port, backend_id, certificate_ids) =
            self.check_frontend(lb_id, Some(frontend_id), &req, Some(&current))?;
        if let Some(f) = self.frontends.get_mut(&frontend_id) {
            if let Some(name) = req.name.filter(|n| !n.is_empty()) {
                f.config.name = name;
            }
            f.config.inbound_port = inbound_port;
            f.backend_id = backend_id;
            f.config.certificate_ids = certificate_ids;
            if let Some(t) = req.timeout_client {
                f.config.timeout_client = Some(t);
            }
            if let Some(h3) = req.enable_http3 {
                f.config.enable_http3 = h3;
            }
            if let Some(r) = req.connection_rate_limit {
                f.config.connection_rate_limit = Some(r).filter(|r| *r > 0);
            }
            if let Some(logs) = req.enable_access_logs {
                f.config.enable_access_logs = logs;
            }
            f.config.updated_at = now;
        }
        self.config_changed(lb_id, now);
        self.answer_frontend(loc, caller, frontend_id, true)
    }

    /// `DELETE /frontends/{id}`: its ACLs and routes go with it.
    pub fn delete_frontend(
        &mut self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        let lb_id = self.visible_frontend(loc, caller, frontend_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        self.frontends.remove(&frontend_id);
        self.acls.retain(|_, a| a.frontend_id != frontend_id);
        self.routes
            .retain(|_, r| r.route.frontend_id != frontend_id);
        self.config_changed(lb_id, now);
        Ok(())
    }
}
