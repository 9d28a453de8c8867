//! When a check fails, try the common mistakes one at a time and say which one explains it: a timestamp checked at
//! the time it was signed, a key with whitespace, the wrong vendor, a body changed in transit (a byte-order mark, a
//! newline, re-serialised JSON), a header copied with quotes or in another scheme's syntax. Runs only for
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

    // A timestamp out of tolerance: is the signature itself good? Checked at the signed time.
    let first = Source::from_config(cfg).ok().map(|s| s.verify(req, now));
    if let Some(Err(Error::TimestampOutOfTolerance { skew, .. })) = first {
        let signed_at = now.saturating_add(skew);
        let at = crate::date::rfc3339(signed_at);
        if !(-100_000_000_000..=100_000_000_000).contains(&signed_at) {
            found.push("the timestamp looks like milliseconds: the scheme signs Unix seconds".into());
        } else if Source::from_config(cfg)
            .is_ok_and(|s| matches!(s.verify(req, signed_at), Ok(_) | Err(Error::InvalidPayload { .. })))
        {
            found.push(format!(
                "the signature is valid: it was signed {} {} ({at}); check it at the signed time, or it is a replay or a clock problem",
                human(skew.unsigned_abs()),
                if skew < 0 { "ago" } else { "ahead of this clock" },
            ));
        } else {
            found
                .push(format!("the signature is invalid as well: it does not verify at the signed time ({at}) either"));
        }
    }

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

    for (what, headers) in header_variants(req.headers) {
        if passes(cfg, &Request { headers: &headers, ..*req }) {
            found.push(what.into());
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

/// `seconds` as a person would say it: `42 s`, `17 min`, `3 h`, `12 days`.
fn human(seconds: u64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// The headers with one common copying mistake undone, and what it was.
fn header_variants(headers: &crate::Headers) -> Vec<(&'static str, crate::Headers)> {
    let with = |f: &dyn Fn(&str, &str) -> Option<String>| -> Option<crate::Headers> {
        let mut changed = false;
        let out = headers
            .pairs()
            .map(|(n, v)| match f(n, v) {
                Some(new) => {
                    changed = true;
                    (n.to_owned(), new)
                }
                None => (n.to_owned(), v.to_owned()),
            })
            .collect::<Vec<_>>();
        changed.then(|| out.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect())
    };
    let mut out = Vec::new();
    let quoted = |_: &str, v: &str| {
        let t = v.trim();
        (t.len() >= 2 && (t.starts_with('"') && t.ends_with('"') || t.starts_with('\'') && t.ends_with('\'')))
            .then(|| t.get(1..t.len() - 1).unwrap_or(t).to_owned())
    };
    if let Some(h) = with(&quoted) {
        out.push(("a header value is wrapped in quotes: send it without them", h));
    }
    let v1_equals = |n: &str, v: &str| {
        (n.ends_with("-signature") && v.contains("v1=") && !v.contains("t=")).then(|| v.replace("v1=", "v1,"))
    };
    if let Some(h) = with(&v1_equals) {
        out.push(("the signature is written v1=<sig> (Stripe's form): Standard Webhooks writes v1,<sig>", h));
    }
    out
}

/// The body with one common transport change undone.
fn body_variants(body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
        out.push(("it starts with a byte-order mark (EF BB BF) the sender did not sign", rest.to_vec()));
    }
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
    if !crate::json::is_valid(text) {
        return None;
    }
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
