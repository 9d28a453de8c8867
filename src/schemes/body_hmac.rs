//! The shape several vendors share: HMAC-SHA256 of the raw body, hex, in one header, after an optional prefix
//! (`sha256=`). Each vendor differs only in names and in how its payload reads: see `hub.rs` and `hex.rs`.

use super::ctx::{hmac_sha256, text_secret, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{Attributes, Handshake};
use crate::json::Object;
use crate::keys::Key;
use crate::options::Options;
use crate::{Error, Request};

/// Reads one vendor's payload (and the unsigned headers it names) into CloudEvent attributes.
pub type ReadAttributes = fn(&Object<'_>, &Request<'_>) -> Result<Attributes, Error>;
/// Reads a verified body as an endpoint check, when it is one.
pub type ReadHandshake = fn(&Object<'_>) -> Option<Handshake>;

#[derive(Debug)]
pub struct BodyHmac {
    pub vendor: &'static str,
    pub header: &'static str,
    /// What precedes the hex (`sha256=`), compared without case; empty for bare hex.
    pub prefix: &'static str,
    pub sample: Sample,
    pub attributes: ReadAttributes,
    pub handshake: Option<ReadHandshake>,
}

impl Scheme for BodyHmac {
    fn vendor(&self) -> &'static str {
        self.vendor
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(self.header)
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        text_secret(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        verify_body_hmac(cx, self.header, self.prefix)
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let mut headers = sign_body_hmac(self.header, self.prefix, key, input.body)?;
        headers.extend(self.sample.extra_headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        Ok(headers)
    }

    fn attributes(&self, b: &Object<'_>, req: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        (self.attributes)(b, req)
    }

    fn sample(&self) -> Sample {
        self.sample
    }

    fn handshake(&self, body: &Object<'_>) -> Option<Handshake> {
        self.handshake.and_then(|read| read(body))
    }
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
    Ok(Auth::of(key_index))
}

/// The headers [`verify_body_hmac`] checks.
pub fn sign_body_hmac(header: &str, prefix: &str, key: &str, body: &[u8]) -> Result<Vec<(String, String)>, Error> {
    crate::keys::expect_secret(key)?;
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

/// Fitbit's `X-Fitbit-Signature` value: base64 of HMAC-SHA1 keyed with the client secret and `&`.
pub fn sign_hmac_sha1_fitbit(client_secret: &str, body: &[u8]) -> Result<String, Error> {
    use base64::Engine;
    crate::keys::expect_secret(client_secret)?;
    let secret = crate::keys::Secret::from_text(client_secret)?;
    let mut key = zeroize::Zeroizing::new(secret.expose().to_vec());
    key.push(b'&');
    Ok(base64::engine::general_purpose::STANDARD.encode(crate::host::hmac_sha1(&key, &[body])))
}
