//! Standard Webhooks / Svix: the `webhook-id`, `webhook-timestamp` and `webhook-signature` list parsers.
//! Input: 3 choice bytes (svix names, keyring, clock skew), then `id\ntimestamp\nsignature list`. Placeholders:
//! `{TS}` (the clock), `{V1}` (a valid HMAC signature), `{V1A}` (a valid Ed25519 signature) for the id and
//! timestamp as sent.
#![no_main]

use arbitrary::Unstructured;
use carehook::{Options, Request, Source};
use carehook_fuzz::*;
use ed25519_dalek::{Signer, SigningKey};
use libfuzzer_sys::fuzz_target;

const ED_SEED: [u8; 32] = [7; 32];

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let svix: bool = u.arbitrary().unwrap_or(false);
    let ring: u8 = u.arbitrary().unwrap_or(0);
    let skew: i8 = u.arbitrary().unwrap_or(0);
    let text = String::from_utf8_lossy(u.take_rest()).into_owned();

    let vendor = if svix { "svix" } else { "standard" };
    let names = if svix {
        ["svix-id", "svix-timestamp", "svix-signature"]
    } else {
        ["webhook-id", "webhook-timestamp", "webhook-signature"]
    };
    let secret_text = sample(vendor).signing_key;
    let secret = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &secret_text[6..]).unwrap();
    let ed = SigningKey::from_bytes(&ED_SEED);
    let ed_pub = format!("whpk_{}", b64(ed.verifying_key().as_bytes()));
    let (hmac_in_ring, ed_in_ring) = match ring % 3 {
        0 => (true, false),
        1 => (false, true),
        _ => (true, true),
    };
    let mut keys = Vec::new();
    if hmac_in_ring {
        keys.push(secret_text.to_owned());
    }
    if ed_in_ring {
        keys.push(ed_pub);
    }
    let source = Source::new(vendor, &keys, Options::default()).unwrap();

    let ts_now = NOW.to_string();
    let mut parts = text.splitn(3, '\n');
    let id = parts.next().map(|p| fill(p, &[("{TS}", &ts_now)]));
    let ts = parts.next().map(|p| fill(p, &[("{TS}", &ts_now)]));
    let body = sample(vendor).body.as_bytes();
    let msg = [id.as_deref().unwrap_or("").as_bytes(), b".", ts.as_deref().unwrap_or("").as_bytes(), b".", body];
    let v1 = hmac_sha256(&secret, &msg);
    let v1a = ed.sign(&msg.concat()).to_bytes();
    let list = parts.next().map(|p| fill(p, &[("{V1}", &b64(&v1)), ("{V1A}", &b64(&v1a)), ("{TS}", &ts_now)]));

    let mut pairs = Vec::new();
    for (name, value) in names.iter().zip([&id, &ts, &list]) {
        if let Some(v) = value {
            pairs.push((*name, v.as_str()));
        }
    }
    let h = headers(&pairs);
    let now = NOW + i64::from(skew) * 5;
    let result = verify_checked(&source, &Request::new("POST", "/in/standard", &h, body), now);

    if result.as_ref().is_ok_and(|_| true) || result.as_ref().is_err_and(|e| e.verified()) {
        // The oracle: a good signature only with the right signature in the list, at a timestamp in tolerance.
        let list = list.unwrap_or_default();
        let good_hmac = hmac_in_ring && list.contains(&b64_core(&v1));
        let good_ed = ed_in_ring && list.contains(&b64_core(&v1a));
        assert!(good_hmac || good_ed, "verified without a valid signature");
        let ts: i64 = ts.unwrap_or_default().trim().parse().expect("verified with an unreadable timestamp");
        assert!((ts - now).abs() <= 300, "verified outside the tolerance");
    }
});
