//! Bare-hex HMAC-SHA256 of the body in one header: Medplum (`X-Signature`), Metriport (`x-metriport-signature`),
//! Photon Health (`X-Photon-Signature`).

use super::body_hmac::BodyHmac;
use super::scheme::Sample;
use crate::event::{action, resource_type, split_event, Attributes, EventTime, Handshake};
use crate::json::Object;
use crate::{Error, Request};

const MEDPLUM_INTERACTION: &str = "x-medplum-interaction";
const MEDPLUM_DELETED: &str = "x-medplum-deleted-resource";

pub static MEDPLUM: BodyHmac = BodyHmac {
    vendor: "medplum",
    header: "x-signature",
    prefix: "",
    sample: Sample {
        vendor: "medplum",
        path: "/in/medplum",
        body: r#"{"resourceType":"Patient","id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","meta":{"versionId":"3","lastUpdated":"2026-11-22T08:00:00.000Z"},"name":[{"given":["Ana"],"family":"Santos"}],"birthDate":"1990-04-12"}"#,
        signing_key: "medplum-demo-secret",
        extra_headers: &[("x-medplum-interaction", "update"), ("content-type", "application/fhir+json")],
    },
    attributes: medplum,
    handshake: None,
};

pub static METRIPORT: BodyHmac = BodyHmac {
    vendor: "metriport",
    header: "x-metriport-signature",
    prefix: "",
    sample: Sample {
        vendor: "metriport",
        path: "/in/metriport",
        body: r#"{"meta":{"messageId":"1e2d3c4b-5a69-4788-9f0e-1d2c3b4a5f6e","when":"2026-11-22T08:00:00.000Z","type":"medical.consolidated-data"},"patients":[{"patientId":"018a80c4-292a-7486-a1234-76yuhe23yu14","externalId":"ext-77","status":"completed"}]}"#,
        signing_key: "metriport-demo-key",
        extra_headers: &[],
    },
    attributes: metriport,
    handshake: Some(metriport_ping),
};

pub static PHOTON: BodyHmac = BodyHmac {
    vendor: "photon",
    header: "x-photon-signature",
    prefix: "",
    sample: Sample {
        vendor: "photon",
        path: "/in/photon",
        body: r#"{"id":"01HQ7E8Z9ABCDEF0123456789","type":"photon:prescription:created","specversion":"1.0","createdAt":"2026-11-22T08:00:00.000Z","data":{"id":"rx_01HQ7E","patientId":"pat_01HQ7E","treatment":{"name":"Amoxicillin 500 mg capsule"}}}"#,
        signing_key: "photon-demo-secret",
        extra_headers: &[],
    },
    attributes: photon,
    handshake: None,
};

/// A FHIR resource; the interaction is in the (unsigned) `X-Medplum-Interaction` header. A delete sends `{}`, and
/// only the (unsigned) `X-Medplum-Deleted-Resource: <Type>/<id>` header says what was deleted: it becomes the
/// subject, and part of the derived id, so two deletes of different resources are two events.
fn medplum(b: &Object<'_>, req: &Request<'_>) -> Result<Attributes, Error> {
    let interaction = req.headers.get(MEDPLUM_INTERACTION).ok().flatten().map(str::to_owned);
    if interaction.as_deref() == Some("delete") {
        if let Some((rtype, id)) = req.headers.get(MEDPLUM_DELETED).ok().flatten().and_then(fhir_reference) {
            return Ok(Attributes {
                event: format!("{rtype}.delete"),
                action: Some(action("delete")),
                distinct_by: Some(format!("{rtype}/{id}")),
                resourcetype: Some(rtype.to_owned()),
                resourceid: Some(id.to_owned()),
                ..Attributes::default()
            });
        }
    }
    let rtype = b.text("resourceType");
    Ok(Attributes {
        distinct_by: None,
        topic: None,
        event: format!(
            "{}.{}",
            rtype.as_deref().unwrap_or("Resource"),
            interaction.as_deref().unwrap_or("notification")
        ),
        // A resource version is one event: `Patient/<id>/_history/<versionId>` dedupes retries.
        id: b
            .object("meta")
            .and_then(|m| m.id("versionId"))
            .and_then(|v| Some(format!("{}/{}/_history/{v}", rtype.as_deref()?, b.id("id")?))),
        action: interaction.as_deref().map(action),
        resourceid: b.id("id"),
        resourcetype: rtype,
        ..Attributes::default()
    })
}

