//! The gateway's decisions that need no platform: how an origin's answer is judged, when a retry comes, which
//! ledger shard holds an event, which `webhook-id` a forwarded event carries, and how a content-derived id tells a
//! vendor's retry from a genuine repeat. Pure, so they are unit-tested natively; the Worker (`src/worker/`) calls
//! them.

use std::borrow::Cow;

/// Cloudflare Queues delays a retry by at most 12 hours.
pub const MAX_DELAY_SECONDS: u32 = 12 * 3600;

/// How one delivery attempt ended, judged from the origin's status (`None`: no answer in time, or no connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx: the origin has the event.
    Delivered(u16),
    /// No answer, 408, 429 or a 5xx: worth another try.
    Retry(Option<u16>),
    /// Any other answer, a 3xx included: the origin refused the event for good. A redirect is never followed (it
    /// would turn the POST into a body-less GET, or send patient data to wherever `Location` points).
    Refused(u16),
}

impl Outcome {
    /// The word the ledger and the logs record.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered(_) => "delivered",
            Outcome::Retry(_) => "retry",
            Outcome::Refused(_) => "refused",
        }
    }

    /// The origin's status, if it answered.
    pub fn status(self) -> Option<u16> {
        match self {
            Outcome::Delivered(s) | Outcome::Refused(s) => Some(s),
            Outcome::Retry(s) => s,
        }
    }
}

pub fn judge(status: Option<u16>) -> Outcome {
    match status {
        Some(s @ 200..=299) => Outcome::Delivered(s),
        None | Some(408 | 429 | 500..=599) => Outcome::Retry(status),
        Some(s) => Outcome::Refused(s),
    }
}

/// The delay before retry number `attempt` (1 for the retry after the first attempt): `base`, doubled for each
/// attempt already made, capped at the queue's maximum.
pub fn backoff(base: u32, attempt: u32) -> u32 {
    let doublings = attempt.saturating_sub(1).min(31);
    base.saturating_mul(1u32 << doublings).min(MAX_DELAY_SECONDS)
}

/// The event statuses the ledger records, in the order an event moves through them.
pub const STATUSES: [&str; 4] = ["received", "queued", "delivered", "dead"];

/// Length of a content-derived id (`sha256:` + 32 hex digits), which a repeat's suffix extends.
const DERIVED_ID_LEN: usize = 7 + 32;

/// The part of an id that picks its shard: a content-derived id without its repeat suffix (so every repeat of one
/// body lands where the first one is), any other id whole.
fn shard_key(id: &str) -> &str {
    match id.get(..DERIVED_ID_LEN) {
        Some(base) if base.starts_with("sha256:") && base.bytes().skip(7).all(|b| b.is_ascii_hexdigit()) => base,
        _ => id,
    }
}

/// The ledger shard (0..`shards`) of an event: a stable hash of its id, so any worker finds it without a lookup.
pub fn shard_of(id: &str, shards: u32) -> u32 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(shard_key(id).as_bytes());
    let mut word = [0u8; 4];
    word.copy_from_slice(digest.get(..4).unwrap_or(&[0; 4]));
    let word = u32::from_be_bytes(word);
    word % shards.max(1)
}

/// The Durable Object name of a shard: one object per ingest route and bucket.
pub fn shard_name(route: &str, shard: u32) -> String {
    format!("{route}#{shard}")
}

/// The id of the `n`th occurrence of a content-derived id (1 is the first, which keeps the id as it is).
pub fn occurrence_id(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_owned()
    } else {
        format!("{base}~{n}")
    }
}

/// Whether a repeat of a content-derived id, first accepted at `first_at_ms`, is the vendor retrying it (inside the
/// window) rather than a new event.
pub fn is_retry(first_at_ms: i64, now_ms: i64, window_seconds: u64) -> bool {
    let window_ms = i64::try_from(window_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
    now_ms.saturating_sub(first_at_ms) <= window_ms
}

/// The longest `webhook-id` forwarded as the event id itself.
const MAX_WEBHOOK_ID: usize = 256;

/// The `webhook-id` an event is forwarded with: its id when that is a valid, visible-ASCII header value without
/// spaces, else `sha256:` + a digest of it (stable, so the origin still dedupes every retry).
pub fn webhook_id(id: &str) -> Cow<'_, str> {
    let valid = !id.is_empty() && id.len() <= MAX_WEBHOOK_ID && id.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Cow::Borrowed(id)
    } else {
        Cow::Owned(crate::event::body_id(id.as_bytes()))
    }
}

/// The key forwarded events are signed with: a Standard Webhooks secret (`whsec_` + base64), decoded once. Only that
/// form is accepted, so a key of another kind can never silently change what the origin must verify.
pub struct ForwardKey(crate::keys::Secret);

