//! Reading fields from a vendor's JSON body: one validating pass over the text, one reader for every vendor.
//!
//! [`Object::parse`] reads the body once: it checks the whole text against RFC 8259's grammar (strings, escapes,
//! numbers, literals, nesting at most [`MAX_DEPTH`] deep) and records where each value starts and ends, so a field,
//! a nested object or an array element is then found by walking that index, never by reading the text again. A
//! value keeps the exact text it was sent as (an id such as `850.00` or `12345678901234567890` stays as sent).
//! Duplicate keys are refused in every object a scheme reads: two parsers could disagree on which one counts.
//!
//! Not serde_json: it can hand out a value's text only through `RawValue`, which skips the value once to find its
//! end and leaves every nested object to be parsed again; reading the 1 KB Standard Webhooks body that way cost
//! three times the HMAC (`cargo bench --bench breakdown` in bench/native). The envelope, the options and the
//! reports still use serde_json.

use std::borrow::Cow;
use std::rc::Rc;

/// Deepest nesting of arrays and objects accepted. The envelope adds one level; serde_json refuses more than 128 when
/// it builds values (its validating skip has no limit), and Python's json and other consumers have limits of their
/// own. Deeper texts are refused here, whatever another parser would do.
pub const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Object,
    Array,
    String,
    Number,
    Literal,
}

/// One value of the document, in document order (a container before its contents).
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// The key's span including its quotes (`0..0` for array elements and the root).
    key_start: u32,
    key_end: u32,
    key_escaped: bool,
    kind: Kind,
    /// The value's text.
    start: u32,
    end: u32,
    /// The index of the entry after this value and everything inside it (its next sibling).
    next: u32,
    /// For an array: whether it holds a string, number or literal. Those elements get no entry of their own (no
    /// scheme looks one up, and a 1 MiB array of numbers would otherwise take an entry per number).
    holds_scalars: bool,
}

#[derive(Debug)]
struct Document<'a> {
    text: &'a str,
    entries: Vec<Entry>,
}

/// One JSON object of a document: its fields in the order sent.
#[derive(Debug, Clone)]
pub struct Object<'a> {
    doc: Rc<Document<'a>>,
    at: usize,
}

impl<'a> Object<'a> {
    /// The object `text` holds; `None` when it is not a JSON object (or is not valid JSON, has a repeated key, or
    /// nests deeper than [`MAX_DEPTH`]).
    pub fn parse(text: &'a str) -> Option<Self> {
        let doc = Rc::new(Document { text, entries: scan(text.as_bytes())? });
        Object::at(&doc, 0)
    }

    /// The object at entry `at` when it is one without a repeated key.
    fn at(doc: &Rc<Document<'a>>, at: usize) -> Option<Self> {
        let o = Object { doc: Rc::clone(doc), at };
        (doc.entries.get(at)?.kind == Kind::Object && !o.repeats_a_key()).then_some(o)
    }

