//! RFC 8941 structured field values: dictionaries, inner lists, items and parameters, parsed as §4.2 says and
//! serialized as §4.1 says (the signature base is built from the serialization, so it must be the canonical one).
//!
//! One departure, on purpose: a dictionary key or a parameter that appears twice with different values is refused
//! (RFC 8941 lets the last one win). Two parsers could disagree on which one counts, and a signature must mean one
//! thing. An identical repeat (a header line sent twice, then joined) counts as one.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;

/// A bare item (§3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bare {
    Integer(i64),
    /// In thousandths: `1.5` is 1500 (at most three fraction digits are allowed).
    Decimal(i64),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

/// Parameters (§3.1.2), in the order sent.
pub type Params = Vec<(String, Bare)>;

/// An item with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub bare: Bare,
    pub params: Params,
}

/// A dictionary member's value: an item or an inner list (§3.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Item(Item),
    List(Vec<Item>, Params),
}

/// A dictionary (§3.2), in the order sent.
pub type Dictionary = Vec<(String, Member)>;

/// Why a field value is not a structured field.
pub type Invalid = &'static str;

/// Parses a whole field value as a dictionary (§4.2: leading and trailing spaces are discarded, nothing may follow).
pub fn parse_dictionary(text: &str) -> Result<Dictionary, Invalid> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    p.skip_sp();
    let mut out: Dictionary = Vec::new();
    while !p.done() {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            p.member()?
        } else {
            Member::Item(Item { bare: Bare::Boolean(true), params: p.params()? })
        };
        match out.iter().find(|(k, _)| *k == key) {
            Some((_, seen)) if *seen == member => {}
            Some(_) => return Err("a member appears twice with different values"),
            None => out.push((key, member)),
        }
        p.skip_ows();
        if p.done() {
            break;
        }
        if !p.eat(b',') {
            return Err("members are separated by commas");
        }
        p.skip_ows();
        if p.done() {
            return Err("a comma ends the field");
        }
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i >= self.s.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_sp(&mut self) {
        while self.eat(b' ') {}
    }

    fn skip_ows(&mut self) {
        while self.eat(b' ') || self.eat(b'\t') {}
    }

    /// §4.2.3.3: `( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )`.
    fn key(&mut self) -> Result<String, Invalid> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => self.i += 1,
            _ => return Err("a key starts with a lower-case letter or *"),
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*') {
                self.i += 1;
            } else {
                break;
            }
        }
        Ok(self.text(start))
    }

    /// The ASCII text from `start` to here (every byte the callers accept is ASCII).
    fn text(&self, start: usize) -> String {
        self.s.get(start..self.i).map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default()
    }

    fn member(&mut self) -> Result<Member, Invalid> {
        if self.peek() == Some(b'(') {
            self.inner_list()
        } else {
            self.item().map(Member::Item)
        }
    }

    /// §4.2.1.2.
    fn inner_list(&mut self) -> Result<Member, Invalid> {
        self.i += 1;
        let mut items = Vec::new();
        loop {
            self.skip_sp();
            if self.eat(b')') {
                return Ok(Member::List(items, self.params()?));
            }
            items.push(self.item()?);
            match self.peek() {
                Some(b' ' | b')') => {}
                _ => return Err("inner-list items are separated by spaces and closed by )"),
            }
        }
    }

    fn item(&mut self) -> Result<Item, Invalid> {
        let bare = self.bare()?;
        Ok(Item { bare, params: self.params()? })
    }

    /// §4.2.3.2.
    fn params(&mut self) -> Result<Params, Invalid> {
        let mut out: Params = Vec::new();
        while self.eat(b';') {
            self.skip_sp();
            let key = self.key()?;
            let value = if self.eat(b'=') { self.bare()? } else { Bare::Boolean(true) };
            match out.iter().find(|(k, _)| *k == key) {
                Some((_, seen)) if *seen == value => {}
                Some(_) => return Err("a parameter appears twice with different values"),
                None => out.push((key, value)),
            }
        }
        Ok(out)
    }

    /// §4.2.3.1.
    fn bare(&mut self) -> Result<Bare, Invalid> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.bytes(),
            Some(b'?') => self.boolean(),
            Some(c) if alpha_or_star(c) => Ok(self.token()),
            _ => Err("not a structured-field item"),
        }
    }

    /// §4.2.4: at most 15 integer digits; a decimal has at most 12 before the point and 1 to 3 after it.
    fn number(&mut self) -> Result<Bare, Invalid> {
        let negative = self.eat(b'-');
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let int_digits = self.i - start;
        if int_digits == 0 {
            return Err("a number needs a digit");
        }
        let int_text = self.text(start);
        let sign = if negative { -1 } else { 1 };
        if !self.eat(b'.') {
            if int_digits > 15 {
                return Err("an integer has at most 15 digits");
            }
            return int_text.parse::<i64>().map(|n| Bare::Integer(sign * n)).map_err(|_| "not an integer");
        }
        let frac_start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let frac_digits = self.i - frac_start;
        if int_digits > 12 || frac_digits == 0 || frac_digits > 3 {
            return Err("a decimal has at most 12 digits before the point and 1 to 3 after it");
        }
        let frac = format!("{:0<3}", self.text(frac_start));
        let whole = format!("{int_text}{frac}").parse::<i64>().map_err(|_| "not a decimal")?;
        Ok(Bare::Decimal(sign * whole))
    }

    /// §4.2.5: printable ASCII; `\` escapes only `"` and `\`.
    fn string(&mut self) -> Result<Bare, Invalid> {
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("a string is not closed"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Bare::String(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => out.push(char::from(c)),
                        _ => return Err("a string escapes only \" and \\"),
                    }
                    self.i += 1;
                }
                Some(c @ 0x20..=0x7e) => {
                    out.push(char::from(c));
                    self.i += 1;
                }
                Some(_) => return Err("a string holds printable ASCII only"),
            }
        }
    }

    /// §4.2.6: `( ALPHA / "*" ) *( tchar / ":" / "/" )`.
    fn token(&mut self) -> Bare {
        let start = self.i;
        self.i += 1;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c)) {
            self.i += 1;
        }
        Bare::Token(self.text(start))
    }

    /// §4.2.7: `:` base64 `:`; padding may be left out.
    fn bytes(&mut self) -> Result<Bare, Invalid> {
        self.i += 1;
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=')) {
            self.i += 1;
        }
        let b64 = self.text(start);
        if !self.eat(b':') {
            return Err("a byte sequence is base64 between colons");
        }
        STANDARD
            .decode(&b64)
            .or_else(|_| STANDARD_NO_PAD.decode(&b64))
            .map(Bare::Bytes)
            .map_err(|_| "a byte sequence is not base64")
    }

    /// §4.2.8.
    fn boolean(&mut self) -> Result<Bare, Invalid> {
        self.i += 1;
        let value = match self.peek() {
            Some(b'1') => true,
            Some(b'0') => false,
            _ => return Err("a boolean is ?0 or ?1"),
        };
        self.i += 1;
        Ok(Bare::Boolean(value))
    }
}

