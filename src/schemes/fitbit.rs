//! Fitbit (Google): `X-Fitbit-Signature: base64(HMAC-SHA1(client_secret + "&", raw body))`, a legacy scheme kept
//! for this vendor alone (SHA-1 is refused everywhere else). The body is a JSON array of notifications: one event
//! each. Fitbit expects 204 for an accepted request and 404 for a refused one, and checks a subscriber endpoint
//! with `GET ?verify=<code>` (204 for the configured verification code, 404 for any other).

use super::body_hmac::sign_hmac_sha1_fitbit;
use super::ctx::{text_secret, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{Attributes, Handshake, Part, Split};
use crate::json::{parse_array_of_objects, Object};
use crate::keys::{decode_base64, Key, Keyring};
use crate::options::Options;
use crate::request::{percent_decode, query_param};
use crate::{Error, Request};

const SIGNATURE: &str = "x-fitbit-signature";

#[derive(Debug)]
pub struct Fitbit;
pub static FITBIT: Fitbit = Fitbit;

impl Scheme for Fitbit {
    fn vendor(&self) -> &'static str {
        "fitbit"
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(SIGNATURE)
    }

    /// The client secret exactly as Fitbit's dashboard shows it: the `&` is appended when verifying.
    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        text_secret(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        let value = cx.header(SIGNATURE)?.trim();
        // As received first, then percent-decoded (some senders encode the base64); `+` is never a space.
        let mut signatures: Vec<Vec<u8>> = decode_base64(value).into_iter().collect();
        if value.contains('%') {
            signatures.extend(decode_base64(&percent_decode(value)));
        }
        let found = !signatures.is_empty();
        cx.note("signature format", found, || if found { "base64, 20 bytes".into() } else { "not base64".into() });
        if !found {
            return Err(Error::MalformedHeader { header: SIGNATURE, reason: "the signature is not base64" });
        }
        if signatures.iter().any(|s| s.len() != 20) {
            return Err(Error::MalformedHeader { header: SIGNATURE, reason: "an HMAC-SHA1 signature is 20 bytes" });
        }
        cx.match_hmac_sha1(b"&", &[cx.req.body], &signatures).map(Auth::of)
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let value = sign_hmac_sha1_fitbit(key, input.body)?;
        Ok(vec![(SIGNATURE.to_owned(), value), ("content-type".to_owned(), "application/json".to_owned())])
    }

    fn attributes(&self, _: &Object<'_>, _: &Request<'_>, _: &Auth, _: &Options) -> Result<Attributes, Error> {
        Err(Error::InvalidPayload { reason: "a Fitbit body is an array of notifications" })
    }

    /// One event per notification `{collectionType, date, ownerId, ownerType, subscriptionId}`. Fitbit sends no
    /// event id: each is derived from the notification's own text.
    fn split(&self, text: &str, _: &Request<'_>, _: &Auth, _: &Options) -> Result<Option<Split>, Error> {
        let items = parse_array_of_objects(text)
            .ok_or(Error::InvalidPayload { reason: "not a Fitbit notification array (of objects)" })?;
        let parts = items
            .into_iter()
            .map(|(raw, n)| Part {
                attributes: Attributes {
                    event: n.text("collectionType").unwrap_or_else(|| "notification".to_owned()),
                    resourcetype: n.text("ownerType").map(|t| if t == "user" { "User".to_owned() } else { t }),
                    resourceid: n.id("ownerId"),
                    ..Attributes::default()
                },
                data: Some(raw.to_owned()),
            })
            .collect();
        Ok(Some(Split { parts, handshake: None }))
    }

    fn accepted_status(&self) -> u16 {
        204
    }

    fn batches(&self) -> bool {
        true
    }

    fn unauthenticated_status(&self) -> u16 {
        404
    }

    /// `GET ?verify=<code>`: 204 for the configured verification code (`verificationCode`), 404 for any other.
    fn challenge(&self, req: &Request<'_>, _: &Keyring, opts: &Options) -> Option<Handshake> {
        if !req.method.eq_ignore_ascii_case("GET") {
            return None;
        }
        let code = query_param(req.query, "verify")?;
        let expected = opts.verification_code.as_deref()?;
        let matches = crate::keys::ct_eq(code.as_bytes(), expected.as_bytes());
        Some(Handshake { status: if matches { 204 } else { 404 }, body: String::new() })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: "fitbit",
            path: "/in/fitbit",
            body: r#"[{"collectionType":"activities","date":"2026-11-22","ownerId":"228TQ4","ownerType":"user","subscriptionId":"patient-4411-activities"},{"collectionType":"sleep","date":"2026-11-22","ownerId":"228TQ4","ownerType":"user","subscriptionId":"patient-4411-sleep"}]"#,
            signing_key: "fitbit_demo_client_secret_5e8b",
            extra_headers: &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendor_vector_verifies() {
        let body = r#"[{"collectionType":"activities","date":"2026-03-29","ownerId":"ABC123","ownerType":"user","subscriptionId":"sub-1"}]"#;
        assert_eq!(
            sign_hmac_sha1_fitbit("fitbit_client_secret", body.as_bytes()).unwrap(),
            "IUq3NTmQEufGTJqLhbZoTp9t7G0="
        );
        assert_eq!(percent_decode("a%2Bb+c%3D"), "a+b+c=");
    }
}
