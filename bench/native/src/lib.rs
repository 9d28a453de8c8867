//! The requests the native benchmarks verify: the same bodies, headers and keys as bench/run.mjs uses in Node
//! (bench/lib/bodies.mjs builds the bodies the same way; keep the two in step).

use carehook::{Headers, Request, SignInput, Source};

pub const NOW: i64 = 1_763_800_000;
pub const STANDARD_KEY: &str = "whsec_Y2FyZWhvb2stZGVtby1zdGFuZGFyZC1zZWNyZXQ=";
pub const STRIPE_KEY: &str = "whsec_stripe_demo_secret_0123456789";
pub const GITHUB_KEY: &str = "github-demo-secret";

const STANDARD: &str = r#"{"type":"patient.updated","timestamp":"2026-11-22T08:00:00Z","data":{"id":"pat_01J9Z","observations":[@E],"note":"@P"}}"#;
const ELATION: &str = r#"{"data": {"id": 140754680, "observations": [@E], "note": "@P"}, "action": "saved", "event_id": 88123, "event_uuid": "019a6f4e-8c2d-7a10-b3e4-5f6a7b8c9d0e", "application_id": 12345, "resource": "patients", "resource_url": null}"#;
const STRIPE: &str = r#"{"id":"evt_1QdemoInvoicePaid","object":"event","type":"invoice.paid","created":1763799990,"data":{"object":{"id":"in_1QdemoInvoice","object":"invoice","lines":[@E],"note":"@P"}}}"#;
const GITHUB: &str = r#"{"action":"opened","issue":{"id":1,"number":42,"title":"Lab results not syncing","labels":[@E],"body":"@P"},"repository":{"id":9,"full_name":"clinic/integrations"}}"#;

fn record(i: usize) -> String {
    format!(r#"{{"seq":{i},"code":"8867-4","value":"{}","unit":"/min"}}"#, 60 + i % 40)
}

/// A vendor-shaped JSON body of exactly `size` bytes.
pub fn body(template: &str, size: usize) -> String {
    let fixed = template.len() - 4;
    let mut records = String::new();
    for i in 0.. {
        let next = if i == 0 { record(i) } else { format!(",{}", record(i)) };
        if fixed + records.len() + next.len() > size {
            break;
        }
        records.push_str(&next);
    }
    let pad = size.checked_sub(fixed + records.len()).expect("size smaller than the template");
    let text = template.replacen("@E", &records, 1).replacen("@P", &"x".repeat(pad), 1);
    assert_eq!(text.len(), size);
    text
}

/// The headers a server sees besides the vendor's own.
fn transport(len: usize) -> Vec<(String, String)> {
    [
        ("host", "hooks.example-clinic.test".to_owned()),
        ("user-agent", "Webhook-Sender/1.0".to_owned()),
        ("accept", "*/*".to_owned()),
        ("accept-encoding", "gzip, deflate".to_owned()),
        ("content-type", "application/json".to_owned()),
        ("content-length", len.to_string()),
        ("x-forwarded-for", "203.0.113.7".to_owned()),
        ("x-forwarded-proto", "https".to_owned()),
        ("x-request-id", "5f0c2a9e-1b7d-4e3a-9c61-2d8f4b7a1e05".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// One request to verify, with the source that accepts it and the event id it must yield.
pub struct Case {
    pub name: String,
    pub source: Source,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub expect_id: String,
}

impl Case {
    /// What one verification costs end to end: the headers as the core sees them, verify, the envelope as JSON.
    pub fn run(&self) -> String {
        let headers: Headers = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let req = Request::new("POST", &self.path, &headers, &self.body);
        match self.source.verify(&req, NOW) {
            Ok(v) => v.event().map(|e| e.to_json()).unwrap_or_default(),
            Err(e) => panic!("{}: {}", self.name, e.code()),
        }
    }

    /// The event id of one verification (a check before timing).
    pub fn check(&self) {
        let headers: Headers = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let req = Request::new("POST", &self.path, &headers, &self.body);
        let v = self.source.verify(&req, NOW).unwrap_or_else(|e| panic!("{}: {}", self.name, e.code()));
        assert_eq!(v.event().map(|e| e.id.as_str()), Some(self.expect_id.as_str()), "{}", self.name);
        let mut bad = self.body.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 1;
        let path = if self.name == "pipeline-mycure" {
            format!("{}0", &self.path[..self.path.len() - 1])
        } else {
            self.path.clone()
        };
        let tampered = Request::new("POST", &path, &headers, if path == self.path { &bad } else { &self.body });
        assert!(self.source.verify(&tampered, NOW).is_err(), "{}: a tampered request verified", self.name);
    }
}

fn case(
    name: &str,
    vendor: &str,
    signing_key: &str,
    path: &str,
    text: &str,
    id: Option<&str>,
    extra: &[(&str, &str)],
) -> Case {
    let body = text.as_bytes().to_vec();
    let input = SignInput { method: "POST", path, query: "", body: &body, now: NOW, id };
    let signed = carehook::sign(vendor, signing_key, &input).expect("sign");
    let mut headers = transport(body.len());
    headers.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    headers.extend(signed);
    let verify_key = carehook::verify_key(vendor, signing_key).expect("verify key");
    let source = Source::new(vendor, &[verify_key], carehook::Options::default()).expect("source");
    Case { name: name.to_owned(), source, path: path.to_owned(), headers, body, expect_id: String::new() }
}

impl Case {
    fn expecting(mut self, id: &str) -> Self {
        self.expect_id = id.to_owned();
        self
    }
}

fn sample(vendor: &str) -> carehook::Sample {
    carehook::samples().find(|s| s.vendor == vendor).expect("sample")
}

/// Every native case, named as bench/run.mjs names its rows.
pub fn cases() -> Vec<Case> {
    let elation = sample("elation");
    let msg = "msg_2ZP1bench00000000000000001";
    let delivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    let github = body(GITHUB, 1024);
    let mut out = vec![
        case("v1-1k", "standard", STANDARD_KEY, "/in/standard", &body(STANDARD, 1024), Some(msg), &[]).expecting(msg),
        case("v1-64k", "standard", STANDARD_KEY, "/in/standard", &body(STANDARD, 65536), Some(msg), &[]).expecting(msg),
        case("ed25519-1k", "elation", elation.signing_key, "/in/elation", &body(ELATION, 1024), None, &[])
            .expecting("019a6f4e-8c2d-7a10-b3e4-5f6a7b8c9d0e"),
        case("stripe-1k", "stripe", STRIPE_KEY, "/in/stripe", &body(STRIPE, 1024), None, &[])
            .expecting("evt_1QdemoInvoicePaid"),
        case(
            "github-1k",
            "github",
            GITHUB_KEY,
            "/in/github",
            &github,
            None,
            &[("x-github-event", "issues"), ("x-github-delivery", delivery)],
        )
        // Only the body is signed, so GitHub's event id is derived from the source and the body, not the delivery
        // header.
        .expecting(&carehook::event::derived_id("carehook:github", github.as_bytes(), None)),
    ];
    for vendor in ["elation", "elmed", "healthie", "mycure"] {
        let s = sample(vendor);
        let mut c = case(&format!("pipeline-{vendor}"), vendor, s.signing_key, s.path, s.body, None, s.extra_headers);
        let headers: Headers = c.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let req = Request::new("POST", &c.path, &headers, &c.body);
        c.expect_id = c.source.verify(&req, NOW).ok().and_then(|v| v.event().map(|e| e.id.clone())).unwrap_or_default();
        out.push(c);
    }
    out
}
