//! Bare-hex HMAC-SHA256 of the body in one header: Medplum (`X-Signature`), Metriport (`x-metriport-signature`),
//! Photon Health (`X-Photon-Signature`).

use super::{sign_body_hmac, text_secret, verify_body_hmac, Auth, Ctx, Sample, Scheme, SignInput};
use crate::event::{action, resource_type, split_event, Attributes, EventTime};
use crate::json::Object;
use crate::keys::Key;
use crate::source::Options;
use crate::{Error, Request};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A FHIR resource; the interaction is in `X-Medplum-Interaction`.
    Medplum,
    /// `{meta: {messageId, when, type}, ...}`.
    Metriport,
    /// `{id, type, createdAt, data}`.
    Photon,
}

#[derive(Debug)]
pub struct HexPreset {
    vendor: &'static str,
    header: &'static str,
    shape: Shape,
    sample: Sample,
}

const MEDPLUM_INTERACTION: &str = "x-medplum-interaction";

pub static MEDPLUM: HexPreset = HexPreset {
    vendor: "medplum",
    header: "x-signature",
    shape: Shape::Medplum,
    sample: Sample {
        vendor: "medplum",
        path: "/in/medplum",
        body: r#"{"resourceType":"Patient","id":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","meta":{"versionId":"3","lastUpdated":"2026-11-22T08:00:00.000Z"},"name":[{"given":["Ana"],"family":"Santos"}],"birthDate":"1990-04-12"}"#,
        signing_key: "medplum-demo-secret",
        extra_headers: &[("x-medplum-interaction", "update"), ("content-type", "application/fhir+json")],
    },
};

pub static METRIPORT: HexPreset = HexPreset {
    vendor: "metriport",
    header: "x-metriport-signature",
    shape: Shape::Metriport,
    sample: Sample {
        vendor: "metriport",
        path: "/in/metriport",
        body: r#"{"meta":{"messageId":"1e2d3c4b-5a69-4788-9f0e-1d2c3b4a5f6e","when":"2026-11-22T08:00:00.000Z","type":"medical.consolidated-data"},"patients":[{"patientId":"018a80c4-292a-7486-a1234-76yuhe23yu14","externalId":"ext-77","status":"completed"}]}"#,
        signing_key: "metriport-demo-key",
        extra_headers: &[],
    },
};

pub static PHOTON: HexPreset = HexPreset {
    vendor: "photon",
    header: "x-photon-signature",
    shape: Shape::Photon,
    sample: Sample {
        vendor: "photon",
        path: "/in/photon",
        body: r#"{"id":"01HQ7E8Z9ABCDEF0123456789","type":"photon:prescription:created","specversion":"1.0","createdAt":"2026-11-22T08:00:00.000Z","data":{"id":"rx_01HQ7E","patientId":"pat_01HQ7E","treatment":{"name":"Amoxicillin 500 mg capsule"}}}"#,
        signing_key: "photon-demo-secret",
        extra_headers: &[],
    },
};

impl Scheme for HexPreset {
    fn vendor(&self) -> &'static str {
        self.vendor
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(self.header)
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        text_secret(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        verify_body_hmac(cx, self.header, "")
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let mut headers = sign_body_hmac(self.header, "", key, input.body)?;
        headers.extend(self.sample.extra_headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Ok(headers)
    }

    fn attributes(&self, b: &Object<'_>, req: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        Ok(match self.shape {
            Shape::Medplum => {
                let interaction = req.headers.get(MEDPLUM_INTERACTION).ok().flatten().map(str::to_owned);
                let rtype = b.text("resourceType");
                Attributes {
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
                }
            }
            Shape::Metriport => {
                let meta =
                    b.object("meta").ok_or(Error::InvalidPayload { reason: "not a Metriport message (meta)" })?;
                Attributes {
                    id: meta.id("messageId"),
                    event: meta.text("type").unwrap_or_else(|| "unknown".to_owned()),
                    time: meta.text("when").map(EventTime::Text),
                    ..Attributes::default()
                }
            }
            Shape::Photon => {
                // `photon:prescription:created` → `prescription.created` (the vendor prefix is already the type's).
                let sent = b.text("type").unwrap_or_else(|| "unknown".to_owned());
                let event = sent.strip_prefix("photon:").unwrap_or(&sent).replace(':', ".");
                let (resource, verb) = split_event(&event);
                Attributes {
                    id: b.id("id"),
                    time: b.text("createdAt").map(EventTime::Text),
                    resourcetype: verb.and_then(|_| resource_type(resource)),
                    resourceid: b.object("data").and_then(|d| d.id("id")),
                    action: verb.map(str::to_owned),
                    resourceurl: None,
                    event,
                }
            }
        })
    }

    fn sample(&self) -> Sample {
        self.sample
    }
}
