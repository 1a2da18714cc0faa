//! The Load Balancer operations of the OpenAPI document (`crate::openapi` renders them): one row
//! per endpoint of both APIs, with its query parameters. Bodies and answers are described as JSON
//! objects without detail: the SDK's own types are the reference for their shapes.

use super::{REGIONAL, ZONED};
use serde_json::{Value, json};

/// One endpoint as the document lists it.
pub(crate) struct LbOperation {
    pub method: &'static str,
    pub path: String,
    pub id: &'static str,
    pub summary: &'static str,
    /// Query parameters: (name, schema).
    pub query: Vec<(&'static str, Value)>,
    /// Whether it takes a JSON body.
    pub body: bool,
    /// Whether it answers 204 (else 200 with a JSON object).
    pub no_content: bool,
}

/// Which of the two APIs serve a row.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Serves {
    Both,
    Zoned,
    Regional,
}

/// (serves, method, path, zoned operation ID, regional operation ID, summary, query kind).
type Row = (
    Serves,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Query,
);

/// The query parameters of a row.
#[derive(Clone, Copy)]
enum Query {
    None,
    /// `page`, `page_size`, `order_by` (by date or name), `name`.
    Named,
    /// `page`, `page_size`, `order_by` (by date).
    Dated,
    /// `page`, `page_size`, `backend_id`.
    Stats,
    /// `page`, `page_size`.
    Paged,
    /// `release_ip`.
    ReleaseIp,
}

