//! Senders that authenticate with a static token in a header, compared in constant time with each token in the
//! keyring: `header-token` (any such sender: FHIR rest-hook servers, Health Gorilla, custom delivery headers; the
//! header and its prefix are configured, `Authorization: Bearer <token>` by default) and DrChrono
//! (`X-drchrono-signature: <token>`, with its `GET ?msg=` setup handshake).
//!
//! A token authenticates the sender, not the body: anyone who sees one request can send any body with it. Use TLS
//! end to end, and treat the payload as the sender's word.

use super::body_hmac::strip_prefix_ci;
use super::ctx::{hmac_sha256, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{action, resource_type, split_event, Attributes, Handshake};
use crate::json::Object;
use crate::keys::{Key, Keyring, Secret};
use crate::options::Options;
use crate::request::query_param;
use crate::{Error, Request};

/// Shorter tokens are guessable.
pub const MIN_TOKEN_LEN: usize = 16;

/// The default header of `header-token`, and its default prefix.
pub const DEFAULT_HEADER: &str = "authorization";
pub const DEFAULT_PREFIX: &str = "Bearer ";

#[derive(Debug)]
pub struct HeaderToken {
    vendor: &'static str,
    /// The header that carries the token; `None`: configured (`tokenHeader`, default `authorization`).
    header: Option<&'static str>,
    /// The prefix before the token when the header is fixed.
    prefix: &'static str,
    /// Unsigned headers that name the event and the delivery.
    event_header: Option<&'static str>,
    id_header: Option<&'static str>,
    sample: Sample,
}

pub static HEADER_TOKEN: HeaderToken = HeaderToken {
    vendor: "header-token",
    header: None,
    prefix: DEFAULT_PREFIX,
    event_header: None,
    id_header: None,
    sample: Sample {
        vendor: "header-token",
        path: "/in/header-token",
        body: r#"{"resourceType":"Patient","id":"pat-7781","meta":{"versionId":"2","lastUpdated":"2026-11-22T08:00:00Z"},"name":[{"family":"Okafor","given":["Ada"]}]}"#,
        signing_key: "hdr_demo_token_4c1f9e7a2b5d8e3f",
        extra_headers: &[("content-type", "application/fhir+json")],
    },
};

pub static DRCHRONO: HeaderToken = HeaderToken {
    vendor: "drchrono",
    header: Some("x-drchrono-signature"),
    prefix: "",
    event_header: Some("x-drchrono-event"),
    id_header: Some("x-drchrono-delivery"),
    sample: Sample {
        vendor: "drchrono",
        path: "/in/drchrono",
        body: r#"{"receiver":{"id":44117,"url":"https://hooks.example.com/in/drchrono"},"object":{"id":88213,"doctor":102193,"patient":55120,"scheduled_time":"2026-11-24T09:30:00","duration":30,"status":"Confirmed"}}"#,
        signing_key: "drchrono_demo_token_8e2c4a6f1b3d",
        extra_headers: &[
            ("x-drchrono-event", "APPOINTMENT_CREATE"),
            ("x-drchrono-delivery", "dlv_01JDRC7Q4Z"),
            ("content-type", "application/json"),
        ],
    },
};

impl HeaderToken {
    /// A header-token check under another vendor's name, with the configurable header (`Authorization: Bearer` by
    /// default).
    pub(crate) const fn configured(vendor: &'static str, sample: Sample) -> HeaderToken {
        HeaderToken { vendor, header: None, prefix: DEFAULT_PREFIX, event_header: None, id_header: None, sample }
    }

    /// The header name and prefix in force.
    fn names<'o>(&self, opts: &'o Options) -> (&'o str, &'o str)
    where
        'static: 'o,
    {
        match self.header {
            Some(h) => (h, self.prefix),
            None => (
                opts.token_header.as_deref().unwrap_or(DEFAULT_HEADER),
                opts.token_prefix.as_deref().unwrap_or(DEFAULT_PREFIX),
            ),
        }
    }
}

