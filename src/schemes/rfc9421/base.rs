//! One signature's parameters (a `Signature-Input` member) and the signature base built from them (RFC 9421 §2.5).

use super::sfv::{serialize_list, Bare, Item, Member, Params};
use crate::{Error, Headers};

const INPUT: &str = "signature-input";

/// What a signature covers and says about itself: its `Signature-Input` member, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The covered component names, in order, each once.
    pub components: Vec<String>,
    items: Vec<Item>,
    params: Params,
    pub created: Option<i64>,
    pub expires: Option<i64>,
    pub keyid: Option<String>,
    pub alg: Option<String>,
    pub tag: Option<String>,
}

fn malformed(reason: &'static str) -> Error {
    Error::MalformedHeader { header: INPUT, reason }
}

impl Input {
    /// Reads one member: an inner list of component names (strings), with the signature parameters (§2.3).
    pub fn read(member: &Member) -> Result<Input, Error> {
        let Member::List(items, params) = member else {
            return Err(malformed("each signature is an inner list of components: label=(\"@method\" ...);created=…"));
        };
        let mut components: Vec<String> = Vec::with_capacity(items.len());
        for item in items {
            let Bare::String(name) = &item.bare else {
                return Err(malformed("a covered component is a quoted string"));
            };
            if !item.params.is_empty() {
                return Err(malformed("component parameters (sf, key, bs, req, tr, name) are not supported"));
            }
            if !is_name(name) {
                return Err(malformed("a component name is lower case: @method, content-type, ..."));
            }
            if components.contains(name) {
                return Err(malformed("a component is covered twice"));
            }
            components.push(name.clone());
        }
        let mut input = Input {
            components,
            items: items.clone(),
            params: params.clone(),
            created: None,
            expires: None,
            keyid: None,
            alg: None,
            tag: None,
        };
        for (key, value) in params {
            match (key.as_str(), value) {
                ("created", Bare::Integer(t)) => input.created = Some(*t),
                ("expires", Bare::Integer(t)) => input.expires = Some(*t),
                ("keyid", Bare::String(s)) => input.keyid = Some(s.clone()),
                ("alg", Bare::String(s)) => input.alg = Some(s.clone()),
                ("tag", Bare::String(s)) => input.tag = Some(s.clone()),
                ("nonce", Bare::String(_)) => {}
                ("created" | "expires" | "keyid" | "alg" | "tag" | "nonce", _) => {
                    return Err(malformed("created and expires are integers; keyid, alg, nonce and tag are strings"));
                }
                // Parameters this verifier does not know are signed like the others (they are in the base).
                _ => {}
            }
        }
        Ok(input)
    }

    /// Whether the signature covers component `name`.
    pub fn covers(&self, name: &str) -> bool {
        self.components.iter().any(|c| c == name)
    }

    /// The signature base: one `"<name>": <value>` line per component, then `"@signature-params": …` with no
    /// newline after it.
    pub fn base(&self, msg: &Message<'_>) -> Result<String, Error> {
        let mut out = String::new();
        for name in &self.components {
            let value = msg.value(name)?;
            if !value.bytes().all(|b| b == b'\t' || (0x20..=0x7e).contains(&b)) {
                return Err(Error::MalformedHeader {
                    header: label(name),
                    reason: "a covered value holds a character outside printable ASCII",
                });
            }
            out.push('"');
            out.push_str(name);
            out.push_str("\": ");
            out.push_str(&value);
            out.push('\n');
        }
        out.push_str("\"@signature-params\": ");
        out.push_str(&serialize_list(&self.items, &self.params));
        Ok(out)
    }
}

/// A derived component, or a field name as RFC 9421 writes it (lower case).
fn is_name(name: &str) -> bool {
    let field = name.strip_prefix('@').unwrap_or(name);
    !field.is_empty()
        && field.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The request as RFC 9421 derives components from it.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub method: &'a str,
    /// `https` or `http`.
    pub scheme: &'a str,
    /// `host[:port]`, lower case, without the default port; why it is not known, when it is not.
    pub authority: Result<&'a str, Error>,
    pub path: &'a str,
    /// Without its `?`.
    pub query: &'a str,
    pub headers: &'a Headers,
    /// The longest covered field value read (`maxHeaderBytes`).
    pub max_field_bytes: usize,
}

impl Message<'_> {
    /// A component's value (§2.1, §2.2). A field is every line's value, trimmed, joined with `", "`.
    fn value(&self, name: &str) -> Result<String, Error> {
        let path = if self.path.is_empty() { "/" } else { self.path };
        let authority = || self.authority.clone();
        Ok(match name {
            "@method" => self.method.to_owned(),
            "@scheme" => self.scheme.to_owned(),
            "@authority" => authority()?.to_owned(),
            "@path" => path.to_owned(),
            "@query" => format!("?{}", self.query),
            "@target-uri" => {
                let query = if self.query.is_empty() { String::new() } else { format!("?{}", self.query) };
                format!("{}://{}{path}{query}", self.scheme, authority()?)
            }
            derived if derived.starts_with('@') => {
                return Err(malformed(
                    "it covers a derived component carehook does not build (it builds @method, @target-uri, @authority, @scheme, @path and @query)",
                ))
            }
            field => {
                let mut lines = self.headers.all(field).peekable();
                if lines.peek().is_none() {
                    return Err(Error::MissingHeader { header: label(field) });
                }
                let value = lines.map(|v| v.trim_matches([' ', '\t'])).collect::<Vec<_>>().join(", ");
                if value.len() > self.max_field_bytes {
                    return Err(Error::MalformedHeader { header: label(field), reason: "longer than the header limit" });
                }
                value
            }
        })
    }
}

/// Fields a signature commonly covers, so an error can name the one at fault (error labels are static).
const FIELDS: [&str; 12] = [
    "content-digest",
    "content-type",
    "content-length",
    "date",
    "host",
    "digest",
    "authorization",
    "user-agent",
    "idempotency-key",
    "x-request-id",
    "signature",
    "signature-input",
];

/// The name to give an error about field `name`: its own when common, else `covered` ("the covered header is
/// missing").
fn label(name: &str) -> &'static str {
    FIELDS.iter().copied().find(|f| *f == name).unwrap_or("covered")
}
