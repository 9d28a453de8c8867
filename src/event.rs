//! The CloudEvents 1.0 envelope (JSON structured mode) every vendor's payload is normalized into.

use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A normalized event. `data` is the vendor's body exactly as sent (numbers keep their text: `850.00` stays).
#[derive(Clone, Serialize)]
pub struct CloudEvent {
    pub specversion: &'static str,
    pub id: String,
    pub source: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub time: String,
    pub datacontenttype: &'static str,
    pub vendor: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resourcetype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resourceid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resourceurl: Option<String>,
    pub data: Box<RawValue>,
}

impl CloudEvent {
    /// The envelope as JSON text (`application/cloudevents+json`).
    pub fn to_json(&self) -> String {
        // Serializing plain strings and a validated RawValue cannot fail; fall back to an empty object regardless.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

impl std::fmt::Debug for CloudEvent {
    // `data` and the resource id may be patient data: keep them out of debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudEvent")
            .field("id", &self.id)
            .field("type", &self.ty)
            .field("vendor", &self.vendor)
            .finish_non_exhaustive()
    }
}

/// When the vendor says the event happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventTime {
    Unix(i64),
    /// Already RFC 3339.
    Rfc3339(String),
}

/// What a scheme reads from its payload; the common code fills the rest of the envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// The vendor's event id; a digest of the body is used when absent.
    pub id: Option<String>,
    /// The vendor's event name, without the vendor prefix.
    pub event: String,
    pub time: Option<EventTime>,
    pub resourcetype: Option<String>,
    pub resourceid: Option<String>,
    pub action: Option<String>,
    pub resourceurl: Option<String>,
}

/// A stable id for bodies that carry none: the same bytes always give the same id, so retries dedupe.
pub fn body_id(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!(
        "sha256:{}",
        hex::encode(digest.get(..16).unwrap_or_default())
    )
}

/// RFC 3339 in UTC for a Unix time; out-of-range times clamp to the epoch rather than fail.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| String::from("1970-01-01T00:00:00Z"))
}

/// `lab_order_tests` → `LabOrderTest`, `medical-encounters` → `MedicalEncounter`, `applied_tag` → `AppliedTag`.
pub fn resource_type(name: &str) -> Option<String> {
    let words: Vec<&str> = name
        .split(['_', '-', ' ', '/'])
        .filter(|w| !w.is_empty())
        .collect();
    let (last, init) = words.split_last()?;
    let mut out = String::with_capacity(name.len());
    for w in init {
        push_capitalized(&mut out, w);
    }
    push_capitalized(&mut out, &singular(last));
    Some(out)
}

fn push_capitalized(out: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
}

fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let keep = ["ss", "us", "is", "vitals", "staff", "news"];
    if keep.iter().any(|k| lower.ends_with(k)) {
        return word.to_owned();
    }
    for (plural, single) in [
        ("ies", "y"),
        ("sses", "ss"),
        ("shes", "sh"),
        ("ches", "ch"),
        ("xes", "x"),
        ("s", ""),
    ] {
        if let Some(stem) = lower.strip_suffix(plural) {
            if !stem.is_empty() {
                let stem_len = stem.len();
                return format!("{}{single}", word.get(..stem_len).unwrap_or(stem));
            }
        }
    }
    word.to_owned()
}

/// A vendor verb in the past tense where the vendor uses the imperative (`create` → `created`).
pub fn action(verb: &str) -> String {
    match verb {
        "create" => "created",
        "update" | "patch" => "updated",
        "remove" | "delete" => "deleted",
        other => other,
    }
    .to_owned()
}

/// `a.b.c` → (`a.b`, `c`): the resource part and the verb of a dotted event name.
pub fn split_event(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('.') {
        Some((res, verb)) if !res.is_empty() && !verb.is_empty() => (res, Some(verb)),
        _ => (name, None),
    }
}

/// A JSON id (string or integer) as a string.
pub fn id_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_become_singular_pascal_case() {
        for (name, want) in [
            ("patients", "Patient"),
            ("lab_order_tests", "LabOrderTest"),
            ("allergies", "Allergy"),
            ("office_staff", "OfficeStaff"),
            ("family_histories", "FamilyHistory"),
            ("insurance_companies", "InsuranceCompany"),
            ("vitals", "Vitals"),
            ("medical-encounters", "MedicalEncounter"),
            ("applied_tag", "AppliedTag"),
            ("prescription", "Prescription"),
            ("addresses", "Address"),
            ("statuses", "Status"),
        ] {
            assert_eq!(resource_type(name).as_deref(), Some(want), "{name}");
        }
        assert_eq!(resource_type("__"), None);
    }

    #[test]
    fn body_ids_are_stable_and_distinct() {
        assert_eq!(body_id(b"{}"), body_id(b"{}"));
        assert_ne!(body_id(b"{}"), body_id(b"{ }"));
        assert!(body_id(b"").starts_with("sha256:"));
    }

    #[test]
    fn unix_times_format_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_763_799_983), "2025-11-22T08:26:23Z");
        assert_eq!(rfc3339(i64::MAX), "1970-01-01T00:00:00Z");
    }
}

/// An id that vendors send as a string or a number; read without building a full JSON tree.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum JsonId {
    Text(String),
    Number(serde_json::Number),
    Other(serde::de::IgnoredAny),
}

impl JsonId {
    pub fn into_string(self) -> Option<String> {
        match self {
            JsonId::Text(s) if !s.is_empty() => Some(s),
            JsonId::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}
