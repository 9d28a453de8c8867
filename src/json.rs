//! Reading fields from a vendor's JSON body: one small reader for every vendor, over serde_json.
//!
//! The body is parsed once into its top-level fields, each kept as the raw JSON text it was sent as (so an id such
//! as `850.00` or `12345678901234567890` keeps its exact text); nested objects are read the same way on demand.
//! Duplicate keys are refused: two parsers could disagree on which one counts.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The fields of one JSON object, in the order sent.
#[derive(Debug, Default)]
pub struct Object<'a> {
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
}

impl<'a> Object<'a> {
    /// The object `text` holds; `None` when it is not a JSON object (or has a repeated key, or nests deeper than
    /// [`MAX_DEPTH`]).
    pub fn parse(text: &'a str) -> Option<Self> {
        if !nesting_fits(text) {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// A string field (unescaped); `None` for other types.
    pub fn str(&self, key: &str) -> Option<String> {
        let raw = self.get(key)?.get();
        if raw.starts_with('"') {
            serde_json::from_str(raw).ok()
        } else {
            None
        }
    }

    /// A non-empty string field.
    pub fn text(&self, key: &str) -> Option<String> {
        self.str(key).filter(|s| !s.is_empty())
    }

    /// An id sent as a non-empty string or as a number (the number's exact text).
    pub fn id(&self, key: &str) -> Option<String> {
        let raw = self.get(key)?.get();
        match raw.bytes().next()? {
            b'"' => self.text(key),
            b'-' | b'0'..=b'9' => Some(raw.to_owned()),
            _ => None,
        }
    }

    /// An integer field.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.get(key)?.get().parse().ok()
    }

    /// A nested object field. Its depth was checked with the whole text by [`Object::parse`]: not scanned again.
    pub fn object(&self, key: &str) -> Option<Object<'a>> {
        serde_json::from_str(self.get(key)?.get()).ok()
    }

    /// The objects of an array field, each read like a nested object (other elements skipped); empty when the
    /// field is absent or not an array.
    pub fn objects(&self, key: &str) -> Vec<Object<'a>> {
        self.get(key).map(|raw| array_objects(raw.get())).unwrap_or_default()
    }

    /// Whether the field is present (even as null).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// The elements of a JSON array that are objects, in order, each with its raw text. `text` is the array's JSON
/// text; its depth is checked here when it is a whole body, so callers reading a field pass text already checked.
pub fn array_objects(text: &str) -> Vec<Object<'_>> {
    let raws: Vec<&RawValue> = serde_json::from_str(text).unwrap_or_default();
    raws.into_iter().filter_map(|r| serde_json::from_str(r.get()).ok()).collect()
}

/// The raw text of each element of a top-level JSON array body (`None` when `text` is not an array, is nested too
/// deeply, or has an element that is not an object or repeats a key).
pub fn parse_array_of_objects(text: &str) -> Option<Vec<(&str, Object<'_>)>> {
    if !nesting_fits(text) {
        return None;
    }
    let raws: Vec<&RawValue> = serde_json::from_str(text).ok()?;
    raws.into_iter().map(|r| Some((r.get(), serde_json::from_str(r.get()).ok()?))).collect()
}

impl<'a> Object<'a> {
    /// The raw JSON text of a field (`None` when absent).
    pub fn raw(&self, key: &str) -> Option<&'a str> {
        self.get(key).map(RawValue::get)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Object<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
    }
}

struct ObjectVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ObjectVisitor<'a> {
    type Value = Object<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut fields: Vec<(Cow<'a, str>, &'a RawValue)> = Vec::new();
        while let Some(Key(k)) = map.next_key()? {
            let v: &'a RawValue = map.next_value()?;
            fields.push((k, v));
        }
        // Sorted, not pairwise: a 1 MiB body can hold ~100,000 keys, and comparing every pair took seconds.
        let mut keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_ref()).collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
            return Err(serde::de::Error::custom("repeated key"));
        }
        Ok(Object { fields })
    }
}

/// Deepest nesting of arrays and objects accepted. The envelope adds one level, and serde_json (128), Python's json
/// and other consumers refuse deeper documents; serde_json's raw values skip nesting without a limit.
pub const MAX_DEPTH: usize = 100;

/// Whether `text` nests arrays and objects at most [`MAX_DEPTH`] deep (brackets inside strings do not count).
fn nesting_fits(text: &str) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') | (false, _, b'"') => in_string = !in_string,
            (false, _, b'[' | b'{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return false;
                }
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// An object key, borrowed from the body unless it had escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_their_exact_text() {
        let o =
            Object::parse(r#"{"a": 850.00, "b": "x\"y", "c": {"id": 12345678901234567890}, "d\u0065": null, "e": -3}"#)
                .unwrap();
        assert_eq!(o.id("a").as_deref(), Some("850.00"));
        assert_eq!(o.str("b").as_deref(), Some("x\"y"));
        assert_eq!(o.object("c").unwrap().id("id").as_deref(), Some("12345678901234567890"));
        assert!(o.has("de"));
        assert_eq!(o.str("de"), None);
        assert_eq!(o.int("e"), Some(-3));
        assert_eq!(o.id("missing"), None);
    }

    #[test]
    fn non_objects_and_repeated_keys_are_refused() {
        for bad in ["[]", "1", "\"x\"", "{", r#"{"a":1,"a":2}"#, "{} x"] {
            assert!(Object::parse(bad).is_none(), "{bad}");
        }
        assert!(Object::parse(" {} ").is_some());
    }
}