impl std::fmt::Debug for ForwardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ForwardKey(<redacted>)")
    }
}

impl ForwardKey {
    pub fn parse(text: &str) -> Result<Self, crate::Error> {
        let reason = "the forwarding secret is a Standard Webhooks secret: whsec_ followed by base64";
        let b64 = text.strip_prefix("whsec_").ok_or(crate::Error::InvalidKey { reason })?;
        let bytes = crate::keys::decode_base64(b64).ok_or(crate::Error::InvalidKey { reason })?;
        crate::keys::Secret::from_bytes(bytes).map(ForwardKey)
    }

    /// The `webhook-signature` value (`v1,<base64>`) for `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        use base64::Engine;
        let ts = timestamp.to_string();
        let mac = crate::schemes::ctx::hmac_sha256(self.0.expose(), &[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
        format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_answers_are_judged() {
        assert_eq!(judge(Some(200)), Outcome::Delivered(200));
        assert_eq!(judge(Some(204)), Outcome::Delivered(204));
        for s in [None, Some(408), Some(429), Some(500), Some(503), Some(599)] {
            assert_eq!(judge(s), Outcome::Retry(s), "{s:?}");
        }
        for s in [300, 301, 302, 303, 307, 308, 400, 401, 404, 410, 422, 600, 100] {
            assert_eq!(judge(Some(s)), Outcome::Refused(s), "{s}");
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(30, 0), 30);
        assert_eq!(backoff(30, 1), 30);
        assert_eq!(backoff(30, 2), 60);
        assert_eq!(backoff(30, 5), 480);
        assert_eq!(backoff(30, 20), MAX_DELAY_SECONDS);
        assert_eq!(backoff(u32::MAX, u32::MAX), MAX_DELAY_SECONDS);
    }

    #[test]
    fn shards_are_stable_spread_and_keep_repeats_together() {
        let a = "sha256:00112233445566778899aabbccddeeff";
        assert_eq!(shard_of(a, 16), shard_of(&occurrence_id(a, 7), 16));
        assert_eq!(shard_of("evt_1", 16), shard_of("evt_1", 16));
        assert_eq!(shard_of("anything", 1), 0);
        assert_eq!(shard_of("anything", 0), 0);
        let mut seen = [0u32; 8];
        for i in 0..8000 {
            seen[shard_of(&format!("evt_{i}"), 8) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
        // A vendor id that only looks derived when long enough.
        assert_eq!(shard_key("sha256:12"), "sha256:12");
        assert_eq!(shard_key("sha256:zz112233445566778899aabbccddeeff~2"), "sha256:zz112233445566778899aabbccddeeff~2");
    }

    #[test]
    fn repeats_inside_the_window_are_retries() {
        assert!(is_retry(1_000, 1_000, 0));
        assert!(is_retry(1_000, 61_000, 60));
        assert!(!is_retry(1_000, 61_001, 60));
        assert!(is_retry(0, i64::MAX, u64::MAX));
        assert_eq!(occurrence_id("sha256:x", 1), "sha256:x");
        assert_eq!(occurrence_id("sha256:x", 2), "sha256:x~2");
    }

    #[test]
    fn forwarded_events_verify_as_standard_webhooks() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let key = ForwardKey::parse(secret).unwrap();
        let body = br#"{"specversion":"1.0"}"#;
        let signature = key.sign("msg_1", 1_763_800_000, body);
        let headers: crate::Headers =
            [("webhook-id", "msg_1"), ("webhook-timestamp", "1763800000"), ("webhook-signature", signature.as_str())]
                .into_iter()
                .collect();
        let source = crate::Source::new("standard", &[secret], crate::Options::default()).unwrap();
        let req = crate::Request::new("POST", "/events", &headers, body);
        assert!(source.verify(&req, 1_763_800_000).is_ok());
        for bad in ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whpk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!", "whsec_"] {
            assert_eq!(ForwardKey::parse(bad).unwrap_err().code(), "invalid_key", "{bad}");
        }
        assert_eq!(format!("{key:?}"), "ForwardKey(<redacted>)");
    }

    #[test]
    fn webhook_ids_are_valid_header_values() {
        assert_eq!(webhook_id("msg_2p9Qm0c9AqzYw1"), "msg_2p9Qm0c9AqzYw1");
        assert_eq!(webhook_id("Patient/1/_history/2"), "Patient/1/_history/2");
        for bad in ["a b", "a\r\nb", "Zoë", "", &"x".repeat(257)] {
            let id = webhook_id(bad);
            assert!(id.starts_with("sha256:") && id.bytes().all(|b| b.is_ascii_graphic()), "{bad:?} → {id}");
            assert_eq!(id, webhook_id(bad), "stable");
        }
    }
}
