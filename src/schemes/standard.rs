//! Standard Webhooks (and Svix, the same scheme under `svix-*` names): `{id}.{timestamp}.{body}` signed with
//! HMAC-SHA256 (`v1,<base64>`, key `whsec_<base64>` decoded) or Ed25519 (`v1a,<base64>`, key `whpk_<base64>`).
//! The signature header is a space-separated list; any entry may match.

use super::ctx::{hmac_sha256, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{resource_type, split_event, Attributes, EventTime};
use crate::json::Object;
use crate::keys::{decode_base64, signing_key_from_base64, Key, PublicKey, Secret};
use crate::options::Options;
use crate::{Error, Request};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::Signer;

/// Reads one vendor's payload into CloudEvent attributes.
type ReadAttributes = fn(&Object<'_>, &Auth) -> Attributes;

#[derive(Debug)]
pub struct Standard {
    vendor: &'static str,
    id: &'static str,
    timestamp: &'static str,
    signature: &'static str,
    attributes: ReadAttributes,
    sample: Sample,
}

const DEMO_KEY: &str = "whsec_Y2FyZWhvb2stZGVtby1zdGFuZGFyZC1zZWNyZXQ=";
const DEMO_BODY: &str = r#"{"type":"patient.updated","timestamp":"2026-11-22T08:00:00Z","data":{"id":"pat_01J9Z","name":"Ana Santos","birthDate":"1990-04-12"}}"#;

const fn demo(vendor: &'static str, path: &'static str, body: &'static str) -> Sample {
    Sample { vendor, path, body, signing_key: DEMO_KEY, extra_headers: &[] }
}

pub static STANDARD: Standard = Standard {
    vendor: "standard",
    id: "webhook-id",
    timestamp: "webhook-timestamp",
    signature: "webhook-signature",
    attributes: typed_event,
    sample: demo("standard", "/in/standard", DEMO_BODY),
};

pub static SVIX: Standard = Standard {
    vendor: "svix",
    id: "svix-id",
    timestamp: "svix-timestamp",
    signature: "svix-signature",
    attributes: typed_event,
    sample: demo("svix", "/in/svix", DEMO_BODY),
};

/// Junction (formerly Vital): Svix, `{event_type, data, team_id, user_id, client_user_id}`; the id is `svix-id`.
pub static JUNCTION: Standard = Standard {
    vendor: "junction",
    id: "svix-id",
    timestamp: "svix-timestamp",
    signature: "svix-signature",
    attributes: junction_event,
    sample: demo(
        "junction",
        "/in/junction",
        r#"{"event_type":"daily.data.heartrate.created","data":{"user_id":"5b9c0d2e-8f1a-4c3b-9d7e-6a5f4e3d2c1b","source":{"provider":"oura"},"date":"2026-11-22"},"team_id":"team_7f3a","user_id":"5b9c0d2e-8f1a-4c3b-9d7e-6a5f4e3d2c1b","client_user_id":"patient-4411"}"#,
    ),
};

/// Fasten Connect: Standard Webhooks, `{api_mode, date, id, type, data}`; the body's `id` is the same on every retry
/// (each retry is signed anew), so it is the event id.
pub static FASTEN: Standard = Standard {
    vendor: "fasten",
    id: "webhook-id",
    timestamp: "webhook-timestamp",
    signature: "webhook-signature",
    attributes: fasten_event,
    sample: demo(
        "fasten",
        "/in/fasten",
        r#"{"api_mode":"live","date":"2026-11-22T08:00:00Z","id":"0b7e3c2a-4d5f-4a1b-8c9d-2e3f4a5b6c7d","type":"patient.ehi_export_success","data":{"org_connection_id":"conn_5e1f","download_links":[{"url":"https://api.connect.fastenhealth.com/v1/bridge/export/0b7e3c2a.jsonl","export_type":"jsonl","content_type":"application/fhir+ndjson"}]}}"#,
    ),
};

/// `{type, data: {id}}`: the id is the signed message id.
fn typed_event(b: &Object<'_>, auth: &Auth) -> Attributes {
    let event = b.text("type").unwrap_or_else(|| "unknown".to_owned());
    let (resource, verb) = split_event(&event);
    Attributes {
        distinct_by: None,
        topic: None,
        id: auth.message_id.clone(),
        time: auth.timestamp.map(EventTime::Unix),
        resourcetype: verb.and_then(|_| resource_type(resource)),
        resourceid: b.object("data").and_then(|d| d.id("id")),
        action: verb.map(str::to_owned),
        resourceurl: None,
        event,
    }
}

/// Junction: `daily.data.heartrate.created` → resource `heartrate`, action `created`; the subject is the user.
fn junction_event(b: &Object<'_>, auth: &Auth) -> Attributes {
    let event = b.text("event_type").unwrap_or_else(|| "unknown".to_owned());
    let (_, verb) = split_event(&event);
    Attributes {
        id: auth.message_id.clone(),
        time: auth.timestamp.map(EventTime::Unix),
        resourcetype: b.id("user_id").map(|_| "User".to_owned()),
        resourceid: b.id("user_id"),
        action: verb.map(str::to_owned),
        event,
        ..Attributes::default()
    }
}

/// Fasten: `patient.ehi_export_success` → resource `Patient`, action `ehi_export_success`. `data.download_links`
/// point at patient records: carried in `data`, never fetched.
fn fasten_event(b: &Object<'_>, auth: &Auth) -> Attributes {
    let event = b.text("type").unwrap_or_else(|| "unknown".to_owned());
    let (resource, verb) = split_event(&event);
    Attributes {
        id: b.id("id").or_else(|| auth.message_id.clone()),
        time: b.text("date").map(EventTime::Text).or(auth.timestamp.map(EventTime::Unix)),
        resourcetype: verb.and_then(|_| resource_type(resource)),
        resourceid: b.object("data").and_then(|d| d.id("org_connection_id")),
        action: verb.map(str::to_owned),
        event,
        ..Attributes::default()
    }
}

impl Standard {
    fn message<'m>(id: &'m str, ts: &'m str, body: &'m [u8]) -> [&'m [u8]; 5] {
        [id.as_bytes(), b".", ts.as_bytes(), b".", body]
    }
}

impl Scheme for Standard {
    fn vendor(&self) -> &'static str {
        self.vendor
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(self.signature)
    }

    /// A key says what it is: `whsec_` + base64 is an HMAC secret, `whpk_` + base64 an Ed25519 public key. Without
    /// its prefix a key is refused: read as a secret, a public key would let anyone who has it sign `v1`.
    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        // PEM and JWK say what they are (an Ed25519 public key, for v1a), so whitespace around them is harmless.
        if !text.trim_start().starts_with("whpk_") && crate::keys::Form::of(text) == crate::keys::Form::PublicKey {
            return PublicKey::parse(text).map(Key::Ed25519);
        }
        if text.trim() != text {
            return Err(crate::keys::WHITESPACE);
        }
        if let Some(pk) = text.strip_prefix("whpk_") {
            return PublicKey::from_base64(pk).map(Key::Ed25519);
        }
        let Some(b64) = text.strip_prefix("whsec_") else {
            return Err(match crate::keys::Form::of(text) {
                crate::keys::Form::PrivateKey => Error::InvalidKey {
                    reason: "this is a private signing key: configure the whpk_ public key that pairs with it",
                },
                _ => Error::InvalidKey {
                    reason: "a Standard Webhooks key starts with whsec_ (an HMAC secret, base64) or whpk_ (an Ed25519 public key, base64), or is an Ed25519 public key as PEM or JWK",
                },
            });
        };
        let bytes = decode_base64(b64).ok_or(Error::InvalidKey {
            reason: "a Standard Webhooks secret is whsec_ followed by base64 (a Stripe-style text secret belongs to vendor stripe)",
        })?;
        Secret::from_bytes(bytes).map(Key::Hmac)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        let id = cx.header(self.id)?;
        let ts_text = cx.header(self.timestamp)?;
        let list = cx.header(self.signature)?;
        let timestamp = cx.timestamp(self.timestamp, ts_text.trim())?;

        let entries: Vec<&str> = list.split_ascii_whitespace().collect();
        cx.limit_signatures(self.signature, entries.len())?;
        let (mut v1, mut v1a) = (Vec::new(), Vec::new());
        for entry in entries {
            match entry.split_once(',') {
                Some(("v1", sig)) => v1.extend(decode_base64(sig)),
                Some(("v1a", sig)) => v1a.extend(decode_base64(sig)),
                _ => {}
            }
        }
        let (n1, n1a) = (v1.len(), v1a.len());
        cx.note("signature list", n1 + n1a > 0, || format!("{n1} v1 (HMAC) and {n1a} v1a (Ed25519) signature(s)"));

        let msg = Self::message(id, ts_text, cx.req.body);
        let mut matched = Err(Error::SignatureMismatch { hint: None });
        if !v1.is_empty() || v1a.is_empty() {
            matched = cx.match_hmac(&msg, &v1);
        }
        if matched.is_err() && !v1a.is_empty() {
            matched = cx.match_ed25519(&msg, &v1a);
        }
        let key_index = matched?;
        Ok(Auth { matched: key_index, timestamp: Some(timestamp), message_id: Some(id.to_owned()) })
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let id = input.id.map_or_else(
            || format!("msg_{}", crate::event::body_id(input.body).trim_start_matches("sha256:")),
            str::to_owned,
        );
        let ts = input.now.to_string();
        let msg = Self::message(&id, &ts, input.body);
        let signature = if key.starts_with("whsec_") {
            let Key::Hmac(secret) = self.parse_key(key)? else {
                return Err(Error::InvalidKey { reason: "not an HMAC secret" });
            };
            format!("v1,{}", B64.encode(hmac_sha256(secret.expose(), &msg)))
        } else {
            let sk = signing_key_from_base64(key.strip_prefix("whsk_").unwrap_or(key))?;
            format!("v1a,{}", B64.encode(sk.sign(&msg.concat()).to_bytes()))
        };
        Ok(vec![
            (self.id.to_owned(), id),
            (self.timestamp.to_owned(), ts),
            (self.signature.to_owned(), signature),
            ("content-type".to_owned(), "application/json".to_owned()),
        ])
    }

    fn verify_key(&self, signing_key: &str) -> Result<String, Error> {
        if signing_key.starts_with("whsec_") {
            return Ok(signing_key.to_owned());
        }
        let sk = signing_key_from_base64(signing_key.strip_prefix("whsk_").unwrap_or(signing_key))?;
        Ok(format!("whpk_{}", B64.encode(sk.verifying_key().as_bytes())))
    }

    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, auth: &Auth, _: &Options) -> Result<Attributes, Error> {
        Ok((self.attributes)(b, auth))
    }

    fn sample(&self) -> Sample {
        self.sample
    }
}
