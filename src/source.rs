//! A configured webhook source (vendor + keyring + options), and the entry points that use it.

use crate::date;
use crate::event::{
    clean_attribute, derived_id, Attributes, CloudEvent, EventTime, Handshake, MAX_ATTRIBUTE_BYTES, MAX_ID_BYTES,
};
use crate::json::Object;
use crate::keys::Keyring;
use crate::options::{Options, SourceConfig};
use crate::schemes::{self, Auth, Ctx, Scheme, SignInput};
use crate::{Error, Request};

/// A vendor's scheme with its keyring and options: parse once, verify many requests.
#[derive(Clone)]
pub struct Source {
    scheme: &'static dyn Scheme,
    pub(crate) keys: Keyring,
    pub(crate) opts: Options,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("vendor", &self.scheme.vendor()).field("keys", &self.keys.len()).finish()
    }
}

/// Proof of a verified, normalized webhook. Only [`Source::verify`] makes one.
#[derive(Debug, Clone)]
pub struct Verified {
    pub(crate) events: Vec<CloudEvent>,
    pub(crate) key_index: usize,
    handshake: Option<Handshake>,
}

impl Verified {
    /// The event, for a request that carries one (most vendors always do). `None` for a handshake or heartbeat;
    /// the first of several for a batch (a FHIR notification Bundle, a Fitbit array): use [`Verified::events`] there.
    pub fn event(&self) -> Option<&CloudEvent> {
        self.events.first()
    }
    /// Every event the request carries, in order: one for most vendors, none for a handshake, several for a batch.
    pub fn events(&self) -> &[CloudEvent] {
        &self.events
    }
    pub fn into_events(self) -> Vec<CloudEvent> {
        self.events
    }
    /// The 0-based keyring entry that matched.
    pub fn key_index(&self) -> usize {
        self.key_index
    }
    /// The answer the vendor expects instead of an event, when the request is an endpoint check (Metriport's
    /// `ping`): a gateway answers it and emits nothing.
    pub fn handshake(&self) -> Option<&Handshake> {
        self.handshake.as_ref()
    }
}

impl Source {
    pub fn new(vendor: &str, keys: &[impl AsRef<str>], opts: Options) -> Result<Self, Error> {
        let scheme = schemes::by_vendor(vendor)?;
        let keys = Keyring::parse(keys, |k| scheme.parse_key(k))?;
        Ok(Source { scheme, keys, opts })
    }

    pub fn from_config(cfg: &SourceConfig) -> Result<Self, Error> {
        Source::new(&cfg.vendor, &cfg.keys, Options::from_config(cfg)?)
    }

    pub fn vendor(&self) -> &'static str {
        self.scheme.vendor()
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The status that acknowledges a webhook to this vendor (200 for most; Fitbit 204).
    pub fn accepted_status(&self) -> u16 {
        self.scheme.accepted_status()
    }

    /// The status for a request that is not authentic (401 for most; Fitbit asks for 404).
    pub fn unauthenticated_status(&self) -> u16 {
        self.scheme.unauthenticated_status()
    }

    /// How long a byte-identical repeat of an event without a vendor id counts as the vendor's retry, in seconds
    /// (see [`crate::schemes::Scheme::repeat_window`]).
    pub fn repeat_window(&self) -> u64 {
        self.scheme.repeat_window()
    }

    /// The answer to a vendor's endpoint check sent as a request of its own (DrChrono's `GET ?msg=`): `None` when
    /// `req` is not one. Nothing is verified or emitted; the answer proves the receiver holds the key.
    pub fn challenge(&self, req: &Request<'_>) -> Option<Handshake> {
        self.scheme.challenge(req, &self.keys, &self.opts)
    }

    /// Verifies `req` at time `now` (Unix seconds) and normalizes its payload.
    pub fn verify(&self, req: &Request<'_>, now: i64) -> Result<Verified, Error> {
        let mut cx = Ctx::new(req, &self.keys, &self.opts, now, false);
        self.run(&mut cx)
    }

    pub(crate) fn run(&self, cx: &mut Ctx<'_>) -> Result<Verified, Error> {
        let req = cx.req;
        let limit = self.opts.max_body_bytes;
        let size = req.body.len();
        cx.note("body size", size <= limit, || format!("{size} bytes (limit {limit})"));
        if size > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        if !self.opts.allow_ips.is_empty() {
            let allowed = self.opts.allows(req.remote_ip);
            cx.note("sender address", allowed, || {
                if allowed {
                    "in the allowlist".into()
                } else {
                    "not in the allowlist".into()
                }
            });
            if !allowed {
                return Err(Error::TokenMismatch { reason: "the sender's address is not allowed" });
            }
        }
        let auth = self.scheme.verify(cx)?;
        let event = self.normalize(req, &auth, cx.now);
        let (events, handshake) = cx.checked("payload", event, |(events, _)| match events.len() {
            1 => "the vendor's JSON; normalized to a CloudEvent".into(),
            n => format!("the vendor's JSON; normalized to {n} CloudEvents"),
        })?;
        Ok(Verified { events, key_index: auth.matched.key_index(), handshake })
    }

