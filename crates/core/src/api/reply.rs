//! Reading a reply: a status and body become the reply's JSON or a typed [`ApiError`] that
//! keeps the status and the server's own words (cleaned), including field-keyed validation
//! errors.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use super::error::ApiError;
use super::send::body_retry_after;
use crate::sanitize::{clean_text, MAX_ID, MAX_SERVER_TEXT};

/// Field-keyed validation errors kept from one reply.
const MAX_FIELDS: usize = 20;

/// Turns a status and body into the reply JSON or a typed error.
pub(super) fn interpret(
    status: StatusCode,
    retry_after: Option<Duration>,
    bytes: &[u8],
    unix_now: i64,
) -> Result<Value, ApiError> {
    let json: Option<Value> = serde_json::from_slice(bytes).ok();
    let (message, fields) = json.as_ref().map(explain).unwrap_or_default();
    let code = status.as_u16();
    match code {
        200..=299 => {
            let Some(v) = json.filter(|v| v.is_object() || v.is_array()) else {
                return Err(ApiError::BadResponse {
                    status: code,
                    detail: describe_body(bytes),
                });
            };
            let failed = ["success", "ok"]
                .iter()
                .any(|k| v.get(*k).and_then(Value::as_bool) == Some(false));
            if failed {
                return Err(ApiError::Rejected {
                    status: code,
                    message: message.unwrap_or_else(|| "the request was refused".to_string()),
                    fields,
                });
            }
            Ok(v)
        }
        401 => Err(ApiError::Unauthorized { message }),
        403 => Err(ApiError::Forbidden { message }),
        429 => {
            // `retry_after` in the body: seconds, or an IST date ("2026-11-26 18:40:00").
            let body_retry = json
                .as_ref()
                .and_then(|v| v.get("retry_after"))
                .and_then(|r| body_retry_after(r, unix_now));
            Err(ApiError::RateLimited {
                retry_after: retry_after.or(body_retry),
                message,
            })
        }
        400..=499 => Err(ApiError::Rejected {
            status: code,
            message: message.unwrap_or_else(|| {
                format!(
                    "HTTP {code} {}",
                    status.canonical_reason().unwrap_or("error")
                )
            }),
            fields,
        }),
        500..=599 => Err(ApiError::Server {
            status: code,
            message,
        }),
        300..=399 => Err(ApiError::BadResponse {
            status: code,
            detail: "a redirect to another address; check the server address in Settings"
                .to_string(),
        }),
        _ => Err(ApiError::BadResponse {
            status: code,
            detail: describe_body(bytes),
        }),
    }
}

