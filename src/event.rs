//! The CloudEvents 1.0 envelope (JSON structured mode) every vendor's payload is normalized into.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;

/// The envelope's attributes, in the order it is written (CloudEvents' own, then carehook's extensions).
pub const ATTRIBUTES: [&str; 13] = [
    "specversion",
    "id",
    "source",
    "type",
    "subject",
    "time",
    "datacontenttype",
    "vendor",
    "resourcetype",
    "resourceid",
    "action",
    "resourceurl",
    "topic",
];

/// A normalized event. `data` is the vendor's body exactly as sent (numbers keep their text: `850.00` stays).
#[derive(Clone)]
pub struct CloudEvent {
    pub specversion: &'static str,
    pub id: String,
    pub source: String,
    pub ty: String,
    pub subject: Option<String>,
    pub time: String,
    pub datacontenttype: &'static str,
    pub vendor: &'static str,
    pub resourcetype: Option<String>,
    pub resourceid: Option<String>,
    pub action: Option<String>,
    pub resourceurl: Option<String>,
    /// The FHIR subscription topic (a canonical URL) of a FHIR notification.
    pub topic: Option<String>,
    /// Whether `id` was derived from the content because the vendor sent no event id (see [`derived_id`]): a
    /// gateway that keeps state can then tell a vendor's retry from a genuine repeat by time (the Worker does).
    pub derived_id: bool,
    /// The event's data as JSON text, already validated as a JSON object: the vendor's body, or one event's part of
    /// it (a FHIR focus resource, a Fitbit notification). Empty when the event carries none (a FHIR `empty`
    /// notification): `data` and `datacontenttype` are then left out of the envelope.
    pub(crate) data: String,
    /// Whether `data` is the whole request body, byte for byte (a caller holding the body can then read the data
    /// from it instead of from the envelope: the npm package parses it once, from the text it already has).
    pub(crate) data_is_body: bool,
}

impl CloudEvent {
    /// Each attribute's value in [`ATTRIBUTES`] order, `None` where absent.
    fn attribute_values(&self) -> [Option<&str>; ATTRIBUTES.len()] {
        [
            Some(self.specversion),
            Some(self.id.as_str()),
            Some(self.source.as_str()),
            Some(self.ty.as_str()),
            self.subject.as_deref(),
            Some(self.time.as_str()),
            (!self.data.is_empty()).then_some(self.datacontenttype),
            Some(self.vendor),
            self.resourcetype.as_deref(),
            self.resourceid.as_deref(),
            self.action.as_deref(),
            self.resourceurl.as_deref(),
            self.topic.as_deref(),
        ]
    }

    /// The attributes in envelope order, with absent optional ones left out.
    fn attributes(&self) -> impl Iterator<Item = (&'static str, &str)> {
        ATTRIBUTES.iter().zip(self.attribute_values()).filter_map(|(k, v)| v.map(|v| (*k, v)))
    }

    /// The event's data as JSON text, exactly as sent (empty when it carries none).
    pub fn data(&self) -> &str {
        &self.data
    }

    /// Whether [`CloudEvent::data`] is the whole request body, byte for byte.
    pub fn data_is_body(&self) -> bool {
        self.data_is_body
    }

    /// The envelope as JSON text (`application/cloudevents+json`), written in one pass: `data` is appended as the
    /// raw body text.
    pub fn to_json(&self) -> String {
        let mut out = self.attributes_json(self.data.len() + 512);
        if !self.data.is_empty() {
            out.push_str(",\"data\":");
            out.push_str(&self.data);
        }
        out.push('}');
        out
    }

    /// The envelope without `data`, as JSON text (for a caller that reads the data from the body it holds: see
    /// [`CloudEvent::data_is_body`]).
    pub fn head_json(&self) -> String {
        let mut out = self.attributes_json(512);
        out.push('}');
        out
    }

    /// The attributes in a flat form a caller splits in one step (the npm package builds its event object from it):
    /// one letter per attribute present (`a` for the first of [`ATTRIBUTES`], `b` for the second…), then each value
    /// after a `\0`, in that order. Attribute values never hold a NUL: control characters are taken out of every
    /// attribute.
    pub fn push_flat_attributes(&self, out: &mut String) {
        let values = self.attribute_values();
        for (i, v) in values.iter().enumerate() {
            if v.is_some() {
                out.push(char::from(b'a' + i as u8));
            }
        }
        for v in values.into_iter().flatten() {
            out.push('\0');
            out.push_str(v);
        }
    }

    /// `{` and the attributes, without the closing brace.
    fn attributes_json(&self, capacity: usize) -> String {
        let mut out = String::with_capacity(capacity);
        out.push('{');
        for (i, (k, v)) in self.attributes().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(k);
            out.push_str("\":");
            push_json_string(&mut out, v);
        }
        out
    }
}

