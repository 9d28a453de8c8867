//! Stripe-style signatures: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=...]` over `{t}.{body}`, keyed with the secret
//! as text (a `whsec_...` string is not base64-decoded, unlike Standard Webhooks). Also Akute
//! (`x-akute-signature`) and Terra (`terra-signature`). Only `v1` is accepted; other schemes (`v0`) are ignored, so a
//! downgrade cannot pass.

use super::ctx::{hmac_sha256, text_secret, Auth, Ctx};
use super::scheme::{Sample, Scheme, SignInput};
use crate::event::{resource_type, split_event, Attributes, EventTime};
use crate::json::Object;
use crate::keys::{decode_hex, Key, Secret};
use crate::options::Options;
use crate::{Error, Request};

/// Reads one vendor's payload into CloudEvent attributes.
type ReadAttributes = fn(&Object<'_>, &Auth) -> Attributes;

#[derive(Debug)]
pub struct Stripe {
    vendor: &'static str,
    header: &'static str,
    attributes: ReadAttributes,
    sample: Sample,
}

const STRIPE_EVENT: &str = r#"{"id":"evt_1QdemoInvoicePaid","object":"event","type":"invoice.paid","created":1763799990,"data":{"object":{"id":"in_1QdemoInvoice","object":"invoice","amount_paid":12500,"currency":"usd","customer":"cus_Qdemo"}}}"#;

pub static STRIPE: Stripe = Stripe {
    vendor: "stripe",
    header: "stripe-signature",
    attributes: stripe_event,
    sample: Sample {
        vendor: "stripe",
        path: "/in/stripe",
        body: STRIPE_EVENT,
        signing_key: "whsec_stripe_demo_secret_0123456789",
        extra_headers: &[],
    },
};

pub static AKUTE: Stripe = Stripe {
    vendor: "akute",
    header: "x-akute-signature",
    attributes: stripe_event,
    sample: Sample {
        vendor: "akute",
        path: "/in/akute",
        body: STRIPE_EVENT,
        signing_key: "whsec_stripe_demo_secret_0123456789",
        extra_headers: &[],
    },
};

/// Terra (wearables): `terra-signature`, the dashboard's signing secret as text, ±300 s.
pub static TERRA: Stripe = Stripe {
    vendor: "terra",
    header: "terra-signature",
    attributes: terra_event,
    sample: Sample {
        vendor: "terra",
        path: "/in/terra",
        body: r#"{"type":"activity","user":{"user_id":"2e7b3c1a-5d4f-4e8a-9b6c-1f2d3e4a5b6c","provider":"FITBIT","reference_id":"patient-4411"},"data":[{"metadata":{"start_time":"2026-11-22T07:00:00.000000+00:00","end_time":"2026-11-22T07:45:00.000000+00:00"},"distance_data":{"steps":15213}}],"version":"2022-03-16"}"#,
        signing_key: "terra_demo_signing_secret_7d2e",
        extra_headers: &[],
    },
};

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
        crate::keys::expect_secret(key)?;
        let secret = Secret::from_text(key)?;
        let t = input.now.to_string();
        let tag = hmac_sha256(secret.expose(), &[t.as_bytes(), b".", input.body]);
        Ok(vec![
            (self.header.to_owned(), format!("t={t},v1={}", hex::encode(tag))),
            ("content-type".to_owned(), "application/json".to_owned()),
        ])
    }

    fn attributes(&self, b: &Object<'_>, _: &Request<'_>, auth: &Auth, _: &Options) -> Result<Attributes, Error> {
        Ok((self.attributes)(b, auth))
    }

    fn sample(&self) -> Sample {
        self.sample
    }
}

/// A Stripe event object: `{id, type, created, data: {object: {id, object}}}`.
fn stripe_event(b: &Object<'_>, auth: &Auth) -> Attributes {
    let event = b.text("type").or_else(|| b.text("event")).unwrap_or_else(|| "unknown".to_owned());
    let (resource, verb) = split_event(&event);
    let object = b.object("data").and_then(|d| d.object("object"));
    let otype = object.as_ref().and_then(|o| o.text("object"));
    Attributes {
        distinct_by: None,
        topic: None,
        id: b.id("id"),
        time: b.int("created").or(auth.timestamp).map(EventTime::Unix),
        resourcetype: otype.as_deref().or(verb.map(|_| resource)).and_then(resource_type),
        resourceid: object.and_then(|o| o.id("id")),
        action: verb.map(str::to_owned),
        resourceurl: None,
        event,
    }
}

/// Terra: `{type, user: {user_id, provider, reference_id}, data: [...], version}`. No event id is sent (the id is
/// derived from the body); the subject is the user.
fn terra_event(b: &Object<'_>, auth: &Auth) -> Attributes {
    let user = b.object("user");
    Attributes {
        event: b.text("type").unwrap_or_else(|| "unknown".to_owned()),
        time: auth.timestamp.map(EventTime::Unix),
        resourcetype: user.as_ref().map(|_| "User".to_owned()),
        resourceid: user.and_then(|u| u.id("user_id")),
        ..Attributes::default()
    }
}
