//! One module per signature scheme. A scheme verifies a request against a keyring, signs (the mirror image, for
//! fixtures and forwarding), and reads the vendor's payload into CloudEvent attributes.
//!
//! Adding a vendor: one new file here, implementing [`Scheme`], and one line in [`ALL`].

use crate::event::Attributes;
use crate::json::Object;
use crate::keys::{ct_eq, Key, Keyring};
use crate::report::Step;
use crate::source::Options;
use crate::{Error, Request};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub mod body_hmac;
pub mod elation;
pub mod elmed;
pub mod healthie;
pub mod hex;
pub mod hub;
pub mod mycure;
pub mod standard;
pub mod stripe;

/// Every supported vendor identifier, with its scheme.
pub static ALL: [&dyn Scheme; 13] = [
    &elation::ELATION,
    &elmed::ELMED,
    &healthie::HEALTHIE,
    &mycure::MYCURE,
    &standard::STANDARD,
    &standard::SVIX,
    &stripe::STRIPE,
    &stripe::AKUTE,
    &hub::GITHUB,
    &hub::ATHENAHEALTH,
    &hex::MEDPLUM,
    &hex::METRIPORT,
    &hex::PHOTON,
];

/// The scheme for a vendor identifier.
pub fn by_vendor(vendor: &str) -> Result<&'static dyn Scheme, Error> {
    ALL.iter().copied().find(|s| s.vendor() == vendor).ok_or(Error::UnsupportedVendor)
}

/// The vendor whose identifying header is present, if any (for the inspector).
pub fn detect(headers: &crate::Headers) -> Option<&'static str> {
    ALL.iter().find(|s| s.identifying_header().is_some_and(|h| headers.all(h).next().is_some())).map(|s| s.vendor())
}

/// What a successful signature check proves, for the normalizer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auth {
    /// Which keyring entry matched.
    pub key_index: usize,
    /// The signed timestamp, for timestamped schemes.
    pub timestamp: Option<i64>,
    /// The signed message id, for schemes that sign one.
    pub message_id: Option<String>,
}

/// Input to [`Scheme::sign`].
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub body: &'a [u8],
    pub now: i64,
    /// Message id for schemes that sign one (Standard Webhooks); derived from the body when absent.
    pub id: Option<&'a str>,
}

/// A realistic signed example for each vendor: the CLI, the inspector, the Worker's tests and `make run` use it.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub vendor: &'static str,
    /// The path a vendor would post to on the gateway (MYCURE's carries its token).
    pub path: &'static str,
    pub body: &'static str,
    /// The key `sign` takes: the HMAC secret, or an Ed25519 private key (base64 seed).
    pub signing_key: &'static str,
    /// Extra headers the vendor sends that are not part of the signature.
    pub extra_headers: &'static [(&'static str, &'static str)],
}

pub trait Scheme: Sync + Send {
    /// The vendor identifier (`elation`, `svix`, ...).
    fn vendor(&self) -> &'static str;
    /// A header whose presence says a request comes from this vendor.
    fn identifying_header(&self) -> Option<&'static str>;
    /// Parses one configured key.
    fn parse_key(&self, text: &str) -> Result<Key, Error>;
    /// Checks the signature (or token). Reads no clock: `cx.now` is given.
    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error>;
    /// Headers that make `input` verify under the key that `signing_key` pairs with.
    fn sign(&self, signing_key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error>;
    /// The verification key that pairs with a signing key (the same text for shared secrets).
    fn verify_key(&self, signing_key: &str) -> Result<String, Error> {
        Ok(signing_key.to_owned())
    }
    /// Reads the verified body (a JSON object) into CloudEvent attributes. Unknown event names still normalize.
    fn attributes(
        &self,
        body: &Object<'_>,
        req: &Request<'_>,
        auth: &Auth,
        opts: &Options,
    ) -> Result<Attributes, Error>;
    /// A realistic example.
    fn sample(&self) -> Sample;
    /// How long after an event with a content-derived id (the vendor sends none) the vendor may still retry it, in
    /// seconds: a byte-identical repeat inside it is that retry, one after it a new event. A vendor retries only
    /// when it did not see our answer, so the window follows its retry schedule, not its retention.
    fn repeat_window(&self) -> u64 {
        3600
    }
    /// The answer a verified endpoint check expects instead of an event (Metriport's `ping` → `pong`).
    fn handshake(&self, _body: &Object<'_>) -> Option<crate::event::Handshake> {
        None
    }
}

/// The state one verification works with; records each check when a report is wanted.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub req: &'a Request<'a>,
    pub keys: &'a Keyring,
    pub opts: &'a Options,
    pub now: i64,
    steps: Option<Vec<Step>>,
}

