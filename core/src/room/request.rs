//! Request/response actions (protocol §7): the request travels on the action's own type with
//! metadata `{"r":ID}` or `{"r":ID,"m":META}`; the answer on `@_response` with `{"r":ID}`, or
//! `null` with `{"r":ID,"e":"message"}` when the handler fails.

use serde_json::{Map, Value};

use crate::wire::JsonText;

/// The length of a request id (`genId(20)`).
pub const REQUEST_ID_LEN: usize = 20;

/// A request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// No response within the timeout.
    #[error("request timed out")]
    Timeout,
    /// The target left before answering.
    #[error("peer disconnected before responding")]
    Disconnected,
    /// The handler answered with an error.
    #[error("request rejected: {0}")]
    Rejected(String),
    /// The response did not decode into the expected type.
    #[error("invalid response: {0}")]
    InvalidResponse(String),
    /// The request could not be sent.
    #[error("request not sent: {0}")]
    NotSent(String),
}

/// What request metadata says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestMeta {
    pub(crate) id: String,
    pub(crate) user: Option<JsonText>,
    pub(crate) error: Option<String>,
}

/// `{"r":id}` or `{"r":id,"m":user}`.
pub(crate) fn request_metadata(id: &str, user: Option<&JsonText>) -> JsonText {
    let mut object = Map::new();
    object.insert("r".into(), Value::String(id.to_owned()));
    if let Some(user) = user {
        // Valid JSON text always parses back into a value.
        if let Ok(value) = user.deserialize::<Value>() {
            object.insert("m".into(), value);
        }
    }
    to_json(object)
}

/// `{"r":id}` or `{"r":id,"e":error}`.
pub(crate) fn response_metadata(id: &str, error: Option<&str>) -> JsonText {
    let mut object = Map::new();
    object.insert("r".into(), Value::String(id.to_owned()));
    if let Some(error) = error {
        object.insert("e".into(), Value::String(error.to_owned()));
    }
    to_json(object)
}

fn to_json(object: Map<String, Value>) -> JsonText {
    JsonText::parse(Value::Object(object).to_string()).expect("a JSON object serializes")
}

/// Reads request or response metadata; `None` if it is not an object with a string `r`.
pub(crate) fn parse_meta(meta: &JsonText) -> Option<RequestMeta> {
    let value: Value = meta.deserialize().ok()?;
    let object = value.as_object()?;
    let id = object.get("r")?.as_str()?.to_owned();
    let user = object
        .get("m")
        .and_then(|m| JsonText::parse(m.to_string()).ok());
    let error = object.get("e").and_then(Value::as_str).map(str::to_owned);
    Some(RequestMeta { id, user, error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_matches_js() {
        assert_eq!(request_metadata("abc", None).get(), r#"{"r":"abc"}"#);
        let user = JsonText::parse(r#"{"k":1}"#).unwrap();
        assert_eq!(
            request_metadata("abc", Some(&user)).get(),
            r#"{"r":"abc","m":{"k":1}}"#
        );
        assert_eq!(
            response_metadata("abc", Some("boom")).get(),
            r#"{"r":"abc","e":"boom"}"#
        );
        let parsed = parse_meta(&request_metadata("abc", Some(&user))).unwrap();
        assert_eq!(parsed.id, "abc");
        assert_eq!(parsed.user, Some(user));
        assert_eq!(parsed.error, None);
        assert_eq!(
            parse_meta(&response_metadata("x", Some("e")))
                .unwrap()
                .error
                .as_deref(),
            Some("e")
        );
        assert_eq!(parse_meta(&JsonText::parse("[1]").unwrap()), None);
        assert_eq!(parse_meta(&JsonText::parse(r#"{"r":1}"#).unwrap()), None);
    }
}
