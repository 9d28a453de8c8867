//! When a signature fails, try the common mistakes one at a time and say which one explains it. Runs only for
//! `inspect` (never on the hot path): each try is a full verification.

use crate::options::SourceConfig;
use crate::source::Source;
use crate::{Error, Request};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Findings, each a sentence; empty when nothing common explains the failure.
pub fn diagnose(cfg: &SourceConfig, req: &Request<'_>, now: i64) -> Vec<String> {
    let mut found = Vec::new();
    let passes = |cfg: &SourceConfig, req: &Request<'_>| {
        Source::from_config(cfg).is_ok_and(|s| matches!(s.verify(req, now), Ok(_) | Err(Error::InvalidPayload { .. })))
    };

    if let Some(detected) = crate::schemes::detect(req.headers).filter(|d| *d != cfg.vendor) {
        found.push(format!("the headers look like {detected}'s, but the source is configured as {}", cfg.vendor));
    }

    if cfg.keys.iter().any(|k| k.trim() != k) {
        let trimmed = SourceConfig { keys: cfg.keys.iter().map(|k| k.trim().to_owned()).collect(), ..cfg.clone() };
        if passes(&trimmed, req) {
            found.push("a key has whitespace or a newline around it; without it, the signature verifies".into());
        }
    }

    if matches!(cfg.vendor.as_str(), "standard" | "svix") && cfg.keys.iter().any(|k| k.starts_with("whsec_")) {
        let as_text = SourceConfig {
            keys: cfg.keys.iter().map(|k| format!("whsec_{}", STANDARD.encode(k.as_bytes()))).collect(),
            ..cfg.clone()
        };
        if passes(&as_text, req) {
            found.push("the sender used the whole whsec_ string as text, the way Stripe does; Standard Webhooks base64-decodes what follows whsec_ (configure vendor stripe, or fix the sender)".into());
        }
    }

    for (what, body) in body_variants(req.body) {
        if passes(cfg, &Request { body: &body, ..*req }) {
            found.push(format!("the body differs from the signed one: {what}; pass the raw bytes exactly as received"));
            break;
        }
    }

    if cfg.vendor == "healthie" && req.query.is_empty() {
        if let Some(public) = cfg.public_path.as_deref().filter(|p| *p != req.path) {
            let without = SourceConfig { public_path: None, ..cfg.clone() };
            if passes(&without, req) {
                found.push(format!("the request path verifies, but publicPath {public} is set: remove it"));
            }
        }
    }

    found
}

/// The body with one common transport change undone.
fn body_variants(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    if let Some(stripped) = body.strip_suffix(b"\n") {
        out.push(("a trailing newline was added", stripped.strip_suffix(b"\r").unwrap_or(stripped).to_vec()));
    } else {
        out.push(("the trailing newline was removed", [body, b"\n"].concat()));
    }
    if body.windows(2).any(|w| w == b"\r\n") {
        out.push(("line endings were changed to CRLF", replace(body, b"\r\n", b"\n")));
    } else if body.contains(&b'\n') {
        out.push(("line endings were changed from CRLF", replace(body, b"\n", b"\r\n")));
    }
    if let Some(spaced) = respace_json(body, true).filter(|b| b != body) {
        out.push(("it was re-serialised without the spaces after , and : (Python's json.dumps adds them)", spaced));
    }
    if let Some(compact) = respace_json(body, false).filter(|b| b != body) {
        out.push(("it was re-serialised with different whitespace", compact));
    }
    out
}

fn replace(body: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 16);
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix(from) {
            out.extend_from_slice(to);
            rest = tail;
        } else if let Some((first, tail)) = rest.split_first() {
            out.push(*first);
            rest = tail;
        }
    }
    out
}

/// JSON text with whitespace outside strings removed, then `", "` and `": "` if `spaced`. Token-level: key order
/// and number text are kept exactly.
pub fn respace_json(body: &[u8], spaced: bool) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(body).ok()?;
    serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
    let mut out = Vec::with_capacity(body.len() + body.len() / 8);
    let (mut in_str, mut escaped) = (false, false);
    for &b in body {
        if in_str {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b' ' | b'\n' | b'\r' | b'\t' => {}
            b'"' => {
                in_str = true;
                out.push(b);
            }
            b',' | b':' => {
                out.push(b);
                if spaced {
                    out.push(b' ');
                }
            }
            _ => out.push(b),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_respaced_outside_strings_only() {
        let body = br#"{"a": 1, "b": "x, y: z", "c": [1.50, 2]}"#;
        assert_eq!(respace_json(body, false).unwrap(), br#"{"a":1,"b":"x, y: z","c":[1.50,2]}"#);
        assert_eq!(respace_json(br#"{"a":"\"","b":1}"#, true).unwrap(), br#"{"a": "\"", "b": 1}"#);
        assert_eq!(respace_json(b"not json", true), None);
    }
}
