//! carehook's body reader (src/json.rs) against serde_json: a text is valid JSON for one exactly when it is for the
//! other (nesting within both limits), and every top-level string field reads back as serde_json reads it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // carehook refuses nesting past 100 (serde_json's validating skip has no limit): compare texts within it; a
    // deeper text carehook accepts must still be valid.
    let deep = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() > 100;
    let theirs = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
    if !deep {
        assert_eq!(carehook::json::is_valid(text), theirs, "{text:?}");
    } else if carehook::json::is_valid(text) {
        assert!(theirs, "{text:?}");
    }
    if let (Some(ours), Ok(serde_json::Value::Object(map))) =
        (carehook::json::Object::parse(text), serde_json::from_str::<serde_json::Value>(text))
    {
        for (k, v) in &map {
            assert!(ours.has(k), "{k:?}");
            if let serde_json::Value::String(s) = v {
                assert_eq!(ours.str(k).as_ref(), Some(s), "{k:?}");
            }
        }
    }
});
