//! Properties over generated requests, for every vendor: what `sign` makes, `verify` accepts; any single-byte change
//! to a signed part is refused; and no input at all makes `verify` or `inspect` panic.

use carehook::{Headers, Options, Request, Source};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() }
}

fn sample(vendor: &str) -> carehook::Sample {
    carehook::samples().find(|s| s.vendor == vendor).unwrap()
}

fn source(vendor: &str) -> Source {
    let key = carehook::verify_key(vendor, sample(vendor).signing_key).unwrap();
    Source::new(vendor, &[key], Options::default()).unwrap()
}

/// A signed request's parts: the target, the headers a vendor sends, the body.
struct Signed {
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Signed {
    fn new(vendor: &str, path: &str, query: &str, body: &[u8], now: i64, id: Option<&str>) -> Self {
        let s = sample(vendor);
        // MYCURE's token is the URL: keep the sample's path, which ends with it.
        let path = if vendor == "mycure" { s.path } else { path };
        let input = carehook::SignInput { method: "POST", path, query, body, now, id };
        let mut headers = carehook::sign(vendor, s.signing_key, &input).unwrap();
        headers.extend(s.extra_headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let target = if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") };
        Signed { target, headers, body: body.to_vec() }
    }

    fn verify(&self, source: &Source, now: i64) -> Result<carehook::Verified, carehook::Error> {
        let headers: Headers = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        source.verify(&Request::new("POST", &self.target, &headers, &self.body), now)
    }
}

/// The headers that carry what a vendor signs (signature, digest, id, timestamp).
fn signed_header(name: &str) -> bool {
    let covers = name.contains("signature") || name.ends_with("-id") || name.ends_with("-timestamp");
    (covers && name != "signature-input") || name == "content-digest"
}

/// The vendor's sample body with one extra field: a body every vendor normalizes.
fn body_with_extra(vendor: &str, extra: &str) -> Vec<u8> {
    let body = sample(vendor).body;
    let field = format!("{{\"carehook_extra\": {}, ", serde_json::to_string(extra).unwrap());
    body.replacen('{', &field, 1).into_bytes()
}

fn path() -> impl Strategy<Value = String> {
    "(/[a-zA-Z0-9._~-]{1,12}){1,4}"
}

fn query() -> impl Strategy<Value = String> {
    prop_oneof!["", "[a-z]{1,6}=[a-zA-Z0-9%]{0,8}(&[a-z]{1,6}=[a-z0-9]{0,4}){0,3}"]
}

proptest! {
    #![proptest_config(config(24))]

    /// sign → verify: a vendor-shaped body verifies and normalizes, with the body kept as sent.
    #[test]
    fn signed_vendor_bodies_verify(
        extra in "\\PC{0,40}",
        path in path(),
        query in query(),
        now in 0i64..4_000_000_000,
        id in "[a-zA-Z0-9_]{1,24}",
    ) {
        for vendor in carehook::vendors() {
            let body = body_with_extra(vendor, &extra);
            let signed = Signed::new(vendor, &path, &query, &body, now, Some(&id));
            let verified = signed.verify(&source(vendor), now);
            let events = match verified {
                Ok(v) => v.into_events(),
                Err(e) => return Err(TestCaseError::fail(format!("{vendor}: {} ({e})", e.code()))),
            };
            prop_assert!(!events.is_empty(), "{}: no event", vendor);
            // Data is the body as sent, or (a batch: FHIR, Fitbit) a verbatim part of it.
            let text = std::str::from_utf8(&body).unwrap();
            for e in &events {
                prop_assert!(text.contains(e.data()), "{}: data is not part of the body", vendor);
            }
            let event = events.into_iter().next().unwrap();
            if !carehook::schemes::by_vendor(vendor).unwrap().batches() {
                prop_assert_eq!(event.data().as_bytes(), &body[..], "{}", vendor);
            }
            let prefix = format!("{vendor}.");
            prop_assert!(event.ty.starts_with(&prefix), "{}", event.ty);
            if matches!(vendor, "standard" | "svix") {
                prop_assert_eq!(&event.id, &id);
            }
            let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
            prop_assert_eq!(json["specversion"].as_str(), Some("1.0"));
        }
    }

    /// sign → verify over arbitrary bytes: the signature step always passes; only the payload may be refused.
    #[test]
    fn signed_arbitrary_bodies_pass_the_signature(
        body in proptest::collection::vec(any::<u8>(), 0..256),
        path in path(),
        query in query(),
        now in -1_000_000_000i64..4_000_000_000,
    ) {
        for vendor in carehook::vendors() {
            let signed = Signed::new(vendor, &path, &query, &body, now, None);
            match signed.verify(&source(vendor), now) {
                Ok(_) => {}
                Err(e) => prop_assert!(
                    e.verified() && e.code() == "invalid_payload",
                    "{}: {} ({})", vendor, e.code(), e
                ),
            }
        }
    }

    /// Any single-byte change to the body, a signature, an id, a timestamp or a digest is refused, and is not
    /// reported as a good signature.
    #[test]
    fn any_single_byte_change_is_refused(
        extra in "[a-z ]{0,16}",
        now in 1_000_000_000i64..4_000_000_000,
        at in any::<prop::sample::Index>(),
        header_pick in any::<prop::sample::Index>(),
        replacement in 0x21u8..0x7f,
        flip in 1u8..=255,
    ) {
        for vendor in carehook::vendors() {
            let body = body_with_extra(vendor, &extra);
            let signed = Signed::new(vendor, "/in/hook", "a=1", &body, now, Some("msg_prop"));
            let source = source(vendor);
            prop_assert!(signed.verify(&source, now).is_ok());

            // The body: every scheme but the token ones (MYCURE's URL, header tokens) authenticates it.
            if carehook::schemes::by_vendor(vendor).unwrap().signs_body() {
                let mut changed = Signed { body: body.clone(), target: signed.target.clone(), headers: signed.headers.clone() };
                let i = at.index(changed.body.len());
                changed.body[i] ^= flip;
                let e = changed.verify(&source, now).err();
                prop_assert!(e.as_ref().is_some_and(|e| !e.verified()), "{}: body byte {} changed: {:?}", vendor, i, e);
            }

            // One signed header value, one byte replaced by a different visible character (not a mere change of
            // case, which hex and the scheme prefixes ignore).
            let signed_headers: Vec<usize> =
                (0..signed.headers.len()).filter(|&i| signed_header(&signed.headers[i].0)).collect();
            if signed_headers.is_empty() {
                continue;
            }
            let h = signed_headers[header_pick.index(signed_headers.len())];
            let mut headers = signed.headers.clone();
            let mut value = headers[h].1.clone().into_bytes();
            let i = at.index(value.len());
            if value[i].eq_ignore_ascii_case(&replacement) {
                continue;
            }
            value[i] = replacement;
            headers[h].1 = String::from_utf8(value).unwrap();
            let changed = Signed { headers, target: signed.target.clone(), body: body.clone() };
            let e = changed.verify(&source, now).err();
            prop_assert!(
                e.as_ref().is_some_and(|e| !e.verified()),
                "{}: byte {} of {} changed: {:?}", vendor, i, signed.headers[h].0, e
            );
        }
    }
}

/// A header name: one a vendor reads (so parsers run), or anything.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "el8-ed25519-signature", "x-elmed-signature", "x-elmed-event", "content-digest", "signature",
            "signature-input", "webhook-id", "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp",
            "svix-signature", "stripe-signature", "x-akute-signature", "x-hub-signature-256", "x-hub-signature",
            "x-signature", "x-medplum-interaction", "x-metriport-signature", "x-photon-signature", "x-github-event",
            "x-github-delivery", "Webhook-Signature", "STRIPE-SIGNATURE",
        ]).prop_map(str::to_owned),
        1 => "\\PC{0,12}",
    ]
}

