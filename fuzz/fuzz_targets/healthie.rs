//! Healthie: the `Content-Digest` parser (every published form) and the `Signature: sig1=<hex>` parser.
//! Input: 3 choice bytes (method, query, public path), then `digest\nsignature`. Placeholders: in the digest,
//! `{B64}` / `{HEX}` (the body's SHA-256); in the signature, `{SIG}` / `{SIGU}` (the valid MAC over the digest as
//! sent / with its padding dropped, as the vendor's sample code does).
#![no_main]

use arbitrary::Unstructured;
use carehook::{Options, Request, Source};
use carehook_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let method = ["POST", "GET", "put", "POST"][usize::from(u.arbitrary::<u8>().unwrap_or(0) % 4)];
    let query = ["", "a=1", "x=%20&y="][usize::from(u.arbitrary::<u8>().unwrap_or(0) % 3)];
    let public: bool = u.arbitrary().unwrap_or(false);
    let text = String::from_utf8_lossy(u.take_rest()).into_owned();

    let secret = sample("healthie").signing_key;
    let opts = Options { public_path: public.then(|| "/public/healthie".to_owned()), ..Options::default() };
    let source = Source::new("healthie", &[secret], opts).unwrap();
    let body = sample("healthie").body.as_bytes();
    let digest_bytes = sha256(body);

    let mut parts = text.splitn(2, '\n');
    let digest =
        parts.next().map(|d| fill(d, &[("{B64}", &b64(&digest_bytes)), ("{HEX}", &hex::encode(digest_bytes))]));
    let d = digest.clone().unwrap_or_default();
    let sent = d.split_once('=').map_or("", |(_, v)| v);
    let unpadded = d.split('=').nth(1).unwrap_or("");
    let path = if public { "/public/healthie" } else { "/in/healthie" };
    let mac = |form: &str| {
        let s = format!("{} {path} {query} {form} application/json {}", method.to_ascii_lowercase(), body.len());
        hex::encode(hmac_sha256(secret.as_bytes(), &[s.as_bytes()]))
    };
    let (sig_sent, sig_unpadded) = (mac(sent), mac(unpadded));
    let signature = parts.next().map(|s| fill(s, &[("{SIG}", &sig_sent), ("{SIGU}", &sig_unpadded)]));

    let mut pairs = vec![("content-type", "application/json")];
    if let Some(d) = &digest {
        pairs.push(("content-digest", d));
    }
    if let Some(s) = &signature {
        pairs.push(("signature", s));
    }
    let h = headers(&pairs);
    let target = if query.is_empty() { "/gw/healthie".to_owned() } else { format!("/gw/healthie?{query}") };
    let target = if public { target } else { target.replacen("/gw/", "/in/", 1) };
    let result = verify_checked(&source, &Request::new(method, &target, &h, body), NOW);

    if result.is_ok() || result.as_ref().is_err_and(|e| e.verified()) {
        let sig = signature.unwrap_or_default().to_ascii_lowercase();
        assert!(sig.contains(&sig_sent) || sig.contains(&sig_unpadded), "verified without a valid sig1=");
        let d = d.to_ascii_lowercase();
        let b64 = b64_core(&digest_bytes).to_ascii_lowercase();
        assert!(d.contains(&b64) || d.contains(&hex::encode(digest_bytes)), "verified without the body's digest");
    }
    if result.as_ref().is_err_and(|e| e.code() == "digest_mismatch") {
        assert!(!d.contains(&b64(&digest_bytes)), "the body's own digest reported as a mismatch");
    }
});