fn alpha_or_star(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'*'
}

/// §4.1.1.1: `(a b);p`.
pub fn serialize_list(items: &[Item], params: &Params) -> String {
    let mut out = String::from("(");
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        push_item(&mut out, item);
    }
    out.push(')');
    push_params(&mut out, params);
    out
}

pub fn serialize_item(item: &Item) -> String {
    let mut out = String::new();
    push_item(&mut out, item);
    out
}

fn push_item(out: &mut String, item: &Item) {
    push_bare(out, &item.bare);
    push_params(out, &item.params);
}

/// §4.1.1.2: a `true` parameter is written without a value.
fn push_params(out: &mut String, params: &Params) {
    for (key, value) in params {
        out.push(';');
        out.push_str(key);
        if *value != Bare::Boolean(true) {
            out.push('=');
            push_bare(out, value);
        }
    }
}

fn push_bare(out: &mut String, bare: &Bare) {
    match bare {
        Bare::Integer(n) => out.push_str(&n.to_string()),
        Bare::Decimal(t) => {
            // §4.1.5: at least one fraction digit, no trailing zeros beyond it.
            let sign = if *t < 0 { "-" } else { "" };
            let (whole, frac) = (t.unsigned_abs() / 1000, t.unsigned_abs() % 1000);
            let frac = format!("{frac:03}");
            let frac = frac.trim_end_matches('0');
            out.push_str(&format!("{sign}{whole}.{}", if frac.is_empty() { "0" } else { frac }));
        }
        Bare::String(s) => {
            out.push('"');
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
        Bare::Token(t) => out.push_str(t),
        Bare::Bytes(b) => {
            out.push(':');
            out.push_str(&STANDARD.encode(b));
            out.push(':');
        }
        Bare::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(s: &str) -> Item {
        Item { bare: Bare::String(s.into()), params: vec![] }
    }

    #[test]
    fn signature_input_members_are_inner_lists_with_parameters() {
        let d = parse_dictionary(
            r#"sig1=("@method" "content-digest");created=1618884473;keyid="k\"1";alg="ed25519", sig2=();tag=t"#,
        )
        .unwrap();
        assert_eq!(d.len(), 2);
        let Member::List(items, params) = &d[0].1 else { panic!("{d:?}") };
        assert_eq!(items, &[string("@method"), string("content-digest")]);
        assert_eq!(params[0], ("created".into(), Bare::Integer(1618884473)));
        assert_eq!(params[1], ("keyid".into(), Bare::String("k\"1".into())));
        assert_eq!(
            serialize_list(items, params),
            r#"("@method" "content-digest");created=1618884473;keyid="k\"1";alg="ed25519""#
        );
        assert_eq!(d[1].1, Member::List(vec![], vec![("tag".into(), Bare::Token("t".into()))]));
    }

    #[test]
    fn byte_sequences_decode_with_or_without_padding() {
        let d = parse_dictionary("a=:aGk=:, b=:aGk:, c=::").unwrap();
        for (_, m) in &d[..2] {
            assert_eq!(*m, Member::Item(Item { bare: Bare::Bytes(b"hi".to_vec()), params: vec![] }));
        }
        assert_eq!(d[2].1, Member::Item(Item { bare: Bare::Bytes(vec![]), params: vec![] }));
    }

    #[test]
    fn every_bare_type_round_trips() {
        let text = r#"a=1;b=-2;c=1.5;d=-0.25;e="x";f=tok/en:1;g=:AAE=:;h;i=?0"#;
        let d = parse_dictionary(text).unwrap();
        let Member::Item(item) = &d[0].1 else { panic!() };
        assert_eq!(format!("a={}", serialize_item(item)), text);
        assert_eq!(item.params[1].1, Bare::Decimal(1500));
        assert_eq!(serialize_item(&Item { bare: Bare::Decimal(2000), params: vec![] }), "2.0");
    }

    #[test]
    fn whitespace_follows_rfc_8941() {
        assert!(parse_dictionary("  a=1 ,\tb=2  ").is_ok());
        assert_eq!(parse_dictionary("").unwrap(), vec![]);
        let d = parse_dictionary(r#"s=(  "a"   "b"  )"#).unwrap();
        let Member::List(items, _) = &d[0].1 else { panic!() };
        assert_eq!(serialize_list(items, &vec![]), r#"("a" "b")"#);
    }

    #[test]
    fn malformed_fields_are_refused() {
        for bad in [
            "A=1",
            "a=1,",
            "a=1,,b=2",
            "a=1 b=2",
            "a=(\"x\"\"y\")",
            "a=(\"x\"",
            "a=\"unterminated",
            "a=\"bad\\escape\"",
            "a=\"caf\u{e9}\"",
            "a=:not base64!:",
            "a=:aGk",
            "a=?2",
            "a=1234567890123456",
            "a=1.2345",
            "a=1.",
            "a=-",
            "a=1;B=2",
            "a=1;p=1;p=2",
            "a=1, a=2",
            "a=@x",
            "\ta=1",
        ] {
            assert!(parse_dictionary(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn identical_repeats_count_once() {
        let d = parse_dictionary("a=(\"x\");created=1, a=(\"x\");created=1").unwrap();
        assert_eq!(d.len(), 1);
        assert!(parse_dictionary("a=1;p=1;p=1").is_ok());
    }
}