impl Scheme for HeaderToken {
    fn vendor(&self) -> &'static str {
        self.vendor
    }

    fn signs_body(&self) -> bool {
        false
    }

    fn identifying_header(&self) -> Option<&'static str> {
        self.header
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        if text.trim() != text {
            return Err(crate::keys::WHITESPACE);
        }
        if text.len() < MIN_TOKEN_LEN {
            return Err(Error::InvalidKey {
                reason: "a header token must be at least 16 characters to be unguessable",
            });
        }
        // One header value, read the same way in every runtime: a runtime joins repeated headers with ", ".
        if !text.bytes().all(|b| b.is_ascii_graphic()) || text.contains(',') {
            return Err(Error::InvalidKey {
                reason: "a header token is visible ASCII without spaces or commas (it travels as one header value)",
            });
        }
        Secret::from_text(text).map(Key::Token)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        let (header, prefix) = self.names(cx.opts);
        let value = cx.named_header(header, "the token header")?;
        let token = strip_prefix_ci(value, prefix).ok_or(Error::MalformedHeader {
            header: "the token header",
            reason: "the value does not start with the configured prefix",
        });
        let token = cx.checked("token prefix", token, |_| {
            if prefix.is_empty() {
                "no prefix".into()
            } else {
                format!("starts with {}", prefix.trim_end())
            }
        })?;
        cx.match_token(token.as_bytes())
            .map(Auth::of)
            .ok_or(Error::TokenMismatch { reason: "the header token matches no configured token" })
    }

    fn sign(&self, key: &str, _: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        // Nothing is signed: the token travels as it is. Validate it so a bad fixture fails early.
        self.parse_key(key)?;
        let defaults = Options::default();
        let (header, prefix) = self.names(&defaults);
        let mut headers = vec![(header.to_owned(), format!("{prefix}{key}"))];
        headers.extend(self.sample.extra_headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Ok(headers)
    }

    fn attributes(&self, b: &Object<'_>, req: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        let header =
            |name: Option<&'static str>| name.and_then(|n| req.headers.get(n).ok().flatten()).map(str::to_owned);
        if let Some(event) = header(self.event_header) {
            // DrChrono: `APPOINTMENT_CREATE` → `appointment.create`; the resource is `object`.
            let lower = event.to_ascii_lowercase();
            let (resource, verb) = lower.rsplit_once('_').map_or((lower.as_str(), None), |(r, v)| (r, Some(v)));
            let object = b.object("object");
            return Ok(Attributes {
                id: header(self.id_header),
                event: verb.map_or_else(|| resource.to_owned(), |v| format!("{resource}.{v}")),
                resourcetype: verb.and_then(|_| resource_type(resource)),
                resourceid: object.and_then(|o| o.id("id")),
                action: verb.map(|v| action(if v == "modify" { "update" } else { v })),
                ..Attributes::default()
            });
        }
        // Any JSON: a FHIR resource (`resourceType`, `id`), or an event with `type`/`event` and `id`.
        if let Some(rtype) = b.text("resourceType") {
            let id = b.id("id");
            let version = b.object("meta").and_then(|m| m.id("versionId"));
            return Ok(Attributes {
                id: id.as_ref().zip(version).map(|(i, v)| format!("{rtype}/{i}/_history/{v}")),
                event: format!("{rtype}.notification"),
                resourceid: id,
                resourcetype: Some(rtype),
                ..Attributes::default()
            });
        }
        let event = b.text("type").or_else(|| b.text("event")).unwrap_or_else(|| "notification".to_owned());
        let (resource, verb) = split_event(&event);
        Ok(Attributes {
            id: b.id("id"),
            resourcetype: verb.and_then(|_| resource_type(resource)),
            action: verb.map(action),
            event,
            ..Attributes::default()
        })
    }

    fn sample(&self) -> Sample {
        self.sample
    }

    /// DrChrono's setup check, `GET <callback>?msg=<value>`: answered with `{"secret_token": hex HMAC-SHA256(token,
    /// msg)}` under the first token of the keyring (the one in use).
    fn challenge(&self, req: &Request<'_>, keys: &Keyring, _: &Options) -> Option<Handshake> {
        if self.vendor != "drchrono" || !req.method.eq_ignore_ascii_case("GET") {
            return None;
        }
        let msg = query_param(req.query, "msg")?;
        let Some(Key::Token(token)) = keys.iter().next() else {
            return None;
        };
        let tag = hex::encode(hmac_sha256(token.expose(), &[msg.as_bytes()]));
        let body = serde_json::to_string(&serde_json::json!({ "secret_token": tag })).ok()?;
        Some(Handshake { status: 200, body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drchrono_answers_its_setup_check() {
        // The computed vector: token `drchrono_secret_token`, msg `abc123`.
        let keys = Keyring::parse(&["drchrono_secret_token"], |k| DRCHRONO.parse_key(k)).unwrap();
        let headers = crate::Headers::new();
        let req = Request::new("GET", "/in/drchrono?msg=abc123", &headers, b"");
        let answer = DRCHRONO.challenge(&req, &keys, &Options::default()).unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.body,
            r#"{"secret_token":"7352cb4847f35607b36cd46531fecaec6c415ef2b0ffb555054adb91b8d1ef5c"}"#
        );
        let post = Request::new("POST", "/in/drchrono?msg=abc123", &headers, b"");
        assert!(DRCHRONO.challenge(&post, &keys, &Options::default()).is_none());
        let no_msg = Request::new("GET", "/in/drchrono", &headers, b"");
        assert!(DRCHRONO.challenge(&no_msg, &keys, &Options::default()).is_none());
        assert!(HEADER_TOKEN.challenge(&req, &keys, &Options::default()).is_none());
    }

    #[test]
    fn query_parameters_are_decoded() {
        assert_eq!(query_param("a=1&msg=x%20y+z&msg=2", "msg").as_deref(), Some("x y z"));
        assert_eq!(query_param("msg", "msg").as_deref(), Some(""));
        assert_eq!(query_param("a=1", "msg"), None);
        assert_eq!(query_param("msg=%zz%4", "msg").as_deref(), Some("%zz%4"));
    }
}
