//! The crypto primitives, and where they run: in the core (sha2, hmac, ed25519-dalek) or, where the host runtime
//! has native crypto that is faster and gives the same answer, there.
//!
//! The npm package's Node entry (also used by Deno and Bun) installs node:crypto's HMAC-SHA256 and SHA-256, and on
//! Node itself (OpenSSL) its Ed25519 verification; browsers and workerd keep the core's own (WebCrypto is
//! asynchronous, and the core's verification is not). What may go to the host is chosen so that no answer changes:
//! - HMAC-SHA256 and SHA-256 are deterministic functions of their input: the host computes the same bytes. Only the
//!   tag is computed there; comparing it with the signature stays in the core, in constant time.
//! - Ed25519: the core's rule is ed25519-dalek's `verify_strict` (S canonical, A and R not of small order, R
//!   compared as bytes). A signature goes to the host only when the host's own rule cannot differ from it: the key
//!   was found ordinary when it was parsed (canonical encoding, not of small order), S is canonical, and R is a
//!   canonical encoding of a point that is not of small order. OpenSSL (node:crypto) then checks the same
//!   cofactorless equation on the same bytes. Everything else is verified by the core itself. Deno's and Bun's
//!   node:crypto are other implementations (a cofactored one would accept mixed-order signatures verify_strict
//!   refuses), so there Ed25519 stays in the core. Wycheproof's and the
//!   constructed edge cases run against both paths (tests/reference_vectors.rs, tests/js).
//!
//! Short messages stay in the core: below [`HOST_MIN_BYTES`], crossing into the host costs more than it saves.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Messages shorter than this are hashed in the core even where a host is installed: crossing into node:crypto
/// (its Hmac object, the digest Buffer) costs more than it saves below 1–2 KiB (Standard Webhooks in Node 20, this
/// repository's 2-core machine: 1 KiB 14.8 µs in the core, 16.3 µs with node:crypto; 2 KiB 20.8 / 19.4 µs; 16 KiB
/// 119 / 81 µs).
pub const HOST_MIN_BYTES: usize = 2048;

/// HMAC-SHA256 of the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let long = parts.iter().map(|p| p.len()).sum::<usize>() >= HOST_MIN_BYTES;
    if let Some(tag) = long.then(|| imp::hmac_sha256(key, parts)).flatten() {
        return tag;
    }
    // HMAC accepts keys of any length; the error arm cannot happen, and mapping it keeps this panic-free.
    match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            for p in parts {
                mac.update(p);
            }
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 32],
    }
}

/// HMAC-SHA1 of the concatenation of `parts`: Fitbit's legacy scheme only (always in the core).
pub fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
    match <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            for p in parts {
                mac.update(p);
            }
            mac.finalize().into_bytes().into()
        }
        Err(_) => [0; 20],
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let long = data.len() >= HOST_MIN_BYTES;
    long.then(|| imp::sha256(data)).flatten().unwrap_or_else(|| Sha256::digest(data).into())
}

/// Whether a public key may be checked by the host: its encoding is canonical and its point is not of small order.
/// Worked out once per key, when it is parsed (its small-order check is curve arithmetic).
pub(crate) fn ordinary_ed25519_key(key: &ed25519_dalek::VerifyingKey) -> bool {
    canonical_point(key.as_bytes()) && !key.is_weak()
}

/// Whether the signature's R and S leave no room for two Ed25519 rules to disagree (see the module documentation).
fn ordinary_signature(sig: &[u8; 64]) -> bool {
    let (r, s) = sig.split_at(32);
    let Ok(s) = <[u8; 32]>::try_from(s) else { return false };
    let Ok(r) = <[u8; 32]>::try_from(r) else { return false };
    if bool::from(curve25519_dalek::Scalar::from_canonical_bytes(s).is_none()) || !canonical_point(&r) {
        return false;
    }
    // A canonical encoding of a small-order point is one of the eight torsion points' encodings: no need to
    // decompress R (a square root) to tell. An R off the curve is refused by both rules alike (it never equals the
    // recomputed, canonical encoding).
    !small_order_encodings().contains(&r)
}

/// The canonical encodings of the eight points of small order (E[8]), computed once.
fn small_order_encodings() -> &'static [[u8; 32]; 8] {
    static ENCODINGS: std::sync::OnceLock<[[u8; 32]; 8]> = std::sync::OnceLock::new();
    ENCODINGS.get_or_init(|| curve25519_dalek::constants::EIGHT_TORSION.map(|p| p.compress().to_bytes()))
}

/// Whether a point encoding is canonical: y below p = 2^255 − 19, and no sign bit on x = 0 (y = ±1).
fn canonical_point(bytes: &[u8; 32]) -> bool {
    let mut y = *bytes;
    let sign = y[31] >> 7;
    y[31] &= 0x7f;
    // y < p: compare from the most significant byte of p = 7f ff … ff ed.
    let below_p = {
        let p_top = y[31] == 0x7f && y[1..31].iter().all(|b| *b == 0xff);
        !(p_top && y[0] >= 0xed)
    };
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    below_p && !(sign == 1 && (y == one || y == minus_one))
}

/// Ed25519 verification by the host, when one is installed, the key is ordinary ([`ordinary_ed25519_key`], given as
/// `ordinary_key`) and the signature leaves the host no room to differ; `None` means the core decides.
pub fn ed25519_verify_on_host(
    key: &ed25519_dalek::VerifyingKey,
    ordinary_key: bool,
    msg: &[u8],
    sig: &[u8; 64],
) -> Option<bool> {
    if !imp::installed() || !ordinary_key || !ordinary_signature(sig) {
        return None;
    }
    imp::ed25519_verify(key.as_bytes(), msg, sig)
}

