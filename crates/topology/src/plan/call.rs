//! `--call 'set_routing_policy link=prod routing_policy=narrow'`: an SDK method and its
//! arguments as the plan endpoint takes them (`{"call": …, "args": {…}}`), checked here first
//! so that a wrong name is one line before anything is asked.
//!
//! ```
//! let call = topology::plan::call::parse("set_routing_policy link=prod routing_policy=narrow").unwrap();
//! assert_eq!(call.body()["args"]["routing_policy"], "narrow");
//! let e = topology::plan::call::parse("set_routing_polcy link=prod").unwrap_err();
//! assert!(e.to_string().starts_with("--call: unknown SDK method \"set_routing_polcy\""));
//! ```

use serde_json::{Map, Value, json};

/// A `--call` that cannot be planned, in one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Nothing was given.
    #[error(
        "--call: give the SDK method and its arguments, e.g. 'set_routing_policy link=prod routing_policy=narrow'"
    )]
    Empty,
    /// An argument is not `name=value`.
    #[error("--call: {0:?} is not name=value")]
    NotAnArgument(String),
    /// The plan endpoint's check refused it (an unknown method or argument, a missing one).
    #[error("--call: {0}")]
    Refused(String),
}

/// An SDK call to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The SDK's method name.
    pub method: String,
    /// Its arguments, in order.
    pub args: Vec<(String, String)>,
}

impl Call {
    /// The plan endpoint's request body.
    pub fn body(&self) -> Value {
        let args: Map<String, Value> = self
            .args
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({ "call": self.method, "args": args })
    }
}

/// What one SDK call would change in a running world.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallPlan {
    /// The SDK's method name.
    pub call: String,
    /// What would change.
    pub changes: super::Changes,
    /// What the forecast assumed.
    pub predicted: Vec<String>,
}

impl CallPlan {
    /// The plan endpoint's answer (`status`, JSON body) read: its refusal in one line, or
    /// what changes from `before` to `after`.
    pub fn from_answer(status: u16, body: &Value) -> Result<CallPlan, CallError> {
        if !(200..300).contains(&status) {
            return Err(CallError::Refused(help(body)));
        }
        let forecast: world::forecast::Forecast = serde_json::from_value(body.clone())
            .map_err(|e| CallError::Refused(format!("the server's answer: {e}")))?;
        Ok(CallPlan {
            call: body
                .get("call")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            changes: super::diff(&forecast.before, &forecast.after),
            predicted: forecast.predicted,
        })
    }

    /// The plan as text: the call, what was assumed, one line per change.
    pub fn text(&self) -> String {
        let mut out = format!("plan of {}\n", self.call);
        for p in &self.predicted {
            out.push_str(&format!("  note: {p}\n"));
        }
        let lines = self.changes.lines();
        if lines.is_empty() {
            out.push_str("  no change\n");
        }
        for line in lines {
            out.push_str(&format!("  {line}\n"));
        }
        out
    }
}

/// Reads `method name=value …` and checks the method and argument names as the plan endpoint
/// will ([`api::plan::check`]).
pub fn parse(text: &str) -> Result<Call, CallError> {
    let mut words = text.split_whitespace();
    let method = words.next().ok_or(CallError::Empty)?.to_string();
    let mut args = Vec::new();
    for word in words {
        let (k, v) = word
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| CallError::NotAnArgument(word.to_string()))?;
        args.push((k.to_string(), v.to_string()));
    }
    let call = Call { method, args };
    let map = call
        .body()
        .get("args")
        .and_then(Value::as_object)
        .map(|m| m.clone().into_iter().collect())
        .unwrap_or_default();
    api::plan::check(&call.method, &map).map_err(|e| CallError::Refused(help(&e.body())))?;
    Ok(call)
}

/// The one line of a Scaleway error body: its first detail's help message, else its message.
pub fn help(body: &Value) -> String {
    let not_found = body.get("type").and_then(Value::as_str) == Some("not_found");
    if let (true, Some(resource), Some(id)) = (
        not_found,
        body.get("resource").and_then(Value::as_str),
        body.get("resource_id").and_then(Value::as_str),
    ) {
        return format!("{resource} {id:?} is not found");
    }
    body.get("details")
        .and_then(|d| d.get(0))
        .and_then(|d| d.get("help_message"))
        .or_else(|| body.get("help_message"))
        .or_else(|| body.get("message"))
        .and_then(Value::as_str)
        .map_or_else(|| body.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::API_CALLS;

    #[test]
    fn a_call_reads_into_the_endpoint_body() {
        let call = parse(
            "update_routing_policy routing_policy=narrow prefix_filter_in=10.1.0.0/16,10.2.0.0/16",
        )
        .unwrap();
        assert_eq!(
            call.body(),
            json!({"call": "update_routing_policy", "args": {
                "routing_policy": "narrow", "prefix_filter_in": "10.1.0.0/16,10.2.0.0/16"}})
        );
    }

    #[test]
    fn bad_calls_are_one_line_naming_what_is_wrong() {
        for (text, want) in [
            ("", "--call: give the SDK method"),
            ("  ", "--call: give the SDK method"),
            (
                "set_routing_policy prod",
                "--call: \"prod\" is not name=value",
            ),
            ("set_routing_policy =x", "--call: \"=x\" is not name=value"),
            (
                "frobnicate link=prod",
                "--call: unknown SDK method \"frobnicate\"",
            ),
            (
                "set_routing_policy link=prod routing_policy=x colour=red",
                "--call: unknown argument \"colour\" of set_routing_policy",
            ),
            (
                "set_routing_policy link=prod",
                "--call: set_routing_policy needs the argument \"routing_policy\"",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.starts_with(want), "{text:?}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn the_plannable_calls_are_the_steps_calls() {
        let plannable: Vec<&str> = api::plan::CALLS.iter().map(|(n, ..)| *n).collect();
        let steps: Vec<&str> = API_CALLS.iter().map(|(n, _)| *n).collect();
        assert_eq!(plannable, steps);
        for ((_, required, _), (_, needs)) in api::plan::CALLS.iter().zip(API_CALLS) {
            assert_eq!(required, needs);
        }
    }
}
