//! verify + inspect + normalize over arbitrary requests for every vendor, written as HTTP-like text:
//!
//! ```text
//! <vendor> <now> [option=value ...]     options: tolerance maxBodyBytes maxHeaderBytes maxSignatures
//! <key>\t<key>...                               publicPath allowIps(,) remoteIp utcOffsetMinutes
//! <METHOD> <target>
//! <name>: <value>
//! ...
//!
//! <body bytes>
//! ```
//! The committed seeds are the vector cases in this form. Missing or unreadable parts fall back to defaults.
#![no_main]

use carehook::{Request, Source, SourceConfig};
use carehook_fuzz::*;
use libfuzzer_sys::fuzz_target;

fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = split_head(data);
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n');

    let mut first = lines.next().unwrap_or("").split(' ');
    let vendor = first.next().unwrap_or("").to_owned();
    let now: i64 = first.next().and_then(|n| n.parse().ok()).unwrap_or(NOW);
    let mut cfg = SourceConfig { vendor, ..SourceConfig::default() };
    let mut remote_ip = None;
    for opt in first {
        let Some((k, v)) = opt.split_once('=') else { continue };
        match k {
            "tolerance" => cfg.tolerance = v.parse().ok(),
            "maxBodyBytes" => cfg.max_body_bytes = v.parse().ok(),
            "maxHeaderBytes" => cfg.max_header_bytes = v.parse().ok(),
            "maxSignatures" => cfg.max_signatures = v.parse().ok(),
            "publicPath" => cfg.public_path = Some(v.to_owned()),
            "allowIps" => cfg.allow_ips = v.split(',').map(str::to_owned).collect(),
            "remoteIp" => remote_ip = Some(v.to_owned()),
            "utcOffsetMinutes" => cfg.utc_offset_minutes = v.parse().ok(),
            _ => {}
        }
    }
    cfg.keys = lines.next().unwrap_or("").split('\t').map(str::to_owned).collect();
    let mut request_line = lines.next().unwrap_or("POST /").splitn(2, ' ');
    let method = request_line.next().unwrap_or("POST").to_owned();
    let target = request_line.next().unwrap_or("/").to_owned();
    let h: carehook::Headers =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n, v.strip_prefix(' ').unwrap_or(v))).collect();

    let req = Request::new(&method, &target, &h, body).with_remote_ip(remote_ip.as_deref());
    let via_config = carehook::verify(&cfg, &req, now);
    let report = carehook::inspect(&cfg, &req, now);
    // (With no vendor, inspect detects one from the headers; verify refuses: the configuration must choose.)
    if !cfg.vendor.is_empty() {
        assert_eq!(report.ok, via_config.is_ok(), "inspect and verify disagree");
    }
    match Source::from_config(&cfg) {
        Ok(source) => {
            let direct = verify_checked(&source, &req, now);
            assert_eq!(direct.map(|_| ()).map_err(|e| e.code()), via_config.map(|_| ()).map_err(|e| e.code()));
        }
        Err(e) => {
            assert!(matches!(e.code(), "invalid_key" | "unsupported_vendor"), "config error {}", e.code());
            assert_eq!(via_config.err().map(|e| e.code()), Some(e.code()));
        }
    }
    // With no vendor, inspect detects it from the headers; it never fails.
    let detected = carehook::inspect(&SourceConfig { vendor: String::new(), ..cfg }, &req, now);
    serde_json::to_string(&detected).expect("reports serialize");
});
