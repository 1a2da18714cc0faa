//! Provider resources of a topology, created through the API's own router in process: the same
//! handlers, validation and engine intents as `peerlab serve`, with no socket in between.
//!
//! Calls are made by path with the SDK's JSON bodies; an error answer is reported with the
//! Scaleway error body the API gave.

use anyhow::{Context, anyhow, bail};
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
    ) -> anyhow::Result<Value> {
        let uri = format!("/interlink/v1beta1/regions/{}{path}", self.region);
        self.call(method, &uri, &self.token, body).await
    }

    /// An admin call (`/peerlab/v1/admin{path}`).
    pub async fn admin(&self, path: &str, body: Value) -> anyhow::Result<Value> {
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
    ) -> anyhow::Result<Value> {
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
        let request = request.body(body).context("building a request")?;
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| anyhow!("{e}"))?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{method} {uri}: {status} {value}");
        }
        Ok(value)
    }

    /// Every item of a paginated list (`key` is the list's field, e.g. `pops`).
    pub async fn list_all(&self, path: &str, key: &str) -> anyhow::Result<Vec<Value>> {
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
    pub async fn id_by_name(&self, path: &str, key: &str, name: &str) -> anyhow::Result<String> {
        self.list_all(path, key)
            .await?
            .iter()
            .find(|item| item.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|item| item.get("id").and_then(Value::as_str))
            .map(str::to_string)
            .ok_or_else(|| anyhow!("no {} named {name:?}", key.trim_end_matches('s')))
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
