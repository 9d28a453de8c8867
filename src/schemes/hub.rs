//! WebSub-style `sha256=<hex HMAC-SHA256(secret, body)>`: GitHub (`X-Hub-Signature-256`) and athenahealth
//! (`X-Hub-Signature`). Only SHA-256 is accepted; a `sha1=` value is refused as malformed.

use super::body_hmac::BodyHmac;
use super::scheme::Sample;
use crate::event::{resource_type, split_event, Attributes};
use crate::json::Object;
use crate::{Error, Request};

pub static GITHUB: BodyHmac = BodyHmac {
    vendor: "github",
    header: "x-hub-signature-256",
    prefix: "sha256=",
    sample: Sample {
        vendor: "github",
        path: "/in/github",
        body: r#"{"action":"opened","issue":{"id":1,"number":42,"title":"Lab results not syncing"},"repository":{"id":9,"full_name":"clinic/integrations"}}"#,
        signing_key: "github-demo-secret",
        extra_headers: &[("x-github-event", "issues"), ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")],
    },
    handshake: None,
    attributes: |b, req| hub(b, req, Some("x-github-event")),
};

pub static ATHENAHEALTH: BodyHmac = BodyHmac {
    vendor: "athenahealth",
    header: "x-hub-signature",
    prefix: "sha256=",
    sample: Sample {
        vendor: "athenahealth",
        path: "/in/athenahealth",
        body: r#"{"eventId":"6a1f0c1e-7d2b-4c55-9a51-0c8d2f1e3b77","eventType":"Appointment.Scheduled","resourceType":"Appointment","resourceId":"1234567","practiceId":"195900"}"#,
        signing_key: "athena-demo-secret",
        extra_headers: &[],
    },
    handshake: None,
    attributes: |b, req| hub(b, req, None),
};

/// GitHub names its event in a header and its verb in the body; athenahealth's `eventType` is `Resource.Verb`.
fn hub(b: &Object<'_>, req: &Request<'_>, event_header: Option<&'static str>) -> Result<Attributes, Error> {
    let sent = event_header.and_then(|h| req.headers.get(h).ok().flatten()).map(str::to_owned);
    let name = sent.or_else(|| b.text("eventType")).unwrap_or_else(|| "unknown".to_owned());
    let action = b.text("action").or_else(|| split_event(&name).1.map(str::to_ascii_lowercase));
    let event = match &action {
        Some(a) if event_header.is_some() && b.has("action") => format!("{name}.{a}"),
        _ => name,
    };
    Ok(Attributes {
        distinct_by: None,
        topic: None,
        // Only the body is signed: an id taken from a header (GitHub's X-GitHub-Delivery) could be changed on a
        // replay to slip past deduplication, so GitHub's id is the body's digest (the common code's fallback).
        id: b.id("eventId"),
        time: None,
        resourcetype: b.text("resourceType").as_deref().and_then(resource_type),
        resourceid: b.id("resourceId"),
        action,
        resourceurl: None,
        event,
    })
}
