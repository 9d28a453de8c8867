//! RFC 9421 Appendix B.2.5 and B.2.6 reproduced exactly (the signature bases and the signatures), and the scheme's
//! own round trips. The wider cases are vectors (tests/vectors/rfc9421.json, computed with Node's crypto).

use super::base::{Input, Message};
use super::sfv::parse_dictionary;
use super::*;
use crate::options::PublicUrl;
use crate::{Options, Source};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// RFC 9421 Appendix B.2: `POST /foo?param=Value&Pet=dog` to example.com.
const BODY: &[u8] = br#"{"hello": "world"}"#;
const CREATED: i64 = 1618884473;

fn b2_headers(extra: &[(&str, &str)]) -> Headers {
    let mut h: Headers = [
        ("Host", "example.com"),
        ("Date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        ("Content-Type", "application/json"),
        (
            "Content-Digest",
            "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        ),
        ("Content-Length", "18"),
    ]
    .into_iter()
    .collect();
    for (k, v) in extra {
        h.append(k, v);
    }
    h
}

fn message(headers: &Headers) -> Message<'_> {
    Message {
        method: "POST",
        scheme: "https",
        authority: Ok("example.com"),
        path: "/foo",
        query: "param=Value&Pet=dog",
        headers,
        max_field_bytes: 8 << 10,
    }
}

fn input_of(signature_input: &str) -> Input {
    let dict = parse_dictionary(signature_input).unwrap();
    Input::read(&dict[0].1).unwrap()
}

/// B.1.4: test-shared-secret, 64 bytes.
const SHARED: &str = "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";
/// B.1.4: test-key-ed25519.
const ED_PUBLIC_HEX: &str = "26b40b8f93fff3d897112f7ebc582b232dbd72517d082fe83cfb30ddce43d1bb";
const ED_SEED_HEX: &str = "9f8362f87a484a954e6e740c5b4c0e84229139a20aa8ab56ff66586f6a7d29c5";
const ED_SPKI: &str = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";

fn shared_jwk() -> String {
    let k = URL_SAFE_NO_PAD.encode(B64.decode(SHARED).unwrap());
    format!(r#"{{"kty":"oct","kid":"test-shared-secret","k":"{k}"}}"#)
}

fn ed_jwk() -> String {
    let x = URL_SAFE_NO_PAD.encode(hex::decode(ED_PUBLIC_HEX).unwrap());
    format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"test-key-ed25519","x":"{x}"}}"#)
}

/// The B.2 examples sign no digest: only a source that does not require one accepts them.
fn lenient() -> Options {
    Options { require_content_digest: false, ..Options::default() }
}

const B25_INPUT: &str = r#"sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret""#;
const B25_SIGNATURE: &str = "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:";
const B26_INPUT: &str = r#"sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519""#;
const B26_SIGNATURE: &str =
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";

#[test]
fn b_2_5_hmac_sha256_signature_base_and_signature() {
    let headers = b2_headers(&[]);
    let base = input_of(B25_INPUT).base(&message(&headers)).unwrap();
    assert_eq!(
        base,
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@authority\": example.com\n\"content-type\": application/json\n\
         \"@signature-params\": (\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\""
    );
    let mac = hmac_sha256(&B64.decode(SHARED).unwrap(), &[base.as_bytes()]);
    assert_eq!(B64.encode(mac), "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=");

    let headers = b2_headers(&[("Signature-Input", B25_INPUT), ("Signature", B25_SIGNATURE)]);
    let req = Request::new("POST", "/foo?param=Value&Pet=dog", &headers, BODY);
    let source = Source::new("rfc9421", &[shared_jwk()], lenient()).unwrap();
    let verified = source.verify(&req, CREATED).unwrap();
    assert_eq!(verified.key_index(), 0);
    // The same request, on a source with the default policy: no digest is signed, so the body is not authenticated.
    let strict = Source::new("rfc9421", &[shared_jwk()], Options::default()).unwrap();
    assert!(matches!(strict.verify(&req, CREATED), Err(Error::SignatureMismatch { hint: Some(DIGEST_HINT) })));
}

