//! One JSON line per request and per delivery attempt: who, what, how it ended, how long it took. Never payload
//! content, header values, URLs (a MYCURE URL holds its token) or secrets.

use super::reply::Reply;
use serde::Serialize;
use worker::Date;

#[derive(Serialize)]
pub struct Line<'a> {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<&'a str>,
    pub outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    /// A configuration problem: the binding or field at fault (never a value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_in_s: Option<u32>,
    pub duration_ms: u64,
}

impl<'a> Line<'a> {
    pub fn request(reply: &'a Reply, started_ms: u64) -> Self {
        Line {
            kind: "request",
            source: reply.source.as_deref(),
            vendor: reply.vendor,
            id: reply.id.as_deref(),
            ty: reply.ty.as_deref(),
            outcome: reply.outcome,
            status: Some(reply.status),
            code: reply.code,
            detail: reply.detail.as_deref(),
            attempt: None,
            retry_in_s: None,
            duration_ms: since(started_ms),
        }
    }

    pub fn emit(&self) {
        if let Ok(text) = serde_json::to_string(self) {
            worker::console_log!("{text}");
        }
    }
}

pub fn since(started_ms: u64) -> u64 {
    Date::now().as_millis().saturating_sub(started_ms)
}
