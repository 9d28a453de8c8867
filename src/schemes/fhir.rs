//! FHIR R4/R4B/R5 rest-hook notifications (the R4 Subscriptions Backport IG and R5 Subscriptions). The standard
//! signs nothing: the sender is authenticated by a header token the subscription names (`Subscription.channel.header`,
//! usually `Authorization: Bearer <token>`; `tokenHeader`/`tokenPrefix` when another), compared in constant time.
//! A token authenticates the sender, not the body.
//!
//! A notification Bundle (`history` with a `Parameters` or `SubscriptionStatus` first entry, or R5's
//! `subscription-notification`) becomes one event per `notificationEvent`: id `<subscription>#<eventNumber>`
//! (stable across redeliveries), subject the focus, time the event's timestamp, the topic as an extension, and data
//! the focus resource (`full-resource`), the focus reference alone (`id-only`) or nothing (`empty`). `handshake`
//! and `heartbeat` notifications are answered (200) and emit nothing. A classic R4 sender posting the bare
//! resource makes one event of it.

use super::ctx::{Auth, Ctx};
use super::header_token::HeaderToken;
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{Attributes, EventTime, Handshake, Part, Split};
use crate::json::Object;
use crate::keys::Key;
use crate::options::Options;
use crate::{Error, Request};

/// The token check, shared with `header-token`.
static TOKEN: HeaderToken = HeaderToken::configured("fhir", SAMPLE);

const SAMPLE: Sample = Sample {
    vendor: "fhir",
    path: "/in/fhir",
    body: r#"{"resourceType":"Bundle","id":"notif-0007","type":"history","timestamp":"2026-11-22T08:00:02Z","entry":[{"fullUrl":"urn:uuid:5d1c3b2a-0000-4000-8000-000000000007","resource":{"resourceType":"SubscriptionStatus","status":"active","type":"event-notification","eventsSinceSubscriptionStart":"7","notificationEvent":[{"eventNumber":"7","timestamp":"2026-11-22T08:00:01Z","focus":{"reference":"Encounter/enc-2231"}}],"subscription":{"reference":"https://ehr.example.org/fhir/Subscription/admissions"},"topic":"http://hl7.org/SubscriptionTopic/encounter-start"}},{"fullUrl":"https://ehr.example.org/fhir/Encounter/enc-2231","resource":{"resourceType":"Encounter","id":"enc-2231","status":"in-progress","class":{"code":"IMP"},"subject":{"reference":"Patient/pat-118"}},"request":{"method":"PUT","url":"Encounter/enc-2231"},"response":{"status":"200"}}]}"#,
    signing_key: "fhir_demo_token_2b7d9c4e1a6f",
    extra_headers: &[("content-type", "application/fhir+json")],
};

#[derive(Debug)]
pub struct Fhir;
pub static FHIR: Fhir = Fhir;

/// The status a notification Bundle carries, read from R4B/R5 `SubscriptionStatus` or R4 `Parameters`.
#[derive(Debug, Default)]
struct Status {
    kind: String,
    subscription: Option<String>,
    topic: Option<String>,
    events: Vec<Notified>,
}

#[derive(Debug, Default)]
struct Notified {
    number: Option<String>,
    timestamp: Option<String>,
    focus: Option<String>,
    /// The focus element's own JSON text (`{"reference": ...}`).
    focus_raw: Option<String>,
}

impl Scheme for Fhir {
    fn vendor(&self) -> &'static str {
        "fhir"
    }

    fn identifying_header(&self) -> Option<&'static str> {
        None
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        TOKEN.parse_key(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        TOKEN.verify(cx)
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        TOKEN.sign(key, input)
    }

    fn signs_body(&self) -> bool {
        false
    }

    fn batches(&self) -> bool {
        true
    }

    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        Ok(resource_attributes(b))
    }

    fn split(&self, text: &str, _: &Request<'_>, _: &Auth, _: &Options) -> Result<Option<Split>, Error> {
        if text.trim().is_empty() {
            // A rest-hook with no payload configured posts nothing: one event that says only that something changed.
            let attributes = Attributes { event: "notification".into(), ..Attributes::default() };
            return Ok(Some(Split { parts: vec![Part { attributes, data: None }], handshake: None }));
        }
        let b = Object::parse(text).ok_or(Error::InvalidPayload { reason: "not a FHIR resource (a JSON object)" })?;
        let bundle_type = b.text("type");
        let is_notification = b.text("resourceType").as_deref() == Some("Bundle")
            && matches!(bundle_type.as_deref(), Some("history" | "subscription-notification"));
        let entries = b.objects("entry");
        let status = is_notification
            .then(|| entries.first().and_then(|e| e.object("resource")).and_then(|r| status_of(&r)))
            .flatten();
        let Some(status) = status else {
            return Ok(None); // a bare resource (or another Bundle): one event, read by `attributes`
        };
        match status.kind.as_str() {
            "event-notification" => {}
            // Handshakes and heartbeats are answered and emit nothing; query results are not pushed events.
            _ => {
                return Ok(Some(Split {
                    parts: Vec::new(),
                    handshake: Some(Handshake { status: 200, body: String::new() }),
                }))
            }
        }
        let subscription = status.subscription.clone().unwrap_or_default();
        let parts = status
            .events
            .iter()
            .map(|n| {
                let (rtype, rid) = n.focus.as_deref().and_then(reference_parts).unzip();
                let resource = n.focus.as_deref().and_then(|f| focus_resource(&entries, f));
                let data = resource.or_else(|| n.focus_raw.clone());
                Part {
                    attributes: Attributes {
                        id: n.number.as_ref().map(|num| format!("{subscription}#{num}")),
                        event: rtype.map_or_else(|| "notification".to_owned(), |t| format!("{t}.notification")),
                        time: n.timestamp.clone().map(EventTime::Text),
                        resourcetype: rtype.map(str::to_owned),
                        resourceid: rid.map(str::to_owned),
                        topic: status.topic.clone(),
                        ..Attributes::default()
                    },
                    data,
                }
            })
            .collect();
        Ok(Some(Split { parts, handshake: None }))
    }

    fn sample(&self) -> Sample {
        SAMPLE
    }
}