/// A header value shaped like the vendors' (so parsers get past their first check), or anything.
fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "(sha256=|SHA256=|sig1=|sha1=)?[0-9a-fA-F]{0,70}",
        "(v1|v1a|v2),[A-Za-z0-9+/=]{0,90}( (v1|v1a),[A-Za-z0-9+/=]{0,90}){0,3}",
        "t=-?[0-9]{0,20}(,(v1|v0|t)=[0-9a-f]{0,66}){0,4}",
        "(SHA-256|sha-256|sha256|md5)=:?[A-Za-z0-9+/=]{0,50}:?",
        "-?[0-9]{0,21}",
        "\\PC{0,64}",
        ".{0,32}",
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        "\\{(\"[a-z_]{1,8}\": ?(\"\\PC{0,12}\"|-?[0-9]{1,22}(\\.[0-9]+)?|null|true|\\{\\}|\\[\\]),? ?){0,6}\\}"
            .prop_map(String::into_bytes),
        Just(b"[[[[[[[[[[[[[[[[[[[[".to_vec()),
    ]
}

proptest! {
    #![proptest_config(config(48))]

    /// Arbitrary headers, bodies, targets, clocks and limits never panic through verify or inspect, for every
    /// vendor; every error has a known code, and every event is JSON.
    #[test]
    fn arbitrary_requests_never_panic(
        headers in proptest::collection::vec((header_name(), header_value()), 0..8),
        body in body(),
        method in prop_oneof!["POST", "GET", "post", "\\PC{0,8}"],
        target in prop_oneof![path(), "\\PC{0,40}", "https?://[a-z.]{1,12}(:[0-9]{1,5})?(/[^?#]{0,12})?(\\?[^#]{0,12})?(#.{0,5})?"],
        now in any::<i64>(),
        tolerance in prop_oneof![Just(300u64), any::<u64>()],
        max_signatures in 0usize..20,
        max_header_bytes in prop_oneof![Just(8192usize), 0usize..100],
        remote_ip in proptest::option::of("[0-9.:a-f]{0,20}"),
        utc_offset_minutes in any::<i32>(),
    ) {
        let h: Headers = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let req = Request::new(&method, &target, &h, &body).with_remote_ip(remote_ip.as_deref());
        for vendor in carehook::vendors() {
            let key = carehook::verify_key(vendor, sample(vendor).signing_key).unwrap();
            let opts = Options {
                tolerance,
                max_signatures,
                max_header_bytes,
                utc_offset_minutes,
                allow_ips: if remote_ip.is_some() { vec!["10.0.0.0/8".parse().unwrap()] } else { Vec::new() },
                ..Options::default()
            };
            let source = Source::new(vendor, std::slice::from_ref(&key), opts).unwrap();
            match source.verify(&req, now) {
                Ok(v) => {
                    // Raw values: a number such as 1e400 is valid JSON that carehook passes through as sent.
                    type Envelope = std::collections::BTreeMap<String, Box<serde_json::value::RawValue>>;
                    for e in v.events() {
                        let envelope: Envelope = serde_json::from_str(&e.to_json()).unwrap();
                        if let Some(data) = envelope.get("data") {
                            let part = data.get().as_bytes();
                            prop_assert!(body.windows(part.len()).any(|w| w == part), "{}: data is not part of the body", vendor);
                            if !carehook::schemes::by_vendor(vendor).unwrap().batches() {
                                prop_assert_eq!(part, body.trim_ascii());
                            }
                        }
                    }
                }
                Err(e) => prop_assert!(carehook::CODES.contains(&e.code())),
            }
            let report = source.inspect(&req, now);
            serde_json::to_string(&report).unwrap();
            let cfg = carehook::SourceConfig { vendor: vendor.to_owned(), keys: vec![key], ..Default::default() };
            carehook::inspect(&cfg, &req, now);
        }
        // No vendor given: detection from the headers.
        carehook::inspect(&carehook::SourceConfig::default(), &req, now);
    }

    /// Arbitrary key text never panics for any vendor: it parses or gives invalid_key; so do sign and verify_key.
    #[test]
    fn arbitrary_keys_never_panic(key in prop_oneof!["\\PC{0,60}", "(whsec_|whpk_|whsk_)[A-Za-z0-9+/=]{0,60}", "[A-Za-z0-9+/]{43}="]) {
        for vendor in carehook::vendors() {
            if let Err(e) = Source::new(vendor, &[key.as_str()], Options::default()) {
                prop_assert_eq!(e.code(), "invalid_key");
            }
            let input = carehook::SignInput { method: "POST", path: "/", query: "", body: b"{}", now: 0, id: None };
            let _ = carehook::sign(vendor, &key, &input);
            let _ = carehook::verify_key(vendor, &key);
        }
    }
}