const ROWS: &[Row] = &[
    (
        Serves::Both,
        "get",
        "/lbs",
        "ZonedListLbs",
        "ListLbs",
        "List Load Balancers",
        Query::Named,
    ),
    (
        Serves::Both,
        "post",
        "/lbs",
        "ZonedCreateLb",
        "CreateLb",
        "Create a Load Balancer",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/lbs/{lb_id}",
        "ZonedGetLb",
        "GetLb",
        "Get a Load Balancer",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/lbs/{lb_id}",
        "ZonedUpdateLb",
        "UpdateLb",
        "Update a Load Balancer",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/lbs/{lb_id}",
        "ZonedDeleteLb",
        "DeleteLb",
        "Delete a Load Balancer",
        Query::ReleaseIp,
    ),
    (
        Serves::Both,
        "post",
        "/lbs/{lb_id}/migrate",
        "ZonedMigrateLb",
        "MigrateLb",
        "Migrate a Load Balancer",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/ips",
        "ZonedListLbIPs",
        "ListLbIPs",
        "List flexible IPs",
        Query::Paged,
    ),
    (
        Serves::Both,
        "post",
        "/ips",
        "ZonedCreateIp",
        "CreateIp",
        "Create a flexible IP",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/ips/{ip_id}",
        "ZonedGetIp",
        "GetIp",
        "Get a flexible IP",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/ips/{ip_id}",
        "ZonedReleaseIp",
        "ReleaseIp",
        "Release a flexible IP",
        Query::None,
    ),
    (
        Serves::Both,
        "patch",
        "/ips/{ip_id}",
        "ZonedUpdateIp",
        "UpdateIp",
        "Update a flexible IP",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/lbs/{lb_id}/backends",
        "ZonedListBackends",
        "ListBackends",
        "List backends",
        Query::Named,
    ),
    (
        Serves::Both,
        "post",
        "/lbs/{lb_id}/backends",
        "ZonedCreateBackend",
        "CreateBackend",
        "Create a backend",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/backends/{backend_id}",
        "ZonedGetBackend",
        "GetBackend",
        "Get a backend",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/backends/{backend_id}",
        "ZonedUpdateBackend",
        "UpdateBackend",
        "Update a backend",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/backends/{backend_id}",
        "ZonedDeleteBackend",
        "DeleteBackend",
        "Delete a backend",
        Query::None,
    ),
    (
        Serves::Both,
        "post",
        "/backends/{backend_id}/servers",
        "ZonedAddBackendServers",
        "AddBackendServers",
        "Add servers",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/backends/{backend_id}/servers",
        "ZonedRemoveBackendServers",
        "RemoveBackendServers",
        "Remove servers (DELETE with a body)",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/backends/{backend_id}/servers",
        "ZonedSetBackendServers",
        "SetBackendServers",
        "Set the servers",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/backends/{backend_id}/healthcheck",
        "ZonedUpdateHealthCheck",
        "UpdateHealthCheck",
        "Update the health check",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/lbs/{lb_id}/frontends",
        "ZonedListFrontends",
        "ListFrontends",
        "List frontends",
        Query::Named,
    ),
    (
        Serves::Both,
        "post",
        "/lbs/{lb_id}/frontends",
        "ZonedCreateFrontend",
        "CreateFrontend",
        "Create a frontend",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/frontends/{frontend_id}",
        "ZonedGetFrontend",
        "GetFrontend",
        "Get a frontend",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/frontends/{frontend_id}",
        "ZonedUpdateFrontend",
        "UpdateFrontend",
        "Update a frontend",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/frontends/{frontend_id}",
        "ZonedDeleteFrontend",
        "DeleteFrontend",
        "Delete a frontend",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/routes",
        "ZonedListRoutes",
        "ListRoutes",
        "List routes",
        Query::Dated,
    ),
    (
        Serves::Both,
        "post",
        "/routes",
        "ZonedCreateRoute",
        "CreateRoute",
        "Create a route",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/routes/{route_id}",
        "ZonedGetRoute",
        "GetRoute",
        "Get a route",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/routes/{route_id}",
        "ZonedUpdateRoute",
        "UpdateRoute",
        "Update a route",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/routes/{route_id}",
        "ZonedDeleteRoute",
        "DeleteRoute",
        "Delete a route",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/lbs/{lb_id}/stats",
        "ZonedGetLbStats",
        "GetLbStats",
        "Get an LB's statistics",
        Query::Stats,
    ),
    (
        Serves::Both,
        "get",
        "/lbs/{lb_id}/backend-stats",
        "ZonedListBackendStats",
        "ListBackendStats",
        "List backend statistics",
        Query::Stats,
    ),
    (
        Serves::Both,
        "get",
        "/frontends/{frontend_id}/acls",
        "ZonedListAcls",
        "ListAcls",
        "List ACLs",
        Query::Named,
    ),
    (
        Serves::Both,
        "post",
        "/frontends/{frontend_id}/acls",
        "ZonedCreateAcl",
        "CreateAcl",
        "Create an ACL",
        Query::None,
    ),
    (
        Serves::Zoned,
        "put",
        "/frontends/{frontend_id}/acls",
        "ZonedSetAcls",
        "",
        "Replace a frontend's ACLs",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/acls/{acl_id}",
        "ZonedGetAcl",
        "GetAcl",
        "Get an ACL",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/acls/{acl_id}",
        "ZonedUpdateAcl",
        "UpdateAcl",
        "Update an ACL",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/acls/{acl_id}",
        "ZonedDeleteAcl",
        "DeleteAcl",
        "Delete an ACL",
        Query::None,
    ),
    (
        Serves::Both,
        "post",
        "/lbs/{lb_id}/certificates",
        "ZonedCreateCertificate",
        "CreateCertificate",
        "Create a certificate",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/lbs/{lb_id}/certificates",
        "ZonedListCertificates",
        "ListCertificates",
        "List certificates",
        Query::Named,
    ),
    (
        Serves::Both,
        "get",
        "/certificates/{certificate_id}",
        "ZonedGetCertificate",
        "GetCertificate",
        "Get a certificate",
        Query::None,
    ),
    (
        Serves::Both,
        "put",
        "/certificates/{certificate_id}",
        "ZonedUpdateCertificate",
        "UpdateCertificate",
        "Update a certificate",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/certificates/{certificate_id}",
        "ZonedDeleteCertificate",
        "DeleteCertificate",
        "Delete a certificate",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/lb-types",
        "ZonedListLbTypes",
        "ListLbTypes",
        "List the offers",
        Query::Paged,
    ),
    (
        Serves::Both,
        "post",
        "/subscribers",
        "ZonedCreateSubscriber",
        "CreateSubscriber",
        "Create a subscriber",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/subscribers/{subscriber_id}",
        "ZonedGetSubscriber",
        "GetSubscriber",
        "Get a subscriber",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/subscribers",
        "ZonedListSubscriber",
        "ListSubscriber",
        "List subscribers",
        Query::Named,
    ),
    (
        Serves::Both,
        "put",
        "/subscribers/{subscriber_id}",
        "ZonedUpdateSubscriber",
        "UpdateSubscriber",
        "Update a subscriber",
        Query::None,
    ),
    (
        Serves::Zoned,
        "delete",
        "/lb/subscription/{subscriber_id}",
        "ZonedDeleteSubscriber",
        "",
        "Delete a subscriber",
        Query::None,
    ),
    (
        Serves::Regional,
        "delete",
        "/lb/subscriber/{subscriber_id}",
        "",
        "DeleteSubscriber",
        "Delete a subscriber",
        Query::None,
    ),
    (
        Serves::Both,
        "post",
        "/lb/{lb_id}/subscribe",
        "ZonedSubscribeToLb",
        "SubscribeToLb",
        "Subscribe an LB",
        Query::None,
    ),
    (
        Serves::Both,
        "delete",
        "/lb/{lb_id}/unsubscribe",
        "ZonedUnsubscribeFromLb",
        "UnsubscribeFromLb",
        "Unsubscribe an LB",
        Query::None,
    ),
    (
        Serves::Both,
        "get",
        "/lbs/{lb_id}/private-networks",
        "ZonedListLbPrivateNetworks",
        "ListLbPrivateNetworks",
        "List an LB's private networks",
        Query::Dated,
    ),
    (
        Serves::Zoned,
        "post",
        "/lbs/{lb_id}/attach-private-network",
        "ZonedAttachPrivateNetwork",
        "",
        "Attach a private network (in the body)",
        Query::None,
    ),
    (
        Serves::Zoned,
        "post",
        "/lbs/{lb_id}/detach-private-network",
        "ZonedDetachPrivateNetwork",
        "",
        "Detach a private network (in the body)",
        Query::None,
    ),
    (
        Serves::Both,
        "post",
        "/lbs/{lb_id}/private-networks/{private_network_id}/attach",
        "ZonedAttachPrivateNetworkInPath",
        "AttachPrivateNetwork",
        "Attach a private network",
        Query::None,
    ),
    (
        Serves::Both,
        "post",
        "/lbs/{lb_id}/private-networks/{private_network_id}/detach",
        "ZonedDetachPrivateNetworkInPath",
        "DetachPrivateNetwork",
        "Detach a private network",
        Query::None,
    ),
];

