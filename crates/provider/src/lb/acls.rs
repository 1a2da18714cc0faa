//! ACL calls: create, get, list, update, delete, and `set_acls` (the zoned API's "replace the
//! frontend's whole list").
//!
//! Rules (Scaleway's ACL documentation and API schema): the index is kept as given (ascending,
//! first match wins); `ip_subnet` entries are addresses or CIDRs, `["0.0.0.0/0"]` when none are
//! given (as recorded); an HTTP filter needs values (and a header name for
//! `http_header_match`) and is "only supported for HTTP backends" — on a frontend whose default
//! backend is TCP it is `invalid_arguments` on `match.http_filter`. A redirect is an HTTP action
//! too (HAProxy `http-request redirect`), so it is refused the same way on TCP (our reading);
//! its code is one of 301, 302, 303, 307, 308, 302 when not given.

use super::backend_types::Protocol;
use super::frontend_types::{
    Acl, AclAction, AclActionRedirect, AclActionRedirectRedirectType, AclActionType, AclConfig,
    AclHttpFilter, AclMatch,
};
use super::list::{ListAclResponse, ListByNameRequest, SortKey};
use super::records::AclRecord;
use super::requests::{AclRequest, SetAclsRequest};
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError};
use crate::list::{check_page, name_matches, paginate};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::net::IpAddr;
use uuid::Uuid;

/// Redirect codes the API accepts.
const REDIRECT_CODES: [u32; 5] = [301, 302, 303, 307, 308];

/// An ACL request checked against its frontend's protocol: the name (if given), condition,
/// action, index and description. `prefix` names the arguments (`acls.2.`).
fn resolve(
    req: &AclRequest,
    protocol: Protocol,
    prefix: &str,
) -> Result<(Option<String>, AclMatch, AclAction, u32, String), ProviderError> {
    let m = req.match_.clone().unwrap_or_default();
    let mut ip_subnet = m.ip_subnet.unwrap_or_default();
    for (i, s) in ip_subnet.iter().enumerate() {
        let ok = s.trim().parse::<IpAddr>().is_ok() || s.trim().parse::<IpNet>().is_ok();
        if !ok {
            return Err(ProviderError::invalid(
                format!("{prefix}match.ip_subnet.{i}"),
                ArgumentReason::Format,
                "must be an IP address or a CIDR",
            ));
        }
    }
    if ip_subnet.is_empty() {
        ip_subnet.push("0.0.0.0/0".into());
    }
    let http_filter = m.http_filter.unwrap_or_default();
    let http_filter_value = m.http_filter_value.unwrap_or_default();
    let mut http_filter_option = m.http_filter_option.filter(|o| !o.is_empty());
    if http_filter != AclHttpFilter::AclHttpFilterNone {
        if protocol == Protocol::Tcp {
            return Err(ProviderError::constraint(
                format!("{prefix}match.http_filter"),
                "HTTP filters are only supported for HTTP backends; the frontend's backend is TCP",
            ));
        }
        if http_filter_value.is_empty() {
            return Err(ProviderError::invalid(
                format!("{prefix}match.http_filter_value"),
                ArgumentReason::Required,
                "is required with an HTTP filter",
            ));
        }
        if http_filter == AclHttpFilter::HttpHeaderMatch && http_filter_option.is_none() {
            return Err(ProviderError::invalid(
                format!("{prefix}match.http_filter_option"),
                ArgumentReason::Required,
                "the header name is required with http_header_match",
            ));
        }
        if http_filter != AclHttpFilter::HttpHeaderMatch {
            http_filter_option = None;
        }
    } else {
        http_filter_option = None;
    }
    let redirect = match req.action.type_ {
        AclActionType::Redirect => {
            if protocol == Protocol::Tcp {
                return Err(ProviderError::constraint(
                    format!("{prefix}action.type"),
                    "a redirect is an HTTP action; the frontend's backend is TCP",
                ));
            }
            let r = req.action.redirect.clone().unwrap_or_default();
            let target = r.target.filter(|t| !t.is_empty()).ok_or_else(|| {
                ProviderError::invalid(
                    format!("{prefix}action.redirect.target"),
                    ArgumentReason::Required,
                    "is required with a redirect",
                )
            })?;
            let code = r.code.filter(|c| *c != 0).unwrap_or(302);
            if !REDIRECT_CODES.contains(&code) {
                return Err(ProviderError::constraint(
                    format!("{prefix}action.redirect.code"),
                    "must be one of 301, 302, 303, 307, 308",
                ));
            }
            Some(AclActionRedirect {
                type_: r.type_.unwrap_or(AclActionRedirectRedirectType::Location),
                target,
                code,
            })
        }
        _ => None,
    };
    Ok((
        req.name.clone().filter(|n| !n.is_empty()),
        AclMatch {
            ip_subnet,
            ips_edge_services: m.ips_edge_services.unwrap_or(false),
            http_filter,
            http_filter_value,
            http_filter_option,
            invert: m.invert.unwrap_or(false),
        },
        AclAction {
            type_: req.action.type_,
            redirect,
        },
        req.index,
        req.description.clone().unwrap_or_default(),
    ))
}

fn acl_key(a: &AclRecord) -> SortKey<'_> {
    SortKey {
        seq: a.seq,
        created_at: a.config.created_at,
        name: &a.config.name,
    }
}

