//! The one error type. Every variant has a stable `code()`; messages never carry a secret, an expected signature
//! or payload content.

use std::fmt;

/// Why a webhook was refused. Match on [`Error::code`] rather than on variants: new variants may be added.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A header the scheme needs is absent.
    MissingHeader { header: &'static str },
    /// A header is present but cannot be read (bad prefix, encoding, length, too many entries, repeated).
    MalformedHeader { header: &'static str, reason: &'static str },
    /// A configured key cannot be used for this scheme.
    InvalidKey { reason: &'static str },
    /// No signature matches any key.
    SignatureMismatch { hint: Option<&'static str> },
    /// The signed timestamp is outside the tolerance; `skew` is signed seconds (positive: in the future).
    TimestampOutOfTolerance { skew: i64, tolerance: u64 },
    /// The body's SHA-256 is not the one in `Content-Digest`.
    DigestMismatch,
    /// The URL token matches no configured token, or the sender's address is not allowed.
    TokenMismatch { reason: &'static str },
    /// The body is larger than the configured limit.
    BodyTooLarge { limit: usize },
    /// The signature was good, but the body is not the vendor's JSON.
    InvalidPayload { reason: &'static str },
    /// The vendor name is not one carehook knows.
    UnsupportedVendor,
}

/// What kind of refusal an error is: what a receiver answers for it. One mapping for every runtime (the Worker,
/// the package's HTTP adapters, `httpStatus()` in JavaScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request is not authentic: 401.
    Unauthenticated,
    /// A header or the body cannot be read: 400.
    Unreadable,
    /// The body is over the limit: 413.
    TooLarge,
    /// The receiver's own configuration is at fault (a key, the vendor): 500.
    Misconfigured,
}

impl Kind {
    pub fn http_status(self) -> u16 {
        match self {
            Kind::Unauthenticated => 401,
            Kind::Unreadable => 400,
            Kind::TooLarge => 413,
            Kind::Misconfigured => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Unauthenticated => "unauthenticated",
            Kind::Unreadable => "unreadable",
            Kind::TooLarge => "too_large",
            Kind::Misconfigured => "misconfigured",
        }
    }

    /// The kind of the error with this code.
    pub fn of_code(code: &str) -> Option<Kind> {
        Some(match code {
            "signature_mismatch" | "timestamp_out_of_tolerance" | "digest_mismatch" | "token_mismatch" => {
                Kind::Unauthenticated
            }
            "missing_header" | "malformed_header" | "invalid_payload" => Kind::Unreadable,
            "body_too_large" => Kind::TooLarge,
            "invalid_key" | "unsupported_vendor" => Kind::Misconfigured,
            _ => return None,
        })
    }
}

impl Error {
    /// What kind of refusal this is, and so which HTTP status answers it.
    pub fn kind(&self) -> Kind {
        Kind::of_code(self.code()).unwrap_or(Kind::Misconfigured)
    }

    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingHeader { .. } => "missing_header",
            Error::MalformedHeader { .. } => "malformed_header",
            Error::InvalidKey { .. } => "invalid_key",
            Error::SignatureMismatch { .. } => "signature_mismatch",
            Error::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            Error::DigestMismatch => "digest_mismatch",
            Error::TokenMismatch { .. } => "token_mismatch",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::InvalidPayload { .. } => "invalid_payload",
            Error::UnsupportedVendor => "unsupported_vendor",
        }
    }

    /// Whether the signature itself was good (only a payload problem remains).
    pub fn verified(&self) -> bool {
        matches!(self, Error::InvalidPayload { .. })
    }

    /// What to try next, when there is something useful to say.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::MissingHeader { .. } => {
                Some("check that the sender is the vendor you configured and that no proxy strips headers")
            }
            Error::SignatureMismatch { hint } => Some(hint.unwrap_or(
                "check the key, and pass the body as the raw bytes received: re-serialised JSON never verifies",
            )),
            Error::TimestampOutOfTolerance { .. } => {
                Some("check the receiver's clock, or raise the tolerance; an old timestamp may also be a replay")
            }
            Error::DigestMismatch => Some("the body is not the one the sender digested: pass the raw bytes received"),
            Error::BodyTooLarge { .. } => Some("raise maxBodyBytes if the vendor really sends bodies this large"),
            Error::InvalidPayload { .. } => {
                Some("the signature is good: the sender signed a body that is not the vendor's JSON")
            }
            Error::UnsupportedVendor => Some("use one of the vendor identifiers carehook lists (vendors())"),
            Error::TokenMismatch { .. } | Error::MalformedHeader { .. } | Error::InvalidKey { .. } => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingHeader { header } => write!(f, "the {header} header is missing"),
            Error::MalformedHeader { header, reason } => {
                write!(f, "the {header} header is malformed: {reason}")
            }
            Error::InvalidKey { reason } => write!(f, "a configured key is invalid: {reason}"),
            Error::SignatureMismatch { .. } => f.write_str("no signature matches any configured key"),
            Error::TimestampOutOfTolerance { skew, tolerance } => {
                let dir = if *skew > 0 { "in the future" } else { "old" };
                write!(f, "the signed timestamp is {}s {dir}, beyond the {tolerance}s tolerance", skew.unsigned_abs())
            }
            Error::DigestMismatch => f.write_str("the body does not match its Content-Digest"),
            Error::TokenMismatch { reason } => {
                write!(f, "the request is not authenticated: {reason}")
            }
            Error::BodyTooLarge { limit } => {
                write!(f, "the body is larger than the {limit}-byte limit")
            }
            Error::InvalidPayload { reason } => {
                write!(f, "the signature is valid, but the payload is not usable: {reason}")
            }
            Error::UnsupportedVendor => f.write_str("the vendor is not supported"),
        }
    }
}

impl std::error::Error for Error {}

/// Every code [`Error::code`] can return, in a stable order.
pub const CODES: [&str; 10] = [
    "missing_header",
    "malformed_header",
    "invalid_key",
    "signature_mismatch",
    "timestamp_out_of_tolerance",
    "digest_mismatch",
    "token_mismatch",
    "body_too_large",
    "invalid_payload",
    "unsupported_vendor",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_kind() {
        for code in CODES {
            assert!(Kind::of_code(code).is_some(), "{code}");
        }
        assert_eq!(Kind::of_code("nope"), None);
        assert_eq!(Error::DigestMismatch.kind().http_status(), 401);
        assert_eq!(Error::BodyTooLarge { limit: 1 }.kind().http_status(), 413);
        assert_eq!(Error::UnsupportedVendor.kind().http_status(), 500);
        assert_eq!(Error::MissingHeader { header: "x" }.kind().http_status(), 400);
    }
}
