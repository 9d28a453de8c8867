//! Key material. HMAC secrets, Ed25519 public keys and URL tokens are distinct types; secrets zeroize on drop and
//! print as redacted.

use crate::Error;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde::Deserialize;
use serde_json::value::RawValue;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Shared-secret bytes for HMAC or a URL token.
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// The UTF-8 bytes of `text`, exactly (no trimming, no decoding).
    pub fn from_text(text: &str) -> Result<Self, Error> {
        Self::from_bytes(text.as_bytes().to_vec())
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, Error> {
        if bytes.is_empty() {
            return Err(Error::InvalidKey {
                reason: "the key is empty: an empty secret authenticates nothing, set one at the vendor",
            });
        }
        Ok(Secret(Zeroizing::new(bytes)))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Constant-time equality with `other`.
    pub fn ct_matches(&self, other: &[u8]) -> bool {
        ct_eq(&self.0, other)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// An Ed25519 public key. Verification is strict: small-order keys and non-canonical signatures are refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
    /// Whether the host may verify under this key ([`crate::host`]): worked out once, when the key is parsed.
    ordinary: bool,
}

/// The DER that precedes the 32 key bytes in an Ed25519 SubjectPublicKeyInfo (RFC 8410: algorithm 1.3.101.112).
const SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
/// The DER that precedes the 32-byte seed in an Ed25519 PKCS#8 private key (RFC 8410).
const PKCS8_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

impl PublicKey {
    /// An Ed25519 public key in any of its standard forms: base64 of the 32 raw bytes (or of the DER
    /// SubjectPublicKeyInfo), PEM (`-----BEGIN PUBLIC KEY-----`), or a JWK (`{"kty":"OKP","crv":"Ed25519","x":…}`).
    /// A shared secret, a private key or a seed in a form that says so is refused with a hint.
    pub fn parse(text: &str) -> Result<Self, Error> {
        expect_public_key(text)?;
        let t = text.trim();
        if t.starts_with("-----BEGIN") {
            return Self::from_pem(t);
        }
        if t.starts_with('{') {
            return match parse_jwk(t)?.key {
                Key::Ed25519(pk) => Ok(pk),
                _ => Err(Error::InvalidKey { reason: "this JWK is not an Ed25519 public key (kty OKP, crv Ed25519)" }),
            };
        }
        Self::from_base64(text)
    }

    /// Base64 of the 32 raw bytes (as Elation and Standard Webhooks give them), or of the DER SubjectPublicKeyInfo.
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        expect_public_key(text)?;
        let bytes = decode_base64(text.trim()).ok_or(Error::InvalidKey { reason: "the public key is not base64" })?;
        if bytes.len() == 64 {
            return Err(Error::InvalidKey {
                reason: "this is a 64-byte Ed25519 private key (seed and public key): configure the 32-byte public key",
            });
        }
        if bytes.len() == PKCS8_PREFIX.len() + 32 && bytes.starts_with(&PKCS8_PREFIX) {
            return Err(Error::InvalidKey {
                reason: "this is an Ed25519 private key (PKCS#8): configure the public key that pairs with it",
            });
        }
        if bytes.len() == SPKI_PREFIX.len() + 32 && bytes.starts_with(&SPKI_PREFIX) {
            return Self::from_spki(&bytes);
        }
        Self::from_bytes(&bytes)
    }

    /// The 32 raw bytes: a valid point that is not of small order.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let raw: [u8; 32] =
            bytes.try_into().map_err(|_| Error::InvalidKey { reason: "an Ed25519 public key is 32 bytes" })?;
        let key =
            VerifyingKey::from_bytes(&raw).map_err(|_| Error::InvalidKey { reason: "not a valid Ed25519 point" })?;
        if key.is_weak() {
            return Err(Error::InvalidKey { reason: "a small-order Ed25519 key accepts forged signatures" });
        }
        Ok(PublicKey::of(key))
    }

    fn of(key: VerifyingKey) -> Self {
        PublicKey { ordinary: crate::host::ordinary_ed25519_key(&key), key }
    }

    /// `-----BEGIN PUBLIC KEY-----` around base64 of the SubjectPublicKeyInfo. Line breaks may be real or written
    /// as `\n` (as an environment variable often holds them).
    fn from_pem(text: &str) -> Result<Self, Error> {
        let body = text
            .strip_prefix("-----BEGIN PUBLIC KEY-----")
            .and_then(|r| r.strip_suffix("-----END PUBLIC KEY-----"))
            .ok_or(Error::InvalidKey {
                reason: "a PEM public key is -----BEGIN PUBLIC KEY-----, base64, -----END PUBLIC KEY-----",
            })?;
        let b64: String = body.replace("\\n", "").replace("\\r", "").split_ascii_whitespace().collect();
        let der = decode_base64(&b64).ok_or(Error::InvalidKey { reason: "the PEM body is not base64" })?;
        Self::from_spki(&der)
    }

    fn from_spki(der: &[u8]) -> Result<Self, Error> {
        match der.strip_prefix(&SPKI_PREFIX) {
            Some(raw) if raw.len() == 32 => Self::from_bytes(raw),
            _ => Err(Error::InvalidKey {
                reason: "this public key is not Ed25519 (RSA and EC keys cannot verify Ed25519 signatures)",
            }),
        }
    }

    /// The key as a JWK (RFC 8037), with `kid` when one is given.
    pub fn to_jwk(&self, kid: Option<&str>) -> String {
        let x = URL_SAFE_NO_PAD.encode(self.key.as_bytes());
        match kid {
            Some(kid) => serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "kid": kid, "x": x }).to_string(),
            None => serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": x }).to_string(),
        }
    }

    /// Strict verification (ed25519-dalek's `verify_strict`): by the host's native crypto where one is installed
    /// and the answer cannot differ (see [`crate::host`]), else here.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(raw) = <[u8; 64]>::try_from(signature) else { return false };
        if let Some(valid) = crate::host::ed25519_verify_on_host(&self.key, self.ordinary, message, &raw) {
            return valid;
        }
        self.verifies_here(message, &raw)
    }

    /// Strict verification by the core itself, whatever host is installed.
    pub fn verifies_here(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.key.verify_strict(message, &Signature::from_bytes(signature)).is_ok()
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.key.as_bytes())
    }
}