#[cfg(all(feature = "wasm", target_arch = "wasm32"))]
mod imp {
    use std::cell::Cell;
    use wasm_bindgen::prelude::*;

    // The host's functions, installed by the package's Node entry. Each returns normally or throws; a throw (which
    // the bindings catch) makes the core compute the answer itself.
    #[wasm_bindgen(inline_js = r#"
let host = null;
export function carehook_host_install(h) { host = h; }
export function carehook_host_hmac(key, msg, out) { host.hmacSha256(key, msg, out); }
export function carehook_host_sha256(msg, out) { host.sha256(msg, out); }
export function carehook_host_ed25519(key, msg, sig) {
  if (typeof host.ed25519Verify !== "function") return 2;
  return host.ed25519Verify(key, msg, sig) === true ? 1 : 0;
}
"#)]
    extern "C" {
        fn carehook_host_install(host: JsValue);
        #[wasm_bindgen(catch)]
        fn carehook_host_hmac(key: &[u8], msg: &[u8], out: &mut [u8]) -> Result<(), JsValue>;
        #[wasm_bindgen(catch)]
        fn carehook_host_sha256(msg: &[u8], out: &mut [u8]) -> Result<(), JsValue>;
        /// 1 valid, 0 invalid, 2 when the host has no Ed25519 of its own to offer.
        #[wasm_bindgen(catch)]
        fn carehook_host_ed25519(key: &[u8], msg: &[u8], sig: &[u8]) -> Result<u8, JsValue>;
    }

    thread_local! {
        static INSTALLED: Cell<bool> = const { Cell::new(false) };
    }

    /// Installs the host's crypto: an object with `hmacSha256(key, msg, out)`, `sha256(msg, out)` and, optionally,
    /// `ed25519Verify(publicKey, msg, signature) -> boolean` (byte arrays; `out` receives the 32-byte result).
    /// `null` or `undefined` uninstalls it.
    #[wasm_bindgen(js_name = installHostCrypto)]
    pub fn install(host: JsValue) {
        let on = !host.is_null() && !host.is_undefined();
        carehook_host_install(if on { host } else { JsValue::NULL });
        INSTALLED.with(|i| i.set(on));
    }

    pub fn installed() -> bool {
        INSTALLED.with(Cell::get)
    }

    pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Option<[u8; 32]> {
        if !installed() {
            return None;
        }
        let mut out = [0u8; 32];
        let done = match parts {
            [one] => carehook_host_hmac(key, one, &mut out),
            parts => carehook_host_hmac(key, &parts.concat(), &mut out),
        };
        done.ok().map(|()| out)
    }

    pub fn sha256(data: &[u8]) -> Option<[u8; 32]> {
        if !installed() {
            return None;
        }
        let mut out = [0u8; 32];
        carehook_host_sha256(data, &mut out).ok().map(|()| out)
    }

    pub fn ed25519_verify(key: &[u8], msg: &[u8], sig: &[u8]) -> Option<bool> {
        match carehook_host_ed25519(key, msg, sig) {
            Ok(0) => Some(false),
            Ok(1) => Some(true),
            _ => None,
        }
    }
}

#[cfg(not(all(feature = "wasm", target_arch = "wasm32")))]
mod imp {
    pub fn installed() -> bool {
        false
    }
    pub fn hmac_sha256(_: &[u8], _: &[&[u8]]) -> Option<[u8; 32]> {
        None
    }
    pub fn sha256(_: &[u8]) -> Option<[u8; 32]> {
        None
    }
    pub fn ed25519_verify(_: &[u8], _: &[u8], _: &[u8]) -> Option<bool> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_order_encodings_are_the_known_eight() {
        let e = small_order_encodings();
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(e.contains(&one) && e.contains(&[0u8; 32]));
        for enc in e {
            let p = curve25519_dalek::edwards::CompressedEdwardsY(*enc).decompress().unwrap();
            assert!(p.is_small_order() && canonical_point(enc));
        }
        let distinct: std::collections::BTreeSet<_> = e.iter().collect();
        assert_eq!(distinct.len(), 8);
    }

    #[test]
    fn canonical_encodings() {
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(!canonical_point(&p), "y = p");
        p[0] = 0xec;
        assert!(canonical_point(&p), "y = p - 1");
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(canonical_point(&one));
        one[31] = 0x80;
        assert!(!canonical_point(&one), "x = 0 with the sign bit");
    }

    #[test]
    fn only_ordinary_signatures_may_leave_the_core() {
        use ed25519_dalek::Signer;
        let sk = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let sig = sk.sign(b"m").to_bytes();
        assert!(ordinary_signature(&sig));
        assert!(ordinary_ed25519_key(&sk.verifying_key()));
        let mut small_r = sig;
        small_r[..32].copy_from_slice(&{
            let mut one = [0u8; 32];
            one[0] = 1;
            one
        });
        assert!(!ordinary_signature(&small_r), "R = identity");
        let mut big_s = sig;
        big_s[63] = 0xff;
        assert!(!ordinary_signature(&big_s), "S not below L");
        let weak = ed25519_dalek::VerifyingKey::from_bytes(&[0; 32]);
        assert!(weak.is_ok_and(|k| !ordinary_ed25519_key(&k)), "a small-order key");
    }

    #[test]
    fn without_a_host_the_core_computes() {
        assert_eq!(sha256(b"abc")[0], 0xba);
        let long = vec![b'a'; 1000];
        assert_eq!(hmac_sha256(b"k", &[&long]), hmac_sha256(b"k", &[&long[..500], &long[500..]]));
        let vk = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        assert_eq!(ed25519_verify_on_host(&vk, ordinary_ed25519_key(&vk), b"m", &[0; 64]), None);
    }
}
