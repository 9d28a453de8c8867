//! Runs every case in tests/vectors/*.json through the native core. The npm package, the Worker and the
//! inspector run the same files.

use base64::Engine;
use carehook::{Headers, Request, SourceConfig};
use serde_json::{json, Value};
use std::path::Path;

fn cases() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out = Vec::new();
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let file = f.file_name().unwrap().to_string_lossy().to_string();
        for c in doc["cases"].as_array().unwrap() {
            out.push((format!("{file}: {}", c["name"].as_str().unwrap()), c.clone()));
        }
    }
    out
}

fn body_of(c: &Value) -> Vec<u8> {
    match (&c["body"], &c["body_base64"]) {
        (Value::String(s), _) => s.as_bytes().to_vec(),
        (_, Value::String(b)) => base64::engine::general_purpose::STANDARD.decode(b).unwrap(),
        _ => Vec::new(),
    }
}

fn headers_of(c: &Value) -> Headers {
    let mut h = Headers::new();
    match &c["headers"] {
        Value::Object(m) => m.iter().for_each(|(k, v)| h.append(k, v.as_str().unwrap())),
        Value::Array(a) => a.iter().for_each(|p| h.append(p[0].as_str().unwrap(), p[1].as_str().unwrap())),
        _ => {}
    }
    h
}

fn config_of(c: &Value) -> SourceConfig {
    let mut cfg = json!({ "vendor": c["vendor"], "keys": c["keys"] });
    if let Some(p) = c["public_path"].as_str() {
        cfg["publicPath"] = json!(p);
    }
    if let Some(opts) = c["options"].as_object() {
        for (k, v) in opts {
            cfg[k] = v.clone();
        }
    }
    serde_json::from_value(cfg).unwrap()
}

/// Runs one case; returns a description of the first disagreement.
fn run(c: &Value) -> Result<(), String> {
    let (body, headers, cfg) = (body_of(c), headers_of(c), config_of(c));
    let req = Request::new(c["method"].as_str().unwrap_or("POST"), c["url"].as_str().unwrap(), &headers, &body)
        .with_remote_ip(c["remote_ip"].as_str());
    let now = c["now"].as_i64().unwrap();
    let expect = &c["expect"];
    let result = carehook::verify(&cfg, &req, now);
    let report = carehook::inspect(&cfg, &req, now);
    if report.ok != result.is_ok() {
        return Err(format!("inspect says ok={} but verify says {:?}", report.ok, result.as_ref().err()));
    }
    match (expect["ok"].as_bool().unwrap(), result) {
        (true, Ok(v)) => {
            if let Some(want) = expect.get("events").and_then(Value::as_array) {
                // A batch or a handshake: every event, in order.
                if v.events().len() != want.len() {
                    return Err(format!("{} events, want {}", v.events().len(), want.len()));
                }
                for (i, (e, w)) in v.events().iter().zip(want).enumerate() {
                    let ev: Value = serde_json::from_str(&e.to_json()).unwrap();
                    for (k, want) in w.as_object().into_iter().flatten() {
                        if &ev[k] != want {
                            return Err(format!("events[{i}].{k} = {}, want {want}", ev[k]));
                        }
                    }
                }
            } else {
                let ev: Value = serde_json::from_str(&v.event().ok_or("no event")?.to_json()).unwrap();
                assert_envelope(&ev, &body)?;
                for (k, want) in expect["event"].as_object().into_iter().flatten() {
                    if &ev[k] != want {
                        return Err(format!("event.{k} = {}, want {want}", ev[k]));
                    }
                }
            }
            let handshake = v.handshake().map(|h| json!({ "status": h.status, "body": h.body }));
            if handshake.as_ref() != expect.get("handshake") {
                return Err(format!("handshake {handshake:?}, want {:?}", expect.get("handshake")));
            }
            Ok(())
        }
        (false, Err(e)) => {
            let want = expect["error"].as_str().unwrap();
            let want_verified = expect["verified"].as_bool().unwrap_or(false);
            if e.code() != want || e.verified() != want_verified {
                return Err(format!(
                    "error {} (verified {}), want {want} (verified {want_verified})",
                    e.code(),
                    e.verified()
                ));
            }
            if report.error.map(|r| r.code) != Some(want) {
                return Err("inspect reports a different error".into());
            }
            Ok(())
        }
        (true, Err(e)) => Err(format!("failed with {}: {e}", e.code())),
        (false, Ok(_)) => Err(format!("verified, want {}", expect["error"])),
    }
}

/// The attributes CloudEvents 1.0 requires, and `data` byte-for-byte the body.
fn assert_envelope(ev: &Value, body: &[u8]) -> Result<(), String> {
    for attr in ["id", "source", "type", "specversion", "time", "datacontenttype", "vendor"] {
        if ev[attr].as_str().is_none_or(|s| s.is_empty()) {
            return Err(format!("missing {attr}"));
        }
    }
    if ev["specversion"] != "1.0" {
        return Err("specversion".into());
    }
    let data: Value = serde_json::from_slice(body).unwrap();
    if ev["data"] != data {
        return Err("data differs from the body".into());
    }
    Ok(())
}

#[test]
fn every_vector_passes() {
    let all = cases();
    assert!(all.len() >= 54, "the shared vectors are missing: {}", all.len());
    let failures: Vec<String> =
        all.iter().filter_map(|(name, c)| run(c).err().map(|e| format!("{name}: {e}"))).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), all.len(), failures.join("\n"));
}

#[test]
fn the_shared_vectors_are_an_unmodified_copy() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/vectors/vectors.json");
    if let Ok(upstream) = std::fs::read(&shared) {
        assert_eq!(
            upstream,
            std::fs::read(root.join("tests/vectors/shared.json")).unwrap(),
            "re-copy ../shared/vectors/vectors.json"
        );
    }
}
