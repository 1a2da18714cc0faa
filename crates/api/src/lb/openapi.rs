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

/// One row per endpoint: which APIs serve it (`both`, `zoned`, `regional`), method, path,
/// zoned and regional operation IDs (`-`: not served there), query kind, summary.
const ROWS: &str = "\
both get /lbs ZonedListLbs ListLbs named List Load Balancers
both post /lbs ZonedCreateLb CreateLb none Create a Load Balancer
both get /lbs/{lb_id} ZonedGetLb GetLb none Get a Load Balancer
both put /lbs/{lb_id} ZonedUpdateLb UpdateLb none Update a Load Balancer
both delete /lbs/{lb_id} ZonedDeleteLb DeleteLb releaseip Delete a Load Balancer
both post /lbs/{lb_id}/migrate ZonedMigrateLb MigrateLb none Migrate a Load Balancer
both get /ips ZonedListLbIPs ListLbIPs paged List flexible IPs
both post /ips ZonedCreateIp CreateIp none Create a flexible IP
both get /ips/{ip_id} ZonedGetIp GetIp none Get a flexible IP
both delete /ips/{ip_id} ZonedReleaseIp ReleaseIp none Release a flexible IP
both patch /ips/{ip_id} ZonedUpdateIp UpdateIp none Update a flexible IP
both get /lbs/{lb_id}/backends ZonedListBackends ListBackends named List backends
both post /lbs/{lb_id}/backends ZonedCreateBackend CreateBackend none Create a backend
both get /backends/{backend_id} ZonedGetBackend GetBackend none Get a backend
both put /backends/{backend_id} ZonedUpdateBackend UpdateBackend none Update a backend
both delete /backends/{backend_id} ZonedDeleteBackend DeleteBackend none Delete a backend
both post /backends/{backend_id}/servers ZonedAddBackendServers AddBackendServers none Add servers
both delete /backends/{backend_id}/servers ZonedRemoveBackendServers RemoveBackendServers none Remove servers (DELETE with a body)
both put /backends/{backend_id}/servers ZonedSetBackendServers SetBackendServers none Set the servers
both put /backends/{backend_id}/healthcheck ZonedUpdateHealthCheck UpdateHealthCheck none Update the health check
both get /lbs/{lb_id}/frontends ZonedListFrontends ListFrontends named List frontends
both post /lbs/{lb_id}/frontends ZonedCreateFrontend CreateFrontend none Create a frontend
both get /frontends/{frontend_id} ZonedGetFrontend GetFrontend none Get a frontend
both put /frontends/{frontend_id} ZonedUpdateFrontend UpdateFrontend none Update a frontend
both delete /frontends/{frontend_id} ZonedDeleteFrontend DeleteFrontend none Delete a frontend
both get /routes ZonedListRoutes ListRoutes dated List routes
both post /routes ZonedCreateRoute CreateRoute none Create a route
both get /routes/{route_id} ZonedGetRoute GetRoute none Get a route
both put /routes/{route_id} ZonedUpdateRoute UpdateRoute none Update a route
both delete /routes/{route_id} ZonedDeleteRoute DeleteRoute none Delete a route
both get /lbs/{lb_id}/stats ZonedGetLbStats GetLbStats stats Get an LB's statistics
both get /lbs/{lb_id}/backend-stats ZonedListBackendStats ListBackendStats stats List backend statistics
both get /frontends/{frontend_id}/acls ZonedListAcls ListAcls named List ACLs
both post /frontends/{frontend_id}/acls ZonedCreateAcl CreateAcl none Create an ACL
zoned put /frontends/{frontend_id}/acls ZonedSetAcls - none Replace a frontend's ACLs
both get /acls/{acl_id} ZonedGetAcl GetAcl none Get an ACL
both put /acls/{acl_id} ZonedUpdateAcl UpdateAcl none Update an ACL
both delete /acls/{acl_id} ZonedDeleteAcl DeleteAcl none Delete an ACL
both post /lbs/{lb_id}/certificates ZonedCreateCertificate CreateCertificate none Create a certificate
both get /lbs/{lb_id}/certificates ZonedListCertificates ListCertificates named List certificates
both get /certificates/{certificate_id} ZonedGetCertificate GetCertificate none Get a certificate
both put /certificates/{certificate_id} ZonedUpdateCertificate UpdateCertificate none Update a certificate
both delete /certificates/{certificate_id} ZonedDeleteCertificate DeleteCertificate none Delete a certificate
both get /lb-types ZonedListLbTypes ListLbTypes paged List the offers
both post /subscribers ZonedCreateSubscriber CreateSubscriber none Create a subscriber
both get /subscribers/{subscriber_id} ZonedGetSubscriber GetSubscriber none Get a subscriber
both get /subscribers ZonedListSubscriber ListSubscriber named List subscribers
both put /subscribers/{subscriber_id} ZonedUpdateSubscriber UpdateSubscriber none Update a subscriber
zoned delete /lb/subscription/{subscriber_id} ZonedDeleteSubscriber - none Delete a subscriber
regional delete /lb/subscriber/{subscriber_id} - DeleteSubscriber none Delete a subscriber
both post /lb/{lb_id}/subscribe ZonedSubscribeToLb SubscribeToLb none Subscribe an LB
both delete /lb/{lb_id}/unsubscribe ZonedUnsubscribeFromLb UnsubscribeFromLb none Unsubscribe an LB
both get /lbs/{lb_id}/private-networks ZonedListLbPrivateNetworks ListLbPrivateNetworks dated List an LB's private networks
zoned post /lbs/{lb_id}/attach-private-network ZonedAttachPrivateNetwork - none Attach a private network (in the body)
zoned post /lbs/{lb_id}/detach-private-network ZonedDetachPrivateNetwork - none Detach a private network (in the body)
both post /lbs/{lb_id}/private-networks/{private_network_id}/attach ZonedAttachPrivateNetworkInPath AttachPrivateNetwork none Attach a private network
both post /lbs/{lb_id}/private-networks/{private_network_id}/detach ZonedDetachPrivateNetworkInPath DetachPrivateNetwork none Detach a private network
";

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

fn query_kind(word: &str) -> Query {
    match word {
        "named" => Query::Named,
        "dated" => Query::Dated,
        "stats" => Query::Stats,
        "paged" => Query::Paged,
        "releaseip" => Query::ReleaseIp,
        _ => Query::None,
    }
}

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
    for line in ROWS.lines() {
        let words: Vec<&'static str> = line.split_whitespace().collect();
        let [serves, method, path, zoned_id, regional_id, kind, ..] = words[..] else {
            continue;
        };
        let summary = words_after(line, 6);
        let no_content =
            method == "delete" && !path.ends_with("/servers") && !path.ends_with("/unsubscribe")
                || path.ends_with("detach-private-network")
                || path.ends_with("/detach");
        let body = matches!(method, "post" | "put" | "patch") || path.ends_with("/servers");
        for (prefix, id, served) in [
            (ZONED, zoned_id, serves != "regional"),
            (REGIONAL, regional_id, serves != "zoned"),
        ] {
            if served {
                out.push(LbOperation {
                    method,
                    path: format!("{prefix}{path}"),
                    id,
                    summary,
                    query: query(query_kind(kind)),
                    body,
                    no_content,
                });
            }
        }
    }
    out
}

/// The text of `line` after its first `n` words.
fn words_after(line: &'static str, n: usize) -> &'static str {
    let mut rest = line.trim_start();
    for _ in 0..n {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest.get(end..).unwrap_or_default().trim_start();
    }
    rest
}
