//! An HTTP request as the core sees it: method, target, headers and the raw body bytes. Nothing here does I/O.

use crate::Error;

/// Request headers: names compared case-insensitively, repeated values kept in order. Every name and value lives
/// in one buffer (a request's dozen headers are then one allocation, not two each).
#[derive(Clone, Default)]
pub struct Headers {
    text: String,
    /// (name start, name end, value start, value end) in `text`.
    entries: Vec<(usize, usize, usize, usize)>,
}

impl Headers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `count` headers of `bytes` bytes in all.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Headers { text: String::with_capacity(bytes), entries: Vec::with_capacity(count) }
    }

    /// Adds a header; the name is stored lower-cased and the value as given.
    pub fn append(&mut self, name: &str, value: &str) {
        let start = self.text.len();
        self.text.push_str(name);
        if let Some(n) = self.text.get_mut(start..) {
            n.make_ascii_lowercase();
        }
        let mid = self.text.len();
        self.text.push_str(value);
        self.entries.push((start, mid, mid, self.text.len()));
    }

    /// Headers from `name\0value\0name\0value…` (how the npm package passes them: one string across the
    /// boundary): the text copied once, names lower-cased in place, one pass to find the NULs; a trailing name
    /// without a value is dropped.
    pub fn from_flat(flat: &str) -> Self {
        let mut h = Headers { text: flat.to_owned(), entries: Vec::with_capacity(16) };
        let (mut start, mut name_end) = (0, None);
        let nuls = flat.bytes().enumerate().filter(|(_, b)| *b == 0).map(|(i, _)| i);
        for i in nuls.chain((!flat.is_empty()).then_some(flat.len())) {
            match name_end.take() {
                None => name_end = Some(i),
                Some(n) => {
                    h.entries.push((start, n, n + 1, i));
                    start = i + 1;
                }
            }
        }
        for &(s, e, _, _) in &h.entries {
            if let Some(name) = h.text.get_mut(s..e) {
                name.make_ascii_lowercase();
            }
        }
        h
    }

    fn entry(&self, &(ns, ne, vs, ve): &(usize, usize, usize, usize)) -> (&str, &str) {
        (self.text.get(ns..ne).unwrap_or(""), self.text.get(vs..ve).unwrap_or(""))
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|e| self.entry(e))
    }

    /// All values sent under `name` (lower-case).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().filter(move |(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The one value of `name`. A header repeated with different values is ambiguous and refused.
    pub fn get(&self, name: &'static str) -> Result<Option<&str>, Error> {
        self.get_named(name, name)
    }

    /// Like [`Headers::get`] for a name known only at run time (configured); errors name it `label`.
    pub fn get_named(&self, name: &str, label: &'static str) -> Result<Option<&str>, Error> {
        let mut values = self.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        let Some(first) = values.next() else {
            return Ok(None);
        };
        if values.any(|v| v != first) {
            return Err(Error::MalformedHeader { header: label, reason: "sent more than once with different values" });
        }
        Ok(Some(first))
    }

    /// Every (name, value) pair, names lower-case, in the order received.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.iter()
    }

    /// Header names, for reports; values are never listed.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(n, _)| n)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut h = Headers::new();
        for (n, v) in iter {
            h.append(n.as_ref(), v.as_ref());
        }
        h
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.pairs().eq(other.pairs())
    }
}

impl Eq for Headers {}

impl std::fmt::Debug for Headers {
    // Header values may hold signatures or tokens: show names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// One received webhook. `target` may be a full URL or just the path with its query.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a Headers,
    pub body: &'a [u8],
    /// The sender's address, when the transport knows it (for IP allowlists).
    pub remote_ip: Option<&'a str>,
}

impl<'a> Request<'a> {
    pub fn new(method: &'a str, target: &'a str, headers: &'a Headers, body: &'a [u8]) -> Self {
        let (path, query) = split_target(target);
        Request { method, path, query, headers, body, remote_ip: None }
    }

    pub fn with_remote_ip(mut self, ip: Option<&'a str>) -> Self {
        self.remote_ip = ip;
        self
    }
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Percent-decoding (`%41` → `A`); a `%` not followed by two hex digits stays as it is, and `+` stays `+` (it is a
/// base64 digit in a signature, and may be part of an id).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first value of `name` in a query string, decoded as a form encodes it (`+` is a space).
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| percent_decode(&v.replace('+', " ")))
    })
}

/// Splits `https://host/p?q#f` or `/p?q` into (`/p`, `q`).
pub fn split_target(target: &str) -> (&str, &str) {
    let without_fragment = target.split('#').next().unwrap_or("");
    // A scheme's `://` comes before any `/` or `?`: one inside a query (`?next=https://…`) belongs to the query.
    let scheme_end =
        without_fragment.find("://").filter(|&i| without_fragment.get(..i).is_some_and(|s| !s.contains(['/', '?'])));
    let after_authority = match scheme_end {
        Some(i) => {
            let rest = without_fragment.get(i + 3..).unwrap_or("");
            match rest.find(['/', '?']) {
                Some(j) => rest.get(j..).unwrap_or(""),
                None => "",
            }
        }
        None => without_fragment,
    };
    let (path, query) = match after_authority.split_once('?') {
        Some((p, q)) => (p, q),
        None => (after_authority, ""),
    };
    (if path.is_empty() { "/" } else { path }, query)
}

#[cfg(test)]
mod tests {
    #[test]
    fn flat_headers_read_as_appended_ones() {
        for flat in ["", "a\0b", "A\0b\0C-D\0é\0x", "a\0", "\0", "a\0b\0trailing", "a\0\0b\0c"] {
            let mut want = Headers::new();
            let mut parts = flat.split('\0');
            while let (Some(n), Some(v)) = (parts.next(), parts.next()) {
                want.append(n, v);
            }
            let got = Headers::from_flat(flat);
            assert_eq!(got.pairs().collect::<Vec<_>>(), want.pairs().collect::<Vec<_>>(), "{flat:?}");
            assert_eq!(got, want);
        }
        assert_eq!(Headers::from_flat("X-A\0One").get("x-a"), Ok(Some("One")));
    }

    use super::*;

    #[test]
    fn targets_split_into_path_and_query() {
        assert_eq!(split_target("https://h.example/in/x?a=1&b=2#frag"), ("/in/x", "a=1&b=2"));
        assert_eq!(split_target("/in/x"), ("/in/x", ""));
        assert_eq!(split_target("http://h.example"), ("/", ""));
        assert_eq!(split_target("http://h.example?x"), ("/", "x"));
        assert_eq!(split_target(""), ("/", ""));
        assert_eq!(split_target("/in/x?next=https://a.example/b"), ("/in/x", "next=https://a.example/b"));
        assert_eq!(split_target("/in/x/https://y"), ("/in/x/https://y", ""));
        assert_eq!(split_target("https://h.example/in/x?u=http://z/"), ("/in/x", "u=http://z/"));
    }

    #[test]
    fn repeated_headers_with_different_values_are_malformed() {
        let h: Headers = [("X-A", "1"), ("x-a", "1"), ("X-B", "1"), ("x-b", "2")].into_iter().collect();
        assert_eq!(h.get("x-a"), Ok(Some("1")));
        assert_eq!(h.get("x-b").unwrap_err().code(), "malformed_header");
        assert_eq!(h.get("x-c"), Ok(None));
    }
}
