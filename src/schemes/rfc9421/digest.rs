//! `Content-Digest` (RFC 9530): a dictionary of digests of the body as sent. Every `sha-256` and `sha-512` member is
//! checked against the raw bytes; other algorithms are not (and a header with neither cannot be checked).

use super::sfv::{parse_dictionary, Bare, Item, Member};
use crate::keys::ct_eq;
use crate::Error;
use sha2::{Digest, Sha256, Sha512};

const DIGEST: &str = "content-digest";

/// Checks every digest carehook can compute; returns the algorithms checked.
pub fn check(value: &str, body: &[u8]) -> Result<Vec<&'static str>, Error> {
    let malformed = |reason| Error::MalformedHeader { header: DIGEST, reason };
    let members = parse_dictionary(value).map_err(malformed)?;
    let mut checked = Vec::new();
    for (alg, member) in &members {
        let (name, want_len): (&'static str, usize) = match alg.as_str() {
            "sha-256" => ("sha-256", 32),
            "sha-512" => ("sha-512", 64),
            _ => continue,
        };
        let Member::Item(Item { bare: Bare::Bytes(sent), .. }) = member else {
            return Err(malformed("a digest is a byte sequence: sha-256=:<base64>:"));
        };
        if sent.len() != want_len {
            return Err(malformed("a sha-256 digest is 32 bytes, a sha-512 digest 64"));
        }
        let same = match name {
            "sha-256" => ct_eq(sent, &crate::host::sha256(body)),
            _ => ct_eq(sent, &Sha512::digest(body)),
        };
        if !same {
            return Err(Error::DigestMismatch);
        }
        checked.push(name);
    }
    if checked.is_empty() {
        return Err(malformed("it has no sha-256 or sha-512 digest, the ones carehook checks"));
    }
    Ok(checked)
}

/// `sha-256=:<base64>:` for `body`.
pub fn sha256_field(body: &[u8]) -> String {
    use base64::Engine;
    format!("sha-256=:{}:", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_checked_against_the_body() {
        let body = br#"{"hello": "world"}"#;
        // RFC 9530 Appendix / RFC 9421 §B.2: the SHA-256 of this body.
        let v = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
        assert_eq!(check(v, body), Ok(vec!["sha-256"]));
        assert_eq!(sha256_field(body), v);
        assert_eq!(check(v, b"{}"), Err(Error::DigestMismatch));
        let both = format!("{v}, unixsum=:AAAA:, sha-512=:{}:", {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(Sha512::digest(body))
        });
        assert_eq!(check(&both, body), Ok(vec!["sha-256", "sha-512"]));
        for bad in
            ["md5=:AAAA:", "sha-256=abc", "sha-256=:AAAA:", "SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"]
        {
            assert_eq!(check(bad, body).map_err(|e| e.code()), Err("malformed_header"), "{bad}");
        }
    }
}
