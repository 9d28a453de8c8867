//! A configured webhook source (vendor + keyring + options), and the entry points that use it.

use crate::date;
use crate::event::{clean_attribute, derived_id, CloudEvent, EventTime, Handshake, MAX_ATTRIBUTE_BYTES, MAX_ID_BYTES};
use crate::json::Object;
use crate::keys::Keyring;
use crate::report::{Report, ReportError};
use crate::schemes::{self, Auth, Ctx, Scheme, SignInput};
use crate::{Error, Request};
use serde::Deserialize;

/// Tolerance for signed timestamps, in seconds, both directions.
pub const DEFAULT_TOLERANCE: u64 = 300;
/// Largest body accepted before any crypto runs.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Largest value of a header the scheme reads.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 8 << 10;
/// Most signatures read from one header.
pub const DEFAULT_MAX_SIGNATURES: usize = 16;

/// Verification options with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub tolerance: u64,
    /// The path the sender signed (Healthie), when requests arrive on another.
    pub public_path: Option<String>,
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    pub max_signatures: usize,
    /// Sender addresses allowed (single IPs or CIDR blocks); empty allows all.
    pub allow_ips: Vec<ipnet::IpNet>,
    /// The CloudEvent `source` attribute; `carehook:<vendor>` when unset.
    pub source: Option<String>,
    /// Offset applied to zone-less vendor timestamps (ELMED), in minutes east of UTC.
    pub utc_offset_minutes: i32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tolerance: DEFAULT_TOLERANCE,
            public_path: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_signatures: DEFAULT_MAX_SIGNATURES,
            allow_ips: Vec::new(),
            source: None,
            utc_offset_minutes: 0,
        }
    }
}

/// A source as configuration gives it (JSON from JavaScript or `wrangler.toml`).
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceConfig {
    pub vendor: String,
    #[serde(deserialize_with = "one_or_many")]
    pub keys: Vec<String>,
    pub tolerance: Option<u64>,
    pub public_path: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub max_header_bytes: Option<usize>,
    pub max_signatures: Option<usize>,
    #[serde(default)]
    pub allow_ips: Vec<String>,
    pub source: Option<String>,
    pub utc_offset_minutes: Option<i32>,
}

impl std::fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceConfig")
            .field("vendor", &self.vendor)
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .finish_non_exhaustive()
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// A vendor's scheme with its keyring and options: parse once, verify many requests.
#[derive(Clone)]
pub struct Source {
    scheme: &'static dyn Scheme,
    keys: Keyring,
    opts: Options,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source").field("vendor", &self.scheme.vendor()).field("keys", &self.keys.len()).finish()
    }
}

/// Proof of a verified, normalized webhook. Only [`Source::verify`] makes one.
#[derive(Debug, Clone)]
pub struct Verified {
    event: CloudEvent,
    key_index: usize,
    handshake: Option<Handshake>,
}

impl Verified {
    pub fn event(&self) -> &CloudEvent {
        &self.event
    }
    pub fn into_event(self) -> CloudEvent {
        self.event
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
        let d = Options::default();
        let mut allow_ips = Vec::with_capacity(cfg.allow_ips.len());
        for ip in &cfg.allow_ips {
            allow_ips
                .push(parse_ip_net(ip).ok_or(Error::InvalidKey { reason: "an allowIps entry is not an IP or CIDR" })?);
        }
        let opts = Options {
            tolerance: cfg.tolerance.unwrap_or(d.tolerance),
            public_path: cfg.public_path.clone().filter(|p| !p.is_empty()),
            max_body_bytes: cfg.max_body_bytes.unwrap_or(d.max_body_bytes),
            max_header_bytes: cfg.max_header_bytes.unwrap_or(d.max_header_bytes),
            max_signatures: cfg.max_signatures.unwrap_or(d.max_signatures),
            allow_ips,
            source: cfg.source.clone().filter(|s| !s.is_empty()),
            utc_offset_minutes: cfg.utc_offset_minutes.unwrap_or(0),
        };
        Source::new(&cfg.vendor, &cfg.keys, opts)
    }

    pub fn vendor(&self) -> &'static str {
        self.scheme.vendor()
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// How long a byte-identical repeat of an event without a vendor id counts as the vendor's retry, in seconds
    /// (see [`crate::schemes::Scheme::repeat_window`]).
    pub fn repeat_window(&self) -> u64 {
        self.scheme.repeat_window()
    }

    /// Verifies `req` at time `now` (Unix seconds) and normalizes its payload.
    pub fn verify(&self, req: &Request<'_>, now: i64) -> Result<Verified, Error> {
        let mut cx = Ctx::new(req, &self.keys, &self.opts, now, false);
        self.run(&mut cx)
    }

    /// Verifies and reports every check on the way; never fails.
    pub fn inspect(&self, req: &Request<'_>, now: i64) -> Report {
        let mut cx = Ctx::new(req, &self.keys, &self.opts, now, true);
        let result = self.run(&mut cx);
        let steps = cx.take_steps();
        Report {
            vendor: Some(self.vendor()),
            detected: false,
            ok: result.is_ok(),
            verified: result.as_ref().map_or_else(|e| e.verified(), |_| true),
            steps,
            matched_key: result.as_ref().ok().map(|v| v.key_index + 1),
            error: result.as_ref().err().map(ReportError::from),
            diagnosis: Vec::new(),
            event: result.ok().map(Verified::into_event),
        }
    }

