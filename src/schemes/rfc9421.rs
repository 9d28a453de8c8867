//! RFC 9421 HTTP Message Signatures, for any sender that signs with them: `Signature-Input` and `Signature`
//! (RFC 8941 dictionaries with the same labels), the signature base built as §2.5 says, `hmac-sha256` and `ed25519`.
//! The body is authenticated only through `Content-Digest` (RFC 9530): by default a signature that does not cover
//! `content-digest` is refused, and the digest is checked against the raw body.
//!
//! Where the RFC leaves the choice to the verifier:
//! - `created` is required and within the tolerance both ways (without it a captured request could be replayed at
//!   any time); `expires`, when present, is the sender's own limit and is honoured as given, with no tolerance.
//! - `keyid` selects the keys with that JWK `kid` (a key configured without one, PEM or base64, answers to any);
//!   `alg`, when present, must name the selected key's algorithm. The algorithm always comes from the key: the
//!   request cannot turn an Ed25519 public key into an HMAC secret.
//! - Several signatures: every one that satisfies the policy (`requiredTag`, `requiredComponents`, the digest) is
//!   tried and any may match; when none does, the error is the one of the signature that got furthest.
//! - A label or parameter repeated with different values, a component covered twice, component parameters (`;sf`,
//!   `;key`, ...) and derived components other than `@method`, `@target-uri`, `@authority`, `@scheme`, `@path`,
//!   `@query` are refused. Repeated field lines are joined with `", "` first, as RFC 8941 says, so a runtime that
//!   joins them gives the same answer.
//! - `@scheme`, `@authority` and `@target-uri` come from `publicUrl` when it is set (its path, when it has one, is
//!   `@path`), else from the `Host` header over `https`.

pub mod sfv;

mod base;
mod digest;

use super::ctx::{hmac_sha256, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{resource_type, split_event, Attributes, EventTime};
use crate::json::Object;
use crate::keys::{parse_jwk, signing_key_from_jwk, Form, Key, PublicKey};
use crate::options::{normalize_authority, Options};
use crate::{Error, Headers, Request};
use base::{Input, Message};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::Signer;
use sfv::{parse_dictionary, Bare, Item, Member};

#[derive(Debug)]
pub struct Rfc9421;
pub static RFC9421: Rfc9421 = Rfc9421;

const SIGNATURE_INPUT: &str = "signature-input";
const SIGNATURE: &str = "signature";
const DIGEST: &str = "content-digest";
/// What `sign` covers. Not `@target-uri`: `sign` is not told the origin a request will be sent to.
const SIGNED: [&str; 5] = ["@method", "@path", "@query", "content-type", "content-digest"];

const TAG_HINT: &str = "no signature carries the tag requiredTag names";
const DIGEST_HINT: &str = "the signature does not cover content-digest, so it does not authenticate the body: the sender must sign Content-Digest (or set requireContentDigest to false)";
const COMPONENTS_HINT: &str = "the signature does not cover every component requiredComponents names";
const KEYID_HINT: &str = "no configured key has the signature's keyid: add that key (a JWK with that kid)";
const ALG_HINT: &str = "the signature's alg is not the algorithm of the key its keyid names";
const UNKNOWN_ALG_HINT: &str = "carehook verifies the algorithms hmac-sha256 and ed25519 only";

/// How far one signature got before it failed: the error reported is the one of the signature that got furthest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Read,
    Tag,
    Coverage,
    Checked,
}

