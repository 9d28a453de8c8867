//! Key parsing for every vendor: HMAC secrets as text or `whsec_` base64, Ed25519 public keys (`whpk_`, Elation's
//! base64), URL tokens; and the signing keys `sign` and `verify_key` take.
//! Input: 1 choice byte (the vendor), then keys separated by newlines. Placeholders: `{PK}` (the sample's
//! verification key), `{SK}` (its signing key).
#![no_main]

use arbitrary::Unstructured;
use carehook::{Options, Request, SignInput, Source};
use carehook_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let vendor = vendor(u.arbitrary().unwrap_or(0));
    let text = String::from_utf8_lossy(u.take_rest()).into_owned();
    let s = sample(vendor);
    let pk = sample_key(vendor);
    let keys: Vec<String> =
        text.split('\n').take(8).map(|k| fill(k, &[("{PK}", &pk), ("{SK}", s.signing_key)])).collect();

    // A keyring parses, or is refused as invalid_key; never anything else.
    let ring = Source::new(vendor, &keys, Options::default());
    if let Err(e) = &ring {
        assert_eq!(e.code(), "invalid_key");
    }
    // Ed25519 keys that parse are never of small order (they would accept forged signatures).
    if let Ok(source) = &ring {
        for k in &keys {
            let raw = match vendor {
                "elation" => Some(k.trim()),
                "standard" | "svix" => k.strip_prefix("whpk_").map(str::trim),
                _ => None,
            };
            let bytes = raw.and_then(|r| {
                use base64::Engine;
                let e = base64::engine::general_purpose::STANDARD;
                e.decode(r).ok().or_else(|| base64::engine::general_purpose::STANDARD_NO_PAD.decode(r).ok())
            });
            if let Some(Ok(point)) =
                bytes.and_then(|b| <[u8; 32]>::try_from(b).ok()).map(|b| ed25519_dalek::VerifyingKey::from_bytes(&b))
            {
                assert!(!point.is_weak(), "a small-order key was accepted");
            }
        }
        // The sample, signed with the sample key, verifies when the ring holds that key verbatim.
        if keys.contains(&pk) {
            let path = if vendor == "mycure" { s.path.to_owned() } else { "/in/hook".to_owned() };
            let input =
                SignInput { method: "POST", path: &path, query: "", body: s.body.as_bytes(), now: NOW, id: None };
            let signed = carehook::sign(vendor, s.signing_key, &input).unwrap();
            let pairs: Vec<(&str, &str)> = signed.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let h = headers(&pairs);
            let r = verify_checked(source, &Request::new("POST", &path, &h, s.body.as_bytes()), NOW);
            assert!(r.is_ok(), "the sample did not verify with its key in the ring: {:?}", r.err());
        }
    }

    // Any signing key that sign and verify_key accept round-trips: what it signs, its verification key verifies.
    for k in &keys {
        let path = if vendor == "mycure" { format!("/in/mycure/{k}") } else { "/in/hook".to_owned() };
        let input = SignInput { method: "POST", path: &path, query: "", body: s.body.as_bytes(), now: NOW, id: None };
        let (Ok(signed), Ok(vk)) = (carehook::sign(vendor, k, &input), carehook::verify_key(vendor, k)) else {
            continue;
        };
        let source = Source::new(vendor, &[vk], Options::default()).expect("verify_key gives a usable key");
        let pairs: Vec<(&str, &str)> = signed.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let h = headers(&pairs);
        let r = verify_checked(&source, &Request::new("POST", &path, &h, s.body.as_bytes()), NOW);
        assert!(r.is_ok(), "{vendor}: signed with a key sign accepts, refused with its verify_key: {:?}", r.err());
    }
});