/// A bare resource: `<Type>/<id>/_history/<versionId>` when versioned (else a derived id), its type and id.
fn resource_attributes(b: &Object<'_>) -> Attributes {
    let rtype = b.text("resourceType");
    let id = b.id("id");
    let version = b.object("meta").and_then(|m| m.id("versionId"));
    Attributes {
        id: rtype.as_ref().zip(id.as_ref()).zip(version).map(|((t, i), v)| format!("{t}/{i}/_history/{v}")),
        event: rtype.as_deref().map_or_else(|| "notification".to_owned(), |t| format!("{t}.notification")),
        resourceid: id,
        resourcetype: rtype,
        ..Attributes::default()
    }
}

/// The status of a notification: R4B/R5 `SubscriptionStatus`, or R4 (Backport IG) `Parameters`.
fn status_of(r: &Object<'_>) -> Option<Status> {
    match r.text("resourceType")?.as_str() {
        "SubscriptionStatus" => Some(Status {
            kind: r.text("type")?,
            subscription: r.object("subscription").and_then(|s| s.text("reference")),
            topic: r.text("topic"),
            events: r
                .objects("notificationEvent")
                .iter()
                .map(|e| Notified {
                    number: e.id("eventNumber"),
                    timestamp: e.text("timestamp"),
                    focus: e.object("focus").and_then(|f| f.text("reference")),
                    // As data only when it reads as an object (no repeated key), like every object carehook emits.
                    focus_raw: e.object("focus").and(e.raw("focus")).map(str::to_owned),
                })
                .collect(),
        }),
        "Parameters" => {
            let params = r.objects("parameter");
            let named = |name: &str| params.iter().find(|p| p.text("name").as_deref() == Some(name));
            let value = |p: &Object<'_>| {
                ["valueCode", "valueString", "valueCanonical", "valueUri", "valueInstant", "valueDateTime"]
                    .iter()
                    .find_map(|k| p.text(k))
                    .or_else(|| p.object("valueReference").and_then(|v| v.text("reference")))
            };
            let events = params
                .iter()
                .filter(|p| p.text("name").as_deref() == Some("notification-event"))
                .map(|p| {
                    let parts = p.objects("part");
                    let part = |name: &str| parts.iter().find(|q| q.text("name").as_deref() == Some(name));
                    Notified {
                        number: part("event-number").and_then(&value),
                        timestamp: part("timestamp").and_then(&value),
                        focus: part("focus").and_then(&value),
                        focus_raw: part("focus")
                            .and_then(|q| q.object("valueReference").and(q.raw("valueReference")))
                            .map(str::to_owned),
                    }
                })
                .collect();
            Some(Status {
                kind: named("type").and_then(&value)?,
                subscription: named("subscription").and_then(&value),
                topic: named("topic").and_then(&value),
                events,
            })
        }
        _ => None,
    }
}

/// `Patient/123`, `https://server/fhir/Patient/123` or `Patient/123/_history/2` → (`Patient`, `123`).
fn reference_parts(reference: &str) -> Option<(&str, &str)> {
    let path = reference.split_once("/_history/").map_or(reference, |(p, _)| p);
    let mut segments = path.rsplit('/');
    let id = segments.next().filter(|s| !s.is_empty())?;
    let rtype = segments.next().filter(|t| t.starts_with(|c: char| c.is_ascii_uppercase()))?;
    Some((rtype, id))
}

/// The raw JSON of the entry's resource that the focus points at, when the Bundle carries it (`full-resource`).
fn focus_resource(entries: &[Object<'_>], focus: &str) -> Option<String> {
    let (ftype, fid) = reference_parts(focus)?;
    entries.iter().skip(1).find_map(|e| {
        let resource = e.object("resource")?;
        let same = resource.text("resourceType").as_deref() == Some(ftype) && resource.id("id").as_deref() == Some(fid);
        same.then(|| e.raw("resource").map(str::to_owned)).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_their_resource() {
        assert_eq!(reference_parts("Patient/123"), Some(("Patient", "123")));
        assert_eq!(reference_parts("https://s.example/fhir/Encounter/e-1"), Some(("Encounter", "e-1")));
        assert_eq!(reference_parts("Observation/o1/_history/3"), Some(("Observation", "o1")));
        assert_eq!(reference_parts("urn:uuid:1234"), None);
        assert_eq!(reference_parts("Patient/"), None);
    }

    #[test]
    fn a_focus_that_repeats_a_key_is_not_passed_on_as_data() {
        let status = |focus: &str| {
            let text = format!(
                r#"{{"resourceType":"SubscriptionStatus","type":"event-notification","notificationEvent":[{{"eventNumber":"1","focus":{focus}}}]}}"#
            );
            let r = Object::parse(&text).map(|o| status_of(&o));
            r.flatten().map(|s| s.events.into_iter().map(|e| (e.focus, e.focus_raw)).collect::<Vec<_>>())
        };
        let good = status(r#"{"reference":"Patient/1"}"#).unwrap();
        assert_eq!(good, [(Some("Patient/1".into()), Some(r#"{"reference":"Patient/1"}"#.into()))]);
        let repeated = status(r#"{"reference":"Patient/1","reference":"Patient/2"}"#).unwrap();
        assert_eq!(repeated, [(None, None)]);
    }
}