impl Scheme for Rfc9421 {
    fn vendor(&self) -> &'static str {
        "rfc9421"
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(SIGNATURE_INPUT)
    }

    /// A JWK with a `kid` (`oct` for HMAC, `OKP` Ed25519 for a public key; a JWK Set is one keyring entry), or an
    /// Ed25519 public key as PEM or base64 (it then answers to any keyid).
    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        if !text.trim().starts_with('{') {
            if matches!(Form::of(text), Form::Secret) {
                return Err(Error::InvalidKey {
                    reason: "an rfc9421 HMAC key is a JWK: {\"kty\":\"oct\",\"kid\":…,\"k\":<base64url>}",
                });
            }
            return PublicKey::parse(text).map(Key::Ed25519).map_err(|e| match e {
                Error::InvalidKey { reason: "the public key is not base64" } => Error::InvalidKey {
                    reason: "an rfc9421 key is a JWK ({\"kty\":\"oct\",\"kid\":…,\"k\":…} or {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":…,\"x\":…}), a JWK Set, or an Ed25519 public key (PEM or base64)",
                },
                e => e,
            });
        }
        let jwk = parse_jwk(text)?;
        usable_kid(jwk.kid)?;
        Ok(jwk.key)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        let inputs_text = field(cx, SIGNATURE_INPUT)?.ok_or(Error::MissingHeader { header: SIGNATURE_INPUT })?;
        let sigs_text = field(cx, SIGNATURE)?.ok_or(Error::MissingHeader { header: SIGNATURE })?;
        let inputs = dictionary(cx, SIGNATURE_INPUT, &inputs_text)?;
        let sigs = dictionary(cx, SIGNATURE, &sigs_text)?;
        cx.limit_signatures(SIGNATURE_INPUT, inputs.len())?;
        cx.limit_signatures(SIGNATURE, sigs.len())?;
        if inputs.is_empty() {
            return Err(Error::MalformedHeader { header: SIGNATURE_INPUT, reason: "it holds no signature" });
        }

        // The digest is checked whenever it is sent (a mismatch is never right); it counts for a signature only
        // when that signature covers it.
        let digest = match field(cx, DIGEST)? {
            Some(value) => {
                let checked = digest::check(&value, cx.req.body);
                match &checked {
                    Ok(algs) => {
                        let (algs, verb) = (algs.join(" and "), if algs.len() > 1 { "match" } else { "matches" });
                        cx.note("digest", true, || format!("the body's {algs} {verb} Content-Digest"));
                    }
                    Err(e) => cx.note("digest", false, || e.to_string()),
                }
                if checked == Err(Error::DigestMismatch) {
                    return Err(Error::DigestMismatch);
                }
                Some(checked.map(|_| ()))
            }
            None => None,
        };

        let authority = match &cx.opts.public_url {
            Some(u) => Ok(u.authority.clone()),
            // Read without a report step: most signatures never need it.
            None => match cx.req.headers.get("host") {
                Ok(Some(h)) => normalize_authority("https", h.trim())
                    .ok_or(Error::MalformedHeader { header: "host", reason: "not a host[:port]" }),
                Ok(None) => Err(Error::MissingHeader { header: "host" }),
                Err(e) => Err(e),
            },
        };
        let msg = Message {
            method: cx.req.method,
            scheme: cx.opts.public_url.as_ref().map_or("https", |u| u.scheme.as_str()),
            authority: authority.as_deref().map_err(Clone::clone),
            path: cx
                .opts
                .public_url
                .as_ref()
                .and_then(|u| u.path.as_deref())
                .or(cx.opts.public_path.as_deref())
                .unwrap_or(cx.req.path),
            query: cx.req.query,
            headers: cx.req.headers,
            max_field_bytes: cx.opts.max_header_bytes,
        };

        let mut furthest: Option<(Stage, Error)> = None;
        for (label, member) in &inputs {
            match verify_one(cx, label, member, &sigs, &msg, digest.as_ref()) {
                Ok(auth) => return Ok(auth),
                Err((stage, e)) => {
                    if furthest.as_ref().is_none_or(|(s, _)| stage > *s) {
                        furthest = Some((stage, e));
                    }
                }
            }
        }
        Err(furthest.map_or(Error::SignatureMismatch { hint: None }, |(_, e)| e))
    }

    fn sign(&self, signing_key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let signer = Signer9421::of(signing_key)?;
        let digest = digest::sha256_field(input.body);
        let items: Vec<Item> =
            SIGNED.iter().map(|c| Item { bare: Bare::String((*c).to_owned()), params: Vec::new() }).collect();
        let params = vec![
            ("created".to_owned(), Bare::Integer(input.now)),
            ("keyid".to_owned(), Bare::String(signer.kid.clone())),
            ("alg".to_owned(), Bare::String(signer.alg().to_owned())),
        ];
        let member = Member::List(items.clone(), params.clone());
        let headers: Headers = [("content-type", "application/json"), (DIGEST, digest.as_str())].into_iter().collect();
        let msg = Message {
            method: input.method,
            scheme: "https",
            authority: Err(Error::MissingHeader { header: "host" }),
            path: input.path,
            query: input.query,
            headers: &headers,
            max_field_bytes: usize::MAX,
        };
        let base = Input::read(&member)?.base(&msg)?;
        let signature = signer.sign(base.as_bytes());
        Ok(vec![
            ("content-type".into(), "application/json".into()),
            (DIGEST.into(), digest),
            (SIGNATURE_INPUT.into(), format!("sig1={}", sfv::serialize_list(&items, &params))),
            (SIGNATURE.into(), format!("sig1=:{}:", B64.encode(signature))),
        ])
    }

    /// The same JWK for an HMAC key; the public JWK (same `kid`) for a private Ed25519 JWK.
    fn verify_key(&self, signing_key: &str) -> Result<String, Error> {
        match Signer9421::of(signing_key)?.key {
            SigningKey::Hmac(_) => Ok(signing_key.to_owned()),
            SigningKey::Ed25519(sk) => {
                let kid = Signer9421::of(signing_key)?.kid;
                PublicKey::from_bytes(sk.verifying_key().as_bytes()).map(|pk| pk.to_jwk(Some(&kid)))
            }
        }
    }

    /// Any JSON object: `type` (or `event`) is the event name, `id` the event id, `time` (or `timestamp`) the time,
    /// `data.id` the resource id. Without an id, one is derived from the body.
    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, auth: &Auth, _: &Options) -> Result<Attributes, Error> {
        let event = b.text("type").or_else(|| b.text("event")).unwrap_or_else(|| "unknown".to_owned());
        let (resource, verb) = split_event(&event);
        Ok(Attributes {
            id: b.id("id"),
            time: b
                .text("time")
                .or_else(|| b.text("timestamp"))
                .map(EventTime::Text)
                .or(auth.timestamp.map(EventTime::Unix)),
            resourcetype: verb.and_then(|_| resource_type(resource)),
            resourceid: b.object("data").and_then(|d| d.id("id")),
            action: verb.map(str::to_owned),
            event,
            ..Attributes::default()
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: "rfc9421",
            path: "/in/rfc9421",
            body: r#"{"id":"evt_01JDX7Q2M4RFC9421","type":"appointment.booked","time":"2026-11-22T08:00:00Z","data":{"id":"appt_7781","patient":"pat_01J9Z","start":"2026-11-24T09:30:00Z","practitioner":"prac_204"}}"#,
            signing_key: r#"{"kty":"oct","kid":"carehook-demo-2026","alg":"HS256","k":"Y2FyZWhvb2stZGVtby1yZmM5NDIxLWhtYWMta2V5LTE"}"#,
            extra_headers: &[],
        }
    }
}