    fn run(&self, cx: &mut Ctx<'_>) -> Result<Verified, Error> {
        let req = cx.req;
        let limit = self.opts.max_body_bytes;
        let size = req.body.len();
        cx.note("body size", size <= limit, || format!("{size} bytes (limit {limit})"));
        if size > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        if !self.opts.allow_ips.is_empty() {
            let allowed =
                req.remote_ip.and_then(parse_ip).is_some_and(|ip| self.opts.allow_ips.iter().any(|n| n.contains(&ip)));
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
        let (event, handshake) =
            cx.checked("payload", event, |_| "the vendor's JSON; normalized to a CloudEvent".into())?;
        Ok(Verified { event, key_index: auth.key_index, handshake })
    }

    /// The CloudEvent `source`: the configured one, else `carehook:<vendor>`.
    pub fn event_source(&self) -> String {
        self.opts.source.clone().unwrap_or_else(|| format!("carehook:{}", self.vendor()))
    }

    fn normalize(&self, req: &Request<'_>, auth: &Auth, now: i64) -> Result<(CloudEvent, Option<Handshake>), Error> {
        let text = std::str::from_utf8(req.body)
            .map_err(|_| Error::InvalidPayload { reason: "the body is not UTF-8 text" })?;
        let body = Object::parse(text)
            .ok_or(Error::InvalidPayload { reason: "the body is not a JSON object (or repeats a key)" })?;
        let a = self.scheme.attributes(&body, req, auth, &self.opts)?;
        let handshake = self.scheme.handshake(&body);
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
        let ty = bounded(Some(format!("{vendor}.{}", a.event)))?.unwrap_or_default();
        let (id, derived) = match a.id.map(clean_attribute).filter(|i| !i.is_empty()) {
            Some(id) if id.len() > MAX_ID_BYTES => (derived_id(&source, id.as_bytes(), None), false),
            Some(id) => (id, false),
            None => (derived_id(&source, req.body, a.distinct_by.as_deref()), true),
        };
        let subject = match (&resourcetype, &resourceid) {
            (Some(t), Some(i)) => Some(format!("{t}/{i}")),
            _ => None,
        };
        let time = match a.time {
            Some(EventTime::Unix(t)) => date::format(&date::Moment { unix: t, fraction: String::new() }),
            Some(EventTime::At(m)) => date::format(&m),
            // Re-written in UTC with upper-case T and Z: RFC 3339 allows `t`/`z` and offsets, not every consumer does.
            Some(EventTime::Text(t)) => date::parse(&t, 0, true).and_then(|m| date::format(&m)),
            None => None,
        };
        let event = CloudEvent {
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
            derived_id: derived,
            data: text.to_owned(),
        };
        Ok((event, handshake))
    }
}

/// Verifies one request with a source built from `cfg` (convenience for one-off use).
pub fn verify(cfg: &SourceConfig, req: &Request<'_>, now: i64) -> Result<Verified, Error> {
    Source::from_config(cfg)?.verify(req, now)
}

/// Inspects one request; `cfg.vendor` may be empty to detect it from the headers. Never fails.
pub fn inspect(cfg: &SourceConfig, req: &Request<'_>, now: i64) -> Report {
    let mut cfg = cfg.clone();
    let detected = cfg.vendor.is_empty();
    if detected {
        cfg.vendor = schemes::detect(req.headers).unwrap_or("").to_owned();
    }
    match Source::from_config(&cfg) {
        Ok(source) => {
            let report = source.inspect(req, now);
            let failed_check =
                matches!(report.error.as_ref().map(|e| e.code), Some("signature_mismatch" | "digest_mismatch"));
            let diagnosis = if failed_check { crate::diagnose::diagnose(&cfg, req, now) } else { Vec::new() };
            Report { detected, diagnosis, ..report }
        }
        Err(e) => Report {
            vendor: schemes::by_vendor(&cfg.vendor).ok().map(|s| s.vendor()),
            detected,
            ok: false,
            verified: false,
            steps: Vec::new(),
            matched_key: None,
            error: Some(ReportError::from(&e)),
            diagnosis: if detected && cfg.vendor.is_empty() {
                vec!["no vendor's signature header was found: choose the vendor (MYCURE sends none)".into()]
            } else {
                Vec::new()
            },
            event: None,
        },
    }
}

/// Signs `input` for `vendor`: the headers a vendor would send.
pub fn sign(vendor: &str, signing_key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
    schemes::by_vendor(vendor)?.sign(signing_key, input)
}

/// An address, with IPv4-mapped IPv6 (`::ffff:a.b.c.d`, as dual-stack servers report IPv4 peers) read as IPv4.
fn parse_ip(text: &str) -> Option<std::net::IpAddr> {
    text.trim().parse::<std::net::IpAddr>().ok().map(|ip| ip.to_canonical())
}

fn parse_ip_net(text: &str) -> Option<ipnet::IpNet> {
    text.trim().parse().ok().or_else(|| parse_ip(text).map(ipnet::IpNet::from))
}
