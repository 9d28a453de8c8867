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

#[derive(Debug)]
pub struct Standard {
    vendor: &'static str,
    id: &'static str,
    timestamp: &'static str,
    signature: &'static str,
}

pub static STANDARD: Standard =
    Standard { vendor: "standard", id: "webhook-id", timestamp: "webhook-timestamp", signature: "webhook-signature" };

pub static SVIX: Standard =
    Standard { vendor: "svix", id: "svix-id", timestamp: "svix-timestamp", signature: "svix-signature" };

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
                    reason: "a Standard Webhooks key starts with whsec_ (an HMAC secret, base64) or whpk_ (an Ed25519 public key, base64)",
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
        let event = b.text("type").unwrap_or_else(|| "unknown".to_owned());
        let (resource, verb) = split_event(&event);
        Ok(Attributes {
            distinct_by: None,
            id: auth.message_id.clone(),
            time: auth.timestamp.map(EventTime::Unix),
            resourcetype: verb.and_then(|_| resource_type(resource)),
            resourceid: b.object("data").and_then(|d| d.id("id")),
            action: verb.map(str::to_owned),
            resourceurl: None,
            event,
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: self.vendor,
            path: if self.vendor == "svix" { "/in/svix" } else { "/in/standard" },
            body: r#"{"type":"patient.updated","timestamp":"2026-11-22T08:00:00Z","data":{"id":"pat_01J9Z","name":"Ana Santos","birthDate":"1990-04-12"}}"#,
            signing_key: "whsec_Y2FyZWhvb2stZGVtby1zdGFuZGFyZC1zZWNyZXQ=",
            extra_headers: &[],
        }
    }
}