/// `s` as a JSON string literal.
fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// An envelope's attributes without `data`, for carrying an event between processes (the gateway hands its events
/// to the ledger this way) and putting it back together with [`CloudEvent::from_head`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub id: String,
    pub source: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub subject: Option<String>,
    pub time: String,
    pub vendor: String,
    pub resourcetype: Option<String>,
    pub resourceid: Option<String>,
    pub action: Option<String>,
    pub resourceurl: Option<String>,
    #[serde(default)]
    pub topic: Option<String>,
    pub derived_id: bool,
}

impl CloudEvent {
    pub fn head(&self) -> Head {
        Head {
            id: self.id.clone(),
            source: self.source.clone(),
            ty: self.ty.clone(),
            subject: self.subject.clone(),
            time: self.time.clone(),
            vendor: self.vendor.to_owned(),
            resourcetype: self.resourcetype.clone(),
            resourceid: self.resourceid.clone(),
            action: self.action.clone(),
            resourceurl: self.resourceurl.clone(),
            topic: self.topic.clone(),
            derived_id: self.derived_id,
        }
    }

    /// The event again from its head and its `data` (JSON text, which is checked to be a JSON object). `vendor` is
    /// the vendor identifier the head names, as the registry spells it (`None` when they differ, or `data` is not an
    /// object).
    pub fn from_head(head: Head, vendor: &'static str, data: String) -> Option<CloudEvent> {
        if head.vendor != vendor {
            return None;
        }
        if !data.is_empty() {
            crate::json::Object::parse(&data)?;
        }
        Some(CloudEvent {
            specversion: "1.0",
            id: clean_attribute(head.id),
            source: clean_attribute(head.source),
            ty: clean_attribute(head.ty),
            subject: head.subject.map(clean_attribute),
            time: clean_attribute(head.time),
            datacontenttype: "application/json",
            vendor,
            resourcetype: head.resourcetype.map(clean_attribute),
            resourceid: head.resourceid.map(clean_attribute),
            action: head.action.map(clean_attribute),
            resourceurl: head.resourceurl.map(clean_attribute),
            topic: head.topic.map(clean_attribute),
            derived_id: head.derived_id,
            data,
            data_is_body: false,
        })
    }
}

impl Serialize for CloudEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (k, v) in self.attributes() {
            map.serialize_entry(k, v)?;
        }
        if !self.data.is_empty() {
            let data = RawValue::from_string(self.data.clone()).map_err(serde::ser::Error::custom)?;
            map.serialize_entry("data", &data)?;
        }
        map.end()
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
    /// A parsed moment (written in UTC).
    At(crate::date::Moment),
    /// The vendor's own RFC 3339 text: used when valid, re-written in UTC.
    Text(String),
}

/// What a scheme reads from its payload; the common code fills the rest of the envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// The vendor's event id; [`derived_id`] is used when absent.
    pub id: Option<String>,
    /// Content outside the body that tells two events apart when the vendor sends no id (Medplum's deleted
    /// resource): part of the derived id.
    pub distinct_by: Option<String>,
    /// The vendor's event name, without the vendor prefix.
    pub event: String,
    pub time: Option<EventTime>,
    pub resourcetype: Option<String>,
    pub resourceid: Option<String>,
    pub action: Option<String>,
    pub resourceurl: Option<String>,
    pub topic: Option<String>,
}

/// One event of a request that carries several (a FHIR notification Bundle, a Fitbit array): its attributes and its
/// data (JSON object text; `None` for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub attributes: Attributes,
    pub data: Option<String>,
}

/// What a scheme that splits a request makes of it: its events (none for a handshake or heartbeat), and the answer
/// the sender expects when it is not the plain acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Split {
    pub parts: Vec<Part>,
    pub handshake: Option<Handshake>,
}

/// A stable id for events that carry none: `sha256:` + 128 bits of SHA-256 over the CloudEvent `source`, the raw
/// body and `extra` (content outside the body that tells events apart, such as Medplum's deleted resource), each
/// length-prefixed. The same bytes from the same source always give the same id, so a vendor's retries keep it;
/// two sources (ingest routes) never share one.
pub fn derived_id(source: &str, body: &[u8], extra: Option<&str>) -> String {
    let parts = [source.as_bytes(), body, extra.unwrap_or("").as_bytes()];
    let mut framed = Vec::with_capacity(parts.iter().map(|p| p.len() + 8).sum());
    for part in parts {
        framed.extend_from_slice(&(part.len() as u64).to_be_bytes());
        framed.extend_from_slice(part);
    }
    digest_id(&crate::host::sha256(&framed))
}

/// `sha256:` + the first 128 bits of `digest`, in hex.
fn digest_id(digest: &[u8]) -> String {
    let mut id = String::with_capacity(7 + 32);
    id.push_str("sha256:");
    id.push_str(&hex::encode(digest.get(..16).unwrap_or_default()));
    id
}