/// A private Ed25519 key, for signing test fixtures and samples. Accepts base64 of the 32-byte seed or of the
/// 64-byte seed‖public form.
pub fn signing_key_from_base64(text: &str) -> Result<SigningKey, Error> {
    let bytes = Zeroizing::new(
        decode_base64(text.trim()).ok_or(Error::InvalidKey { reason: "the private key is not base64" })?,
    );
    let seed: [u8; 32] =
        bytes.get(..32).filter(|_| bytes.len() == 32 || bytes.len() == 64).and_then(|s| s.try_into().ok()).ok_or(
            Error::InvalidKey { reason: "an Ed25519 private key is a 32-byte seed (or 64 bytes with the public key)" },
        )?;
    Ok(SigningKey::from_bytes(&seed))
}

/// What a key's text says it is, when it says anything: the prefixes and containers that name a key's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `whpk_…`, `-----BEGIN PUBLIC KEY-----`, or a JWK with `x` and no `d` or `k`.
    PublicKey,
    /// `whsk_…`, `-----BEGIN PRIVATE KEY-----` (or another PEM private key), or a JWK with `d`.
    PrivateKey,
    /// `whsec_…` or a JWK with `k`.
    Secret,
    /// Anything else: no kind is named.
    Unnamed,
}

impl Form {
    pub fn of(text: &str) -> Form {
        let t = text.trim();
        if t.starts_with("whpk_") || t.starts_with("-----BEGIN PUBLIC KEY-----") {
            return Form::PublicKey;
        }
        if t.starts_with("whsk_") || (t.starts_with("-----BEGIN ") && t.contains("PRIVATE KEY-----")) {
            return Form::PrivateKey;
        }
        if t.starts_with("whsec_") {
            return Form::Secret;
        }
        if t.starts_with('{') {
            return match serde_json::from_str::<JwkShape<'_>>(t) {
                Ok(JwkShape { keys: Some(members), kty: None, .. }) => {
                    let forms: Vec<Form> = members
                        .iter()
                        .filter_map(|m| serde_json::from_str::<JwkShape<'_>>(m.get()).ok())
                        .map(|m| m.form())
                        .collect();
                    [Form::PrivateKey, Form::Secret, Form::PublicKey]
                        .into_iter()
                        .find(|f| forms.contains(f))
                        .unwrap_or(Form::Unnamed)
                }
                Ok(shape) => shape.form(),
                // Not JSON: still say what the text names, so that a broken private key is not read as a secret.
                Err(_) if t.contains("\"kty\"") => {
                    let has = |field: &str| t.contains(&format!("\"{field}\""));
                    if has("d") {
                        Form::PrivateKey
                    } else if has("k") {
                        Form::Secret
                    } else if has("x") {
                        Form::PublicKey
                    } else {
                        Form::Unnamed
                    }
                }
                Err(_) => Form::Unnamed,
            };
        }
        Form::Unnamed
    }
}

