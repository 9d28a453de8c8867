//! `sha256=<hex>` (ELMED, GitHub, athenahealth) and bare hex (Medplum, Metriport, Photon) signature headers.
//! Input: 1 choice byte (the vendor), then the header value. Placeholders: `{MAC}` / `{MACU}` (the valid HMAC of the
//! body in lower / upper case hex).
#![no_main]

use arbitrary::Unstructured;
use carehook::{Options, Request, Source};
use carehook_fuzz::*;
use libfuzzer_sys::fuzz_target;

const SCHEMES: [(&str, &str); 6] = [
    ("elmed", "x-elmed-signature"),
    ("github", "x-hub-signature-256"),
    ("athenahealth", "x-hub-signature"),
    ("medplum", "x-signature"),
    ("metriport", "x-metriport-signature"),
    ("photon", "x-photon-signature"),
];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let pick: u8 = u.arbitrary().unwrap_or(0);
    let text = String::from_utf8_lossy(u.take_rest()).into_owned();
    let (vendor, name) = SCHEMES[usize::from(pick) % SCHEMES.len()];

    let secret = sample(vendor).signing_key;
    let source = Source::new(vendor, &[secret], Options::default()).unwrap();
    let body = sample(vendor).body.as_bytes();
    let mac = hex::encode(hmac_sha256(secret.as_bytes(), &[body]));
    let value = fill(&text, &[("{MAC}", &mac), ("{MACU}", &mac.to_ascii_uppercase())]);

    let h = headers(&[(name, &value)]);
    let result = verify_checked(&source, &Request::new("POST", "/in/hook", &h, body), NOW);

    if result.is_ok() || result.as_ref().is_err_and(|e| e.verified()) {
        assert!(value.to_ascii_lowercase().contains(&mac), "verified without the valid MAC");
        let prefixed = !matches!(vendor, "medplum" | "metriport" | "photon");
        assert_eq!(value.trim().to_ascii_lowercase().starts_with("sha256="), prefixed, "wrong prefix accepted");
    }
});
