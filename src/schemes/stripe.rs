//! Stripe-style signatures (also Akute): `Stripe-Signature: t=<ts>,v1=<hex>[,v1=...]` over `{t}.{body}`, keyed
//! with the `whsec_...` string as text (not base64-decoded, unlike Standard Webhooks).

use super::{text_secret, Auth, Ctx, Sample, Scheme, SignInput};
use crate::event::{resource_type, split_event, Attributes, EventTime, JsonId};
use crate::keys::{decode_hex, Key, Secret};
use crate::source::Options;
use crate::{Error, Request};
use serde::Deserialize;

#[derive(Debug)]
pub struct Stripe {
    vendor: &'static str,
    header: &'static str,
}

pub static STRIPE: Stripe = Stripe {
    vendor: "stripe",
    header: "stripe-signature",
};
pub static AKUTE: Stripe = Stripe {
    vendor: "akute",
    header: "x-akute-signature",
};

#[derive(Deserialize)]
struct Body {
    id: Option<JsonId>,
    #[serde(rename = "type")]
    ty: Option<String>,
    event: Option<String>,
    created: Option<i64>,
    data: Option<Data>,
}

#[derive(Deserialize)]
struct Data {
    object: Option<Object>,
}

#[derive(Deserialize)]
struct Object {
    id: Option<JsonId>,
    object: Option<String>,
}

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
        let (k, v) = item.trim().split_once('=').ok_or(Error::MalformedHeader {
            header,
            reason: "expected t=<timestamp>,v1=<hex>",
        })?;
        match k {
            "t" if t.is_some() => {
                return Err(Error::MalformedHeader {
                    header,
                    reason: "more than one t= timestamp",
                })
            }
            "t" => t = Some(v),
            "v1" => {
                count += 1;
                if count > max {
                    return Err(Error::MalformedHeader {
                        header,
                        reason: "too many signatures",
                    });
                }
                v1.extend(decode_hex(v));
            }
            _ => {}
        }
    }
    let t = t.ok_or(Error::MalformedHeader {
        header,
        reason: "no t= timestamp",
    })?;
    if count == 0 {
        return Err(Error::MalformedHeader {
            header,
            reason: "no v1= signature",
        });
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
        let value = cx.header(self.header)?;
        let parsed = parse_header(self.header, value, cx.opts.max_signatures);
        let (t, sigs, _) = cx.checked("signature format", parsed, |(_, _, n)| {
            format!("t= and {n} v1= signature(s)")
        })?;
        let timestamp = cx.timestamp(self.header, t)?;
        let key_index = cx.match_hmac(&[t.as_bytes(), b".", cx.req.body], &sigs)?;
        Ok(Auth {
            key_index,
            timestamp: Some(timestamp),
            message_id: None,
        })
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let secret = Secret::from_text(key)?;
        let t = input.now.to_string();
        let tag = super::hmac_sha256(secret.expose(), &[t.as_bytes(), b".", input.body]);
        Ok(vec![
            (
                self.header.to_owned(),
                format!("t={t},v1={}", hex::encode(tag)),
            ),
            ("content-type".to_owned(), "application/json".to_owned()),
        ])
    }

    fn attributes(
        &self,
        body: &str,
        _: &Request<'_>,
        auth: &Auth,
        _: &Options,
    ) -> Result<Attributes, Error> {
        let b: Body = serde_json::from_str(body).map_err(|_| Error::InvalidPayload {
            reason: "not a Stripe-style event (id, type)",
        })?;
        let event =
            b.ty.or(b.event)
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| "unknown".to_owned());
        let (resource, verb) = split_event(&event);
        let object = b.data.and_then(|d| d.object);
        let (oid, otype) = object.map_or((None, None), |o| {
            (o.id.and_then(JsonId::into_string), o.object)
        });
        Ok(Attributes {
            id: b.id.and_then(JsonId::into_string),
            time: b.created.or(auth.timestamp).map(EventTime::Unix),
            resourcetype: otype
                .as_deref()
                .or(verb.map(|_| resource))
                .and_then(resource_type),
            resourceid: oid,
            action: verb.map(str::to_owned),
            resourceurl: None,
            event,
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: self.vendor,
            path: if self.vendor == "akute" {
                "/in/akute"
            } else {
                "/in/stripe"
            },
            body: r#"{"id":"evt_1QdemoInvoicePaid","object":"event","type":"invoice.paid","created":1763799990,"data":{"object":{"id":"in_1QdemoInvoice","object":"invoice","amount_paid":12500,"currency":"usd","customer":"cus_Qdemo"}}}"#,
            signing_key: "whsec_stripe_demo_secret_0123456789",
            extra_headers: &[],
        }
    }
}