/// The fields of a JWK or JWK Set that say what it is.
#[derive(Deserialize)]
struct JwkShape<'a> {
    kty: Option<&'a RawValue>,
    d: Option<&'a RawValue>,
    k: Option<&'a RawValue>,
    x: Option<&'a RawValue>,
    #[serde(borrow)]
    keys: Option<Vec<&'a RawValue>>,
}

impl JwkShape<'_> {
    fn form(&self) -> Form {
        match self {
            JwkShape { kty: None, .. } => Form::Unnamed,
            JwkShape { d: Some(_), .. } => Form::PrivateKey,
            JwkShape { k: Some(_), .. } => Form::Secret,
            JwkShape { x: Some(_), .. } => Form::PublicKey,
            _ => Form::Unnamed,
        }
    }
}

/// A JWK (RFC 7517) as carehook reads it: an HMAC secret (`kty` `oct`) or an Ed25519 public key (`kty` `OKP`, `crv`
/// `Ed25519`, RFC 8037), with its `kid`.
#[derive(Debug)]
pub struct Jwk {
    pub kid: Option<String>,
    pub key: Key,
}

/// The JWK members carehook reads; others (`key_ops`, `x5c`, ...) are ignored. A repeated member is refused.
#[derive(Deserialize)]
struct JwkFields {
    kty: String,
    crv: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    x: Option<String>,
    #[serde(default, deserialize_with = "secret_member")]
    k: Option<Zeroizing<String>>,
    #[serde(default, deserialize_with = "secret_member")]
    d: Option<Zeroizing<String>>,
}

/// A secret member (`k`, `d`), wiped from memory when dropped.
fn secret_member<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Zeroizing<String>>, D::Error> {
    Option::<String>::deserialize(d).map(|v| v.map(Zeroizing::new))
}

fn jwk_fields(text: &str) -> Result<JwkFields, Error> {
    serde_json::from_str(text.trim())
        .map_err(|_| Error::InvalidKey { reason: "not a JWK: a JSON object with kty (and x, or k), each once" })
}

/// base64url, as JWKs write their members (RFC 7515: without padding; padded is accepted too).
fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok().or_else(|| URL_SAFE.decode(text).ok())
}

/// Parses one JWK that verifies: `oct` (HMAC) or an Ed25519 `OKP` public key. A private key (`d`) is refused.
pub fn parse_jwk(text: &str) -> Result<Jwk, Error> {
    let f = jwk_fields(text)?;
    if f.usage.as_deref().is_some_and(|u| u != "sig") {
        return Err(Error::InvalidKey { reason: "this JWK's use is not sig: it is not a signing key" });
    }
    if f.d.is_some() {
        return Err(Error::InvalidKey {
            reason: "this JWK is a private key (it has d): configure the public JWK, without d, and keep the private key secret",
        });
    }
    let key = match f.kty.as_str() {
        "oct" => {
            if f.alg.as_deref().is_some_and(|a| a != "HS256") {
                return Err(Error::InvalidKey { reason: "an oct JWK here is an HMAC-SHA256 key: its alg, if any, is HS256" });
            }
            let k = f.k.as_deref().ok_or(Error::InvalidKey { reason: "an oct JWK needs k (the secret, base64url)" })?;
            let bytes = decode_base64url(k).ok_or(Error::InvalidKey { reason: "the JWK's k is not base64url" })?;
            Key::Hmac(Secret::from_bytes(bytes)?)
        }
        "OKP" => {
            if f.crv.as_deref() != Some("Ed25519") {
                return Err(Error::InvalidKey { reason: "an OKP JWK here is an Ed25519 key: crv must be Ed25519" });
            }
            if f.alg.as_deref().is_some_and(|a| a != "EdDSA" && a != "Ed25519") {
                return Err(Error::InvalidKey { reason: "an Ed25519 JWK's alg, if any, is EdDSA (or Ed25519)" });
            }
            let x = f.x.as_deref().ok_or(Error::InvalidKey { reason: "an Ed25519 JWK needs x (the public key, base64url)" })?;
            let bytes = decode_base64url(x).ok_or(Error::InvalidKey { reason: "the JWK's x is not base64url" })?;
            Key::Ed25519(PublicKey::from_bytes(&bytes)?)
        }
        _ => {
            return Err(Error::InvalidKey {
                reason: "only oct (HMAC-SHA256) and OKP Ed25519 JWKs are supported: RSA and EC keys cannot verify these signatures",
            })
        }
    };
    Ok(Jwk { kid: f.kid, key })
}