    /// The entries of the fields, in order.
    fn fields(&self) -> impl Iterator<Item = (usize, &Entry)> + '_ {
        let entries = &self.doc.entries;
        let end = entries.get(self.at).map_or(0, |e| e.next as usize);
        let mut i = self.at + 1;
        std::iter::from_fn(move || {
            let e = entries.get(i).filter(|_| i < end)?;
            let here = i;
            i = e.next as usize;
            Some((here, e))
        })
    }

    fn key_of(&self, e: &Entry) -> Cow<'a, str> {
        let inner = self.doc.text.get(e.key_start as usize + 1..(e.key_end as usize).saturating_sub(1)).unwrap_or("");
        if e.key_escaped {
            // The scan checked the escapes. A key with a lone surrogate is no Unicode text: it reads as U+FFFD, so two
            // such keys count as repeated (the object is refused rather than read two ways).
            Cow::Owned(unescape(inner).unwrap_or_else(|| "\u{fffd}".to_owned()))
        } else {
            Cow::Borrowed(inner)
        }
    }

    fn repeats_a_key(&self) -> bool {
        let mut keys: Vec<Cow<'a, str>> = self.fields().map(|(_, e)| self.key_of(e)).collect();
        if keys.len() < 2 {
            return false;
        }
        if keys.len() <= 16 {
            // A vendor's object has a handful of keys: comparing each pair costs less than sorting them.
            return keys.iter().enumerate().any(|(i, k)| keys.get(i + 1..).is_some_and(|rest| rest.contains(k)));
        }
        // Sorted, not pairwise: a 1 MiB body can hold ~100,000 keys, and comparing every pair took seconds.
        keys.sort_unstable();
        keys.windows(2).any(|w| matches!(w, [a, b] if a == b))
    }

    fn entry(&self, key: &str) -> Option<(usize, Entry)> {
        self.fields().find(|(_, e)| self.key_of(e) == key).map(|(i, e)| (i, *e))
    }

    fn text_of(&self, e: &Entry) -> &'a str {
        self.doc.text.get(e.start as usize..e.end as usize).unwrap_or("")
    }

    /// The raw JSON text of a field (`None` when absent).
    pub fn raw(&self, key: &str) -> Option<&'a str> {
        self.entry(key).map(|(_, e)| self.text_of(&e))
    }

    /// A string field (unescaped); `None` for other types, and for a string with a lone surrogate escape.
    pub fn str(&self, key: &str) -> Option<String> {
        let (_, e) = self.entry(key).filter(|(_, e)| e.kind == Kind::String)?;
        let quoted = self.text_of(&e);
        let inner = quoted.get(1..quoted.len().saturating_sub(1))?;
        if inner.contains('\\') {
            unescape(inner)
        } else {
            Some(inner.to_owned())
        }
    }

    /// A non-empty string field.
    pub fn text(&self, key: &str) -> Option<String> {
        self.str(key).filter(|s| !s.is_empty())
    }

    /// An id sent as a non-empty string or as a number (the number's exact text).
    pub fn id(&self, key: &str) -> Option<String> {
        let (_, e) = self.entry(key)?;
        match e.kind {
            Kind::String => self.text(key),
            Kind::Number => Some(self.text_of(&e).to_owned()),
            _ => None,
        }
    }

    /// An integer field.
    pub fn int(&self, key: &str) -> Option<i64> {
        let (_, e) = self.entry(key).filter(|(_, e)| e.kind == Kind::Number)?;
        self.text_of(&e).parse().ok()
    }

    /// A nested object field (`None` when absent, not an object, or repeating a key).
    pub fn object(&self, key: &str) -> Option<Object<'a>> {
        let (i, _) = self.entry(key)?;
        Object::at(&self.doc, i)
    }

    /// The objects of an array field, each read like a nested object (other elements, and objects repeating a key,
    /// skipped); empty when the field is absent or not an array.
    pub fn objects(&self, key: &str) -> Vec<Object<'a>> {
        match self.entry(key) {
            Some((i, e)) if e.kind == Kind::Array => {
                elements(&self.doc, i).filter_map(|j| Object::at(&self.doc, j)).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Whether the field is present (even as null).
    pub fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }
}

/// The entry indexes of the elements of the array at `at`.
fn elements<'d>(doc: &'d Document<'_>, at: usize) -> impl Iterator<Item = usize> + 'd {
    let end = doc.entries.get(at).map_or(0, |e| e.next as usize);
    let mut i = at + 1;
    std::iter::from_fn(move || {
        let e = doc.entries.get(i).filter(|_| i < end)?;
        let here = i;
        i = e.next as usize;
        Some(here)
    })
}

/// The elements of a top-level JSON array body, each with its raw text (`None` when `text` is not an array, is not
/// valid JSON, or has an element that is not an object or repeats a key).
pub fn parse_array_of_objects(text: &str) -> Option<Vec<(&str, Object<'_>)>> {
    let doc = Rc::new(Document { text, entries: scan(text.as_bytes())? });
    let root = doc.entries.first()?;
    if root.kind != Kind::Array || root.holds_scalars {
        return None;
    }
    elements(&doc, 0)
        .map(|i| {
            let e = doc.entries.get(i)?;
            Some((text.get(e.start as usize..e.end as usize)?, Object::at(&doc, i)?))
        })
        .collect()
}

/// Whether `text` is one valid JSON value (any type), nested at most [`MAX_DEPTH`] deep.
pub fn is_valid(text: &str) -> bool {
    scan(text.as_bytes()).is_some()
}

const NO_KEY: (u32, u32, bool) = (0, 0, false);