/// A field as RFC 8941 reads it: every line sent, joined with `", "` (what a runtime that joins repeated headers
/// passes too). Refused when longer than the header limit.
fn field(cx: &mut Ctx<'_>, name: &'static str) -> Result<Option<String>, Error> {
    let lines: Vec<&str> = cx.req.headers.all(name).collect();
    let check = format!("header {name}");
    if lines.is_empty() {
        cx.note(&check, false, || "absent".into());
        return Ok(None);
    }
    let joined = lines.join(", ");
    let (n, limit) = (joined.len(), cx.opts.max_header_bytes);
    cx.note(&check, n <= limit, || format!("present, {n} bytes"));
    if n > limit {
        return Err(Error::MalformedHeader { header: name, reason: "longer than the header limit" });
    }
    Ok(Some(joined))
}

fn dictionary(cx: &mut Ctx<'_>, header: &'static str, text: &str) -> Result<sfv::Dictionary, Error> {
    let parsed = parse_dictionary(text).map_err(|reason| Error::MalformedHeader { header, reason });
    cx.checked(&format!("{header} format"), parsed, |d| format!("a dictionary of {} member(s)", d.len()))
}

/// Checks the signature labelled `label`; on failure, how far it got.
fn verify_one(
    cx: &mut Ctx<'_>,
    label: &str,
    member: &Member,
    sigs: &sfv::Dictionary,
    msg: &Message<'_>,
    digest: Option<&Result<(), Error>>,
) -> Result<Auth, (Stage, Error)> {
    let at = |stage: Stage| move |e: Error| (stage, e);
    let input = cx.checked(&format!("signature {label}: parameters"), Input::read(member), |i| {
        format!("covers {}", i.components.join(" "))
    });
    let input = input.map_err(at(Stage::Read))?;

    if let Some(tag) = cx.opts.required_tag.as_deref() {
        let ok = input.tag.as_deref() == Some(tag);
        cx.note(&format!("signature {label}: tag"), ok, || {
            if ok {
                "the required tag".into()
            } else {
                "not the required tag".into()
            }
        });
        if !ok {
            return Err((Stage::Tag, Error::SignatureMismatch { hint: Some(TAG_HINT) }));
        }
    }

    let digest_missing = cx.opts.require_content_digest && !input.covers(DIGEST);
    let components_missing = cx.opts.required_components.iter().any(|c| !input.covers(c));
    cx.note(&format!("signature {label}: coverage"), !digest_missing && !components_missing, || {
        if digest_missing {
            "content-digest is not covered: the body is not authenticated".into()
        } else if components_missing {
            "a required component is not covered".into()
        } else {
            "covers what is required".into()
        }
    });
    if digest_missing || components_missing {
        let hint = if digest_missing { DIGEST_HINT } else { COMPONENTS_HINT };
        return Err((Stage::Coverage, Error::SignatureMismatch { hint: Some(hint) }));
    }

    checked(cx, label, &input, sigs, msg, digest).map_err(at(Stage::Checked))
}

