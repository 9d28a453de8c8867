//! Key material. HMAC secrets, Ed25519 public keys and URL tokens are distinct types; secrets zeroize on drop and
//! print as redacted.

use crate::Error;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
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
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn from_base64(text: &str) -> Result<Self, Error> {
        expect_public_key(text)?;
        let bytes = decode_base64(text.trim()).ok_or(Error::InvalidKey { reason: "the public key is not base64" })?;
        if bytes.len() == 64 {
            return Err(Error::InvalidKey {
                reason: "this is a 64-byte Ed25519 private key (seed and public key): configure the 32-byte public key",
            });
        }
        let raw: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| Error::InvalidKey { reason: "an Ed25519 public key is 32 bytes" })?;
        let key =
            VerifyingKey::from_bytes(&raw).map_err(|_| Error::InvalidKey { reason: "not a valid Ed25519 point" })?;
        if key.is_weak() {
            return Err(Error::InvalidKey { reason: "a small-order Ed25519 key accepts forged signatures" });
        }
        Ok(PublicKey(key))
    }

    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match Signature::from_slice(signature) {
            Ok(sig) => self.0.verify_strict(message, &sig).is_ok(),
            Err(_) => false,
        }
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_bytes())
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
        if t.starts_with('{') && t.contains("\"kty\"") {
            let has = |field: &str| t.contains(&format!("\"{field}\""));
            return if has("d") {
                Form::PrivateKey
            } else if has("k") {
                Form::Secret
            } else if has("x") {
                Form::PublicKey
            } else {
                Form::Unnamed
            };
        }
        Form::Unnamed
    }
}

/// The refusal for a key with whitespace around it, where keys are decoded (a pasted key often keeps a newline).
pub const WHITESPACE: Error = Error::InvalidKey {
    reason: "the key has whitespace or a line break around it: remove it (keys are used exactly as given)",
};

/// Refuses a public or private key where a shared secret is expected.
pub fn expect_secret(text: &str) -> Result<(), Error> {
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

/// The keys configured for one source; any one may match (rotation).
#[derive(Clone, Debug, Default)]
pub struct Keyring {
    keys: Vec<Key>,
    /// Some key had whitespace around it; worth saying when nothing matches.
    padded: bool,
}

impl Keyring {
    /// Parses each key text with the scheme's parser. An empty keyring is refused.
    pub fn parse<S: AsRef<str>>(texts: &[S], parse: impl Fn(&str) -> Result<Key, Error>) -> Result<Self, Error> {
        if texts.is_empty() {
            return Err(Error::InvalidKey { reason: "no key is configured" });
        }
        let mut ring = Keyring::default();
        for t in texts {
            let t = t.as_ref();
            ring.padded |= t.trim() != t;
            ring.keys.push(parse(t)?);
        }
        Ok(ring)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter()
    }

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