/// A stable id derived from bytes alone (message ids the sender did not give, storage keys).
pub fn body_id(body: &[u8]) -> String {
    digest_id(&crate::host::sha256(body))
}

/// The longest event id kept as sent; a longer one is replaced by its digest (queues, headers and storage keys all
/// have limits, and an id is not the place for kilobytes).
pub const MAX_ID_BYTES: usize = 256;
/// The longest value of any other attribute.
pub const MAX_ATTRIBUTE_BYTES: usize = 1024;

/// An attribute without control characters (CR, LF, NUL, DEL, C1): CloudEvents attributes are single-line text, and
/// they travel into headers and logs.
pub fn clean_attribute(text: String) -> String {
    // Control characters are bytes below 0x20, 0x7f, or C1 (U+0080–U+009F: 0xc2 then 0x80–0x9f in UTF-8).
    if text.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) && text.chars().any(char::is_control) {
        text.chars().filter(|c| !c.is_control()).collect()
    } else {
        text
    }
}

/// What a verified request asks to be answered instead of an event: a vendor's endpoint check (Metriport's
/// `ping`). The body is the answer's JSON text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Handshake {
    pub status: u16,
    pub body: String,
}

/// `lab_order_tests` → `LabOrderTest`, `medical-encounters` → `MedicalEncounter`, `applied_tag` → `AppliedTag`.
pub fn resource_type(name: &str) -> Option<String> {
    let words: Vec<&str> = name.split(['_', '-', ' ', '/']).filter(|w| !w.is_empty()).collect();
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
    for (plural, single) in
        [("ies", "y"), ("sses", "ss"), ("uses", "us"), ("shes", "sh"), ("ches", "ch"), ("xes", "x"), ("s", "")]
    {
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
    fn derived_ids_are_stable_and_distinct_per_source_body_and_extra() {
        let id = derived_id("carehook:in/a", b"{}", None);
        assert_eq!(id, derived_id("carehook:in/a", b"{}", None));
        assert_ne!(id, derived_id("carehook:in/b", b"{}", None), "two routes never share an id");
        assert_ne!(id, derived_id("carehook:in/a", b"{ }", None));
        assert_ne!(id, derived_id("carehook:in/a", b"{}", Some("Patient/1")));
        assert_ne!(
            derived_id("carehook:in/a", b"{}", Some("Patient/1")),
            derived_id("carehook:in/a", b"{}", Some("Patient/2"))
        );
        // Length prefixes: moving bytes between the parts changes the id.
        assert_ne!(derived_id("ab", b"c", None), derived_id("a", b"bc", None));
        assert!(id.starts_with("sha256:") && id.len() == 7 + 32);
        assert!(body_id(b"").starts_with("sha256:"));
    }

    #[test]
    fn attributes_lose_control_characters() {
        assert_eq!(clean_attribute("a\r\nb\u{0}c\u{7f}d\u{85}e".into()), "abcde");
        assert_eq!(clean_attribute("Zoë/ü".into()), "Zoë/ü");
    }

    #[test]
    fn envelopes_are_json_with_data_verbatim() {
        let ev = CloudEvent {
            specversion: "1.0",
            id: "a\"b\\c\u{1}".into(),
            source: "carehook:x".into(),
            ty: "x.y".into(),
            subject: None,
            time: "1970-01-01T00:00:00Z".into(),
            datacontenttype: "application/json",
            vendor: "x",
            resourcetype: Some("Claim".into()),
            resourceid: None,
            action: None,
            resourceurl: None,
            topic: None,
            derived_id: false,
            data: r#"{"amount": 850.00}"#.into(),
            data_is_body: false,
        };
        let text = ev.to_json();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["id"], "a\"b\\c\u{1}");
        assert!(v.get("subject").is_none());
        assert!(text.ends_with(r#""data":{"amount": 850.00}}"#));
        assert_eq!(serde_json::to_value(&ev).unwrap(), v);
    }

    #[test]
    fn events_travel_as_head_and_data() {
        let source = crate::Source::new("github", &["s3cret"], crate::Options::default()).unwrap();
        let body = br#"{"action":"opened","n": 1.50}"#;
        let signed = crate::sign(
            "github",
            "s3cret",
            &crate::SignInput { method: "POST", path: "/", query: "", body, now: 0, id: None },
        )
        .unwrap();
        let headers: crate::Headers = signed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let ev = source.verify(&crate::Request::new("POST", "/", &headers, body), 0).unwrap().into_events().remove(0);
        let again = CloudEvent::from_head(ev.head(), "github", ev.data().to_owned()).unwrap();
        assert_eq!(again.to_json(), ev.to_json());
        assert!(again.derived_id);
        assert!(CloudEvent::from_head(ev.head(), "elation", ev.data().to_owned()).is_none());
        assert!(CloudEvent::from_head(ev.head(), "github", "[1]".into()).is_none());
    }
}
