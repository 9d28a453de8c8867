//! The JavaScript bindings (feature `wasm`): translation only. Every decision is made by the core.
//!
//! Values cross the boundary as bytes and flat strings: the body as `&[u8]`, headers as one string of
//! `name\0value\0...`, results as JSON text that the package's JavaScript parses once.

use crate::options::SourceConfig;
use crate::schemes::{self, SignInput};
use crate::source::Source;
use crate::{Error, Headers, Request};
use wasm_bindgen::prelude::*;

/// A thrown error: `{ code, message, hint, verified }`, turned into a `CarehookError` by the package.
fn js_error(e: &Error) -> JsValue {
    let obj = js_sys::Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &v);
    };
    set("code", JsValue::from_str(e.code()));
    set("message", JsValue::from_str(&e.to_string()));
    let hint = match e {
        // The list comes from the registry, so it names every vendor there is.
        Error::UnsupportedVendor => Some(format!("use one of: {}", crate::vendors().collect::<Vec<_>>().join(", "))),
        _ => e.hint().map(str::to_owned),
    };
    set("hint", hint.map_or(JsValue::NULL, |h| JsValue::from_str(&h)));
    set("verified", JsValue::from_bool(e.verified()));
    obj.into()
}

/// Source options arrive as JSON text (one string across the boundary, parsed by the serde_json already linked).
fn config(json: &str) -> Result<SourceConfig, JsValue> {
    serde_json::from_str(json).map_err(|e| js_sys::TypeError::new(&format!("carehook: invalid options: {e}")).into())
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| String::from("null"))
}

/// The method, the target and the flat headers of a request passed as one `\0`-joined UTF-8 string (one copy across
/// the boundary: the package encodes it with `TextEncoder`, faster than the bindings' own string transfer).
fn request_parts(request: &[u8]) -> Result<(&str, &str, &str), JsValue> {
    let text = std::str::from_utf8(request)
        .map_err(|_| JsValue::from(js_sys::TypeError::new("carehook: the request line and headers are not UTF-8")))?;
    let mut parts = text.splitn(3, '\0');
    Ok((parts.next().unwrap_or("POST"), parts.next().unwrap_or("/"), parts.next().unwrap_or("")))
}

/// The one event of a request; a request with none (a handshake) or several is refused, so none is dropped.
fn single(verified: &crate::Verified) -> Result<&crate::CloudEvent, JsValue> {
    match verified.events() {
        [one] => Ok(one),
        [] => Err(js_error(&Error::InvalidPayload {
            reason: "the request carries no event (a handshake or heartbeat): use verifyAll() to see what to answer",
        })),
        _ => Err(js_error(&Error::InvalidPayload {
            reason: "the request carries several events: use verifyAll() to receive every one",
        })),
    }
}

/// Seconds since the epoch from a JS number, saturating (NaN reads as 0).
fn seconds(now: f64) -> i64 {
    now as i64
}

/// A parsed source: keys are decoded once, then many requests verified.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Verifier {
    source: Source,
}

impl Verifier {
    fn verified(
        &self,
        method: &str,
        url: &str,
        headers_flat: &str,
        body: &[u8],
        now: f64,
        remote_ip: Option<String>,
    ) -> Result<crate::Verified, JsValue> {
        let h = Headers::from_flat(headers_flat);
        let req = Request::new(method, url, &h, body).with_remote_ip(remote_ip.as_deref());
        self.source.verify(&req, seconds(now)).map_err(|e| js_error(&e))
    }
}

#[wasm_bindgen]
impl Verifier {
    #[wasm_bindgen(constructor)]
    pub fn new(options: &str) -> Result<Verifier, JsValue> {
        let cfg = config(options)?;
        Source::from_config(&cfg).map(|source| Verifier { source }).map_err(|e| js_error(&e))
    }

    #[wasm_bindgen(getter)]
    pub fn vendor(&self) -> String {
        self.source.vendor().to_owned()
    }