/// A private Ed25519 JWK (`d`, the seed), for signing fixtures: its `kid` and key.
pub fn signing_key_from_jwk(text: &str) -> Result<(Option<String>, SigningKey), Error> {
    let f = jwk_fields(text)?;
    if f.kty != "OKP" || f.crv.as_deref() != Some("Ed25519") {
        return Err(Error::InvalidKey { reason: "a private JWK here is an Ed25519 key (kty OKP, crv Ed25519, d)" });
    }
    let d =
        f.d.as_deref().ok_or(Error::InvalidKey { reason: "a private Ed25519 JWK needs d (the seed, base64url)" })?;
    let seed = Zeroizing::new(decode_base64url(d).ok_or(Error::InvalidKey { reason: "the JWK's d is not base64url" })?);
    let seed: [u8; 32] =
        seed.as_slice().try_into().map_err(|_| Error::InvalidKey { reason: "an Ed25519 seed (d) is 32 bytes" })?;
    Ok((f.kid, SigningKey::from_bytes(&seed)))
}

/// The members of a JWK Set (`{"keys":[…]}`), each as its JSON text; `None` when `text` is not one.
fn jwks_members(text: &str) -> Option<Result<Vec<&str>, Error>> {
    let t = text.trim();
    if !t.starts_with('{') {
        return None;
    }
    match serde_json::from_str::<JwkShape<'_>>(t) {
        Ok(JwkShape { keys: Some(members), kty: None, .. }) if members.is_empty() => {
            Some(Err(Error::InvalidKey { reason: "the JWK Set holds no key" }))
        }
        Ok(JwkShape { keys: Some(members), kty: None, .. }) => Some(Ok(members.iter().map(|m| m.get()).collect())),
        _ => None,
    }
}

/// The `kid` of a JWK's text, when it is one and has one.
fn jwk_kid(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Kid {
        kid: Option<String>,
    }
    let t = text.trim();
    t.starts_with('{').then(|| serde_json::from_str::<Kid>(t).ok()).flatten().and_then(|k| k.kid)
}

/// The refusal for a key with whitespace around it, where keys are decoded (a pasted key often keeps a newline).
pub const WHITESPACE: Error = Error::InvalidKey {
    reason: "the key has whitespace or a line break around it: remove it (keys are used exactly as given)",
};

/// Refuses a public or private key where a shared secret is expected.
pub fn expect_secret(text: &str) -> Result<(), Error> {
    let t = text.trim();
    let jwk = t.starts_with('{')
        && serde_json::from_str::<JwkShape<'_>>(t).is_ok_and(|s| s.keys.is_some() || s.kty.is_some());
    if jwk && Form::of(text) != Form::PublicKey && Form::of(text) != Form::PrivateKey {
        return Err(Error::InvalidKey {
            reason: "this is a JWK or JWK Set, but this vendor takes its shared secret as plain text: configure the secret itself",
        });
    }
    match Form::of(text) {
        Form::PublicKey => Err(Error::InvalidKey {
            reason: "this is a public key (whpk_, PEM or JWK), but this vendor signs with a shared secret: configure the webhook secret",
        }),
        Form::PrivateKey => Err(Error::InvalidKey {
            reason: "this is a private key, but this vendor signs with a shared secret: configure the webhook secret (and keep the private key out of configuration)",
        }),
        Form::Secret | Form::Unnamed => Ok(()),
    }
}