/// The signature's value, its time, the digest it covers, and the signature itself.
fn checked(
    cx: &mut Ctx<'_>,
    label: &str,
    input: &Input,
    values: &sfv::Dictionary,
    msg: &Message<'_>,
    digest: Option<&Result<(), Error>>,
) -> Result<Auth, Error> {
    let member = values.iter().find(|(l, _)| l == label).map(|(_, m)| m);
    let signature = match member {
        Some(Member::Item(Item { bare: Bare::Bytes(b), .. })) => b.clone(),
        Some(_) => {
            return Err(Error::MalformedHeader {
                header: SIGNATURE,
                reason: "a signature is a byte sequence: label=:<base64>:",
            })
        }
        None => {
            return Err(Error::MalformedHeader {
                header: SIGNATURE,
                reason: "it has no signature for a label of Signature-Input",
            })
        }
    };

    let created = input.created.ok_or(Error::MalformedHeader {
        header: SIGNATURE_INPUT,
        reason: "created is required: without it a captured request could be replayed at any time",
    })?;
    cx.timestamp(SIGNATURE_INPUT, &created.to_string())?;
    if let Some(expires) = input.expires {
        if expires < created {
            return Err(Error::MalformedHeader { header: SIGNATURE_INPUT, reason: "expires is before created" });
        }
        // The sender's own limit, honoured as given: the tolerance is for `created`, which says when, not until when
        // (with it added, `expires` could never refuse what `created` accepts).
        let late = cx.now.saturating_sub(expires);
        cx.note("expires", late <= 0, || {
            if late > 0 {
                format!("expired {late}s ago")
            } else {
                format!("expires in {}s", late.unsigned_abs())
            }
        });
        if late > 0 {
            return Err(Error::TimestampOutOfTolerance { skew: expires.saturating_sub(cx.now), tolerance: 0 });
        }
    }

    if input.covers(DIGEST) {
        match digest {
            Some(Err(e)) => return Err(e.clone()),
            Some(Ok(())) => {}
            None => return Err(Error::MissingHeader { header: DIGEST }),
        }
    }

    let base =
        cx.checked("signature base", input.base(msg), |b| format!("{} lines, {} bytes", b.lines().count(), b.len()))?;
    match_key(cx, input, base.as_bytes(), signature).map(|matched| Auth {
        matched,
        timestamp: Some(created),
        message_id: None,
    })
}

