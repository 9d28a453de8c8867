//! Stripe-style signatures (also Akute): `Stripe-Signature: t=<ts>,v1=<hex>[,v1=...]` over `{t}.{body}`, keyed
//! with the `whsec_...` string as text (not base64-decoded, unlike Standard Webhooks).

use super::ctx::{hmac_sha256, text_secret, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{resource_type, split_event, Attributes, EventTime};
use crate::json::Object;
use crate::keys::{decode_hex, Key, Secret};
use crate::options::Options;
use crate::{Error, Request};

#[derive(Debug)]
pub struct Stripe {
    vendor: &'static str,
    header: &'static str,
}

pub static STRIPE: Stripe = Stripe { vendor: "stripe", header: "stripe-signature" };
pub static AKUTE: Stripe = Stripe { vendor: "akute", header: "x-akute-signature" };

/// The parts of a `t=...,v1=...` header: the timestamp text and the v1 signatures (undecodable ones dropped).
pub fn parse_header<'v>(
    header: &'static str,
    value: &'v str,
    max: usize,
) -> Result<(&'v str, Vec<Vec<u8>>, usize), Error> {
    let mut t = None;
    let mut v1 = Vec::new();
    let mut count = 0;
    for item in value.split(',') {
        let (k, v) = item
            .trim()
            .split_once('=')
            .ok_or(Error::MalformedHeader { header, reason: "expected t=<timestamp>,v1=<hex>" })?;
        match k {
            "t" if t.is_some() => return Err(Error::MalformedHeader { header, reason: "more than one t= timestamp" }),
            "t" => t = Some(v),
            "v1" => {
                count += 1;
                if count > max {
                    return Err(Error::MalformedHeader { header, reason: "too many signatures" });
                }
                v1.extend(decode_hex(v));
            }
            _ => {}
        }
    }
    let t = t.ok_or(Error::MalformedHeader { header, reason: "no t= timestamp" })?;
    if count == 0 {
        return Err(Error::MalformedHeader { header, reason: "no v1= signature" });
    }
    Ok((t, v1, count))
}

impl Scheme for Stripe {
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
        let value = cx.list_header(self.header)?;
        let parsed = parse_header(self.header, value, cx.opts.max_signatures);
        let (t, sigs, _) =
            cx.checked("signature format", parsed, |(_, _, n)| format!("t= and {n} v1= signature(s)"))?;
        let timestamp = cx.timestamp(self.header, t)?;
        let key_index = cx.match_hmac(&[t.as_bytes(), b".", cx.req.body], &sigs)?;
        Ok(Auth { matched: key_index, timestamp: Some(timestamp), message_id: None })
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let secret = Secret::from_text(key)?;
        let t = input.now.to_string();
        let tag = hmac_sha256(secret.expose(), &[t.as_bytes(), b".", input.body]);
        Ok(vec![
            (self.header.to_owned(), format!("t={t},v1={}", hex::encode(tag))),
            ("content-type".to_owned(), "application/json".to_owned()),
        ])
    }

    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, auth: &Auth, _: &Options) -> Result<Attributes, Error> {
        let event = b.text("type").or_else(|| b.text("event")).unwrap_or_else(|| "unknown".to_owned());
        let (resource, verb) = split_event(&event);
        let object = b.object("data").and_then(|d| d.object("object"));
        let otype = object.as_ref().and_then(|o| o.text("object"));
        Ok(Attributes {
            distinct_by: None,
            id: b.id("id"),
            time: b.int("created").or(auth.timestamp).map(EventTime::Unix),
            resourcetype: otype.as_deref().or(verb.map(|_| resource)).and_then(resource_type),
            resourceid: object.and_then(|o| o.id("id")),
            action: verb.map(str::to_owned),
            resourceurl: None,
            event,
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: self.vendor,
            path: if self.vendor == "akute" { "/in/akute" } else { "/in/stripe" },
            body: r#"{"id":"evt_1QdemoInvoicePaid","object":"event","type":"invoice.paid","created":1763799990,"data":{"object":{"id":"in_1QdemoInvoice","object":"invoice","amount_paid":12500,"currency":"usd","customer":"cus_Qdemo"}}}"#,
            signing_key: "whsec_stripe_demo_secret_0123456789",
            extra_headers: &[],
        }
    }
}