/// Refuses a shared secret or a private key where an Ed25519 public key is expected.
pub fn expect_public_key(text: &str) -> Result<(), Error> {
    match Form::of(text) {
        Form::Secret => Err(Error::InvalidKey {
            reason: "this is a shared secret (whsec_), but this vendor signs with Ed25519: configure its public key",
        }),
        Form::PrivateKey => Err(Error::InvalidKey {
            reason:
                "this is a private key: configure the public key that pairs with it, and keep the private key secret",
        }),
        Form::PublicKey | Form::Unnamed => Ok(()),
    }
}

/// One entry of a keyring.
#[derive(Clone, Debug)]
pub enum Key {
    Hmac(Secret),
    Ed25519(PublicKey),
    Token(Secret),
}

/// One key of a keyring: the configured entry it comes from (a JWK Set entry holds several keys) and the id a sender
/// names it by (a JWK's `kid`).
#[derive(Clone, Debug)]
pub struct Entry {
    /// The 0-based keyring entry.
    pub index: usize,
    pub id: Option<String>,
    pub key: Key,
}

impl Entry {
    /// Whether a sender that names `key_id` may mean this key: any key when it names none; a key without an id (a
    /// PEM or base64 key) for any name.
    pub fn answers_to(&self, key_id: Option<&str>) -> bool {
        match (key_id, self.id.as_deref()) {
            (Some(wanted), Some(own)) => wanted == own,
            _ => true,
        }
    }
}

/// The keys configured for one source; any one may match (rotation).
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    keys: Vec<Entry>,
    /// Some key had whitespace around it; worth saying when nothing matches.
    padded: bool,
}

impl Keyring {
    /// Parses each key text with the scheme's parser; a JWK Set (`{"keys":[…]}`) is one entry whose every member is
    /// parsed. An empty keyring is refused.
    pub fn parse<S: AsRef<str>>(texts: &[S], parse: impl Fn(&str) -> Result<Key, Error>) -> Result<Self, Error> {
        if texts.is_empty() {
            return Err(Error::InvalidKey { reason: "no key is configured" });
        }
        let mut ring = Keyring::default();
        for (index, t) in texts.iter().enumerate() {
            let t = t.as_ref();
            ring.padded |= t.trim() != t;
            let members = match jwks_members(t) {
                Some(members) => members?,
                None => vec![t],
            };
            for m in members {
                ring.keys.push(Entry { index, id: jwk_kid(m), key: parse(m)? });
            }
        }
        Ok(ring)
    }

    /// Every key (each member of a JWK Set).
    pub fn iter(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter().map(|e| &e.key)
    }

    /// Every key with its entry and id.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.keys.iter()
    }

    /// How many keys there are (a JWK Set counts each member).
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn has_padded_key(&self) -> bool {
        self.padded
    }
}

/// Constant-time byte comparison (length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Standard base64, padded or not.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok().or_else(|| STANDARD_NO_PAD.decode(text).ok())
}