fn page_params() -> Vec<(&'static str, Value)> {
    vec![
        (
            "page",
            json!({ "type": "integer", "minimum": 1, "maximum": 4_294_967_295u64 }),
        ),
        (
            "page_size",
            json!({ "type": "integer", "minimum": 1, "maximum": 100 }),
        ),
    ]
}

fn query(kind: Query) -> Vec<(&'static str, Value)> {
    let order = |values: &[&str]| json!({ "type": "string", "enum": values });
    match kind {
        Query::None => Vec::new(),
        Query::Paged => page_params(),
        Query::Named => {
            let mut q = page_params();
            q.push((
                "order_by",
                order(&["created_at_asc", "created_at_desc", "name_asc", "name_desc"]),
            ));
            q.push(("name", json!({ "type": "string" })));
            q
        }
        Query::Dated => {
            let mut q = page_params();
            q.push(("order_by", order(&["created_at_asc", "created_at_desc"])));
            q
        }
        Query::Stats => {
            let mut q = page_params();
            q.push(("backend_id", json!({ "type": "string", "format": "uuid" })));
            q
        }
        Query::ReleaseIp => vec![("release_ip", json!({ "type": "boolean" }))],
    }
}

/// Every endpoint of both APIs: 54 zoned, 53 regional, plus the zoned API's answer to the
/// regional attach/detach paths (2).
pub(crate) fn operations() -> Vec<LbOperation> {
    let mut out = Vec::new();
    for (serves, method, path, zoned_id, regional_id, summary, kind) in ROWS {
        let no_content =
            *method == "delete" && !path.ends_with("/servers") && !path.ends_with("/unsubscribe")
                || path.ends_with("detach-private-network")
                || path.ends_with("/detach");
        let body = matches!(*method, "post" | "put" | "patch") || path.ends_with("/servers");
        let mut push = |prefix: &str, id: &'static str| {
            out.push(LbOperation {
                method,
                path: format!("{prefix}{path}"),
                id,
                summary,
                query: query(*kind),
                body,
                no_content,
            });
        };
        if *serves != Serves::Regional {
            push(ZONED, zoned_id);
        }
        if *serves != Serves::Zoned {
            push(REGIONAL, regional_id);
        }
    }
    out
}
