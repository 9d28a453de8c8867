//! Hostile input: every case is one test with the error it must give, and none may panic, hang or leak a secret.
//!
//! The table is also exported as data (tests/hostile.json) so the npm package and the Worker run the same cases:
//! `CAREHOOK_WRITE_HOSTILE=1 cargo test --test hostile` rewrites it after a change here. Large values are written
//! as generators (see `Gen`) rather than megabytes of JSON.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use carehook::{Headers, Request, SourceConfig};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

const NOW: i64 = 1_763_800_000;
const MIB: usize = 1 << 20;

/// A byte string, written compactly: text, raw bytes, a repetition, or a concatenation.
#[derive(Clone, Debug)]
enum Gen {
    Text(String),
    Bytes(Vec<u8>),
    Repeat(String, usize),
    Concat(Vec<Gen>),
}

impl Gen {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Gen::Text(s) => s.as_bytes().to_vec(),
            Gen::Bytes(b) => b.clone(),
            Gen::Repeat(s, n) => s.repeat(*n).into_bytes(),
            Gen::Concat(parts) => parts.iter().flat_map(Gen::bytes).collect(),
        }
    }

    fn text(&self) -> String {
        String::from_utf8(self.bytes()).expect("header values are text")
    }

    fn to_json(&self) -> Value {
        match self {
            Gen::Text(s) => json!(s),
            Gen::Bytes(b) => json!({ "base64": B64.encode(b) }),
            Gen::Repeat(s, n) => json!({ "repeat": s, "times": n }),
            Gen::Concat(parts) => json!({ "concat": parts.iter().map(Gen::to_json).collect::<Vec<_>>() }),
        }
    }
}