#[test]
fn b_2_6_ed25519_signature_base_and_signature() {
    let headers = b2_headers(&[]);
    let base = input_of(B26_INPUT).base(&message(&headers)).unwrap();
    assert_eq!(
        base,
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@authority\": example.com\n\
         \"content-type\": application/json\n\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \
         \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
    );
    // Ed25519 is deterministic: the seed signs exactly the RFC's signature.
    let seed: [u8; 32] = hex::decode(ED_SEED_HEX).unwrap().try_into().unwrap();
    let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
    assert_eq!(hex::encode(sk.verifying_key().as_bytes()), ED_PUBLIC_HEX);
    assert_eq!(
        B64.encode(sk.sign(base.as_bytes()).to_bytes()),
        "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="
    );

    let headers = b2_headers(&[("Signature-Input", B26_INPUT), ("Signature", B26_SIGNATURE)]);
    let req = Request::new("POST", "/foo?param=Value&Pet=dog", &headers, BODY);
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{ED_SPKI}\n-----END PUBLIC KEY-----\n");
    let raw = B64.encode(hex::decode(ED_PUBLIC_HEX).unwrap());
    // Every form of the same key verifies: JWK, JWK Set, PEM, SPKI base64, raw base64 (the last three answer to
    // any keyid).
    for key in [ed_jwk(), format!(r#"{{"keys":[{}, {}]}}"#, shared_jwk(), ed_jwk()), pem, ED_SPKI.to_owned(), raw] {
        let source = Source::new("rfc9421", std::slice::from_ref(&key), lenient()).unwrap();
        assert_eq!(source.verify(&req, CREATED).map(|v| v.key_index()).map_err(|e| e.code()), Ok(0), "{key}");
    }
    // A signature from B.2.6 with its keyid naming the HMAC key: the keyid selects it, and it does not verify.
    let renamed = B26_INPUT.replace("test-key-ed25519", "test-shared-secret");
    let headers = b2_headers(&[("Signature-Input", &renamed), ("Signature", B26_SIGNATURE)]);
    let req = Request::new("POST", "/foo?param=Value&Pet=dog", &headers, BODY);
    let both = format!(r#"{{"keys":[{}, {}]}}"#, shared_jwk(), ed_jwk());
    let source = Source::new("rfc9421", &[both], lenient()).unwrap();
    assert_eq!(source.verify(&req, CREATED).unwrap_err().code(), "signature_mismatch");
}

#[test]
fn derived_components_follow_section_2_2() {
    let headers = b2_headers(&[]);
    let value = |names: &str, msg: &Message<'_>| {
        let base = input_of(&format!("s=({names})")).base(msg).unwrap();
        base.lines().next().unwrap().split_once(": ").unwrap().1.to_owned()
    };
    let msg = message(&headers);
    assert_eq!(value(r#""@target-uri""#, &msg), "https://example.com/foo?param=Value&Pet=dog");
    assert_eq!(value(r#""@query""#, &msg), "?param=Value&Pet=dog");
    assert_eq!(value(r#""@scheme""#, &msg), "https");
    let bare = Message { query: "", path: "", ..msg.clone() };
    assert_eq!(value(r#""@query""#, &bare), "?");
    assert_eq!(value(r#""@path""#, &bare), "/");
    assert_eq!(value(r#""@target-uri""#, &bare), "https://example.com/");
    // A field sent on several lines is one value, each line trimmed, joined with ", ".
    let multi: Headers = [("x-list", " a "), ("X-List", "b\t")].into_iter().collect();
    assert_eq!(value(r#""x-list""#, &Message { headers: &multi, ..msg.clone() }), "a, b");
    for (covered, code) in [
        (r#""@request-target""#, "malformed_header"),
        (r#""@status""#, "malformed_header"),
        (r#""x-absent""#, "missing_header"),
    ] {
        let err = input_of(&format!("s=({covered})")).base(&msg).unwrap_err();
        assert_eq!(err.code(), code, "{covered}");
    }
    let bad: Headers = [("x-bad", "caf\u{e9}")].into_iter().collect();
    let err = input_of(r#"s=("x-bad")"#).base(&Message { headers: &bad, ..msg.clone() }).unwrap_err();
    assert_eq!(err.code(), "malformed_header");
    let long: Headers = [("x-long", "a".repeat(9000))].into_iter().collect();
    let err = input_of(r#"s=("x-long")"#).base(&Message { headers: &long, ..msg }).unwrap_err();
    assert_eq!(err.code(), "malformed_header");
}

#[test]
fn signature_inputs_are_read_strictly() {
    for bad in [
        r#"s="@method";created=1"#,
        r#"s=(@method)"#,
        r#"s=("@method" "@method")"#,
        r#"s=("Content-Type")"#,
        r#"s=("content-type";sf)"#,
        r#"s=("@query-param";name="a")"#,
        r#"s=();created="1""#,
        r#"s=();keyid=k"#,
        r#"s=();alg=ed25519"#,
    ] {
        // Either the dictionary or the signature's parameters are malformed.
        let read = parse_dictionary(bad).map_err(|_| "malformed_header").and_then(|d| {
            let input = Input::read(&d[0].1).map_err(|e| e.code());
            input.map(|_| ())
        });
        assert_eq!(read, Err("malformed_header"), "{bad}");
    }
    let ok = input_of(r#"s=("@method");created=1;expires=2;nonce="n";tag="t";alg="hmac-sha256";keyid="k";x=1"#);
    assert_eq!((ok.created, ok.expires, ok.tag.as_deref()), (Some(1), Some(2), Some("t")));
}

#[test]
fn the_sample_signs_and_verifies_and_a_change_breaks_it() {
    let s = RFC9421.sample();
    let input =
        SignInput { method: "POST", path: s.path, query: "a=1", body: s.body.as_bytes(), now: 1_763_800_000, id: None };
    let signed = RFC9421.sign(s.signing_key, &input).unwrap();
    let headers: Headers = signed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let source = Source::new("rfc9421", &[RFC9421.verify_key(s.signing_key).unwrap()], Options::default()).unwrap();
    let target = format!("{}?a=1", s.path);
    let ev = source.verify(&Request::new("POST", &target, &headers, s.body.as_bytes()), 1_763_800_000).unwrap();
    let ev = ev.event().unwrap();
    assert_eq!(
        (ev.id.as_str(), ev.ty.as_str(), ev.subject.as_deref(), ev.action.as_deref()),
        ("evt_01JDX7Q2M4RFC9421", "rfc9421.appointment.booked", Some("Appointment/appt_7781"), Some("booked"))
    );
    let covered = &signed.iter().find(|(k, _)| k == "signature-input").unwrap().1;
    assert_eq!(
        covered,
        r#"sig1=("@method" "@path" "@query" "content-type" "content-digest");created=1763800000;keyid="carehook-demo-2026";alg="hmac-sha256""#
    );
    for (method, target, body) in [
        ("PUT", target.as_str(), s.body),
        ("POST", s.path, s.body),
        ("POST", "/in/other?a=1", s.body),
        ("POST", target.as_str(), "{}"),
    ] {
        let err = source.verify(&Request::new(method, target, &headers, body.as_bytes()), 1_763_800_000).unwrap_err();
        let want = if body == s.body { "signature_mismatch" } else { "digest_mismatch" };
        assert_eq!(err.code(), want, "{method} {target}");
    }
}

#[test]
fn ed25519_jwks_sign_and_pair() {
    let seed = URL_SAFE_NO_PAD.encode(hex::decode(ED_SEED_HEX).unwrap());
    let x = URL_SAFE_NO_PAD.encode(hex::decode(ED_PUBLIC_HEX).unwrap());
    let private = format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"test-key-ed25519","d":"{seed}","x":"{x}"}}"#);
    let public = RFC9421.verify_key(&private).unwrap();
    assert_eq!(public, format!(r#"{{"crv":"Ed25519","kid":"test-key-ed25519","kty":"OKP","x":"{x}"}}"#));
    let body = br#"{"type":"x.y"}"#;
    let input = SignInput { method: "POST", path: "/hook", query: "", body, now: 5, id: None };
    let headers: Headers = RFC9421.sign(&private, &input).unwrap().into_iter().collect();
    let source = Source::new("rfc9421", &[public], Options::default()).unwrap();
    assert!(source.verify(&Request::new("POST", "/hook", &headers, body), 5).is_ok());
    // The private key is not a verification key.
    assert_eq!(Source::new("rfc9421", &[private], Options::default()).unwrap_err().code(), "invalid_key");
}

#[test]
fn keys_are_jwks_with_a_kid_or_ed25519_public_keys() {
    let parse = |k: &str| RFC9421.parse_key(k).map(|_| ()).map_err(|e| e.code());
    assert_eq!(parse(&shared_jwk()), Ok(()));
    assert_eq!(parse(&ed_jwk()), Ok(()));
    assert_eq!(parse(ED_SPKI), Ok(()));
    for bad in [
        r#"{"kty":"oct","k":"c2VjcmV0"}"#,
        r#"{"kty":"oct","kid":"","k":"c2VjcmV0"}"#,
        r#"{"kty":"oct","kid":"a","k":""}"#,
        r#"{"kty":"oct","kid":"clé","k":"c2VjcmV0"}"#,
        r#"{"kty":"oct","kid":"a","k":"c2VjcmV0","alg":"HS512"}"#,
        r#"{"kty":"oct","kid":"a","k":"c2VjcmV0","use":"enc"}"#,
        r#"{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB"}"#,
        r#"{"kty":"OKP","crv":"X25519","kid":"a","x":"AAAA"}"#,
        r#"{"kty":"OKP","crv":"Ed25519","kid":"a","x":"AAAA"}"#,
        r#"{"kty":"OKP","crv":"Ed25519","kid":"a","kid":"b","x":"AAAA"}"#,
        "whsec_c2VjcmV0",
        "a plain secret",
        "",
    ] {
        assert_eq!(parse(bad), Err("invalid_key"), "{bad}");
    }
    assert_eq!(Source::new("rfc9421", &[r#"{"keys":[]}"#], Options::default()).unwrap_err().code(), "invalid_key");
}

#[test]
fn public_urls_are_origins_with_an_optional_path() {
    let u = PublicUrl::parse("HTTPS://Hooks.Example.com:443/webhooks/acme").unwrap();
    assert_eq!(
        (u.scheme.as_str(), u.authority.as_str(), u.path.as_deref()),
        ("https", "hooks.example.com", Some("/webhooks/acme"))
    );
    assert_eq!(PublicUrl::parse("http://h.example:80/").unwrap().authority, "h.example");
    assert_eq!(PublicUrl::parse("http://h.example:8443").unwrap().authority, "h.example:8443");
    assert_eq!(PublicUrl::parse("https://[::1]:8443/x").unwrap().authority, "[::1]:8443");
    assert_eq!(PublicUrl::parse("https://h.example/").unwrap().path, None);
    for bad in [
        "hooks.example.com",
        "ftp://h",
        "https://",
        "https://h/a?b",
        "https://u@h",
        "https://h:x",
        "https://h /a",
        "https://[zz]",
    ] {
        assert!(PublicUrl::parse(bad).is_err(), "{bad}");
    }
}
