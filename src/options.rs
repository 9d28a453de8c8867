//! Verification options and the configuration a source is built from. A leaf: it knows no scheme.

use crate::Error;
use serde::Deserialize;

/// Tolerance for signed timestamps, in seconds, both directions.
pub const DEFAULT_TOLERANCE: u64 = 300;
/// Largest body accepted before any crypto runs.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Largest value of a header the scheme reads.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 8 << 10;
/// Most signatures read from one header.
pub const DEFAULT_MAX_SIGNATURES: usize = 16;

/// Verification options with their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub tolerance: u64,
    /// The path the sender signed (Healthie), when requests arrive on another.
    pub public_path: Option<String>,
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    pub max_signatures: usize,
    /// Sender addresses allowed (single IPs or CIDR blocks); empty allows all.
    pub allow_ips: Vec<ipnet::IpNet>,
    /// The CloudEvent `source` attribute; `carehook:<vendor>` when unset.
    pub source: Option<String>,
    /// Offset applied to zone-less vendor timestamps (ELMED), in minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// The header a header-token sender puts its token in (`header-token`; default `authorization`).
    pub token_header: Option<String>,
    /// What precedes the token in that header, compared without case (default `Bearer `; empty for none).
    pub token_prefix: Option<String>,
    /// The subscriber verification code Fitbit's `GET ?verify=` check must match.
    pub verification_code: Option<String>,
    /// The URL the sender posts to (RFC 9421's `@scheme`, `@authority`, `@target-uri`; its path, when it has one,
    /// is `@path`), when requests arrive on another. Unset: the `Host` header, over `https`.
    pub public_url: Option<PublicUrl>,
    /// The `tag` an RFC 9421 signature must carry; signatures with another are not considered.
    pub required_tag: Option<String>,
    /// Components (`@method`, `content-type`, ...) an RFC 9421 signature must cover, lower case.
    pub required_components: Vec<String>,
    /// Whether an RFC 9421 signature must cover `content-digest` (it authenticates the body only then). Default true.
    pub require_content_digest: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tolerance: DEFAULT_TOLERANCE,
            public_path: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_signatures: DEFAULT_MAX_SIGNATURES,
            allow_ips: Vec::new(),
            source: None,
            utc_offset_minutes: 0,
            token_header: None,
            token_prefix: None,
            verification_code: None,
            public_url: None,
            required_tag: None,
            required_components: Vec::new(),
            require_content_digest: true,
        }
    }
}

/// A source as configuration gives it (JSON from JavaScript or `wrangler.toml`).
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceConfig {
    pub vendor: String,
    #[serde(deserialize_with = "one_or_many")]
    pub keys: Vec<String>,
    pub tolerance: Option<u64>,
    pub public_path: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub max_header_bytes: Option<usize>,
    pub max_signatures: Option<usize>,
    #[serde(default)]
    pub allow_ips: Vec<String>,
    pub source: Option<String>,
    pub utc_offset_minutes: Option<i32>,
    pub token_header: Option<String>,
    pub token_prefix: Option<String>,
    pub verification_code: Option<String>,
    pub public_url: Option<String>,
    pub required_tag: Option<String>,
    #[serde(default)]
    pub required_components: Vec<String>,
    pub require_content_digest: Option<bool>,
}