    /// The CloudEvent as JSON text, or throws `{ code, ... }`.
    pub fn verify(
        &self,
        method: &str,
        url: &str,
        headers_flat: &str,
        body: &[u8],
        now: f64,
        remote_ip: Option<String>,
    ) -> Result<String, JsValue> {
        let verified = self.verified(method, url, headers_flat, body, now, remote_ip)?;
        let one = single(&verified)?;
        Ok(one.to_json())
    }

    /// The one event of a request, flat: `B`, `N` or `J`, a letter per attribute present (see
    /// `CloudEvent::push_flat_attributes` and `attributeNames`), each value after a `\0`, then for `J` a `\0` and
    /// the data's JSON text. `B`: the data is the request body, byte for byte (the caller
    /// holds it); `N`: the event has no data. `request` is the method, the target and the flat headers, joined by
    /// NULs, as UTF-8 bytes (see `request_parts`). Throws `{ code, ... }` like `verify`, and for a request with no
    /// event or several.
    #[wasm_bindgen(js_name = verifyOne)]
    pub fn verify_one(
        &self,
        request: &[u8],
        body: &[u8],
        now: f64,
        remote_ip: Option<String>,
    ) -> Result<String, JsValue> {
        let (method, url, headers_flat) = request_parts(request)?;
        let verified = self.verified(method, url, headers_flat, body, now, remote_ip)?;
        let one = single(&verified)?;
        let data = one.data();
        let mut out = String::with_capacity(512 + if one.data_is_body() { 0 } else { data.len() });
        out.push(match (one.data_is_body(), data.is_empty()) {
            (true, _) => 'B',
            (false, true) => 'N',
            (false, false) => 'J',
        });
        one.push_flat_attributes(&mut out);
        if !one.data_is_body() && !data.is_empty() {
            out.push('\0');
            out.push_str(data);
        }
        Ok(out)
    }

    /// Every event of the request and the answer a handshake expects, as JSON text
    /// `{"events": [CloudEvent...], "handshake": {"status", "body"} | null, "bodyData": [index...]}`, or throws
    /// `{ code, ... }`. An event listed in `bodyData` is written without `data`: its data is the request body, byte
    /// for byte, which the caller already holds (the package parses it from there, once, instead of copying the body
    /// into the answer and back).
    #[wasm_bindgen(js_name = verifyEvents)]
    pub fn verify_events(
        &self,
        request: &[u8],
        body: &[u8],
        now: f64,
        remote_ip: Option<String>,
    ) -> Result<String, JsValue> {
        let (method, url, headers_flat) = request_parts(request)?;
        let verified = self.verified(method, url, headers_flat, body, now, remote_ip)?;
        let mut out = String::from("{\"events\":[");
        let mut from_body = String::new();
        for (i, e) in verified.events().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if e.data_is_body() {
                out.push_str(&e.head_json());
                if !from_body.is_empty() {
                    from_body.push(',');
                }
                from_body.push_str(&i.to_string());
            } else {
                out.push_str(&e.to_json());
            }
        }
        out.push_str("],\"handshake\":");
        out.push_str(&verified.handshake().map_or_else(|| "null".to_owned(), to_json));
        out.push_str(",\"bodyData\":[");
        out.push_str(&from_body);
        out.push_str("]}");
        Ok(out)
    }

    /// The answer to a vendor's own endpoint check (DrChrono's `GET ?msg=`), as JSON text `{"status", "body"}`, or
    /// `undefined` when the request is not one.
    pub fn challenge(&self, method: &str, url: &str, headers_flat: &str) -> Option<String> {
        let h = Headers::from_flat(headers_flat);
        self.source.challenge(&Request::new(method, url, &h, b"")).map(|hs| to_json(&hs))
    }
}

/// The inspection report as JSON text. `options.vendor` may be empty to detect it. Never throws for bad requests.
#[wasm_bindgen]
pub fn inspect(
    options: &str,
    method: &str,
    url: &str,
    headers_flat: &str,
    body: &[u8],
    now: f64,
    remote_ip: Option<String>,
) -> Result<String, JsValue> {
    let cfg = config(options)?;
    let h = Headers::from_flat(headers_flat);
    let req = Request::new(method, url, &h, body).with_remote_ip(remote_ip.as_deref());
    Ok(to_json(&crate::inspect(&cfg, &req, seconds(now))))
}