/// The server's message, and field-keyed validation errors flattened
/// (`{"caller_id":"Provide a vaild caller_id."}`, `{"errors":{"x":["..."]}}`). Every text is
/// cleaned and shortened ([`clean_text`]): it is shown to people and printed to terminals.
pub(super) fn explain(v: &Value) -> (Option<String>, Vec<(String, String)>) {
    let mut fields = Vec::new();
    let mut collect = |obj: &serde_json::Map<String, Value>| {
        for (k, val) in obj {
            if fields.len() >= MAX_FIELDS {
                break;
            }
            if matches!(
                k.as_str(),
                "success" | "ok" | "status" | "message" | "error" | "retry_after" | "code" | "data"
            ) {
                continue;
            }
            let msg = match val {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => {
                    let parts: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                    (!parts.is_empty()).then(|| parts.join(" "))
                }
                _ => None,
            };
            let key = clean_text(k, MAX_ID);
            if let Some(m) = msg.map(|m| clean_text(&m, MAX_SERVER_TEXT)) {
                if !m.is_empty() && !key.is_empty() {
                    fields.push((key, m));
                }
            }
        }
    };
    if let Some(obj) = v.as_object() {
        collect(obj);
        if let Some(errors) = obj.get("errors").and_then(Value::as_object) {
            collect(errors);
        }
    }
    fields.retain(|(k, _)| k != "errors");
    let message = ["message", "error"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(Value::as_str))
        .map(|m| clean_text(m, MAX_SERVER_TEXT))
        .find(|m| !m.is_empty())
        .or_else(|| {
            (!fields.is_empty()).then(|| {
                let all = fields
                    .iter()
                    .map(|(_, m)| m.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                clean_text(&all, MAX_SERVER_TEXT)
            })
        });
    (message, fields)
}

fn describe_body(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let t = text.trim_start();
    if t.is_empty() {
        "an empty reply".to_string()
    } else if t.starts_with('<') {
        "a web page instead of data".to_string()
    } else {
        "not JSON".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_keyed_422_is_flattened() {
        let v = json!({"caller_id": "Provide a vaild caller_id."});
        let err = interpret(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            v.to_string().as_bytes(),
            0,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ApiError::Rejected {
                status: 422,
                message: "Provide a vaild caller_id.".into(),
                fields: vec![("caller_id".into(), "Provide a vaild caller_id.".into())],
            }
        );
        assert!(err.to_string().contains("Pick another caller ID"));
    }

    #[test]
    fn success_false_under_200_is_a_rejection() {
        let body = br#"{"ok":false,"message":"your account is not active"}"#;
        let err = interpret(StatusCode::OK, None, body, 0).unwrap_err();
        assert_eq!(err.server_message(), Some("your account is not active"));
        assert!(!err.outcome_unknown());
    }

    #[test]
    fn html_and_garbage_are_bad_responses() {
        let err = interpret(StatusCode::OK, None, b"<html>Gateway</html>", 0).unwrap_err();
        assert!(err.to_string().contains("web page"), "{err}");
        assert!(err.outcome_unknown());
        let err = interpret(StatusCode::OK, None, b"\"just a string\"", 0).unwrap_err();
        assert!(matches!(err, ApiError::BadResponse { .. }));
        let err = interpret(StatusCode::BAD_GATEWAY, None, b"<html/>", 0).unwrap_err();
        assert_eq!(
            err,
            ApiError::Server {
                status: 502,
                message: None
            }
        );
    }

    #[test]
    fn errors_array_form_is_flattened() {
        let body = br#"{"errors":{"destination_number":["must be 10-15 digits"]}}"#;
        let err = interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body, 0).unwrap_err();
        assert_eq!(err.server_message(), Some("must be 10-15 digits"));
    }

    #[test]
    fn server_text_is_cleaned_in_errors() {
        let body = json!({
            "message": format!("\u{1b}]0;title\u{7}Bad\u{202e} {}", "x".repeat(1000)),
            "caller_id": "\u{1b}[2Jnope",
            "\u{1b}[31mkey": "v",
        })
        .to_string();
        let err =
            interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body.as_bytes(), 0).unwrap_err();
        let ApiError::Rejected {
            message, fields, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert!(message.starts_with("Bad xxx"), "{message}");
        assert_eq!(message.chars().count(), MAX_SERVER_TEXT + 1);
        assert!(fields.contains(&("caller_id".to_string(), "nope".to_string())));
        assert!(fields.contains(&("key".to_string(), "v".to_string())));
        // Only the fields' messages: cleaned, then joined and cut again.
        let body = json!({"a": "x".repeat(250), "b": "y".repeat(250)}).to_string();
        let err =
            interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body.as_bytes(), 0).unwrap_err();
        assert_eq!(
            err.server_message().map(|m| m.chars().count()),
            Some(MAX_SERVER_TEXT + 1)
        );
        // A message with nothing visible falls back to the fields.
        let body = br#"{"message":"\u001b[2J","caller_id":"Provide a vaild caller_id."}"#;
        let err = interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body, 0).unwrap_err();
        assert_eq!(err.server_message(), Some("Provide a vaild caller_id."));
        // A field whose message or name has nothing visible is dropped.
        let body = br#"{"caller_id":"\u001b[2J"}"#;
        let err = interpret(StatusCode::UNPROCESSABLE_ENTITY, None, body, 0).unwrap_err();
        assert_eq!(
            err,
            ApiError::Rejected {
                status: 422,
                message: "HTTP 422 Unprocessable Entity".into(),
                fields: vec![],
            }
        );
        let body = br#"{"\u202e\u200b":"bad"}"#;
        let (message, fields) = explain(&serde_json::from_slice(body).unwrap());
        assert_eq!((message, fields), (None, vec![]));
        // At most MAX_FIELDS field errors are kept.
        let many: serde_json::Map<String, Value> = (0..100)
            .map(|i| (format!("f{i:03}"), json!("bad")))
            .collect();
        let (_, fields) = explain(&Value::Object(many));
        assert_eq!(fields.len(), MAX_FIELDS);
    }
}
