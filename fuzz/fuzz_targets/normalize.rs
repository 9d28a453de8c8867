//! The normalizer: any body, correctly signed, for every vendor. Verification either succeeds with a CloudEvent
//! whose data is the body verbatim, or refuses the payload (invalid_payload, signature verified).
//! Input: 3 choice bytes (vendor, zone offset for ELMED's zone-less times), then the body.
#![no_main]

use arbitrary::Unstructured;
use carehook::{Options, Request, SignInput, Source};
use carehook_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let vendor = vendor(u.arbitrary().unwrap_or(0));
    let offset: i16 = u.arbitrary().unwrap_or(0);
    let body = u.take_rest();

    let s = sample(vendor);
    let opts = Options { utc_offset_minutes: i32::from(offset), ..Options::default() };
    let source = Source::new(vendor, &[sample_key(vendor)], opts).unwrap();
    let input = SignInput { method: "POST", path: s.path, query: "", body, now: NOW, id: None };
    let mut signed = carehook::sign(vendor, s.signing_key, &input).unwrap();
    signed.extend(s.extra_headers.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())));
    let pairs: Vec<(&str, &str)> = signed.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let h = headers(&pairs);
    match verify_checked(&source, &Request::new("POST", s.path, &h, body), NOW) {
        Ok(_) => {}
        Err(e) => assert!(e.verified() && e.code() == "invalid_payload", "{vendor}: {}", e.code()),
    }
});
