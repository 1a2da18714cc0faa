//! Provider resources of a topology, created through the API's own router in process: the same
//! handlers, validation and engine intents as `peerlab serve`, with no socket in between.
//!
//! Calls are made by path with the SDK's JSON bodies; an error answer is reported with the
//! Scaleway error body the API gave. OVH's API (`/1.0/…`) is called with signed requests, as
//! an SDK signs them, with the demo catalogue's credentials.

use super::error::{Result, RunError};
use axum::body::Body;
use axum::http::{Method, Request};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A project's client of the in-process API.
#[derive(Clone)]
pub struct Api {
    router: axum::Router,
    token: String,
    admin_token: String,
    region: String,
}

impl Api {
    /// A client acting with `token` in `region`.
    pub fn new(router: axum::Router, token: &str, admin_token: &str, region: &str) -> Self {
        Self {
            router,
            token: token.to_string(),
            admin_token: admin_token.to_string(),
            region: region.to_string(),
        }
    }

    /// The API's router, to serve over HTTP (`--keep`).
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// `METHOD /interlink/v1beta1/regions/{region}{path}` with `body`; the JSON answer.
    pub async fn interlink(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let uri = format!("/interlink/v1beta1/regions/{}{path}", self.region);
        self.call(method, &uri, &self.token, body).await
    }

    /// An admin call (`/peerlab/v1/admin{path}`).
    pub async fn admin(&self, path: &str, body: Value) -> Result<Value> {
        let uri = format!("/peerlab/v1/admin{path}");
        self.call(Method::POST, &uri, &self.admin_token, Some(body))
            .await
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<Value> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header("x-auth-token", token);
        let body = match body {
            Some(b) => {
                request = request.header("content-type", "application/json");
                Body::from(b.to_string())
            }
            None => Body::empty(),
        };
        let request = request
            .body(body)
            .map_err(|e| RunError::Api(format!("building a request: {e}")))?;
        self.send(request, false).await
    }

    /// Sends `request` to the router; the JSON answer, or the error's status and body (its
    /// `message` alone with `message_only`, as OVH's errors read best).
    async fn send(&self, request: Request<Body>, message_only: bool) -> Result<Value> {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| RunError::Api(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| RunError::Api(e.to_string()))?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            let what = match message_only {
                true => value
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                false => value.to_string(),
            };
            return Err(RunError::Api(format!("{method} {uri}: {status} {what}")));
        }
        Ok(value)
    }

    /// One call to OVH's API (`/1.0/…`, signed) or the emulator's admin API (`/peerlab/…`,
    /// the admin token): the JSON answer, or OVH's error message.
    pub async fn ovh(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        use provider::catalogue::ovh::{
            DEMO_APPLICATION_KEY, DEMO_APPLICATION_SECRET, DEMO_CONSUMER_KEY,
        };
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let mut request = Request::builder()
            .method(method.clone())
            .uri(path)
            .header("host", "peerlab");
        if path.starts_with("/1.0/") {
            let timestamp = api::now().timestamp().to_string();
            let url = format!("http://peerlab{path}");
            let signature = api::ovh::auth::signature(
                DEMO_APPLICATION_SECRET,
                DEMO_CONSUMER_KEY,
                method.as_str(),
                &url,
                bytes.as_bytes(),
                &timestamp,
            );
            request = request
                .header("x-ovh-application", DEMO_APPLICATION_KEY)
                .header("x-ovh-consumer", DEMO_CONSUMER_KEY)
                .header("x-ovh-timestamp", timestamp)
                .header("x-ovh-signature", signature);
        } else {
            request = request.header("x-auth-token", &self.admin_token);
        }
        if !bytes.is_empty() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Body::from(bytes))
            .map_err(|e| RunError::Api(format!("building a request: {e}")))?;
        self.send(request, true).await
    }

    /// Every item of a paginated list (`key` is the list's field, e.g. `pops`).
    pub async fn list_all(&self, path: &str, key: &str) -> Result<Vec<Value>> {
        let mut all = Vec::new();
        for page in 1u32.. {
            let sep = if path.contains('?') { '&' } else { '?' };
            let answer = self
                .interlink(
                    Method::GET,
                    &format!("{path}{sep}page={page}&page_size=100"),
                    None,
                )
                .await?;
            let items = answer
                .get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = answer
                .get("total_count")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let done = items.is_empty();
            all.extend(items);
            if done || all.len() as u64 >= total {
                break;
            }
        }
        Ok(all)
    }

    /// The id of the item of `list` whose `name` is `name`.
    pub async fn id_by_name(&self, path: &str, key: &str, name: &str) -> Result<String> {
        self.list_all(path, key)
            .await?
            .iter()
            .find(|item| item.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|item| item.get("id").and_then(Value::as_str))
            .map(str::to_string)
            .ok_or_else(|| {
                RunError::Api(format!("no {} named {name:?}", key.trim_end_matches('s')))
            })
    }
}

/// `{"vpc_id": …}` and friends.
pub fn body(pairs: &[(&str, Value)]) -> Value {
    let mut object = serde_json::Map::new();
    for (key, value) in pairs {
        object.insert((*key).to_string(), value.clone());
    }
    Value::Object(object)
}

/// JSON null for `None`.
pub fn opt<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, Into::into)
}
