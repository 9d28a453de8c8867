//! Shared pieces of the fuzz targets: the vendors, their sample keys, independent signature oracles, and the checks
//! every verification must pass whatever the input.
//!
//! Header targets read a few choice bytes (with `arbitrary`), then the header text. The text may hold placeholders
//! (`{TS}`, `{V1}`, `{MAC}`, ...) that the target replaces with a correct value for the fixed request, so the fuzzer
//! reaches the paths behind a valid signature as easily as the parsers' error paths; the oracle then checks that a
//! request verifies only if it carries that correct value.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use carehook::{Error, Headers, Request, Source, Verified};
use hmac::{Hmac, Mac};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The clock every target verifies at (unless it skews it).
pub const NOW: i64 = 1_763_800_000;

/// The vendor a choice byte names.
pub fn vendor(choice: u8) -> &'static str {
    let all: Vec<&'static str> = carehook::vendors().collect();
    all.get(usize::from(choice) % all.len()).copied().unwrap_or("elation")
}

pub fn sample(vendor: &str) -> carehook::Sample {
    carehook::samples().find(|s| s.vendor == vendor).expect("every vendor has a sample")
}

/// The verification key for the vendor's sample signing key.
pub fn sample_key(vendor: &str) -> String {
    carehook::verify_key(vendor, sample(vendor).signing_key).expect("sample keys are valid")
}

pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Base64 without padding: a signature in any accepted form contains this.
pub fn b64_core(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

pub fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs.iter().map(|(n, v)| (*n, *v)).collect()
}

/// Verifies and inspects `req`, and checks what must hold for any input: known error codes, `inspect` agreeing
/// with `verify`, a deterministic result, and a well-formed envelope carrying the body verbatim.
pub fn verify_checked(source: &Source, req: &Request<'_>, now: i64) -> Result<Verified, Error> {
    let result = source.verify(req, now);
    let report = source.inspect(req, now);
    assert_eq!(report.ok, result.is_ok(), "inspect and verify disagree");
    assert_eq!(report.error.as_ref().map(|e| e.code), result.as_ref().err().map(Error::code));
    assert_eq!(
        source.verify(req, now).map(|v| v.key_index()).map_err(|e| e.code()),
        result.as_ref().map(|v| v.key_index()).map_err(|e| e.code()),
        "verify is not deterministic"
    );
    match &result {
        Ok(v) => check_event(v, req.body, source.vendor()),
        Err(e) => {
            assert!(carehook::CODES.contains(&e.code()), "unknown code {}", e.code());
            assert!(!e.to_string().is_empty());
            if e.verified() {
                assert_eq!(e.code(), "invalid_payload");
            }
        }
    }
    serde_json::to_string(&report).expect("reports serialize");
    result
}

/// A verified event is a CloudEvent whose `data` is the body, byte for byte. Read with raw values: numbers such as
/// `1e400` are valid JSON that carehook passes through as sent.
pub fn check_event(v: &Verified, body: &[u8], vendor: &str) {
    // A batching vendor's events each hold a part of the body; every other vendor's one event holds all of it.
    let whole = !body.trim_ascii().is_empty()
        && v.events().len() == 1
        && v.events().first().is_some_and(|e| e.data().len() == body.len());
    for ev in v.events() {
        let json = ev.to_json();
        let parsed: BTreeMap<String, &RawValue> = serde_json::from_str(&json).expect("the envelope is a JSON object");
        for attr in ["id", "source", "type", "specversion", "time", "vendor"] {
            let text: String = parsed.get(attr).and_then(|r| serde_json::from_str(r.get()).ok()).unwrap_or_default();
            assert!(!text.is_empty(), "missing {attr}");
        }
        for (k, raw) in &parsed {
            if k != "data" {
                serde_json::from_str::<String>(raw.get()).expect("attributes are strings");
            }
        }
        assert!(ev.ty.starts_with(vendor) && ev.ty[vendor.len()..].starts_with('.'), "type {}", ev.ty);
        if whole {
            assert_eq!(ev.data().as_bytes(), body, "data is not the body");
            // The envelope holds the body as sent; a raw value leaves out the whitespace around it.
            assert_eq!(parsed.get("data").map(|r| r.get().as_bytes()), Some(body.trim_ascii()), "data is not verbatim");
        }
        let time = &ev.time;
        assert!(time.len() >= 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T', "time {time}");
    }
}

/// `text` with each `(placeholder, value)` replaced.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (k, v) in values {
        if out.contains(k) {
            out = out.replace(k, v);
        }
    }
    out
}
