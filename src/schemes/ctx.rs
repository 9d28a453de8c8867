//! The state one verification works with, and the only way to prove a match ([`Matched`]).

use crate::keys::{ct_eq, Key, Keyring};
use crate::options::Options;
use crate::report::Step;
use crate::{Error, Request};

/// Proof that a signature (or token) matched one keyring entry. Only [`Ctx`]'s matchers make one: a scheme cannot
/// build it, so it cannot claim a verification that did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Matched {
    key_index: usize,
}

impl Matched {
    /// The 0-based keyring entry that matched.
    pub fn key_index(self) -> usize {
        self.key_index
    }
}

/// What a successful signature check proves, for the normalizer. It cannot be made without a [`Matched`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    /// Which keyring entry matched.
    pub matched: Matched,
    /// The signed timestamp, for timestamped schemes.
    pub timestamp: Option<i64>,
    /// The signed message id, for schemes that sign one.
    pub message_id: Option<String>,
}

impl Auth {
    /// What a scheme that signs nothing but the body proves.
    pub fn of(matched: Matched) -> Auth {
        Auth { matched, timestamp: None, message_id: None }
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

    /// A header that may be absent; refused when longer than the limit or repeated with different values — also
    /// when a runtime joined the repeats into one value with `", "` (as Fetch and Node do), so every runtime gives
    /// the same answer. Identical repeats count as one.
    pub fn optional_header(&mut self, name: &'static str) -> Result<Option<&'a str>, Error> {
        self.read_header(name, name, true)
    }

    /// A required header whose name is configured; errors call it `label`.
    pub fn named_header(&mut self, name: &str, label: &'static str) -> Result<&'a str, Error> {
        self.read_header(name, label, true)?.ok_or(Error::MissingHeader { header: label })
    }

    /// Like [`Ctx::optional_header`], for a header whose own syntax separates items with commas (Stripe-style
    /// `t=…, v1=…`): the scheme checks the items itself.
    pub fn list_header(&mut self, name: &'static str) -> Result<&'a str, Error> {
        self.read_header(name, name, false)?.ok_or(Error::MissingHeader { header: name })
    }

    fn read_header(&mut self, name: &str, label: &'static str, single: bool) -> Result<Option<&'a str>, Error> {
        let found = self.req.headers.get_named(name, label).and_then(|v| match v {
            Some(v) if v.len() > self.opts.max_header_bytes => {
                Err(Error::MalformedHeader { header: label, reason: "longer than the header limit" })
            }
            Some(v) if single && v.contains(", ") => {
                let mut members = v.split(", ");
                let first = members.next().unwrap_or(v);
                if members.all(|m| m == first) {
                    Ok(Some(first))
                } else {
                    Err(Error::MalformedHeader { header: label, reason: "repeated with different values" })
                }
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
    pub fn match_hmac(&mut self, message_parts: &[&[u8]], signatures: &[Vec<u8>]) -> Result<Matched, Error> {
        self.match_hmac_any(&[message_parts], signatures)
    }

    /// Like [`Ctx::match_hmac`], for a scheme whose signed message has several accepted forms.
    pub fn match_hmac_any(&mut self, messages: &[&[&[u8]]], signatures: &[Vec<u8>]) -> Result<Matched, Error> {
        self.match_hmac_keyed(None, messages, signatures)
    }

    /// Like [`Ctx::match_hmac_any`], among the keys a sender naming `key_id` (a JWK's `kid`) may mean.
    pub fn match_hmac_keyed(
        &mut self,
        key_id: Option<&str>,
        messages: &[&[&[u8]]],
        signatures: &[Vec<u8>],
    ) -> Result<Matched, Error> {
        let mut hmac_keys = 0;
        for e in self.keys.entries().filter(|e| e.answers_to(key_id)) {
            let (i, Key::Hmac(secret)) = (e.index, &e.key) else { continue };
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
                    return Ok(Matched { key_index: i });
                }
            }
        }
        self.mismatch(hmac_keys, signatures.len())
    }

    /// Finds the HMAC-SHA1 key (each secret with `key_suffix` appended, as Fitbit keys it) under which `message` has
    /// one of `signatures`. SHA-1 is for that one vendor's legacy scheme only.
    pub fn match_hmac_sha1(
        &mut self,
        key_suffix: &[u8],
        message: &[&[u8]],
        signatures: &[Vec<u8>],
    ) -> Result<Matched, Error> {
        let mut hmac_keys = 0;
        for e in self.keys.entries() {
            let (i, Key::Hmac(secret)) = (e.index, &e.key) else { continue };
            hmac_keys += 1;
            let mut k = zeroize::Zeroizing::new(secret.expose().to_vec());
            k.extend_from_slice(key_suffix);
            let tag = crate::host::hmac_sha1(&k, message);
            if signatures.iter().any(|s| ct_eq(&tag, s)) {
                self.note("signature", true, || format!("HMAC-SHA1 matches key #{}", i + 1));
                return Ok(Matched { key_index: i });
            }
        }
        self.mismatch(hmac_keys, signatures.len())
    }

    /// Finds the Ed25519 key under which `message` has one of `signatures` (strict verification).
    pub fn match_ed25519(&mut self, message: &[&[u8]], signatures: &[Vec<u8>]) -> Result<Matched, Error> {
        self.match_ed25519_keyed(None, message, signatures)
    }

    /// Like [`Ctx::match_ed25519`], among the keys a sender naming `key_id` (a JWK's `kid`) may mean.
    pub fn match_ed25519_keyed(
        &mut self,
        key_id: Option<&str>,
        message: &[&[u8]],
        signatures: &[Vec<u8>],
    ) -> Result<Matched, Error> {
        let joined: Vec<u8>;
        let msg: &[u8] = match message {
            [one] => one,
            parts => {
                joined = parts.concat();
                &joined
            }
        };
        let mut ed_keys = 0;
        for e in self.keys.entries().filter(|e| e.answers_to(key_id)) {
            let (i, Key::Ed25519(pk)) = (e.index, &e.key) else { continue };
            ed_keys += 1;
            if signatures.iter().any(|s| pk.verifies(msg, s)) {
                self.note("signature", true, || format!("Ed25519 signature valid under key #{}", i + 1));
                return Ok(Matched { key_index: i });
            }
        }
        self.mismatch(ed_keys, signatures.len())
    }

    /// Finds the URL or header token equal to `token`. Every token is compared, in constant time, so the time
    /// taken does not say which one (or whether any) matched.
    pub fn match_token(&mut self, token: &[u8]) -> Option<Matched> {
        let mut matched = None;
        for e in self.keys.entries() {
            if let Key::Token(t) = &e.key {
                if t.ct_matches(token) && matched.is_none() {
                    matched = Some(Matched { key_index: e.index });
                }
            }
        }
        self.note("token", matched.is_some(), || match matched {
            Some(m) => format!("matches token #{}", m.key_index + 1),
            None => "matches no configured token".into(),
        });
        matched
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

pub use crate::host::hmac_sha256;

/// Strict Unix seconds: ASCII digits (optionally a leading '-'), within i64.
pub fn parse_unix(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses a key as HMAC secret text (used as its UTF-8 bytes). A public or private key is refused: used as a secret
/// it would let anyone who has it sign.
pub fn text_secret(text: &str) -> Result<Key, Error> {
    crate::keys::expect_secret(text)?;
    crate::keys::Secret::from_text(text).map(Key::Hmac)
}
