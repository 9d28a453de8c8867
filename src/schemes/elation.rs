//! Elation: Ed25519 over the raw body, `El8-Ed25519-Signature: <base64>`. No timestamp is signed, so there is no
//! replay window; consumers dedupe on the event id (`event_uuid`, else `event_id`).

use super::ctx::{Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{resource_type, Attributes};
use crate::json::Object;
use crate::keys::{decode_base64, signing_key_from_base64, Key, PublicKey};
use crate::options::Options;
use crate::{Error, Request};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ed25519_dalek::Signer;

#[derive(Debug)]
pub struct Elation;
pub static ELATION: Elation = Elation;

const SIGNATURE: &str = "el8-ed25519-signature";

impl Scheme for Elation {
    fn vendor(&self) -> &'static str {
        "elation"
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(SIGNATURE)
    }

    /// `signing_pub_key` as Elation gives it (base64 of the 32 bytes), or the same key as PEM, JWK or JWK Set.
    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        PublicKey::parse(text).map(Key::Ed25519)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        let value = cx.header(SIGNATURE)?;
        let sig = decode_base64(value.trim())
            .ok_or(Error::MalformedHeader { header: SIGNATURE, reason: "the signature is not base64" })
            .and_then(|s| {
                if s.len() == 64 {
                    Ok(s)
                } else {
                    Err(Error::MalformedHeader { header: SIGNATURE, reason: "an Ed25519 signature is 64 bytes" })
                }
            });
        let sig = cx.checked("signature format", sig, |_| "base64 of 64 bytes".into())?;
        let body = cx.req.body;
        let key_index = cx.match_ed25519(&[body], &[sig])?;
        Ok(Auth::of(key_index))
    }

    fn sign(&self, signing_key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let key = signing_key_from_base64(signing_key)?;
        let sig = key.sign(input.body);
        Ok(vec![(SIGNATURE.to_owned(), STANDARD.encode(sig.to_bytes()))])
    }

    fn verify_key(&self, signing_key: &str) -> Result<String, Error> {
        Ok(STANDARD.encode(signing_key_from_base64(signing_key)?.verifying_key().as_bytes()))
    }

    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        let (Some(resource), Some(action)) = (b.text("resource"), b.text("action")) else {
            return Err(Error::InvalidPayload { reason: "not an Elation event (resource, action, event_uuid)" });
        };
        Ok(Attributes {
            distinct_by: None,
            topic: None,
            id: b.text("event_uuid").or_else(|| b.id("event_id")),
            event: format!("{resource}.{action}"),
            time: None,
            resourcetype: resource_type(&resource),
            resourceid: b.object("data").and_then(|d| d.id("id")),
            action: Some(action),
            resourceurl: b.text("resource_url"),
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: "elation",
            path: "/in/elation",
            body: r#"{"data": {"id": 140754680, "first_name": "Jane", "last_name": "Doe", "dob": "1984-02-11", "sex": "Female", "primary_physician": 131074}, "action": "saved", "event_id": 88123, "event_uuid": "019a6f4e-8c2d-7a10-b3e4-5f6a7b8c9d0e", "application_id": 12345, "resource": "patients", "resource_url": null}"#,
            signing_key: "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=",
            extra_headers: &[("content-type", "application/json")],
        }
    }
}