/// Signed headers as JSON `[[name, value], ...]`.
#[wasm_bindgen]
pub fn sign(
    vendor: &str,
    signing_key: &str,
    method: &str,
    url: &str,
    body: &[u8],
    now: f64,
    id: Option<String>,
) -> Result<String, JsValue> {
    let (path, query) = crate::request::split_target(url);
    let input = SignInput { method, path, query, body, now: seconds(now), id: id.as_deref() };
    crate::sign(vendor, signing_key, &input).map(|h| to_json(&h)).map_err(|e| js_error(&e))
}

/// The verification key that pairs with a signing key.
#[wasm_bindgen(js_name = verifyKey)]
pub fn verify_key(vendor: &str, signing_key: &str) -> Result<String, JsValue> {
    crate::verify_key(vendor, signing_key).map_err(|e| js_error(&e))
}

/// Every vendor's sample as JSON `[{ vendor, path, body, signingKey, verifyKey, headers }]`.
#[wasm_bindgen]
pub fn samples() -> String {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out {
        vendor: &'static str,
        path: &'static str,
        body: &'static str,
        signing_key: &'static str,
        verify_key: String,
        headers: &'static [(&'static str, &'static str)],
        /// Whether the vendor's check authenticates the body (not for token senders: MYCURE, header tokens).
        signs_body: bool,
        /// Whether one request may carry several events, or none (FHIR, Fitbit): see `verifyAll`.
        batches: bool,
        /// The HTTP status that acknowledges a webhook to this vendor, and the one that refuses an unauthentic one.
        accepted_status: u16,
        unauthenticated_status: u16,
    }
    let all: Vec<Out> = crate::samples()
        .map(|s| Out {
            vendor: s.vendor,
            path: s.path,
            body: s.body,
            signing_key: s.signing_key,
            verify_key: crate::verify_key(s.vendor, s.signing_key).unwrap_or_default(),
            headers: s.extra_headers,
            signs_body: schemes::by_vendor(s.vendor).is_ok_and(|v| v.signs_body()),
            batches: schemes::by_vendor(s.vendor).is_ok_and(|v| v.batches()),
            accepted_status: schemes::by_vendor(s.vendor).map_or(200, |v| v.accepted_status()),
            unauthenticated_status: schemes::by_vendor(s.vendor).map_or(401, |v| v.unauthenticated_status()),
        })
        .collect();
    to_json(&all)
}

/// The vendor whose signature header is present, if any.
#[wasm_bindgen]
pub fn detect(headers_flat: &str) -> Option<String> {
    schemes::detect(&Headers::from_flat(headers_flat)).map(str::to_owned)
}

/// The envelope's attribute names, in order: what the letters of `verifyOne`'s answer stand for.
#[wasm_bindgen(js_name = attributeNames)]
pub fn attribute_names() -> Vec<String> {
    crate::event::ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect()
}

/// Every vendor identifier.
#[wasm_bindgen]
pub fn vendors() -> Vec<String> {
    schemes::ALL.iter().map(|s| s.vendor().to_owned()).collect()
}

/// Every stable error code, in a fixed order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    crate::CODES.iter().map(|c| (*c).to_owned()).collect()
}

/// The HTTP status a receiver answers an error code with (401, 400, 413 or 500); 500 for an unknown code.
#[wasm_bindgen(js_name = httpStatus)]
pub fn http_status(code: &str) -> u16 {
    crate::Kind::of_code(code).unwrap_or(crate::Kind::Misconfigured).http_status()
}

/// The kind of refusal an error code is: `unauthenticated`, `unreadable`, `too_large` or `misconfigured`.
#[wasm_bindgen(js_name = errorKind)]
pub fn error_kind(code: &str) -> Option<String> {
    crate::Kind::of_code(code).map(|k| k.as_str().to_owned())
}
