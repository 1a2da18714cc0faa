//! The operations of OVH's published schema (`/1.0/ovhCloudConnect.json`, `/1.0/vrack.json`)
//! that peerlab does not emulate: billing and contacts (`changeContact`, `serviceInfos`,
//! `terminate`, `confirmTermination`), paperwork (`loa`, `serviceKey`), monitoring and
//! diagnostics, and every vRack family but OVHcloud Connect.
//!
//! Each answers what the real API answers to a consumer key whose access rules do not cover
//! the call: `403 {"class": "Client::Forbidden", "errorCode": "NOT_GRANTED_CALL", "message":
//! "This call has not been granted"}` (the official clients raise their `NotGrantedCall` for
//! it). That is our choice of the real API's answers: the credentials peerlab hands out are
//! granted exactly the operations it serves, so a client sees a typed, documented refusal,
//! never a 404 from a router that does not know the path. The signature is checked first, as
//! everywhere under `/1.0`. `docs/ovh.md` lists the same operations.

use super::extract::OvhApiError;
use axum::Router;
use axum::routing::{MethodFilter, on};
use provider::ovh_connect::OvhError;

/// The operations not emulated, as `(method, path under /1.0)`, in the schema's order.
pub const UNAVAILABLE: &[(&str, &str)] = &[
    ("POST", "/ovhCloudConnect/{serviceName}/changeContact"),
    ("POST", "/ovhCloudConnect/{serviceName}/confirmTermination"),
    ("GET", "/ovhCloudConnect/{serviceName}/diagnostic"),
    ("POST", "/ovhCloudConnect/{serviceName}/diagnostic"),
    ("GET", "/ovhCloudConnect/{serviceName}/diagnostic/{id}"),
    ("GET", "/ovhCloudConnect/{serviceName}/incident"),
    ("GET", "/ovhCloudConnect/{serviceName}/incident/{id}"),
    (
        "GET",
        "/ovhCloudConnect/{serviceName}/interface/{id}/statistics",
    ),
    ("POST", "/ovhCloudConnect/{serviceName}/loa"),
    ("DELETE", "/ovhCloudConnect/{serviceName}/monitoring"),
    ("GET", "/ovhCloudConnect/{serviceName}/monitoring"),
    ("POST", "/ovhCloudConnect/{serviceName}/monitoring"),
    ("GET", "/ovhCloudConnect/{serviceName}/serviceInfos"),
    ("PUT", "/ovhCloudConnect/{serviceName}/serviceInfos"),
    ("GET", "/ovhCloudConnect/{serviceName}/serviceKey"),
    (
        "GET",
        "/ovhCloudConnect/{serviceName}/serviceKey/{serviceKeyId}",
    ),
    (
        "POST",
        "/ovhCloudConnect/{serviceName}/serviceKey/{serviceKeyId}/regenerate",
    ),
    (
        "POST",
        "/ovhCloudConnect/{serviceName}/serviceKey/{serviceKeyId}/send",
    ),
    ("POST", "/ovhCloudConnect/{serviceName}/terminate"),
    ("PUT", "/vrack/{serviceName}"),
    ("GET", "/vrack/{serviceName}/cloudProject"),
    ("POST", "/vrack/{serviceName}/cloudProject"),
    ("DELETE", "/vrack/{serviceName}/cloudProject/{project}"),
    ("GET", "/vrack/{serviceName}/cloudProject/{project}"),
    ("GET", "/vrack/{serviceName}/dedicatedCloud"),
    ("POST", "/vrack/{serviceName}/dedicatedCloud"),
    (
        "DELETE",
        "/vrack/{serviceName}/dedicatedCloud/{dedicatedCloud}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/dedicatedCloud/{dedicatedCloud}",
    ),
    ("GET", "/vrack/{serviceName}/dedicatedCloudDatacenter"),
    (
        "GET",
        "/vrack/{serviceName}/dedicatedCloudDatacenter/{datacenter}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/dedicatedCloudDatacenter/{datacenter}/allowedVrack",
    ),
    (
        "POST",
        "/vrack/{serviceName}/dedicatedCloudDatacenter/{datacenter}/move",
    ),
    ("GET", "/vrack/{serviceName}/dedicatedConnect"),
    ("GET", "/vrack/{serviceName}/dedicatedConnect/{name}"),
    ("PUT", "/vrack/{serviceName}/dedicatedConnect/{name}"),
    ("GET", "/vrack/{serviceName}/dedicatedServer"),
    ("POST", "/vrack/{serviceName}/dedicatedServer"),
    (
        "DELETE",
        "/vrack/{serviceName}/dedicatedServer/{dedicatedServer}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/dedicatedServer/{dedicatedServer}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/dedicatedServer/{dedicatedServer}/mrtg",
    ),
    ("GET", "/vrack/{serviceName}/dedicatedServerInterface"),
    ("POST", "/vrack/{serviceName}/dedicatedServerInterface"),
    (
        "DELETE",
        "/vrack/{serviceName}/dedicatedServerInterface/{dedicatedServerInterface}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/dedicatedServerInterface/{dedicatedServerInterface}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/dedicatedServerInterfaceDetails",
    ),
    ("GET", "/vrack/{serviceName}/eligibleServices"),
    ("GET", "/vrack/{serviceName}/ip"),
    ("POST", "/vrack/{serviceName}/ip"),
    ("DELETE", "/vrack/{serviceName}/ip/{ip}"),
    ("GET", "/vrack/{serviceName}/ip/{ip}"),
    ("POST", "/vrack/{serviceName}/ip/{ip}/announceInZone"),
    ("GET", "/vrack/{serviceName}/ip/{ip}/availableZone"),
    ("GET", "/vrack/{serviceName}/ipLoadbalancing"),
    ("POST", "/vrack/{serviceName}/ipLoadbalancing"),
    (
        "DELETE",
        "/vrack/{serviceName}/ipLoadbalancing/{ipLoadbalancing}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/ipLoadbalancing/{ipLoadbalancing}",
    ),
    ("GET", "/vrack/{serviceName}/ipv6"),
    ("POST", "/vrack/{serviceName}/ipv6"),
    ("DELETE", "/vrack/{serviceName}/ipv6/{ipv6}"),
    ("GET", "/vrack/{serviceName}/ipv6/{ipv6}"),
    ("GET", "/vrack/{serviceName}/ipv6/{ipv6}/bridgedSubrange"),
    (
        "GET",
        "/vrack/{serviceName}/ipv6/{ipv6}/bridgedSubrange/{bridgedSubrange}",
    ),
    (
        "PUT",
        "/vrack/{serviceName}/ipv6/{ipv6}/bridgedSubrange/{bridgedSubrange}",
    ),
    ("GET", "/vrack/{serviceName}/ipv6/{ipv6}/routedSubrange"),
    ("POST", "/vrack/{serviceName}/ipv6/{ipv6}/routedSubrange"),
    (
        "DELETE",
        "/vrack/{serviceName}/ipv6/{ipv6}/routedSubrange/{routedSubrange}",
    ),
    (
        "GET",
        "/vrack/{serviceName}/ipv6/{ipv6}/routedSubrange/{routedSubrange}",
    ),
    ("GET", "/vrack/{serviceName}/legacyVrack"),
    ("POST", "/vrack/{serviceName}/legacyVrack"),
    ("DELETE", "/vrack/{serviceName}/legacyVrack/{legacyVrack}"),
    ("GET", "/vrack/{serviceName}/legacyVrack/{legacyVrack}"),
    ("GET", "/vrack/{serviceName}/serviceInfos"),
    ("GET", "/vrack/{serviceName}/vrackServices"),
    ("POST", "/vrack/{serviceName}/vrackServices"),
    (
        "DELETE",
        "/vrack/{serviceName}/vrackServices/{vrackServices}",
    ),
    ("GET", "/vrack/{serviceName}/vrackServices/{vrackServices}"),
];

/// The answer to an operation that is not emulated.
pub fn not_granted() -> OvhError {
    OvhError::forbidden("NOT_GRANTED_CALL", "This call has not been granted")
}

async fn refuse() -> OvhApiError {
    OvhApiError(not_granted())
}

/// Adds the [`UNAVAILABLE`] operations to `router` (before its signature layer).
pub fn routes<S: Clone + Send + Sync + 'static>(mut router: Router<S>) -> Router<S> {
    for (method, path) in UNAVAILABLE {
        let filter = match *method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            _ => MethodFilter::DELETE,
        };
        router = router.route(&format!("/1.0{path}"), on(filter, refuse));
    }
    router
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for op in UNAVAILABLE {
            assert!(seen.insert(op), "{op:?} twice");
            assert!(["GET", "POST", "PUT", "DELETE"].contains(&op.0));
        }
        assert_eq!(not_granted().status, 403);
        // Building the routes does not panic (no overlap with each other).
        let _: Router<()> = routes(Router::new());
    }
}