/// `<Type>/<id>` as FHIR writes a relative reference: a type of ASCII letters and digits starting with an upper-case
/// letter, an id of 1–64 characters from `[A-Za-z0-9.-]`.
fn fhir_reference(text: &str) -> Option<(&str, &str)> {
    let (rtype, id) = text.trim().split_once('/')?;
    let type_ok =
        rtype.starts_with(|c: char| c.is_ascii_uppercase()) && rtype.chars().all(|c| c.is_ascii_alphanumeric());
    let id_ok = (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    (type_ok && id_ok).then_some((rtype, id))
}

/// Metriport's endpoint check, `{"ping": "<random>", "meta": {"type": "ping"}}`, expects `{"pong": "<random>"}`.
fn metriport_ping(b: &Object<'_>) -> Option<Handshake> {
    let ping = b.str("ping")?;
    let is_ping = b.object("meta").and_then(|m| m.text("type")).is_none_or(|t| t == "ping");
    let body = serde_json::to_string(&serde_json::json!({ "pong": ping })).ok()?;
    is_ping.then_some(Handshake { status: 200, body })
}

/// `{meta: {messageId, when, type}, ...}`.
fn metriport(b: &Object<'_>, _: &Request<'_>) -> Result<Attributes, Error> {
    let meta = b.object("meta").ok_or(Error::InvalidPayload { reason: "not a Metriport message (meta)" })?;
    Ok(Attributes {
        distinct_by: None,
        topic: None,
        id: meta.id("messageId"),
        event: meta.text("type").unwrap_or_else(|| "unknown".to_owned()),
        time: meta.text("when").map(EventTime::Text),
        ..Attributes::default()
    })
}

/// `{id, type, createdAt, data}`.
fn photon(b: &Object<'_>, _: &Request<'_>) -> Result<Attributes, Error> {
    // `photon:prescription:created` → `prescription.created` (the vendor prefix is already the type's).
    let sent = b.text("type").unwrap_or_else(|| "unknown".to_owned());
    let event = sent.strip_prefix("photon:").unwrap_or(&sent).replace(':', ".");
    let (resource, verb) = split_event(&event);
    Ok(Attributes {
        distinct_by: None,
        topic: None,
        id: b.id("id"),
        time: b.text("createdAt").map(EventTime::Text),
        resourcetype: verb.and_then(|_| resource_type(resource)),
        resourceid: b.object("data").and_then(|d| d.id("id")),
        action: verb.map(str::to_owned),
        resourceurl: None,
        event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metriport_ping_is_answered_with_its_pong() {
        let body = Object::parse(r#"{"ping":"a\"b","meta":{"type":"ping"}}"#).unwrap();
        assert_eq!(metriport_ping(&body), Some(Handshake { status: 200, body: r#"{"pong":"a\"b"}"#.into() }));
        let other = Object::parse(r#"{"ping":"x","meta":{"type":"medical.consolidated-data"}}"#).unwrap();
        assert_eq!(metriport_ping(&other), None);
        assert_eq!(metriport_ping(&Object::parse(r#"{"meta":{"type":"ping"}}"#).unwrap()), None);
    }

    #[test]
    fn deleted_resources_are_fhir_references() {
        assert_eq!(fhir_reference("Patient/123"), Some(("Patient", "123")));
        assert_eq!(fhir_reference(" Observation/a-b.c "), Some(("Observation", "a-b.c")));
        for bad in ["patient/1", "Patient/", "/1", "Patient/1/2", "Patient/a b", "Pa-tient/1", "Patient"] {
            assert_eq!(fhir_reference(bad), None, "{bad}");
        }
    }
}
