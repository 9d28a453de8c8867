//! Healthie: `Signature: sig1=<hex HMAC-SHA256(secret, s)>` where `s` is
//! `lower(method) path query digest application/json content_length`, joined by single spaces. The MAC covers the
//! `Content-Digest` header, not the body, so the body's SHA-256 is checked against that header too.
//!
//! The vendor's sample code drops the digest's base64 padding when it builds `s`; integrations disagree on which form
//! is signed, so both are tried (each still needs the secret).

use super::body_hmac::{decode_sha256_hex, strip_prefix_ci};
use super::ctx::{hmac_sha256, text_secret, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{resource_type, split_event, Attributes};
use crate::json::Object;
use crate::keys::{ct_eq, decode_base64, Key, Secret};
use crate::options::Options;
use crate::{Error, Request};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub struct Healthie;
pub static HEALTHIE: Healthie = Healthie;

const DIGEST: &str = "content-digest";
const SIGNATURE: &str = "signature";
const SIGNATURE_INPUT: &str = "signature-input";
const COVERED: &str = r#"sig1=("@method" "@path" "@query" "content-digest" "content-type" "content-length")"#;

impl Scheme for Healthie {
    fn vendor(&self) -> &'static str {
        "healthie"
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(DIGEST)
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        // `whsec_...` is used as text, prefix included: Healthie does not base64-decode it.
        text_secret(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        let digest = cx.header(DIGEST)?;
        let signature = cx.header(SIGNATURE)?;
        cx.optional_header(SIGNATURE_INPUT)?;

        let claimed = cx.checked("digest format", parse_digest(digest), |_| "SHA-256, 32 bytes".into())?;
        let actual: [u8; 32] = crate::host::sha256(cx.req.body);
        let same = ct_eq(&claimed, &actual);
        cx.note("digest", same, || {
            if same {
                "matches the body's SHA-256".into()
            } else {
                "differs from the body's SHA-256".into()
            }
        });
        if !same {
            return Err(Error::DigestMismatch);
        }

        let hex_sig = strip_prefix_ci(signature.trim(), "sig1=")
            .ok_or(Error::MalformedHeader { header: SIGNATURE, reason: "expected sig1=<hex>" })
            .and_then(|h| decode_sha256_hex(SIGNATURE, h));
        let sig = cx.checked("signature format", hex_sig, |_| "sig1= and 64 hex digits".into())?;

        let path = cx.opts.public_path.as_deref().unwrap_or(cx.req.path);
        let (sent, unpadded) = digest_forms(digest);
        let mut strings = vec![signed_string(cx.req, path, sent)];
        if let Some(alt) = unpadded.filter(|u| *u != sent) {
            strings.push(signed_string(cx.req, path, alt));
        }
        let source = if cx.opts.public_path.is_some() { "the configured public path" } else { "the request path" };
        cx.note("signed string", true, || format!("built with {source}; {} digest form(s) tried", strings.len()));
        let forms: Vec<[&[u8]; 1]> = strings.iter().map(|s| [s.as_bytes()]).collect();
        let forms: Vec<&[&[u8]]> = forms.iter().map(|f| f.as_slice()).collect();
        match cx.match_hmac_any(&forms, &[sig.to_vec()]) {
            Ok(key_index) => Ok(Auth::of(key_index)),
            Err(Error::SignatureMismatch { hint: Some(h) }) => Err(Error::SignatureMismatch { hint: Some(h) }),
            Err(_) => Err(Error::SignatureMismatch {
                hint: cx.opts.public_path.is_none().then_some(
                    "Healthie signs the path it posts to: if a proxy or router rewrote it, set publicPath to the registered URL's path",
                ),
            }),
        }
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        crate::keys::expect_secret(key)?;
        let secret = Secret::from_text(key)?;
        let digest = format!("SHA-256={}", STANDARD.encode(Sha256::digest(input.body)));
        let s = format!(
            "{} {} {} {} application/json {}",
            input.method.to_ascii_lowercase(),
            input.path,
            input.query,
            digest_forms(&digest).0,
            input.body.len()
        );
        let tag = hmac_sha256(secret.expose(), &[s.as_bytes()]);
        Ok(vec![
            ("content-type".into(), "application/json".into()),
            ("content-length".into(), input.body.len().to_string()),
            (DIGEST.into(), digest),
            (SIGNATURE_INPUT.into(), COVERED.into()),
            (SIGNATURE.into(), format!("sig1={}", hex::encode(tag))),
        ])
    }

    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        let event = b
            .text("event_type")
            .ok_or(Error::InvalidPayload { reason: "not a Healthie event (resource_id, event_type)" })?;
        let (resource, verb) = split_event(&event);
        Ok(Attributes {
            distinct_by: None,
            topic: None,
            id: None,
            time: None,
            resourcetype: b.text("resource_id_type").or_else(|| resource_type(resource)),
            resourceid: b.id("resource_id"),
            action: verb.map(str::to_owned),
            resourceurl: None,
            event,
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: "healthie",
            path: "/in/healthie",
            body: r#"{"resource_id":"67890","resource_id_type":"Appointment","event_type":"appointment.created","changed_fields":[],"resource_organization_id":"org_123"}"#,
            signing_key: "whsec_healthie-demo-secret",
            extra_headers: &[],
        }
    }
}

/// The digest as sent (after the first `=`), and the vendor sample's form (split on every `=`: padding dropped).
fn digest_forms(header: &str) -> (&str, Option<&str>) {
    let sent = header.split_once('=').map_or("", |(_, v)| v);
    let sample = header.split('=').nth(1);
    (sent, sample)
}

/// `SHA-256=<base64>` in any case, padded or not, RFC 9530's `:...:` wrapping, or hex.
fn parse_digest(header: &str) -> Result<[u8; 32], Error> {
    let malformed = |reason| Error::MalformedHeader { header: DIGEST, reason };
    let (alg, value) = header.trim().split_once('=').ok_or(malformed("expected SHA-256=<digest>"))?;
    if !alg.trim().eq_ignore_ascii_case("sha-256") && !alg.trim().eq_ignore_ascii_case("sha256") {
        return Err(malformed("only SHA-256 digests are accepted"));
    }
    let value = value.trim();
    let value = value.strip_prefix(':').and_then(|v| v.strip_suffix(':')).unwrap_or(value);
    if value.len() == 64 {
        if let Ok(h) = decode_sha256_hex(DIGEST, value) {
            return Ok(h);
        }
    }
    let bytes = decode_base64(value).ok_or(malformed("the digest is neither base64 nor hex"))?;
    bytes.try_into().map_err(|_| malformed("a SHA-256 digest is 32 bytes"))
}

fn signed_string(req: &Request<'_>, path: &str, digest: &str) -> String {
    format!("{} {path} {} {digest} application/json {}", req.method.to_ascii_lowercase(), req.query, req.body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_parse_in_every_published_form() {
        let want: [u8; 32] = Sha256::digest(b"{}").into();
        let b64 = STANDARD.encode(want);
        let unpadded = b64.trim_end_matches('=');
        for form in [
            format!("SHA-256={b64}"),
            format!("sha-256={b64}"),
            format!("SHA-256={unpadded}"),
            format!("sha-256=:{b64}:"),
            format!("sha256={}", hex::encode(want)),
            format!("SHA-256={}", hex::encode_upper(want)),
        ] {
            assert_eq!(parse_digest(&form), Ok(want), "{form}");
        }
        for bad in ["", "SHA-256", "MD5=abc", "SHA-256=!!", "SHA-256=AAAA"] {
            assert_eq!(parse_digest(bad).map_err(|e| e.code()), Err("malformed_header"), "{bad}");
        }
    }

    #[test]
    fn the_sample_form_drops_padding() {
        assert_eq!(digest_forms("SHA-256=abc="), ("abc=", Some("abc")));
        assert_eq!(digest_forms("SHA-256=abc"), ("abc", Some("abc")));
    }
}
