//! The step-by-step account of one verification that `inspect` returns. Nothing in it is secret or payload:
//! steps name headers and say what was found, never the values.

use crate::event::CloudEvent;
use serde::Serialize;

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

/// What `inspect` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub vendor: Option<&'static str>,
    /// Whether the headers look like a vendor's (`suggested`) while none was configured. Nothing is then verified:
    /// only configuration picks the scheme.
    pub detected: bool,
    /// The vendor the headers look like, when none was configured.
    pub suggested: Option<&'static str>,
    pub ok: bool,
    /// Whether the signature (or token) itself was good.
    pub verified: bool,
    pub steps: Vec<Step>,
    /// The 1-based keyring entry that matched.
    pub matched_key: Option<usize>,
    pub error: Option<ReportError>,
    /// Further findings from trying common mistakes (a trimmed key, a different body encoding, ...).
    pub diagnosis: Vec<String>,
    /// The event (the first, when the request carries several).
    pub event: Option<CloudEvent>,
    /// Every event the request carries (none for a handshake, several for a batch).
    pub events: Vec<CloudEvent>,
    /// The answer the sender expects instead of the plain acknowledgement (a handshake), when there is one.
    pub handshake: Option<crate::event::Handshake>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<&'static str>,
}

impl From<&crate::Error> for ReportError {
    fn from(e: &crate::Error) -> Self {
        ReportError { code: e.code(), message: e.to_string(), hint: e.hint() }
    }
}
