//! `inspect`: a verification that reports every check on the way, never fails, and explains a failure
//! (`diagnose`). Above `source`: the verifying path knows nothing of it.

use crate::options::SourceConfig;
use crate::report::{Report, ReportError};
use crate::schemes::{self, Ctx};
use crate::source::{Source, Verified};
use crate::Request;

impl Source {
    /// Verifies and reports every check on the way; never fails.
    pub fn inspect(&self, req: &Request<'_>, now: i64) -> Report {
        let mut cx = Ctx::new(req, &self.keys, &self.opts, now, true);
        let result = self.run(&mut cx);
        let steps = cx.take_steps();
        Report {
            vendor: Some(self.vendor()),
            detected: false,
            suggested: None,
            ok: result.is_ok(),
            verified: result.as_ref().map_or_else(|e| e.verified(), |_| true),
            steps,
            matched_key: result.as_ref().ok().map(|v| v.key_index + 1),
            error: result.as_ref().err().map(ReportError::from),
            diagnosis: Vec::new(),
            handshake: result.as_ref().ok().and_then(|v| v.handshake().cloned()),
            event: result.as_ref().ok().and_then(|v| v.event().cloned()),
            events: result.ok().map(Verified::into_events).unwrap_or_default(),
        }
    }
}

/// Inspects one request with the source `cfg` describes. Never fails.
///
/// Only the configuration picks the scheme: with no `vendor`, nothing is verified. The report says which vendor the
/// headers look like (`detected`) and asks for it to be configured; it is never `ok`.
pub fn inspect(cfg: &SourceConfig, req: &Request<'_>, now: i64) -> Report {
    if cfg.vendor.is_empty() {
        let suggested = schemes::detect(req.headers);
        let e = crate::Error::UnsupportedVendor;
        return Report {
            vendor: None,
            detected: suggested.is_some(),
            suggested,
            ok: false,
            verified: false,
            steps: Vec::new(),
            matched_key: None,
            error: Some(ReportError::from(&e)),
            diagnosis: vec![match suggested {
                Some(v) => format!("the headers look like {v}'s: configure vendor {v} to verify them (the request never picks the scheme)"),
                None => "no vendor's signature header was found: choose the vendor (MYCURE sends none)".into(),
            }],
            event: None,
            events: Vec::new(),
            handshake: None,
        };
    }
    match Source::from_config(cfg) {
        Ok(source) => {
            let report = source.inspect(req, now);
            let diagnosis = if report.ok { Vec::new() } else { crate::diagnose::diagnose(cfg, req, now) };
            Report { diagnosis, ..report }
        }
        Err(e) => Report {
            vendor: schemes::by_vendor(&cfg.vendor).ok().map(|s| s.vendor()),
            detected: false,
            suggested: None,
            ok: false,
            verified: false,
            steps: Vec::new(),
            matched_key: None,
            error: Some(ReportError::from(&e)),
            diagnosis: crate::diagnose::diagnose(cfg, req, now),
            event: None,
            events: Vec::new(),
            handshake: None,
        },
    }
}
