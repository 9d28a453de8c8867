//! ELMED: `X-ELMED-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, event name in `X-ELMED-Event`.
//! Timestamps in the body carry no zone; they are read as UTC unless `utc_offset_minutes` says otherwise.

use super::{sign_body_hmac, text_secret, verify_body_hmac, Auth, Ctx, Sample, Scheme, SignInput};
use crate::event::{id_string, resource_type, split_event, Attributes, EventTime};
use crate::keys::Key;
use crate::source::Options;
use crate::{Error, Request};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{PrimitiveDateTime, UtcOffset};

#[derive(Debug)]
pub struct Elmed;
pub static ELMED: Elmed = Elmed;

const SIGNATURE: &str = "x-elmed-signature";
const EVENT: &str = "x-elmed-event";

#[derive(Deserialize)]
struct Body {
    event: Option<String>,
    timestamp: Option<String>,
    data: Option<serde_json::Value>,
}

impl Scheme for Elmed {
    fn vendor(&self) -> &'static str {
        "elmed"
    }

    fn identifying_header(&self) -> Option<&'static str> {
        Some(SIGNATURE)
    }

    fn parse_key(&self, text: &str) -> Result<Key, Error> {
        text_secret(text)
    }

    fn verify(&self, cx: &mut Ctx<'_>) -> Result<Auth, Error> {
        verify_body_hmac(cx, SIGNATURE, "sha256=")
    }

    fn sign(&self, key: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>, Error> {
        let mut headers = sign_body_hmac(SIGNATURE, "sha256=", key, input.body)?;
        let event = serde_json::from_slice::<Body>(input.body)
            .ok()
            .and_then(|b| b.event);
        if let Some(event) = event {
            headers.push((EVENT.to_owned(), event));
        }
        Ok(headers)
    }

    fn attributes(
        &self,
        body: &str,
        req: &Request<'_>,
        _: &Auth,
        opts: &Options,
    ) -> Result<Attributes, Error> {
        let b: Body = serde_json::from_str(body).map_err(|_| Error::InvalidPayload {
            reason: "not an ELMED event (event, timestamp, data)",
        })?;
        let header_event = req.headers.get(EVENT).ok().flatten().map(str::to_owned);
        let event =
            b.event
                .or(header_event)
                .filter(|e| !e.is_empty())
                .ok_or(Error::InvalidPayload {
                    reason: "the ELMED event has no event name",
                })?;
        let (resource, verb) = split_event(&event);
        let resourceid = b
            .data
            .as_ref()
            .and_then(|d| d.get(format!("{resource}_id")))
            .and_then(id_string);
        Ok(Attributes {
            id: None,
            time: b
                .timestamp
                .and_then(|t| zoneless_time(&t, opts.utc_offset_minutes)),
            resourcetype: resource_type(resource),
            resourceid,
            action: verb.map(str::to_owned),
            resourceurl: None,
            event,
        })
    }

    fn sample(&self) -> Sample {
        Sample {
            vendor: "elmed",
            path: "/in/elmed",
            body: r#"{"event":"prescription.issued","timestamp":"2026-03-29T10:45:00.123456","data":{"prescription_id":42,"prescription_number":"RX-2026-00042","patient_id":7,"doctor_user_id":3,"routed_pharmacy_id":1,"medication_count":2,"issued_at":"2026-03-29"}}"#,
            signing_key: "elmed_demo_secret",
            extra_headers: &[("content-type", "application/json")],
        }
    }
}

/// `2026-03-29T10:45:00.123456` (no zone) at the given offset → RFC 3339; a zoned timestamp passes through.
fn zoneless_time(text: &str, offset_minutes: i32) -> Option<EventTime> {
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    let zoned = time::OffsetDateTime::parse(text, &Rfc3339).ok();
    let t = match zoned {
        Some(t) => t,
        None => {
            let offset = UtcOffset::from_whole_seconds(offset_minutes.checked_mul(60)?).ok()?;
            PrimitiveDateTime::parse(text, fmt)
                .ok()?
                .assume_offset(offset)
        }
    };
    t.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .ok()
        .map(EventTime::Rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoneless_timestamps_read_as_utc_or_the_configured_offset() {
        let t = |s, o| {
            zoneless_time(s, o).map(|t| match t {
                EventTime::Rfc3339(s) => s,
                EventTime::Unix(_) => unreachable!(),
            })
        };
        assert_eq!(
            t("2026-03-29T10:45:00.123456", 0).as_deref(),
            Some("2026-03-29T10:45:00.123456Z")
        );
        assert_eq!(
            t("2026-03-29T14:00:00", 0).as_deref(),
            Some("2026-03-29T14:00:00Z")
        );
        assert_eq!(
            t("2026-03-29T14:00:00", 480).as_deref(),
            Some("2026-03-29T06:00:00Z")
        );
        assert_eq!(
            t("2026-03-29T14:00:00+02:00", 0).as_deref(),
            Some("2026-03-29T12:00:00Z")
        );
        assert_eq!(t("yesterday", 0), None);
    }
}