/// Hex in either case.
pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9421 Appendix B.1.4's test-key-ed25519.
    const RAW: &str = "JrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
    const SPKI: &str = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
    const X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";

    #[test]
    fn ed25519_public_keys_parse_in_every_standard_form() {
        let want = PublicKey::from_base64(RAW).unwrap();
        for form in [
            RAW.to_owned(),
            format!(" {RAW}\n"),
            SPKI.to_owned(),
            format!("-----BEGIN PUBLIC KEY-----\n{SPKI}\n-----END PUBLIC KEY-----\n"),
            "-----BEGIN PUBLIC KEY-----\r\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+\r\nvFgrIy29clF9CC/oPPsw3c5D0bs=\r\n-----END PUBLIC KEY-----".to_owned(),
            format!("-----BEGIN PUBLIC KEY-----\\n{SPKI}\\n-----END PUBLIC KEY-----"),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{X}"}}"#),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"k1","alg":"EdDSA","use":"sig","x":"{X}="}}"#),
        ] {
            assert_eq!(PublicKey::parse(&form).as_ref(), Ok(&want), "{form}");
        }
        assert_eq!(PublicKey::parse(&want.to_jwk(None)), Ok(want.clone()));
    }

    #[test]
    fn private_keys_and_secrets_where_a_public_key_belongs_are_refused_with_a_hint() {
        let seed = [7u8; 32];
        let sk = SigningKey::from_bytes(&seed);
        let d = URL_SAFE_NO_PAD.encode(seed);
        let x = URL_SAFE_NO_PAD.encode(sk.verifying_key().as_bytes());
        let pkcs8 = STANDARD.encode([PKCS8_PREFIX.as_slice(), &seed].concat());
        for (text, hint) in [
            (format!(r#"{{"kty":"OKP","crv":"Ed25519","d":"{d}","x":"{x}"}}"#), "private key"),
            (format!("-----BEGIN PRIVATE KEY-----\n{pkcs8}\n-----END PRIVATE KEY-----"), "private key"),
            (pkcs8.clone(), "private key (PKCS#8)"),
            (STANDARD.encode(sk.to_keypair_bytes()), "64-byte Ed25519 private key"),
            (format!("whsk_{}", STANDARD.encode(seed)), "private key"),
            ("whsec_c2VjcmV0".to_owned(), "shared secret"),
            (r#"{"kty":"oct","k":"c2VjcmV0"}"#.to_owned(), "shared secret"),
        ] {
            match PublicKey::parse(&text) {
                Err(Error::InvalidKey { reason }) => assert!(reason.contains(hint), "{text}: {reason}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn other_algorithms_and_bad_points_are_refused() {
        // An RSA SubjectPublicKeyInfo (2048-bit, truncated: only the algorithm matters).
        let rsa = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----";
        let identity = STANDARD.encode([[1u8].as_slice(), &[0u8; 31]].concat());
        for bad in [
            rsa.to_owned(),
            "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----".to_owned(),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----".to_owned(),
            identity.clone(),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, URL_SAFE_NO_PAD.encode([1u8; 1])),
            r#"{"kty":"OKP","crv":"Ed448","x":"AAAA"}"#.to_owned(),
            r#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#.to_owned(),
            r#"{"kty":"OKP","crv":"Ed25519"}"#.to_owned(),
            r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA","x":"AAAA"}"#.to_owned(),
        ] {
            assert_eq!(PublicKey::parse(&bad).map_err(|e| e.code()), Err("invalid_key"), "{bad}");
        }
    }

    #[test]
    fn forms_are_read_from_json_not_substrings() {
        assert_eq!(Form::of(r#"{"kty":"OKP","crv":"Ed25519","kid":"d","x":"AAAA"}"#), Form::PublicKey);
        assert_eq!(Form::of(r#"{"kty":"oct","kid":"x","k":"AAAA"}"#), Form::Secret);
        assert_eq!(Form::of(r#"{"keys":[{"kty":"OKP","x":"A"},{"kty":"OKP","x":"B","d":"C"}]}"#), Form::PrivateKey);
        assert_eq!(Form::of(r#"{"keys":[{"kty":"OKP","x":"A"}]}"#), Form::PublicKey);
        assert_eq!(Form::of(r#"{"kty":"OKP","d":"#), Form::PrivateKey);
        assert_eq!(Form::of(r#"{"hello":"world"}"#), Form::Unnamed);
    }

    #[test]
    fn a_jwk_set_is_one_entry_holding_each_key_with_its_kid() {
        let a = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2; 32]).verifying_key();
        let jwk = |k: &VerifyingKey, kid: &str| PublicKey::of(*k).to_jwk(Some(kid));
        let set = format!(r#"{{"keys":[{},{}]}}"#, jwk(&a, "a"), jwk(&b, "b"));
        let ring = Keyring::parse(&[RAW.to_owned(), set], |t| PublicKey::parse(t).map(Key::Ed25519)).unwrap();
        let entries: Vec<(usize, Option<&str>)> = ring.entries().map(|e| (e.index, e.id.as_deref())).collect();
        assert_eq!(entries, [(0, None), (1, Some("a")), (1, Some("b"))]);
        assert_eq!(ring.len(), 3);
        let named: Vec<usize> = ring.entries().filter(|e| e.answers_to(Some("b"))).map(|e| e.index).collect();
        assert_eq!(named, [0, 1], "the unnamed key answers to any keyid; of the set, only b");
        let empty = Keyring::parse(&[r#"{"keys":[]}"#], |t| PublicKey::parse(t).map(Key::Ed25519));
        assert_eq!(empty.unwrap_err().code(), "invalid_key");
    }
}