/// Finds the key `keyid` names (every key without one) whose algorithm is `alg` (the key's own without one).
fn match_key(cx: &mut Ctx<'_>, input: &Input, base: &[u8], signature: Vec<u8>) -> Result<super::ctx::Matched, Error> {
    #[derive(PartialEq)]
    enum Alg {
        Shared,
        Ed25519,
    }
    let alg = match input.alg.as_deref() {
        None => None,
        Some("hmac-sha256") => Some(Alg::Shared),
        Some("ed25519") => Some(Alg::Ed25519),
        Some(_) => return Err(Error::SignatureMismatch { hint: Some(UNKNOWN_ALG_HINT) }),
    };
    let keyid = input.keyid.as_deref();
    let named: Vec<&Key> = cx.keys.entries().filter(|e| e.answers_to(keyid)).map(|e| &e.key).collect();
    cx.note("keyid", !named.is_empty(), || match keyid {
        Some(_) => format!("{} configured key(s) answer to the keyid", named.len()),
        None => "no keyid: every key is tried".into(),
    });
    if named.is_empty() {
        return Err(Error::SignatureMismatch { hint: Some(KEYID_HINT) });
    }
    let has_shared = named.iter().any(|k| matches!(k, Key::Hmac(_)));
    let has_ed = named.iter().any(|k| matches!(k, Key::Ed25519(_)));
    if (alg == Some(Alg::Shared) && !has_shared) || (alg == Some(Alg::Ed25519) && !has_ed) {
        cx.note("alg", false, || "names another algorithm than the key's".into());
        return Err(Error::SignatureMismatch { hint: Some(ALG_HINT) });
    }
    let sigs = [signature];
    let mut matched = Err(Error::SignatureMismatch { hint: None });
    if has_shared && alg != Some(Alg::Ed25519) {
        matched = cx.match_hmac_keyed(keyid, &[&[base]], &sigs);
    }
    if matched.is_err() && has_ed && alg != Some(Alg::Shared) {
        matched = cx.match_ed25519_keyed(keyid, &[base], &sigs);
    }
    matched
}

/// A JWK's `kid`, which a signature's `keyid` (an RFC 8941 string: printable ASCII) must be able to name.
fn usable_kid(kid: Option<String>) -> Result<String, Error> {
    match kid {
        Some(k) if !k.is_empty() && k.bytes().all(|b| (0x20..=0x7e).contains(&b)) => Ok(k),
        Some(k) if !k.is_empty() => Err(Error::InvalidKey {
            reason: "a kid here is printable ASCII: the signature's keyid, which names it, can hold nothing else",
        }),
        _ => Err(Error::InvalidKey { reason: "an rfc9421 JWK needs a kid: the signature's keyid names it" }),
    }
}

/// What `sign` signs with: an HMAC JWK or a private Ed25519 JWK, and its `kid`.
struct Signer9421 {
    kid: String,
    key: SigningKey,
}

enum SigningKey {
    Hmac(crate::keys::Secret),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

impl Signer9421 {
    fn of(text: &str) -> Result<Self, Error> {
        if matches!(Form::of(text), Form::PrivateKey) {
            let (kid, sk) = signing_key_from_jwk(text)?;
            return Ok(Signer9421 { kid: usable_kid(kid)?, key: SigningKey::Ed25519(Box::new(sk)) });
        }
        let jwk = parse_jwk(text)?;
        let Key::Hmac(secret) = jwk.key else {
            return Err(Error::InvalidKey {
                reason: "a public key cannot sign: sign with the HMAC JWK or the private Ed25519 JWK (with d)",
            });
        };
        Ok(Signer9421 { kid: usable_kid(jwk.kid)?, key: SigningKey::Hmac(secret) })
    }

    fn alg(&self) -> &'static str {
        match self.key {
            SigningKey::Hmac(_) => "hmac-sha256",
            SigningKey::Ed25519(_) => "ed25519",
        }
    }

    fn sign(&self, base: &[u8]) -> Vec<u8> {
        match &self.key {
            SigningKey::Hmac(secret) => hmac_sha256(secret.expose(), &[base]).to_vec(),
            SigningKey::Ed25519(sk) => sk.sign(base).to_bytes().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests;