impl LoadBalancers {
    /// The frontend's LB and its default backend's protocol, for a change to its ACLs.
    fn acl_target(
        &self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
    ) -> Result<(Uuid, Protocol), ProviderError> {
        let f = self.visible_frontend(loc, caller, frontend_id)?;
        self.changeable_lb(loc, caller, f.lb_id)?;
        let protocol = self
            .backends
            .get(&f.backend_id)
            .map_or(Protocol::Tcp, |b| b.config.forward_protocol);
        Ok((f.lb_id, protocol))
    }

    fn insert_acl(
        &mut self,
        frontend_id: Uuid,
        resolved: (Option<String>, AclMatch, AclAction, u32, String),
        now: DateTime<Utc>,
    ) -> Uuid {
        let (name, match_, action, index, description) = resolved;
        let id = self.ids.next_uuid();
        let seq = self.next_seq();
        let config = AclConfig {
            id,
            name: name.unwrap_or_else(|| super::lbs::default_name("acl", id)),
            match_,
            action,
            index,
            created_at: now,
            updated_at: now,
            description,
        };
        self.acls.insert(
            id,
            AclRecord {
                seq,
                frontend_id,
                config,
            },
        );
        id
    }

    fn answer_acl(
        &self,
        loc: Locality,
        caller: &Caller,
        id: Uuid,
        full: bool,
    ) -> Result<Acl, ProviderError> {
        let a = self.visible_acl(loc, caller, id)?;
        self.acl_view(a, full)
            .ok_or_else(|| super::missing(super::not_found::ACL))
    }

    /// `POST /frontends/{id}/acls`.
    pub fn create_acl(
        &mut self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
        req: AclRequest,
        now: DateTime<Utc>,
    ) -> Result<Acl, ProviderError> {
        let (lb_id, protocol) = self.acl_target(loc, caller, frontend_id)?;
        let resolved = resolve(&req, protocol, "")?;
        let id = self.insert_acl(frontend_id, resolved, now);
        self.config_changed(lb_id, now);
        self.answer_acl(loc, caller, id, true)
    }

    /// `GET /acls/{id}`.
    pub fn get_acl(
        &self,
        loc: Locality,
        caller: &Caller,
        acl_id: Uuid,
    ) -> Result<Acl, ProviderError> {
        self.answer_acl(loc, caller, acl_id, false)
    }

    /// `GET /frontends/{id}/acls`.
    pub fn list_acls(
        &self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
        req: &ListByNameRequest,
    ) -> Result<ListAclResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        self.visible_frontend(loc, caller, frontend_id)?;
        let mut found: Vec<&AclRecord> = self
            .acls
            .values()
            .filter(|a| {
                a.frontend_id == frontend_id && name_matches(req.name.as_deref(), &a.config.name)
            })
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| order.compare(&acl_key(a), &acl_key(b)));
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListAclResponse {
            acls: page_items
                .into_iter()
                .filter_map(|a| self.acl_view(a, false))
                .collect(),
            total_count,
        })
    }

    /// `PUT /acls/{id}`.
    pub fn update_acl(
        &mut self,
        loc: Locality,
        caller: &Caller,
        acl_id: Uuid,
        req: AclRequest,
        now: DateTime<Utc>,
    ) -> Result<Acl, ProviderError> {
        let frontend_id = self.visible_acl(loc, caller, acl_id)?.frontend_id;
        let (lb_id, protocol) = self.acl_target(loc, caller, frontend_id)?;
        let (name, match_, action, index, description) = resolve(&req, protocol, "")?;
        if let Some(a) = self.acls.get_mut(&acl_id) {
            if let Some(name) = name {
                a.config.name = name;
            }
            a.config.match_ = match_;
            a.config.action = action;
            a.config.index = index;
            if req.description.is_some() {
                a.config.description = description;
            }
            a.config.updated_at = now;
        }
        self.config_changed(lb_id, now);
        self.answer_acl(loc, caller, acl_id, true)
    }

    /// `DELETE /acls/{id}`.
    pub fn delete_acl(
        &mut self,
        loc: Locality,
        caller: &Caller,
        acl_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        let frontend_id = self.visible_acl(loc, caller, acl_id)?.frontend_id;
        let (lb_id, _) = self.acl_target(loc, caller, frontend_id)?;
        self.acls.remove(&acl_id);
        self.config_changed(lb_id, now);
        Ok(())
    }

    /// `PUT /frontends/{id}/acls` (zoned API): replaces every ACL of the frontend; all are
    /// checked before any changes.
    pub fn set_acls(
        &mut self,
        loc: Locality,
        caller: &Caller,
        frontend_id: Uuid,
        req: SetAclsRequest,
        now: DateTime<Utc>,
    ) -> Result<ListAclResponse, ProviderError> {
        let (lb_id, protocol) = self.acl_target(loc, caller, frontend_id)?;
        let resolved = req
            .acls
            .iter()
            .enumerate()
            .map(|(i, a)| resolve(a, protocol, &format!("acls.{i}.")))
            .collect::<Result<Vec<_>, _>>()?;
        self.acls.retain(|_, a| a.frontend_id != frontend_id);
        let ids: Vec<Uuid> = resolved
            .into_iter()
            .map(|r| self.insert_acl(frontend_id, r, now))
            .collect();
        self.config_changed(lb_id, now);
        let acls: Vec<Acl> = ids
            .iter()
            .filter_map(|id| self.acls.get(id))
            .filter_map(|a| self.acl_view(a, true))
            .collect();
        Ok(ListAclResponse {
            total_count: acls.len() as u64,
            acls,
        })
    }
}