impl std::fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceConfig")
            .field("vendor", &self.vendor)
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .finish_non_exhaustive()
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl Options {
    /// The options a configuration asks for, the defaults for what it leaves out.
    pub fn from_config(cfg: &SourceConfig) -> Result<Options, Error> {
        let d = Options::default();
        let mut allow_ips = Vec::with_capacity(cfg.allow_ips.len());
        for ip in &cfg.allow_ips {
            allow_ips
                .push(parse_ip_net(ip).ok_or(Error::InvalidKey { reason: "an allowIps entry is not an IP or CIDR" })?);
        }
        let public_url = cfg.public_url.as_deref().filter(|u| !u.is_empty()).map(PublicUrl::parse).transpose()?;
        for c in &cfg.required_components {
            if !is_component_name(c) {
                return Err(Error::InvalidKey {
                    reason:
                        "a requiredComponents entry is not a component name (lower case: @method, content-digest, ...)",
                });
            }
        }
        Ok(Options {
            tolerance: cfg.tolerance.unwrap_or(d.tolerance),
            public_path: cfg.public_path.clone().filter(|p| !p.is_empty()),
            max_body_bytes: cfg.max_body_bytes.unwrap_or(d.max_body_bytes),
            max_header_bytes: cfg.max_header_bytes.unwrap_or(d.max_header_bytes),
            max_signatures: cfg.max_signatures.unwrap_or(d.max_signatures),
            allow_ips,
            source: cfg.source.clone().filter(|s| !s.is_empty()),
            utc_offset_minutes: cfg.utc_offset_minutes.unwrap_or(0),
            token_header: cfg.token_header.clone().map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()),
            token_prefix: cfg.token_prefix.clone(),
            verification_code: cfg.verification_code.clone().filter(|c| !c.is_empty()),
            public_url,
            required_tag: cfg.required_tag.clone(),
            required_components: cfg.required_components.clone(),
            require_content_digest: cfg.require_content_digest.unwrap_or(d.require_content_digest),
        })
    }

    /// Whether `remote_ip` may send: always when no allowlist is set.
    pub fn allows(&self, remote_ip: Option<&str>) -> bool {
        self.allow_ips.is_empty()
            || remote_ip.and_then(parse_ip).is_some_and(|ip| self.allow_ips.iter().any(|n| n.contains(&ip)))
    }
}

/// An address, with IPv4-mapped IPv6 (`::ffff:a.b.c.d`, as dual-stack servers report IPv4 peers) read as IPv4.
fn parse_ip(text: &str) -> Option<std::net::IpAddr> {
    text.trim().parse::<std::net::IpAddr>().ok().map(|ip| ip.to_canonical())
}

fn parse_ip_net(text: &str) -> Option<ipnet::IpNet> {
    text.trim().parse().ok().or_else(|| parse_ip(text).map(ipnet::IpNet::from))
}

/// An RFC 9421 component name as a signer writes it: a derived component (`@method`) or a field name, lower case.
fn is_component_name(name: &str) -> bool {
    let field = name.strip_prefix('@').unwrap_or(name);
    !field.is_empty()
        && field.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The URL a sender posts to, as RFC 9421 derives components from it: scheme and authority lower case, the default
/// port left out, and the path when there is one beyond `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `https` or `http`.
    pub scheme: String,
    /// `host[:port]`, without the scheme's default port.
    pub authority: String,
    /// The path the sender addresses, when the URL has one other than `/`.
    pub path: Option<String>,
}

impl PublicUrl {
    /// `https://host[:port][/path]`: no user, query or fragment.
    pub fn parse(text: &str) -> Result<PublicUrl, Error> {
        const BAD: Error = Error::InvalidKey {
            reason: "publicUrl is not an http(s) URL: https://host[:port][/path], without a query or fragment",
        };
        let (scheme, rest) = text.split_once("://").ok_or(BAD)?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(BAD);
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i..).unwrap_or("")),
            None => (rest, ""),
        };
        let printable = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
        if rest.contains(['?', '#', '@']) || !printable(authority) || !printable(path) {
            return Err(BAD);
        }
        let authority = normalize_authority(&scheme, authority).ok_or(BAD)?;
        Ok(PublicUrl { scheme, authority, path: Some(path).filter(|p| !p.is_empty() && *p != "/").map(str::to_owned) })
    }
}

/// `Host:Port` → `host:port`, without the scheme's default port (RFC 9110 §4.2.3); `None` when it is not a host.
pub fn normalize_authority(scheme: &str, authority: &str) -> Option<String> {
    let lower = authority.to_ascii_lowercase();
    let (host, port) = match lower.rsplit_once(':') {
        // A bracketed IPv6 literal holds colons of its own: a port follows only its closing bracket.
        Some((h, p)) if !p.contains(']') => (h, Some(p)),
        _ => (lower.as_str(), None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        v6.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
    };
    if !host_ok || port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let default = match scheme {
        "https" => "443",
        "http" => "80",
        _ => "",
    };
    Some(match port {
        Some(p) if p != default => format!("{host}:{p}"),
        _ => host.to_owned(),
    })
}