    /// The CloudEvent `source`: the configured one, else `carehook:<vendor>`.
    pub fn event_source(&self) -> String {
        self.opts.source.clone().unwrap_or_else(|| format!("carehook:{}", self.vendor()))
    }

    /// The request's events: one from the whole body, or the parts a batching scheme splits it into.
    #[allow(clippy::type_complexity)]
    fn normalize(
        &self,
        req: &Request<'_>,
        auth: &Auth,
        now: i64,
    ) -> Result<(Vec<CloudEvent>, Option<Handshake>), Error> {
        let text = std::str::from_utf8(req.body)
            .map_err(|_| Error::InvalidPayload { reason: "the body is not UTF-8 text" })?;
        if let Some(split) = self.scheme.split(text, req, auth, &self.opts)? {
            let events = split
                .parts
                .into_iter()
                .map(|part| {
                    let data = part.data.unwrap_or_default();
                    let digested = if data.is_empty() { req.body } else { data.as_bytes() };
                    self.envelope(part.attributes, digested, data.clone(), false, now)
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok((events, split.handshake));
        }
        let body = Object::parse(text)
            .ok_or(Error::InvalidPayload { reason: "the body is not a JSON object (or repeats a key)" })?;
        let a = self.scheme.attributes(&body, req, auth, &self.opts)?;
        let handshake = self.scheme.handshake(&body);
        Ok((vec![self.envelope(a, req.body, text.to_owned(), true, now)?], handshake))
    }

    /// One CloudEvent: the attributes bounded and cleaned, the id the vendor's or derived from `digested` (the bytes
    /// the event came from), `data` as given.
    fn envelope(
        &self,
        a: Attributes,
        digested: &[u8],
        data: String,
        data_is_body: bool,
        now: i64,
    ) -> Result<CloudEvent, Error> {
        let vendor = self.vendor();
        let source = clean_attribute(self.event_source());
        let bounded = |text: Option<String>| -> Result<Option<String>, Error> {
            match text.map(clean_attribute) {
                Some(t) if t.len() > MAX_ATTRIBUTE_BYTES => {
                    Err(Error::InvalidPayload { reason: "an event attribute is longer than 1024 bytes" })
                }
                t => Ok(t),
            }
        };
        let (resourcetype, resourceid) = (bounded(a.resourcetype)?, bounded(a.resourceid)?);
        let ty = bounded(Some([vendor, ".", &a.event].concat()))?.unwrap_or_default();
        let (id, derived) = match a.id.map(clean_attribute).filter(|i| !i.is_empty()) {
            Some(id) if id.len() > MAX_ID_BYTES => (derived_id(&source, id.as_bytes(), None), false),
            Some(id) => (id, false),
            None => (derived_id(&source, digested, a.distinct_by.as_deref()), true),
        };
        let subject = match (&resourcetype, &resourceid) {
            (Some(t), Some(i)) => Some([t.as_str(), "/", i.as_str()].concat()),
            _ => None,
        };
        let time = match a.time {
            Some(EventTime::Unix(t)) => date::format(&date::Moment { unix: t, fraction: String::new() }),
            Some(EventTime::At(m)) => date::format(&m),
            // Re-written in UTC with upper-case T and Z: RFC 3339 allows `t`/`z` and offsets, not every consumer does.
            Some(EventTime::Text(t)) => date::parse(&t, 0, true).and_then(|m| date::format(&m)),
            None => None,
        };
        Ok(CloudEvent {
            specversion: "1.0",
            id,
            source,
            ty,
            subject,
            time: time.unwrap_or_else(|| date::rfc3339(now)),
            datacontenttype: "application/json",
            vendor,
            resourcetype,
            resourceid,
            action: bounded(a.action)?,
            resourceurl: bounded(a.resourceurl)?,
            topic: bounded(a.topic)?,
            derived_id: derived,
            data,
            data_is_body,
        })
    }
}

/// Verifies one request with a source built from `cfg` (convenience for one-off use).
pub fn verify(cfg: &SourceConfig, req: &Request<'_>, now: i64) -> Result<Verified, Error> {
    Source::from_config(cfg)?.verify(req, now)
}

/// Signs `input` for `vendor`: the headers a vendor would send.
pub fn sign(vendor: &str, signing_key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
    schemes::by_vendor(vendor)?.sign(signing_key, input)
}