fn t(s: &str) -> Gen {
    Gen::Text(s.to_owned())
}
fn rep(s: &str, n: usize) -> Gen {
    Gen::Repeat(s.to_owned(), n)
}
fn cat(parts: impl IntoIterator<Item = Gen>) -> Gen {
    Gen::Concat(parts.into_iter().collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    /// Refused before or at the signature.
    Fail(&'static str),
    /// The signature was good; the payload is refused.
    Verified(&'static str),
}

#[derive(Clone, Debug)]
struct Case {
    vendor: &'static str,
    keys: Vec<String>,
    method: &'static str,
    url: String,
    headers: Vec<(String, Gen)>,
    body: Gen,
    now: i64,
    options: serde_json::Map<String, Value>,
    remote_ip: Option<&'static str>,
}

fn sample(vendor: &str) -> carehook::Sample {
    carehook::samples().find(|s| s.vendor == vendor).expect("a sample per vendor")
}

/// A request with no signature headers, configured with the vendor's sample key.
fn unsigned(vendor: &'static str, body: Gen) -> Case {
    let s = sample(vendor);
    Case {
        vendor,
        keys: vec![carehook::verify_key(vendor, s.signing_key).unwrap()],
        method: "POST",
        url: format!("https://hooks.example.com{}", s.path),
        headers: Vec::new(),
        body,
        now: NOW,
        options: serde_json::Map::new(),
        remote_ip: None,
    }
}

/// A request correctly signed for `body` with the vendor's sample key at `NOW`.
fn signed(vendor: &'static str, body: Gen) -> Case {
    let mut c = unsigned(vendor, body);
    let bytes = c.body.bytes();
    let (path, query) = carehook::request::split_target(&c.url);
    let input = carehook::SignInput { method: "POST", path, query, body: &bytes, now: NOW, id: None };
    let headers = carehook::sign(vendor, sample(vendor).signing_key, &input).unwrap();
    c.headers = headers.into_iter().map(|(n, v)| (n, Gen::Text(v))).collect();
    c
}

impl Case {
    /// Adds a header (a repeat if the name is already there).
    fn header(mut self, name: &str, value: Gen) -> Self {
        self.headers.push((name.to_owned(), value));
        self
    }
    /// Replaces every value of a header (case-insensitive), or adds it.
    fn set(mut self, name: &str, value: Gen) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.header(name, value)
    }
    fn without(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }
    fn value(&self, name: &str) -> String {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.text()).unwrap()
    }
    fn rename_headers(mut self, f: impl Fn(&str) -> String) -> Self {
        self.headers = self.headers.into_iter().map(|(n, v)| (f(&n), v)).collect();
        self
    }
    fn method(mut self, m: &'static str) -> Self {
        self.method = m;
        self
    }
    fn now(mut self, now: i64) -> Self {
        self.now = now;
        self
    }
    fn body(mut self, body: Gen) -> Self {
        self.body = body;
        self
    }
    fn url(mut self, url: &str) -> Self {
        self.url = url.to_owned();
        self
    }
    fn keys(mut self, keys: Vec<String>) -> Self {
        self.keys = keys;
        self
    }
    fn option(mut self, k: &str, v: Value) -> Self {
        self.options.insert(k.to_owned(), v);
        self
    }
    fn remote_ip(mut self, ip: &'static str) -> Self {
        self.remote_ip = Some(ip);
        self
    }

    fn config(&self) -> SourceConfig {
        let mut cfg = json!({ "vendor": self.vendor, "keys": self.keys });
        for (k, v) in &self.options {
            cfg[k] = v.clone();
        }
        serde_json::from_value(cfg).unwrap()
    }

    fn to_json(&self, name: &str, expect: Expect) -> Value {
        let expect = match expect {
            Expect::Ok => json!({ "ok": true }),
            Expect::Fail(code) => json!({ "ok": false, "error": code }),
            Expect::Verified(code) => json!({ "ok": false, "error": code, "verified": true }),
        };
        let mut v = json!({
            "name": name,
            "vendor": self.vendor,
            "keys": self.keys,
            "method": self.method,
            "url": self.url,
            "now": self.now,
            "headers": self.headers.iter().map(|(n, v)| json!([n, v.to_json()])).collect::<Vec<_>>(),
            "body": self.body.to_json(),
            "expect": expect,
        });
        if !self.options.is_empty() {
            v["options"] = Value::Object(self.options.clone());
        }
        if let Some(ip) = self.remote_ip {
            v["remote_ip"] = json!(ip);
        }
        v
    }
}

/// Runs one case through `verify` and `inspect`; both must agree with `expect`, quickly, and say nothing secret.
fn check(name: &str, c: &Case, expect: Expect) {
    let body = c.body.bytes();
    let headers: Headers = c.headers.iter().map(|(n, v)| (n.clone(), v.text())).collect();
    let req = Request::new(c.method, &c.url, &headers, &body).with_remote_ip(c.remote_ip);
    let cfg = c.config();
    let start = Instant::now();
    let result = carehook::verify(&cfg, &req, c.now);
    let report = carehook::inspect(&cfg, &req, c.now);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(20), "{name}: took {took:?}");
    let got = match &result {
        Ok(_) => Expect::Ok,
        Err(e) if e.verified() => Expect::Verified(e.code()),
        Err(e) => Expect::Fail(e.code()),
    };
    assert_eq!(got, expect, "{name}: {:?}", result.as_ref().err().map(ToString::to_string));
    assert_eq!(report.ok, result.is_ok(), "{name}: inspect disagrees");
    assert_eq!(report.error.as_ref().map(|e| e.code), result.as_ref().err().map(|e| e.code()), "{name}");
    // Nothing a client sent or a key holds is echoed back in a message, a hint, a step or a diagnosis.
    let said = serde_json::to_string(&carehook::Report { event: None, ..report.clone() }).unwrap();
    let mut secrets: Vec<String> = c.keys.iter().filter(|k| k.len() >= 8).cloned().collect();
    let signature_values = c.headers.iter().filter(|(n, _)| n.to_ascii_lowercase().contains("signature"));
    secrets.extend(signature_values.map(|(_, v)| v.text()).filter(|v| v.len() >= 16));
    for s in secrets {
        assert!(!said.contains(&s), "{name}: the report repeats a key or a header value");
    }
    if let Err(e) = &result {
        assert!(!e.to_string().is_empty());
    }
}