impl<'a> Ctx<'a> {
    pub fn new(req: &'a Request<'a>, keys: &'a Keyring, opts: &'a Options, now: i64, report: bool) -> Self {
        Ctx { req, keys, opts, now, steps: report.then(Vec::new) }
    }

    pub fn take_steps(&mut self) -> Vec<Step> {
        self.steps.take().unwrap_or_default()
    }

    /// Records a check; `detail` is only built when a report is wanted. Details never hold secrets or payload.
    pub fn note(&mut self, check: &str, ok: bool, detail: impl FnOnce() -> String) {
        if let Some(steps) = self.steps.as_mut() {
            steps.push(Step { check: check.to_owned(), ok, detail: detail() });
        }
    }

    /// Records the outcome of a fallible check and passes it on.
    pub fn checked<T>(&mut self, check: &str, r: Result<T, Error>, ok: impl FnOnce(&T) -> String) -> Result<T, Error> {
        if let Some(steps) = self.steps.as_mut() {
            let (passed, detail) = match &r {
                Ok(v) => (true, ok(v)),
                Err(e) => (false, e.to_string()),
            };
            steps.push(Step { check: check.to_owned(), ok: passed, detail });
        }
        r
    }

    /// A header that may be absent; refused when longer than the limit or repeated with different values.
    pub fn optional_header(&mut self, name: &'static str) -> Result<Option<&'a str>, Error> {
        let found = self.req.headers.get(name).and_then(|v| match v {
            Some(v) if v.len() > self.opts.max_header_bytes => {
                Err(Error::MalformedHeader { header: name, reason: "longer than the header limit" })
            }
            v => Ok(v),
        });
        if self.steps.is_some() {
            let check = format!("header {name}");
            match &found {
                Ok(Some(v)) => {
                    let n = v.len();
                    self.note(&check, true, || format!("present, {n} bytes"));
                }
                Ok(None) => self.note(&check, false, || "absent".into()),
                Err(e) => self.note(&check, false, || e.to_string()),
            }
        }
        found
    }

    /// A header the scheme cannot do without.
    pub fn header(&mut self, name: &'static str) -> Result<&'a str, Error> {
        self.optional_header(name)?.ok_or(Error::MissingHeader { header: name })
    }

    /// Parses a Unix-seconds timestamp and checks it against the tolerance.
    pub fn timestamp(&mut self, header: &'static str, text: &str) -> Result<i64, Error> {
        let parsed =
            parse_unix(text).ok_or(Error::MalformedHeader { header, reason: "the timestamp is not Unix seconds" });
        let ts = self.checked("timestamp format", parsed, |t| format!("Unix time {t}"))?;
        let skew = ts.saturating_sub(self.now);
        let tolerance = self.opts.tolerance;
        let within = skew.unsigned_abs() <= tolerance;
        self.note("timestamp tolerance", within, || {
            format!(
                "{}s {} the receiver's clock (tolerance {tolerance}s)",
                skew.unsigned_abs(),
                if skew > 0 { "ahead of" } else { "behind" }
            )
        });
        if within {
            Ok(ts)
        } else {
            Err(Error::TimestampOutOfTolerance { skew, tolerance })
        }
    }

    /// Refuses a signature list longer than the limit.
    pub fn limit_signatures(&mut self, header: &'static str, count: usize) -> Result<(), Error> {
        if count > self.opts.max_signatures {
            let max = self.opts.max_signatures;
            self.note("signature count", false, || format!("{count} signatures, more than the limit of {max}"));
            return Err(Error::MalformedHeader { header, reason: "too many signatures" });
        }
        Ok(())
    }

    /// Finds the HMAC key under which `message_parts` (concatenated) has one of `signatures`.
    pub fn match_hmac(&mut self, message_parts: &[&[u8]], signatures: &[Vec<u8>]) -> Result<usize, Error> {
        self.match_hmac_any(&[message_parts], signatures)
    }

    /// Like [`Ctx::match_hmac`], for a scheme whose signed message has several accepted forms.
    pub fn match_hmac_any(&mut self, messages: &[&[&[u8]]], signatures: &[Vec<u8>]) -> Result<usize, Error> {
        let mut hmac_keys = 0;
        for (i, key) in self.keys.iter().enumerate() {
            let Key::Hmac(secret) = key else { continue };
            hmac_keys += 1;
            for (form, parts) in messages.iter().enumerate() {
                let tag = hmac_sha256(secret.expose(), parts);
                if signatures.iter().any(|s| ct_eq(&tag, s)) {
                    let n = messages.len();
                    self.note("signature", true, || {
                        if n > 1 {
                            format!("matches key #{} (message form {})", i + 1, form + 1)
                        } else {
                            format!("matches key #{}", i + 1)
                        }
                    });
                    return Ok(i);
                }
            }
        }
        self.mismatch(hmac_keys, signatures.len())
    }

    /// Finds the Ed25519 key under which `message` has one of `signatures` (strict verification).
    pub fn match_ed25519(&mut self, message: &[&[u8]], signatures: &[Vec<u8>]) -> Result<usize, Error> {
        let joined: Vec<u8>;
        let msg: &[u8] = match message {
            [one] => one,
            parts => {
                joined = parts.concat();
                &joined
            }
        };
        let mut ed_keys = 0;
        for (i, key) in self.keys.iter().enumerate() {
            let Key::Ed25519(pk) = key else { continue };
            ed_keys += 1;
            if signatures.iter().any(|s| pk.verifies(msg, s)) {
                self.note("signature", true, || format!("Ed25519 signature valid under key #{}", i + 1));
                return Ok(i);
            }
        }
        self.mismatch(ed_keys, signatures.len())
    }

    fn mismatch<T>(&mut self, keys: usize, sigs: usize) -> Result<T, Error> {
        self.note("signature", false, || format!("{sigs} signature(s) checked against {keys} key(s): none match"));
        let hint = self
            .keys
            .has_padded_key()
            .then_some("a configured key has whitespace around it: keys are used exactly as given");
        Err(Error::SignatureMismatch { hint })
    }
}

/// HMAC-SHA256 of the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length; the error arm cannot happen, and mapping it keeps this panic-free.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            for p in parts {
                mac.update(p);
            }
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

/// Strict Unix seconds: ASCII digits (optionally a leading '-'), within i64.
pub fn parse_unix(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses a key as HMAC secret text (used as its UTF-8 bytes).
pub fn text_secret(text: &str) -> Result<Key, Error> {
    crate::keys::Secret::from_text(text).map(Key::Hmac)
}

/// Verifies `HMAC-SHA256(secret, body)` carried as hex in `header`, after an optional prefix such as `sha256=`.
pub fn verify_body_hmac(cx: &mut Ctx<'_>, header: &'static str, prefix: &str) -> Result<Auth, Error> {
    let value = cx.header(header)?;
    let hex_part = if prefix.is_empty() {
        Ok(value.trim())
    } else {
        strip_prefix_ci(value.trim(), prefix)
            .ok_or(Error::MalformedHeader { header, reason: "the value does not start with the expected prefix" })
    };
    let hex_part = cx.checked("signature prefix", hex_part, |_| {
        if prefix.is_empty() {
            "bare hex".into()
        } else {
            format!("starts with {prefix}")
        }
    })?;
    let sig = decode_sha256_hex(header, hex_part);
    let sig = cx.checked("signature format", sig, |_| "64 hex digits".into())?;
    let key_index = cx.match_hmac(&[cx.req.body], &[sig.to_vec()])?;
    Ok(Auth { key_index, ..Auth::default() })
}

/// The headers [`verify_body_hmac`] checks.
pub fn sign_body_hmac(header: &str, prefix: &str, key: &str, body: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let secret = crate::keys::Secret::from_text(key)?;
    let tag = hmac_sha256(secret.expose(), &[body]);
    Ok(vec![(header.to_owned(), format!("{prefix}{}", ::hex::encode(tag)))])
}

/// 32 bytes from 64 hex digits, either case.
pub fn decode_sha256_hex(header: &'static str, text: &str) -> Result<[u8; 32], Error> {
    let bytes =
        crate::keys::decode_hex(text).ok_or(Error::MalformedHeader { header, reason: "the signature is not hex" })?;
    bytes.try_into().map_err(|_| Error::MalformedHeader { header, reason: "a SHA-256 signature is 64 hex digits" })
}

/// `text` without `prefix`, compared ASCII case-insensitively.
pub fn strip_prefix_ci<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_timestamps_are_strict() {
        assert_eq!(parse_unix("1763800000"), Some(1_763_800_000));
        assert_eq!(parse_unix("-5"), Some(-5));
        for bad in ["", "-", "+5", " 5", "5 ", "1e9", "99999999999999999999", "9223372036854775808", "0x10"] {
            assert_eq!(parse_unix(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn prefixes_compare_without_case() {
        assert_eq!(strip_prefix_ci("SHA256=ab", "sha256="), Some("ab"));
        assert_eq!(strip_prefix_ci("sha25", "sha256="), None);
        assert_eq!(strip_prefix_ci("é", "a"), None);
    }

    #[test]
    fn every_vendor_identifier_resolves() {
        for v in [
            "elation",
            "elmed",
            "healthie",
            "mycure",
            "standard",
            "svix",
            "stripe",
            "akute",
            "github",
            "athenahealth",
            "medplum",
            "metriport",
            "photon",
        ] {
            assert_eq!(by_vendor(v).map(|s| s.vendor()), Ok(v));
        }
        assert_eq!(by_vendor("Elation").err(), Some(Error::UnsupportedVendor));
    }
}
