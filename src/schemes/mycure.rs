//! MYCURE: no signature. An unguessable per-endpoint token is the last segment of the URL path
//! (`/in/mycure/<token>`), compared in constant time with each configured token. Treat the payload as a
//! notification: re-fetch the resource by id before trusting its contents.

use super::ctx::{Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{action, resource_type, split_event, Attributes};
use crate::json::Object;
use crate::keys::{Key, Secret};
use crate::options::Options;
use crate::{Error, Request};

#[derive(Debug)]
pub struct Mycure;
pub static MYCURE: Mycure = Mycure;

/// Shorter tokens are guessable.
pub const MIN_TOKEN_LEN: usize = 16;

impl Scheme for Mycure {
    fn vendor(&self) -> &'static str {
        "mycure"
    }

    fn signs_body(&self) -> bool {
        false
    }

    fn identifying_header(&self) -> Option<&'static str> {
        None
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        if text.len() < MIN_TOKEN_LEN {
            return Err(Error::InvalidKey { reason: "a URL token must be at least 16 characters to be unguessable" });
        }
        if text.contains(['/', '?', '#']) || text.trim() != text {
            return Err(Error::InvalidKey { reason: "a URL token must be one path segment" });
        }
        Secret::from_text(text).map(Key::Token)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        let token = cx.req.path.rsplit('/').next().unwrap_or("");
        cx.note("URL token", !token.is_empty(), || format!("last path segment, {} characters", token.len()));
        cx.match_token(token.as_bytes())
            .map(Auth::of)
            .ok_or(Error::TokenMismatch { reason: "the URL token matches no configured token" })
    }

    fn sign(&self, key: &str, _: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        // Nothing is signed: the token travels in the URL. Validate it so a bad fixture fails early.
        self.parse_key(key)?;
        Ok(Vec::new())
    }

    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        let event = b.text("event").ok_or(Error::InvalidPayload { reason: "not a MYCURE event (id, event)" })?;
        let (service, method) = split_event(&event);
        Ok(Attributes {
            distinct_by: None,
            topic: None,
            id: b.id("id"),
            time: None,
            resourcetype: method.and_then(|_| resource_type(service)),
            resourceid: b.object("payload").and_then(|p| p.id("id")),
            action: method.map(action),
            resourceurl: None,
            event,
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: "mycure",
            path: "/in/mycure/tok_demo_5f1b8c2e9a7d4c3b",
            body: r#"{"id":"wh_evt_01HZX3","event":"medical-encounters.create","payload":{"id":"enc_778","patient":"pat_12","facility":"org_3","type":"outpatient","createdAt":1711700000000}}"#,
            signing_key: "tok_demo_5f1b8c2e9a7d4c3b",
            extra_headers: &[("content-type", "application/json")],
        }
    }
}