macro_rules! table {
    ($($(#[$doc:meta])* $name:ident: $case:expr => $expect:expr;)*) => {
        /// Every case, for the export.
        fn table() -> Vec<(&'static str, Case, Expect)> {
            vec![$((stringify!($name), $case, $expect)),*]
        }
        $($(#[$doc])* #[test] fn $name() { check(stringify!($name), &$case, $expect); })*
    };
}

use Expect::{Fail, Ok as Pass, Verified};

/// Base64 of `3 * n` bytes of 0xa5 (`paWl` is base64 of three of them).
fn big_b64(n: usize) -> Gen {
    rep("paWl", n)
}

fn standard_list(entries: usize, entry: &str) -> Gen {
    rep(&format!("{entry} "), entries)
}

/// The vendor's own sample body: one every scheme normalizes.
fn body_of(vendor: &str) -> Gen {
    t(sample(vendor).body)
}

/// A body every scheme except Elation, Healthie and MYCURE normalizes (they need their own fields).
fn object_body() -> Gen {
    t(r#"{"type":"invoice.paid","data":{"id":"inv_1"}}"#)
}

table! {
    // ---- empty and zero-length input
    empty_body_unsigned: unsigned("github", t("")) => Fail("missing_header");
    missing_one_of_three_headers: signed("standard", object_body()).without("webhook-id") => Fail("missing_header");
    empty_body_signed: signed("github", t("")) => Verified("invalid_payload");
    empty_body_healthie: signed("healthie", t("")) => Verified("invalid_payload");
    empty_body_elation: signed("elation", t("")) => Verified("invalid_payload");
    zero_length_signature_hub: signed("github", object_body())
        .set("x-hub-signature-256", t("sha256=")) => Fail("malformed_header");
    zero_length_signature_bare_hex: signed("medplum", object_body())
        .set("x-signature", t("")) => Fail("malformed_header");
    zero_length_signature_standard: signed("standard", object_body())
        .set("webhook-signature", t("v1,")) => Fail("signature_mismatch");
    zero_length_signature_elation: signed("elation", object_body())
        .set("el8-ed25519-signature", t("")) => Fail("malformed_header");
    zero_length_signature_stripe: signed("stripe", object_body())
        .set("stripe-signature", t(&format!("t={NOW},v1="))) => Fail("signature_mismatch");
    zero_length_signature_healthie: signed("healthie", object_body())
        .set("signature", t("sig1=")) => Fail("malformed_header");
    whitespace_only_signature: signed("github", object_body())
        .set("x-hub-signature-256", t("   ")) => Fail("malformed_header");

    // ---- oversized signatures and headers (the default header limit is 8 KiB)
    signature_10kb_hub: signed("github", object_body())
        .set("x-hub-signature-256", cat([t("sha256="), rep("ab", 5 * 1024)])) => Fail("malformed_header");
    signature_10kb_standard: signed("standard", object_body())
        .set("webhook-signature", cat([t("v1,"), big_b64(2560)])) => Fail("malformed_header");
    signature_10kb_elation: signed("elation", object_body())
        .set("el8-ed25519-signature", big_b64(2560)) => Fail("malformed_header");
    signature_10kb_stripe: signed("stripe", object_body())
        .set("stripe-signature", cat([t(&format!("t={NOW},v1=")), rep("ab", 5 * 1024)])) => Fail("malformed_header");
    signature_10kb_within_a_raised_header_limit: signed("standard", object_body())
        .set("webhook-signature", cat([t("v1,"), big_b64(2560)]))
        .option("maxHeaderBytes", json!(16384)) => Fail("signature_mismatch");
    header_64kb_signature: signed("github", object_body())
        .set("x-hub-signature-256", cat([t("sha256="), rep("a", 64 * 1024)])) => Fail("malformed_header");
    header_64kb_webhook_id: signed("standard", object_body())
        .set("webhook-id", rep("m", 64 * 1024)) => Fail("malformed_header");
    header_64kb_unrelated_is_ignored: signed("github", object_body()).header("x-padding", rep("p", 64 * 1024)) => Pass;
    many_unrelated_headers: {
        let mut c = signed("github", object_body());
        for i in 0..500 { c = c.header(&format!("x-h{i}"), t("v")); }
        c
    } => Pass;

    // ---- body size (the default limit is 1 MiB)
    body_10mb_default_limit: signed("github", rep("a", 10 * MIB)) => Fail("body_too_large");
    body_10mb_unsigned: unsigned("mycure", rep("a", 10 * MIB)) => Fail("body_too_large");
    body_exactly_1mib: signed("github", cat([t(r#"{"pad":""#), rep("a", MIB - 10), t(r#""}"#)])) => Pass;
    body_1mib_plus_one: signed("github", cat([t(r#"{"pad":""#), rep("a", MIB - 9), t(r#""}"#)]))
        => Fail("body_too_large");
    body_limit_zero: signed("github", object_body()).option("maxBodyBytes", json!(0)) => Fail("body_too_large");

    // ---- bytes that are not UTF-8 or not JSON: the MAC covers bytes; only the payload check refuses them
    non_utf8_body_signed: signed("github", Gen::Bytes(vec![0xff, 0xfe, b'{', b'}'])) => Verified("invalid_payload");
    non_utf8_surrogate_in_string:
        signed("elation", cat([t(r#"{"a":""#), Gen::Bytes(vec![0xed, 0xa0, 0x80]), t(r#""}"#)]))
        => Verified("invalid_payload");
    non_utf8_overlong_encoding: signed("standard", cat([t(r#"{"a":""#), Gen::Bytes(vec![0xc0, 0xaf]), t(r#""}"#)]))
        => Verified("invalid_payload");
    non_utf8_body_healthie_digest_still_checked: signed("healthie", Gen::Bytes(vec![0x80; 64]))
        => Verified("invalid_payload");
    non_utf8_body_wrong_signature: signed("stripe", Gen::Bytes(vec![0xff; 32]))
        .body(Gen::Bytes(vec![0xfe; 32])) => Fail("signature_mismatch");
    byte_order_mark_before_json: signed("github", t("\u{feff}{\"a\":1}")) => Verified("invalid_payload");
    json_null_body: signed("stripe", t("null")) => Verified("invalid_payload");
    json_string_body: signed("standard", t("\"{}\"")) => Verified("invalid_payload");
    json_trailing_garbage: signed("elation", t("{\"a\":1} {\"b\":2}")) => Verified("invalid_payload");
    json_truncated: signed("github", t("{\"a\":[1,2")) => Verified("invalid_payload");
    json_duplicate_keys: signed("standard", t(r#"{"type":"invoice.paid","type":"invoice.voided"}"#))
        => Verified("invalid_payload");

    // ---- deep nesting: refused as invalid_payload, with no recursion that could overflow the stack
    json_nested_100k_arrays: signed("github", cat([rep("[", 100_000), rep("]", 100_000)]))
        => Verified("invalid_payload");
    json_nested_100k_inside_an_object:
        signed("github", cat([t("{\"a\":"), rep("[", 100_000), rep("]", 100_000), t("}")]))
        => Verified("invalid_payload");
    json_nested_100k_objects: signed("stripe", cat([rep("{\"a\":", 100_000), t("1"), rep("}", 100_000)]))
        => Verified("invalid_payload");
    json_nested_100k_unclosed: signed("medplum", cat([t("{\"a\":"), rep("[", 100_000)])) => Verified("invalid_payload");
    json_nested_100_deep_is_fine: signed("github", cat([t("{\"a\":"), rep("[", 99), rep("]", 99), t("}")])) => Pass;
    json_nested_101_deep: signed("github", cat([t("{\"a\":"), rep("[", 100), rep("]", 100), t("}")]))
        => Verified("invalid_payload");
    json_brackets_inside_strings_do_not_count:
        signed("github", cat([t("{\"a\":\""), rep("[{", 50_000), t("\\\""), rep("]}", 50_000), t("\"}")]))
        => Pass;

    // ---- signature lists
    signatures_1000_standard: signed("standard", object_body())
        .set("webhook-signature", standard_list(1000, "v1,AAAA")) => Fail("malformed_header");
    signatures_1000_stripe: signed("stripe", object_body())
        .set("stripe-signature", cat([t(&format!("t={NOW}")), rep(",v1=ab", 1000)])) => Fail("malformed_header");
    signatures_1000_empty_entries_standard: signed("standard", object_body())
        .set("webhook-signature", rep("v1, ", 1000)) => Fail("malformed_header");
    signatures_1000_under_raised_limits: {
        let c = signed("standard", object_body());
        let good = c.value("webhook-signature");
        let bad = format!("v1,{}", B64.encode([7u8; 32]));
        c.set("webhook-signature", cat([standard_list(999, &bad), t(&good)]))
            .option("maxSignatures", json!(1000)).option("maxHeaderBytes", json!(64 * 1024))
    } => Pass;
    keyring_of_1000_keys_none_match: signed("github", object_body()).keys((0..1000)
        .map(|i| format!("not-the-key-{i}")).collect()) => Fail("signature_mismatch");

    // ---- repeated and mixed-case headers
    duplicate_signature_headers_different: {
        let c = signed("stripe", object_body());
        c.header("Stripe-Signature", t(&format!("t={NOW},v1={}", "0".repeat(64))))
    } => Fail("malformed_header");
    duplicate_signature_headers_same: {
        let c = signed("github", object_body());
        let v = c.value("x-hub-signature-256");
        c.header("X-Hub-Signature-256", t(&v))
    } => Pass;
    duplicate_timestamp_headers: {
        let c = signed("standard", object_body());
        c.header("webhook-timestamp", t(&(NOW - 1).to_string()))
    } => Fail("malformed_header");
    duplicate_digest_headers: {
        let c = signed("healthie", object_body());
        c.header("content-digest", t("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="))
    } => Fail("malformed_header");
    mixed_case_header_names: signed("healthie", body_of("healthie")).rename_headers(|n| {
        n.chars().enumerate().map(|(i, ch)| if i % 2 == 0 { ch.to_ascii_uppercase() } else { ch }).collect()
    }) => Pass;
    upper_case_header_names: signed("svix", object_body()).rename_headers(|n| n.to_ascii_uppercase()) => Pass;

    // ---- methods, URLs, vendors, addresses
    get_method_healthie_signs_the_method: signed("healthie", object_body()).method("GET") => Fail("signature_mismatch");
    get_method_without_anything: unsigned("github", t("")).method("GET") => Fail("missing_header");
    lower_case_method_healthie: signed("healthie", body_of("healthie")).method("post") => Pass;
    unknown_vendor: unsigned("github", object_body()).keys(vec!["secret".into()])
        .vendor("epic") => Fail("unsupported_vendor");
    url_without_path_mycure: unsigned("mycure", t(r#"{"event":"ping"}"#))
        .url("https://hooks.example.com") => Fail("token_mismatch");
    url_long_path_mycure: unsigned("mycure", t(r#"{"event":"ping"}"#))
        .url(&format!("https://hooks.example.com/{}", "a/".repeat(2048))) => Fail("token_mismatch");
    remote_ip_garbage: unsigned("mycure", t(r#"{"event":"ping"}"#)).option("allowIps", json!(["10.0.0.0/8"]))
        .remote_ip("10.0.0.1; drop") => Fail("token_mismatch");

    // ---- truncated or foreign encodings
    truncated_base64_elation: {
        let c = signed("elation", object_body());
        let v = c.value("el8-ed25519-signature");
        c.set("el8-ed25519-signature", t(&v[..85]))
    } => Fail("malformed_header");
    truncated_base64_standard: {
        let c = signed("standard", object_body());
        let v = c.value("webhook-signature");
        c.set("webhook-signature", t(&v[..20]))
    } => Fail("signature_mismatch");
    truncated_base64_healthie_digest: {
        let c = signed("healthie", object_body());
        let v = c.value("content-digest");
        c.set("content-digest", t(&v[..30]))
    } => Fail("malformed_header");
    base64url_alphabet_standard: {
        let c = signed("standard", object_body());
        let v = c.value("webhook-signature").replace('+', "-").replace('/', "_");
        let v = if v.contains(['-', '_']) { v } else { format!("{v}-") };
        c.set("webhook-signature", t(&v))
    } => Fail("signature_mismatch");
    non_ascii_in_hex_signature: signed("github", object_body())
        .set("x-hub-signature-256", t(&format!("sha256={}", "é".repeat(32)))) => Fail("malformed_header");
    full_width_prefix: signed("elmed", object_body())
        .set("x-elmed-signature", t(&format!("ｓha256={}", "0".repeat(64)))) => Fail("malformed_header");

    // ---- timestamps
    timestamp_zero: signed("standard", object_body()).now(NOW)
        .set("webhook-timestamp", t("0")) => Fail("timestamp_out_of_tolerance");
    timestamp_ten_years_ahead: signed("standard", object_body()).set("webhook-timestamp", t(&(NOW + 315_360_000)
        .to_string())) => Fail("timestamp_out_of_tolerance");
    timestamp_i64_max: signed("standard", object_body())
        .set("webhook-timestamp", t("9223372036854775807")) => Fail("timestamp_out_of_tolerance");
    timestamp_i64_min: signed("svix", object_body())
        .set("svix-timestamp", t("-9223372036854775808")) => Fail("timestamp_out_of_tolerance");
    timestamp_beyond_i64: signed("standard", object_body())
        .set("webhook-timestamp", t("9223372036854775808")) => Fail("malformed_header");
    timestamp_below_i64: signed("standard", object_body())
        .set("webhook-timestamp", t("-9223372036854775809")) => Fail("malformed_header");
    timestamp_1000_digits: signed("standard", object_body())
        .set("webhook-timestamp", rep("9", 1000)) => Fail("malformed_header");
    timestamp_full_width_digits: signed("standard", object_body())
        .set("webhook-timestamp", t("１７６３８００００００")) => Fail("malformed_header");
    timestamp_exponent: signed("standard", object_body())
        .set("webhook-timestamp", t("1.7638e9")) => Fail("malformed_header");
    stripe_timestamp_beyond_i64: signed("stripe", object_body())
        .set("stripe-signature", t(&format!("t=99999999999999999999,v1={}", "0".repeat(64))))
            => Fail("malformed_header");
    stripe_timestamp_i64_min: signed("stripe", object_body())
        .set("stripe-signature", t(&format!("t=-9223372036854775808,v1={}", "0".repeat(64))))
            => Fail("timestamp_out_of_tolerance");
    clock_far_behind_the_sender: signed("stripe", object_body()).now(0) => Fail("timestamp_out_of_tolerance");
}

impl Case {
    fn vendor(mut self, v: &'static str) -> Self {
        self.vendor = v;
        self
    }
}

// ---------------------------------------------------------------- beyond the table

/// Deep nesting must not recurse: verify and inspect run on a thread with a 256 KiB stack (a debug build's frames
/// are large; the main thread has 8 MiB).
#[test]
fn deep_nesting_runs_on_a_small_stack() {
    let cases = [
        signed("github", cat([rep("[", 100_000), rep("]", 100_000)])),
        signed("github", cat([t("{\"a\":"), rep("[", 100_000), rep("]", 100_000), t("}")])),
        signed("stripe", cat([rep("{\"a\":", 100_000), t("1"), rep("}", 100_000)])),
        signed("elation", cat([t("{\"data\":"), rep("{\"data\":", 100_000), rep("}", 100_001)])),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            for c in &cases {
                check("small stack", c, Verified("invalid_payload"));
            }
        })
        .unwrap();
    handle.join().expect("deep nesting overflowed a 256 KiB stack");
}

/// A 1 MiB object of ~90,000 distinct keys: the repeated-key check must not compare every pair.
#[test]
fn many_keys_are_checked_in_near_linear_time() {
    let mut body = String::from("{");
    let mut i = 0;
    while body.len() < MIB - 32 {
        body.push_str(&format!("\"k{i}\":0,"));
        i += 1;
    }
    body.push_str("\"type\":\"x.y\"}");
    let c = signed("standard", Gen::Text(body.clone()));
    let start = Instant::now();
    check("many keys", &c, Pass);
    let took = start.elapsed();
    // Pairwise comparison took over a minute here in a debug build; sorting takes well under a second.
    assert!(took < Duration::from_secs(8), "{i} keys took {took:?}");
    let dup = body.replacen("\"k1\":0", "\"k7\":0", 1);
    check("many keys, one repeated", &signed("standard", Gen::Text(dup)), Verified("invalid_payload"));
}

/// The receiver's clock at the extremes of i64: no overflow, and timestamps are out of tolerance.
#[test]
fn clock_at_the_extremes_of_i64() {
    for now in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
        for vendor in ["standard", "svix", "stripe", "akute"] {
            check(
                &format!("{vendor} at {now}"),
                &signed(vendor, object_body()).now(now),
                Fail("timestamp_out_of_tolerance"),
            );
        }
        // Untimed schemes verify at any clock; the event time falls back to a writable date.
        check("github at extreme clock", &signed("github", object_body()).now(now), Pass);
        let c = signed("github", object_body()).now(now);
        let body = c.body.bytes();
        let headers: Headers = c.headers.iter().map(|(n, v)| (n.clone(), v.text())).collect();
        let ev = carehook::verify(&c.config(), &Request::new("POST", &c.url, &headers, &body), now).unwrap();
        let time = &ev.event().unwrap().time;
        assert!(time.len() >= 20 && time.ends_with('Z'), "{time}");
    }
    check(
        "tolerance u64::MAX",
        &signed("standard", object_body()).now(i64::MIN).option("tolerance", json!(u64::MAX)),
        Pass,
    );
}

/// Every timestamp shape that could overflow date arithmetic, in a body whose signature is good.
#[test]
fn body_timestamps_at_the_edges_of_the_calendar() {
    for ts in [
        "9999-12-31T23:59:59-23:59",
        "0000-01-01T00:00:00+23:59",
        "9999-12-31T23:59:60Z",
        "0000-00-00T00:00:00",
        "2026-02-29T00:00:00",
        "9999-99-99T99:99:99",
        "2026-03-29T10:45:00.",
        "2026-03-29T10:45:00.1234567890123456789012345",
    ] {
        for offset in [i32::MIN, -1440, 0, 1440, i32::MAX] {
            let body = format!(r#"{{"event":"order.created","timestamp":"{ts}","data":{{"order_id":1}}}}"#);
            let c = signed("elmed", Gen::Text(body)).option("utcOffsetMinutes", json!(offset));
            check(&format!("elmed {ts} {offset}"), &c, Pass);
        }
        let body = format!(r#"{{"meta":{{"messageId":"m","when":"{ts}","type":"x"}}}}"#);
        check(&format!("metriport {ts}"), &signed("metriport", Gen::Text(body)), Pass);
        let body = format!(r#"{{"id":"p","type":"photon:order:created","createdAt":"{ts}"}}"#);
        check(&format!("photon {ts}"), &signed("photon", Gen::Text(body)), Pass);
    }
    let body = format!(r#"{{"id":"evt","type":"a.b","created":{}}}"#, i64::MIN);
    check("stripe created i64::MIN", &signed("stripe", Gen::Text(body)), Pass);
    let body = r#"{"id":"evt","type":"a.b","created":99999999999999999999999}"#;
    check("stripe created beyond i64", &signed("stripe", t(body)), Pass);
}

#[test]
fn every_case_has_a_unique_name_and_the_table_is_large() {
    let names: std::collections::BTreeSet<_> = table().iter().map(|(n, _, _)| *n).collect();
    assert_eq!(names.len(), table().len());
    assert!(names.len() >= 60, "{} cases", names.len());
}

/// tests/hostile.json is this table as data, for the npm package's and the Worker's suites.
#[test]
fn the_table_is_exported_as_data() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile.json");
    let doc = json!({
        "about": "Hostile requests, exported from tests/hostile.rs (CAREHOOK_WRITE_HOSTILE=1 cargo test --test hostile). \
            Same fields as tests/vectors/*.json, except: headers is always an array of [name, value] pairs, and a body \
            or header value is a generator: a string (UTF-8 text), {\"base64\": ...} (raw bytes), {\"repeat\": text, \
            \"times\": n}, or {\"concat\": [generator, ...]}. Expand it before use; every case must finish quickly \
            and must not crash the runtime.",
        "cases": table().iter().map(|(n, c, e)| c.to_json(n, *e)).collect::<Vec<_>>(),
    });
    // One case a line: compact, and a change shows as a one-line diff.
    let cases: Vec<String> = doc["cases"].as_array().unwrap().iter().map(Value::to_string).collect();
    let text = format!("{{\"about\": {},\n\"cases\": [\n{}\n]}}\n", doc["about"], cases.join(",\n"));
    if std::env::var_os("CAREHOOK_WRITE_HOSTILE").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(current == text, "tests/hostile.json is stale: run CAREHOOK_WRITE_HOSTILE=1 cargo test --test hostile");
}
