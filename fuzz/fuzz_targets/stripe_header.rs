//! Stripe / Akute: the `t=<ts>,v1=<hex>[,v1=...]` header parser.
//! Input: 2 choice bytes (akute header name, clock skew), then the header value. Placeholders: `{TS}` (the clock),
//! `{V1}` (a valid signature for the header's first `t=` value).
#![no_main]

use arbitrary::Unstructured;
use carehook::{Options, Request, Source};
use carehook_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let akute: bool = u.arbitrary().unwrap_or(false);
    let skew: i8 = u.arbitrary().unwrap_or(0);
    let text = String::from_utf8_lossy(u.take_rest()).into_owned();

    let (vendor, name) = if akute { ("akute", "x-akute-signature") } else { ("stripe", "stripe-signature") };
    let secret = sample(vendor).signing_key;
    let source = Source::new(vendor, &[secret], Options::default()).unwrap();
    let body = sample(vendor).body.as_bytes();

    let value = fill(&text, &[("{TS}", &NOW.to_string())]);
    let t_values: Vec<&str> = value.split(',').filter_map(|i| i.trim().strip_prefix("t=")).collect();
    let t = t_values.first().copied().unwrap_or("");
    let v1 = hex::encode(hmac_sha256(secret.as_bytes(), &[t.as_bytes(), b".", body]));
    let value = fill(&value, &[("{V1}", &v1)]);

    let h = headers(&[(name, &value)]);
    let now = NOW + i64::from(skew) * 5;
    let result = verify_checked(&source, &Request::new("POST", "/in/stripe", &h, body), now);

    if result.is_ok() || result.as_ref().is_err_and(|e| e.verified()) {
        assert_eq!(t_values.len(), 1, "verified with {} t= values", t_values.len());
        assert!(value.to_ascii_lowercase().contains(&v1), "verified without a valid v1=");
        let ts: i64 = t.parse().expect("verified with an unreadable t=");
        assert!((ts - now).abs() <= 300, "verified outside the tolerance");
    }
});
