//! HTTP answers, each with what its log line says about it.

use crate::{CloudEvent, Error};
use serde_json::json;
use worker::{Response, Result};

/// An answer and the facts its log line records. Never carries payload content or header values.
pub struct Reply {
    pub response: Result<Response>,
    pub status: u16,
    pub outcome: &'static str,
    pub source: Option<String>,
    pub vendor: Option<&'static str>,
    pub id: Option<String>,
    pub ty: Option<String>,
    pub code: Option<&'static str>,
}

impl Reply {
    fn json(status: u16, outcome: &'static str, body: &serde_json::Value) -> Reply {
        let response = Response::from_json(body).map(|r| r.with_status(status));
        Reply { response, status, outcome, source: None, vendor: None, id: None, ty: None, code: None }
    }

    pub fn with_source(mut self, source: &str, vendor: Option<&'static str>) -> Reply {
        self.source = Some(source.to_owned());
        self.vendor = vendor;
        self
    }

    pub fn with_event(mut self, event: &CloudEvent) -> Reply {
        self.id = Some(event.id.clone());
        self.ty = Some(event.ty.clone());
        self
    }
}

/// `{"error": code, "message": ...}` with the status the code calls for.
fn error(status: u16, outcome: &'static str, code: &'static str, message: &str) -> Reply {
    let mut reply = Reply::json(status, outcome, &json!({ "error": code, "message": message }));
    reply.code = Some(code);
    reply
}

/// The core refused the webhook: 401 when it is not authentic, 400 when it cannot be read, 413 when too large,
/// 500 when the source's own configuration is at fault (a bad key, an unknown vendor).
pub fn refused(e: &Error) -> Reply {
    let status = match e.code() {
        "signature_mismatch" | "token_mismatch" | "timestamp_out_of_tolerance" | "digest_mismatch" => 401,
        "missing_header" | "malformed_header" | "invalid_payload" => 400,
        "body_too_large" => 413,
        _ => 500,
    };
    let outcome = if status == 500 { "config_error" } else { "rejected" };
    error(status, outcome, e.code(), &e.to_string())
}

/// The event is durable in the queue (or was already): the only answer that acknowledges a webhook.
pub fn accepted(event: &CloudEvent, duplicate: bool) -> Reply {
    let outcome = if duplicate { "duplicate" } else { "queued" };
    Reply::json(200, outcome, &json!({ "ok": true, "id": event.id, "duplicate": duplicate })).with_event(event)
}

/// Storage or the queue failed: 503 so the vendor sends the webhook again.
pub fn unavailable(outcome: &'static str) -> Reply {
    error(503, outcome, "unavailable", "the event could not be stored; send it again later")
}

pub fn config_error(message: &str) -> Reply {
    error(500, "config_error", "config_error", message)
}

pub fn unknown_source() -> Reply {
    error(404, "unknown_source", "unknown_source", "no source is configured under this name")
}

pub fn not_found() -> Reply {
    error(404, "not_found", "not_found", "no such route")
}

pub fn method_not_allowed(allow: &str) -> Reply {
    let mut reply = error(405, "method_not_allowed", "method_not_allowed", &format!("use {allow}"));
    reply.response = reply.response.and_then(|mut r| {
        r.headers_mut().set("allow", allow)?;
        Ok(r)
    });
    reply
}

pub fn health() -> Reply {
    Reply::json(200, "health", &json!({ "ok": true }))
}

pub fn unreadable() -> Reply {
    error(400, "rejected", "unreadable_body", "the request body could not be read")
}
