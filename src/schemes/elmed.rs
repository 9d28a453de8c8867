//! ELMED: `X-ELMED-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, event name in `X-ELMED-Event`.
//! Timestamps in the body carry no zone; they are read as UTC unless `utc_offset_minutes` says otherwise.

use super::body_hmac::{sign_body_hmac, verify_body_hmac};
use super::ctx::Auth;
use super::ctx::{text_secret, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::date;
use crate::event::{resource_type, split_event, Attributes, EventTime};
use crate::json::Object;
use crate::keys::Key;
use crate::options::Options;
use crate::{Error, Request};

#[derive(Debug)]
pub struct Elmed;
pub static ELMED: Elmed = Elmed;

const SIGNATURE: &str = "x-elmed-signature";
const EVENT: &str = "x-elmed-event";

impl Scheme for Elmed {
    /// ELMED retries at once, after 30 s and after 5 min.
    fn repeat_window(&self) -> u64 {
        600
    }

    fn vendor(&self) -> &'static str {
        "elmed"
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(SIGNATURE)
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        text_secret(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        verify_body_hmac(cx, SIGNATURE, "sha256=")
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let mut headers = sign_body_hmac(SIGNATURE, "sha256=", key, input.body)?;
        let event = std::str::from_utf8(input.body).ok().and_then(Object::parse).and_then(|b| b.text("event"));
        if let Some(event) = event {
            headers.push((EVENT.to_owned(), event));
        }
        Ok(headers)
    }

    fn attributes(&self, b: &Object<'_>, req: &Request<'_>, _: &Auth, opts: &Options) -> Result<Attributes, Error> {
        let header_event = req.headers.get(EVENT).ok().flatten().map(str::to_owned);
        let event = b
            .text("event")
            .or(header_event)
            .filter(|e| !e.is_empty())
            .ok_or(Error::InvalidPayload { reason: "not an ELMED event: no event name" })?;
        let (resource, verb) = split_event(&event);
        Ok(Attributes {
            distinct_by: None,
            topic: None,
            id: None,
            time: b.str("timestamp").and_then(|t| date::parse(&t, opts.utc_offset_minutes, false)).map(EventTime::At),
            resourcetype: resource_type(resource),
            resourceid: b.object("data").and_then(|d| d.id(&format!("{resource}_id"))),
            action: verb.map(str::to_owned),
            resourceurl: None,
            event,
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: "elmed",
            path: "/in/elmed",
            body: r#"{"event":"prescription.issued","timestamp":"2026-03-29T10:45:00.123456","data":{"prescription_id":42,"prescription_number":"RX-2026-00042","patient_id":7,"doctor_user_id":3,"routed_pharmacy_id":1,"medication_count":2,"issued_at":"2026-03-29"}}"#,
            signing_key: "elmed_demo_secret",
            extra_headers: &[("content-type", "application/json")],
        }
    }
}
