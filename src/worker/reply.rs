//! HTTP answers, each with what its log line says about it.

use super::config::ConfigError;
use crate::event::Handshake;
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
    /// For the log only: which binding or field a configuration error is about.
    pub detail: Option<String>,
}

impl Reply {
    pub fn json(status: u16, outcome: &'static str, body: &serde_json::Value) -> Reply {
        let response = Response::from_json(body).map(|r| r.with_status(status));
        Reply { response, status, outcome, source: None, vendor: None, id: None, ty: None, code: None, detail: None }
    }

    pub fn with_source(mut self, source: &str, vendor: Option<&'static str>) -> Reply {
        self.source = Some(source.to_owned());
        self.vendor = vendor;
        self
    }

    /// The acknowledgement in the status the vendor expects (Fitbit: 204, with no body).
    pub fn with_status(mut self, status: u16) -> Reply {
        if status != self.status {
            self.response = if status == 204 {
                Response::empty().map(|r| r.with_status(204))
            } else {
                self.response.map(|r| r.with_status(status))
            };
            self.status = status;
        }
        self
    }

    pub fn with_event(mut self, event: &CloudEvent) -> Reply {
        self.id.get_or_insert_with(|| event.id.clone());
        self.ty = Some(event.ty.clone());
        self
    }
}

/// `{"error": code, "message": ...}` with the status the code calls for.
pub fn error(status: u16, outcome: &'static str, code: &'static str, message: &str) -> Reply {
    let mut reply = Reply::json(status, outcome, &json!({ "error": code, "message": message }));
    reply.code = Some(code);
    reply
}

/// The core refused the webhook, answered with the status its kind calls for (401 not authentic, 400 unreadable,
/// 413 too large, 500 the source's own configuration).
pub fn refused(e: &Error) -> Reply {
    let kind = e.kind();
    let outcome = if kind == crate::Kind::Misconfigured { "config_error" } else { "rejected" };
    error(kind.http_status(), outcome, e.code(), &e.to_string())
}

/// The event is queued (or was already): the only answer that acknowledges a webhook. `id` is the id it is
/// queued under.
pub fn accepted(id: &str, duplicate: bool) -> Reply {
    let outcome = if duplicate { "duplicate" } else { "queued" };
    let mut reply = Reply::json(200, outcome, &json!({ "ok": true, "id": id, "duplicate": duplicate }));
    reply.id = Some(id.to_owned());
    reply
}

/// Several events (a batch), or none, queued (or already): `ids` in the request's order.
pub fn accepted_many(ids: &[String], duplicate: bool) -> Reply {
    let outcome = if duplicate { "duplicate" } else { "queued" };
    let mut reply = Reply::json(200, outcome, &json!({ "ok": true, "ids": ids, "duplicate": duplicate }));
    reply.id = ids.first().cloned();
    reply
}

/// A verified endpoint check, answered as the vendor expects; no event is emitted.
pub fn handshake(h: &Handshake) -> Reply {
    let response = if h.body.is_empty() {
        Response::empty().map(|r| r.with_status(h.status))
    } else {
        Response::ok(h.body.clone()).map(|r| r.with_status(h.status)).and_then(|mut r| {
            r.headers_mut().set("content-type", "application/json")?;
            Ok(r)
        })
    };
    Reply {
        response,
        status: h.status,
        outcome: "handshake",
        source: None,
        vendor: None,
        id: None,
        ty: None,
        code: None,
        detail: None,
    }
}

/// The ledger or the queue failed: 503 so the vendor sends the webhook again.
pub fn unavailable(outcome: &'static str) -> Reply {
    error(503, outcome, "unavailable", "the event could not be queued; send it again later")
}

/// The gateway's configuration is at fault. The sender is told only that; the log says which binding.
pub fn config_error(e: &ConfigError) -> Reply {
    let mut reply = match &e.1 {
        Some(core) => refused(core),
        None => error(500, "config_error", "config_error", "the gateway is misconfigured for this source"),
    };
    reply.detail = Some(e.0.clone());
    reply
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
