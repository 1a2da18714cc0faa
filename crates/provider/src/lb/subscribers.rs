//! Alert subscribers (e-mail or webhook): create, get, list, update, delete, and an LB's
//! subscription. peerlab sends no alert; it keeps and answers them.

use super::list::{ListSubscriberRequest, ListSubscriberResponse, SortKey};
use super::records::SubscriberRecord;
use super::requests::{SubscribeToLbRequest, SubscriberRequest};
use super::types::{Lb, Subscriber};
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError};
use crate::list::{check_page, name_matches, paginate};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The one-of of the configs; `current` fills in on update when neither is given.
fn configs(
    req: &SubscriberRequest,
    current: Option<&Subscriber>,
) -> Result<Subscriber, ProviderError> {
    let (email_config, webhook_config) = match (&req.email_config, &req.webhook_config, current) {
        (Some(_), Some(_), _) => {
            return Err(ProviderError::constraint(
                "webhook_config",
                "only one of email_config and webhook_config may be set",
            ));
        }
        (None, None, Some(c)) => (c.email_config.clone(), c.webhook_config.clone()),
        (None, None, None) => {
            return Err(ProviderError::invalid(
                "email_config",
                ArgumentReason::Required,
                "one of email_config and webhook_config is required",
            ));
        }
        (e, w, _) => (e.clone(), w.clone()),
    };
    if email_config
        .as_ref()
        .is_some_and(|e| !e.email.contains('@'))
    {
        return Err(ProviderError::invalid(
            "email_config.email",
            ArgumentReason::Format,
            "must be an e-mail address",
        ));
    }
    Ok(Subscriber {
        id: Uuid::nil(),
        name: req.name.clone().unwrap_or_default(),
        email_config,
        webhook_config,
    })
}

fn subscriber_key(s: &SubscriberRecord) -> SortKey<'_> {
    SortKey {
        seq: s.seq,
        created_at: s.created_at,
        name: &s.subscriber.name,
    }
}

impl LoadBalancers {
    /// `POST /subscribers`.
    pub fn create_subscriber(
        &mut self,
        loc: Locality,
        caller: &Caller,
        req: SubscriberRequest,
        now: DateTime<Utc>,
    ) -> Result<Subscriber, ProviderError> {
        let project_id = super::lbs::project_for_create(
            caller,
            req.project_id,
            req.organization_id,
            "subscriber",
        )?;
        let mut subscriber = configs(&req, None)?;
        let id = self.ids.next_uuid();
        subscriber.id = id;
        if subscriber.name.is_empty() {
            subscriber.name = super::lbs::default_name("subscriber", id);
        }
        let seq = self.next_seq();
        self.subscribers.insert(
            id,
            SubscriberRecord {
                seq,
                project_id,
                zone: loc.zone_for_create(),
                created_at: now,
                subscriber: subscriber.clone(),
            },
        );
        Ok(subscriber)
    }

    /// `GET /subscribers/{id}`.
    pub fn get_subscriber(
        &self,
        loc: Locality,
        caller: &Caller,
        subscriber_id: Uuid,
    ) -> Result<Subscriber, ProviderError> {
        self.visible_subscriber(loc, caller, subscriber_id)
            .map(|s| s.subscriber.clone())
    }

    /// `GET /subscribers`.
    pub fn list_subscriber(
        &self,
        loc: Locality,
        caller: &Caller,
        req: &ListSubscriberRequest,
    ) -> Result<ListSubscriberResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        let scope = caller.list_scope_matches(req.project_id, req.organization_id);
        let mut found: Vec<&SubscriberRecord> = self
            .subscribers
            .values()
            .filter(|s| {
                scope
                    && loc.contains(s.zone)
                    && caller.sees(s.project_id)
                    && name_matches(req.name.as_deref(), &s.subscriber.name)
            })
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| order.compare(&subscriber_key(a), &subscriber_key(b)));
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListSubscriberResponse {
            subscribers: page_items
                .into_iter()
                .map(|s| s.subscriber.clone())
                .collect(),
            total_count,
        })
    }

    /// `PUT /subscribers/{id}`.
    pub fn update_subscriber(
        &mut self,
        loc: Locality,
        caller: &Caller,
        subscriber_id: Uuid,
        req: SubscriberRequest,
    ) -> Result<Subscriber, ProviderError> {
        let current = self
            .visible_subscriber(loc, caller, subscriber_id)?
            .subscriber
            .clone();
        let mut next = configs(&req, Some(&current))?;
        next.id = subscriber_id;
        if next.name.is_empty() {
            next.name = current.name;
        }
        if let Some(s) = self.subscribers.get_mut(&subscriber_id) {
            s.subscriber = next.clone();
        }
        Ok(next)
    }

    /// `DELETE /lb/subscription/{id}` (zoned) or `/lb/subscriber/{id}` (regional): the LBs
    /// subscribed to it are unsubscribed.
    pub fn delete_subscriber(
        &mut self,
        loc: Locality,
        caller: &Caller,
        subscriber_id: Uuid,
    ) -> Result<(), ProviderError> {
        self.visible_subscriber(loc, caller, subscriber_id)?;
        self.subscribers.remove(&subscriber_id);
        for lb in self.lbs.values_mut() {
            if lb.subscriber_id == Some(subscriber_id) {
                lb.subscriber_id = None;
            }
        }
        Ok(())
    }

    /// `POST /lb/{id}/subscribe`: answers the LB with its subscriber.
    pub fn subscribe_to_lb(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: SubscribeToLbRequest,
        now: DateTime<Utc>,
    ) -> Result<Lb, ProviderError> {
        let zone = self.changeable_lb(loc, caller, lb_id)?.zone;
        self.visible_subscriber(Locality::Region(zone.region()), caller, req.subscriber_id)?;
        let lb = self.lb_mut(lb_id)?;
        lb.subscriber_id = Some(req.subscriber_id);
        lb.updated_at = now;
        self.get_lb(loc, caller, lb_id)
    }

    /// `DELETE /lb/{id}/unsubscribe`: answers the LB.
    pub fn unsubscribe_from_lb(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Lb, ProviderError> {
        self.changeable_lb(loc, caller, lb_id)?;
        let lb = self.lb_mut(lb_id)?;
        lb.subscriber_id = None;
        lb.updated_at = now;
        self.get_lb(loc, caller, lb_id)
    }
}