/// The index of one JSON text: every value with its span, or `None` when the text is not exactly one JSON value
/// (surrounding whitespace allowed) or nests deeper than [`MAX_DEPTH`]. Iterative: the depth never grows the stack.
fn scan(b: &[u8]) -> Option<Vec<Entry>> {
    // Offsets are u32: the core refuses bodies far below 4 GiB long before they are read.
    if u32::try_from(b.len()).is_err() {
        return None;
    }
    let at = |i: usize| i as u32;
    // An entry (about 32 bytes) per object field or container; it grows as needed, so a start of one per 64 bytes
    // of body keeps the reservation below the body's own size.
    let mut entries: Vec<Entry> = Vec::with_capacity(b.len() / 64 + 4);
    let mut open: Vec<usize> = Vec::new();
    let mut key = NO_KEY;
    let mut i = skip_ws(b, 0);
    loop {
        // A value at `i`.
        let start = i;
        let kind = match *b.get(i)? {
            b'{' => Kind::Object,
            b'[' => Kind::Array,
            b'"' => Kind::String,
            b'-' | b'0'..=b'9' => Kind::Number,
            b't' | b'f' | b'n' => Kind::Literal,
            _ => return None,
        };
        let idx = entries.len();
        let mut entry = Entry {
            key_start: key.0,
            key_end: key.1,
            key_escaped: key.2,
            kind,
            start: at(start),
            end: 0,
            next: at(idx + 1),
            holds_scalars: false,
        };
        let mut closed_container = false;
        match kind {
            Kind::Object | Kind::Array => {
                if open.len() >= MAX_DEPTH {
                    return None;
                }
                entries.push(entry);
                open.push(idx);
                i = skip_ws(b, i + 1);
                let close = if kind == Kind::Object { b'}' } else { b']' };
                if b.get(i) == Some(&close) {
                    i += 1;
                    closed_container = true;
                } else if kind == Kind::Object {
                    (key, i) = read_key(b, i)?;
                    continue;
                } else {
                    key = NO_KEY;
                    continue;
                }
            }
            Kind::String => {
                let (end, _) = read_string(b, i)?;
                i = end;
            }
            Kind::Number => i = read_number(b, i)?,
            Kind::Literal => {
                let word: &[u8] = match b.get(i) {
                    Some(b't') => b"true",
                    Some(b'f') => b"false",
                    _ => b"null",
                };
                if !b.get(i..)?.starts_with(word) {
                    return None;
                }
                i += word.len();
            }
        }
        if !closed_container {
            entry.end = at(i);
            match open.last().and_then(|&top| entries.get_mut(top)) {
                Some(parent) if parent.kind == Kind::Array => parent.holds_scalars = true,
                _ => entries.push(entry),
            }
        }
        // After a value: close containers, or go on to the next element or field.
        loop {
            if std::mem::take(&mut closed_container) {
                let top = open.pop()?;
                let next = at(entries.len());
                let e = entries.get_mut(top)?;
                e.end = at(i);
                e.next = next;
            }
            i = skip_ws(b, i);
            let Some(&top) = open.last() else {
                return (i == b.len()).then_some(entries);
            };
            let in_object = entries.get(top)?.kind == Kind::Object;
            match (*b.get(i)?, in_object) {
                (b',', true) => {
                    (key, i) = read_key(b, skip_ws(b, i + 1))?;
                    break;
                }
                (b',', false) => {
                    key = NO_KEY;
                    i = skip_ws(b, i + 1);
                    break;
                }
                (b'}', true) | (b']', false) => {
                    i += 1;
                    closed_container = true;
                }
                _ => return None,
            }
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// A key at `i` and the colon after it: the key's span and whether it has escapes, and where its value starts.
fn read_key(b: &[u8], i: usize) -> Option<((u32, u32, bool), usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let (end, escaped) = read_string(b, i)?;
    let colon = skip_ws(b, end);
    if b.get(colon) != Some(&b':') {
        return None;
    }
    Some(((i as u32, end as u32, escaped), skip_ws(b, colon + 1)))
}

/// The string starting with the quote at `i`: the offset after its closing quote, and whether it has escapes.
/// Control characters must be escaped; an escape is one of RFC 8259's (`\uXXXX` with four hex digits, a lone
/// surrogate allowed, as the grammar allows it).
fn read_string(b: &[u8], i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        // Eight bytes at a time: straight to the first quote, backslash or control character.
        while let Some(chunk) = b.get(j..j + 8) {
            let w = u64::from_le_bytes(chunk.try_into().ok()?);
            let special = special_bytes(w);
            if special != 0 {
                j += (special.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        match *b.get(j)? {
            b'"' => return Some((j + 1, escaped)),
            b'\\' => {
                escaped = true;
                match *b.get(j + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j += 2,
                    b'u' => {
                        if !b.get(j + 2..j + 6)?.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        j += 6;
                    }
                    _ => return None,
                }
            }
            0..=0x1f => return None,
            _ => j += 1,
        }
    }
}

/// The high bit of each byte of `w` that is `"`, `\` or below 0x20, at least for the lowest such byte (the classic
/// SWAR byte tests: a borrow can only flag bytes above a flagged one, so the lowest flag is always exact).
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let quote = zero_byte(w ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(w ^ (ONES * u64::from(b'\\')));
    // Bytes below 0x20: subtracting 0x20 borrows into the high bit only for them (among bytes without it set).
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    quote | backslash | control
}

/// The number starting at `i` (RFC 8259 §6): the offset after it.
fn read_number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| -> Option<usize> {
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > from).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(b, i)?,
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

/// The text of a string's contents (between its quotes, escapes already checked by the scan); `None` for a lone
/// surrogate escape, which is no Unicode text.
fn unescape(inner: &str) -> Option<String> {
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(pos) = rest.find('\\') {
        out.push_str(rest.get(..pos)?);
        let esc = rest.get(pos + 1..)?;
        let c = esc.as_bytes().first()?;
        rest = esc.get(1..)?;
        match c {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let unit = |s: &str| u16::from_str_radix(s.get(..4)?, 16).ok();
                let hi = unit(rest)?;
                rest = rest.get(4..)?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    let lo = rest.strip_prefix("\\u").and_then(unit).filter(|lo| (0xDC00..0xE000).contains(lo))?;
                    rest = rest.get(6..)?;
                    0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00)
                } else {
                    u32::from(hi)
                };
                out.push(char::from_u32(code)?);
            }
            _ => return None,
        }
    }
    out.push_str(rest);
    Some(out)
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
        assert_eq!(o.raw("c"), Some(r#"{"id": 12345678901234567890}"#));
    }

    #[test]
    fn non_objects_and_repeated_keys_are_refused() {
        for bad in ["[]", "1", "\"x\"", "{", r#"{"a":1,"a":2}"#, r#"{"a":1,"\u0061":2}"#, "{} x", ""] {
            assert!(Object::parse(bad).is_none(), "{bad}");
        }
        assert!(Object::parse(" {} ").is_some());
        // A nested object repeating a key is not read; the body around it is.
        let o = Object::parse(r#"{"a":{"k":1,"k":2},"b":[{"k":1,"k":2},{"k":3},4]}"#).unwrap();
        assert!(o.object("a").is_none());
        assert_eq!(o.objects("b").len(), 1);
    }

    #[test]
    fn escapes_unescape() {
        let o = Object::parse(r#"{"s":"\u00e9\ud83d\ude00\n\/\t","lone":"\ud800x","k\"ey":1}"#).unwrap();
        assert_eq!(o.str("s").as_deref(), Some("é😀\n/\t"));
        assert!(o.has("lone") && o.str("lone").is_none());
        assert_eq!(o.int("k\"ey"), Some(1));
    }

    #[test]
    fn arrays_of_objects() {
        let items = parse_array_of_objects(r#" [ {"a":1} , {"b":[2]} ] "#).unwrap();
        assert_eq!(items.iter().map(|(raw, _)| *raw).collect::<Vec<_>>(), [r#"{"a":1}"#, r#"{"b":[2]}"#]);
        assert_eq!(items[0].1.int("a"), Some(1));
        assert!(parse_array_of_objects("[{},1]").is_none());
        assert!(parse_array_of_objects("[{},[]]").is_none());
        assert!(parse_array_of_objects(r#"[{},"x",{}]"#).is_none());
        // Scalars inside arrays are checked but not indexed: the objects around them still read.
        let o = Object::parse(r#"{"a":[1,"two",{"k":3},[4,5],null],"b":true}"#).unwrap();
        assert_eq!(o.objects("a").len(), 1);
        assert_eq!(o.objects("a")[0].int("k"), Some(3));
        assert_eq!(o.raw("a"), Some(r#"[1,"two",{"k":3},[4,5],null]"#));
        assert!(o.has("b"));
        assert!(parse_array_of_objects("{}").is_none());
        assert_eq!(parse_array_of_objects("[]").map(|v| v.len()), Some(0));
    }

    #[test]
    fn depth_is_limited() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(is_valid(&ok));
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(!is_valid(&deep));
        // Brackets inside strings do not count.
        assert!(Object::parse(&format!(r#"{{"a":"{}"}}"#, "[".repeat(500))).is_some());
    }

    /// The grammar agrees with serde_json on valid and invalid texts (no duplicate keys in these).
    #[test]
    fn agrees_with_serde_json() {
        let texts = [
            "0",
            "-0",
            "01",
            "1.",
            ".5",
            "1e5",
            "1E+5",
            "1e-",
            "-",
            "--1",
            "1.5e3",
            "true",
            "tru",
            "nul",
            "null ",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"a\u{1}\"",
            "\"\\ud800\"",
            "[1,]",
            "[,1]",
            "{\"a\":}",
            "{\"a\"1}",
            "{,}",
            "{\"a\":1,}",
            "[1 2]",
            "[[[]]]",
            " \t\r\n[ ] ",
            "\u{feff}{}",
            "{\"é\":\"ü\"}",
            "\"abcdefghijklmnop\\\"q\"",
            "\"abcdefgh\u{7f}ijk\"",
            "[true,false,null]",
            "1 1",
            "{\"a\":[{\"b\":{}}]}",
            "\"unterminated",
        ];
        for t in texts {
            let ours = is_valid(t);
            let theirs = serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok();
            assert_eq!(ours, theirs, "{t:?}");
        }
    }

    #[test]
    fn swar_finds_the_first_special_byte() {
        let first = |w: [u8; 8]| match special_bytes(u64::from_le_bytes(w)) {
            0 => None,
            m => Some((m.trailing_zeros() / 8) as usize),
        };
        for pos in 0..8 {
            for special in [b'"', b'\\', 0u8, 0x1f] {
                let mut w = [b'a'; 8];
                w[pos] = special;
                assert_eq!(first(w), Some(pos), "{pos} {special}");
                // Whatever follows it, the first one is found.
                for later in pos + 1..8 {
                    let mut v = w;
                    v[later] = [b'"', 0u8, b'\\', 1][later % 4];
                    assert_eq!(first(v), Some(pos), "{pos} {later}");
                }
            }
            for plain in [b' ', 0x7f, 0x80, 0xff, b'!', b'#', b']', 0x21, 0xa2, 0xdc] {
                let mut w = [b'a'; 8];
                w[pos] = plain;
                assert_eq!(first(w), None, "{pos} {plain}");
            }
        }
    }

    proptest::proptest! {
        /// Texts over JSON's own alphabet: valid exactly when serde_json says so.
        #[test]
        fn random_texts_agree_with_serde_json(t in r#"[\[\]{}",:0-9eE.+\- \ntruefalsnx\\/bu]{0,40}"#) {
            let theirs = serde_json::from_str::<serde::de::IgnoredAny>(&t).is_ok();
            proptest::prop_assert_eq!(is_valid(&t), theirs, "{:?}", t);
        }

        /// Objects serde_json writes are read back field by field, strings unescaped as it escaped them.
        #[test]
        fn written_objects_read_back(fields in proptest::collection::btree_map("[a-z\"\\\\\u{1}é]{0,6}", "\\PC{0,12}", 0..8), n in proptest::num::i64::ANY) {
            let mut map = serde_json::Map::new();
            for (k, v) in &fields {
                map.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
            map.insert("\u{0}n".into(), serde_json::json!(n));
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap();
            let o = Object::parse(&text).unwrap();
            for (k, v) in &fields {
                proptest::prop_assert_eq!(o.str(k), Some(v.clone()));
            }
            proptest::prop_assert_eq!(o.int("\u{0}n"), Some(n));
        }
    }
}
