//! `inspect` explains the failures people bring to it: each case below is a real mistake, and the diagnosis names it.

use carehook::{Headers, Request, SignInput, SourceConfig};

const KEY: &str = "whsec_Y2FyZWhvb2stZGlhZ25vc2UtdGVzdC1rZXk=";
const BODY: &[u8] = br#"{"type":"patient.updated","data":{"id":"p1"}}"#;
const SIGNED_AT: i64 = 1_763_800_000;

fn signed(vendor: &str, key: &str, body: &[u8]) -> Vec<(String, String)> {
    let input = SignInput { method: "POST", path: "/in/x", query: "", body, now: SIGNED_AT, id: Some("msg_diag") };
    carehook::sign(vendor, key, &input).unwrap()
}

fn diagnosis(vendor: &str, keys: &[&str], headers: &[(String, String)], body: &[u8], now: i64) -> Vec<String> {
    let cfg = SourceConfig {
        vendor: vendor.into(),
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        ..Default::default()
    };
    let h: Headers = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let report = carehook::inspect(&cfg, &Request::new("POST", "/in/x", &h, body), now);
    assert!(!report.ok);
    report.diagnosis
}

fn says(found: &[String], text: &str) -> bool {
    found.iter().any(|d| d.contains(text))
}

#[test]
fn an_old_capture_says_whether_the_signature_itself_is_good() {
    let h = signed("standard", KEY, BODY);
    let three_hours = SIGNED_AT + 3 * 3600;
    let found = diagnosis("standard", &[KEY], &h, BODY, three_hours);
    assert!(says(&found, "the signature is valid: it was signed 3 h ago"), "{found:?}");
    let other = "whsec_b3RoZXIta2V5LWZvci10aGUtZGlhZ25vc2lz";
    let found = diagnosis("standard", &[other], &h, BODY, three_hours);
    assert!(says(&found, "the signature is invalid as well"), "{found:?}");
    let stripe = signed("stripe", "whsec_stripe_diag", BODY);
    let found = diagnosis("stripe", &["whsec_stripe_diag"], &stripe, BODY, SIGNED_AT + 86_400 * 3);
    assert!(says(&found, "signed 3 days ago"), "{found:?}");
}

#[test]
fn a_millisecond_timestamp_is_named() {
    let mut h = signed("standard", KEY, BODY);
    for (k, v) in &mut h {
        if k == "webhook-timestamp" {
            *v = format!("{v}000");
        }
    }
    assert!(says(&diagnosis("standard", &[KEY], &h, BODY, SIGNED_AT), "milliseconds"));
}

#[test]
fn copying_mistakes_are_named() {
    let quoted: Vec<(String, String)> = signed("github", "gh-secret", BODY)
        .into_iter()
        .map(|(k, v)| if k.contains("signature") { (k, format!("\"{v}\"")) } else { (k, v) })
        .collect();
    assert!(says(&diagnosis("github", &["gh-secret"], &quoted, BODY, SIGNED_AT), "wrapped in quotes"));

    let equals: Vec<(String, String)> =
        signed("standard", KEY, BODY).into_iter().map(|(k, v)| (k, v.replace("v1,", "v1="))).collect();
    assert!(says(&diagnosis("standard", &[KEY], &equals, BODY, SIGNED_AT), "v1=<sig>"));

    let bom = [b"\xEF\xBB\xBF".as_slice(), BODY].concat();
    let h = signed("github", "gh-secret", BODY);
    assert!(says(&diagnosis("github", &["gh-secret"], &h, &bom, SIGNED_AT), "byte-order mark"));
}

#[test]
fn the_wrong_vendor_is_named_on_every_failure() {
    let h = signed("github", "gh-secret", BODY);
    let found = diagnosis("stripe", &["gh-secret"], &h, BODY, SIGNED_AT);
    assert!(says(&found, "look like github's"), "{found:?}");
}
