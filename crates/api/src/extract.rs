//! Request extractors that answer every malformed request the way Scaleway does: `400
//! invalid_arguments` naming the argument, never axum's plain-text rejections.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use provider::error::ArgumentReason;
use provider::{ProviderError, Region};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The path parameters, as strings (parsed by [`PathArgs::region`] and [`PathArgs::id`]).
pub struct PathArgs(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for PathArgs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ProviderError::invalid("path", ArgumentReason::Format, e.body_text()))?;
        Ok(PathArgs(
            raw.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ))
    }
}

impl PathArgs {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A parameter as it came, if the path has it.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `{region}` parameter.
    pub fn region(&self) -> Result<Region, ApiError> {
        Ok(self.get("region").parse::<Region>()?)
    }

    /// A UUID parameter.
    pub fn id(&self, name: &str) -> Result<Uuid, ApiError> {
        parse_uuid(name, self.get(name))
    }

    /// The region and one UUID parameter.
    pub fn region_and(&self, name: &str) -> Result<(Region, Uuid), ApiError> {
        Ok((self.region()?, self.id(name)?))
    }
}

/// A UUID argument, or `invalid_arguments` (`format`) on `name`.
pub fn parse_uuid(name: &str, value: &str) -> Result<Uuid, ApiError> {
    value.parse::<Uuid>().map_err(|_| {
        ProviderError::invalid(name, ArgumentReason::Format, "must be a valid UUID").into()
    })
}

/// The query string as `T` (repeated keys fill lists; Python's `True`/`False` are accepted).
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(Query(parse_query(parts.uri.query().unwrap_or(""))?))
    }
}

/// Parses a query string; on error, names the first parameter that cannot be read alone.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ProviderError> {
    let pairs: Vec<(String, String)> = serde_html_form::from_str(query)
        .map_err(|e| ProviderError::invalid("query", ArgumentReason::Format, e.to_string()))?;
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| {
            let v = match v.as_str() {
                "True" => "true".to_string(),
                "False" => "false".to_string(),
                _ => v,
            };
            (k, v)
        })
        .collect();
    let encode = |ps: &[&(String, String)]| serde_html_form::to_string(ps).unwrap_or_default();
    let all: Vec<&(String, String)> = pairs.iter().collect();
    match serde_html_form::from_str::<T>(&encode(&all)) {
        Ok(t) => Ok(t),
        Err(e) => {
            let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
            keys.dedup();
            let culprit = keys.into_iter().find(|key| {
                let only: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k == key).collect();
                serde_html_form::from_str::<T>(&encode(&only)).is_err()
            });
            Err(ProviderError::invalid(
                culprit.unwrap_or("query"),
                ArgumentReason::Format,
                e.to_string(),
            ))
        }
    }
}

/// A JSON body as `T` (an empty body is `{}`).
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ProviderError::invalid("body", ArgumentReason::Unknown, e.body_text()))?;
        Ok(Body(parse_body(&bytes)?))
    }
}

/// Parses a JSON body, which must be an object (every SDK body is); errors name the field
/// (`source.private_network_id`, `tags[0]`…).
pub fn parse_body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ProviderError> {
    let bytes: &[u8] = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => b"{}",
        Some(b'{') => bytes,
        Some(_) => {
            return Err(ProviderError::invalid(
                "body",
                ArgumentReason::Format,
                "must be a JSON object",
            ));
        }
    };
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let (name, reason) = match (missing, path.as_str()) {
            (Some(field), ".") => (field.to_string(), ArgumentReason::Required),
            (Some(field), p) => (format!("{p}.{field}"), ArgumentReason::Required),
            (None, _) if inner.is_syntax() || inner.is_eof() => {
                ("body".to_string(), ArgumentReason::Format)
            }
            (None, ".") => ("body".to_string(), ArgumentReason::Format),
            (None, p) => (p.to_string(), ArgumentReason::Format),
        };
        ProviderError::invalid(name, reason, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use provider::interlink::{LinkStatus, ListLinksRequest};
    use provider::ipam::types::ListIpsRequest;

    fn argument(e: &ProviderError) -> String {
        e.body()["details"][0]["argument_name"]
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn query_lists_enums_and_python_booleans() {
        let r: ListLinksRequest = parse_query("tags=a&tags=b&status=active&page=2&name=x").unwrap();
        assert_eq!(r.tags, vec!["a", "b"]);
        assert_eq!(r.status, Some(LinkStatus::Active));
        assert_eq!(r.page, Some(2));
        let r: ListIpsRequest = parse_query("attached=True&regional=False").unwrap();
        assert_eq!(r.attached, Some(true));
        assert_eq!(r.regional, Some(false));
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let e = parse_query::<ListLinksRequest>("page=1&pop_id=nope").unwrap_err();
        assert_eq!(e.http_status(), 400);
        assert_eq!(argument(&e), "pop_id");
        let e = parse_query::<ListLinksRequest>("status=sideways").unwrap_err();
        assert_eq!(argument(&e), "status");
    }

    #[test]
    fn body_errors_name_the_field() {
        use provider::interlink::{AttachVpcRequest, CreateLinkRequest};
        let e = parse_body::<CreateLinkRequest>(br#"{"name":"x","pop_id":"bad"}"#).unwrap_err();
        assert_eq!(argument(&e), "pop_id");
        let e = parse_body::<CreateLinkRequest>(b"{not json").unwrap_err();
        assert_eq!(argument(&e), "body");
        let e = parse_body::<CreateLinkRequest>(b" []").unwrap_err();
        assert_eq!(argument(&e), "body");
        let e = parse_body::<AttachVpcRequest>(b"{}").unwrap_err();
        assert_eq!(argument(&e), "vpc_id");
        let r = parse_body::<CreateLinkRequest>(b"").unwrap();
        assert_eq!(r.name, "");
    }
}
